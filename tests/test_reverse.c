/*
 * Reverse relations in lookups and the reverse accessor (issue 8 item 5's
 * descriptors at work): `posts__title` from User, joins reused inside one
 * filter() call and new in the next (Django's multi-valued rule), LEFT OUTER
 * where no related row must still match, and corm_related_qs (alice.posts). The
 * SQL is Django 3.2's str(qs.query) for the same models; the rows are checked on
 * every backend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define USER_COLUMNS                                                                               \
	"SELECT \"auth_user\".\"id\", \"auth_user\".\"username\", \"auth_user\".\"email\", "       \
	"\"auth_user\".\"is_staff\" FROM \"auth_user\""
#define POSTS_JOIN "JOIN \"blog_post\" ON (\"auth_user\".\"id\" = \"blog_post\".\"author_id\")"

static corm_qs *users(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &User_model);
	assert_non_null(qs);
	return qs;
}

/* The usernames the QuerySet yields, "a,b,c", ordered as the query orders them. */
static char *names(test_env *env, corm_qs *qs)
{
	static char out[256];
	out[0] = '\0';
	User *u;
	int rc;
	while ((rc = corm_next(qs, &u)) == CORM_ROW) {
		if (out[0])
			strcat(out, ",");
		strcat(out, u->username);
	}
	if (rc != CORM_DONE)
		fail_msg("iteration: %s", corm_errmsg(env->db));
	return out;
}

/* alice: "a" (5 views, in "News"), "b" (1 view); bob: "b2" (9 views); carol: no posts. */
static void seed(test_env *env)
{
	User *alice = test_user(env, "alice"), *bob = test_user(env, "bob"),
	     *carol = test_user(env, "carol");
	Category *news = NULL;
	ASSERT_OK(env, corm_create(env->db, &Category_model, &news,
	                           CORM_KWARGS(CORM_KW("name", "News"), CORM_KW("slug", "news"))));
	Post *p = test_post(env, alice, "a", "a", 5, true);
	ASSERT_OK(env, CORM_SET(p, "category", CORM_OBJ(news)));
	ASSERT_OK(env, corm_save(env->db, p));
	corm_free(p);
	corm_free(test_post(env, alice, "b", "b", 1, true));
	corm_free(test_post(env, bob, "b2", "b2", 9, true));
	corm_free(news);
	corm_free(alice);
	corm_free(bob);
	corm_free(carol);
}

static void test_reverse_filters(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__title", "a")));
	test_assert_qs_str(
	        env, qs, USER_COLUMNS " INNER " POSTS_JOIN " WHERE \"blog_post\".\"title\" = 'a'");
	assert_string_equal(names(env, qs), "alice");
	corm_qs_free(qs);

	/* one filter() call: both conditions on the same post (none of alice's has both) */
	qs = users(env);
	ASSERT_OK(env,
	          corm_filter(qs, CORM_Q("posts__title", "b"), CORM_Q("posts__view_count__gt", 3)));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS " INNER " POSTS_JOIN
	                                " WHERE (\"blog_post\".\"title\" = 'b' AND "
	                                "\"blog_post\".\"view_count\" > 3)");
	assert_string_equal(names(env, qs), "");
	corm_qs_free(qs);

	/* two calls: each may match another post (alice has "b", and "a" with 5 views) */
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__title", "b")));
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__view_count__gt", 3)));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS
	                   " INNER " POSTS_JOIN
	                   " INNER JOIN \"blog_post\" T3 ON (\"auth_user\".\"id\" = "
	                   "T3.\"author_id\") WHERE (\"blog_post\".\"title\" = 'b' AND "
	                   "T3.\"view_count\" > 3)");
	assert_string_equal(names(env, qs), "alice");
	corm_qs_free(qs);

	/* users without posts: a LEFT OUTER JOIN and the post's key IS NULL */
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__isnull", true)));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS " LEFT OUTER " POSTS_JOIN
	                                " WHERE \"blog_post\".\"id\" IS NULL");
	assert_string_equal(names(env, qs), "carol");
	corm_qs_free(qs);

	/* deeper: reverse, then forward through the post's category */
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__category__name", "News")));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS
	                   " INNER " POSTS_JOIN " INNER JOIN \"blog_category\" ON "
	                   "(\"blog_post\".\"category_id\" = \"blog_category\".\"id\") "
	                   "WHERE \"blog_category\".\"name\" = 'News'");
	assert_string_equal(names(env, qs), "alice");
	corm_qs_free(qs);

	/* under OR, a user without posts may still match the other branch */
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, corm_or(CORM_Q("posts__title", "b2"),
	                                       CORM_Q("username", "carol"))));
	ASSERT_OK(env, corm_order_by(qs, "username"));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS " LEFT OUTER " POSTS_JOIN
	                                " WHERE (\"blog_post\".\"title\" = 'b2' OR "
	                                "\"auth_user\".\"username\" = 'carol') ORDER BY "
	                                "\"auth_user\".\"username\" ASC");
	assert_string_equal(names(env, qs), "bob,carol");
	corm_qs_free(qs);

	/* the join's duplicates, and distinct() */
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__view_count__gt", 0)));
	ASSERT_OK(env, corm_order_by(qs, "username"));
	assert_string_equal(names(env, qs), "alice,alice,bob");
	ASSERT_OK(env, corm_distinct(qs));
	assert_string_equal(names(env, qs), "alice,bob");
	corm_qs_free(qs);

	/* forward, then back: the posts of the authors of "b2"'s ... other posts */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, "title"));
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__posts__title", "a")));
	int64_t n = 0;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2); /* alice's "a" and "b" */
	corm_qs_free(qs);

	/* a post instance and a list of keys */
	Post *b2 = NULL;
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_get(qs, &b2, CORM_Q("slug", "b2")));
	corm_qs_free(qs);
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts", CORM_OBJ(b2))));
	assert_string_equal(names(env, qs), "bob");
	corm_qs_free(qs);
	qs = users(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("posts__in", CORM_IN_INTS(b2->obj.id))));
	char want[512];
	snprintf(want, sizeof want,
	         USER_COLUMNS " INNER " POSTS_JOIN " WHERE \"blog_post\".\"id\" IN (%lld)",
	         (long long)b2->obj.id);
	test_assert_qs_str(env, qs, want);
	assert_string_equal(names(env, qs), "bob");
	corm_qs_free(qs);
	corm_free(b2);
}

static void test_reverse_order_and_values(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = users(env);
	ASSERT_OK(env, corm_order_by(qs, "posts__title"));
	test_assert_qs_str(env, qs,
	                   USER_COLUMNS " LEFT OUTER " POSTS_JOIN
	                                " ORDER BY \"blog_post\".\"title\" ASC");
	corm_qs_free(qs);

	qs = users(env);
	ASSERT_OK(env, corm_values(qs, "username", "posts__title"));
	test_assert_qs_str(env, qs,
	                   "SELECT \"auth_user\".\"username\", \"blog_post\".\"title\" FROM "
	                   "\"auth_user\" LEFT OUTER " POSTS_JOIN);
	ASSERT_OK(env, corm_order_by(qs, "username", "posts__title"));
	const corm_row *row;
	char got[256] = "";
	while (corm_next_row(qs, &row) == CORM_ROW) {
		const char *u = NULL, *t = NULL;
		ASSERT_OK(env, corm_row_text(row, "username", &u));
		if (corm_row_is_null(row, "posts__title"))
			t = "-";
		else
			ASSERT_OK(env, corm_row_text(row, "posts__title", &t));
		strcat(got, u);
		strcat(got, ":");
		strcat(got, t);
		strcat(got, " ");
	}
	/* carol has no post: one row with a NULL title (the LEFT OUTER JOIN) */
	assert_string_equal(got, "alice:a alice:b bob:b2 carol:- ");
	corm_qs_free(qs);
}

static void test_reverse_accessor(void **state)
{
	test_env *env = *state;
	seed(env);
	User *alice = NULL, *carol = NULL;
	corm_qs *qs = users(env);
	ASSERT_OK(env, corm_get(qs, &alice, CORM_Q("username", "alice")));
	ASSERT_OK(env, corm_get(qs, &carol, CORM_Q("username", "carol")));
	corm_qs_free(qs);

	/* alice.posts.filter(view_count__gt=2).count(), .order_by("title") */
	corm_qs *posts = corm_related_qs(env->db, alice, "posts");
	assert_non_null(posts);
	ASSERT_OK(env, corm_order_by(posts, "title"));
	int64_t n = 0;
	ASSERT_OK(env, corm_count(posts, &n));
	assert_int_equal(n, 2);
	Post *p;
	ASSERT_OK(env, corm_first(posts, &p));
	assert_string_equal(p->title, "a");
	corm_free(p);
	ASSERT_OK(env, corm_filter(posts, CORM_Q("view_count__gt", 2)));
	ASSERT_OK(env, corm_count(posts, &n));
	assert_int_equal(n, 1);
	/* updated and deleted through it */
	ASSERT_OK(env, corm_update(posts, CORM_KWARGS(CORM_KW("view_count", 50)), &n));
	assert_int_equal(n, 1);
	corm_qs_free(posts);
	posts = corm_related_qs(env->db, carol, "posts");
	ASSERT_OK(env, corm_count(posts, &n));
	assert_int_equal(n, 0);
	corm_qs_free(posts);

	/* bad input */
	assert_null(corm_related_qs(env->db, alice, "postz"));
	assert_int_equal(corm_errcode(env->db), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db), "'User' object has no attribute 'postz'");
	User *unsaved = NULL;
	ASSERT_OK(env, corm_new(&User_model, &unsaved));
	assert_null(corm_related_qs(env->db, unsaved, "posts"));
	assert_int_equal(corm_errcode(env->db), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "'User' instance needs to have a primary key "
	                                          "value before this relationship can be used.");
	assert_null(corm_related_qs(env->db, NULL, "posts"));
	assert_int_equal(corm_errcode(env->db), CORM_EINVAL);
	corm_free(unsaved);
	corm_free(alice);
	corm_free(carol);
}

static void test_reverse_bad_input(void **state)
{
	test_env *env = *state;
	corm_qs *qs = users(env);
	assert_int_equal(corm_filter(qs, CORM_Q("posts__titel", "a")), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db),
	                    "Cannot resolve keyword 'titel' into field of blog.Post. Choices are: "
	                    "author, author_id, body, category, category_id, created_at, id, "
	                    "is_active, slug, title, updated_at, view_count");
	corm_qs_free(qs);
	/* NOT across a multi-valued relation needs Django's subquery: refused, not answered
	 * wrongly */
	qs = users(env);
	assert_int_equal(corm_exclude(qs, CORM_Q("posts__title", "a")), CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(env->db),
	                    "exclude() or ~Q() across the multi-valued relation 'posts' of "
	                    "auth.User is not supported yet (Django's split_exclude subquery)");
	corm_qs_free(qs);
	qs = users(env);
	assert_int_equal(corm_filter(qs, corm_not(CORM_Q("posts__title", "a"))), CORM_ENOTSUP);
	corm_qs_free(qs);
	/* select_related follows forward ForeignKeys only, as Django's */
	qs = users(env);
	assert_int_equal(corm_select_related(qs, "posts"), CORM_EFIELD);
	corm_qs_free(qs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_reverse_filters, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_reverse_order_and_values, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_reverse_accessor, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_reverse_bad_input, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

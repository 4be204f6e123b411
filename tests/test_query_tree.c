/*
 * The core v2 query tree on every backend: joins through forward foreign keys
 * (SQL as Django 3.2 writes it, and the rows), join promotion, flat Q trees and
 * their depth bound, the lookup registry, checked slices and bad arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "query/query.h" /* the flat-Q test looks at the tree */
#include "support.h"

#define POST_COLUMNS                                                                               \
	"SELECT \"blog_post\".\"id\", \"blog_post\".\"title\", \"blog_post\".\"slug\", "           \
	"\"blog_post\".\"body\", \"blog_post\".\"author_id\", \"blog_post\".\"category_id\", "     \
	"\"blog_post\".\"view_count\", \"blog_post\".\"is_active\", "                              \
	"\"blog_post\".\"created_at\", "                                                           \
	"\"blog_post\".\"updated_at\" FROM \"blog_post\""

static void assert_str(test_env *env, corm_qs *qs, const char *expected)
{
	test_assert_qs_str(env, qs, expected);
}

static corm_qs *posts(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_non_null(qs);
	ASSERT_OK(env, corm_order_by(qs, NULL)); /* Django's outputs below have no ordering */
	return qs;
}

/* Each query's SQL is the one Django 3.2 prints for the same models (str(qs.query)). */
static void test_join_sql(void **state)
{
	test_env *env = *state;
	corm_qs *qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__username", "alice")));
	assert_str(env, qs,
	           POST_COLUMNS " INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = "
	                        "\"auth_user\".\"id\") WHERE \"auth_user\".\"username\" = 'alice'");
	corm_qs_free(qs);

	/* a nullable FK: LEFT OUTER when made, demoted to INNER by the AND-ed condition */
	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("category__name", "x")));
	assert_str(env, qs,
	           POST_COLUMNS " INNER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" = "
	                        "\"blog_category\".\"id\") WHERE \"blog_category\".\"name\" = 'x'");
	corm_qs_free(qs);

	/* under OR a missing category must still let the other branch match */
	qs = posts(env);
	ASSERT_OK(env,
	          corm_filter(qs, corm_or(CORM_Q("category__name", "x"), CORM_Q("title", "y"))));
	assert_str(env, qs,
	           POST_COLUMNS
	           " LEFT OUTER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" "
	           "= \"blog_category\".\"id\") WHERE (\"blog_category\".\"name\" = 'x' "
	           "OR \"blog_post\".\"title\" = 'y')");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_order_by(qs, "category__name"));
	assert_str(env, qs,
	           POST_COLUMNS
	           " LEFT OUTER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" "
	           "= \"blog_category\".\"id\") ORDER BY \"blog_category\".\"name\" ASC");
	corm_qs_free(qs);

	/* author__id reads the FK's own column: no join (Django's trim_joins) */
	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__id", 1)));
	assert_str(env, qs, POST_COLUMNS " WHERE \"blog_post\".\"author_id\" = 1");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_exclude(qs, CORM_Q("category__name", "x")));
	assert_str(env, qs,
	           POST_COLUMNS
	           " LEFT OUTER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" "
	           "= \"blog_category\".\"id\") WHERE NOT (\"blog_category\".\"name\" = "
	           "'x' AND \"blog_category\".\"name\" IS NOT NULL)");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_exclude(qs, CORM_Q("author__username", "x")));
	assert_str(env, qs,
	           POST_COLUMNS
	           " INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = "
	           "\"auth_user\".\"id\") WHERE NOT (\"auth_user\".\"username\" = 'x')");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("category__name__isnull", true)));
	assert_str(env, qs,
	           POST_COLUMNS
	           " LEFT OUTER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" "
	           "= \"blog_category\".\"id\") WHERE \"blog_category\".\"name\" IS NULL");
	corm_qs_free(qs);

	/* one join for both filter() calls (a forward FK is single-valued) */
	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__username", "a")));
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__is_staff", false)));
	assert_str(
	        env, qs,
	        POST_COLUMNS
	        " INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = \"auth_user\".\"id\") "
	        "WHERE (\"auth_user\".\"username\" = 'a' AND NOT \"auth_user\".\"is_staff\")");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title", corm_f("author__username"))));
	assert_str(env, qs,
	           POST_COLUMNS " INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = "
	                        "\"auth_user\".\"id\") WHERE \"blog_post\".\"title\" = "
	                        "\"auth_user\".\"username\"");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_filter(qs, corm_or(corm_not(CORM_Q("category__name", "x")),
	                                       CORM_Q("title", "y"))));
	assert_str(env, qs,
	           POST_COLUMNS
	           " LEFT OUTER JOIN \"blog_category\" ON (\"blog_post\".\"category_id\" "
	           "= \"blog_category\".\"id\") WHERE (NOT (\"blog_category\".\"name\" = "
	           "'x' AND \"blog_category\".\"name\" IS NOT NULL) OR "
	           "\"blog_post\".\"title\" = 'y')");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env,
	          corm_filter(qs, CORM_Q("author__username", "a"), CORM_Q("category__name", "c")));
	assert_str(env, qs,
	           POST_COLUMNS
	           " INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = "
	           "\"auth_user\".\"id\") INNER JOIN \"blog_category\" ON "
	           "(\"blog_post\".\"category_id\" = \"blog_category\".\"id\") WHERE "
	           "(\"auth_user\".\"username\" = 'a' AND \"blog_category\".\"name\" = "
	           "'c')");
	corm_qs_free(qs);

	qs = posts(env);
	ASSERT_OK(env, corm_values(qs, "title", "author__username"));
	assert_str(
	        env, qs,
	        "SELECT \"blog_post\".\"title\", \"auth_user\".\"username\" FROM \"blog_post\" "
	        "INNER JOIN \"auth_user\" ON (\"blog_post\".\"author_id\" = \"auth_user\".\"id\")");
	corm_qs_free(qs);
}

static void seed(test_env *env)
{
	Category *news = NULL;
	ASSERT_OK(env, corm_create(env->db, &Category_model, &news,
	                           CORM_KWARGS(CORM_KW("name", "News"), CORM_KW("slug", "news"))));
	User *alice = test_user(env, "alice"), *zoe = test_user(env, "zoe");
	Post *p = test_post(env, alice, "Alpha", "alpha", 10, true);
	ASSERT_OK(env, CORM_SET(p, "category", CORM_OBJ(news)));
	ASSERT_OK(env, corm_save(env->db, p));
	corm_free(p);
	corm_free(test_post(env, alice, "Beta", "beta", 20, true));
	p = test_post(env, zoe, "Gamma", "gamma", 30, false);
	ASSERT_OK(env, CORM_SET(p, "category", CORM_OBJ(news)));
	ASSERT_OK(env, corm_save(env->db, p));
	corm_free(p);
	corm_free(test_post(env, zoe, "zoe", "delta", 40, true)); /* titled like its author */
	corm_free(alice);
	corm_free(zoe);
	corm_free(news);
}

static void titles(test_env *env, corm_qs *qs, const char *expected)
{
	char got[512] = "";
	Post *p;
	int rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		if (got[0])
			strcat(got, ",");
		strcat(got, p->title);
	}
	assert_int_equal(rc, CORM_DONE);
	assert_string_equal(got, expected);
	corm_qs_free(qs);
}

static corm_qs *by_title(test_env *env)
{
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, "title"));
	return qs;
}

static void test_join_rows(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = by_title(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__username", "alice")));
	titles(env, qs, "Alpha,Beta");

	qs = by_title(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("category__slug", "news")));
	titles(env, qs, "Alpha,Gamma");

	/* the rows without a category stay: LEFT OUTER JOIN, and Django's IS NOT NULL */
	qs = by_title(env);
	ASSERT_OK(env, corm_exclude(qs, CORM_Q("category__slug", "news")));
	titles(env, qs, "Beta,zoe");

	qs = by_title(env);
	ASSERT_OK(env, corm_filter(qs, corm_or(CORM_Q("category__slug", "news"),
	                                       CORM_Q("view_count", 20))));
	titles(env, qs, "Alpha,Beta,Gamma");

	qs = by_title(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("category__name__isnull", true)));
	titles(env, qs, "Beta,zoe");

	qs = by_title(env);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("title", corm_f("author__username"))));
	titles(env, qs, "zoe");

	/* ordering through a nullable relation keeps every row; NULL categories sort as the
	 * backend sorts NULLs, so order by the category's slug then the title on non-null ones */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("category__isnull", false)));
	ASSERT_OK(env, corm_order_by(qs, "-category__name", "-title"));
	titles(env, qs, "Gamma,Alpha");

	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__username__in", CORM_IN_TEXTS("zoe"))));
	int64_t n = 0;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_values_list(qs, false, "title", "author__username", "category__name"));
	ASSERT_OK(env, corm_order_by(qs, "title"));
	const corm_row *row;
	char got[256] = "";
	while (corm_next_row(qs, &row) == CORM_ROW) {
		const corm_value *c = corm_row_get(row, "category__name");
		char line[64];
		snprintf(line, sizeof line, "%s%s/%s/%s", got[0] ? "," : "",
		         corm_row_cell(row, 0)->u.text,
		         corm_row_get(row, "author__username")->u.text,
		         c->type == CORM_TYPE_NULL ? "-" : c->u.text);
		strcat(got, line);
	}
	assert_string_equal(got, "Alpha/alice/News,Beta/alice/-,Gamma/zoe/News,zoe/zoe/-");
	corm_qs_free(qs);

	/* get() names the path in its message */
	qs = corm_objects(env->db, &Post_model);
	Post *p = NULL;
	assert_int_equal(corm_get(qs, &p, CORM_Q("author__username", "carol")), CORM_ENOTFOUND);
	assert_null(p);
	assert_string_equal(corm_errmsg(env->db),
	                    "Post matching query does not exist (author__username='carol').");
	corm_qs_free(qs);
}

static void test_join_errors(void **state)
{
	test_env *env = *state;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("author__usernme", "x")), CORM_EFIELD);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Cannot resolve keyword 'usernme' into field of auth.User. Choices are: "
	        "email, id, is_staff, posts, username");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("title__author", "x")), CORM_EFIELD);
	assert_true(strstr(corm_errmsg(env->db),
	                   "Unsupported lookup 'author' for CharField 'title' of blog.Post.") !=
	            NULL);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_values(qs, "author__nope"), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db),
	                    "Cannot resolve keyword 'nope' into field of auth.User. Choices are: "
	                    "email, id, is_staff, posts, username");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_order_by(qs, "-category__slug__icontains"), CORM_EFIELD);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "Cannot resolve keyword 'icontains' into field of blog.Category. Choices "
	        "are: id, name, posts, slug");
	corm_qs_free(qs);

	/* update() and delete() across a relation are refused, not run on the wrong rows */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, CORM_Q("author__username", "alice")));
	assert_int_equal(corm_update(qs, CORM_KWARGS(CORM_KW("view_count", 1)), NULL),
	                 CORM_ENOTSUP);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "update() across relations (a filter on 'auth.User') is not supported yet.");
	assert_int_equal(corm_qs_delete(qs, NULL), CORM_ENOTSUP);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "delete() across relations (a filter on 'auth.User') is not supported yet.");
	corm_qs_free(qs);
}

/* The idiomatic loop `q = q | Q(...)` makes one flat node and one flat SQL list. */
static void test_flat_or(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "alice");
	for (int i = 0; i < 5; i++) {
		char slug[16];
		snprintf(slug, sizeof slug, "s%d", i);
		corm_free(test_post(env, u, "t", slug, i, true));
	}
	corm_free(u);
	corm_q *q = corm_q_empty();
	for (int i = 1; i <= 100000; i++)
		q = corm_or(q, CORM_Q("view_count", i));
	assert_non_null(q);
	assert_int_equal(q->kind, Q_OR);
	assert_int_equal(q->n, 100000);
	assert_int_equal(q->depth, 2);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, q));
	const char *sql;
	size_t nparams = 0;
	ASSERT_OK(env, corm_qs_sql(qs, &sql, NULL, &nparams));
	assert_int_equal(nparams, 100000);
	/* 200 groups of 500 terms inside the WHERE's parentheses, nothing nested per term */
	const char *where = strstr(sql, " WHERE ");
	assert_non_null(where);
	size_t open = 0;
	for (const char *p = where; *p; p++)
		open += *p == '(';
	assert_int_equal(open, 1 + 200);
	corm_qs_free(qs);

	/* 3,000 terms run on every backend (SQLite's expression depth limit is 1000) */
	q = corm_q_empty();
	for (int i = 0; i < 3000; i++)
		q = corm_or(q, CORM_Q("view_count", i % 2 ? i : 3));
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, q));
	int64_t n = 0;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2); /* the posts with view_count 1 and 3 */
	corm_qs_free(qs);
}

/* Alternating connectors nest; past the bound the Q is refused when applied, never walked. */
static void test_depth_bound(void **state)
{
	test_env *env = *state;
	corm_q *q = CORM_Q("view_count", 0);
	for (int i = 0; i < 300; i++)
		q = i % 2 ? corm_or(q, CORM_Q("view_count", i)) : corm_and(q, CORM_Q("title", "x"));
	assert_non_null(q);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, q), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "Q objects nested more than 256 levels deep.");
	corm_qs_free(qs);

	corm_expr *e = corm_f("view_count");
	for (int i = 0; i < 300; i++)
		e = CORM_F_ADD(e, 1);
	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_update(qs, CORM_KWARGS(CORM_KW("view_count", e)), NULL), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "Expression nested more than 256 levels deep.");
	corm_qs_free(qs);
}

static void test_slices_checked(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "alice");
	corm_free(test_post(env, u, "a", "a", 1, true));
	corm_free(test_post(env, u, "b", "b", 2, true));
	corm_free(u);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_slice(qs, 1, CORM_END));
	ASSERT_OK(env, corm_slice(qs, INT64_MAX - 1, CORM_END));
	size_t n = 99;
	ASSERT_OK(env, corm_len(qs, &n));
	assert_int_equal(n, 0);
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	Post *p = (Post *)1;
	assert_int_equal(corm_at(qs, INT64_MAX - 3, &p), CORM_ENOTFOUND);
	assert_null(p);
	assert_string_equal(corm_errmsg(env->db), "Post index 9223372036854775804 out of range");
	ASSERT_OK(env, corm_slice(qs, 5, 7));
	assert_int_equal(corm_at(qs, INT64_MAX, &p), CORM_ENOTFOUND);
	corm_qs_free(qs);
}

static void test_bad_arguments(void **state)
{
	test_env *env = *state;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_values_n(qs, NULL, 2), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "values: the list of names is NULL");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_order_by_n(qs, NULL, 2), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "order_by: the list of names is NULL");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_order_by_nulls(qs, "title", (corm_nulls)77), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db),
	                    "order_by_nulls: nulls must be CORM_NULLS_DEFAULT, CORM_NULLS_FIRST or "
	                    "CORM_NULLS_LAST");
	corm_qs_free(qs);

	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter_n(qs, NULL, 2), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "filter/exclude: the list of Q objects is NULL");
	corm_qs_free(qs);

	/* a NULL Q (its constructor ran out of memory) never means "no condition" */
	User *u = test_user(env, "alice");
	corm_free(test_post(env, u, "a", "a", 1, true));
	corm_free(u);
	qs = corm_objects(env->db, &Post_model);
	Post *p = NULL;
	assert_int_equal(corm_get(qs, &p, NULL), CORM_ENOMEM);
	assert_null(p);
	assert_string_equal(corm_errmsg(env->db),
	                    "out of memory (corm_get's Q object could not be built)");
	ASSERT_OK(env, corm_get(qs, &p, corm_q_empty()));
	assert_string_equal(p->title, "a");
	corm_free(p);
	corm_qs_free(qs);
}

#define USER_COLUMNS                                                                               \
	"\"auth_user\".\"id\", \"auth_user\".\"username\", \"auth_user\".\"email\", "              \
	"\"auth_user\".\"is_staff\""
#define CATEGORY_COLUMNS                                                                           \
	"\"blog_category\".\"id\", \"blog_category\".\"name\", \"blog_category\".\"slug\""

/* One query fills the posts and their authors and categories; a NULL category is no object. */
static void test_select_related(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = by_title(env);
	ASSERT_OK(env, corm_select_related(qs, "author", "category"));
	char *sql = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	char want[2048];
	snprintf(want, sizeof want, "%s",
	         "SELECT \"blog_post\".\"id\", \"blog_post\".\"title\", \"blog_post\".\"slug\", "
	         "\"blog_post\".\"body\", \"blog_post\".\"author_id\", "
	         "\"blog_post\".\"category_id\", "
	         "\"blog_post\".\"view_count\", \"blog_post\".\"is_active\", "
	         "\"blog_post\".\"created_at\", \"blog_post\".\"updated_at\", " USER_COLUMNS
	         ", " CATEGORY_COLUMNS " FROM \"blog_post\" INNER JOIN \"auth_user\" ON "
	         "(\"blog_post\".\"author_id\" = \"auth_user\".\"id\") LEFT OUTER JOIN "
	         "\"blog_category\" ON (\"blog_post\".\"category_id\" = \"blog_category\".\"id\") "
	         "ORDER BY \"blog_post\".\"title\" ASC");
	if (!strcmp(test_backend(), "mysql"))
		for (char *p = want; *p; p++)
			if (*p == '"')
				*p = '`';
	assert_string_equal(sql, want);
	corm_mem_free(sql);
	test_clear_queries(env);
	char got[256] = "";
	Post *p;
	while (corm_next(qs, &p) == CORM_ROW) {
		const User *a = p->author.obj;
		const Category *c = p->category.obj;
		assert_non_null(a);
		assert_int_equal(a->obj.id, p->author.id);
		assert_true(c == NULL || c->obj.id == p->category.id);
		char line[64];
		snprintf(line, sizeof line, "%s%s/%s/%s", got[0] ? "," : "", p->title, a->username,
		         c ? c->slug : "-");
		strcat(got, line);
	}
	assert_string_equal(got, "Alpha/alice/news,Beta/alice/-,Gamma/zoe/news,zoe/zoe/-");
	assert_int_equal(env->nqueries, 1);
	/* borrowed instances are not the caller's to free: refused, not a double free */
	assert_int_equal(corm_next(qs, &p), CORM_ROW); /* from the cache */
	corm_free(p);
	assert_int_equal(corm_error_last()->code, CORM_EINVAL);
	assert_string_equal(
	        corm_error_last()->message,
	        "corm_free: the instance is borrowed (from corm_next, or a related object "
	        "cached by another instance): its owner frees it");
	assert_int_equal(corm_next(qs, &p), CORM_ROW);
	corm_free(p->author.obj);
	assert_int_equal(corm_error_last()->code, CORM_EINVAL);
	assert_string_equal(((User *)p->author.obj)->username, "alice"); /* still there */
	/* qs[i] of an evaluated QuerySet is a deep copy, related objects included */
	Post *copy = NULL;
	ASSERT_OK(env, corm_at(qs, 2, &copy));
	assert_string_equal(((User *)copy->author.obj)->username, "zoe");
	assert_string_equal(((Category *)copy->category.obj)->name, "News");
	corm_free(copy);
	corm_qs_free(qs);

	/* iterator(): the reused instance drops the previous row's related objects */
	qs = by_title(env);
	ASSERT_OK(env, corm_select_related(qs, "category"));
	ASSERT_OK(env, corm_iterator(qs, 2));
	got[0] = '\0';
	while (corm_next(qs, &p) == CORM_ROW) {
		const Category *c = p->category.obj;
		strcat(got, c ? "C" : "-");
	}
	assert_string_equal(got, "C-C-");
	corm_qs_free(qs);

	/* no names: the non-null ForeignKeys (author, not category) */
	qs = by_title(env);
	ASSERT_OK(env, corm_select_related_n(qs, NULL, 0));
	ASSERT_OK(env, corm_first(qs, &p));
	assert_string_equal(((User *)p->author.obj)->username, "alice");
	assert_null(p->category.obj);
	corm_free(p);
	corm_qs_free(qs);
}

static void test_select_related_errors(void **state)
{
	test_env *env = *state;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_select_related(qs, "title"), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db), "Non-relational field given in select_related: "
	                                          "'title'. Choices are: author, category");
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_select_related(qs, "author__nope"), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db), "Invalid field name(s) given in select_related: "
	                                          "'nope'. Choices are: (none)");
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_select_related(qs, "author_id"), CORM_EFIELD);
	assert_string_equal(corm_errmsg(env->db), "Invalid field name(s) given in select_related: "
	                                          "'author_id'. Choices are: author, category");
	corm_qs_free(qs);
}

static void test_row_getters(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_qs *qs = by_title(env);
	ASSERT_OK(env, corm_values(qs, "title", "view_count", "is_active", "created_at",
	                           "category__name"));
	const corm_row *row;
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW);
	int64_t views = 0;
	const char *title = NULL;
	bool active = false;
	double f = 0;
	corm_datetime at = {0};
	ASSERT_OK(env, corm_row_int(row, "view_count", &views));
	assert_int_equal(views, 10);
	ASSERT_OK(env, corm_row_float(row, "view_count", &f));
	assert_true(f == 10.0);
	ASSERT_OK(env, corm_row_text(row, "title", &title));
	assert_string_equal(title, "Alpha");
	ASSERT_OK(env, corm_row_bool(row, "is_active", &active));
	assert_true(active);
	ASSERT_OK(env, corm_row_datetime(row, "created_at", &at));
	assert_true(at.us > 0);
	assert_int_equal(corm_row_int(row, "title", &views), CORM_ETYPE);
	assert_int_equal(views, 10); /* untouched */
	assert_int_equal(corm_row_int(row, "nope", &views), CORM_EFIELD);
	assert_int_equal(corm_row_int(row, NULL, &views), CORM_EINVAL);
	assert_false(corm_row_is_null(row, "category__name"));
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW); /* Beta: no category */
	assert_true(corm_row_is_null(row, "category__name"));
	assert_int_equal(corm_row_text(row, "category__name", &title), CORM_ETYPE);
	corm_qs_free(qs);
}

/* A QuerySet outliving its connection fails cleanly instead of reading freed memory; the
 * handle lives on until the last QuerySet is freed. */
static void test_queryset_after_close(void **state)
{
	test_env *env = *state;
	corm_db *db;
	ASSERT_OK(env, corm_open(&db, test_url()));
	corm_qs *qs = corm_objects(db, &Post_model);
	corm_qs *copy = corm_qs_clone(qs);
	assert_non_null(copy);
	corm_close(db);
	int64_t n = 7;
	assert_int_equal(corm_count(qs, &n), CORM_EINVAL);
	assert_string_equal(corm_errmsg(db),
	                    "the QuerySet's connection was closed (corm_close): free "
	                    "the QuerySet before closing its connection");
	assert_int_equal(corm_filter(copy, CORM_Q("title", "x")), CORM_EINVAL);
	assert_null(corm_objects(db, &Post_model));
	corm_close(db); /* twice: refused while the QuerySets hold the handle */
	assert_int_equal(corm_error_last()->code, CORM_EINVAL);
	assert_string_equal(corm_error_last()->message,
	                    "corm_close: the connection is already closed");
	corm_qs_free(qs);
	corm_qs_free(copy); /* the handle goes with the last one (ASan checks nothing is left) */
}

/* What a review of the tree found, each against Django 3.2's rows. */
static void test_review_findings(void **state)
{
	test_env *env = *state;
	seed(env);
	int64_t n = -1;
	/* exclude(x__isnull=False) keeps the rows whose relation is missing (LEFT OUTER) */
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_exclude(qs, CORM_Q("category__name__isnull", false)));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 2);
	corm_qs_free(qs);
	/* exclude() against a nullable column on the right: NULL there does not match */
	qs = by_title(env);
	ASSERT_OK(env, corm_exclude(qs, CORM_Q("author_id", corm_f("category_id"))));
	titles(env, qs, "Beta,Gamma,zoe");
	/* exclude(Q()) and filter(~Q()) match everything, as in Django */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_exclude(qs, corm_q_empty()));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 4);
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_filter(qs, corm_not(corm_q_empty())));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 4);
	corm_qs_free(qs);
	/* count() of a select_related QuerySet in a subquery (distinct, slice): no duplicate
	 * "id" columns in the derived table (MariaDB refused them) */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_select_related(qs, "author", "category"));
	ASSERT_OK(env, corm_distinct(qs));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 4);
	ASSERT_OK(env, corm_slice(qs, 0, 3));
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 3);
	corm_qs_free(qs);
	/* a million nested additions: cut where they are built, refused, no stack overflow */
	corm_expr *e = corm_f("view_count");
	for (int i = 0; i < 1000000; i++)
		e = CORM_F_ADD(e, 1);
	qs = corm_objects(env->db, &Post_model);
	assert_int_equal(corm_filter(qs, CORM_Q("view_count", e)), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db), "Expression nested more than 256 levels deep.");
	corm_qs_free(qs);
	/* a failed update() leaves no join behind in the QuerySet */
	qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, NULL));
	assert_int_equal(
	        corm_update(qs, CORM_KWARGS(CORM_KW("title", corm_f("author__username"))), NULL),
	        CORM_ENOTSUP);
	char *sql = NULL;
	ASSERT_OK(env, corm_qs_str(qs, &sql));
	assert_null(strstr(sql, "JOIN"));
	corm_mem_free(sql);
	ASSERT_OK(env, corm_qs_delete(qs, &n));
	corm_qs_free(qs);
}

typedef struct Person {
	corm_obj obj;
	char *name;
	int32_t rank;
} Person;
typedef struct Msg {
	corm_obj obj;
	char *text;
	corm_fk recipient;
} Msg;
static const corm_field person_fields[] = {
        CORM_CHAR(Person, name, .max_length = 20),
        CORM_INT(Person, rank),
};
static const corm_model Person_model = CORM_MODEL(Person, "tree", person_fields);
static const corm_field msg_fields[] = {
        CORM_CHAR(Msg, text, .max_length = 20),
        CORM_FK(Msg, recipient, &Person_model, CORM_SET_NULL, .null = true),
};
static const corm_model Msg_model = CORM_MODEL(Msg, "tree", msg_fields);

/* values() through a nullable join: a NOT NULL integer of the missing row is NULL, not 0 */
static void test_values_through_nullable_join(void **state)
{
	test_env *env = *state;
	corm_registry *reg;
	ASSERT_OK(env, corm_registry_new(&reg));
	ASSERT_OK(env, corm_registry_add(reg, &Person_model));
	ASSERT_OK(env, corm_registry_add(reg, &Msg_model));
	ASSERT_OK(env, corm_registry_ready(reg));
	corm_db *db;
	ASSERT_OK(env, corm_open(&db, test_url()));
	corm_execute(db, "DROP TABLE IF EXISTS tree_msg", NULL, 0, NULL);
	corm_execute(db, "DROP TABLE IF EXISTS tree_person", NULL, 0, NULL);
	int rc = corm_create_tables(db, reg);
	if (rc)
		fail_msg("create_tables: %s", corm_errmsg(db));
	Person *bob = NULL;
	if (corm_create(db, &Person_model, &bob,
	                CORM_KWARGS(CORM_KW("name", "bob"), CORM_KW("rank", 7))))
		fail_msg("%s", corm_errmsg(db));
	if (corm_create(db, &Msg_model, NULL,
	                CORM_KWARGS(CORM_KW("text", "a"), CORM_KW("recipient", CORM_OBJ(bob)))) ||
	    corm_create(db, &Msg_model, NULL, CORM_KWARGS(CORM_KW("text", "b"))))
		fail_msg("%s", corm_errmsg(db));
	corm_free(bob);
	corm_qs *qs = corm_objects(db, &Msg_model);
	if (corm_values(qs, "text", "recipient__rank") || corm_order_by(qs, "text"))
		fail_msg("%s", corm_errmsg(db));
	const corm_row *row;
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW);
	int64_t rank = 0;
	assert_int_equal(corm_row_int(row, "recipient__rank", &rank), CORM_OK);
	assert_int_equal(rank, 7);
	assert_int_equal(corm_next_row(qs, &row), CORM_ROW);
	assert_true(corm_row_is_null(row, "recipient__rank"));
	corm_qs_free(qs);
	corm_execute(db, "DROP TABLE tree_msg", NULL, 0, NULL);
	corm_execute(db, "DROP TABLE tree_person", NULL, 0, NULL);
	corm_close(db);
	corm_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_join_sql, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_join_rows, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_join_errors, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_flat_or, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_depth_bound, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_slices_checked, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_bad_arguments, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_select_related, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_select_related_errors, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_row_getters, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_queryset_after_close, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_review_findings, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_values_through_nullable_join, test_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Fixes found by using corm as a new user would (issue 8 item 10) and the
 * value checks of issue 13 (items 10-12), on every backend: get_or_create and
 * update_or_create on failure, unset foreign keys, the test clock, values a
 * column cannot hold.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static bool is(const char *backend)
{
	return strcmp(test_backend(), backend) == 0;
}

/* Case-insensitive strstr. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; hay && *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* The message each database gives for blog_post.author_id left NULL. */
static void assert_author_not_null(test_env *env)
{
	const char *msg = corm_errmsg(env->db);
	if (is("sqlite"))
		assert_non_null(strstr(msg, "NOT NULL constraint failed: blog_post.author_id"));
	else if (is("postgres"))
		assert_non_null(strstr(msg, "null value in column \"author_id\""));
	else
		assert_non_null(strstr(msg, "Column 'author_id' cannot be null"));
}

static bool saw_query(test_env *env, const char *part)
{
	for (size_t i = 0; i < env->nqueries; i++)
		if (strstr(env->queries[i], part))
			return true;
	return false;
}

/* ---- unset foreign keys ---- */

static void test_unset_fk_is_null_at_once(void **state)
{
	test_env *env = *state;
	Post *p = (Post *)&p; /* a sentinel: on failure create sets it to NULL */
	int rc = corm_create(env->db, &Post_model, &p,
	                     CORM_KWARGS(CORM_KW("title", "t"), CORM_KW("slug", "s")));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	assert_null(p);
	assert_author_not_null(env);
	/* inside an atomic block the error comes from the INSERT, not at commit */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	test_clear_queries(env);
	assert_int_equal(corm_create(env->db, &Post_model, NULL,
	                             CORM_KWARGS(CORM_KW("title", "t"), CORM_KW("slug", "s"))),
	                 CORM_ECONSTRAINT);
	assert_author_not_null(env);
	assert_true(saw_query(env, "INSERT INTO"));
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	/* the same through save() of corm_new's instance */
	ASSERT_OK(env, corm_new(&Post_model, &p));
	ASSERT_OK(env, CORM_SET(p, "slug", "x"));
	assert_true(corm_is_null(p, &p->author));
	assert_int_equal(corm_save(env->db, p), CORM_ECONSTRAINT);
	assert_author_not_null(env);
	/* once set, it saves */
	User *u = test_user(env, "alice");
	ASSERT_OK(env, CORM_SET(p, "author", u));
	assert_false(corm_is_null(p, &p->author));
	ASSERT_OK(env, corm_save(env->db, p));
	corm_free(p);
	corm_free(u);
}

/* ---- get_or_create / update_or_create on failure ---- */

static void test_get_or_create_failure(void **state)
{
	test_env *env = *state;
	/* not there, and its create is refused: NOT NULL on the unset author */
	Post *p = (Post *)&p;
	bool created = true;
	int rc = corm_get_or_create(env->db, &Post_model, &p, &created,
	                            CORM_KWARGS(CORM_KW("slug", "a")),
	                            CORM_KWARGS(CORM_KW("title", "A")));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	assert_int_equal(corm_errcode(env->db), CORM_ECONSTRAINT);
	assert_author_not_null(env);
	assert_null(strstr(corm_errmsg(env->db), "matching query does not exist"));
	assert_null(p);
	assert_true(created); /* untouched */
	/* refused by a foreign key that points nowhere: PostgreSQL and SQLite check it at
	 * COMMIT, after the instance was made (which must not leak) */
	created = false;
	p = (Post *)&p;
	rc = corm_get_or_create(env->db, &Post_model, &p, &created,
	                        CORM_KWARGS(CORM_KW("slug", "b")),
	                        CORM_KWARGS(CORM_KW("title", "B"), CORM_KW("author_id", 999999)));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	assert_int_equal(corm_errcode(env->db), CORM_ECONSTRAINT);
	assert_true(contains(corm_errmsg(env->db), "foreign key"));
	assert_null(p);
	assert_false(created);
	assert_int_equal(corm_atomic_depth(env->db), 0);
	/* and success still reports created */
	User *u = test_user(env, "bob");
	ASSERT_OK(env,
	          corm_get_or_create(env->db, &Post_model, &p, &created,
	                             CORM_KWARGS(CORM_KW("slug", "b")),
	                             CORM_KWARGS(CORM_KW("title", "B"), CORM_KW("author", u))));
	assert_true(created);
	corm_free(p);
	corm_free(u);
}

static void test_update_or_create_failure(void **state)
{
	test_env *env = *state;
	User *u = test_user(env, "carol");
	Post *p = test_post(env, u, "T", "t", 1, true);
	corm_free(p);
	/* the update path fails: *created and the out pointer as the rule says */
	bool created = true;
	p = (Post *)&p;
	int rc = corm_update_or_create(env->db, &Post_model, &p, &created,
	                               CORM_KWARGS(CORM_KW("slug", "t")),
	                               CORM_KWARGS(CORM_KW("view_count", "abc")));
	assert_int_equal(rc, CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'Post.view_count' expected a number but got 'abc'.");
	assert_null(p);
	assert_true(created);
	/* the create path fails at COMMIT on PostgreSQL and SQLite (deferred foreign key) */
	created = false;
	p = (Post *)&p;
	rc = corm_update_or_create(
	        env->db, &Post_model, &p, &created, CORM_KWARGS(CORM_KW("slug", "new")),
	        CORM_KWARGS(CORM_KW("title", "N"), CORM_KW("author_id", 999999)));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	assert_true(contains(corm_errmsg(env->db), "foreign key"));
	assert_null(p);
	assert_false(created);
	assert_int_equal(corm_atomic_depth(env->db), 0);
	/* the row is read with select_for_update where the backend has row locks */
	test_clear_queries(env);
	ASSERT_OK(env, corm_update_or_create(env->db, &Post_model, &p, &created,
	                                     CORM_KWARGS(CORM_KW("slug", "t")),
	                                     CORM_KWARGS(CORM_KW("view_count", 7))));
	assert_false(created);
	assert_int_equal(p->view_count, 7);
	assert_int_equal(saw_query(env, " FOR UPDATE"), !is("sqlite"));
	corm_free(p);
	/* corm_delete: the count is untouched on failure too */
	ASSERT_OK(env, corm_new(&Post_model, &p));
	int64_t deleted = 77;
	assert_int_equal(corm_delete(env->db, p, &deleted), CORM_EINVAL);
	assert_int_equal(deleted, 77);
	corm_free(p);
	corm_free(u);
}

/* ---- the test clock ---- */

static corm_datetime frozen_clock(void *ctx)
{
	return *(const corm_datetime *)ctx;
}

static void assert_dt(corm_datetime dt, const char *text)
{
	char buf[CORM_DATETIME_STRLEN];
	corm_datetime_format(dt, buf);
	assert_string_equal(buf, text);
}

static void test_frozen_clock(void **state)
{
	test_env *env = *state;
	corm_datetime now;
	assert_int_equal(corm_datetime_from_parts(&now, 2024, 1, 15, 10, 30, 0, 0), CORM_OK);
	corm_set_clock(frozen_clock, &now);
	assert_int_equal(corm_datetime_now().us, now.us);
	char day[CORM_DATE_STRLEN];
	corm_date_format(corm_date_today(), day);
	assert_string_equal(day, "2024-01-15");

	User *u = test_user(env, "dora");
	Post *p = test_post(env, u, "T", "t", 1, true);
	assert_dt(p->created_at, "2024-01-15 10:30:00");
	assert_dt(p->updated_at, "2024-01-15 10:30:00");
	ASSERT_OK(env, corm_refresh(env->db, p));
	assert_dt(p->created_at, "2024-01-15 10:30:00");
	assert_dt(p->updated_at, "2024-01-15 10:30:00");

	now.us += 3600LL * 1000000 + 123456; /* an hour and a bit later */
	ASSERT_OK(env, corm_save(env->db, p));
	ASSERT_OK(env, corm_refresh(env->db, p));
	assert_dt(p->created_at, "2024-01-15 10:30:00");
	assert_dt(p->updated_at, "2024-01-15 11:30:00.123456");
	corm_free(p);
	corm_free(u);

	corm_set_clock(NULL, NULL); /* the real clock again: well after 2024 */
	int year;
	corm_datetime_to_parts(corm_datetime_now(), &year, NULL, NULL, NULL, NULL, NULL, NULL);
	assert_true(year >= 2025);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_unset_fk_is_null_at_once, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_get_or_create_failure, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_update_or_create_failure, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_frozen_clock, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

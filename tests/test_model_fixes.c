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
	ASSERT_OK(env, CORM_SET(p, "author", CORM_OBJ(u)));
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
	                             CORM_KWARGS(CORM_KW("title", "B"), CORM_KW("author", CORM_OBJ(u)))));
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

/* ---- values a column cannot hold (issue 13 items 10-12) ---- */

typedef struct Event {
	corm_obj obj;
	corm_date day;
	corm_datetime at;
	corm_time t;
	corm_duration span;
	int32_t i32;
	int16_t i16;
	corm_decimal *amount;
	double ratio;
} Event;

static const corm_field event_fields[] = {
        CORM_DATE(Event, day, .null = true),
        CORM_DATETIME(Event, at, .null = true),
        CORM_TIME(Event, t, .null = true),
        CORM_DURATION(Event, span, .null = true),
        CORM_INT(Event, i32, .default_value = "0"),
        CORM_SMALLINT(Event, i16, .default_value = "0"),
        CORM_DECIMAL(Event, amount, .max_digits = 30, .decimal_places = 10, .null = true),
        CORM_FLOAT(Event, ratio, .null = true),
};
static corm_model Event_model = CORM_MODEL(Event, "blog", event_fields);

static int event_setup(void **state)
{
	test_env *env = calloc(1, sizeof *env);
	if (corm_registry_new(&env->reg) || corm_registry_add(env->reg, &Event_model) ||
	    corm_registry_ready(env->reg))
		return -1;
	if (corm_open(&env->db, test_url()))
		return -1;
	corm_drop_tables(env->db, env->reg);
	if (corm_create_tables(env->db, env->reg)) {
		fprintf(stderr, "create tables: %s\n", corm_errmsg(env->db));
		return -1;
	}
	*state = env;
	return 0;
}

/* Saving e must fail with CORM_ETYPE and `msg`; the table stays readable. */
static void assert_refused(test_env *env, Event *e, const char *msg)
{
	assert_int_equal(corm_save(env->db, e), CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db), msg);
	corm_qs *qs = corm_objects(env->db, &Event_model);
	int64_t n = -1;
	ASSERT_OK(env, corm_count(qs, &n));
	Event *first = NULL;
	int rc = corm_first(qs, &first);
	assert_true(rc == CORM_OK || rc == CORM_ENOTFOUND);
	corm_free(first);
	corm_qs_free(qs);
}

static void test_dates_out_of_range(void **state)
{
	test_env *env = *state;
	Event *e;
	ASSERT_OK(env, corm_new(&Event_model, &e));
	e->day.days = INT32_MAX;
	corm_set_null(e, &e->day, false);
	assert_refused(env, e,
	               "Field 'day' of blog.Event expected a date between 0001-01-01 and "
	               "9999-12-31 but got days=2147483647.");
	e->day.days = 2932897; /* 10000-01-01 */
	assert_refused(env, e,
	               "Field 'day' of blog.Event expected a date between 0001-01-01 and "
	               "9999-12-31 but got days=2932897.");
	e->day.days = -719163; /* 0000-12-31 */
	assert_refused(env, e,
	               "Field 'day' of blog.Event expected a date between 0001-01-01 and "
	               "9999-12-31 but got days=-719163.");
	e->day.days = 2932896; /* 9999-12-31: the last date */
	e->at.us = INT64_MAX;
	corm_set_null(e, &e->at, false);
	assert_refused(env, e,
	               "Field 'at' of blog.Event expected a datetime between 0001-01-01 00:00:00 "
	               "and 9999-12-31 23:59:59.999999 but got us=9223372036854775807.");
	e->at.us = INT64_MIN;
	assert_refused(env, e,
	               "Field 'at' of blog.Event expected a datetime between 0001-01-01 00:00:00 "
	               "and 9999-12-31 23:59:59.999999 but got us=-9223372036854775808.");
	assert_int_equal(corm_datetime_parse(&e->at, "0001-01-01 00:00:00", 19), CORM_OK);
	e->t.us = 86400000000LL; /* 24:00 */
	corm_set_null(e, &e->t, false);
	assert_refused(env, e,
	               "Field 't' of blog.Event expected a time between 00:00:00 and "
	               "23:59:59.999999 but got us=86400000000.");
	e->t.us = -1;
	assert_refused(env, e,
	               "Field 't' of blog.Event expected a time between 00:00:00 and "
	               "23:59:59.999999 but got us=-1.");
	e->t.us = 86399999999LL;
	/* the limits themselves are stored and read back */
	ASSERT_OK(env, corm_save(env->db, e));
	ASSERT_OK(env, corm_refresh(env->db, e));
	char buf[CORM_DATETIME_STRLEN];
	corm_date_format(e->day, buf);
	assert_string_equal(buf, "9999-12-31");
	corm_datetime_format(e->at, buf);
	assert_string_equal(buf, "0001-01-01 00:00:00");
	corm_time_format(e->t, buf);
	assert_string_equal(buf, "23:59:59.999999");

	/* create(), update() and filters go through the same check */
	assert_int_equal(corm_create(env->db, &Event_model, NULL,
	                             CORM_KWARGS(CORM_KW("day", ((corm_date){INT32_MAX})))),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'day' of blog.Event expected a date between 0001-01-01 and "
	                    "9999-12-31 but got days=2147483647.");
	corm_qs *qs = corm_objects(env->db, &Event_model);
	assert_int_equal(corm_update(qs, CORM_KWARGS(CORM_KW("t", ((corm_time){-1}))), NULL),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 't' of blog.Event expected a time between 00:00:00 and "
	                    "23:59:59.999999 but got us=-1.");
	corm_qs_free(qs);
	qs = corm_objects(env->db, &Event_model);
	assert_int_equal(corm_filter(qs, CORM_Q("at__lt", ((corm_datetime){INT64_MAX}))),
	                 CORM_ETYPE);
	corm_qs_free(qs);
	/* every row still reads */
	qs = corm_objects(env->db, &Event_model);
	int64_t n;
	ASSERT_OK(env, corm_count(qs, &n));
	assert_int_equal(n, 1);
	corm_qs_free(qs);
	corm_free(e);
}

static void test_durations_at_the_limits(void **state)
{
	test_env *env = *state;
	/* every backend keeps any int64 of microseconds (PostgreSQL's interval reaches
	 * 178 million years) */
	const int64_t spans[] = {INT64_MAX, INT64_MIN, INT64_MIN + 1, 0, -1};
	for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
		Event *e;
		ASSERT_OK(env,
		          corm_create(env->db, &Event_model, &e,
		                      CORM_KWARGS(CORM_KW("span", ((corm_duration){spans[i]})))));
		ASSERT_OK(env, corm_refresh(env->db, e));
		assert_int_equal(e->span.us, spans[i]);
		corm_free(e);
	}
}

static void test_integers_out_of_range(void **state)
{
	test_env *env = *state;
	Event *e;
	ASSERT_OK(env, corm_create(env->db, &Event_model, &e, CORM_NO_KWARGS));
	corm_qs *qs = corm_objects(env->db, &Event_model);
	assert_int_equal(corm_update(qs, CORM_KWARGS(CORM_KW("i32", INT64_C(5000000000))), NULL),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'i32' of blog.Event expected an integer between -2147483648 "
	                    "and 2147483647 (IntegerField) but got 5000000000.");
	assert_int_equal(corm_update(qs, CORM_KWARGS(CORM_KW("i16", 40000)), NULL), CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'i16' of blog.Event expected an integer between -32768 and "
	                    "32767 (SmallIntegerField) but got 40000.");
	assert_int_equal(corm_create(env->db, &Event_model, NULL,
	                             CORM_KWARGS(CORM_KW("i32", INT64_C(-2147483649)))),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'i32' of blog.Event expected an integer between -2147483648 "
	                    "and 2147483647 (IntegerField) but got -2147483649.");
	/* F() + 1 at the limit: the server refuses it, SQLite stores it and reading it back is
	 * an error, never a wrapped value */
	ASSERT_OK(env, corm_update(qs, CORM_KWARGS(CORM_KW("i32", INT32_MAX)), NULL));
	int rc = corm_update(qs, CORM_KWARGS(CORM_KW("i32", CORM_F_ADD(corm_f("i32"), 1))), NULL);
	if (is("sqlite")) {
		ASSERT_OK(env, rc);
		assert_int_equal(corm_refresh(env->db, e), CORM_ETYPE);
		assert_string_equal(
		        corm_errmsg(env->db),
		        "Field 'i32' of blog.Event expected an integer between "
		        "-2147483648 and 2147483647 (IntegerField) but got 2147483648.");
	} else {
		assert_int_not_equal(rc, CORM_OK);
		ASSERT_OK(env, corm_refresh(env->db, e));
		assert_int_equal(e->i32, INT32_MAX);
	}
	corm_qs_free(qs);
	corm_free(e);
}

static void test_decimals_and_floats_kept_exactly(void **state)
{
	test_env *env = *state;
	/* (30, 10): 20 whole digits at most, on every backend */
	assert_int_equal(corm_create(env->db, &Event_model, NULL,
	                             CORM_KWARGS(CORM_KW("amount", "123456789012345678911"))),
	                 CORM_ETYPE);
	assert_string_equal(corm_errmsg(env->db),
	                    "Field 'amount' of blog.Event expected a decimal with at most 20 "
	                    "digits before the decimal point (max_digits=30, decimal_places=10) "
	                    "but got 123456789012345678911.");
	corm_qs *qs = corm_objects(env->db, &Event_model);
	Event *e;
	ASSERT_OK(env, corm_create(env->db, &Event_model, &e, CORM_NO_KWARGS));
	assert_int_equal(
	        corm_update(qs, CORM_KWARGS(CORM_KW("amount", "123456789012345678911")), NULL),
	        CORM_ETYPE);
	/* 20 digits fit the column; SQLite's NUMERIC would keep 15 of them */
	int rc = corm_create(env->db, &Event_model, NULL,
	                     CORM_KWARGS(CORM_KW("amount", "12345678901234567891")));
	if (is("sqlite")) {
		assert_int_equal(rc, CORM_ETYPE);
		assert_string_equal(
		        corm_errmsg(env->db),
		        "Field 'amount' of blog.Event cannot store 12345678901234567891 "
		        "exactly: SQLite keeps 15 significant digits of a decimal, and it "
		        "has 20.");
	} else {
		ASSERT_OK(env, rc);
	}
	/* NaN and infinities: PostgreSQL keeps them, SQLite turns NaN into NULL, MariaDB has
	 * neither */
	const double odd[] = {NAN, INFINITY, -INFINITY};
	for (size_t i = 0; i < 3; i++) {
		e->ratio = odd[i];
		corm_set_null(e, &e->ratio, false);
		rc = corm_save(env->db, e);
		bool refused = is("mysql") || (is("sqlite") && i == 0);
		if (refused) {
			assert_int_equal(rc, CORM_ETYPE);
			char want[200];
			snprintf(want, sizeof want,
			         "Field 'ratio' of blog.Event cannot store %s on %s.",
			         i == 0   ? "NaN"
			         : i == 1 ? "Infinity"
			                  : "-Infinity",
			         is("sqlite") ? "SQLite" : "MariaDB/MySQL");
			assert_string_equal(corm_errmsg(env->db), want);
			continue;
		}
		ASSERT_OK(env, rc);
		ASSERT_OK(env, corm_refresh(env->db, e));
		assert_false(corm_is_null(e, &e->ratio));
		if (i == 0)
			assert_true(isnan(e->ratio));
		else
			assert_true(e->ratio == odd[i]);
	}
	corm_qs_free(qs);
	corm_free(e);
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
	        cmocka_unit_test_setup_teardown(test_dates_out_of_range, event_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_durations_at_the_limits, event_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_integers_out_of_range, event_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_decimals_and_floats_kept_exactly, event_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

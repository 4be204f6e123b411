/*
 * The fast paths of issue 8 item 11, on every backend: a SELECT whose query
 * has a shape seen before reuses its text (the shape cache of
 * src/sql/compiler.c) and binds the new query's own values; SQLite binds
 * date/time text in place (a slot per parameter of the statement); corm_next
 * and corm_next_value hand out cached instances, iterator rows and flat values
 * without next_any's checks. Each answer is
 * compared with what the slow path gives.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

#define NPOSTS 12
#define HOUR   3600000000LL

/* NPOSTS posts "post 1".."post N": view_count 10 * i, every third inactive, created i hours
 * after the epoch. */
static void seed(test_env *env, int64_t *pks)
{
	User *u = test_user(env, "alice");
	for (int i = 1; i <= NPOSTS; i++) {
		char title[32], slug[32];
		snprintf(title, sizeof title, "post %d", i);
		snprintf(slug, sizeof slug, "post-%d", i);
		Post *p = test_post(env, u, title, slug, 10 * i, i % 3 != 0);
		p->created_at.us = i * HOUR;
		ASSERT_OK(env, corm_save(env->db, p));
		pks[i] = corm_pk(p);
		corm_free(p);
	}
	corm_free(u);
}

/* get(pk=...) for every post, twice: the text of each run is the first run's, the rows are
 * each pk's own. */
static void test_shape_get(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	char first[1024] = "";
	for (int round = 0; round < 2; round++)
		for (int i = 1; i <= NPOSTS; i++) {
			test_clear_queries(env);
			corm_qs *qs = corm_objects(env->db, &Post_model);
			Post *p = NULL;
			ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pks[i])));
			char title[32];
			snprintf(title, sizeof title, "post %d", i);
			assert_string_equal(p->title, title);
			assert_int_equal(p->view_count, 10 * i);
			assert_int_equal(p->created_at.us, i * HOUR);
			assert_int_equal(env->nqueries, 1);
			if (!first[0])
				snprintf(first, sizeof first, "%s", env->queries[0]);
			else
				assert_string_equal(env->queries[0], first);
			corm_free(p);
			corm_qs_free(qs);
		}
	/* a pk that matches nothing: the message names the value of this query, not the last */
	corm_qs *qs = corm_objects(env->db, &Post_model);
	Post *p = NULL;
	assert_int_equal(corm_get(qs, &p, CORM_Q("pk", 999999)), CORM_ENOTFOUND);
	assert_string_equal(corm_errmsg(env->db),
	                    "Post matching query does not exist (id=999999).");
	assert_null(p);
	corm_qs_free(qs);
}

/* count/exists over datetime windows and booleans: every answer as the rows say. */
static void test_shape_filters(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	for (int round = 0; round < 2; round++)
		for (int lo = 0; lo <= NPOSTS; lo += 3) {
			int64_t want = 0;
			for (int i = lo + 1; i <= lo + 4 && i <= NPOSTS; i++)
				want += i % 3 != 0;
			corm_qs *qs = corm_objects(env->db, &Post_model);
			ASSERT_OK(env, corm_filter(qs, CORM_Q("is_active", true),
			                           CORM_Q("created_at__gte",
			                                  (corm_datetime){(lo + 1) * HOUR}),
			                           CORM_Q("created_at__lt",
			                                  (corm_datetime){(lo + 5) * HOUR})));
			int64_t n = -1;
			bool exists = !want;
			ASSERT_OK(env, corm_count(qs, &n));
			ASSERT_OK(env, corm_exists(qs, &exists));
			assert_int_equal(n, want);
			assert_int_equal(exists, want > 0);
			corm_qs_free(qs);
		}
	/* is_active=True and is_active=False are two texts on a backend that writes the column
	 * alone: the second must not get the first's */
	for (int round = 0; round < 2; round++)
		for (int active = 1; active >= 0; active--) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			ASSERT_OK(env, corm_filter(qs, CORM_Q("is_active", (bool)active)));
			int64_t n = -1;
			ASSERT_OK(env, corm_count(qs, &n));
			assert_int_equal(n, active ? NPOSTS - NPOSTS / 3 : NPOSTS / 3);
			corm_qs_free(qs);
		}
	/* range: a pair of values; isnull True and False */
	for (int i = 1; i <= 3; i++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		corm_value bounds[2] = {corm_v_int(10 * i), corm_v_int(10 * i + 20)};
		ASSERT_OK(env,
		          corm_filter(qs, CORM_Q("view_count__range", corm_v_list(bounds, 2))));
		int64_t n = -1;
		ASSERT_OK(env, corm_count(qs, &n));
		assert_int_equal(n, 3);
		corm_qs_free(qs);
	}
	for (int round = 0; round < 2; round++)
		for (int isnull = 1; isnull >= 0; isnull--) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			ASSERT_OK(env, corm_filter(qs, CORM_Q("category__isnull", (bool)isnull)));
			int64_t n = -1;
			ASSERT_OK(env, corm_count(qs, &n));
			assert_int_equal(n, isnull ? NPOSTS : 0);
			corm_qs_free(qs);
		}
}

/* corm_qs_sql after the shape is known: the parameters are this query's, owned by it. */
static void test_shape_qs_sql(void **state)
{
	test_env *env = *state;
	for (int v = 5; v <= 7; v++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		ASSERT_OK(env, corm_filter(qs, CORM_Q("view_count__gt", v), CORM_Q("slug", "x")));
		const char *sql;
		const corm_value *params;
		size_t n;
		ASSERT_OK(env, corm_qs_sql(qs, &sql, &params, &n));
		assert_int_equal(n, 2);
		assert_int_equal(params[0].type, CORM_TYPE_INT);
		assert_int_equal(params[0].u.i, v);
		assert_int_equal(params[1].type, CORM_TYPE_TEXT);
		assert_string_equal(params[1].u.text, "x");
		int64_t count = -1;
		ASSERT_OK(env, corm_count(qs, &count));
		assert_int_equal(count, 0);
		corm_qs_free(qs);
	}
}

/* Datetimes bound again and again through one cached INSERT and one cached SELECT: each row
 * keeps its own, read back exactly. */
static void test_datetime_binds(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	for (int i = 1; i <= NPOSTS; i++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		Post *p = NULL;
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("created_at", (corm_datetime){i * HOUR})));
		assert_int_equal(corm_pk(p), pks[i]);
		corm_free(p);
		corm_qs_free(qs);
	}
}

/* corm_next on a cached result: every row in order, then CORM_DONE, then from the start again;
 * after corm_close the connection's message. */
static void test_next_cached(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, "view_count"));
	for (int round = 0; round < 2; round++) {
		Post *p;
		int rc, i = 0;
		while ((rc = corm_next(qs, &p)) == CORM_ROW) {
			i++;
			assert_int_equal(p->view_count, 10 * i);
		}
		assert_int_equal(rc, CORM_DONE);
		assert_null(p);
		assert_int_equal(i, NPOSTS);
	}
	corm_qs_free(qs);
	/* a QuerySet whose connection was closed: refused, whatever it has cached */
	corm_db *db;
	ASSERT_OK(env, corm_open(&db, test_url()));
	if (!strcmp(test_backend(), "sqlite")) /* a database of its own: the tables, one post */
		assert_int_equal(corm_create_tables(db, env->reg), CORM_OK);
	qs = corm_objects(db, &Post_model);
	size_t len = 0;
	assert_int_equal(corm_len(qs, &len), CORM_OK);
	corm_close(db);
	Post *p = (Post *)&len;
	assert_int_equal(corm_next(qs, &p), CORM_EINVAL);
	assert_null(p);
	assert_string_equal(corm_errmsg(db),
	                    "the QuerySet's connection was closed (corm_close): free the QuerySet "
	                    "before closing its connection");
	corm_qs_free(qs); /* the handle goes with it */
}

/* corm_next on an iterator: every row in order (one instance, reused), CORM_DONE, and a second
 * pass runs the query again. */
static void test_next_iterator(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, "view_count"));
	ASSERT_OK(env, corm_iterator(qs, 5));
	for (int round = 0; round < 2; round++) {
		Post *p;
		int rc, i = 0;
		while ((rc = corm_next(qs, &p)) == CORM_ROW) {
			i++;
			char title[32];
			snprintf(title, sizeof title, "post %d", i);
			assert_string_equal(p->title, title);
			assert_int_equal(p->view_count, 10 * i);
		}
		assert_int_equal(rc, CORM_DONE);
		assert_null(p);
		assert_int_equal(i, NPOSTS);
	}
	corm_qs_free(qs);
}

/* corm_next_value on a cached flat values_list: every value in order, CORM_DONE with NULL, and
 * the same values again. */
static void test_next_value_cached(void **state)
{
	test_env *env = *state;
	int64_t pks[NPOSTS + 1];
	seed(env, pks);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	ASSERT_OK(env, corm_order_by(qs, "-view_count"));
	ASSERT_OK(env, corm_values_list(qs, true, "view_count"));
	for (int round = 0; round < 2; round++) {
		const corm_value *v;
		int rc, i = 0;
		while ((rc = corm_next_value(qs, &v)) == CORM_ROW) {
			assert_int_equal(v->type, CORM_TYPE_INT);
			assert_int_equal(v->u.i, 10 * (NPOSTS - i));
			i++;
		}
		assert_int_equal(rc, CORM_DONE);
		assert_null(v);
		assert_int_equal(i, NPOSTS);
	}
	corm_qs_free(qs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_shape_get, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_shape_filters, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_shape_qs_sql, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_datetime_binds, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_next_cached, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_next_iterator, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_next_value_cached, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

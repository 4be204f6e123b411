/* Statement timeouts enforced by the server: CORM_ETIMEOUT, and the connection goes on. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support.h"

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void test_statement_timeout(void **state)
{
	test_env *env = *state;
	const char *be = test_backend();
	assert_int_equal(corm_set_statement_timeout(env->db, -1), CORM_EINVAL);
	assert_string_equal(corm_errmsg(env->db),
	                    "corm_set_statement_timeout: -1 ms: the limit cannot be negative");
	if (!strcmp(be, "sqlite")) {
		assert_int_equal(corm_set_statement_timeout(env->db, 200), CORM_ENOTSUP);
		assert_string_equal(
		        corm_errmsg(env->db),
		        "corm_set_statement_timeout: the sqlite backend has no statement "
		        "timeout (no server runs the statements)");
		return;
	}
	ASSERT_OK(env, corm_set_statement_timeout(env->db, 200));
	const char *sleep = !strcmp(be, "postgres") ? "SELECT pg_sleep(3)" : "SELECT SLEEP(3)";
	double t0 = seconds();
	assert_int_equal(corm_execute(env->db, sleep, NULL, 0, NULL), CORM_ETIMEOUT);
	double took = seconds() - t0;
	assert_true(took < 2.0); /* cut off at 0.2 s, not after the 3 s sleep */
	/* the connection is usable afterwards, and the limit can be lifted */
	ASSERT_OK(env, corm_execute(env->db, "SELECT 1", NULL, 0, NULL));
	ASSERT_OK(env, corm_set_statement_timeout(env->db, 0));
	/* inside an atomic block: refused (a rollback would undo it) */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	assert_int_equal(corm_set_statement_timeout(env->db, 100), CORM_ETXN);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
}

/* statement_timeout=MS in the URL: corm's option (never handed to the driver), set at open */
static void test_statement_timeout_url(void **state)
{
	test_env *env = *state;
	const char *be = test_backend();
	if (!strcmp(be, "sqlite"))
		skip(); /* SQLite URLs take no options */
	corm_db *db = NULL;
	char url[1024];
	const char *sep = strchr(test_url(), '?') ? "&" : "?";
	snprintf(url, sizeof url, "%s%sstatement_timeout=abc", test_url(), sep);
	assert_int_equal(corm_open(&db, url), CORM_EURL);
	assert_string_equal(corm_errmsg(db), "statement_timeout=abc: expected milliseconds (an "
	                                     "integer from 0 to 2147483647)");
	corm_close(db);
	snprintf(url, sizeof url, "%s%sstatement_timeout=200", test_url(), sep);
	if (corm_open(&db, url) != CORM_OK)
		fail_msg("corm_open(%s): %s", url, corm_errmsg(db));
	const char *sleep = !strcmp(be, "postgres") ? "SELECT pg_sleep(3)" : "SELECT SLEEP(3)";
	assert_int_equal(corm_execute(db, sleep, NULL, 0, NULL), CORM_ETIMEOUT);
	assert_int_equal(corm_execute(db, "SELECT 1", NULL, 0, NULL), CORM_OK);
	corm_close(db);
	(void)env;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_statement_timeout, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_statement_timeout_url, test_setup,
	                                        test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Statement timeouts enforced by the server: CORM_ETIMEOUT, and the connection goes on. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_statement_timeout, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

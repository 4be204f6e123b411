/* The connection pool: sizes, bounded waiting, cleanup on release, bad URLs. */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "support.h"

static void test_acquire_release_and_timeout(void **state)
{
	corm_pool *pool;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 1,
	                         .max_size = 2,
	                         .acquire_timeout_ms = 200};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	assert_int_equal(corm_pool_size(pool), 1);
	assert_int_equal(corm_pool_idle(pool), 1);
	corm_db *a, *b, *c;
	assert_int_equal(corm_pool_acquire(pool, &a), CORM_OK);
	assert_int_equal(corm_pool_acquire(pool, &b), CORM_OK);
	assert_ptr_not_equal(a, b);
	assert_int_equal(corm_pool_size(pool), 2);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(corm_pool_acquire(pool, &c), CORM_ETIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(waited >= 0.19 && waited < 2.0);
	assert_null(c);
	assert_string_equal(corm_pool_errmsg(pool),
	                    "no connection became free within 200 ms (all 2 in use)");

	/* a block left open is rolled back before the connection is reused */
	assert_int_equal(corm_atomic_begin(a), CORM_OK);
	corm_pool_release(pool, a);
	assert_int_equal(corm_pool_acquire(pool, &c), CORM_OK);
	assert_ptr_equal(c, a);
	assert_int_equal(corm_atomic_depth(c), 0);
	corm_pool_release(pool, c);
	corm_pool_release(pool, b);
	assert_int_equal(corm_pool_idle(pool), 2);
	corm_pool_free(pool);
}

static void test_bad_pools(void **state)
{
	corm_pool *pool = NULL;
	corm_pool_options bad = {
	        .version = CORM_POOL_OPTIONS_VERSION, .min_size = 3, .max_size = 2};
	assert_int_equal(corm_pool_new(&pool, test_url(), &bad), CORM_EINVAL);
	assert_null(pool);
	assert_int_equal(corm_pool_new(&pool, "nonsense", NULL),
	                 CORM_OK); /* lazily opened: min_size 0 */
	corm_db *db;
	assert_int_equal(corm_pool_acquire(pool, &db), CORM_EURL);
	assert_string_equal(corm_pool_errmsg(pool),
	                    "malformed database URL: expected scheme://...");
	assert_int_equal(corm_pool_size(pool), 0);
	corm_pool_free(pool);
	corm_pool_options eager = CORM_POOL_OPTIONS_INIT;
	eager.min_size = 1;
	assert_int_equal(corm_pool_new(&pool, "sqlite:////nonexistent-dir/x.db", &eager),
	                 CORM_ECONNECTION);
	assert_null(pool);
	/* no pool came back: the message is the thread's last error */
	assert_int_equal(corm_error_last()->code, CORM_ECONNECTION);
	assert_string_equal(corm_error_last()->message, "unable to open database file");
	assert_int_equal(corm_pool_acquire(NULL, &db), CORM_EINVAL);
	corm_pool_release(NULL, NULL);
	corm_pool_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_acquire_release_and_timeout),
	        cmocka_unit_test(test_bad_pools),
	};
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}

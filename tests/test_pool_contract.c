/*
 * The pool's contract: option checks, negative timeouts that wait for ever
 * without spinning, timeouts, refused double or foreign releases, and errors
 * reported per thread (corm_error_last), not in a buffer the threads share.
 */
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static double seconds(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void assert_last(int code, const char *message)
{
	const corm_error *e = corm_error_last();
	assert_string_equal(corm_err_name(e->code), corm_err_name(code));
	assert_string_equal(e->message, message);
}

static void test_options_checked(void **state)
{
	(void)state;
	corm_pool *pool = (corm_pool *)&pool;
	corm_pool_options opt = CORM_POOL_OPTIONS_INIT;
	opt.max_size = 0;
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_EINVAL);
	assert_null(pool);
	assert_last(CORM_EINVAL, "corm_pool_new: max_size must be at least 1 (start from "
	                         "CORM_POOL_OPTIONS_INIT)");
	assert_string_equal(corm_pool_errmsg(NULL), corm_error_last()->message);
	opt = (corm_pool_options){
	        .version = CORM_POOL_OPTIONS_VERSION, .min_size = 3, .max_size = 2};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_new: min_size (3) is larger than max_size (2)");
	assert_int_equal(corm_pool_new(&pool, NULL, NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_new: the url is NULL");
	assert_int_equal(corm_pool_new(NULL, test_url(), NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_new: the out pointer is NULL");

	/* the defaults: NULL options and CORM_POOL_OPTIONS_INIT alike */
	opt = (corm_pool_options)CORM_POOL_OPTIONS_INIT;
	assert_int_equal(opt.min_size, 0);
	assert_int_equal(opt.max_size, 8);
	assert_int_equal(opt.acquire_timeout_ms, 5000);
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	assert_int_equal(corm_pool_size(pool), 0);
	corm_pool_free(pool);
	assert_int_equal(corm_pool_new(&pool, test_url(), NULL), CORM_OK);
	corm_db *db;
	assert_int_equal(corm_pool_acquire(pool, &db), CORM_OK);
	assert_int_equal(corm_pool_release(pool, db), CORM_OK);
	corm_pool_free(pool);
}

typedef struct late_release {
	corm_pool *pool;
	corm_db *db;
	int rc;
} late_release;

static void *release_after_200ms(void *arg)
{
	late_release *r = arg;
	usleep(200 * 1000);
	r->rc = corm_pool_release(r->pool, r->db);
	return NULL;
}

/* A negative timeout waits for ever, sleeping: -500 spun at 100 % CPU before (EINVAL loop). */
static void test_negative_timeout_waits_without_spinning(void **state)
{
	(void)state;
	const int timeouts[] = {-1, -500, -999, -1000, -1500};
	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
		corm_pool *pool;
		corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
		                         .min_size = 1,
		                         .max_size = 1,
		                         .acquire_timeout_ms = timeouts[i]};
		assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
		late_release r = {pool, NULL, -1};
		assert_int_equal(corm_pool_acquire(pool, &r.db), CORM_OK);
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, release_after_200ms, &r), 0);
		double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		corm_db *db = NULL;
		int rc = corm_pool_acquire(pool, &db);
		double wall = seconds(CLOCK_MONOTONIC) - wall0;
		double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
		pthread_join(t, NULL);
		if (rc != CORM_OK)
			fail_msg("timeout %d: %s: %s", timeouts[i], corm_err_name(rc),
			         corm_error_last()->message);
		assert_int_equal(r.rc, CORM_OK);
		assert_ptr_equal(db, r.db); /* the one released */
		if (wall < 0.18 || cpu > 0.1)
			fail_msg("timeout %d: waited %.3f s using %.3f s of CPU", timeouts[i], wall,
			         cpu);
		assert_int_equal(corm_pool_release(pool, db), CORM_OK);
		corm_pool_free(pool);
	}
}

static void test_small_and_zero_timeouts(void **state)
{
	(void)state;
	const int timeouts[] = {1, 50, 999, 0};
	for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
		corm_pool *pool;
		corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
		                         .min_size = 1,
		                         .max_size = 1,
		                         .acquire_timeout_ms = timeouts[i]};
		assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
		corm_db *a, *b = (corm_db *)&b;
		assert_int_equal(corm_pool_acquire(pool, &a), CORM_OK);
		double t0 = seconds(CLOCK_MONOTONIC);
		assert_int_equal(corm_pool_acquire(pool, &b), CORM_ETIMEOUT);
		double waited = seconds(CLOCK_MONOTONIC) - t0;
		assert_null(b);
		char msg[128];
		snprintf(msg, sizeof msg, "no connection became free within %d ms (all 1 in use)",
		         timeouts[i]);
		assert_last(CORM_ETIMEOUT, msg);
		if (waited < timeouts[i] / 1000.0 - 0.002 || waited > timeouts[i] / 1000.0 + 2.0)
			fail_msg("timeout %d ms: waited %.3f s", timeouts[i], waited);
		assert_int_equal(corm_pool_release(pool, a), CORM_OK);
		corm_pool_free(pool);
	}
}

/* A connection given back twice must not be handed to two threads. */
static void test_double_release_refused(void **state)
{
	(void)state;
	corm_pool *pool;
	corm_pool_options opt = {
	        .version = CORM_POOL_OPTIONS_VERSION, .max_size = 2, .acquire_timeout_ms = 100};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	corm_db *a;
	assert_int_equal(corm_pool_acquire(pool, &a), CORM_OK);
	assert_int_equal(corm_pool_release(pool, a), CORM_OK);
	assert_int_equal(corm_pool_release(pool, a), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_release: the connection was released to the pool "
	                         "twice (it is not lent out)");
	assert_int_equal(corm_pool_idle(pool), 1); /* once in the idle list, not twice */
	assert_int_equal(corm_pool_size(pool), 1);
	corm_db *x, *y;
	assert_int_equal(corm_pool_acquire(pool, &x), CORM_OK);
	assert_int_equal(corm_pool_acquire(pool, &y), CORM_OK);
	assert_ptr_not_equal(x, y);
	assert_int_equal(corm_pool_size(pool), 2);

	/* a connection the pool did not open: from corm_open, or from another pool */
	corm_db *own;
	assert_int_equal(corm_open(&own, test_url()), CORM_OK);
	assert_int_equal(corm_pool_release(pool, own), CORM_EINVAL);
	const char *foreign = "corm_pool_release: the connection does not belong to this pool "
	                      "(opened with corm_open, or acquired from another pool)";
	assert_last(CORM_EINVAL, foreign);
	corm_close(own);
	corm_pool *other;
	assert_int_equal(corm_pool_new(&other, test_url(), NULL), CORM_OK);
	assert_int_equal(corm_pool_release(other, x), CORM_EINVAL);
	assert_last(CORM_EINVAL, foreign);
	assert_int_equal(corm_pool_idle(other), 0);
	corm_pool_free(other);

	assert_int_equal(corm_pool_release(pool, NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_release: the connection is NULL");
	assert_int_equal(corm_pool_release(NULL, x), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_release: the pool is NULL");
	assert_int_equal(corm_pool_acquire(NULL, &x), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_pool_acquire: the pool is NULL");

	assert_int_equal(corm_pool_release(pool, x), CORM_OK);
	assert_int_equal(corm_pool_release(pool, y), CORM_OK);
	assert_int_equal(corm_pool_release(pool, y), CORM_EINVAL);
	assert_int_equal(corm_pool_idle(pool), 2);
	corm_pool_free(pool);
}

/* Two threads fail on the same pool at the same time; each reads its own message. */
typedef struct racer {
	corm_pool *pool;
	pthread_barrier_t *barrier;
	bool timeout_side;
	int mismatches;
} racer;

#define ROUNDS 50

static void *race(void *arg)
{
	racer *r = arg;
	for (int i = 0; i < ROUNDS; i++) {
		corm_db *db;
		int rc = r->timeout_side ? corm_pool_acquire(r->pool, &db)
		                         : corm_pool_acquire(r->pool, NULL);
		pthread_barrier_wait(r->barrier); /* both failed before either reads */
		const corm_error *e = corm_error_last();
		const char *want = r->timeout_side
		                           ? "no connection became free within 5 ms (all 1 in use)"
		                           : "corm_pool_acquire: the out pointer is NULL";
		int want_rc = r->timeout_side ? CORM_ETIMEOUT : CORM_EINVAL;
		if (rc != want_rc || e->code != want_rc || strcmp(e->message, want) ||
		    strcmp(corm_pool_errmsg(r->pool), want))
			r->mismatches++;
		pthread_barrier_wait(r->barrier);
	}
	return NULL;
}

static void test_errors_are_per_thread(void **state)
{
	(void)state;
	corm_pool *pool;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 1,
	                         .max_size = 1,
	                         .acquire_timeout_ms = 5};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	corm_db *held;
	assert_int_equal(corm_pool_acquire(pool, &held), CORM_OK);
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, 2);
	racer a = {pool, &barrier, true, 0}, b = {pool, &barrier, false, 0};
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&barrier);
	assert_int_equal(a.mismatches, 0);
	assert_int_equal(b.mismatches, 0);
	/* and this thread's own last error is neither of theirs */
	corm_error_clear();
	assert_int_equal(corm_pool_release(pool, held), CORM_OK);
	assert_last(CORM_OK, "no error");
	corm_pool_free(pool);
}

/* ---- out of memory at every allocation of a pool's life: CORM_ENOMEM, nothing leaked ---- */

static long budget = -1; /* allocations left; -1 = unlimited */
static void *oom_malloc(size_t size, void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return malloc(size);
}
static void *oom_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return realloc(ptr, size);
}
static void oom_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}
static const corm_allocator oom = {oom_malloc, oom_realloc, oom_free, NULL};

/* new (one eager connection), acquire two, release both, free; the first error or CORM_OK. */
static int pool_workflow(void)
{
	corm_pool *pool;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 1,
	                         .max_size = 2,
	                         .acquire_timeout_ms = 10};
	int rc = corm_pool_new(&pool, "sqlite://:memory:", &opt);
	if (rc) {
		assert_null(pool);
		return rc;
	}
	corm_db *a = NULL, *b = NULL;
	rc = corm_pool_acquire(pool, &a);
	if (!rc)
		rc = corm_pool_acquire(pool, &b);
	if (a)
		assert_int_equal(corm_pool_release(pool, a), CORM_OK);
	if (b)
		assert_int_equal(corm_pool_release(pool, b), CORM_OK);
	corm_pool_free(pool);
	return rc;
}

static void test_pool_out_of_memory(void **state)
{
	(void)state;
	corm_set_allocator(&oom);
	long n;
	for (n = 0;; n++) {
		budget = n;
		int rc = pool_workflow();
		bool exhausted = budget > 0;
		budget = -1;
		if (rc == CORM_OK && exhausted)
			break; /* every allocation point was failed once */
		if (rc != CORM_OK && rc != CORM_ENOMEM && rc != CORM_EBACKEND &&
		    rc != CORM_ECONNECTION) {
			corm_set_allocator(NULL);
			fail_msg("allocation %ld: %s: %s", n, corm_err_name(rc),
			         corm_error_last()->message);
		}
		if (rc != CORM_OK)
			assert_string_equal(corm_err_name(corm_error_last()->code),
			                    corm_err_name(rc));
	}
	corm_set_allocator(NULL);
	assert_true(n > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_options_checked),
	        cmocka_unit_test(test_negative_timeout_waits_without_spinning),
	        cmocka_unit_test(test_small_and_zero_timeouts),
	        cmocka_unit_test(test_double_release_refused),
	        cmocka_unit_test(test_errors_are_per_thread),
	        cmocka_unit_test(test_pool_out_of_memory),
	};
	return cmocka_run_group_tests_name("pool_contract", tests, NULL, NULL);
}

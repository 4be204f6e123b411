/*
 * A server restarted under a running program (tests/servers/servers.sh
 * restart): a query or transaction in flight fails with CORM_ECONNECTION and
 * is never retried; the pool replaces the dead connection between
 * transactions and carries on.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static void restart_server(void)
{
	const char *sh = getenv("CORM_TEST_SERVERS_SH");
	if (!sh)
		fail_msg("CORM_TEST_SERVERS_SH is not set: run through `make test`");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "\"%s\" restart %s >/dev/null", sh, test_backend());
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
}

static int count_users(corm_db *db, int64_t *n)
{
	corm_qs *qs = corm_objects(db, &User_model);
	int rc = qs ? corm_count(qs, n) : corm_errcode(db);
	corm_qs_free(qs);
	return rc;
}

static void test_restart_between_transactions(void **state)
{
	test_env *env = *state;
	corm_pool *pool;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 1,
	                         .max_size = 1,
	                         .acquire_timeout_ms = 5000};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	corm_db *db;
	int64_t n;
	assert_int_equal(corm_pool_acquire(pool, &db), CORM_OK);
	assert_int_equal(count_users(db, &n), CORM_OK);
	corm_pool_release(pool, db);

	restart_server();

	/* the idle connection is dead; the pool notices and opens a new one */
	assert_int_equal(corm_pool_acquire(pool, &db), CORM_OK);
	if (count_users(db, &n) != CORM_OK)
		fail_msg("after restart: %s", corm_errmsg(db));
	assert_int_equal(n, 0);
	corm_pool_release(pool, db);
	corm_pool_free(pool);
	(void)env;
}

static void test_restart_inside_transaction(void **state)
{
	test_env *env = *state;
	corm_pool *pool;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 1,
	                         .max_size = 1,
	                         .acquire_timeout_ms = 5000};
	assert_int_equal(corm_pool_new(&pool, test_url(), &opt), CORM_OK);
	corm_db *db;
	assert_int_equal(corm_pool_acquire(pool, &db), CORM_OK);
	assert_int_equal(corm_atomic_begin(db), CORM_OK);
	User *u = NULL;
	assert_int_equal(corm_create(db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "lost"))),
	                 CORM_OK);
	corm_free(u);

	restart_server();

	/* the transaction is gone: a clear error, no silent reconnect and retry */
	u = NULL;
	int rc = corm_create(db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "after")));
	assert_int_equal(rc, CORM_ECONNECTION);
	assert_null(u);
	/* nothing more runs in this block; committing it fails */
	int64_t n;
	assert_int_equal(count_users(db, &n), CORM_ETXN);
	assert_int_not_equal(corm_atomic_commit(db), CORM_OK);
	assert_int_equal(corm_atomic_depth(db), 0);
	corm_pool_release(pool, db); /* a dead connection is closed, not kept */

	assert_int_equal(corm_pool_acquire(pool, &db), CORM_OK);
	if (count_users(db, &n) != CORM_OK)
		fail_msg("after restart: %s", corm_errmsg(db));
	assert_int_equal(n, 0); /* the uncommitted row did not survive */
	corm_pool_release(pool, db);
	corm_pool_free(pool);
	(void)env;
}

typedef struct slow_query {
	corm_db *db;
	int rc;
	char message[512];
} slow_query;

static void *run_slow_query(void *arg)
{
	slow_query *q = arg;
	const char *sql =
	        strcmp(test_backend(), "postgres") == 0 ? "SELECT pg_sleep(5)" : "SELECT SLEEP(5)";
	q->rc = corm_execute(q->db, sql, NULL, 0, NULL);
	snprintf(q->message, sizeof q->message, "%s", corm_errmsg(q->db));
	return NULL;
}

static void test_restart_mid_query(void **state)
{
	test_env *env = *state;
	slow_query q = {.db = NULL};
	assert_int_equal(corm_open(&q.db, test_url()), CORM_OK);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, run_slow_query, &q), 0);
	usleep(500 * 1000);
	restart_server();
	pthread_join(t, NULL);
	assert_int_equal(q.rc, CORM_ECONNECTION);
	assert_true(strlen(q.message) > 0);
	/* the handle stays usable as an object: further calls fail cleanly */
	assert_int_equal(corm_execute(q.db, "SELECT 1", NULL, 0, NULL), CORM_ECONNECTION);
	corm_close(q.db);
	(void)env;
}

/* The test env's own connection died with the restarts: reopen it for the teardown. */
static int reopen_teardown(void **state)
{
	test_env *env = *state;
	corm_close(env->db);
	env->db = NULL;
	if (corm_open(&env->db, test_url()))
		return -1;
	return test_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_restart_between_transactions, test_setup,
	                                        reopen_teardown),
	        cmocka_unit_test_setup_teardown(test_restart_inside_transaction, test_setup,
	                                        reopen_teardown),
	        cmocka_unit_test_setup_teardown(test_restart_mid_query, test_setup,
	                                        reopen_teardown),
	};
	return cmocka_run_group_tests_name("reconnect", tests, NULL, NULL);
}

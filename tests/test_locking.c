/*
 * Row locks on real servers: select_for_update inside atomic blocks, NOWAIT,
 * and two threads on two pooled connections running the guide's
 * transfer_funds and a double-checked-locking counter without losing an update.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

typedef struct Account {
	corm_obj obj;
	char *owner;
	int64_t balance;
} Account;

static const corm_field account_fields[] = {
        CORM_CHAR(Account, owner, .max_length = 50),
        CORM_BIGINT(Account, balance, .default_value = "0"),
};
static corm_model Account_model = CORM_MODEL(Account, "bank", account_fields);

typedef struct lock_env {
	corm_registry *reg;
	corm_pool *pool;
	int64_t a, b; /* account pks */
} lock_env;

#define ROUNDS 1000

static int setup(void **state)
{
	lock_env *env = calloc(1, sizeof *env);
	if (corm_registry_new(&env->reg) || corm_registry_add(env->reg, &Account_model) ||
	    corm_registry_ready(env->reg))
		return -1;
	corm_pool_options opt = {.version = CORM_POOL_OPTIONS_VERSION,
	                         .min_size = 2,
	                         .max_size = 4,
	                         .acquire_timeout_ms = 10000};
	if (corm_pool_new(&env->pool, test_url(), &opt)) {
		fprintf(stderr, "pool: %s\n", corm_pool_errmsg(env->pool));
		return -1;
	}
	corm_db *db;
	if (corm_pool_acquire(env->pool, &db))
		return -1;
	corm_drop_tables(db, env->reg);
	Account *x = NULL, *y = NULL;
	int rc = corm_create_tables(db, env->reg);
	if (!rc)
		rc = corm_create(db, &Account_model, &x,
		                 CORM_KWARGS(CORM_KW("owner", "alice"), CORM_KW("balance", 1000)));
	if (!rc)
		rc = corm_create(db, &Account_model, &y,
		                 CORM_KWARGS(CORM_KW("owner", "bob"), CORM_KW("balance", 1000)));
	if (rc)
		fprintf(stderr, "setup: %s\n", corm_errmsg(db));
	env->a = corm_pk(x);
	env->b = corm_pk(y);
	corm_free(x);
	corm_free(y);
	corm_pool_release(env->pool, db);
	*state = env;
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	lock_env *env = *state;
	corm_db *db;
	if (corm_pool_acquire(env->pool, &db) == CORM_OK) {
		corm_drop_tables(db, env->reg);
		corm_pool_release(env->pool, db);
	}
	corm_pool_free(env->pool);
	corm_registry_free(env->reg);
	free(env);
	return 0;
}

/* The guide's transfer_funds: both rows locked in pk order, so two transfers cannot deadlock. */
static int transfer_funds(corm_db *db, int64_t from, int64_t to, int64_t amount)
{
	int rc = corm_atomic_begin(db);
	if (rc)
		return rc;
	corm_qs *qs = corm_objects(db, &Account_model);
	rc = qs ? CORM_OK : corm_errcode(db);
	if (!rc)
		rc = corm_filter(qs, corm_q_new("pk__in", CORM_IN_INTS(from, to)));
	if (!rc)
		rc = corm_order_by(qs, "pk");
	if (!rc)
		rc = corm_select_for_update(qs, CORM_LOCK_WAIT);
	Account *acc;
	while (!rc && (rc = corm_next(qs, &acc)) == CORM_ROW) {
		acc->balance += corm_pk(acc) == from ? -amount : amount;
		rc = corm_save_fields(db, acc, CORM_FIELDS("balance"));
	}
	if (rc == CORM_DONE)
		rc = CORM_OK;
	corm_qs_free(qs);
	if (rc) {
		corm_atomic_rollback(db);
		return rc;
	}
	return corm_atomic_commit(db);
}

/* Double-checked locking: read, lock, read again, then increment. */
static int bump_counter(corm_db *db, int64_t pk)
{
	corm_qs *qs = corm_objects(db, &Account_model);
	if (!qs)
		return corm_errcode(db);
	Account *unlocked = NULL;
	int rc = corm_get(qs, &unlocked, corm_q_new("pk", corm_v_int(pk)));
	corm_free(unlocked);
	if (!rc)
		rc = corm_atomic_begin(db);
	if (!rc) {
		Account *locked = NULL;
		corm_qs *lq = corm_qs_clone(qs);
		rc = lq ? corm_select_for_update(lq, CORM_LOCK_WAIT) : CORM_ENOMEM;
		if (!rc)
			rc = corm_get(lq, &locked, corm_q_new("pk", corm_v_int(pk)));
		if (!rc) {
			locked->balance +=
			        1; /* the value re-read under the lock, not the unlocked one */
			rc = corm_save_fields(db, locked, CORM_FIELDS("balance"));
		}
		corm_free(locked);
		corm_qs_free(lq);
		rc = rc ? (corm_atomic_rollback(db), rc) : corm_atomic_commit(db);
	}
	corm_qs_free(qs);
	return rc;
}

typedef struct worker {
	lock_env *env;
	int which;
	int failures;
	char error[256];
} worker;

static void *transfer_worker(void *arg)
{
	worker *w = arg;
	corm_db *db;
	if (corm_pool_acquire(w->env->pool, &db)) {
		w->failures = ROUNDS;
		return NULL;
	}
	for (int i = 0; i < ROUNDS / 2; i++) {
		int rc = w->which ? transfer_funds(db, w->env->a, w->env->b, 3)
		                  : transfer_funds(db, w->env->b, w->env->a, 2);
		if (rc && !w->failures++)
			snprintf(w->error, sizeof w->error, "%s: %s", corm_err_name(rc),
			         corm_errmsg(db));
	}
	corm_pool_release(w->env->pool, db);
	return NULL;
}

static void *counter_worker(void *arg)
{
	worker *w = arg;
	corm_db *db;
	if (corm_pool_acquire(w->env->pool, &db)) {
		w->failures = ROUNDS;
		return NULL;
	}
	for (int i = 0; i < ROUNDS / 2; i++) {
		int rc = bump_counter(db, w->env->a);
		if (rc && !w->failures++)
			snprintf(w->error, sizeof w->error, "%s: %s", corm_err_name(rc),
			         corm_errmsg(db));
	}
	corm_pool_release(w->env->pool, db);
	return NULL;
}

static void run_two(lock_env *env, void *(*fn)(void *))
{
	worker w[2] = {{env, 0, 0, ""}, {env, 1, 0, ""}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		if (w[i].failures)
			fail_msg("worker %d: %d failures, first: %s", i, w[i].failures, w[i].error);
}

static int64_t balance(lock_env *env, int64_t pk)
{
	corm_db *db;
	assert_int_equal(corm_pool_acquire(env->pool, &db), CORM_OK);
	corm_qs *qs = corm_objects(db, &Account_model);
	Account *acc = NULL;
	assert_int_equal(corm_get(qs, &acc, corm_q_new("pk", corm_v_int(pk))), CORM_OK);
	int64_t b = acc->balance;
	corm_free(acc);
	corm_qs_free(qs);
	corm_pool_release(env->pool, db);
	return b;
}

static void test_transfer_funds_loses_nothing(void **state)
{
	lock_env *env = *state;
	run_two(env, transfer_worker);
	/* 500 x (a -> b: 3) and 500 x (b -> a: 2) */
	assert_int_equal(balance(env, env->a), 1000 - 500 * 3 + 500 * 2);
	assert_int_equal(balance(env, env->b), 1000 + 500 * 3 - 500 * 2);
}

static void test_double_checked_counter(void **state)
{
	lock_env *env = *state;
	run_two(env, counter_worker);
	assert_int_equal(balance(env, env->a), 1000 + ROUNDS);
}

static void test_nowait_and_misuse(void **state)
{
	lock_env *env = *state;
	corm_db *holder, *other;
	assert_int_equal(corm_pool_acquire(env->pool, &holder), CORM_OK);
	assert_int_equal(corm_pool_acquire(env->pool, &other), CORM_OK);

	/* outside a transaction select_for_update is refused at evaluation */
	corm_qs *qs = corm_objects(other, &Account_model);
	assert_int_equal(corm_select_for_update(qs, CORM_LOCK_NOWAIT), CORM_OK);
	Account *acc = NULL;
	assert_int_equal(corm_get(qs, &acc, corm_q_new("pk", corm_v_int(env->a))), CORM_ETXN);
	assert_string_equal(corm_errmsg(other),
	                    "select_for_update cannot be used outside of a transaction.");

	/* holder locks the row; NOWAIT in the other connection fails at once */
	corm_qs *hq = corm_objects(holder, &Account_model);
	assert_int_equal(corm_select_for_update(hq, CORM_LOCK_WAIT), CORM_OK);
	assert_int_equal(corm_atomic_begin(holder), CORM_OK);
	assert_int_equal(corm_get(hq, &acc, corm_q_new("pk", corm_v_int(env->a))), CORM_OK);
	corm_free(acc);
	acc = NULL;
	assert_int_equal(corm_atomic_begin(other), CORM_OK);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(corm_get(qs, &acc, corm_q_new("pk", corm_v_int(env->a))), CORM_ELOCKED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2); /* at once, not after a lock timeout */
	assert_null(acc);
	assert_int_equal(corm_atomic_rollback(other), CORM_OK);
	assert_int_equal(corm_atomic_rollback(holder), CORM_OK);

	/* both options at once are a programming error */
	corm_qs *bad = corm_objects(other, &Account_model);
	assert_int_equal(corm_select_for_update(bad, CORM_LOCK_NOWAIT | CORM_LOCK_SKIP_LOCKED),
	                 CORM_EINVAL);
	assert_string_equal(corm_errmsg(other),
	                    "The nowait option cannot be used with skip_locked.");
	corm_qs_free(bad);
	corm_qs_free(hq);
	corm_qs_free(qs);
	corm_pool_release(env->pool, other);
	corm_pool_release(env->pool, holder);
}

/* update_or_create in a second thread while the main one holds the row and changes another column
 */
typedef struct uoc_worker {
	lock_env *env;
	int rc;
	char error[256];
} uoc_worker;

static void *uoc_thread(void *arg)
{
	uoc_worker *w = arg;
	corm_db *db;
	if ((w->rc = corm_pool_acquire(w->env->pool, &db)))
		return NULL;
	Account *acc = NULL;
	bool created = true;
	w->rc = corm_update_or_create(db, &Account_model, &acc, &created,
	                              CORM_KWARGS(CORM_KW("pk", w->env->a)),
	                              CORM_KWARGS(CORM_KW("owner", "alice2")));
	if (w->rc)
		snprintf(w->error, sizeof w->error, "%s", corm_errmsg(db));
	else if (created)
		w->rc = -1;
	corm_free(acc);
	corm_pool_release(w->env->pool, db);
	return NULL;
}

/*
 * update_or_create saves every column it read: without select_for_update it
 * would read the balance before the holder's commit and write the old one back.
 */
static void test_update_or_create_locks_the_row(void **state)
{
	lock_env *env = *state;
	corm_db *holder;
	assert_int_equal(corm_pool_acquire(env->pool, &holder), CORM_OK);
	corm_qs *hq = corm_objects(holder, &Account_model);
	assert_int_equal(corm_select_for_update(hq, CORM_LOCK_WAIT), CORM_OK);
	assert_int_equal(corm_atomic_begin(holder), CORM_OK);
	Account *acc = NULL;
	assert_int_equal(corm_get(hq, &acc, corm_q_new("pk", corm_v_int(env->a))), CORM_OK);
	uoc_worker w = {env, 0, ""};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, uoc_thread, &w), 0);
	struct timespec pause = {0, 300 * 1000000L}; /* the other thread is now waiting */
	nanosleep(&pause, NULL);
	acc->balance = 4242;
	assert_int_equal(corm_save_fields(holder, acc, CORM_FIELDS("balance")), CORM_OK);
	assert_int_equal(corm_atomic_commit(holder), CORM_OK);
	pthread_join(t, NULL);
	if (w.rc)
		fail_msg("update_or_create: %d %s", w.rc, w.error);
	assert_int_equal(corm_refresh(holder, acc), CORM_OK);
	assert_int_equal(acc->balance, 4242); /* not lost */
	assert_string_equal(acc->owner, "alice2");
	corm_free(acc);
	corm_qs_free(hq);
	corm_pool_release(env->pool, holder);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_nowait_and_misuse, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_transfer_funds_loses_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_double_checked_counter, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_update_or_create_locks_the_row, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests_name("locking", tests, NULL, NULL);
}

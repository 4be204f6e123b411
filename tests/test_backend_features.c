/*
 * Features per connection (issue 8, item 6): a connection reads what its
 * server can do when it opens (the backend's features() hook, from the
 * server's version), and everything that asks reads the connection's copy.
 * MariaDB's version text decides RETURNING (10.5), SKIP LOCKED and JSON_TABLE
 * (10.6); MySQL has no RETURNING. Transaction control is the backend's too.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "db/db.h"

#ifndef CORM_WITH_MYSQL
#define CORM_WITH_MYSQL 1
#endif
#if CORM_WITH_MYSQL
#include "backend/mysql/features.h"

/* features.c is compiled into this test (its parser is not exported); the hook it also
 * holds asks the driver for the version text, which no connection gives here. */
const char *corm__my_server_info(void *conn);
const char *corm__my_server_info(void *conn)
{
	(void)conn;
	return NULL;
}

static void test_mariadb_10_4_has_no_returning_nor_skip_locked(void **state)
{
	(void)state;
	corm_features f;
	corm__mysql_server_features("10.4.32-MariaDB", &f);
	assert_false(f.can_return_columns_from_insert);
	assert_false(f.has_select_for_update_skip_locked);
	assert_false(f.supports_in_json);
	assert_true(f.has_select_for_update);
	assert_true(f.has_select_for_update_nowait);
	assert_false(f.has_select_for_update_of);
	assert_false(f.can_rollback_ddl);
	assert_int_equal(f.max_name_length, 64);
}

static void test_mariadb_10_5_has_returning_only(void **state)
{
	(void)state;
	corm_features f;
	/* the replication prefix older clients see is not the version */
	corm__mysql_server_features("5.5.5-10.5.0-MariaDB-log", &f);
	assert_true(f.can_return_columns_from_insert);
	assert_false(f.has_select_for_update_skip_locked);
	assert_false(f.supports_in_json);
}

static void test_mariadb_10_6_has_skip_locked_and_json_table(void **state)
{
	(void)state;
	corm_features f;
	corm__mysql_server_features("10.6.1-MariaDB", &f);
	assert_true(f.can_return_columns_from_insert);
	assert_true(f.has_select_for_update_skip_locked);
	assert_true(f.supports_in_json);
	corm__mysql_server_features("10.5.99-MariaDB", &f);
	assert_false(f.has_select_for_update_skip_locked);
	corm__mysql_server_features("11.4.2-MariaDB-ubu2404", &f);
	assert_true(f.has_select_for_update_skip_locked);
}

static void test_mysql_8_has_no_returning(void **state)
{
	(void)state;
	corm_features f;
	corm__mysql_server_features("8.0.36", &f);
	assert_false(f.can_return_columns_from_insert);
	assert_true(f.has_select_for_update_skip_locked);
	assert_true(f.has_select_for_update_of);
	assert_true(f.supports_in_json);
	corm__mysql_server_features("5.7.44-log", &f);
	assert_false(f.can_return_columns_from_insert);
	assert_false(f.has_select_for_update_skip_locked);
	assert_false(f.has_select_for_update_nowait);
	assert_false(f.supports_in_json);
}

static void test_unreadable_version_counts_as_oldest(void **state)
{
	(void)state;
	corm_features f;
	corm__mysql_server_features(NULL, &f);
	assert_false(f.can_return_columns_from_insert);
	assert_false(f.has_select_for_update_skip_locked);
	assert_true(f.has_select_for_update);
	corm__mysql_server_features("MariaDB", &f);
	assert_false(f.can_return_columns_from_insert);
	assert_int_equal(f.max_query_params, 65535);
}
#endif

/* The open connection holds the features of the server it reached (the test servers:
 * MariaDB 10.11, PostgreSQL 15, SQLite 3.40). */
static void test_connection_reports_its_server(void **state)
{
	test_env *env = *state;
	const corm_features *f = &env->db->features;
	assert_ptr_equal(env->db->sqlc.features, f);
	const char *backend = test_backend();
	if (strcmp(backend, "mysql") == 0) {
		assert_string_equal(corm_vendor(env->db), "mysql");
		assert_true(f->can_return_columns_from_insert);
		assert_true(f->has_select_for_update_skip_locked);
		assert_true(f->supports_in_json);
		assert_false(f->has_select_for_update_of);
		assert_false(f->can_rollback_ddl);
	} else if (strcmp(backend, "postgres") == 0) {
		assert_true(f->can_return_columns_from_insert);
		assert_true(f->has_select_for_update_skip_locked);
		assert_true(f->has_select_for_update_of);
		assert_true(f->supports_in_json);
		assert_int_equal(f->max_name_length, 63);
	} else {
		assert_false(f->has_select_for_update);
		assert_true(f->supports_order_by_nulls_modifier);
		assert_true(f->supports_in_json);
		assert_true(f->inline_foreign_keys);
		assert_int_equal(f->max_query_params, 32766);
	}
}

/* What the server lacks is refused by what the connection says, not by the backend's table. */
static void test_lock_refused_from_the_connection_features(void **state)
{
	test_env *env = *state;
	if (!env->db->features.has_select_for_update)
		skip(); /* SQLite: FOR UPDATE is not written at all */
	corm_features saved = env->db->features;
	env->db->features.has_select_for_update_skip_locked = false;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	assert_non_null(qs);
	assert_int_equal(corm_select_for_update(qs, CORM_LOCK_SKIP_LOCKED), CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(env->db),
	                    "SKIP LOCKED is not supported on this database backend.");
	corm_qs_free(qs);
	env->db->features = saved;
}

/* The statements of an atomic block are the backend's (corm_backend.transaction). */
static void test_transaction_statements_are_the_backends(void **state)
{
	test_env *env = *state;
	const corm_transaction_sql *t = &env->db->be->transaction;
	bool mysql = strcmp(test_backend(), "mysql") == 0;
	assert_string_equal(t->begin, mysql ? "START TRANSACTION" : "BEGIN");
	test_clear_queries(env);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_atomic_commit(env->db));
	ASSERT_OK(env, corm_atomic_commit(env->db));
	const char *want[] = {mysql ? "START TRANSACTION" : "BEGIN",
	                      "SAVEPOINT corm_sp_1",
	                      "ROLLBACK TO SAVEPOINT corm_sp_1",
	                      "RELEASE SAVEPOINT corm_sp_1",
	                      "SAVEPOINT corm_sp_1",
	                      "RELEASE SAVEPOINT corm_sp_1",
	                      "COMMIT"};
	assert_int_equal(env->nqueries, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < env->nqueries; i++)
		assert_string_equal(env->queries[i], want[i]);
	test_clear_queries(env);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	assert_int_equal(env->nqueries, 2);
	assert_string_equal(env->queries[1], "ROLLBACK");
}

/* A backend's own templates are used as they are ("%s" the name, "%%" a '%'); one it lacks
 * is refused with a message naming the backend and the statement. */
static void test_transaction_templates_of_another_backend(void **state)
{
	test_env *env = *state;
	const corm_backend *real = env->db->be;
	corm_backend be = *real;
	be.transaction.savepoint = "SAVEPOINT %s -- 100%% %s";
	be.transaction.rollback_to_savepoint = NULL;
	env->db->be = &be;
	ASSERT_OK(env, corm_atomic_begin(env->db));
	test_clear_queries(env);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	assert_int_equal(env->nqueries, 1);
	assert_string_equal(env->queries[0], "SAVEPOINT corm_sp_1 -- 100% corm_sp_1");
	assert_int_equal(corm_atomic_rollback(env->db), CORM_ENOTSUP);
	char msg[128];
	snprintf(msg, sizeof msg, "the %s backend has no SQL to roll back to a savepoint",
	         real->vendor);
	assert_string_equal(corm_errmsg(env->db), msg);
	assert_int_equal(corm_atomic_depth(env->db), 1);
	be.transaction.begin = NULL;
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	assert_int_equal(corm_atomic_begin(env->db), CORM_ENOTSUP);
	snprintf(msg, sizeof msg, "the %s backend has no SQL to begin a transaction", real->vendor);
	assert_string_equal(corm_errmsg(env->db), msg);
	assert_int_equal(corm_atomic_depth(env->db), 0);
	env->db->be = real;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#if CORM_WITH_MYSQL
		cmocka_unit_test(test_mariadb_10_4_has_no_returning_nor_skip_locked),
		cmocka_unit_test(test_mariadb_10_5_has_returning_only),
		cmocka_unit_test(test_mariadb_10_6_has_skip_locked_and_json_table),
		cmocka_unit_test(test_mysql_8_has_no_returning),
		cmocka_unit_test(test_unreadable_version_counts_as_oldest),
#endif
		cmocka_unit_test_setup_teardown(test_connection_reports_its_server, test_setup,
		                                test_teardown),
		cmocka_unit_test_setup_teardown(test_lock_refused_from_the_connection_features,
		                                test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_statements_are_the_backends,
		                                test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_templates_of_another_backend,
		                                test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

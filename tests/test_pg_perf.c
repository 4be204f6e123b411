/*
 * Server-side prepared statements (the statement cache on PostgreSQL) and
 * iterator(chunk_size) streaming, on the server backends. What is checked
 * holds on MariaDB as well (it prepares on the server and buffers iterators);
 * the PostgreSQL-only checks look at the session through pg_prepared_statements,
 * pg_cursors and pg_stat_activity, and the PostgreSQL-only scenarios
 * (DEALLOCATE ALL, a killed session) skip elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define NPOSTS 30

static bool is_pg(void)
{
	return strcmp(test_backend(), "postgres") == 0;
}

/* Runs raw SQL on db and fails the test with its message. */
static void exec_ok(corm_db *db, const char *sql)
{
	int rc = corm_execute(db, sql, NULL, 0, NULL);
	if (rc != CORM_OK)
		fail_msg("%s -> %s: %s", sql, corm_err_name(rc), corm_errmsg(db));
}

/* PostgreSQL: whether a boolean SQL condition holds in db's own session (a DO block). */
static int pg_check(corm_db *db, const char *cond)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "DO $$BEGIN IF NOT (%s) THEN RAISE EXCEPTION 'condition failed'; END IF; END$$",
	         cond);
	return corm_execute(db, sql, NULL, 0, NULL);
}

/* PostgreSQL: asserts a boolean SQL condition in db's own session. */
static void pg_assert(corm_db *db, const char *cond)
{
	if (is_pg() && pg_check(db, cond) != CORM_OK)
		fail_msg("%s: %s", cond, corm_errmsg(db));
}

#define PG_PREPARED                                                                                \
	"(SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'corm\\_stmt\\_%')"
#define PG_CURSORS "(SELECT count(*) FROM pg_cursors WHERE name LIKE 'corm\\_cursor\\_%')"

/* NPOSTS posts "post 1".."post N" with view_count = 10 * i, every third inactive. */
static void seed(test_env *env)
{
	User *u = test_user(env, "alice");
	for (int i = 1; i <= NPOSTS; i++) {
		char title[32], slug[32];
		snprintf(title, sizeof title, "post %d", i);
		snprintf(slug, sizeof slug, "post-%d", i);
		corm_free(test_post(env, u, title, slug, 10 * i, i % 3 != 0));
	}
	corm_free(u);
}

static int64_t pk_of_post(test_env *env, int i)
{
	char slug[32];
	snprintf(slug, sizeof slug, "post-%d", i);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	Post *p = NULL;
	ASSERT_OK(env, corm_get(qs, &p, CORM_Q("slug", slug)));
	int64_t pk = corm_pk(p);
	corm_free(p);
	corm_qs_free(qs);
	return pk;
}

/* One round of get/filter/count/exists, every answer checked. */
static void query_round(test_env *env, corm_db *db, const int64_t *pks, int round)
{
	for (int i = 1; i <= NPOSTS; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		Post *p = NULL;
		int rc = corm_get(qs, &p, CORM_Q("pk", pks[i]));
		if (rc)
			fail_msg("round %d get %d: %s", round, i, corm_errmsg(db));
		char title[32];
		snprintf(title, sizeof title, "post %d", i);
		assert_string_equal(p->title, title);
		assert_int_equal(p->view_count, 10 * i);
		corm_free(p);
		corm_qs_free(qs);
	}
	for (int k = 0; k < 10; k++) {
		/* active posts with view_count > 20k, by id, the first 3 */
		corm_qs *qs = corm_objects(db, &Post_model);
		corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", 20 * k));
		corm_order_by(qs, "id");
		corm_slice(qs, 0, 3);
		int want[3], nwant = 0;
		for (int i = 1; i <= NPOSTS && nwant < 3; i++)
			if (i % 3 != 0 && 10 * i > 20 * k)
				want[nwant++] = i;
		Post *p;
		int n = 0;
		while (corm_next(qs, &p) == CORM_ROW) {
			assert_true(n < nwant);
			assert_int_equal(p->view_count, 10 * want[n]);
			n++;
		}
		assert_int_equal(corm_errcode(db), CORM_OK);
		assert_int_equal(n, 3);
		corm_qs_free(qs);

		int64_t count;
		bool exists;
		qs = corm_objects(db, &Post_model);
		corm_filter(qs, CORM_Q("view_count__gte", 10 * (NPOSTS - k)));
		ASSERT_OK(env, corm_count(qs, &count));
		assert_int_equal(count, k + 1);
		corm_qs_free(qs);
		qs = corm_objects(db, &Post_model);
		corm_filter(qs, CORM_Q("view_count__gt", 10 * (NPOSTS + k)));
		ASSERT_OK(env, corm_exists(qs, &exists));
		assert_false(exists);
		corm_qs_free(qs);
	}
}

/* The same queries again and again: the same answers, cache on and off. */
static void test_repeated_queries(void **state)
{
	test_env *env = *state;
	seed(env);
	int64_t pks[NPOSTS + 1];
	for (int i = 1; i <= NPOSTS; i++)
		pks[i] = pk_of_post(env, i);
	for (int round = 0; round < 4; round++)
		query_round(env, env->db, pks, round);
	/* PostgreSQL: the repeated shapes became server-side prepared statements */
	pg_assert(env->db, PG_PREPARED " >= 4");
	ASSERT_OK(env, corm_set_statement_cache(env->db, 0));
	for (int round = 0; round < 2; round++)
		query_round(env, env->db, pks, round);
	ASSERT_OK(env, corm_set_statement_cache(env->db, 3)); /* evictions all the time */
	for (int round = 0; round < 3; round++)
		query_round(env, env->db, pks, round);
	ASSERT_OK(env, corm_set_statement_cache(env->db, 64));
	/* many shapes: evicted statements are deallocated, in batches */
	for (int round = 0; round < 2; round++)
		for (int k = 1; k <= 150; k++) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			corm_filter(qs, CORM_Q("view_count__gte", 0));
			corm_slice(qs, 0, k); /* LIMIT k: a new SQL text each time */
			size_t n;
			ASSERT_OK(env, corm_len(qs, &n));
			assert_int_equal(n, k < NPOSTS ? k : NPOSTS);
			corm_qs_free(qs);
		}
	pg_assert(env->db, PG_PREPARED " <= 64 + 32");
}

/* Parameters of every type through prepared statements: bytea in binary, the rest as text. */
static void test_typed_parameters(void **state)
{
	test_env *env = *state;
	static const char blob[] = {'a', 0, 'b', 0, (char)0xff};
	corm_decimal *price;
	assert_int_equal(corm_decimal_parse(&price, "12.50"), CORM_OK);
	corm_uuid uid;
	const char *uid_text = "12345678-1234-5678-1234-567812345678";
	assert_int_equal(corm_uuid_parse(&uid, uid_text, strlen(uid_text)), CORM_OK);
	corm_date day;
	assert_int_equal(corm_date_parse(&day, "2024-02-29", 10), CORM_OK);
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env,
		          corm_create(env->db, &Kitchen_model, NULL,
		                      CORM_KWARGS(CORM_KW("big", i), CORM_KW("small", i),
		                                  CORM_KW("blob", corm_v_bytes(blob, 5 - i)),
		                                  CORM_KW("price", price), CORM_KW("uid", uid),
		                                  CORM_KW("day", day),
		                                  CORM_KW("span", (corm_duration){-1500000}))));
	}
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 3; i++) {
			corm_qs *qs = corm_objects(env->db, &Kitchen_model);
			corm_filter(qs, CORM_Q("blob", corm_v_bytes(blob, 5 - i)),
			            CORM_Q("price", price), CORM_Q("uid", uid), CORM_Q("day", day),
			            CORM_Q("span__lt", (corm_duration){0}));
			Kitchen *k = NULL;
			int rc = corm_get(qs, &k, CORM_Q("small__gte", 0));
			if (rc)
				fail_msg("round %d: %s", round, corm_errmsg(env->db));
			assert_int_equal(k->big, i);
			assert_int_equal(k->blob.len, 5 - i);
			assert_memory_equal(k->blob.data, blob, 5 - i);
			assert_int_equal(k->span.us, -1500000);
			corm_free(k);
			corm_qs_free(qs);
		}
	}
	corm_decimal_free(price);
}

/* Errors keep their codes when the statement is a prepared one; aborted transactions recover. */
static void test_errors_and_transactions(void **state)
{
	test_env *env = *state;
	seed(env);
	User *u;
	for (int i = 0; i < 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "user%d", i);
		u = test_user(env, name);
		corm_free(u);
	}
	/* the INSERT is a prepared statement by now: a duplicate is still a constraint error */
	u = NULL;
	int rc = corm_create(env->db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "user1")));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	if (is_pg())
		assert_int_equal(corm_native_errcode(env->db), 83906754); /* 23505 */
	assert_null(u);

	int64_t pk = pk_of_post(env, 5);
	Post *p;
	corm_qs *qs = corm_objects(env->db, &Post_model);
	size_t n;
	corm_qs *once = corm_objects(env->db, &Post_model);
	corm_filter(once, CORM_Q("view_count__lt", 15));
	ASSERT_OK(env, corm_len(once, &n)); /* executed once: not prepared yet */
	corm_qs_free(once);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		corm_free(p);
	}
	/* an error inside a savepoint, rolled back: the transaction goes on */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	rc = corm_create(env->db, &User_model, NULL, CORM_KWARGS(CORM_KW("username", "user2")));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		assert_string_equal(p->title, "post 5");
		corm_free(p);
	}
	/* an error in the outermost block: nothing runs until the rollback, on every backend as on
	 * PostgreSQL (which aborts the transaction itself), prepared statements included */
	rc = corm_create(env->db, &User_model, NULL, CORM_KWARGS(CORM_KW("username", "user0")));
	assert_int_equal(rc, CORM_ECONSTRAINT);
	rc = corm_get(qs, &p, CORM_Q("pk", pk));
	assert_int_equal(rc, CORM_ETXN);
	assert_string_equal(
	        corm_errmsg(env->db),
	        "An error occurred in the current transaction. You can't execute queries "
	        "until the end of the 'atomic' block.");
	corm_qs *other = corm_objects(env->db, &Post_model);
	corm_filter(other, CORM_Q("view_count__lt", 15));
	assert_int_equal(corm_len(other, &n), CORM_ETXN);
	corm_qs_free(other);
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		corm_free(p);
	}
	corm_qs_free(qs);
}

/* Another connection changes the column type under a prepared statement. */
static void test_schema_changed_elsewhere(void **state)
{
	test_env *env = *state;
	seed(env);
	int64_t pk = pk_of_post(env, 7);
	corm_qs *qs = corm_objects(env->db, &Post_model);
	Post *p;
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		corm_free(p);
	}
	corm_db *other;
	if (corm_open(&other, test_url()))
		fail_msg("open: %s", corm_errmsg(other));
	exec_ok(other, is_pg() ? "ALTER TABLE \"blog_post\" ALTER COLUMN \"title\" TYPE text"
	                       : "ALTER TABLE `blog_post` MODIFY `title` longtext NOT NULL");
	/* outside a transaction: the statement is prepared again, the answer is right */
	for (int i = 0; i < 3; i++) {
		int rc = corm_get(qs, &p, CORM_Q("pk", pk));
		if (rc)
			fail_msg("after ALTER: %s", corm_errmsg(env->db));
		assert_string_equal(p->title, "post 7");
		corm_free(p);
	}
	exec_ok(other,
	        is_pg() ? "ALTER TABLE \"blog_post\" ALTER COLUMN \"title\" TYPE varchar(200)"
	                : "ALTER TABLE `blog_post` MODIFY `title` varchar(200) NOT NULL");
	/* inside one, PostgreSQL's error ends the transaction: it is reported, nothing crashes */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	int rc = corm_get(qs, &p, CORM_Q("pk", pk));
	if (rc == CORM_OK) {
		assert_string_equal(p->title, "post 7");
		corm_free(p);
	} else {
		assert_true(is_pg());
		assert_int_equal(rc, CORM_EBACKEND);
	}
	ASSERT_OK(env, corm_atomic_rollback(env->db));
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		assert_string_equal(p->title, "post 7");
		corm_free(p);
	}
	corm_qs_free(qs);
	corm_close(other);
}

/* Iterates filter(view_count__gt=min).order_by("id") in chunks; returns the rows seen. */
static int iterate_all(test_env *env, corm_db *db, int min, size_t chunk)
{
	corm_qs *qs = corm_objects(db, &Post_model);
	corm_filter(qs, CORM_Q("view_count__gt", min));
	corm_order_by(qs, "id");
	ASSERT_OK(env, corm_iterator(qs, chunk));
	Post *p;
	int n = 0, rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		n++;
		assert_int_equal(p->view_count, min + 10 * n);
	}
	if (rc != CORM_DONE)
		fail_msg("iterate: %s", corm_errmsg(db));
	corm_qs_free(qs);
	return n;
}

/* Whether db's session is idle outside a transaction, seen from another connection. */
static void assert_not_idle_in_transaction(corm_db *other)
{
	pg_assert(other, "NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE usename = current_user "
	                 "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%')");
}

static void test_iterator_chunks(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_db *other;
	if (corm_open(&other, test_url()))
		fail_msg("open: %s", corm_errmsg(other));
	size_t chunks[] = {1, 2, 7, 10, 29, 30, 31, 2000};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		assert_int_equal(iterate_all(env, env->db, 0, chunks[i]), NPOSTS);
		assert_int_equal(iterate_all(env, env->db, 100, chunks[i]), NPOSTS - 10);
		assert_int_equal(iterate_all(env, env->db, 10 * NPOSTS, chunks[i]), 0);
		assert_not_idle_in_transaction(other);
	}
	pg_assert(env->db, PG_CURSORS " = 0");
	/* inside a transaction too */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	assert_int_equal(iterate_all(env, env->db, 0, 7), NPOSTS);
	pg_assert(env->db, PG_CURSORS " = 0");
	ASSERT_OK(env, corm_atomic_commit(env->db));

	/* values_list rows and nested iterators on one connection */
	corm_qs *outer = corm_objects(env->db, &Post_model);
	corm_order_by(outer, "id");
	ASSERT_OK(env, corm_values_list(outer, true, "view_count"));
	ASSERT_OK(env, corm_iterator(outer, 4));
	const corm_row *row;
	int n = 0;
	while (corm_next_row(outer, &row) == CORM_ROW) {
		n++;
		int64_t v = corm_row_cell(row, 0)->u.i;
		assert_int_equal(v, 10 * n);
		assert_int_equal(iterate_all(env, env->db, (int)v, 3), NPOSTS - n);
	}
	assert_int_equal(n, NPOSTS);
	corm_qs_free(outer);
	assert_not_idle_in_transaction(other);
	corm_close(other);
}

/* Adds `add` to every view_count (10 * n + base) in a loop over iterator(4) on db. */
static void save_in_loop(test_env *env, corm_db *db, corm_db *other, int base, int add)
{
	corm_qs *qs = corm_objects(db, &Post_model);
	corm_order_by(qs, "id");
	ASSERT_OK(env, corm_iterator(qs, 4));
	Post *p;
	int n = 0, rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		n++;
		assert_int_equal(p->view_count, 10 * n + base);
		p->view_count += add;
		if (corm_save_fields(db, p, CORM_FIELDS("view_count")))
			fail_msg("save: %s", corm_errmsg(db));
		/* the other connection sees it now: the save was committed (autocommit) */
		int64_t seen;
		corm_qs *check = corm_objects(other, &Post_model);
		corm_filter(check, CORM_Q("view_count", 10 * n + base + add));
		ASSERT_OK(env, corm_count(check, &seen));
		assert_int_equal(seen, 1);
		corm_qs_free(check);
	}
	assert_int_equal(rc, CORM_DONE);
	assert_int_equal(n, NPOSTS);
	corm_qs_free(qs);
	assert_not_idle_in_transaction(other);
}

/* corm_save inside the loop: every save is committed at once (autocommit), as before. */
static void test_iterator_with_writes(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_db *other;
	if (corm_open(&other, test_url()))
		fail_msg("open: %s", corm_errmsg(other));
	Post *p;
	int n, rc;
	if (is_pg()) {
		/* a session with idle_in_transaction_session_timeout: Django's WITH HOLD cursor */
		char url[1024];
		snprintf(url, sizeof url,
		         "%s%soptions=-c%%20idle_in_transaction_session_timeout%%3D60000",
		         test_url(), strchr(test_url(), '?') ? "&" : "?");
		corm_db *timed;
		if (corm_open(&timed, url))
			fail_msg("open %s: %s", url, corm_errmsg(timed));
		assert_int_equal(iterate_all(env, timed, 0, 7), NPOSTS);
		save_in_loop(env, timed, other, 0, 1000);
		save_in_loop(env, timed, other, 1000, -1000);
		pg_assert(timed, PG_CURSORS " = 0");
		corm_close(timed);
	}
	save_in_loop(env, env->db, other, 0, 1);
	corm_qs *qs;

	/* an atomic block opened and committed inside the loop */
	qs = corm_objects(env->db, &Post_model);
	corm_order_by(qs, "id");
	ASSERT_OK(env, corm_iterator(qs, 3));
	n = 0;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		n++;
		ASSERT_OK(env, corm_atomic_begin(env->db));
		p->view_count += 1;
		ASSERT_OK(env, corm_save_fields(env->db, p, CORM_FIELDS("view_count")));
		if (n % 2)
			ASSERT_OK(env, corm_atomic_commit(env->db));
		else
			ASSERT_OK(env, corm_atomic_rollback(env->db));
	}
	assert_int_equal(rc, CORM_DONE);
	assert_int_equal(n, NPOSTS);
	corm_qs_free(qs);
	int64_t count, committed[NPOSTS];
	for (int i = 1; i <= NPOSTS; i++)
		committed[i - 1] = i % 2 ? 10 * i + 2 : 10 * i + 1;
	qs = corm_objects(other, &Post_model);
	corm_filter(qs, corm_q_new("view_count__in", corm_v_int_list(committed, NPOSTS)));
	ASSERT_OK(env, corm_count(qs, &count));
	assert_int_equal(count, NPOSTS);
	corm_qs_free(qs);

	/* transfer_funds with iterator(): locked rows updated inside the block */
	ASSERT_OK(env, corm_atomic_begin(env->db));
	qs = corm_objects(env->db, &Post_model);
	corm_filter(qs, CORM_Q("is_active", true));
	corm_order_by(qs, "id");
	ASSERT_OK(env, corm_select_for_update(qs, CORM_LOCK_WAIT));
	ASSERT_OK(env, corm_iterator(qs, 2));
	n = 0;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		n++;
		p->view_count = 0;
		ASSERT_OK(env, corm_save_fields(env->db, p, CORM_FIELDS("view_count")));
	}
	assert_int_equal(rc, CORM_DONE);
	corm_qs_free(qs);
	ASSERT_OK(env, corm_atomic_commit(env->db));
	assert_int_equal(n, NPOSTS - NPOSTS / 3);
	qs = corm_objects(other, &Post_model);
	corm_filter(qs, CORM_Q("view_count", 0));
	ASSERT_OK(env, corm_count(qs, &count));
	assert_int_equal(count, n);
	corm_qs_free(qs);
	pg_assert(env->db, PG_CURSORS " = 0");
	corm_close(other);
}

/* Iterations left half-way, in every transaction state: nothing fails afterwards. */
static void test_iterator_abandoned(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_db *other;
	if (corm_open(&other, test_url()))
		fail_msg("open: %s", corm_errmsg(other));
	Post *p;
	int64_t pk = pk_of_post(env, 3);
	for (int scenario = 0; scenario < 6; scenario++) {
		bool in_txn = scenario >= 2;
		if (in_txn)
			ASSERT_OK(env, corm_atomic_begin(env->db));
		if (scenario == 4 || scenario == 5)
			ASSERT_OK(env, corm_atomic_begin(env->db)); /* a savepoint */
		corm_qs *qs = corm_objects(env->db, &Post_model);
		corm_order_by(qs, "id");
		ASSERT_OK(env, corm_iterator(qs, 2));
		for (int i = 0; i < 3; i++)
			assert_int_equal(corm_next(qs, &p), CORM_ROW);
		if (scenario % 2) {
			/* another statement ran since the cursor's last FETCH */
			corm_qs *g = corm_objects(env->db, &Post_model);
			Post *x;
			ASSERT_OK(env, corm_get(g, &x, CORM_Q("pk", pk)));
			corm_free(x);
			corm_qs_free(g);
		}
		if (scenario == 4 || scenario == 5)
			ASSERT_OK(env, corm_atomic_rollback(env->db)); /* the cursor goes with it */
		corm_qs_free(qs); /* closing must not break the transaction */
		corm_qs *g = corm_objects(env->db, &Post_model);
		int64_t count;
		int rc = corm_count(g, &count);
		if (rc)
			fail_msg("scenario %d: %s", scenario, corm_errmsg(env->db));
		assert_int_equal(count, NPOSTS);
		corm_qs_free(g);
		pg_assert(env->db, PG_CURSORS " = 0");
		if (in_txn)
			ASSERT_OK(env, corm_atomic_commit(env->db));
		assert_not_idle_in_transaction(other);
	}
	corm_close(other);
}

/* PostgreSQL: DEALLOCATE ALL in a transaction; queued DEALLOCATEs must not fail it afterwards. */
static void test_deallocate_all(void **state)
{
	test_env *env = *state;
	seed(env);
	ASSERT_OK(env, corm_atomic_begin(env->db));
	for (int round = 0; round < 2; round++) {
		for (int k = 1; k <= 10; k++)
			for (int rep = 0; rep < 2; rep++) {
				corm_qs *qs = corm_objects(env->db, &Post_model);
				corm_slice(qs, 0, k);
				size_t n;
				ASSERT_OK(env, corm_len(qs, &n));
				corm_qs_free(qs);
			}
		exec_ok(env->db, "SELECT 1"); /* empties the cache: 10 names queued */
		exec_ok(env->db, round ? "DISCARD PLANS" : "DEALLOCATE ALL");
	}
	for (int k = 1; k <= 40; k++)
		for (int rep = 0; rep < 2; rep++) {
			corm_qs *qs = corm_objects(env->db, &Post_model);
			corm_slice(qs, 0, 100 + k);
			size_t n;
			ASSERT_OK(env, corm_len(qs, &n));
			corm_qs_free(qs);
		}
	exec_ok(env->db, "SELECT 1"); /* 40 queued: sent with the next statement */
	for (int rep = 0; rep < 3; rep++) {
		corm_qs *qs = corm_objects(env->db, &Post_model);
		int64_t count;
		ASSERT_OK(env, corm_count(qs, &count));
		assert_int_equal(count, NPOSTS);
		corm_qs_free(qs);
	}
	pg_assert(env->db, PG_PREPARED " <= 2");
	ASSERT_OK(env, corm_atomic_commit(env->db));
}

/* PostgreSQL: the session is killed under prepared statements and an open cursor. */
static void test_connection_killed(void **state)
{
	test_env *env = *state;
	seed(env);
	corm_db *db, *other;
	if (corm_open(&db, test_url()) || corm_open(&other, test_url()))
		fail_msg("open failed");
	int64_t pk = pk_of_post(env, 2);
	corm_qs *qs = corm_objects(db, &Post_model);
	Post *p;
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(env, corm_get(qs, &p, CORM_Q("pk", pk)));
		corm_free(p);
	}
	corm_qs *it = corm_objects(db, &Post_model);
	corm_order_by(it, "id");
	ASSERT_OK(env, corm_iterator(it, 2));
	assert_int_equal(corm_next(it, &p), CORM_ROW);
	/* streamed through a cursor (the query layer asks for it), or buffered */
	bool streaming = pg_check(db, PG_CURSORS " = 1") == CORM_OK;
	exec_ok(other, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = "
	               "current_user AND pid <> pg_backend_pid() AND state LIKE 'idle%'");
	int rc;
	while ((rc = corm_next(it, &p)) == CORM_ROW)
		;
	assert_int_equal(rc, streaming ? CORM_ECONNECTION : CORM_DONE);
	corm_qs_free(it);
	assert_int_equal(corm_get(qs, &p, CORM_Q("pk", pk)), CORM_ECONNECTION);
	corm_qs_free(qs);
	corm_close(db);
	corm_close(other);
	/* env->db was killed too: reopen it for the teardown */
	corm_close(env->db);
	if (corm_open(&env->db, test_url()))
		fail_msg("reopen: %s", corm_errmsg(env->db));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_repeated_queries, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_typed_parameters, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_errors_and_transactions, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_schema_changed_elsewhere, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_iterator_chunks, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_iterator_with_writes, test_setup,
	                                        test_teardown),
	        cmocka_unit_test_setup_teardown(test_iterator_abandoned, test_setup, test_teardown),
	        /* PostgreSQL-only checks last: registered on PostgreSQL only, never skipped */
	        cmocka_unit_test_setup_teardown(test_deallocate_all, test_setup, test_teardown),
	        cmocka_unit_test_setup_teardown(test_connection_killed, test_setup, test_teardown),
	};
	size_t n = sizeof tests / sizeof tests[0] - (is_pg() ? 0 : 2);
	return _cmocka_run_group_tests("pg_perf", tests, n, NULL, NULL);
}

/*
 * Out of memory and the allocator on every backend (CORM_TEST_BACKEND): a
 * workflow over decimals and JSON values (create, filter, get, update,
 * values_list, corm_qs_str, raw SQL, delete) with every allocation corm
 * makes failed in turn. Each run must return CORM_ENOMEM (or succeed), never
 * crash, and give back every block it took (counted here; the sanitizer pass
 * checks the drivers' own memory). Then: with a counting allocator installed,
 * jansson's and GMP's allocations go through it too, and balance.
 */
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static long budget = -1; /* allocations left; -1 = unlimited */
static long failures, live, total;

static void *counting_malloc(size_t size, void *ctx)
{
	if (budget == 0) {
		failures++;
		return NULL;
	}
	if (budget > 0)
		budget--;
	void *p = malloc(size);
	if (p)
		live++, total++;
	return p;
}

static void *counting_realloc(void *ptr, size_t size, void *ctx)
{
	if (budget == 0) {
		failures++;
		return NULL;
	}
	if (budget > 0)
		budget--;
	void *p = realloc(ptr, size);
	if (p && !ptr)
		live++;
	if (p)
		total++;
	return p;
}

static void counting_free(void *ptr, void *ctx)
{
	if (ptr)
		live--;
	free(ptr);
}

static const corm_allocator counting = {counting_malloc, counting_realloc, counting_free, NULL};

static char url[512];
static char sqlite_path[64];
static char last_error[512];

/* The backend's URL; SQLite gets a file so that the tables outlive a connection. */
static void pick_url(void)
{
	if (strcmp(test_backend(), "sqlite") != 0) {
		snprintf(url, sizeof url, "%s", test_url());
		return;
	}
	snprintf(sqlite_path, sizeof sqlite_path, "/tmp/corm_oom_%ld.db", (long)getpid());
	snprintf(url, sizeof url, "sqlite:///%s", sqlite_path);
}

static corm_registry *reg;

/* Fresh tables (no allocation failure here). */
static int setup(void **state)
{
	pick_url();
	corm_db *db = NULL;
	if (corm_registry_new(&reg) || corm_registry_add(reg, &Kitchen_model) ||
	    corm_registry_ready(reg) || corm_open(&db, url))
		return -1;
	corm_drop_tables(db, reg);
	int rc = corm_create_tables(db, reg);
	if (rc)
		fprintf(stderr, "create tables: %s\n", corm_errmsg(db));
	corm_close(db);
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	corm_set_allocator(NULL);
	budget = -1;
	corm_db *db = NULL;
	if (!corm_open(&db, url))
		corm_drop_tables(db, reg);
	corm_close(db);
	corm_registry_free(reg);
	if (*sqlite_path)
		unlink(sqlite_path);
	return 0;
}

/* Every row gone (unlimited budget). */
static void empty_table(void)
{
	long saved = budget;
	budget = -1;
	corm_db *db = NULL;
	if (corm_open(&db, url))
		fail_msg("open %s: %s", url, corm_errmsg(db));
	corm_qs *qs = corm_objects(db, &Kitchen_model);
	if (!qs || corm_qs_delete(qs, NULL))
		fail_msg("cleanup: %s", corm_errmsg(db));
	corm_qs_free(qs);
	corm_close(db);
	budget = saved;
}

/* The workflow; returns the first error code (or CORM_OK). Frees everything it made. */
static int workflow(void)
{
	corm_db *db = NULL;
	corm_qs *qs = NULL, *vals = NULL;
	corm_decimal *price = NULL, *more = NULL;
	json_t *data = NULL;
	Kitchen *k = NULL, *got = NULL;
	char *sql = NULL;
	int rc = corm_open(&db, url);
	if (!rc)
		rc = corm_decimal_parse(&price, "1234.50");
	if (!rc)
		rc = corm_decimal_parse(&more, "99999999.99");
	if (!rc && !(data = json_pack("{s:s, s:[i, f, b, n], s:{s:s}}", "k", "it's \"q\" \\", "n",
	                              1, 2.5, 1, "o", "x", "\xc3\xa9")))
		rc = CORM_ENOMEM;
	if (!rc)
		rc = corm_create(db, &Kitchen_model, &k,
		                 CORM_KWARGS(CORM_KW("big", 7), CORM_KW("small", 1),
		                             CORM_KW("price", price), CORM_KW("data", data)));
	if (!rc && !(qs = corm_objects(db, &Kitchen_model)))
		rc = corm_errcode(db);
	if (!rc)
		rc = corm_filter(qs, CORM_Q("price__gte", price), CORM_Q("big", 7));
	if (!rc)
		rc = corm_qs_str(qs, &sql);
	if (!rc)
		rc = corm_get(qs, &got, corm_q_empty());
	if (!rc && (corm_decimal_cmp(got->price, price) != 0 || !json_equal(got->data, data)))
		fail_msg("the decimal or the JSON value did not come back whole");
	if (!rc)
		rc = corm_update(qs, CORM_KWARGS(CORM_KW("price", more), CORM_KW("data", data)),
		                 NULL);
	if (!rc) { /* a regular expression (SQLite: PCRE2 on corm's allocator) */
		corm_qs *re = corm_objects(db, &Kitchen_model);
		int64_t n = 0;
		rc = re ? corm_filter(re, CORM_Q("status__iregex", "^PEND(?=I)\\w+$"))
		        : corm_errcode(db);
		if (!rc)
			rc = corm_count(re, &n);
		if (!rc && n != 1)
			fail_msg("the regular expression matched %lld rows", (long long)n);
		corm_qs_free(re);
	}
	if (!rc && !(vals = corm_objects(db, &Kitchen_model)))
		rc = corm_errcode(db);
	if (!rc)
		rc = corm_values_list(vals, false, "price", "data");
	const corm_row *row;
	if (!rc) {
		while ((rc = corm_next_row(vals, &row)) == CORM_ROW)
			;
		rc = rc == CORM_DONE ? CORM_OK : rc;
	}
	if (!rc) {
		const corm_value params[] = {corm_v_decimal(price), corm_v_json(data)};
		const char *raw = strcmp(test_backend(), "postgres") == 0
		                          ? "UPDATE blog_kitchen SET price = $1, data = $2"
		                          : "UPDATE blog_kitchen SET price = ?, data = ?";
		rc = corm_execute(db, raw, params, 2, NULL);
	}
	if (!rc)
		rc = corm_delete(db, k, NULL);
	snprintf(last_error, sizeof last_error, "%s", rc && db ? corm_errmsg(db) : "");
	corm_mem_free(sql);
	corm_qs_free(vals);
	corm_qs_free(qs);
	corm_free(got);
	corm_free(k);
	json_decref(data);
	corm_decimal_free(price);
	corm_decimal_free(more);
	corm_close(db);
	return rc;
}

/* 13.1 and the OOM reach of 13 / 8.10: every allocation point of the workflow, on this
 * backend (MariaDB crashed at about 7 % of them in statement preparation). */
static void test_every_allocation_failure(void **state)
{
	corm_set_allocator(&counting);
	/* GMP cannot survive a failed allocation (it aborts, see corm_decimal): it keeps its own
	 * allocator here; test_allocator_reaches_jansson_and_gmp checks that it gets corm's */
	mp_set_memory_functions(NULL, NULL, NULL);
	budget = -1;
	live = 0;
	if (workflow() != CORM_OK)
		fail_msg("the workflow fails without allocation failures: %s", last_error);
	assert_int_equal(live, 0);
	empty_table();
	long n;
	for (n = 0;; n++) {
		budget = n;
		failures = 0;
		live = 0;
		int rc = workflow();
		budget = -1;
		if (live != 0)
			fail_msg("allocation %ld failed: %ld blocks not given back (%s)", n, live,
			         last_error);
		if (failures == 0) {
			assert_int_equal(rc, CORM_OK);
			break;
		}
		if (rc != CORM_ENOMEM)
			fail_msg("allocation %ld failed: expected CORM_ENOMEM, got %s (%s)", n,
			         corm_strerror(rc), last_error);
		empty_table();
	}
	print_message("%s: %ld allocation points, each failed in turn\n", test_backend(), n);
	assert_true(n > 100);
	corm_set_allocator(NULL);
}

/* 13.5: jansson and GMP are given corm's allocator; a JSON and a decimal field round-trip
 * with every allocation counted, and the count balances (no invalid free under ASan: the
 * JSON text jansson writes is no longer given to free()). */
static void test_allocator_reaches_jansson_and_gmp(void **state)
{
	corm_set_allocator(&counting);
	budget = -1;
	live = 0;
	total = 0;
	/* jansson: a value built by the caller is counted */
	json_t *data = json_pack("{s:s, s:[i, f]}", "k", "v'\"\\", "n", 1, 2.5);
	assert_non_null(data);
	assert_true(live > 0);
	long before = total;
	/* GMP: a coefficient past one limb is counted */
	corm_decimal *price = NULL;
	assert_int_equal(corm_decimal_parse(&price, "12345678901234567890123456.78"), CORM_OK);
	mpz_t probe;
	mpz_init_set_str(probe, "123456789012345678901234567890123456789", 10);
	assert_true(total > before + 1);
	mpz_clear(probe);

	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, url), CORM_OK);
	Kitchen *k = NULL, *got = NULL;
	corm_decimal *small = NULL;
	assert_int_equal(corm_decimal_parse(&small, "1234.56"), CORM_OK);
	ASSERT_OK(&(test_env){.db = db},
	          corm_create(db, &Kitchen_model, &k,
	                      CORM_KWARGS(CORM_KW("big", 3), CORM_KW("price", small),
	                                  CORM_KW("data", data))));
	corm_qs *qs = corm_objects(db, &Kitchen_model);
	ASSERT_OK(&(test_env){.db = db}, corm_get(qs, &got, CORM_Q("pk", k->obj.id)));
	assert_int_equal(corm_decimal_cmp(got->price, small), 0);
	assert_true(json_equal(got->data, data));
	char *sql = NULL;
	ASSERT_OK(&(test_env){.db = db}, corm_qs_str(qs, &sql));
	corm_mem_free(sql);
	ASSERT_OK(&(test_env){.db = db}, corm_delete(db, got, NULL));
	corm_qs_free(qs);
	corm_free(got);
	corm_free(k);
	corm_close(db);
	corm_decimal_free(small);
	corm_decimal_free(price);
	json_decref(data);
	assert_true(total > 0);
	assert_int_equal(live, 0);
	corm_set_allocator(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_allocator_reaches_jansson_and_gmp),
	        cmocka_unit_test(test_every_allocation_failure),
	};
	return cmocka_run_group_tests_name("oom_servers", tests, setup, teardown);
}

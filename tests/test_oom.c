/*
 * Out of memory: every allocation corm makes is failed in turn while a whole
 * workflow runs; each step must return CORM_ENOMEM (or succeed) and, under the
 * sanitizer pass, leak nothing.
 */
#include <gmp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

static long budget = -1; /* allocations left; -1 = unlimited */
static long failures;
static char last_error[512];

static void *failing_malloc(size_t size, void *ctx)
{
	if (budget == 0) {
		failures++;
		return NULL;
	}
	if (budget > 0)
		budget--;
	return malloc(size);
}

static void *failing_realloc(void *ptr, size_t size, void *ctx)
{
	if (budget == 0) {
		failures++;
		return NULL;
	}
	if (budget > 0)
		budget--;
	return realloc(ptr, size);
}

static void plain_free(void *ptr, void *ctx)
{
	free(ptr);
}

static const corm_allocator failing = {failing_malloc, failing_realloc, plain_free, NULL};

/* The workflow; returns the first error code (or CORM_OK). Frees everything it made. */
static int workflow(void)
{
	corm_registry *reg = NULL;
	corm_db *db = NULL;
	corm_qs *qs = NULL;
	User *u = NULL;
	Post *p = NULL;
	char *sql = NULL;
	int rc = corm_registry_new(&reg);
	if (!rc)
		rc = corm_registry_add(reg, &User_model);
	if (!rc)
		rc = corm_registry_add(reg, &Category_model);
	if (!rc)
		rc = corm_registry_add(reg, &Post_model);
	if (!rc)
		rc = corm_registry_ready(reg);
	if (!rc)
		rc = corm_open(&db, "sqlite://:memory:");
	if (!rc)
		rc = corm_create_tables(db, reg);
	if (!rc)
		rc = corm_create(db, &User_model, &u, CORM_KWARGS(CORM_KW("username", "alice")));
	if (!rc)
		rc = corm_create(db, &Post_model, &p,
		                 CORM_KWARGS(CORM_KW("title", "Hello"), CORM_KW("slug", "hello"),
		                             CORM_KW("author", CORM_OBJ(u))));
	if (!rc && !(qs = corm_objects(db, &Post_model)))
		rc = corm_errcode(db);
	if (!rc)
		rc = corm_filter(qs,
		                 corm_or(CORM_Q("title__icontains", "hel"),
		                         CORM_Q("id__in", CORM_IN_INTS(1, 2, 3))),
		                 CORM_Q("view_count__lt", corm_f("id")));
	if (!rc)
		rc = corm_exclude(qs, CORM_Q("category", 3));
	if (!rc)
		rc = corm_order_by(qs, "-title", "id");
	if (!rc)
		rc = corm_qs_str(qs, &sql);
	Post *it;
	if (!rc) {
		while ((rc = corm_next(qs, &it)) == CORM_ROW)
			;
		rc = rc == CORM_DONE ? CORM_OK : rc;
	}
	if (!rc)
		rc = corm_values_list(qs, false, "id", "title");
	const corm_row *row;
	if (!rc) {
		while ((rc = corm_next_row(qs, &row)) == CORM_ROW)
			;
		rc = rc == CORM_DONE ? CORM_OK : rc;
	}
	if (!rc)
		rc = corm_update(
		        qs, CORM_KWARGS(CORM_KW("view_count", CORM_F_ADD(corm_f("view_count"), 1))),
		        NULL);
	/* iterator(): the reused instance and its text buffers, then a flat values_list row by
	 * row */
	Post *p2 = NULL;
	if (!rc)
		rc = corm_create(db, &Post_model, &p2,
		                 CORM_KWARGS(CORM_KW("title", "A longer second title"),
		                             CORM_KW("slug", "second"), CORM_KW("author", CORM_OBJ(u))));
	corm_free(p2);
	for (int flat = 0; !rc && flat < 2; flat++) {
		corm_qs *s = corm_objects(db, &Post_model);
		if (!s) {
			rc = corm_errcode(db);
			break;
		}
		rc = flat ? corm_values_list(s, true, "title") : CORM_OK;
		if (!rc)
			rc = corm_iterator(s, 1);
		const corm_value *v;
		while (!rc && (rc = flat ? corm_next_value(s, &v) : corm_next(s, &it)) == CORM_ROW)
			rc = CORM_OK;
		rc = rc == CORM_DONE ? CORM_OK : rc;
		corm_qs_free(s);
	}
	if (!rc) {
		bool created;
		Post *g = NULL;
		rc = corm_get_or_create(db, &Post_model, &g, &created,
		                        CORM_KWARGS(CORM_KW("slug", "x")),
		                        CORM_KWARGS(CORM_KW("author", CORM_OBJ(u))));
		corm_free(g);
	}
	if (!rc)
		rc = corm_delete(db, p, NULL);
	snprintf(last_error, sizeof last_error, "%s", rc && db ? corm_errmsg(db) : "");
	corm_mem_free(sql);
	corm_qs_free(qs);
	corm_free(p);
	corm_free(u);
	corm_close(db);
	corm_registry_free(reg);
	return rc;
}

static void test_every_allocation_failure(void **state)
{
	corm_set_allocator(&failing);
	/* GMP cannot survive a failed allocation (it aborts): keep its own allocator */
	mp_set_memory_functions(NULL, NULL, NULL);
	budget = -1;
	assert_int_equal(workflow(), CORM_OK);
	long n;
	for (n = 0;; n++) {
		budget = n;
		failures = 0;
		int rc = workflow();
		if (failures == 0) {
			assert_int_equal(rc, CORM_OK);
			break;
		}
		if (rc != CORM_ENOMEM)
			fail_msg("allocation %ld failed: expected CORM_ENOMEM, got %s (%s)", n,
			         corm_err_name(rc), last_error);
	}
	assert_true(n > 50);
	corm_set_allocator(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation_failure)};
	return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}

/*
 * Lookup paths: "a__b__c__lookup" names resolved against the blog models of
 * tests/support/models.c (src/query/resolve.c), through the public API: filter(path=1),
 * values(names...) and order_by(names...) with the input split at ',' and newlines, then the
 * SQL of the QuerySet. Property: every call returns CORM_OK or a CORM_E* code, never crashes,
 * and nothing leaks once the QuerySet is freed.
 */
#include "../tests/support/models.h"
#include "fuzz.h"

#define MAX_NAMES 16

static corm_db *fuzz_db(void)
{
	static corm_registry *reg;
	static corm_db *db;
	if (!db) {
		FUZZ_CHECK(corm_registry_new(&reg) == CORM_OK, "corm_registry_new");
		FUZZ_CHECK(corm_registry_add(reg, &User_model) == CORM_OK, "registering User");
		FUZZ_CHECK(corm_registry_add(reg, &Category_model) == CORM_OK,
		           "registering Category");
		FUZZ_CHECK(corm_registry_add(reg, &Post_model) == CORM_OK, "registering Post");
		FUZZ_CHECK(corm_registry_add(reg, &Kitchen_model) == CORM_OK,
		           "registering Kitchen");
		FUZZ_CHECK(corm_registry_ready(reg) == CORM_OK, "corm_registry_ready");
		FUZZ_CHECK(corm_open(&db, "sqlite://:memory:") == CORM_OK,
		           "opening sqlite://:memory:");
		/* the inputs must reach name resolution, not stop at an unready registry */
		corm_qs *probe = corm_objects(db, &Post_model);
		FUZZ_CHECK(probe && corm_filter(probe, CORM_Q("author__username", "x")) == CORM_OK,
		           "a known path resolves");
		corm_qs_free(probe);
	}
	return db;
}

/* The SQL of qs, when every step before succeeded; checks the code either way. */
static void check_sql(corm_qs *qs)
{
	const char *sql;
	const corm_value *params;
	size_t n;
	int rc = corm_qs_sql(qs, &sql, &params, &n);
	FUZZ_CHECK(fuzz_clean_code(rc), "corm_qs_sql: not a CORM_E* code");
	if (rc == CORM_OK)
		FUZZ_CHECK(sql && !strncmp(sql, "SELECT ", 7), "corm_qs_sql gives a SELECT");
}

static void run(corm_db *db, const corm_model *model, const char *path, const char *const *names,
                size_t n)
{
	corm_qs *qs = corm_objects(db, model);
	FUZZ_CHECK(qs != NULL, "corm_objects");
	int rc = corm_filter(qs, corm_q_new(path, corm_v_int(1)));
	FUZZ_CHECK(fuzz_clean_code(rc), "corm_filter: not a CORM_E* code");
	if (rc == CORM_OK)
		check_sql(qs);
	corm_qs_free(qs);

	qs = corm_objects(db, model);
	FUZZ_CHECK(qs != NULL, "corm_objects");
	rc = corm_filter(qs, corm_q_new(path, corm_v_text("1")));
	FUZZ_CHECK(fuzz_clean_code(rc), "corm_filter (text value): not a CORM_E* code");
	corm_qs_free(qs);

	qs = corm_objects(db, model);
	FUZZ_CHECK(qs != NULL, "corm_objects");
	rc = corm_values_n(qs, names, n);
	FUZZ_CHECK(fuzz_clean_code(rc), "corm_values_n: not a CORM_E* code");
	if (rc == CORM_OK) {
		rc = corm_order_by_n(qs, names, n);
		FUZZ_CHECK(fuzz_clean_code(rc), "corm_order_by_n: not a CORM_E* code");
		if (rc == CORM_OK)
			check_sql(qs);
	}
	corm_qs_free(qs);

	qs = corm_objects(db, model);
	FUZZ_CHECK(qs != NULL, "corm_objects");
	rc = corm_order_by_n(qs, names, n);
	FUZZ_CHECK(fuzz_clean_code(rc), "corm_order_by_n: not a CORM_E* code");
	if (rc == CORM_OK)
		check_sql(qs);
	corm_qs_free(qs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	corm_db *db = fuzz_db();
	char *path = fuzz_cstr(data, size), *split = fuzz_cstr(data, size);
	const char *names[MAX_NAMES];
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(split, ",\n", &save); tok && n < MAX_NAMES;
	     tok = strtok_r(NULL, ",\n", &save))
		names[n++] = tok;
	run(db, &Post_model, path, names, n);
	run(db, &Kitchen_model, path, names, n);
	free(split);
	free(path);
	return 0;
}

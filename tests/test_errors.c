/*
 * Errors: codes, names and sentences from the one CORM_ERRNO_MAP list, the
 * per-thread last error of calls without a connection, registry codes, and
 * the statement cache keeping its size when resizing runs out of memory.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "db/db.h" /* the statement cache's capacity, to see that a failed resize kept it */

/* ---- the list ---- */

/* What every code must be called and say, written out by hand. */
static const struct {
	int code;
	int value;
	const char *name, *sentence;
} expected[] = {
        {CORM_OK, 0, "CORM_OK", "success"},
        {CORM_ROW, 100, "CORM_ROW", "a row is available (stepping)"},
        {CORM_DONE, 101, "CORM_DONE", "no more rows (stepping)"},
        {CORM_ERROR, -1, "CORM_ERROR", "unspecified error"},
        {CORM_ENOMEM, -2, "CORM_ENOMEM", "out of memory; nothing was leaked"},
        {CORM_EINVAL, -3, "CORM_EINVAL",
         "invalid argument: a NULL handle or out pointer, a value out of range, or a handle "
         "used against its contract"},
        {CORM_ENOTFOUND, -4, "CORM_ENOTFOUND", "no row matched the query (Django's DoesNotExist)"},
        {CORM_EMULTIPLE, -5, "CORM_EMULTIPLE",
         "more than one row matched the query (Django's MultipleObjectsReturned)"},
        {CORM_ECONSTRAINT, -6, "CORM_ECONSTRAINT",
         "the database rejected a write: UNIQUE, FOREIGN KEY, CHECK or NOT NULL (Django's "
         "IntegrityError)"},
        {CORM_EVALIDATION, -7, "CORM_EVALIDATION",
         "full_clean() found invalid values (Django's ValidationError)"},
        {CORM_EFIELD, -8, "CORM_EFIELD",
         "unknown field, lookup or transform (Django's FieldError)"},
        {CORM_EPROTECTED, -9, "CORM_EPROTECTED",
         "delete blocked by on_delete=PROTECT (Django's ProtectedError)"},
        {CORM_EBACKEND, -10, "CORM_EBACKEND",
         "database or driver error (the driver's own code is kept)"},
        {CORM_ETYPE, -11, "CORM_ETYPE", "a value of the wrong type or range for a field"},
        {CORM_EURL, -12, "CORM_EURL", "malformed database URL"},
        {CORM_ENOTSUP, -13, "CORM_ENOTSUP", "backend not built in, or feature not supported by it"},
        {CORM_EMODEL, -14, "CORM_EMODEL", "invalid model declaration (found at registration)"},
        {CORM_ETXN, -15, "CORM_ETXN",
         "transaction misuse: commit without begin, or a query in a failed transaction"},
        {CORM_ELOCKED, -16, "CORM_ELOCKED",
         "row or database locked and the caller asked not to wait"},
        {CORM_EDEADLOCK, -17, "CORM_EDEADLOCK",
         "the database chose this transaction as a deadlock victim"},
        {CORM_ECONNECTION, -18, "CORM_ECONNECTION", "connection to the server lost or refused"},
        {CORM_ETIMEOUT, -19, "CORM_ETIMEOUT", "waited longer than the allowed time"},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static void test_every_code_name_and_sentence(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXPECTED; i++) {
		assert_int_equal(expected[i].code, expected[i].value); /* values never change */
		assert_string_equal(corm_err_name(expected[i].code), expected[i].name);
		assert_string_equal(corm_strerror(expected[i].code), expected[i].sentence);
	}
}

static void test_unknown_codes(void **state)
{
	(void)state;
	const int unknown[] = {-20, -999, 1, 99, 102, 42, -2147483647 - 1, 2147483647};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		assert_string_equal(corm_err_name(unknown[i]), "CORM_UNKNOWN");
		assert_string_equal(corm_strerror(unknown[i]), "unknown result code");
	}
}

/* Walks the list itself: enum value, name and sentence come from the same entry. */
static size_t listed;
static void check_entry(int code, int value, const char *name, const char *sentence)
{
	assert_int_equal(code, value);
	assert_string_equal(corm_err_name(code), name);
	assert_string_equal(corm_strerror(code), sentence);
	/* every listed code is in the hand-written table, with the same texts */
	size_t found = 0;
	for (size_t i = 0; i < NEXPECTED; i++)
		if (expected[i].value == value) {
			assert_string_equal(expected[i].name, name);
			assert_string_equal(expected[i].sentence, sentence);
			found++;
		}
	assert_int_equal(found, 1);
	listed++;
}

static void test_enum_and_tables_come_from_one_list(void **state)
{
	(void)state;
	listed = 0;
#define CHECK_ENTRY(n, value, sentence) check_entry(CORM_##n, value, "CORM_" #n, sentence);
	CORM_ERRNO_MAP(CHECK_ENTRY)
#undef CHECK_ENTRY
	assert_int_equal(listed, NEXPECTED); /* and the table has no code the list lacks */
	/* the enum's values are distinct: a switch over them compiles (duplicate cases would not)
	 */
	int seen = 0;
#define CASE_ENTRY(n, value, sentence)                                                             \
	case CORM_##n:                                                                             \
		seen++;                                                                            \
		break;
	for (size_t i = 0; i < NEXPECTED; i++)
		switch ((corm_error_code)expected[i].code) {
			CORM_ERRNO_MAP(CASE_ENTRY)
		}
#undef CASE_ENTRY
	assert_int_equal(seen, NEXPECTED);
}

/* ---- the per-thread last error ---- */

static corm_registry *reg;

static int setup_registry(void **state)
{
	(void)state;
	if (corm_registry_new(&reg) || corm_registry_add(reg, &User_model) ||
	    corm_registry_add(reg, &Category_model) || corm_registry_add(reg, &Post_model) ||
	    corm_registry_ready(reg))
		return -1;
	return 0;
}

static int teardown_registry(void **state)
{
	(void)state;
	corm_registry_free(reg);
	reg = NULL;
	return 0;
}

static void assert_last(int code, const char *message)
{
	const corm_error *e = corm_error_last();
	assert_non_null(e);
	assert_string_equal(corm_err_name(e->code), corm_err_name(code));
	assert_string_equal(e->message, message);
}

static void test_last_error_initial_and_clear(void **state)
{
	(void)state;
	corm_error_clear();
	assert_last(CORM_OK, "no error");
	Post *p = NULL;
	assert_int_equal(corm_new(NULL, &p), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_new: the model is NULL");
	/* a call that succeeds leaves the last failure as it is (libgit2's rule) */
	assert_int_equal(corm_new(&Post_model, &p), CORM_OK);
	assert_last(CORM_EINVAL, "corm_new: the model is NULL");
	corm_free(p);
	corm_error_clear();
	assert_last(CORM_OK, "no error");
}

static void test_set_bad_value(void **state)
{
	(void)state;
	Post *p;
	assert_int_equal(corm_new(&Post_model, &p), CORM_OK);
	corm_error_clear();
	assert_int_equal(CORM_SET(p, "view_count", "abc"), CORM_ETYPE);
	assert_last(CORM_ETYPE, "Field 'Post.view_count' expected a number but got 'abc'.");
	assert_int_equal(p->view_count, 0);
	assert_int_equal(CORM_SET(p, "view_count", (int64_t)5000000000), CORM_ETYPE);
	assert_last(CORM_ETYPE, "Field 'view_count' of blog.Post expected an integer between "
	                        "-2147483648 and 2147483647 (PositiveIntegerField) but got "
	                        "5000000000.");
	assert_int_equal(CORM_SET(p, "views", 3), CORM_EFIELD);
	assert_last(CORM_EFIELD,
	            "blog.Post has no field named 'views'. Choices are: author, author_id, body, "
	            "category, category_id, created_at, id, is_active, slug, title, updated_at, "
	            "view_count");
	assert_int_equal(CORM_SET(p, NULL, 3), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_set: the field name is NULL");
	assert_int_equal(CORM_SET(NULL, "title", "x"), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_set: the instance is NULL or not of a registered model");
	assert_int_equal(corm_set_str(NULL, "x"), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_set_str: the member is NULL");
	int not_a_member;
	assert_int_equal(corm_set_null(p, &not_a_member, true), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_set_null: the member is not a field of the instance (or the "
	                         "instance is NULL or not of a registered model)");
	assert_int_equal(corm_clone(NULL, &(Post *){NULL}), CORM_EINVAL);
	assert_last(CORM_EINVAL,
	            "corm_clone: the source is NULL or not an instance of a registered model");
	assert_int_equal(corm_full_clean(NULL, NULL, NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_full_clean: the instance is NULL");
	corm_free(p);
}

typedef struct Lonely {
	corm_obj obj;
	char *name;
} Lonely;
static const corm_field lonely_fields[] = {CORM_CHAR(Lonely, name, .max_length = 10)};
static corm_model Lonely_model = CORM_MODEL(Lonely, "island", lonely_fields);

static void test_new_unregistered(void **state)
{
	(void)state;
	Lonely *l = (Lonely *)&l; /* set to NULL on failure */
	assert_int_equal(corm_new(&Lonely_model, &l), CORM_EINVAL);
	assert_null(l);
	assert_last(CORM_EINVAL,
	            "corm_new: model island.Lonely is not registered (corm_registry_add "
	            "it first)");
	assert_int_equal(corm_new(&Post_model, NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_new: the out pointer is NULL");
	/* an instance of an unregistered model cannot be cleaned either */
	Lonely fake = {.obj = {.model = &Lonely_model}};
	assert_int_equal(corm_full_clean(&fake, NULL, NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_full_clean: the instance's model is not registered");
}

/* A message longer than the per-thread buffer is cut before a whole UTF-8 character. */
static void test_long_message_cut_at_utf8_boundary(void **state)
{
	(void)state;
	Post *p;
	assert_int_equal(corm_new(&Post_model, &p), CORM_OK);
	for (int pad = 0; pad < 4; pad++) {
		char name[2048];
		size_t n = 0;
		for (int i = 0; i < pad; i++)
			name[n++] = 'x';
		while (n < 1400) { /* "é" and "€": 2- and 3-byte characters */
			memcpy(name + n, "\xc3\xa9\xe2\x82\xac", 5);
			n += 5;
		}
		name[n] = '\0';
		assert_int_equal(CORM_SET(p, name, 1), CORM_EFIELD);
		const corm_error *e = corm_error_last();
		size_t len = strlen(e->message);
		assert_true(len <= CORM_ERROR_MESSAGE_MAX - 1);
		assert_true(len >= CORM_ERROR_MESSAGE_MAX - 3); /* at most a 3-byte character cut */
		const char *prefix = "blog.Post has no field named '";
		assert_memory_equal(e->message, prefix, strlen(prefix));
		assert_memory_equal(e->message + strlen(prefix), name, len - strlen(prefix));
		/* valid UTF-8 to the end: the last character is whole */
		size_t i = 0;
		while (i < len) {
			unsigned char c = (unsigned char)e->message[i];
			size_t w = c < 0x80 ? 1 : c >= 0xE0 ? 3 : 2;
			assert_true(c < 0x80 || c >= 0xC0);
			i += w;
		}
		assert_int_equal(i, len);
	}
	corm_free(p);
}

/* ---- the registry ---- */

static void test_registry_errors_last_error(void **state)
{
	(void)state;
	corm_registry *other;
	assert_int_equal(corm_registry_new(&other), CORM_OK);
	/* Post is registered in `reg` (setup) too: a declaration can be in several registries */
	assert_int_equal(corm_registry_add(other, &Post_model), CORM_OK);
	assert_int_equal(corm_registry_count(other), 1);
	const char *msg;

	const corm_model *found = (corm_model *)&found;
	assert_int_equal(corm_registry_get(reg, "blog.Nope", &found), CORM_ENOTFOUND);
	assert_null(found);
	msg = "No installed model 'blog.Nope'. Choices are: auth.User, blog.Category, blog.Post";
	assert_string_equal(corm_registry_errmsg(reg), msg);
	assert_last(CORM_ENOTFOUND, msg);

	typedef struct Bad {
		corm_obj obj;
		char *name;
	} Bad;
	static const corm_field no_len[] = {CORM_CHAR(Bad, name)};
	static corm_model bad = CORM_MODEL(Bad, "x", no_len);
	assert_int_equal(corm_registry_add(other, &bad), CORM_EMODEL);
	msg = "x.Bad.name: CharFields must define a 'max_length' attribute.";
	assert_string_equal(corm_registry_errmsg(other), msg);
	assert_last(CORM_EMODEL, msg);

	assert_int_equal(corm_registry_add(NULL, &bad), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_registry_add: the registry is NULL");
	assert_int_equal(corm_registry_get(reg, NULL, &found), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_registry_get: the label is NULL");
	assert_int_equal(corm_registry_new(NULL), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_registry_new: the out pointer is NULL");
	corm_registry_free(other);
}

/* ---- corm_open ---- */

static void test_open_failures(void **state)
{
	(void)state;
	assert_int_equal(corm_open(NULL, "sqlite://:memory:"), CORM_EINVAL);
	assert_last(CORM_EINVAL, "corm_open: the out pointer is NULL");
	corm_db *db;
	assert_int_equal(corm_open(&db, "nonsense"), CORM_EURL);
	assert_string_equal(corm_errmsg(db), "malformed database URL: expected scheme://...");
	assert_last(CORM_EURL, "malformed database URL: expected scheme://...");
	corm_close(db);
}

/* ---- the statement cache keeps its size when resizing fails ---- */

static bool fail_next; /* fail the next allocation, once */
static void *fail_malloc(size_t size, void *ctx)
{
	(void)ctx;
	if (fail_next) {
		fail_next = false;
		return NULL;
	}
	return malloc(size);
}
static void *fail_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	if (fail_next) {
		fail_next = false;
		return NULL;
	}
	return realloc(ptr, size);
}
static void plain_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}
static const corm_allocator failing = {fail_malloc, fail_realloc, plain_free, NULL};

static void test_statement_cache_enomem_keeps_size(void **state)
{
	(void)state;
	corm_db *db;
	assert_int_equal(corm_open(&db, "sqlite://:memory:"), CORM_OK);
	assert_int_equal(corm_set_statement_cache(db, 8), CORM_OK);
	assert_int_equal(corm_create_tables(db, reg), CORM_OK);
	corm_set_allocator(&failing);
	fail_next = true;
	int rc = corm_set_statement_cache(db, 16);
	assert_false(fail_next);
	corm_set_allocator(NULL);
	assert_int_equal(rc, CORM_ENOMEM);
	assert_int_equal(corm_errcode(db), CORM_ENOMEM);
	assert_string_equal(corm_errmsg(db), "corm_set_statement_cache: out of memory for 16 "
	                                     "statements; the cache keeps its size of 8");
	assert_int_equal(db->cache_cap, 8);
	assert_non_null(db->cache);
	/* and it still caches: a query run twice is prepared once */
	int64_t n = -1;
	for (int i = 0; i < 2; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		assert_int_equal(corm_count(qs, &n), CORM_OK);
		corm_qs_free(qs);
		assert_int_equal(n, 0);
		assert_int_equal(db->ncache, 1);
	}
	void *prepared = db->cache[0].s;
	corm_qs *qs = corm_objects(db, &Post_model);
	assert_int_equal(corm_count(qs, &n), CORM_OK);
	corm_qs_free(qs);
	assert_ptr_equal(db->cache[0].s, prepared);
	/* the next call that succeeds clears the connection's error */
	assert_int_equal(corm_set_statement_cache(db, 4), CORM_OK);
	assert_int_equal(corm_errcode(db), CORM_OK);
	assert_int_equal(db->cache_cap, 4);
	assert_int_equal(corm_set_statement_cache(db, 0), CORM_OK);
	assert_null(db->cache);
	corm_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_code_name_and_sentence),
	        cmocka_unit_test(test_unknown_codes),
	        cmocka_unit_test(test_enum_and_tables_come_from_one_list),
	        cmocka_unit_test(test_last_error_initial_and_clear),
	        cmocka_unit_test(test_set_bad_value),
	        cmocka_unit_test(test_new_unregistered),
	        cmocka_unit_test(test_long_message_cut_at_utf8_boundary),
	        cmocka_unit_test(test_registry_errors_last_error),
	        cmocka_unit_test(test_open_failures),
	        cmocka_unit_test(test_statement_cache_enomem_keeps_size),
	};
	return cmocka_run_group_tests_name("errors", tests, setup_registry, teardown_registry);
}

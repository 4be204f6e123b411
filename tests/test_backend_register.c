/*
 * A backend built outside corm (issue 8, item 6): corm_backend_register takes a
 * table of this ABI for a URL scheme and refuses any other with CORM_EINVAL and
 * a message; corm_open then reaches the backend by its scheme, and the backend
 * writes SQL through the public appends of corm/sys/buf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "corm/introspection.h"
#include "corm/sys/backend.h"
#include "corm/sys/buf.h"
#include "db/db.h"

/* ---- a tiny backend: it opens, records the URL, and can run nothing ---- */

typedef struct tiny_conn {
	char host[64];
	int port;
} tiny_conn;

static int closes;

static int tiny_open(void **conn, const corm_url *url, corm_driver_error *err)
{
	(void)err;
	tiny_conn *c = calloc(1, sizeof *c);
	if (!c)
		return CORM_ENOMEM;
	snprintf(c->host, sizeof c->host, "%s", url->host ? url->host : "");
	c->port = url->port;
	*conn = c;
	return CORM_OK;
}
static void tiny_close(void *conn)
{
	free(conn);
	closes++;
}
static int tiny_prepare(void *conn, const char *sql, size_t len, void **stmt,
                        corm_driver_error *err)
{
	(void)conn;
	(void)stmt;
	err->code = CORM_EBACKEND;
	err->native = 42;
	snprintf(err->message, sizeof err->message, "tiny cannot run: %.*s", (int)len, sql);
	return CORM_EBACKEND;
}
static int tiny_bind(void *stmt, int index, const corm_value *value, bool stable,
                     corm_driver_error *err)
{
	(void)stmt, (void)index, (void)value, (void)stable, (void)err;
	return CORM_EBACKEND;
}
static int tiny_step(void *stmt, corm_driver_error *err)
{
	(void)stmt, (void)err;
	return CORM_EBACKEND;
}
static int tiny_column(void *stmt, int col, corm_type want, corm_value *out)
{
	(void)stmt, (void)col, (void)want, (void)out;
	return CORM_EBACKEND;
}
static int tiny_column_text(void *stmt, int col, const char **text, size_t *len)
{
	(void)stmt, (void)col, (void)text, (void)len;
	return CORM_EBACKEND;
}
static int tiny_column_count(void *stmt)
{
	(void)stmt;
	return 0;
}
static int tiny_reset(void *stmt)
{
	(void)stmt;
	return CORM_OK;
}
static void tiny_finalize(void *stmt)
{
	(void)stmt;
}
static int64_t tiny_changes(void *conn)
{
	(void)conn;
	return 0;
}
static void tiny_quote_name(struct corm_buf *b, const char *name)
{
	corm_buf_append_quoted(b, name, '"');
}
static void tiny_placeholder(struct corm_buf *b, int n)
{
	corm_buf_append_char(b, ':');
	corm_buf_append_int(b, n);
}
static void tiny_data_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                           int decimal_places)
{
	(void)max_digits, (void)decimal_places;
	corm_buf_append_fmt(b, "tiny%d(%d)", kind, max_length);
}
static int tiny_features(void *conn, corm_features *f, corm_driver_error *err)
{
	(void)err;
	f->max_query_params = ((tiny_conn *)conn)->port;
	f->uses_savepoints = true;
	return CORM_OK;
}
static const corm_lookup_sql tiny_lookups[] = {{"exact", "= %s", NULL, NULL},
                                               {NULL, NULL, NULL, NULL}};
static const corm_transform_sql tiny_transforms[] = {{NULL, NULL, NULL, NULL}};

/* ABI 6: the schema editor's statements are required (a backend with only these) */
static const corm_schema_templates tiny_schema = {
        .create_table = "CREATE TABLE %(table)s (%(definition)s)",
        .delete_table = "DROP TABLE %(table)s",
};

static const corm_backend tiny_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "tiny",
        .features = tiny_features,
        .open = tiny_open,
        .close = tiny_close,
        .prepare = tiny_prepare,
        .bind = tiny_bind,
        .step = tiny_step,
        .column = tiny_column,
        .column_text = tiny_column_text,
        .column_count = tiny_column_count,
        .reset = tiny_reset,
        .finalize = tiny_finalize,
        .changes = tiny_changes,
        .last_insert_id = tiny_changes,
        .quote_name = tiny_quote_name,
        .placeholder = tiny_placeholder,
        .lookups = tiny_lookups,
        .transforms = tiny_transforms,
        .random_sql = "RANDOM()",
        .data_type = tiny_data_type,
        .schema = &tiny_schema,
};

static void assert_refused(const corm_backend *be, const char *scheme, const char *message)
{
	corm_error_clear();
	assert_int_equal(corm_backend_register(be, scheme), CORM_EINVAL);
	assert_int_equal(corm_error_last()->code, CORM_EINVAL);
	assert_string_equal(corm_error_last()->message, message);
}

static void test_other_abi_is_refused(void **state)
{
	(void)state;
	corm_backend old = tiny_backend;
	old.abi = CORM_BACKEND_ABI - 2;
	char msg[128];
	snprintf(msg, sizeof msg,
	         "backend 'tiny' implements corm backend ABI %d, this corm needs %d",
	         CORM_BACKEND_ABI - 2, CORM_BACKEND_ABI);
	assert_refused(&old, "tiny", msg);
	old.abi = CORM_BACKEND_ABI + 1;
	old.vendor = NULL;
	snprintf(msg, sizeof msg,
	         "backend 'tiny' implements corm backend ABI %d, this corm needs %d",
	         CORM_BACKEND_ABI + 1, CORM_BACKEND_ABI);
	assert_refused(&old, "tiny", msg); /* no vendor: named by its scheme */
	/* nothing was registered: the scheme is still unknown to corm_open */
	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, "tiny://h/d"), CORM_EURL);
	assert_string_equal(corm_errmsg(db), "malformed database URL: unknown scheme 'tiny' "
	                                     "(expected sqlite, postgres or mysql)");
	corm_close(db);
}

static void test_incomplete_or_misnamed_is_refused(void **state)
{
	(void)state;
	corm_backend t = tiny_backend;
	t.features = NULL;
	assert_refused(&t, "tiny", "backend 'tiny' has no features");
	t = tiny_backend;
	t.column_text = NULL;
	assert_refused(&t, "tiny", "backend 'tiny' has no column_text");
	t = tiny_backend;
	t.schema = NULL; /* ABI 6 */
	assert_refused(&t, "tiny", "backend 'tiny' has no schema");
	t = tiny_backend;
	t.vendor = "";
	assert_refused(&t, "tiny", "backend for scheme 'tiny' has no vendor name");
	assert_refused(&tiny_backend, "MariaDB",
	               "backend 'tiny': scheme 'mariadb' belongs to a built-in backend");
	assert_refused(&tiny_backend, "ti ny",
	               "backend 'tiny': scheme 'ti ny' must be 1 to 15 letters, digits or '+'");
	assert_refused(&tiny_backend, "",
	               "backend 'tiny': scheme '' must be 1 to 15 letters, "
	               "digits or '+'");
	assert_refused(&tiny_backend, "abcdefghijklmnop",
	               "backend 'tiny': scheme 'abcdefghijklmnop' must be 1 to 15 letters, digits "
	               "or '+'");
	assert_refused(NULL, "tiny", "corm_backend_register: the backend is NULL");
	assert_refused(&tiny_backend, NULL, "corm_backend_register: scheme is NULL");
}

static void test_registered_backend_opens_by_scheme(void **state)
{
	(void)state;
	assert_int_equal(corm_backend_register(&tiny_backend, "Tiny+X"), CORM_OK);
	assert_int_equal(corm_backend_register(&tiny_backend, "tiny+x"), CORM_OK); /* again */
	corm_backend other = tiny_backend;
	other.vendor = "other";
	assert_refused(&other, "TINY+x",
	               "backend 'other': scheme 'tiny+x' is taken by backend 'tiny'");

	corm_db *db = NULL;
	closes = 0;
	assert_int_equal(corm_open(&db, "tiny+X://u:p@somehost:99/db"), CORM_OK);
	assert_string_equal(corm_vendor(db), "tiny");
	tiny_conn *c = db->conn;
	assert_string_equal(c->host, "somehost");
	/* the connection's features are what the backend's hook said */
	assert_int_equal(db->features.max_query_params, 99);
	assert_true(db->features.uses_savepoints);
	assert_false(db->features.has_select_for_update);
	assert_int_equal(corm_execute(db, "SELECT 1", NULL, 0, NULL), CORM_EBACKEND);
	assert_string_equal(corm_errmsg(db), "tiny cannot run: SELECT 1");
	assert_int_equal(corm_native_errcode(db), 42);
	/* no transaction statements: refused, not crashed */
	assert_int_equal(corm_atomic_begin(db), CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(db), "the tiny backend has no SQL to begin a transaction");
	corm_close(db);
	assert_int_equal(closes, 1);
}

/* ABI 6: the schema editor writes every statement from the backend's templates; a template
 * naming a placeholder the statement does not have is refused with a message, and a backend
 * without introspection hooks says so. */
static void test_schema_templates_and_introspection(void **state)
{
	(void)state;
	corm_schema_templates bad = tiny_schema;
	bad.create_table = "CREATE TABLE %(table)s (%(columns)s)";
	corm_backend t = tiny_backend;
	t.vendor = "tiny2";
	t.schema = &bad;
	assert_int_equal(corm_backend_register(&t, "tiny2"), CORM_OK);
	assert_int_equal(corm_backend_register(&tiny_backend, "tiny+x"), CORM_OK); /* as before */
	corm_registry *reg = NULL;
	assert_int_equal(corm_registry_new(&reg), CORM_OK);
	assert_int_equal(corm_registry_add(reg, &User_model), CORM_OK);
	assert_int_equal(corm_registry_ready(reg), CORM_OK);
	corm_db *db = NULL;
	assert_int_equal(corm_open(&db, "tiny2://h/d"), CORM_OK);
	char *sql = NULL;
	assert_int_equal(corm_schema_sql(db, reg, &sql), CORM_EINVAL);
	assert_null(sql);
	assert_string_equal(corm_errmsg(db),
	                    "the tiny2 backend's schema template \"CREATE TABLE %(table)s "
	                    "(%(columns)s)\" uses %(columns)s, which this statement does not "
	                    "provide");
	corm_table_desc *d = NULL;
	assert_int_equal(corm_introspect_table(db, "auth_user", &d), CORM_ENOTSUP);
	assert_string_equal(corm_errmsg(db), "the tiny2 backend has no introspection");
	assert_null(d);
	corm_name_list *l = NULL;
	assert_int_equal(corm_introspect_tables(db, &l), CORM_ENOTSUP);
	assert_null(l);
	corm_close(db);
	/* the good templates: the statement is the backend's own, types from data_type */
	assert_int_equal(corm_open(&db, "tiny+x://h/d"), CORM_OK);
	assert_int_equal(corm_schema_sql(db, reg, &sql), CORM_OK);
	assert_non_null(strstr(sql, "CREATE TABLE "));
	assert_non_null(strstr(sql, "tiny3("));
	corm_mem_free(sql);
	corm_close(db);
	corm_registry_free(reg);
}

/* The public appends write into corm's private buffer; the tiny backend's hooks use them. */
static void test_public_buffer_appends(void **state)
{
	(void)state;
	corm_buf b = CORM_BUF_INIT;
	tiny_quote_name(&b, "we\"ird");
	corm_buf_append_str(&b, " = ");
	tiny_placeholder(&b, 12);
	corm_buf_append(&b, ", x\0y", 5);
	corm_buf_append_char(&b, ' ');
	tiny_data_type(&b, 3, 40, 0, 0);
	corm_buf_append_int(&b, INT64_MIN);
	assert_false(corm_buf_failed(&b));
	static const char want[] = "\"we\"\"ird\" = :12, x\0y tiny3(40)-9223372036854775808";
	assert_int_equal(b.len, sizeof want - 1);
	assert_memory_equal(b.ptr, want, sizeof want - 1);
	/* NULL arguments do nothing */
	corm_buf_append_str(&b, NULL);
	corm_buf_append_quoted(&b, NULL, '"');
	corm_buf_append_fmt(NULL, "%d", 1);
	assert_int_equal(b.len, sizeof want - 1);
	assert_true(corm_buf_failed(NULL));
	corm_mem_free(b.ptr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_other_abi_is_refused),
	        cmocka_unit_test(test_incomplete_or_misnamed_is_refused),
	        cmocka_unit_test(test_registered_backend_opens_by_scheme),
	        cmocka_unit_test(test_public_buffer_appends),
	        cmocka_unit_test(test_schema_templates_and_introspection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The SQLite backend's connection and driver (Django's backends/sqlite3/base.py): open,
 * prepare, bind, step, columns, the REGEXP function, and the backend table, which takes
 * the dialect from operations.c, the features from features.c and the DDL from schema.c.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/base/backends.h"
#include "backend/base/text_value.h"
#include "backend/sqlite/internal.h"
#include "model/meta.h"
#include "util/alloc.h"
#include "util/buf.h"

static void set_err(corm_driver_error *err, sqlite3 *db, int rc)
{
	if (!err)
		return;
	int ext = db ? sqlite3_extended_errcode(db) : rc;
	err->native = ext;
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		err->code = CORM_ECONSTRAINT;
		break;
	case SQLITE_NOMEM:
		err->code = CORM_ENOMEM;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err->code = CORM_ELOCKED;
		break;
	case SQLITE_CANTOPEN:
		err->code = CORM_ECONNECTION;
		break;
	default:
		err->code = CORM_EBACKEND;
		break;
	}
	snprintf(err->message, sizeof err->message, "%s",
	         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/*
 * REGEXP for the regex/iregex lookups, through PCRE2 (one well-kept dialect,
 * Perl/Python-like: \d, lookarounds, (?i) ...), in UTF mode with Unicode
 * properties, so iregex's "(?i)" prefix folds case beyond ASCII. Patterns and
 * their match data are allocated with corm's allocator and cached on the
 * statement with sqlite3_set_auxdata (kept while the pattern argument stays
 * the same, as Django's lru_cache'd re.compile does across rows).
 */
typedef struct sq_regex {
	pcre2_code *code;
	pcre2_match_data *match;
} sq_regex;

static void *pcre_malloc(PCRE2_SIZE size, void *data)
{
	return corm__alloc(size);
}
static void pcre_free(void *ptr, void *data)
{
	corm__free(ptr);
}

static void regex_free(void *p)
{
	sq_regex *re = p;
	pcre2_match_data_free(re->match);
	pcre2_code_free(re->code);
	corm__free(re);
}

/* Compiles `pattern`; NULL with the SQL function's error set (bad pattern, out of memory). */
static sq_regex *regex_compile(sqlite3_context *ctx, const char *pattern, size_t len)
{
	pcre2_general_context *gc = pcre2_general_context_create(pcre_malloc, pcre_free, NULL);
	pcre2_compile_context *cc = gc ? pcre2_compile_context_create(gc) : NULL;
	sq_regex *re = cc ? corm__calloc(1, sizeof *re) : NULL;
	int code = 0;
	PCRE2_SIZE offset = 0;
	if (re)
		re->code = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_UCP, &code,
		                         &offset, cc);
	if (re && re->code)
		re->match = pcre2_match_data_create_from_pattern(re->code, gc);
	pcre2_compile_context_free(cc);
	pcre2_general_context_free(gc);
	if (re && re->match)
		return re;
	if (re && !re->code && code != PCRE2_ERROR_HEAP_FAILED) {
		PCRE2_UCHAR why[256];
		if (pcre2_get_error_message(code, why, sizeof why) < 0)
			snprintf((char *)why, sizeof why, "error %d", code);
		char *msg = sqlite3_mprintf("invalid regular expression '%.*s': %s at offset %llu",
		                            (int)len, pattern, (const char *)why,
		                            (unsigned long long)offset);
		if (msg)
			sqlite3_result_error(ctx, msg, -1);
		else
			sqlite3_result_error_nomem(ctx);
		sqlite3_free(msg);
	} else {
		sqlite3_result_error_nomem(ctx);
	}
	if (re) {
		pcre2_code_free(re->code);
		corm__free(re);
	}
	return NULL;
}

static void regexp_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *pattern = (const char *)sqlite3_value_text(argv[0]);
	const char *text = (const char *)sqlite3_value_text(argv[1]);
	if (!pattern || !text)
		return; /* NULL: no match, like Django's _sqlite_regexp */
	sq_regex *re = sqlite3_get_auxdata(ctx, 0);
	if (!re) {
		re = regex_compile(ctx, pattern, (size_t)sqlite3_value_bytes(argv[0]));
		if (!re)
			return;
		sqlite3_set_auxdata(ctx, 0, re, regex_free); /* frees it if it cannot keep it */
		re = sqlite3_get_auxdata(ctx, 0);
		if (!re) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	int rc = pcre2_match(re->code, (PCRE2_SPTR)text, (size_t)sqlite3_value_bytes(argv[1]), 0, 0,
	                     re->match, NULL);
	if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
		sqlite3_result_int(ctx, rc >= 0);
		return;
	}
	if (rc == PCRE2_ERROR_NOMEMORY || rc == PCRE2_ERROR_HEAPLIMIT) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	PCRE2_UCHAR why[256];
	if (pcre2_get_error_message(rc, why, sizeof why) < 0)
		snprintf((char *)why, sizeof why, "error %d", rc);
	char *msg = sqlite3_mprintf("regular expression '%s' could not be matched: %s", pattern,
	                            (const char *)why);
	if (msg)
		sqlite3_result_error(ctx, msg, -1);
	else
		sqlite3_result_error_nomem(ctx);
	sqlite3_free(msg);
}

static int sq_open(void **out, const corm_url *url, corm_driver_error *err)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(url->path, &db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
	                                 SQLITE_OPEN_NOMUTEX,
	                         NULL);
	if (rc != SQLITE_OK) {
		set_err(err, db, rc);
		sqlite3_close(db);
		return err->code;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Django enables foreign keys on every SQLite connection. */
	rc = sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
		                             NULL, regexp_fn, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, 5000);
	if (rc != SQLITE_OK) {
		set_err(err, db, rc);
		sqlite3_close(db);
		return err->code;
	}
	*out = db;
	return CORM_OK;
}

static void sq_close(void *conn)
{
	sqlite3_close_v2(conn);
}

/*
 * The statement handle the backend gives corm: SQLite's statement and the text of its
 * date, time and UUID parameters, one slot per parameter, made on the first such bind.
 * SQLite refers to that text (SQLITE_STATIC) instead of copying it on every bind (a copy
 * cost an insert of a datetime ~500 instructions: an allocation, a copy and a free). The
 * text stays until the parameter is bound again or the statement is finalized.
 */
typedef char sq_scratch[CORM_DATETIME_STRLEN];

typedef struct sq_stmt {
	sqlite3_stmt *s;
	sq_scratch *scratch;
	int nparams;
} sq_stmt;

static int oom(corm_driver_error *err)
{
	err->code = CORM_ENOMEM;
	snprintf(err->message, sizeof err->message, "out of memory");
	return CORM_ENOMEM;
}

static int sq_prepare(void *conn, const char *sql, size_t len, void **stmt, corm_driver_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(conn, sql, (int)len, &s, NULL);
	if (rc != SQLITE_OK) {
		set_err(err, conn, rc);
		return err->code;
	}
	sq_stmt *h = corm__alloc(sizeof *h);
	if (!h) {
		sqlite3_finalize(s);
		return oom(err);
	}
	*h = (sq_stmt){s, NULL, sqlite3_bind_parameter_count(s)};
	*stmt = h;
	return CORM_OK;
}

/*
 * Where the text of parameter `index` (0-based) is written: its slot, bound in place
 * (*keep SQLITE_STATIC; the next bind of the parameter replaces the text, after SQLite let
 * it go), or `local`, copied by SQLite, for an index SQLite refuses anyway. NULL when out of
 * memory.
 */
static char *text_slot(sq_stmt *h, int index, char *local, sqlite3_destructor_type *keep)
{
	if (index < 0 || index >= h->nparams) {
		*keep = SQLITE_TRANSIENT;
		return local;
	}
	if (!h->scratch && !(h->scratch = corm__calloc((size_t)h->nparams, sizeof *h->scratch)))
		return NULL;
	*keep = SQLITE_STATIC;
	return h->scratch[index];
}

static int sq_bind(void *stmt, int index, const corm_value *v, bool stable, corm_driver_error *err)
{
	sq_stmt *h = stmt;
	sqlite3_stmt *s = h->s;
	/* the reset keeps bindings (sq_reset), but the next run binds every parameter again
	 * before stepping: a stable value is never read after it is gone */
	sqlite3_destructor_type keep = stable ? SQLITE_STATIC : SQLITE_TRANSIENT;
	int i = index + 1, rc;
	char local[CORM_DATETIME_STRLEN], *tmp; /* dates, times and UUIDs: text_slot */
	switch (v->type) {
	case CORM_TYPE_NULL:
		rc = sqlite3_bind_null(s, i);
		break;
	case CORM_TYPE_INT:
		rc = sqlite3_bind_int64(s, i, v->u.i);
		break;
	case CORM_TYPE_FLOAT:
		rc = sqlite3_bind_double(s, i, v->u.f);
		break;
	case CORM_TYPE_BOOL:
		rc = sqlite3_bind_int(s, i, v->u.b);
		break;
	case CORM_TYPE_TEXT:
		rc = sqlite3_bind_text(s, i, v->u.text, -1, keep);
		break;
	case CORM_TYPE_BYTES:
		rc = sqlite3_bind_blob64(s, i, v->u.bytes.data ? (const void *)v->u.bytes.data : "",
		                         v->u.bytes.len, keep);
		break;
	case CORM_TYPE_DECIMAL: {
		char *text = corm_decimal_to_string(v->u.decimal);
		if (!text)
			return oom(err);
		rc = sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
		corm__free(text);
		break;
	}
	case CORM_TYPE_DATE: {
		if (!(tmp = text_slot(h, index, local, &keep)))
			return oom(err);
		size_t n = corm_date_format(v->u.date, tmp);
		rc = sqlite3_bind_text(s, i, tmp, (int)n, keep);
		break;
	}
	case CORM_TYPE_DATETIME: {
		if (!(tmp = text_slot(h, index, local, &keep)))
			return oom(err);
		size_t n = corm_datetime_format(v->u.datetime, tmp);
		rc = sqlite3_bind_text(s, i, tmp, (int)n, keep);
		break;
	}
	case CORM_TYPE_TIME: {
		if (!(tmp = text_slot(h, index, local, &keep)))
			return oom(err);
		size_t n = corm_time_format(v->u.time, tmp);
		rc = sqlite3_bind_text(s, i, tmp, (int)n, keep);
		break;
	}
	case CORM_TYPE_DURATION:
		rc = sqlite3_bind_int64(s, i, v->u.duration.us);
		break;
	case CORM_TYPE_UUID: {
		if (!(tmp = text_slot(h, index, local, &keep)))
			return oom(err);
		size_t n = corm_uuid_hex(v->u.uuid, tmp);
		rc = sqlite3_bind_text(s, i, tmp, (int)n, keep);
		break;
	}
	case CORM_TYPE_JSON: {
		size_t n;
		char *text = corm__json_dumps(v->u.json, JSON_ENCODE_ANY | JSON_COMPACT, &n);
		if (!text)
			return oom(err);
		rc = sqlite3_bind_text64(s, i, text, n, corm__free, SQLITE_UTF8);
		break;
	}
	default:
		snprintf(err->message, sizeof err->message, "cannot bind a value of type %d",
		         v->type);
		err->code = CORM_EINVAL;
		return CORM_EINVAL;
	}
	if (rc != SQLITE_OK) {
		set_err(err, sqlite3_db_handle(s), rc);
		return err->code;
	}
	return CORM_OK;
}

static int sq_step(void *stmt, corm_driver_error *err)
{
	sqlite3_stmt *s = ((sq_stmt *)stmt)->s;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return CORM_ROW;
	if (rc == SQLITE_DONE)
		return CORM_DONE;
	set_err(err, sqlite3_db_handle(s), rc);
	return err->code;
}

static inline int column_text(sqlite3_stmt *s, int col, const char **text, size_t *len)
{
	*text = (const char *)sqlite3_column_text(s, col);
	if (!*text)
		return sqlite3_column_type(s, col) == SQLITE_NULL ? CORM_OK : CORM_ENOMEM;
	*len = (size_t)sqlite3_column_bytes(s, col);
	return CORM_OK;
}

static int sq_column_text(void *stmt, int col, const char **text, size_t *len)
{
	return column_text(((sq_stmt *)stmt)->s, col, text, len);
}

static inline int column_value(sqlite3_stmt *s, int col, corm_type want, corm_value *out)
{
	const char *text;
	int len;
	bool textual = want != CORM_TYPE_INT && want != CORM_TYPE_FLOAT && want != CORM_TYPE_BOOL &&
	               want != CORM_TYPE_DURATION && want != CORM_TYPE_BYTES;
	/* text-stored types learn NULL from sqlite3_column_text itself: one call fewer per cell */
	if (!textual && sqlite3_column_type(s, col) == SQLITE_NULL) {
		*out = corm_v_null();
		return CORM_OK;
	}
	switch (want) {
	case CORM_TYPE_INT:
		*out = corm_v_int(sqlite3_column_int64(s, col));
		return CORM_OK;
	case CORM_TYPE_FLOAT:
		*out = corm_v_float(sqlite3_column_double(s, col));
		return CORM_OK;
	case CORM_TYPE_BOOL:
		*out = corm_v_bool(sqlite3_column_int64(s, col) != 0);
		return CORM_OK;
	case CORM_TYPE_DURATION:
		*out = corm_v_duration((corm_duration){sqlite3_column_int64(s, col)});
		return CORM_OK;
	case CORM_TYPE_BYTES: {
		const void *p = sqlite3_column_blob(s, col);
		len = sqlite3_column_bytes(s, col);
		*out = corm_v_bytes(p ? p : "", (size_t)len);
		return CORM_OK;
	}
	default:
		break;
	}
	size_t n = 0;
	int rc = column_text(s, col, &text, &n);
	if (rc || !text) {
		*out = corm_v_null();
		return rc;
	}
	return corm__value_from_text(want, text, n, out);
}

static int sq_column(void *stmt, int col, corm_type want, corm_value *out)
{
	return column_value(((sq_stmt *)stmt)->s, col, want, out);
}

static int sq_column_int_not_null(void *stmt, int col, int64_t *out)
{
	*out = sqlite3_column_int64(((sq_stmt *)stmt)->s, col);
	return CORM_OK;
}

static int sq_column_count(void *stmt)
{
	return sqlite3_column_count(((sq_stmt *)stmt)->s);
}
/*
 * The bindings stay: the next execution of a cached statement binds every
 * parameter again, and sqlite3_clear_bindings cost an insert 1,100
 * instructions (a quarter of corm's own work). The copies it holds are freed
 * then, or when the statement is evicted.
 */
static int sq_reset(void *stmt)
{
	sqlite3_reset(((sq_stmt *)stmt)->s);
	return CORM_OK;
}
static void sq_finalize(void *stmt)
{
	sq_stmt *h = stmt;
	sqlite3_finalize(h->s); /* first: the bindings may point into the scratch slots */
	corm__free(h->scratch);
	corm__free(h);
}
static int64_t sq_changes(void *conn)
{
	return sqlite3_changes64(conn);
}
static int64_t sq_last_insert_id(void *conn)
{
	return sqlite3_last_insert_rowid(conn);
}

static bool sq_is_alive(void *conn)
{
	return conn != NULL;
}

const corm_backend corm__sqlite_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "sqlite",
        .features = corm__sq_features,
        .open = sq_open,
        .close = sq_close,
        .prepare = sq_prepare,
        .bind = sq_bind,
        .step = sq_step,
        .column = sq_column,
        .column_text = sq_column_text,
        .column_count = sq_column_count,
        .reset = sq_reset,
        .finalize = sq_finalize,
        .changes = sq_changes,
        .last_insert_id = sq_last_insert_id,
        .quote_name = corm__sq_quote_name,
        .placeholder = corm__sq_placeholder,
        .lookups = corm__sq_lookups,
        .transforms = corm__sq_transforms,
        .like_escape = CORM__SQ_LIKE_ESCAPE,
        .in_json_sql = corm__sq_in_json_sql,
        .random_sql = corm__sq_random_sql,
        .no_limit = corm__sq_no_limit,
        .data_type = corm__sq_data_type,
        .auto_suffix = corm__sq_auto_suffix,
        .check_sql = corm__sq_check_sql,
        .deferrable_sql = corm__sq_deferrable_sql,
        .transaction = CORM_TRANSACTION_SQL_STANDARD,
        .column_int_not_null = sq_column_int_not_null,
        .is_alive = sq_is_alive,
        .quote_value = NULL, /* standard: '' for a quote */
        .sql_syntax = CORM_SQL_BACKTICK_NAMES | CORM_SQL_BRACKET_NAMES,
        /* ABI 6: schema.c, introspection.c */
        .schema = &corm__sq_schema,
        .introspect_tables = corm__sq_introspect_tables,
        .introspect_table = corm__sq_introspect_table,
};

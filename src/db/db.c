/* Opening and closing connections, per-handle errors, statement helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/base/backends.h"
#include "backend/base/sql_lex.h"
#include "db/db.h"
#include "db/url.h"
#include "util/alloc.h"

int corm__db_error(corm_db *db, int code, const char *fmt, ...)
{
	db->err.code = code;
	db->native_err = 0;
	corm_buf_clear(&db->err.msg);
	va_list ap;
	va_start(ap, fmt);
	corm_buf_vprintf(&db->err.msg, fmt, ap);
	va_end(ap);
	return code;
}

int corm__db_take(corm_db *db, corm_err *err)
{
	int code = err->code;
	corm__db_error(db, code, "%s",
	               corm_buf_cstr(&err->msg) ? corm_buf_cstr(&err->msg) : "out of memory");
	return code;
}

/* Empty, without zeroing the 512-byte message: this runs for every row stepped. */
static void no_driver_error(corm_driver_error *e)
{
	e->code = 0;
	e->native = 0;
	e->message[0] = '\0';
}

static int driver_error(corm_db *db, const corm_driver_error *e)
{
	corm__db_error(db, e->code ? e->code : CORM_EBACKEND, "%s", e->message);
	db->native_err = e->native;
	/* a deadlock victim or a lost connection has no transaction left to continue */
	if (db->depth > 0 && (e->code == CORM_EDEADLOCK || e->code == CORM_ECONNECTION))
		db->rollback_only = true;
	/* whatever failed, the block it failed in is unusable on every backend alike (PostgreSQL
	 * aborts the transaction; SQLite and MariaDB would go on with half of the work) */
	if (db->depth > 0 && !db->control)
		db->needs_rollback = true;
	return db->err.code;
}

static int open_db(corm_db **out, const char *url_text)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_open: the out pointer is NULL");
	corm_db *db = corm__calloc(1, sizeof *db);
	*out = db;
	if (!db)
		return corm__last_error(CORM_ENOMEM, "corm_open: out of memory for the handle");
	if (!url_text)
		return corm__db_error(db, CORM_EINVAL, "corm_open: url is NULL");
	corm_url url;
	int rc = corm__url_parse(&url, url_text, &db->err);
	if (rc) {
		corm__url_free(&url);
		return rc;
	}
	db->be = corm__backend_for(url.scheme);
	if (!db->be) {
		rc = corm__db_error(db, CORM_ENOTSUP, "%s backend not built into this corm",
		                    url.scheme);
		corm__url_free(&url);
		return rc;
	}
	corm_driver_error e = {0};
	if (corm_set_statement_cache(db, CORM_STMT_CACHE_DEFAULT)) {
		corm__url_free(&url);
		return CORM_ENOMEM;
	}
	/* statement_timeout=MS is corm's option, not the driver's: taken out of the list */
	long timeout = -1;
	size_t kept = 0;
	for (size_t i = 0; url.options && url.options[i]; i += 2) {
		if (!strcmp(url.options[i], "statement_timeout")) {
			char *end;
			errno = 0;
			timeout = strtol(url.options[i + 1], &end, 10);
			if (errno || *end || end == url.options[i + 1] || timeout < 0 ||
			    timeout > INT32_MAX) {
				rc = corm__db_error(
				        db, CORM_EURL,
				        "statement_timeout=%s: expected milliseconds (an "
				        "integer from 0 to 2147483647)",
				        url.options[i + 1]);
				corm__url_free(&url);
				return rc;
			}
			corm__free(url.options[i]);
			corm__free(url.options[i + 1]);
			continue;
		}
		url.options[kept++] = url.options[i];
		url.options[kept++] = url.options[i + 1];
	}
	if (url.options)
		url.options[kept] = NULL;
	rc = db->be->open(&db->conn, &url, &e);
	corm__url_free(&url);
	if (rc) {
		db->conn = NULL;
		return driver_error(db, &e);
	}
	db->sqlc.features = &db->features;
	if (db->be->features(db->conn, &db->features, &e)) {
		rc = driver_error(db, &e);
		db->be->close(db->conn);
		db->conn = NULL;
		return rc;
	}
	return timeout >= 0 ? corm_set_statement_timeout(db, (int)timeout) : CORM_OK;
}

int corm_open(corm_db **out, const char *url)
{
	int rc = open_db(out, url);
	if (rc && out && *out) /* the handle has the message: the thread's last error too */
		corm__last_error_from(rc, &(*out)->err);
	return rc;
}

/* Frees the handle itself, once it is closed and no QuerySet refers to it any more. */
static void free_handle(corm_db *db)
{
	corm__err_free(&db->err);
	corm__free(db);
}

void corm__db_retain(corm_db *db)
{
	db->users++;
}

void corm__db_release(corm_db *db)
{
	if (--db->users == 0 && db->closed)
		free_handle(db);
}

void corm_close(corm_db *db)
{
	if (!db)
		return;
	if (db->closed) { /* a second close while QuerySets still hold the handle */
		corm__last_error(CORM_EINVAL, "corm_close: the connection is already closed");
		return;
	}
	db->closed = true;
	/* statements a QuerySet still holds go with the connection (the QuerySet's close then
	 * leaves them alone) */
	for (size_t i = 0; i < db->ncache; i++)
		db->cache[i].in_use = false;
	if (db->conn && db->depth > 0 && db->be->transaction.rollback)
		corm__exec(db, db->be->transaction.rollback, NULL, 0, NULL);
	for (size_t i = 0; i < db->nhooks; i++)
		if (db->hooks[i].drop)
			db->hooks[i].drop(db->hooks[i].ctx);
	corm__free(db->hooks);
	if (db->conn)
		corm__stmt_cache_clear(db);
	corm__free(db->cache);
	corm__sql_free(&db->sql);
	corm__sql_cache_free(&db->sqlc);
	if (db->conn)
		db->be->close(db->conn);
	db->conn = NULL;
	db->hooks = NULL;
	db->nhooks = db->hooks_cap = 0;
	db->cache = NULL;
	db->ncache = db->cache_cap = 0;
	db->depth = 0;
	/* QuerySets still made on it keep the handle (closed: their calls fail cleanly) */
	if (db->users == 0)
		free_handle(db);
}

const char *corm_errmsg(const corm_db *db)
{
	if (!db)
		return "out of memory (no connection handle)";
	if (db->err.code == CORM_OK)
		return "not an error";
	const char *s = corm_buf_cstr((corm_buf *)&db->err.msg);
	return s ? s : "out of memory";
}

int corm_errcode(const corm_db *db)
{
	return db ? db->err.code : CORM_ENOMEM;
}
int corm_native_errcode(const corm_db *db)
{
	return db ? db->native_err : 0;
}
const char *corm_vendor(const corm_db *db)
{
	return db && db->be ? db->be->vendor : "none";
}

void corm_set_query_log(corm_db *db, void (*fn)(const char *sql, void *ctx), void *ctx)
{
	if (!db)
		return;
	db->log = fn;
	db->log_ctx = ctx;
}

corm_sql *corm__sql_acquire(corm_db *db, corm_sql *local)
{
	corm__sql_init(local);
	if (db->sql.busy)
		return local;
	db->sql.busy = true; /* empty: every release empties it */
	return &db->sql;
}

void corm__sql_release(corm_db *db, corm_sql *s)
{
	if (s != &db->sql) {
		corm__sql_free(s);
		return;
	}
	corm__sql_reset(s);
	s->busy = false;
}

/* A free cache entry for this SQL, or NULL. */
static corm_cached_stmt *cache_find(corm_db *db, const char *sql, size_t len)
{
	for (size_t i = 0; i < db->ncache; i++) {
		corm_cached_stmt *c = &db->cache[i];
		if (!c->in_use && c->len == len && memcmp(c->sql, sql, len) == 0)
			return c;
	}
	return NULL;
}

/*
 * Keeps a freshly prepared statement in the cache, evicting the least recently
 * used free one. *slot_out stays NULL when every entry is lent out (nested
 * iteration). CORM_ENOMEM when the SQL cannot be copied.
 */
static int cache_add(corm_db *db, const char *sql, size_t len, void *s, corm_cached_stmt **slot_out)
{
	corm_cached_stmt *slot = NULL;
	*slot_out = NULL;
	if (db->ncache < db->cache_cap) {
		slot = &db->cache[db->ncache];
	} else {
		for (size_t i = 0; i < db->ncache; i++)
			if (!db->cache[i].in_use &&
			    (!slot || db->cache[i].last_used < slot->last_used))
				slot = &db->cache[i];
		if (!slot)
			return CORM_OK;
	}
	char *copy = corm__strndup(sql, len);
	if (!copy)
		return CORM_ENOMEM;
	if (slot == &db->cache[db->ncache])
		db->ncache++;
	else {
		db->be->finalize(slot->s);
		corm__free(slot->sql);
	}
	*slot = (corm_cached_stmt){copy, len, s, true, ++db->tick};
	*slot_out = slot;
	return CORM_OK;
}

void corm__stmt_cache_clear(corm_db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		corm_cached_stmt *c = &db->cache[i];
		if (c->in_use) {
			/* still running: detached here, it finalizes itself on close */
			corm__free(c->sql);
			c->sql = NULL;
			c->in_use = false;
			continue;
		}
		db->be->finalize(c->s);
		corm__free(c->sql);
	}
	db->ncache = 0;
}

int corm_set_statement_timeout(corm_db *db, int ms)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (ms < 0)
		return corm__db_error(
		        db, CORM_EINVAL,
		        "corm_set_statement_timeout: %d ms: the limit cannot be negative", ms);
	if (!db->be->statement_timeout_sql)
		return corm__db_error(db, CORM_ENOTSUP,
		                      "corm_set_statement_timeout: the %s backend has no statement "
		                      "timeout (no server runs the statements)",
		                      db->be->vendor);
	if (db->depth > 0)
		return corm__db_error(db, CORM_ETXN,
		                      "corm_set_statement_timeout: set it outside atomic blocks (a "
		                      "rollback would undo it on PostgreSQL)");
	char sql[96];
	snprintf(sql, sizeof sql, db->be->statement_timeout_sql, ms);
	return corm__exec(db, sql, NULL, 0, NULL);
}

int corm_set_statement_cache(corm_db *db, size_t capacity)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	for (size_t i = 0; i < db->ncache; i++)
		if (db->cache[i].in_use)
			return corm__db_error(
			        db, CORM_EINVAL,
			        "corm_set_statement_cache: a QuerySet is still being iterated");
	/* the new array first: on failure the cache in force stays as it is */
	corm_cached_stmt *cache = NULL;
	if (capacity && !(cache = corm__calloc(capacity, sizeof(corm_cached_stmt))))
		return corm__db_error(db, CORM_ENOMEM,
		                      "corm_set_statement_cache: out of memory for %zu statements; "
		                      "the cache keeps its size of %zu",
		                      capacity, db->cache_cap);
	corm__stmt_cache_clear(db);
	corm__free(db->cache);
	db->cache = cache;
	db->cache_cap = capacity;
	return CORM_OK;
}

int corm__stmt_open(corm_db *db, const char *sql, size_t len, const corm_value *params, size_t n,
                    bool stable, corm_stmt *st)
{
	st->db = db;
	st->s = NULL;
	st->cached = NULL;
	if (db->closed)
		return corm__db_error(db, CORM_EINVAL,
		                      "the connection was closed (corm_close): free its QuerySets "
		                      "before closing it");
	if (!db->conn)
		return corm__db_error(db, CORM_ECONNECTION, "the connection is not open");
	if (db->rollback_only && !db->control)
		return corm__db_error(db, CORM_ETXN,
		                      "An error occurred in the current transaction. You can't "
		                      "execute queries until the "
		                      "end of the outermost atomic block.");
	if (db->needs_rollback && !db->control)
		return corm__db_error(db, CORM_ETXN,
		                      "An error occurred in the current transaction. You can't "
		                      "execute queries until the end of the 'atomic' block.");
	if (db->log)
		db->log(sql, db->log_ctx);
	corm_driver_error e;
	no_driver_error(&e);
	corm_cached_stmt *c = db->cache_cap ? cache_find(db, sql, len) : NULL;
	if (c) {
		c->in_use = true;
		c->last_used = ++db->tick;
		st->s = c->s;
		st->cached = c;
	} else {
		if (db->be->prepare(db->conn, sql, len, &st->s, &e))
			return driver_error(db, &e);
		if (db->cache_cap && cache_add(db, sql, len, st->s, &st->cached)) {
			corm__stmt_close(st);
			return corm__db_error(db, CORM_ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; i < n; i++)
		if (db->be->bind(st->s, (int)i, &params[i], stable, &e)) {
			corm__stmt_close(st);
			return driver_error(db, &e);
		}
	return CORM_OK;
}

int corm__stmt_step(corm_stmt *st)
{
	corm_driver_error e;
	no_driver_error(&e);
	int rc = st->db->be->step(st->s, &e);
	if (rc == CORM_ROW || rc == CORM_DONE)
		return rc;
	return driver_error(st->db, &e);
}

void corm__stmt_close(corm_stmt *st)
{
	if (!st->s)
		return;
	if (st->db->closed) { /* corm_close finalized it with the connection's cache */
		st->s = NULL;
		st->cached = NULL;
		return;
	}
	corm_cached_stmt *c = st->cached;
	if (c && c->sql && c->s == st->s) {
		st->db->be->reset(st->s); /* back to the cache */
		c->in_use = false;
	} else {
		st->db->be->finalize(st->s);
	}
	st->s = NULL;
	st->cached = NULL;
}

int corm__exec(corm_db *db, const char *sql, const corm_value *params, size_t n, int64_t *changes)
{
	corm_stmt st;
	int rc = corm__stmt_open(db, sql, strlen(sql), params, n, false, &st);
	if (rc)
		return rc;
	while ((rc = corm__stmt_step(&st)) == CORM_ROW)
		;
	corm__stmt_close(&st);
	if (rc != CORM_DONE)
		return rc;
	if (changes)
		*changes = db->be->changes(db->conn);
	return CORM_OK;
}

int corm__exec_control(corm_db *db, const char *sql)
{
	db->control = true;
	int rc = corm__exec(db, sql, NULL, 0, NULL);
	db->control = false;
	return rc;
}

int corm_execute(corm_db *db, const char *sql, const corm_value *params, size_t nparams,
                 int64_t *rows_affected)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (!sql || (nparams && !params))
		return corm__db_error(db, CORM_EINVAL, "corm_execute: sql or params is NULL");
	for (size_t i = 0; i < nparams; i++)
		if (params[i].type == CORM_TYPE_EXPR || params[i].type == CORM_TYPE_LIST ||
		    params[i].type == CORM_TYPE_OBJECT)
			return corm__db_error(db, CORM_ETYPE,
			                      "corm_execute: parameter %zu must be a plain value",
			                      i + 1);
	/* one statement per call on every backend: refuse a second one before anything runs */
	size_t len = strlen(sql), end = corm__sql_statement_end(sql, len, db->be->sql_syntax);
	if (end < len && !corm__sql_is_blank(sql + end, len - end, db->be->sql_syntax))
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_execute: only one statement per call (found more after "
		                      "';' at offset %zu)",
		                      end);
	corm_stmt st;
	int rc = corm__stmt_open(db, sql, end, params, nparams, false, &st);
	if (!rc) {
		while ((rc = corm__stmt_step(&st)) == CORM_ROW)
			;
		corm__stmt_close(&st);
		rc = rc == CORM_DONE ? CORM_OK : rc;
	}
	if (!rc && rows_affected)
		*rows_affected = db->be->changes(db->conn);
	/* raw SQL may be DDL: cached statements could describe a schema that no longer exists */
	corm__stmt_cache_clear(db);
	return rc;
}

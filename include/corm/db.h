/*
 * corm/db.h - connections, errors, transactions and schema creation.
 *
 * A corm_db is one connection. It is used by one thread at a time (like a
 * sqlite3 handle opened without the serialized mode): give each thread its
 * own handle. Every error on it leaves a message readable with corm_errmsg().
 */
#ifndef CORM_DB_H
#define CORM_DB_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_db corm_db;

/**
 * Opens a connection from a dj-database-url style URL:
 *   sqlite:///relative/path.db   sqlite:////absolute/path.db   sqlite://:memory:
 *   postgres://user:pass@host:port/name   mysql://user:pass@host:port/name
 * SQLite connections have foreign keys enforced.
 *
 * Like sqlite3_open(), *out is set to a handle whenever memory allows, even
 * on failure, so the message can be read with corm_errmsg(*out); always
 * corm_close() it. Errors: CORM_EURL (malformed URL), CORM_ENOTSUP (backend
 * not built: "postgres backend not built"), CORM_EBACKEND / CORM_ECONNECTION
 * (driver failed to open), CORM_EINVAL (NULL argument), CORM_ENOMEM (*out NULL).
 * Every failure also leaves its code and message in the thread's
 * corm_error_last(), the only place to read it when no handle came back.
 */
CORM_EXTERN(int) corm_open(corm_db **out, const char *url);

/**
 * Closes the connection and frees the handle. Rolls back an open transaction.
 * NULL is a no-op. The handle is freed memory afterwards: any later call with
 * it, a second corm_close included, is undefined behaviour that corm cannot
 * detect reliably (a freed block may be reused by the next allocation, so no
 * magic number in it can be trusted); AddressSanitizer builds report it as a
 * heap-use-after-free. A connection taken from a pool goes back with
 * corm_pool_release, never corm_close.
 */
CORM_EXTERN(void) corm_close(corm_db *db);

/** The message of the last error on db ("not an error" when none; a static text for NULL db).
 * Borrowed until the next call on db. */
CORM_EXTERN(const char *) corm_errmsg(const corm_db *db);
/** The code of the last error on db (CORM_OK when none). */
CORM_EXTERN(int) corm_errcode(const corm_db *db);
/**
 * The driver's own code for the last driver error, 0 if none: SQLite's
 * extended result code, MariaDB's errno, or PostgreSQL's SQLSTATE packed as
 * the server packs it (MAKE_SQLSTATE: each character c at position i adds
 * ((c - '0') & 0x3F) << 6i; "23505" is 83906754).
 */
CORM_EXTERN(int) corm_native_errcode(const corm_db *db);
/** The backend name: "sqlite", "postgresql" or "mysql". Static. */
CORM_EXTERN(const char *) corm_vendor(const corm_db *db);

/**
 * Creates the tables and indexes of every model in `reg` (in an order that
 * satisfies foreign keys), like Django's migrate for new models. Runs the
 * statements in one transaction where the backend has transactional DDL.
 * Errors: CORM_EBACKEND (e.g. table exists), CORM_EINVAL, CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_create_tables(corm_db *db, const corm_registry *reg);
/** Drops the tables of every model in `reg` (reverse order). */
CORM_EXTERN(int) corm_drop_tables(corm_db *db, const corm_registry *reg);
/**
 * Writes the DDL corm_create_tables would run, one statement per line with a
 * trailing ';'. *out is owned by the caller (corm_mem_free).
 */
CORM_EXTERN(int) corm_schema_sql(corm_db *db, const corm_registry *reg, char **out);

/* ---- raw SQL ---------------------------------------------------------- */

/**
 * Runs one SQL statement with bound parameters (placeholders are the
 * backend's: '?' on SQLite and MySQL, '$1' on PostgreSQL). There is no
 * format-string variant on purpose. `rows_affected` may be NULL.
 *
 * One statement per call, on every backend: a ';' followed by anything but
 * whitespace, ';' and comments is refused with CORM_EINVAL ("corm_execute:
 * only one statement per call (found more after ';' at offset N)") before
 * anything runs. A ';' inside a quoted string or identifier, or a comment,
 * does not count (read as the backend's server reads it). A trailing ';' is
 * fine. Errors: CORM_EINVAL, CORM_ETYPE (a parameter that is not a plain
 * value), CORM_ENOMEM, and the database's errors (CORM_ECONSTRAINT,
 * CORM_EBACKEND, ...).
 */
CORM_EXTERN(int)
corm_execute(corm_db *db, const char *sql, const corm_value *params, size_t nparams,
             int64_t *rows_affected);

/**
 * Sets how many prepared statements db keeps for reuse (default 64; 0 turns
 * the cache off, for comparison). A repeated query shape (same SQL text,
 * other values) then skips the prepare step. The cache is per connection,
 * bounded (least recently used statements are finalized), and emptied when
 * corm changes the schema or runs raw SQL. Errors: CORM_ENOMEM (the cache
 * keeps the size it had), CORM_EINVAL (a QuerySet is being iterated).
 */
CORM_EXTERN(int) corm_set_statement_cache(corm_db *db, size_t capacity);

/**
 * Limits how long the server runs any one statement of this connection, in
 * milliseconds (0: no limit), enforced by the server: PostgreSQL's
 * statement_timeout, MariaDB's max_statement_time. A statement cut off fails
 * with CORM_ETIMEOUT and the connection stays usable (inside an atomic block
 * the block is then rollback-only, as after any failed statement). Set it
 * outside atomic blocks. The URL option `?statement_timeout=MS` (PostgreSQL,
 * MariaDB) sets it at corm_open; a malformed value is CORM_EURL. This does not
 * cover a server that stops answering altogether (a frozen process): no
 * client-side timeout exists yet.
 * Errors: CORM_EINVAL (ms < 0), CORM_ETXN (inside an atomic block),
 * CORM_ENOTSUP (SQLite: no server), CORM_EBACKEND, CORM_ECONNECTION.
 */
CORM_EXTERN(int) corm_set_statement_timeout(corm_db *db, int ms);

/* ---- transactions ----------------------------------------------------- */

/**
 * Enters an atomic block: BEGIN at the outermost level, a SAVEPOINT inside.
 * Every corm_atomic_begin must be matched by corm_atomic_commit or
 * corm_atomic_rollback. Errors: CORM_EBACKEND, CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_atomic_begin(corm_db *db);
/**
 * Leaves the innermost block keeping its work: RELEASE SAVEPOINT inside,
 * COMMIT at the outermost level (then the on_commit callbacks run in order).
 * If the commit fails the transaction is rolled back and the error returned.
 * A statement that failed inside the block (Django's needs_rollback) makes it
 * rollback-only on every backend: later statements in it fail with CORM_ETXN
 * ("An error occurred in the current transaction. You can't execute queries
 * until the end of the 'atomic' block."), and committing it rolls it back and
 * returns CORM_ETXN ("the atomic block was rolled back, not committed: a
 * statement in it failed"). To go on after an expected failure, run the
 * statement in an inner block and roll that one back.
 * Errors: CORM_ETXN (no open block, or the block was rolled back), CORM_EBACKEND.
 */
CORM_EXTERN(int) corm_atomic_commit(corm_db *db);
/**
 * Leaves the innermost block undoing its work: ROLLBACK TO SAVEPOINT inside
 * (the outer block continues), ROLLBACK at the outermost level. Callbacks
 * registered inside the undone block are dropped. Errors: CORM_ETXN.
 */
CORM_EXTERN(int) corm_atomic_rollback(corm_db *db);
/** Depth of open atomic blocks (0 = autocommit). */
CORM_EXTERN(int) corm_atomic_depth(const corm_db *db);

/**
 * Runs fn(db, ctx) inside an atomic block: committed when fn returns
 * CORM_OK (or any non-negative value), rolled back otherwise. Returns fn's
 * result, or the commit's error. The decorator/context-manager of Django.
 */
CORM_EXTERN(int) corm_atomic(corm_db *db, int (*fn)(corm_db *db, void *ctx), void *ctx);

/**
 * Registers fn(ctx) to run after the outermost transaction commits (Django's
 * transaction.on_commit). Outside a transaction fn runs immediately. Dropped,
 * never run, when the block that registered it rolls back; if `drop` is not
 * NULL it is then called with ctx so the caller can free it.
 */
CORM_EXTERN(int)
corm_on_commit(corm_db *db, void (*fn)(void *ctx), void *ctx, void (*drop)(void *ctx));

/* ---- query log -------------------------------------------------------- */

/**
 * Calls fn(sql, ctx) with the SQL text of every statement corm runs on db
 * (Django's connection.queries / CaptureQueriesContext). NULL turns it off.
 */
CORM_EXTERN(void)
corm_set_query_log(corm_db *db, void (*fn)(const char *sql, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif
#endif

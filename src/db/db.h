/* The connection handle and the statement helpers every layer uses. */
#ifndef CORM_DB_DB_H
#define CORM_DB_DB_H

#include "corm/db.h"
#include "corm/sys/backend.h"
#include "sql/buffer.h"
#include "sql/cache.h"
#include "model/meta.h"

typedef struct corm_commit_hook {
	void (*fn)(void *ctx);
	void (*drop)(void *ctx);
	void *ctx;
	int depth; /* the atomic depth that registered it */
} corm_commit_hook;

/* A prepared statement kept for reuse: same SQL text, new parameters. */
typedef struct corm_cached_stmt {
	char *sql;
	size_t len;
	void *s;
	bool in_use;
	uint64_t last_used;
} corm_cached_stmt;

#define CORM_STMT_CACHE_DEFAULT 64

struct corm_db {
	const corm_backend *be;
	void *conn;
	corm_features features; /* what this connection's server can do: be->features() at open */
	corm_err err;
	int native_err;
	int depth;          /* open atomic blocks */
	bool control;       /* running a transaction-control statement */
	bool rollback_only; /* the transaction is unusable (deadlock, lost savepoint): only ROLLBACK
	                       is left */
	/* a statement failed inside the innermost atomic block (Django's needs_rollback): no more
	 * statements until that block is rolled back, and committing it rolls it back */
	bool needs_rollback;
	corm_commit_hook *hooks;
	size_t nhooks, hooks_cap;
	void (*log)(const char *sql, void *ctx);
	void *log_ctx;
	corm_cached_stmt *cache; /* statement cache, bounded, least recently used evicted */
	size_t ncache, cache_cap;
	uint64_t tick;
	corm_sql sql; /* reused by every statement the library compiles */
	/* QuerySets made on this connection and not yet freed: a closed handle lives on until the
	 * last one is freed, so their calls can say the connection is closed */
	size_t users;
	bool closed;
	corm_sql_cache sqlc; /* what the compiler remembers for this connection */
};

/* A QuerySet takes / drops its hold on the handle (corm_close frees it after the last drop). */
void corm__db_retain(corm_db *db);
void corm__db_release(corm_db *db);

/* Records an error on db; returns code. */
int corm__db_error(corm_db *db, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Moves err's code and message onto db; returns the code. */
int corm__db_take(corm_db *db, corm_err *err);
/*
 * Clears the error state at the start of an API call (once per row when
 * iterating, hence inline). The message is left as it is: it is only read
 * while the code says there is an error, and every error rewrites it.
 */
static inline void corm__db_ok(corm_db *db)
{
	db->err.code = CORM_OK;
	db->native_err = 0;
}

/* Rolls back the innermost atomic block (if any) keeping db's current error message and code. */
void corm__rollback_keep_error(corm_db *db);

/*
 * The connection's reusable corm_sql, emptied; or `local`, initialized, when
 * that one is lent out (a query log callback that runs a query). Give it
 * back with corm__sql_release.
 */
corm_sql *corm__sql_acquire(corm_db *db, corm_sql *local);
/* Empties s and returns it to the connection (or frees it if it is a local one). */
void corm__sql_release(corm_db *db, corm_sql *s);

/* A prepared statement bound to its connection. */
typedef struct corm_stmt {
	corm_db *db;
	void *s;
	corm_cached_stmt *cached; /* the cache entry lent out, or NULL for a statement of its own */
} corm_stmt;

/* Finalizes every cached statement (the schema changed, or the cache is being turned off). */
void corm__stmt_cache_clear(corm_db *db);

/*
 * Prepares sql and binds params (values of storage types). Logs the SQL.
 * `stable`: what the params point to outlives the statement (see the
 * backend's bind).
 */
int corm__stmt_open(corm_db *db, const char *sql, size_t len, const corm_value *params, size_t n,
                    bool stable, corm_stmt *st);
/* CORM_ROW, CORM_DONE or an error recorded on db. */
int corm__stmt_step(corm_stmt *st);
void corm__stmt_close(corm_stmt *st);
/* Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT ...), allowed when rollback_only.
 */
int corm__exec_control(corm_db *db, const char *sql);
/* Runs a statement to completion; *changes (may be NULL) gets the affected rows. */
int corm__exec(corm_db *db, const char *sql, const corm_value *params, size_t n, int64_t *changes);

#endif

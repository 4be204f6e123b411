/*
 * corm/pool.h - a thread-safe pool of connections for programs with threads.
 *
 * A corm_db serves one thread at a time; a pool hands each thread its own.
 * Connections are checked before reuse and replaced when the server went
 * away (for example after a restart) — but only between transactions: a
 * connection lost inside a transaction fails that transaction with
 * CORM_ECONNECTION and nothing is retried.
 */
#ifndef CORM_POOL_H
#define CORM_POOL_H

#include "db.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_pool corm_pool;

/** The layout of corm_pool_options this header declares. */
#define CORM_POOL_OPTIONS_VERSION 1

typedef struct corm_pool_options {
	unsigned version;       /**< CORM_POOL_OPTIONS_VERSION (set by CORM_POOL_OPTIONS_INIT):
	                           corm_pool_new refuses another value */
	size_t min_size;        /**< connections opened by corm_pool_new (default 0) */
	size_t max_size;        /**< connections open at most, at least 1 (default 8) */
	int acquire_timeout_ms; /**< how long corm_pool_acquire waits for a free one: > 0 that many
	                           milliseconds, 0 not at all, < 0 for ever (default 5000) */
} corm_pool_options;

/** The default options; start from them and change what you need. */
#define CORM_POOL_OPTIONS_INIT                                                                     \
	{                                                                                          \
		CORM_POOL_OPTIONS_VERSION, 0, 8, 5000                                              \
	}

/*
 * Errors of the pool functions: the pool is shared by threads, so each
 * failure's message goes to the calling thread's corm_error_last() (and
 * corm_pool_errmsg, which reads it).
 */

/**
 * Creates a pool for `url` (see corm_open), opening min_size connections.
 * `options` may be NULL for CORM_POOL_OPTIONS_INIT. *out is owned by the
 * caller (corm_pool_free). Errors: those of corm_open (its message in
 * corm_error_last()), CORM_EINVAL (NULL url or out, a version that is not
 * CORM_POOL_OPTIONS_VERSION, max_size 0, min_size > max_size), CORM_ENOMEM.
 * *out is NULL on failure.
 */
CORM_EXTERN(int) corm_pool_new(corm_pool **out, const char *url, const corm_pool_options *options);

/**
 * Takes a connection for the calling thread: an idle one that still answers,
 * else a new one while fewer than max_size are open, else waits up to
 * acquire_timeout_ms (for ever if negative). *db is borrowed until
 * corm_pool_release, and NULL on failure.
 * Errors: CORM_ETIMEOUT (all connections busy: "no connection became free
 * within 200 ms (all 2 in use)"), CORM_ECONNECTION or the driver's error when
 * a new connection cannot be opened, CORM_EINVAL (NULL argument), CORM_ERROR
 * (the wait itself failed). The message is in corm_error_last().
 */
CORM_EXTERN(int) corm_pool_acquire(corm_pool *pool, corm_db **db);

/**
 * Gives a connection back. An atomic block left open is rolled back; a
 * connection that failed with CORM_ECONNECTION is closed instead of kept.
 * The pool checks that it lent `db` out: CORM_EINVAL, with nothing changed,
 * for a connection it does not own (opened with corm_open, from another
 * pool) or one already given back (a double release), so a connection is
 * never handed to two threads. A connection the pool has closed meanwhile
 * (released, found dead and replaced) is freed memory: releasing it again is
 * then undefined, like any use of a closed handle (see corm_close).
 * Errors: CORM_EINVAL (message in corm_error_last()).
 */
CORM_EXTERN(int) corm_pool_release(corm_pool *pool, corm_db *db);

/** Connections currently open (idle + in use), and idle. */
CORM_EXTERN(size_t) corm_pool_size(corm_pool *pool);
CORM_EXTERN(size_t) corm_pool_idle(corm_pool *pool);

/**
 * The message of the calling thread's last error: corm_error_last()->message
 * (the pool argument is not used; kept for compatibility). Borrowed until the
 * thread's next corm call.
 */
CORM_EXTERN(const char *) corm_pool_errmsg(corm_pool *pool);

/** Closes every idle connection and frees the pool. All connections must have been released. NULL
 * is a no-op. */
CORM_EXTERN(void) corm_pool_free(corm_pool *pool);

#ifdef __cplusplus
}
#endif
#endif

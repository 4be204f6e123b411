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

typedef struct corm_pool_options {
	size_t min_size;        /**< connections opened by corm_pool_new (default 0) */
	size_t max_size;        /**< connections open at most (default 8) */
	int acquire_timeout_ms; /**< how long corm_pool_acquire waits for a free one (default 5000)
	                         */
} corm_pool_options;

/**
 * Creates a pool for `url` (see corm_open), opening min_size connections.
 * `options` may be NULL for the defaults. *out is owned by the caller
 * (corm_pool_free). Errors: those of corm_open (the message is copied into
 * corm_pool_errmsg), CORM_EINVAL (min_size > max_size, max_size 0), CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_pool_new(corm_pool **out, const char *url, const corm_pool_options *options);

/**
 * Takes a connection for the calling thread: an idle one that still answers,
 * else a new one while fewer than max_size are open, else waits up to
 * acquire_timeout_ms. *db is borrowed until corm_pool_release.
 * Errors: CORM_ETIMEOUT (all connections busy), CORM_ECONNECTION or the
 * driver's error when a new connection cannot be opened (message in
 * corm_pool_errmsg), CORM_EINVAL.
 */
CORM_EXTERN(int) corm_pool_acquire(corm_pool *pool, corm_db **db);

/**
 * Gives a connection back. An atomic block left open is rolled back; a
 * connection that failed with CORM_ECONNECTION is closed instead of kept.
 */
CORM_EXTERN(void) corm_pool_release(corm_pool *pool, corm_db *db);

/** Connections currently open (idle + in use), and idle. */
CORM_EXTERN(size_t) corm_pool_size(corm_pool *pool);
CORM_EXTERN(size_t) corm_pool_idle(corm_pool *pool);

/** The message of the pool's last error. Borrowed; valid until the next pool call. */
CORM_EXTERN(const char *) corm_pool_errmsg(corm_pool *pool);

/** Closes every idle connection and frees the pool. All connections must have been released. NULL
 * is a no-op. */
CORM_EXTERN(void) corm_pool_free(corm_pool *pool);

#ifdef __cplusplus
}
#endif
#endif

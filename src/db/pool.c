/*
 * A thread-safe connection pool: idle stack, health check on reuse, bounded
 * waiting. The pool knows every connection it opened and whether it is lent
 * out, so a connection it does not own, or one given back twice, is refused
 * instead of being handed to two threads. Errors go to the calling thread's
 * last error (corm_error_last): the pool has no shared message buffer.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "corm/pool.h"
#include "db/db.h"
#include "util/alloc.h"

/* Where a connection the pool opened is. */
typedef enum { CONN_IDLE, CONN_LENT, CONN_RETURNING } conn_state;

typedef struct pool_conn {
	corm_db *db;
	conn_state state;
} pool_conn;

struct corm_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *url;
	corm_pool_options opt;
	pool_conn *conns; /* every open connection (max_size slots) */
	size_t nconns;
	corm_db **idle; /* the idle ones, most recently released last */
	size_t nidle;
	size_t open; /* idle + in use + being opened */
};

/* The slot of db, or NULL if the pool did not open it. Under the lock. */
static pool_conn *find_conn(corm_pool *p, const corm_db *db)
{
	for (size_t i = 0; i < p->nconns; i++)
		if (p->conns[i].db == db)
			return &p->conns[i];
	return NULL;
}

/* Forgets a connection about to be closed. Under the lock. */
static void drop_conn(corm_pool *p, pool_conn *c)
{
	*c = p->conns[--p->nconns];
	p->open--;
}

int corm_pool_new(corm_pool **out, const char *url, const corm_pool_options *options)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_pool_new: the out pointer is NULL");
	*out = NULL;
	corm_pool_options opt = CORM_POOL_OPTIONS_INIT;
	if (options)
		opt = *options;
	if (!url)
		return corm__last_error(CORM_EINVAL, "corm_pool_new: the url is NULL");
	if (opt.version != CORM_POOL_OPTIONS_VERSION)
		return corm__last_error(CORM_EINVAL,
		                        "corm_pool_new: corm_pool_options.version is %u, this corm "
		                        "expects %u (start from CORM_POOL_OPTIONS_INIT)",
		                        opt.version, (unsigned)CORM_POOL_OPTIONS_VERSION);
	if (opt.max_size == 0)
		return corm__last_error(CORM_EINVAL, "corm_pool_new: max_size must be at least 1 "
		                                     "(start from CORM_POOL_OPTIONS_INIT)");
	if (opt.min_size > opt.max_size)
		return corm__last_error(
		        CORM_EINVAL, "corm_pool_new: min_size (%zu) is larger than max_size (%zu)",
		        opt.min_size, opt.max_size);
	corm_pool *p = corm__calloc(1, sizeof *p);
	if (!p)
		return corm__last_error(CORM_ENOMEM, "corm_pool_new: out of memory");
	p->opt = opt;
	p->url = corm__strdup(url);
	p->idle = corm__calloc(opt.max_size, sizeof(corm_db *));
	p->conns = corm__calloc(opt.max_size, sizeof(pool_conn));
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	if (!p->url || !p->idle || !p->conns) {
		corm_pool_free(p);
		return corm__last_error(CORM_ENOMEM, "corm_pool_new: out of memory");
	}
	for (size_t i = 0; i < opt.min_size; i++) {
		corm_db *db;
		int rc = corm_open(&db, url); /* on failure its message is the last error */
		if (rc) {
			corm_close(db);
			corm_pool_free(p);
			return rc;
		}
		p->conns[p->nconns++] = (pool_conn){db, CONN_IDLE};
		p->idle[p->nidle++] = db;
		p->open++;
	}
	*out = p;
	return CORM_OK;
}

/* A connection is reused only if the server still answers and no transaction is left over. */
static bool healthy(corm_db *db)
{
	return db->conn && db->depth == 0 && (!db->be->is_alive || db->be->is_alive(db->conn));
}

/* The monotonic time `ms` (> 0) milliseconds from now, normalised (0 <= tv_nsec < 1e9). */
static struct timespec deadline_after(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

int corm_pool_acquire(corm_pool *p, corm_db **out)
{
	if (!p || !out)
		return corm__last_error(CORM_EINVAL, "corm_pool_acquire: %s is NULL",
		                        p ? "the out pointer" : "the pool");
	*out = NULL;
	int timeout = p->opt.acquire_timeout_ms;
	struct timespec deadline = {0, 0};
	if (timeout > 0)
		deadline = deadline_after(timeout);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->nidle) {
			corm_db *db = p->idle[--p->nidle];
			pool_conn *c = find_conn(p, db);
			c->state = CONN_LENT;
			pthread_mutex_unlock(&p->lock);
			if (healthy(db)) {
				corm__db_ok(db);
				*out = db;
				return CORM_OK;
			}
			/* the server went away since (e.g. a restart): replace it */
			pthread_mutex_lock(&p->lock);
			drop_conn(p, find_conn(p, db));
			pthread_mutex_unlock(&p->lock);
			corm_close(db);
			pthread_mutex_lock(&p->lock);
		}
		if (p->open < p->opt.max_size) {
			p->open++;
			pthread_mutex_unlock(&p->lock);
			corm_db *db;
			int rc = corm_open(&db,
			                   p->url); /* on failure its message is the last error */
			pthread_mutex_lock(&p->lock);
			if (rc == CORM_OK)
				p->conns[p->nconns++] = (pool_conn){db, CONN_LENT};
			else
				p->open--;
			pthread_cond_signal(&p->freed);
			pthread_mutex_unlock(&p->lock);
			if (rc) {
				corm_close(db);
				return rc;
			}
			*out = db;
			return CORM_OK;
		}
		int wrc = timeout < 0    ? pthread_cond_wait(&p->freed, &p->lock)
		          : timeout == 0 ? ETIMEDOUT
		                         : pthread_cond_timedwait(&p->freed, &p->lock, &deadline);
		if (wrc == ETIMEDOUT && !p->nidle && p->open >= p->opt.max_size) {
			size_t all = p->opt.max_size;
			pthread_mutex_unlock(&p->lock);
			return corm__last_error(
			        CORM_ETIMEOUT,
			        "no connection became free within %d ms (all %zu in use)", timeout,
			        all);
		}
		if (wrc != 0 && wrc != ETIMEDOUT && wrc != EINTR) {
			pthread_mutex_unlock(&p->lock);
			return corm__last_error(CORM_ERROR,
			                        "corm_pool_acquire: waiting for a free connection "
			                        "failed (pthread error %d%s)",
			                        wrc, wrc == EINVAL ? ", EINVAL" : "");
		}
	}
}

int corm_pool_release(corm_pool *p, corm_db *db)
{
	if (!p || !db)
		return corm__last_error(CORM_EINVAL, "corm_pool_release: %s is NULL",
		                        p ? "the connection" : "the pool");
	pthread_mutex_lock(&p->lock);
	pool_conn *c = find_conn(p, db);
	conn_state was = c ? c->state : CONN_IDLE;
	if (c && was == CONN_LENT)
		c->state = CONN_RETURNING; /* a second release from now on is refused */
	pthread_mutex_unlock(&p->lock);
	if (!c)
		return corm__last_error(
		        CORM_EINVAL, "corm_pool_release: the connection does not belong to this "
		                     "pool (opened with corm_open, or acquired from another pool)");
	if (was != CONN_LENT)
		return corm__last_error(
		        CORM_EINVAL, "corm_pool_release: the connection was released to the pool "
		                     "twice (it is not lent out)");
	if (db->depth > 0 && db->conn) {
		/* a block left open must not leak into the next user */
		corm__rollback_keep_error(db);
		while (db->depth > 0)
			corm_atomic_rollback(db);
	}
	bool keep = db->conn && db->err.code != CORM_ECONNECTION;
	pthread_mutex_lock(&p->lock);
	c = find_conn(p, db); /* the array may have moved entries meanwhile */
	if (keep) {
		c->state = CONN_IDLE;
		p->idle[p->nidle++] = db;
		db = NULL;
	} else {
		drop_conn(p, c);
	}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	corm_close(db);
	return CORM_OK;
}

size_t corm_pool_size(corm_pool *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	size_t n = p->open;
	pthread_mutex_unlock(&p->lock);
	return n;
}

size_t corm_pool_idle(corm_pool *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	size_t n = p->nidle;
	pthread_mutex_unlock(&p->lock);
	return n;
}

const char *corm_pool_errmsg(corm_pool *p)
{
	(void)p;
	return corm_error_last()->message;
}

void corm_pool_free(corm_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nidle; i++)
		corm_close(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	corm__free(p->conns);
	corm__free(p->idle);
	corm__free(p->url);
	corm__free(p);
}

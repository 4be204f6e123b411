/* A thread-safe connection pool: idle stack, health check on reuse, bounded waiting. */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "corm/pool.h"
#include "db/db.h"
#include "util/alloc.h"

struct corm_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *url;
	corm_pool_options opt;
	corm_db **idle;
	size_t nidle;
	size_t open; /* idle + in use + being opened */
	char errmsg[512];
};

int corm_pool_new(corm_pool **out, const char *url, const corm_pool_options *options)
{
	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	corm_pool_options opt = {0, 8, 5000};
	if (options) {
		opt = *options;
		if (!opt.max_size)
			opt.max_size = 8;
		if (!opt.acquire_timeout_ms)
			opt.acquire_timeout_ms = 5000;
	}
	if (!url || opt.min_size > opt.max_size)
		return CORM_EINVAL;
	corm_pool *p = corm__calloc(1, sizeof *p);
	if (!p)
		return CORM_ENOMEM;
	p->opt = opt;
	p->url = corm__strdup(url);
	p->idle = corm__calloc(opt.max_size, sizeof(corm_db *));
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	if (!p->url || !p->idle) {
		corm_pool_free(p);
		return CORM_ENOMEM;
	}
	for (size_t i = 0; i < opt.min_size; i++) {
		corm_db *db;
		int rc = corm_open(&db, url);
		if (rc) {
			snprintf(p->errmsg, sizeof p->errmsg, "%s", corm_errmsg(db));
			corm_close(db);
			corm_pool_free(p);
			return rc;
		}
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

int corm_pool_acquire(corm_pool *p, corm_db **out)
{
	if (!p || !out)
		return CORM_EINVAL;
	*out = NULL;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += p->opt.acquire_timeout_ms / 1000;
	deadline.tv_nsec += (long)(p->opt.acquire_timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->nidle) {
			corm_db *db = p->idle[--p->nidle];
			pthread_mutex_unlock(&p->lock);
			if (healthy(db)) {
				corm__db_ok(db);
				*out = db;
				return CORM_OK;
			}
			/* the server went away since (e.g. a restart): replace it */
			corm_close(db);
			pthread_mutex_lock(&p->lock);
			p->open--;
		}
		if (p->open < p->opt.max_size) {
			p->open++;
			pthread_mutex_unlock(&p->lock);
			corm_db *db;
			int rc = corm_open(&db, p->url);
			if (rc == CORM_OK) {
				*out = db;
				return CORM_OK;
			}
			pthread_mutex_lock(&p->lock);
			snprintf(p->errmsg, sizeof p->errmsg, "%s", corm_errmsg(db));
			p->open--;
			pthread_cond_signal(&p->freed);
			pthread_mutex_unlock(&p->lock);
			corm_close(db);
			return rc;
		}
		if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT &&
		    !p->nidle && p->open >= p->opt.max_size) {
			snprintf(p->errmsg, sizeof p->errmsg,
			         "no connection became free within %d ms (all %zu in use)",
			         p->opt.acquire_timeout_ms, p->opt.max_size);
			pthread_mutex_unlock(&p->lock);
			return CORM_ETIMEOUT;
		}
	}
}

void corm_pool_release(corm_pool *p, corm_db *db)
{
	if (!p || !db)
		return;
	if (db->depth > 0 && db->conn) {
		/* a block left open must not leak into the next user */
		corm__rollback_keep_error(db);
		while (db->depth > 0)
			corm_atomic_rollback(db);
	}
	bool keep = db->conn && db->err.code != CORM_ECONNECTION;
	pthread_mutex_lock(&p->lock);
	if (keep && p->nidle < p->opt.max_size) {
		p->idle[p->nidle++] = db;
		db = NULL;
	} else {
		p->open--;
	}
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	corm_close(db);
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
	return p ? p->errmsg : "NULL pool";
}

void corm_pool_free(corm_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nidle; i++)
		corm_close(p->idle[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	corm__free(p->idle);
	corm__free(p->url);
	corm__free(p);
}

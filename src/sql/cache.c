#include <string.h>

#include "sql/cache.h"
#include "util/alloc.h"

const char *corm__memo_get(const corm_sql_cache *c, uint64_t key, size_t *len)
{
	for (size_t i = 0; i < CORM_MEMO_SLOTS; i++)
		if (c->memo[i].key == key && c->memo[i].sql) {
			*len = c->memo[i].len;
			return c->memo[i].sql;
		}
	return NULL;
}

void corm__memo_put(corm_sql_cache *c, uint64_t key, const char *sql, size_t len)
{
	char *copy = corm__strndup(sql, len);
	if (!copy)
		return;
	corm_memo *m = &c->memo[c->memo_next++ % CORM_MEMO_SLOTS];
	corm__free(m->sql);
	*m = (corm_memo){key, copy, len};
}

const corm_shape_entry *corm__shape_get(const corm_sql_cache *c, uint64_t hash, const uint64_t *key,
                                        size_t nkey)
{
	for (size_t i = 0; i < CORM_SHAPE_SLOTS; i++) {
		const corm_shape_entry *e = c->shapes[i];
		if (e && e->hash == hash && e->nkey == nkey &&
		    !memcmp(e->key, key, nkey * sizeof *key))
			return e;
	}
	return NULL;
}

void corm__shape_put(corm_sql_cache *c, uint64_t hash, const uint64_t *key, size_t nkey,
                     const char *sql, size_t len)
{
	corm_shape_entry *e = corm__alloc(sizeof *e + nkey * sizeof *key + len + 1);
	if (!e)
		return;
	*e = (corm_shape_entry){hash, nkey, len, (char *)(e->key + nkey)};
	memcpy(e->key, key, nkey * sizeof *key);
	memcpy(e->sql, sql, len);
	e->sql[len] = '\0';
	corm_shape_entry **slot = &c->shapes[c->shape_next++ % CORM_SHAPE_SLOTS];
	corm__free(*slot);
	*slot = e;
}

void corm__sql_cache_free(corm_sql_cache *c)
{
	for (size_t i = 0; i < CORM_MEMO_SLOTS; i++)
		corm__free(c->memo[i].sql);
	for (size_t i = 0; i < CORM_SHAPE_SLOTS; i++)
		corm__free(c->shapes[i]);
	memset(c, 0, sizeof *c);
}

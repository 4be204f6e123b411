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

void corm__sql_cache_free(corm_sql_cache *c)
{
	for (size_t i = 0; i < CORM_MEMO_SLOTS; i++)
		corm__free(c->memo[i].sql);
	memset(c, 0, sizeof *c);
}

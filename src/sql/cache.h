/*
 * What the compiler remembers per connection: the SQL of fixed shapes (a
 * model's INSERT, its full select list) and the backend's SQL for each
 * registered lookup and transform. The connection owns one (corm_db.sqlc).
 */
#ifndef CORM_SQL_CACHE_H
#define CORM_SQL_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* SQL the library built for a fixed shape, remembered per connection. */
typedef struct corm_memo {
	uint64_t key;
	char *sql;
	size_t len;
} corm_memo;

#define CORM_MEMO_SLOTS 32

/* At least the registries' CORM_MAX_LOOKUPS / CORM_MAX_TRANSFORMS (query/lookups.h). */
#define CORM_SQL_CACHE_OPS 64

/* SELECT shapes kept per connection. */
#define CORM_SHAPE_SLOTS 32

struct corm_features;

typedef struct corm_sql_cache {
	/* what the connection's server can do (the connection's corm_features); set at open */
	const struct corm_features *features;
	corm_memo memo[CORM_MEMO_SLOTS];
	unsigned memo_next; /* the slot replaced next, round robin */
	/* the backend's SQL for each registered lookup and transform (by the registries' ids),
	 * found by name the first time a query uses it */
	const void *lookup_sql[CORM_SQL_CACHE_OPS], *transform_sql[CORM_SQL_CACHE_OPS];
	/* SELECT texts by the query's shape (its tree with the values left out) */
	struct corm_shape_entry *shapes[CORM_SHAPE_SLOTS];
	unsigned shape_next; /* the slot replaced next, round robin */
} corm_sql_cache;

/*
 * A SELECT the compiler made, remembered by the shape of its query: `key`, the
 * words that describe the tree with every bound value left out (the meta's
 * serial, the kind of statement, the select list, each WHERE node and leaf,
 * the ordering, the limits), then the SQL text.
 */
typedef struct corm_shape_entry {
	uint64_t hash;
	size_t nkey, len;
	char *sql; /* in the same allocation, after key */
	uint64_t key[];
} corm_shape_entry;

/* The SQL remembered for the shape `key` (nkey words, hashed to `hash`), or NULL. Borrowed
 * until the next corm__shape_put. */
const corm_shape_entry *corm__shape_get(const corm_sql_cache *c, uint64_t hash, const uint64_t *key,
                                        size_t nkey);
/* Remembers sql for the shape. Out of memory only means it is not remembered. */
void corm__shape_put(corm_sql_cache *c, uint64_t hash, const uint64_t *key, size_t nkey,
                     const char *sql, size_t len);

/* What a memo key's text is, for one model (the key's high bits are the meta's serial). */
enum { CORM_MEMO_INSERT = 1, CORM_MEMO_SELECT_LIST = 2 };

/* The key of a model's memo: kind, and a 16-bit variant of it. */
static inline uint64_t corm__memo_key(uint64_t serial, unsigned kind, unsigned variant)
{
	return serial << 20 | (uint64_t)kind << 16 | (variant & 0xffff);
}

/*
 * The SQL remembered for `key` (a meta's serial combined with what else the
 * text depends on), or NULL. Borrowed until the next corm__memo_put.
 */
const char *corm__memo_get(const corm_sql_cache *c, uint64_t key, size_t *len);
/* Remembers sql for key. Out of memory only means it is not remembered. */
void corm__memo_put(corm_sql_cache *c, uint64_t key, const char *sql, size_t len);
/* Frees what the cache holds; it is then empty. */
void corm__sql_cache_free(corm_sql_cache *c);

#endif

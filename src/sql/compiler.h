/*
 * The SQL compiler (Django's sql/compiler.py): query tree -> SQL text and
 * bound parameters, asking the backend for every dialect detail. One compile
 * function per node kind, all writing into one shared corm_sql that is never
 * reset in the middle of a query: placeholders are numbered across nesting,
 * so a subquery compiles straight into its parent.
 */
#ifndef CORM_SQL_COMPILER_H
#define CORM_SQL_COMPILER_H

#include "sql/buffer.h"
#include "sql/cache.h"
#include "query/query.h"

typedef enum { COMPILE_ROWS, COMPILE_COUNT, COMPILE_EXISTS } corm_compile_kind;

/* Result of compiling when the query can match nothing: no SQL is needed. */
#define CORM_EMPTY_RESULT 1

/* The state of one compilation. */
typedef struct corm_compiler {
	corm_sql *s; /* the output; shared by every nested query */
	const corm_backend *be;
	corm_sql_cache *cache; /* the connection's: fixed texts, the backend's SQL by lookup */
	const corm_query *q;   /* the query whose aliases Col nodes name */
	corm_err *err;
	int error; /* the first error (besides OOM, which is s->oom) */
} corm_compiler;

/* Appends a placeholder bound to a deep copy of v (or v itself when s->borrow). */
void corm__sql_param(corm_sql *s, const corm_backend *be, const corm_value *v);
/* Writes an expression. */
void corm__compile_expr(corm_compiler *c, const corm_expr *e);

/*
 * Every compile_* function empties `out` (an initialized corm_sql, usually the
 * connection's: corm__sql_acquire) and writes into it; the caller releases it
 * whatever the result.
 */

/* SELECT for rows, COUNT(*) or EXISTS. CORM_OK, CORM_EMPTY_RESULT, or an error (err set). */
int corm__compile_select(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         corm_compile_kind kind, corm_sql *out, corm_err *err);

/* A SET item of an UPDATE: a field and a value (expressions resolved). */
typedef struct corm_set_item {
	const corm_fmeta *field;
	corm_value value;
} corm_set_item;

/* `borrow`: the SET values and the query's values outlive the statement (saving an instance). */
int corm__compile_update(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         bool borrow, const corm_set_item *sets, size_t n, corm_sql *out,
                         corm_err *err);
int corm__compile_delete(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         corm_sql *out, corm_err *err);
/* INSERT INTO t (cols) VALUES (...) [RETURNING pk]. */
void corm__compile_insert(const corm_backend *be, const corm_meta *meta, const corm_set_item *cols,
                          size_t n, bool returning, corm_sql *out);
/* The comma-separated select list of all concrete fields, qualified by `alias`. */
void corm__sql_select_list(corm_buf *b, const corm_backend *be, const corm_meta *meta,
                           const char *alias);

#endif

/*
 * SQL text with its bound parameters: what the compiler produces and a
 * statement consumes. Each connection keeps one for reuse, so compiling a
 * query allocates nothing once the connection has warmed up.
 */
#ifndef CORM_SQL_BUFFER_H
#define CORM_SQL_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

#include "corm/types.h"
#include "util/buf.h"

typedef struct corm_sql {
	corm_buf text;
	corm_value *params;
	bool *owned; /* params[i] is a deep copy to free (else borrowed) */
	size_t n, cap;
	bool oom;
	/*
	 * Set by callers whose values outlive the statement (an instance being
	 * saved): parameters are then borrowed instead of copied.
	 */
	bool borrow;
	bool busy; /* the connection's own one, lent out */
} corm_sql;

void corm__sql_init(corm_sql *s);
/* Frees everything s holds; s is then empty (as after init). */
void corm__sql_free(corm_sql *s);
/* Empties s (owned parameters freed) but keeps its memory for the next statement. */
void corm__sql_reset(corm_sql *s);
/*
 * Appends a parameter; an owned one is freed when it cannot be stored.
 * false (and s->oom set) when out of memory.
 */
bool corm__sql_push_grow(corm_sql *s, corm_value v, bool owned);
static inline bool corm__sql_push(corm_sql *s, corm_value v, bool owned)
{
	if (s->n == s->cap) /* the first statements of a connection, or a longer one */
		return corm__sql_push_grow(s, v, owned);
	s->owned[s->n] = owned;
	s->params[s->n++] = v;
	return true;
}

#endif

#include <string.h>

#include "sql/buffer.h"
#include "model/meta.h"
#include "util/alloc.h"

/* Above this, a reset gives the memory back: a 100,000-value `in` should not stay resident. */
#define SQL_KEEP_TEXT   (64 * 1024)
#define SQL_KEEP_PARAMS 1024

void corm__sql_init(corm_sql *s)
{
	memset(s, 0, sizeof *s);
}

void corm__sql_free(corm_sql *s)
{
	corm_buf_free(&s->text);
	for (size_t i = 0; i < s->n; i++)
		if (s->owned[i])
			corm__value_free(&s->params[i]);
	corm__free(s->params);
	corm__free(s->owned);
	memset(s, 0, sizeof *s);
}

void corm__sql_reset(corm_sql *s)
{
	if (s->text.cap > SQL_KEEP_TEXT || s->cap > SQL_KEEP_PARAMS) {
		bool busy = s->busy;
		corm__sql_free(s);
		s->busy = busy;
		return;
	}
	corm_buf_clear(&s->text);
	for (size_t i = 0; i < s->n; i++)
		if (s->owned[i])
			corm__value_free(&s->params[i]);
	s->n = 0;
	s->oom = false;
	s->borrow = false;
}

bool corm__sql_push_grow(corm_sql *s, corm_value v, bool owned)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		corm_value *p = corm__realloc(s->params, cap * sizeof *p);
		bool *o = p ? corm__realloc(s->owned, cap * sizeof *o) : NULL;
		if (p)
			s->params = p;
		if (!o) {
			if (owned)
				corm__value_free(&v);
			s->oom = true;
			return false;
		}
		s->owned = o;
		s->cap = cap;
	}
	s->owned[s->n] = owned;
	s->params[s->n++] = v;
	return true;
}

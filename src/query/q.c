/* Q objects: AND/OR/NOT trees of lookups, as the user builds them. */
#include <string.h>

#include "query/query.h"
#include "util/alloc.h"

corm_q *corm_q_new(const char *path, corm_value value)
{
	corm_q *q = path ? corm__calloc(1, sizeof *q) : NULL;
	if (!q || !(q->path = corm__strdup(path))) {
		corm__free(q);
		if (value.type == CORM_TYPE_EXPR)
			corm_expr_free(value.u.expr);
		return NULL;
	}
	q->kind = Q_LEAF;
	if (value.type == CORM_TYPE_EXPR) {
		if (!value.u.expr) { /* an expression that failed to allocate */
			corm_q_free(q);
			return NULL;
		}
		q->value = value; /* take ownership */
		return q;
	}
	if (value.type == CORM_TYPE_OBJECT) {
		/* keep the pk and the model (checked when applied), not the borrowed pointer */
		q->obj_model = ((const corm_obj *)value.u.object)->model;
		q->value = corm_v_int(corm_pk(value.u.object));
		return q;
	}
	if (corm__value_copy(&q->value, &value)) {
		corm_q_free(q);
		return NULL;
	}
	return q;
}

corm_q *corm_q_empty(void)
{
	corm_q *q = corm__calloc(1, sizeof *q);
	if (q)
		q->kind = Q_AND;
	return q;
}

static corm_q *combine(corm_q_kind kind, corm_q *const *qs, size_t n)
{
	bool ok = qs != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = qs[i] != NULL;
	corm_q *q = ok ? corm__calloc(1, sizeof *q) : NULL;
	if (q && n)
		q->children = corm__calloc(n, sizeof(corm_q *));
	if (!q || (n && !q->children)) {
		if (q)
			corm__free(q);
		for (size_t i = 0; qs && i < n; i++)
			corm_q_free(qs[i]);
		return NULL;
	}
	q->kind = kind;
	for (size_t i = 0; i < n; i++) {
		/* Q() is the identity: Q() & x is x, like Django's _combine */
		if (qs[i]->kind != Q_LEAF && qs[i]->n == 0 && !qs[i]->negated) {
			corm_q_free(qs[i]);
			continue;
		}
		q->children[q->n++] = qs[i];
	}
	return q;
}

corm_q *corm_q_and_n(corm_q *const *qs, size_t n)
{
	return combine(Q_AND, qs, n);
}
corm_q *corm_q_or_n(corm_q *const *qs, size_t n)
{
	return combine(Q_OR, qs, n);
}

corm_q *corm_not(corm_q *q)
{
	if (!q)
		return NULL;
	q->negated = !q->negated;
	return q;
}

corm_q *corm_q_copy(const corm_q *q)
{
	if (!q)
		return NULL;
	corm_q *c = corm__calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->kind = q->kind;
	c->negated = q->negated;
	int rc = CORM_OK;
	if (q->path && !(c->path = corm__strdup(q->path)))
		rc = CORM_ENOMEM;
	if (!rc && q->value.type == CORM_TYPE_EXPR) {
		c->value = q->value;
		c->value.u.expr = corm__expr_copy(q->value.u.expr);
		if (!c->value.u.expr) {
			c->value = corm_v_null();
			rc = CORM_ENOMEM;
		}
	} else if (!rc) {
		c->obj_model = q->obj_model;
		rc = corm__value_copy(&c->value, &q->value);
	}
	if (!rc && q->n && !(c->children = corm__calloc(q->n, sizeof(corm_q *))))
		rc = CORM_ENOMEM;
	for (size_t i = 0; !rc && i < q->n; i++) {
		if (!(c->children[i] = corm_q_copy(q->children[i])))
			rc = CORM_ENOMEM;
		else
			c->n++;
	}
	if (rc) {
		corm_q_free(c);
		return NULL;
	}
	return c;
}

void corm_q_free(corm_q *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		corm_q_free(q->children[i]);
	corm__free(q->children);
	corm__free(q->path);
	corm__value_free(&q->value);
	corm__free(q);
}

/* Q objects: AND/OR/NOT trees of lookups, as the user builds them. */
#include <string.h>

#include "query/query.h"
#include "util/alloc.h"

corm_q *corm_q_new(const char *path, corm_value value)
{
	/* the path lives in the same allocation: one malloc per Q */
	size_t len = path ? strlen(path) : 0;
	corm_q *q = path ? corm__alloc(sizeof *q + len + 1) : NULL;
	if (!q) {
		if (value.type == CORM_TYPE_EXPR)
			corm_expr_free(value.u.expr);
		return NULL;
	}
	memset(q, 0, sizeof *q);
	q->path = memcpy((char *)(q + 1), path, len + 1);
	q->kind = Q_LEAF;
	q->depth = 1;
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
		corm_value key = corm_v_null();
		corm_pk_value(value.u.object, &key);
		/* an unsaved instance's integer key is 0, as it always was */
		if (key.type == CORM_TYPE_NULL && corm__obj_meta(value.u.object) &&
		    corm__obj_meta(value.u.object)->pk->vtype == CORM_TYPE_INT)
			key = corm_v_int(0);
		if (corm__value_copy(&q->value, &key)) {
			corm_q_free(q);
			return NULL;
		}
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
	if (q) {
		q->kind = Q_AND;
		q->depth = 1;
	}
	return q;
}

static void q_free_all(corm_q *const *qs, size_t n)
{
	for (size_t i = 0; qs && i < n; i++)
		corm_q_free(qs[i]);
}

/* Appends child to q's children, growing them geometrically. false on OOM (child not taken). */
static bool q_push(corm_q *q, corm_q *child)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 4;
		corm_q **c = corm__realloc(q->children, cap * sizeof *c);
		if (!c)
			return false;
		q->children = c;
		q->cap = cap;
	}
	q->children[q->n++] = child;
	if (child->depth >= q->depth)
		q->depth = child->depth + 1;
	return true;
}

/* Whether child's children can be taken over by a node of `kind` (Django's Q._combine
 * squashes a Q of the same connector into its parent). */
static bool absorbable(const corm_q *child, corm_q_kind kind)
{
	return child->kind == kind && !child->negated;
}

/*
 * a & b & ..., a | b | ...: a flat node. An operand of the same connector
 * (not negated) lends its children, and when it comes first it is extended in
 * place: the loop `q = corm_or(q, x)` appends to one node, in amortized O(1).
 */
static corm_q *combine(corm_q_kind kind, corm_q *const *qs, size_t n)
{
	bool ok = qs != NULL;
	for (size_t i = 0; ok && i < n; i++)
		ok = qs[i] != NULL;
	if (!ok) {
		q_free_all(qs, n);
		return NULL;
	}
	size_t first = 0;
	corm_q *q;
	if (n && absorbable(qs[0], kind)) {
		q = qs[0];
		first = 1;
	} else if (!(q = corm__calloc(1, sizeof *q))) {
		q_free_all(qs, n);
		return NULL;
	} else {
		q->kind = kind;
		q->depth = 1;
	}
	for (size_t i = first; i < n; i++) {
		corm_q *c = qs[i];
		/* Q() is the identity: Q() & x is x, like Django's _combine */
		if (c->kind != Q_LEAF && c->kind != Q_INVALID && c->n == 0 && !c->negated) {
			corm_q_free(c);
			continue;
		}
		if (absorbable(c, kind)) {
			size_t k = 0;
			while (k < c->n && q_push(q, c->children[k]))
				k++;
			if (k < c->n) { /* out of memory: what was not moved is freed with c */
				memmove(c->children, c->children + k,
				        (c->n - k) * sizeof *c->children);
				c->n -= k;
				corm_q_free(c);
				corm_q_free(q);
				q_free_all(qs + i + 1, n - i - 1);
				return NULL;
			}
			c->n = 0;
			corm_q_free(c);
			continue;
		}
		if (!q_push(q, c)) {
			corm_q_free(q);
			q_free_all(qs + i, n - i);
			return NULL;
		}
	}
	if (q->depth > CORM_MAX_TREE_DEPTH) {
		/* every walk over Q trees recurses: refuse the nesting when the Q is applied */
		corm_q *bad = corm__calloc(1, sizeof *bad);
		corm_q_free(q);
		if (bad) {
			bad->kind = Q_INVALID;
			bad->depth = 1;
		}
		return bad;
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
	size_t len = q->path ? strlen(q->path) : 0;
	corm_q *c = corm__alloc(sizeof *c + (q->path ? len + 1 : 0));
	if (!c)
		return NULL;
	memset(c, 0, sizeof *c);
	if (q->path)
		c->path = memcpy((char *)(c + 1), q->path, len + 1);
	c->kind = q->kind;
	c->negated = q->negated;
	c->depth = q->depth;
	int rc = CORM_OK;
	if (q->value.type == CORM_TYPE_EXPR) {
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
	else
		c->cap = q->n;
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
	corm__value_free(&q->value);
	corm__free(q);
}

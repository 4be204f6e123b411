/* F() expressions and arithmetic on them. */
#include "query/query.h"
#include "util/alloc.h"

corm_expr *corm_f(const char *path)
{
	if (!path)
		return NULL;
	corm_expr *e = corm__calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->kind = EXPR_F;
	e->path = corm__strdup(path);
	if (!e->path) {
		corm__free(e);
		return NULL;
	}
	return e;
}

corm_expr *corm_expr_value(corm_value value)
{
	if (value.type == CORM_TYPE_EXPR)
		return value.u.expr;
	corm_expr *e = corm__calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->kind = EXPR_VALUE;
	if (value.type == CORM_TYPE_LIST || value.type == CORM_TYPE_OBJECT ||
	    corm__value_copy(&e->value, &value)) {
		corm__free(e);
		return NULL;
	}
	return e;
}

static corm_expr *binary(corm_expr_kind kind, corm_expr *a, corm_expr *b)
{
	corm_expr *e = a && b ? corm__calloc(1, sizeof *e) : NULL;
	if (!e) {
		corm_expr_free(a);
		corm_expr_free(b);
		return NULL;
	}
	e->kind = kind;
	e->lhs = a;
	e->rhs = b;
	return e;
}

corm_expr *corm_expr_add(corm_expr *a, corm_expr *b)
{
	return binary(EXPR_ADD, a, b);
}
corm_expr *corm_expr_sub(corm_expr *a, corm_expr *b)
{
	return binary(EXPR_SUB, a, b);
}
corm_expr *corm_expr_mul(corm_expr *a, corm_expr *b)
{
	return binary(EXPR_MUL, a, b);
}
corm_expr *corm_expr_div(corm_expr *a, corm_expr *b)
{
	return binary(EXPR_DIV, a, b);
}
corm_expr *corm_expr_mod(corm_expr *a, corm_expr *b)
{
	return binary(EXPR_MOD, a, b);
}

void corm_expr_free(corm_expr *e)
{
	if (!e)
		return;
	corm_expr_free(e->lhs);
	corm_expr_free(e->rhs);
	corm__free(e->path);
	corm__value_free(&e->value);
	corm__free(e);
}

corm_expr *corm__expr_copy(const corm_expr *e)
{
	if (!e)
		return NULL;
	corm_expr *c = corm__calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->kind = e->kind;
	c->field = e->field;
	if ((e->path && !(c->path = corm__strdup(e->path))) ||
	    corm__value_copy(&c->value, &e->value) ||
	    (e->lhs && !(c->lhs = corm__expr_copy(e->lhs))) ||
	    (e->rhs && !(c->rhs = corm__expr_copy(e->rhs)))) {
		corm_expr_free(c);
		return NULL;
	}
	return c;
}

/* Expression nodes: the public constructors (F, values, arithmetic) and the generic walks. */
#include <string.h>

#include "query/expr.h"
#include "query/resolve.h"
#include "util/alloc.h"

/*
 * What a tree nested past CORM_MAX_TREE_DEPTH becomes: one node, refused when
 * resolved. Every walk recurses, so the nesting is cut where it is built
 * (copying or freeing a million nested additions would overflow the stack).
 */
static int too_deep(corm_expr **slot, corm_resolver *r)
{
	(void)slot;
	return corm__err_set(r->err, CORM_EINVAL, "Expression nested more than %d levels deep.",
	                     CORM_MAX_TREE_DEPTH);
}

static const corm_expr_class too_deep_class = {CORM_EXPR_VALUE, "TooDeep", sizeof(corm_expr),
                                               too_deep,        NULL,      NULL};

corm_expr *corm__expr_new(const corm_expr_class *cls, corm_expr **args, size_t nargs)
{
	bool ok = true;
	unsigned depth = 0;
	for (size_t i = 0; i < nargs; i++) {
		if (!args[i])
			ok = false;
		else if (args[i]->depth > depth)
			depth = args[i]->depth;
	}
	if (ok && depth >= CORM_MAX_TREE_DEPTH) {
		for (size_t i = 0; i < nargs; i++)
			corm_expr_free(args[i]);
		cls = &too_deep_class;
		nargs = 0;
	}
	corm_expr *e = ok ? corm__calloc(1, cls->size) : NULL;
	if (e && nargs && !(e->args = corm__calloc(nargs, sizeof *e->args))) {
		corm__free(e);
		e = NULL;
	}
	if (!e) {
		for (size_t i = 0; i < nargs; i++)
			corm_expr_free(args[i]);
		return NULL;
	}
	e->cls = cls;
	e->nargs = (uint16_t)nargs;
	e->depth = (uint16_t)(depth < CORM_MAX_TREE_DEPTH ? depth + 1 : CORM_MAX_TREE_DEPTH);
	for (size_t i = 0; i < nargs; i++)
		e->args[i] = args[i];
	return e;
}

void corm_expr_free(corm_expr *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nargs; i++)
		corm_expr_free(e->args[i]);
	corm__free(e->args);
	if (e->cls->clear)
		e->cls->clear(e);
	corm__free(e);
}

corm_expr *corm__expr_copy(const corm_expr *e)
{
	if (!e)
		return NULL;
	corm_expr *c = corm__alloc(e->cls->size);
	if (!c)
		return NULL;
	memcpy(c, e, e->cls->size);
	c->args = NULL;
	c->nargs = 0;
	if (e->cls->copy && e->cls->copy(c, e)) {
		corm__free(c);
		return NULL;
	}
	if (e->nargs && !(c->args = corm__calloc(e->nargs, sizeof *c->args))) {
		corm_expr_free(c);
		return NULL;
	}
	for (size_t i = 0; i < e->nargs; i++) {
		if (!(c->args[i] = corm__expr_copy(e->args[i]))) {
			corm_expr_free(c);
			return NULL;
		}
		c->nargs++;
	}
	return c;
}

int corm__expr_resolve(corm_expr **slot, corm_resolver *r)
{
	corm_expr *e = *slot;
	if (!e)
		return corm__err_set(r->err, CORM_ENOMEM, "out of memory");
	for (size_t i = 0; i < e->nargs; i++) {
		int rc = corm__expr_resolve(&e->args[i], r);
		if (rc)
			return rc;
	}
	return e->cls->resolve ? e->cls->resolve(slot, r) : CORM_OK;
}

/* ---- Col ---- */

const corm_expr_class corm__col_class = {CORM_EXPR_COL, "Col", sizeof(corm_col), NULL, NULL, NULL};

corm_expr *corm__col_new(int alias, const corm_fmeta *field)
{
	corm_col *c = (corm_col *)corm__expr_new(&corm__col_class, NULL, 0);
	if (!c)
		return NULL;
	c->alias = alias;
	c->e.field = field;
	c->e.type = field->vtype;
	return &c->e;
}

/* ---- Value ---- */

static int value_copy(corm_expr *dst, const corm_expr *src)
{
	corm_value_expr *d = (corm_value_expr *)dst;
	d->value = corm_v_null();
	return corm__value_copy(&d->value, &((const corm_value_expr *)src)->value);
}

static void value_clear(corm_expr *e)
{
	corm__value_free(&((corm_value_expr *)e)->value);
}

const corm_expr_class corm__value_class = {
        CORM_EXPR_VALUE, "Value", sizeof(corm_value_expr), NULL, value_copy, value_clear};

corm_expr *corm_expr_value(corm_value value)
{
	if (value.type == CORM_TYPE_EXPR)
		return value.u.expr;
	if (value.type == CORM_TYPE_LIST || value.type == CORM_TYPE_OBJECT)
		return NULL;
	corm_value_expr *v = (corm_value_expr *)corm__expr_new(&corm__value_class, NULL, 0);
	if (!v)
		return NULL;
	if (corm__value_copy(&v->value, &value)) {
		v->value = corm_v_null();
		corm_expr_free(&v->e);
		return NULL;
	}
	v->e.type = value.type;
	return &v->e;
}

/* ---- F ---- */

static int f_copy(corm_expr *dst, const corm_expr *src)
{
	corm_fref *d = (corm_fref *)dst;
	d->path = corm__strdup(((const corm_fref *)src)->path);
	return d->path ? CORM_OK : CORM_ENOMEM;
}

static void f_clear(corm_expr *e)
{
	corm__free(((corm_fref *)e)->path);
}

/* F("a__b__year") becomes the Col (through joins) and its transforms. */
static int f_resolve(corm_expr **slot, corm_resolver *r)
{
	corm_fref *f = (corm_fref *)*slot;
	corm_expr *out;
	int rc = corm__resolve_f(r, f->path, &out);
	if (rc)
		return rc;
	corm_expr_free(*slot);
	*slot = out;
	return CORM_OK;
}

const corm_expr_class corm__f_class = {CORM_EXPR_F, "F",    sizeof(corm_fref),
                                       f_resolve,   f_copy, f_clear};

corm_expr *corm_f(const char *path)
{
	if (!path)
		return NULL;
	corm_fref *f = (corm_fref *)corm__expr_new(&corm__f_class, NULL, 0);
	if (!f)
		return NULL;
	if (!(f->path = corm__strdup(path))) {
		corm_expr_free(&f->e);
		return NULL;
	}
	return &f->e;
}

/* ---- arithmetic ---- */

/* Django's _resolve_combined_type, reduced to corm's value types: integer with integer stays
 * integer, a float or decimal operand makes the result that type. */
static int combined_resolve(corm_expr **slot, corm_resolver *r)
{
	corm_expr *e = *slot;
	corm_type a = e->args[0]->type, b = e->args[1]->type;
	e->type = a == CORM_TYPE_NULL ? b : a;
	if (a == CORM_TYPE_FLOAT || b == CORM_TYPE_FLOAT)
		e->type = CORM_TYPE_FLOAT;
	else if (a == CORM_TYPE_DECIMAL || b == CORM_TYPE_DECIMAL)
		e->type = CORM_TYPE_DECIMAL;
	/* the field of the left operand gives values of the right one their type when coerced */
	e->field = e->args[0]->field ? e->args[0]->field : e->args[1]->field;
	(void)r;
	return CORM_OK;
}

const corm_expr_class corm__combined_class = {CORM_EXPR_COMBINED,
                                              "CombinedExpression",
                                              sizeof(corm_combined),
                                              combined_resolve,
                                              NULL,
                                              NULL};

static corm_expr *combine(corm_op op, corm_expr *a, corm_expr *b)
{
	corm_combined *c =
	        (corm_combined *)corm__expr_new(&corm__combined_class, (corm_expr *[]){a, b}, 2);
	if (c && c->e.cls == &corm__combined_class) /* else the too-deep node, which has no op */
		c->op = op;
	return c ? &c->e : NULL;
}

corm_expr *corm_expr_add(corm_expr *a, corm_expr *b)
{
	return combine(CORM_OP_ADD, a, b);
}
corm_expr *corm_expr_sub(corm_expr *a, corm_expr *b)
{
	return combine(CORM_OP_SUB, a, b);
}
corm_expr *corm_expr_mul(corm_expr *a, corm_expr *b)
{
	return combine(CORM_OP_MUL, a, b);
}
corm_expr *corm_expr_div(corm_expr *a, corm_expr *b)
{
	return combine(CORM_OP_DIV, a, b);
}
corm_expr *corm_expr_mod(corm_expr *a, corm_expr *b)
{
	return combine(CORM_OP_MOD, a, b);
}

/* ---- transforms ---- */

const corm_expr_class corm__transform_class = {
        CORM_EXPR_TRANSFORM, "Transform", sizeof(corm_transform_expr), NULL, NULL, NULL};

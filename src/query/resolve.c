/*
 * Name resolution (Django's Query.names_to_path / build_lookup): turns
 * "created_at__year__gte" into a field, a chain of transforms and a lookup,
 * coerces the value to the field's type, and builds WHERE nodes.
 */
#include <stdlib.h>
#include <string.h>

#include "query/query.h"
#include "util/alloc.h"

static const char *const lookup_names[CORM_LOOKUP_COUNT_] = {
        [CORM_LOOKUP_EXACT] = "exact",
        [CORM_LOOKUP_IEXACT] = "iexact",
        [CORM_LOOKUP_CONTAINS] = "contains",
        [CORM_LOOKUP_ICONTAINS] = "icontains",
        [CORM_LOOKUP_STARTSWITH] = "startswith",
        [CORM_LOOKUP_ISTARTSWITH] = "istartswith",
        [CORM_LOOKUP_ENDSWITH] = "endswith",
        [CORM_LOOKUP_IENDSWITH] = "iendswith",
        [CORM_LOOKUP_GT] = "gt",
        [CORM_LOOKUP_GTE] = "gte",
        [CORM_LOOKUP_LT] = "lt",
        [CORM_LOOKUP_LTE] = "lte",
        [CORM_LOOKUP_IN] = "in",
        [CORM_LOOKUP_ISNULL] = "isnull",
        [CORM_LOOKUP_RANGE] = "range",
        [CORM_LOOKUP_REGEX] = "regex",
        [CORM_LOOKUP_IREGEX] = "iregex",
};

static const char *const transform_names[CORM_TRANSFORM_COUNT_] = {
        [CORM_TRANSFORM_DATE] = "date",         [CORM_TRANSFORM_YEAR] = "year",
        [CORM_TRANSFORM_MONTH] = "month",       [CORM_TRANSFORM_DAY] = "day",
        [CORM_TRANSFORM_WEEK_DAY] = "week_day", [CORM_TRANSFORM_HOUR] = "hour",
        [CORM_TRANSFORM_MINUTE] = "minute",     [CORM_TRANSFORM_SECOND] = "second",
};

const char *corm__lookup_name(corm_lookup l)
{
	return lookup_names[l];
}
const char *corm__transform_name(corm_transform t)
{
	return transform_names[t];
}

/* Which transforms a field kind (or a transform's output) accepts. */
static bool transform_allowed(corm_field_kind kind, corm_transform t)
{
	switch (kind) {
	case CORM_FIELD_DATETIME:
		return true;
	case CORM_FIELD_DATE:
		return t == CORM_TRANSFORM_YEAR || t == CORM_TRANSFORM_MONTH ||
		       t == CORM_TRANSFORM_DAY || t == CORM_TRANSFORM_WEEK_DAY;
	case CORM_FIELD_TIME:
		return t == CORM_TRANSFORM_HOUR || t == CORM_TRANSFORM_MINUTE ||
		       t == CORM_TRANSFORM_SECOND;
	default:
		return false;
	}
}

static int levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	int row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int sub = prev + (a[i - 1] != b[j - 1]);
			int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "Unsupported lookup 'icontainz' for CharField 'title' of blog.Post, perhaps you meant icontains?
 * Choices are: ..." */
static int unsupported(const corm_fmeta *fm, const char *name, size_t len, corm_err *err)
{
	const char *names[CORM_LOOKUP_COUNT_ + CORM_TRANSFORM_COUNT_];
	size_t n = 0;
	for (int i = 0; i < CORM_LOOKUP_COUNT_; i++)
		names[n++] = lookup_names[i];
	for (int t = 1; t < CORM_TRANSFORM_COUNT_; t++)
		if (transform_allowed(fm->kind, (corm_transform)t))
			names[n++] = transform_names[t];
	qsort(names, n, sizeof *names, cmp_names);
	char bad[64];
	snprintf(bad, sizeof bad, "%.*s", (int)(len < 63 ? len : 63), name);
	corm_buf b = CORM_BUF_INIT;
	corm_buf_printf(&b, "Unsupported lookup '%s' for %s '%s' of %s", bad,
	                corm__kind_name(fm->kind), fm->name, fm->owner->label);
	const char *best = NULL;
	int best_d = 3;
	for (size_t i = 0; i < n; i++) {
		int d = levenshtein(bad, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	if (best)
		corm_buf_printf(&b, ", perhaps you meant %s?", best);
	else
		corm_buf_putc(&b, '.');
	corm_buf_puts(&b, " Choices are: ");
	for (size_t i = 0; i < n; i++)
		corm_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	corm_buf_putc(&b, '.');
	corm__err_set(err, CORM_EFIELD, "%s",
	              corm_buf_cstr(&b) ? corm_buf_cstr(&b) : "out of memory");
	corm_buf_free(&b);
	return CORM_EFIELD;
}

static int unknown_field(const corm_meta *meta, const char *name, size_t len, corm_err *err)
{
	return corm__err_set(err, CORM_EFIELD,
	                     "Cannot resolve keyword '%.*s' into field of %s. Choices are: %s",
	                     (int)(len < 100 ? len : 100), name, meta->label, meta->field_choices);
}

typedef struct path_info {
	const corm_fmeta *field;
	corm_transform transform;
	corm_lookup lookup;
} path_info;

static int resolve_path(const corm_meta *meta, const char *path, path_info *out, corm_err *err)
{
	const char *sep = strstr(path, "__");
	size_t len = sep ? (size_t)(sep - path) : strlen(path);
	out->field = corm__meta_field_n(meta, path, len);
	out->transform = CORM_TRANSFORM_NONE;
	out->lookup = CORM_LOOKUP_EXACT;
	if (!out->field)
		return unknown_field(meta, path, len, err);
	while (sep) {
		const char *part = sep + 2;
		sep = strstr(part, "__");
		len = sep ? (size_t)(sep - part) : strlen(part);
		int found = -1;
		for (int i = 0; i < CORM_LOOKUP_COUNT_; i++)
			if (strlen(lookup_names[i]) == len && !strncmp(part, lookup_names[i], len))
				found = i;
		if (found >= 0 && !sep) {
			out->lookup = (corm_lookup)found;
			return CORM_OK;
		}
		int t = 0;
		for (int i = 1; i < CORM_TRANSFORM_COUNT_; i++)
			if (strlen(transform_names[i]) == len &&
			    !strncmp(part, transform_names[i], len))
				t = i;
		/* one transform, and only on date/time fields (a transform's output takes only
		 * lookups) */
		if (!t || out->transform != CORM_TRANSFORM_NONE ||
		    !transform_allowed(out->field->kind, (corm_transform)t)) {
			if (out->field->kind == CORM_FIELD_FK && found < 0 &&
			    out->transform == CORM_TRANSFORM_NONE)
				return corm__err_set(err, CORM_EFIELD,
				                     "Cannot follow the relation '%s__%.*s' of %s: "
				                     "joins across relations are not supported "
				                     "yet; filter on '%s' or '%s_id'.",
				                     out->field->name, (int)len, part, meta->label,
				                     out->field->name, out->field->name);
			if (out->transform != CORM_TRANSFORM_NONE) {
				/* the transform's output is an integer (or a date): only lookups
				 * remain */
				return corm__err_set(err, CORM_EFIELD,
				                     "Unsupported lookup '%.*s' for the '%s' "
				                     "transform of %s.%s. Choices are: exact, gt, "
				                     "gte, in, isnull, lt, lte, range.",
				                     (int)len, part,
				                     transform_names[out->transform], meta->label,
				                     out->field->name);
			}
			return unsupported(out->field, part, len, err);
		}
		out->transform = (corm_transform)t;
	}
	return CORM_OK;
}

/* A pseudo field describing what a transform yields, for coercing the right-hand side. */
static corm_fmeta transform_output(const corm_fmeta *fm, corm_transform t)
{
	corm_fmeta out = *fm;
	if (t == CORM_TRANSFORM_DATE) {
		out.kind = CORM_FIELD_DATE;
		out.vtype = CORM_TYPE_DATE;
	} else if (t != CORM_TRANSFORM_NONE) {
		out.kind = CORM_FIELD_INT;
		out.vtype = CORM_TYPE_INT;
	}
	return out;
}

static bool is_pattern(corm_lookup l)
{
	return l >= CORM_LOOKUP_IEXACT && l <= CORM_LOOKUP_IENDSWITH;
}

/* Coerces one right-hand-side value; text lookups take the text as given. */
static int coerce_rhs(const corm_fmeta *target, corm_lookup lookup, const corm_value *in,
                      corm_value *out, corm_err *err)
{
	corm_value tmp;
	if ((is_pattern(lookup) || lookup == CORM_LOOKUP_REGEX || lookup == CORM_LOOKUP_IREGEX) &&
	    in->type == CORM_TYPE_TEXT)
		return corm__value_copy(out, in) ? corm__err_set(err, CORM_ENOMEM, "out of memory")
		                                 : CORM_OK;
	int rc = corm__coerce(target, in, &tmp, err);
	if (rc)
		return rc;
	if (is_pattern(lookup) && tmp.type != CORM_TYPE_TEXT && tmp.type != CORM_TYPE_NULL) {
		/* Django casts pattern values with str(); mirror the bound text form */
		corm_buf b = CORM_BUF_INIT;
		corm__value_display(&b, &tmp);
		const char *s = corm_buf_cstr(&b);
		if (s && *s == '\'') {
			corm_buf t = CORM_BUF_INIT;
			corm_buf_put(&t, s + 1, strlen(s) - 2);
			corm_buf_free(&b);
			b = t;
		}
		corm__value_clear(&tmp);
		corm_value text = corm_v_text(corm_buf_cstr(&b));
		rc = text.u.text ? corm__value_copy(out, &text) : CORM_ENOMEM;
		corm_buf_free(&b);
		return rc ? corm__err_set(err, CORM_ENOMEM, "out of memory") : CORM_OK;
	}
	rc = corm__value_copy(out, &tmp);
	corm__value_clear(&tmp);
	return rc ? corm__err_set(err, CORM_ENOMEM, "out of memory") : CORM_OK;
}

int corm__resolve_expr(const corm_meta *meta, corm_expr *e, corm_err *err)
{
	if (!e)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	switch (e->kind) {
	case EXPR_F: {
		if (strstr(e->path, "__"))
			return corm__err_set(
			        err, CORM_EFIELD,
			        "F('%s'): joins across relations are not supported yet", e->path);
		e->field = corm__meta_field(meta, e->path);
		if (!e->field)
			return unknown_field(meta, e->path, strlen(e->path), err);
		return CORM_OK;
	}
	case EXPR_VALUE:
		return CORM_OK;
	default: {
		int rc = corm__resolve_expr(meta, e->lhs, err);
		return rc ? rc : corm__resolve_expr(meta, e->rhs, err);
	}
	}
}

static corm_node *node_new(corm_node_kind kind)
{
	corm_node *n = corm__calloc(1, sizeof *n);
	if (n)
		n->kind = kind;
	return n;
}

void corm__node_free(corm_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		corm__node_free(n->children[i]);
	corm__free(n->children);
	corm__value_free(&n->rhs);
	corm__free(n);
}

static int node_push(corm_node *parent, corm_node *child)
{
	corm_node **c = corm__realloc(parent->children, (parent->n + 1) * sizeof *c);
	if (!c) {
		corm__node_free(child);
		return CORM_ENOMEM;
	}
	parent->children = c;
	parent->children[parent->n++] = child;
	return CORM_OK;
}

static int build_leaf(const corm_meta *meta, const corm_q *q, bool negated, corm_node **out,
                      corm_err *err)
{
	path_info pi;
	int rc = resolve_path(meta, q->path, &pi, err);
	if (rc)
		return rc;
	if (q->obj_model &&
	    !(pi.field->kind == CORM_FIELD_FK ? pi.field->decl->related == q->obj_model
	                                      : pi.field->is_pk && meta->model == q->obj_model))
		return corm__err_set(
		        err, CORM_ETYPE,
		        "Cannot query \"%s\" with a %s instance: must be a %s instance.", q->path,
		        q->obj_model->name,
		        pi.field->kind == CORM_FIELD_FK ? pi.field->decl->related->name
		                                        : meta->model->name);
	corm_node *n = node_new(NODE_LEAF);
	if (!n)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	n->field = pi.field;
	n->transform = pi.transform;
	n->lookup = pi.lookup;
	corm_fmeta target = transform_output(pi.field, pi.transform);
	const corm_value *v = &q->value;
	if (v->type == CORM_TYPE_EXPR) {
		if (pi.lookup == CORM_LOOKUP_IN || pi.lookup == CORM_LOOKUP_RANGE ||
		    pi.lookup == CORM_LOOKUP_ISNULL ||
		    ((pi.lookup == CORM_LOOKUP_REGEX || pi.lookup == CORM_LOOKUP_IREGEX ||
		      pi.lookup == CORM_LOOKUP_IEXACT)))
			rc = corm__err_set(err, CORM_ETYPE,
			                   "The '%s' lookup of %s.%s does not take an expression.",
			                   lookup_names[pi.lookup], meta->label, pi.field->name);
		else if (!(n->rhs.u.expr = corm__expr_copy(v->u.expr)))
			rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
		else {
			n->rhs.type = CORM_TYPE_EXPR;
			rc = corm__resolve_expr(meta, n->rhs.u.expr, err);
		}
	} else if (pi.lookup == CORM_LOOKUP_ISNULL) {
		if (v->type != CORM_TYPE_BOOL &&
		    !(v->type == CORM_TYPE_INT && (v->u.i == 0 || v->u.i == 1)))
			rc = corm__err_set(err, CORM_ETYPE,
			                   "The QuerySet value for an isnull lookup (%s.%s) must "
			                   "be True or False.",
			                   meta->label, pi.field->name);
		else
			n->rhs = corm_v_bool(v->type == CORM_TYPE_BOOL ? v->u.b : v->u.i == 1);
	} else if (pi.lookup == CORM_LOOKUP_IN || pi.lookup == CORM_LOOKUP_RANGE) {
		if (v->type != CORM_TYPE_LIST) {
			rc = corm__err_set(err, CORM_ETYPE,
			                   "The '%s' lookup of %s.%s expects a list of values "
			                   "(CORM_IN_INTS, corm_v_list).",
			                   lookup_names[pi.lookup], meta->label, pi.field->name);
		} else if (pi.lookup == CORM_LOOKUP_RANGE && v->u.list.len != 2) {
			rc = corm__err_set(
			        err, CORM_ETYPE,
			        "The 'range' lookup of %s.%s expects exactly 2 values, got %zu.",
			        meta->label, pi.field->name, v->u.list.len);
		} else {
			size_t len = v->u.list.len;
			corm_value *items = corm__calloc(len ? len : 1, sizeof(corm_value));
			if (!items)
				rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
			n->rhs.type = CORM_TYPE_LIST;
			n->rhs.u.list.items = items;
			n->rhs.u.list.of = CORM_TYPE_NULL;
			const corm_value *src = v->u.list.items; /* deep copies hold corm_values */
			for (size_t i = 0; !rc && i < len; i++) {
				if (src[i].type == CORM_TYPE_NULL && pi.lookup == CORM_LOOKUP_IN)
					continue; /* Django drops None from `in` lists */
				rc = coerce_rhs(&target, CORM_LOOKUP_EXACT, &src[i],
				                &items[n->rhs.u.list.len], err);
				if (!rc)
					n->rhs.u.list.len++;
			}
		}
	} else if (v->type == CORM_TYPE_LIST) {
		rc = corm__err_set(err, CORM_ETYPE,
		                   "The '%s' lookup of %s.%s does not take a list.",
		                   lookup_names[pi.lookup], meta->label, pi.field->name);
	} else if (v->type == CORM_TYPE_NULL) {
		if (pi.lookup != CORM_LOOKUP_EXACT && pi.lookup != CORM_LOOKUP_IEXACT)
			rc = corm__err_set(err, CORM_ETYPE,
			                   "Cannot use None as a query value for '%s' of %s.%s.",
			                   lookup_names[pi.lookup], meta->label, pi.field->name);
		else {
			/* filter(x=None) means x IS NULL, as in Django */
			n->lookup = CORM_LOOKUP_ISNULL;
			n->rhs = corm_v_bool(true);
		}
	} else {
		rc = coerce_rhs(&target, pi.lookup, v, &n->rhs, err);
	}
	if (!rc && negated && pi.field->nullable && n->lookup != CORM_LOOKUP_ISNULL)
		n->add_not_null = true;
	if (rc) {
		corm__node_free(n);
		return rc;
	}
	*out = n;
	return CORM_OK;
}

static int build(const corm_meta *meta, const corm_q *q, bool negated, corm_node **out,
                 corm_err *err)
{
	bool neg = negated != q->negated;
	if (q->kind == Q_LEAF) {
		int rc = build_leaf(meta, q, neg, out, err);
		if (!rc && q->negated)
			(*out)->negated = true;
		return rc;
	}
	corm_node *n = node_new(q->kind == Q_AND ? NODE_AND : NODE_OR);
	if (!n)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	n->negated = q->negated;
	for (size_t i = 0; i < q->n; i++) {
		corm_node *child;
		int rc = build(meta, q->children[i], neg, &child, err);
		if (!rc && node_push(n, child))
			rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
		if (rc) {
			corm__node_free(n);
			return rc;
		}
	}
	*out = n;
	return CORM_OK;
}

int corm__query_add_q(corm_query *query, const corm_q *q, bool negate, corm_err *err)
{
	if (!query->where && !(query->where = node_new(NODE_AND)))
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	corm_node *n;
	int rc = build(query->meta, q, negate, &n, err);
	if (rc)
		return rc;
	if (negate)
		n->negated = !n->negated;
	if (node_push(query->where, n))
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	return CORM_OK;
}

int corm__resolve_order(const corm_meta *meta, const char *name, corm_order *out, corm_err *err)
{
	if (!name)
		return corm__err_set(err, CORM_EINVAL, "order_by: NULL field name");
	if (!strcmp(name, "?")) {
		*out = (corm_order){NULL, false, CORM_NULLS_DEFAULT};
		return CORM_OK;
	}
	bool desc = *name == '-';
	const char *field = desc ? name + 1 : name;
	if (strstr(field, "__"))
		return corm__err_set(
		        err, CORM_EFIELD,
		        "order_by('%s'): ordering across relations is not supported yet", name);
	const corm_fmeta *fm = corm__meta_field(meta, field);
	if (!fm)
		return unknown_field(meta, field, strlen(field), err);
	*out = (corm_order){fm, desc, CORM_NULLS_DEFAULT};
	return CORM_OK;
}

int corm__effective_order(const corm_query *q, corm_order **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const corm_model *m = q->meta->model;
	size_t count = q->order_set ? q->norder : 0;
	if (!q->order_set)
		while (count < CORM_MAX_ORDERING && m->ordering[count])
			count++;
	if (!count)
		return CORM_OK;
	corm_order *o = corm__calloc(count, sizeof *o);
	if (!o)
		return CORM_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (q->order_set)
			o[i] = q->order[i];
		else if (corm__resolve_order(q->meta, m->ordering[i], &o[i], NULL))
			o[i] = (corm_order){q->meta->pk, false,
			                    CORM_NULLS_DEFAULT}; /* checked at registration */
		if (q->reversed && o[i].field) {
			o[i].desc = !o[i].desc;
			if (o[i].nulls)
				o[i].nulls = o[i].nulls == CORM_NULLS_FIRST ? CORM_NULLS_LAST
				                                            : CORM_NULLS_FIRST;
		}
	}
	*out = o;
	*n = count;
	return CORM_OK;
}

static corm_node *node_copy(const corm_node *n)
{
	corm_node *c = node_new(n->kind);
	if (!c)
		return NULL;
	*c = *n;
	c->children = NULL;
	c->n = 0;
	c->rhs = corm_v_null();
	int rc = CORM_OK;
	if (n->rhs.type == CORM_TYPE_EXPR) {
		c->rhs.type = CORM_TYPE_EXPR;
		if (!(c->rhs.u.expr = corm__expr_copy(n->rhs.u.expr))) {
			c->rhs = corm_v_null();
			rc = CORM_ENOMEM;
		}
	} else {
		rc = corm__value_copy(&c->rhs, &n->rhs);
	}
	for (size_t i = 0; !rc && i < n->n; i++) {
		corm_node *child = node_copy(n->children[i]);
		rc = child ? node_push(c, child) : CORM_ENOMEM;
	}
	if (rc) {
		corm__node_free(c);
		return NULL;
	}
	return c;
}

void corm__query_clear(corm_query *q)
{
	corm__node_free(q->where);
	corm__free(q->order);
	corm__free(q->vfields);
	q->where = NULL;
	q->order = NULL;
	q->vfields = NULL;
}

int corm__query_copy(corm_query *dst, const corm_query *src)
{
	*dst = *src;
	dst->where = NULL;
	dst->order = NULL;
	dst->vfields = NULL;
	if (src->where && !(dst->where = node_copy(src->where)))
		return CORM_ENOMEM;
	if (src->norder) {
		if (!(dst->order = corm__calloc(src->norder, sizeof(corm_order))))
			return CORM_ENOMEM;
		memcpy(dst->order, src->order, src->norder * sizeof(corm_order));
	}
	if (src->nv) {
		if (!(dst->vfields = corm__calloc(src->nv, sizeof(corm_fmeta *))))
			return CORM_ENOMEM;
		memcpy(dst->vfields, src->vfields, src->nv * sizeof(corm_fmeta *));
	}
	return CORM_OK;
}

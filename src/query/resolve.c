/*
 * Name resolution (Django's Query.names_to_path / setup_joins / build_filter
 * and its JoinPromoter): turns "author__username__icontains" into joins in
 * the alias map, a Col, transforms and a registered lookup, coerces the value
 * to the field's type, and builds the WHERE tree.
 */
#include <stdlib.h>
#include <string.h>

#include "query/resolve.h"
#include "util/alloc.h"

static int oom(corm_err *err)
{
	return corm__err_set(err, CORM_ENOMEM, "out of memory");
}

/* ---- messages ---- */

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
 * Choices are: ..." (the lookups, and the transforms a value of this type takes) */
static int unsupported(const corm_fmeta *fm, corm_type type, const char *name, size_t len,
                       corm_err *err)
{
	const char *names[CORM_MAX_LOOKUPS + CORM_MAX_TRANSFORMS];
	size_t n = 0;
	for (size_t i = 0; i < corm__lookup_count(); i++)
		names[n++] = corm__lookup_at(i)->name;
	for (size_t i = 0; i < corm__transform_count(); i++)
		if (corm__transform_accepts(corm__transform_at(i), type))
			names[n++] = corm__transform_at(i)->name;
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

int corm__unknown_field(const corm_meta *meta, const char *name, size_t len, corm_err *err)
{
	return corm__err_set(err, CORM_EFIELD,
	                     "Cannot resolve keyword '%.*s' into field of %s. Choices are: %s",
	                     (int)(len < 100 ? len : 100), name, meta->label,
	                     meta->lookup_choices ? meta->lookup_choices : meta->field_choices);
}

/* ---- the alias map ---- */

void corm__query_init(corm_query *q, const corm_meta *meta)
{
	memset(q, 0, sizeof *q);
	q->meta = meta;
	q->high = -1;
}

static int alias_push(corm_query *q, const corm_alias *a)
{
	if (q->naliases == q->aliases_cap) {
		size_t cap = q->aliases_cap ? q->aliases_cap * 2 : 4;
		corm_alias *p = corm__realloc(q->aliases, cap * sizeof *p);
		if (!p)
			return CORM_ENOMEM;
		q->aliases = p;
		q->aliases_cap = cap;
	}
	q->aliases[q->naliases++] = *a;
	return CORM_OK;
}

/* Makes aliases[0], the base table, once the query first needs the map. */
static int ensure_base(corm_query *q)
{
	if (q->naliases)
		return CORM_OK;
	corm_alias base = {
	        q->meta, corm__strdup(q->meta->table), -1, NULL, NULL, CORM_JOIN_BASE, false, NULL,
	        0};
	if (!base.name || alias_push(q, &base)) {
		corm__free(base.name);
		return CORM_ENOMEM;
	}
	return CORM_OK;
}

/*
 * Django's Query.join: the join from alias `parent` over `from` (a column of the
 * parent) to `to` (a column of `target`). A forward ForeignKey (rel NULL) is
 * single-valued: any filter() may reuse its join. A reverse relation is
 * multi-valued: its join is reused only inside the filter() call that made it
 * (or by order_by/values/F, call 0), so conditions of separate filter() calls
 * may match different related rows.
 */
static int setup_join(corm_resolver *r, int parent, const corm_fmeta *from, const corm_fmeta *to,
                      const corm_meta *target, const corm_relmeta *rel, int *out)
{
	corm_query *q = r->query;
	if (ensure_base(q))
		return oom(r->err);
	for (size_t i = 1; i < q->naliases; i++) {
		const corm_alias *a = &q->aliases[i];
		if (a->parent != parent || a->from_field != from || a->to_field != to)
			continue;
		if (rel && r->call && a->call != r->call)
			continue;
		*out = (int)i;
		if (i < CORM_VOTE_BITS)
			r->used |= (uint64_t)1 << i;
		return CORM_OK;
	}
	const corm_alias *p = &q->aliases[parent];
	/* a reverse relation can find no row; a forward one when its key can be NULL */
	bool nullable = rel || from->nullable || p->join == CORM_JOIN_LEFT || p->nullable;
	bool taken = false;
	for (size_t i = 0; i < q->naliases; i++)
		if (!strcmp(q->aliases[i].name, target->table))
			taken = true;
	corm_alias a = {target, NULL, parent, from, to, CORM_JOIN_INNER, nullable, rel, r->call};
	/* Django: a new join is LEFT OUTER when the path can find no row; filter() then demotes
	 * the joins its AND-ed conditions need */
	if (nullable)
		a.join = CORM_JOIN_LEFT;
	if (taken) {
		char name[24];
		snprintf(name, sizeof name, "T%zu", q->naliases + 1);
		a.name = corm__strdup(name);
	} else {
		a.name = corm__strdup(target->table);
	}
	if (!a.name || alias_push(q, &a)) {
		corm__free(a.name);
		return oom(r->err);
	}
	*out = (int)q->naliases - 1;
	if (*out < CORM_VOTE_BITS)
		r->used |= (uint64_t)1 << *out;
	return CORM_OK;
}

/* ---- paths ---- */

/* The field of meta named by the first len bytes of name ("pk" and attnames included). */
static const corm_fmeta *field_n(const corm_meta *meta, const char *name, size_t len)
{
	return corm__meta_field_n(meta, name, len);
}

static size_t part_len(const char *p)
{
	const char *sep = strstr(p, "__");
	return sep ? (size_t)(sep - p) : strlen(p);
}

/* Whether the part of length len at p names a lookup or a transform. */
static bool is_lookup_or_transform(const char *p, size_t len)
{
	return corm__lookup_find(p, len) || corm__transform_find(p, len);
}

/*
 * Walks the field parts of `path` (Django's names_to_path): each names a field
 * of the current model or a reverse relation pointing at it (by its query
 * name); a ForeignKey followed by another name joins its target, a reverse
 * relation joins the model that declares it. A path that ends at a reverse
 * relation stands for that model's key (`items__isnull`, `items=obj`). The last
 * forward join is left out when it would only read the key the ForeignKey
 * already holds ("author__id"). *col gets the Col; *rest the text after the
 * fields ("" or "icontains", ...).
 */
static int resolve_fields(corm_resolver *r, const char *path, corm_col *storage, corm_expr **col,
                          const char **rest)
{
	const corm_meta *meta = r->query->meta;
	int alias = 0;
	const char *p = path;
	const corm_fmeta *fm = NULL;
	for (;;) {
		size_t len = part_len(p);
		fm = field_n(meta, p, len);
		if (!fm) {
			const corm_relmeta *rel = corm__meta_relation_n(meta, p, len);
			if (!rel)
				return corm__unknown_field(meta, p, len, r->err);
			int joined;
			int rc = setup_join(r, alias, meta->pk, rel->field, rel->model, rel,
			                    &joined);
			if (rc)
				return rc;
			alias = joined;
			meta = rel->model;
			p += len;
			const char *next = *p ? p + 2 : p;
			size_t nlen = part_len(next);
			if (*p && (field_n(meta, next, nlen) ||
			           corm__meta_relation_n(meta, next, nlen))) {
				p += 2; /* a field or relation of the joined model */
				continue;
			}
			if (*p && !is_lookup_or_transform(next, nlen))
				return corm__unknown_field(meta, next, nlen, r->err);
			fm = meta->pk;
			break;
		}
		p += len;
		if (!*p || fm->kind != CORM_FIELD_FK)
			break;
		const char *next = p + 2;
		size_t nlen = part_len(next);
		const corm_meta *target = fm->related;
		const corm_fmeta *tf = field_n(target, next, nlen);
		if (!tf && is_lookup_or_transform(next, nlen))
			break; /* a lookup or transform on the ForeignKey's own value */
		if (!tf && !corm__meta_relation_n(target, next, nlen))
			return corm__unknown_field(target, next, nlen, r->err);
		if (tf == target->pk && tf->kind != CORM_FIELD_FK) {
			/* Django's trim_joins: the ForeignKey's column already holds the key */
			p = next + nlen;
			break;
		}
		int joined;
		int rc = setup_join(r, alias, fm, target->pk, target, NULL, &joined);
		if (rc)
			return rc;
		alias = joined;
		meta = target;
		p = next;
	}
	if (storage) {
		/* a WHERE leaf keeps its column inside itself: no allocation */
		*storage = (corm_col){{&corm__col_class, fm->vtype, fm, 1, 0, NULL}, alias};
		*col = &storage->e;
	} else if (!(*col = corm__col_new(alias, fm))) {
		return oom(r->err);
	}
	*rest = *p ? p + 2 : p;
	return CORM_OK;
}

/* Wraps *lhs in the transform `t` (a column kept inside a leaf is copied out first). */
static int apply_transform(corm_resolver *r, const corm_transform_def *t, corm_expr **lhs,
                           const corm_col *storage)
{
	if (storage && *lhs == &storage->e && !(*lhs = corm__expr_copy(*lhs)))
		return oom(r->err);
	corm_transform_expr *te =
	        (corm_transform_expr *)corm__expr_new(&corm__transform_class, lhs, 1);
	*lhs = NULL;
	if (!te)
		return oom(r->err);
	if (te->e.cls != &corm__transform_class) { /* nested too deep: refused by resolving it */
		*lhs = &te->e;
		return corm__expr_resolve(lhs, r);
	}
	te->def = t;
	te->e.type = t->output;
	te->e.field = te->e.args[0]->field;
	*lhs = &te->e;
	return CORM_OK;
}

/*
 * The parts after the fields: transforms, then (for a filter) one lookup.
 * `lookup` NULL: only transforms may follow (F("created_at__year")).
 */
static int resolve_tail(corm_resolver *r, const char *rest, corm_expr **lhs,
                        const corm_lookup_def **lookup, const corm_col *storage)
{
	if (lookup)
		*lookup = &corm__lookup_exact;
	const char *p = rest;
	while (*p) {
		size_t len = part_len(p);
		bool last = !p[len];
		const corm_lookup_def *l = lookup ? corm__lookup_find(p, len) : NULL;
		if (l && last) {
			*lookup = l;
			return CORM_OK;
		}
		const corm_transform_def *t = corm__transform_find(p, len);
		if (!t || !corm__transform_accepts(t, (*lhs)->type)) {
			const corm_fmeta *fm = (*lhs)->field;
			if (corm__expr_is(*lhs, &corm__transform_class)) {
				/* the transform's output takes only lookups (and transforms of it)
				 */
				return corm__err_set(
				        r->err, CORM_EFIELD,
				        "Unsupported lookup '%.*s' for the '%s' transform of "
				        "%s.%s. "
				        "Choices are: exact, gt, gte, in, isnull, lt, lte, range.",
				        (int)len, p, ((corm_transform_expr *)*lhs)->def->name,
				        fm->owner->label, fm->name);
			}
			return unsupported(fm, (*lhs)->type, p, len, r->err);
		}
		int rc = apply_transform(r, t, lhs, storage);
		if (rc)
			return rc;
		p += len;
		if (*p)
			p += 2;
	}
	return CORM_OK;
}

int corm__resolve_f(corm_resolver *r, const char *path, corm_expr **out)
{
	const char *rest;
	corm_expr *lhs = NULL;
	int rc = resolve_fields(r, path, NULL, &lhs, &rest);
	if (!rc)
		rc = resolve_tail(r, rest, &lhs, NULL, NULL);
	if (rc) {
		corm_expr_free(lhs);
		return rc;
	}
	*out = lhs;
	return CORM_OK;
}

int corm__query_resolve_expr(corm_query *query, corm_expr **slot, corm_err *err)
{
	corm_resolver r = {query, err, 0, 0};
	return corm__expr_resolve(slot, &r);
}

int corm__query_resolve_name(corm_query *query, const char *name, size_t len, corm_expr **out,
                             corm_err *err)
{
	return corm__query_resolve_name_into(query, name, len, NULL, out, err);
}

int corm__query_resolve_name_into(corm_query *query, const char *name, size_t len,
                                  corm_col *storage, corm_expr **out, corm_err *err)
{
	/* the walk reads a NUL-terminated path: copy only a name that goes on past len */
	char small[128];
	char *path = !name[len]           ? (char *)name
	             : len < sizeof small ? small
	                                  : corm__strndup(name, len);
	if (!path)
		return oom(err);
	if (path == small) {
		memcpy(small, name, len);
		small[len] = '\0';
	}
	corm_resolver r = {query, err, 0, 0};
	const char *rest;
	corm_expr *col = NULL;
	int rc = resolve_fields(&r, path, storage, &col, &rest);
	if (!rc && *rest) {
		/* values()/order_by() name fields, not lookups */
		const corm_meta *m = col->field->owner;
		rc = corm__unknown_field(m, rest, part_len(rest), err);
	}
	if (path != small && path != name)
		corm__free(path);
	if (rc) {
		if (!storage || col != &storage->e)
			corm_expr_free(col);
		return rc;
	}
	*out = col;
	return CORM_OK;
}

/* ---- right-hand sides ---- */

/* A pseudo field describing what the left-hand side yields, for coercing the right-hand side. */
static corm_fmeta lhs_output(const corm_expr *lhs)
{
	corm_fmeta out = *lhs->field;
	if (lhs->type != lhs->field->vtype) {
		out.vtype = lhs->type;
		out.kind = lhs->type == CORM_TYPE_DATE ? CORM_FIELD_DATE : CORM_FIELD_INT;
		out.nullable = true;
	}
	return out;
}

/* Coerces one right-hand-side value; text lookups take the text as given. */
static int coerce_rhs(const corm_fmeta *target, const corm_lookup_def *lookup, const corm_value *in,
                      corm_value *out, corm_err *err)
{
	corm_value tmp;
	bool pattern = lookup && (lookup->flags & CORM_LOOKUP_F_PATTERN);
	if ((pattern || (lookup && (lookup->flags & CORM_LOOKUP_F_RAW_TEXT))) &&
	    in->type == CORM_TYPE_TEXT)
		return corm__value_copy(out, in) ? oom(err) : CORM_OK;
	int rc = corm__coerce(target, in, &tmp, err);
	if (rc)
		return rc;
	if (pattern && tmp.type != CORM_TYPE_TEXT && tmp.type != CORM_TYPE_NULL) {
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
		return rc ? oom(err) : CORM_OK;
	}
	rc = corm__value_copy(out, &tmp);
	corm__value_clear(&tmp);
	return rc ? oom(err) : CORM_OK;
}

static int prepare_list(const corm_fmeta *target, const corm_where *n, const corm_value *v,
                        corm_value *out, corm_err *err)
{
	const corm_fmeta *fm = n->lhs->field;
	const char *name = n->lookup->name;
	if (v->type != CORM_TYPE_LIST)
		return corm__err_set(err, CORM_ETYPE,
		                     "The '%s' lookup of %s.%s expects a list of values "
		                     "(CORM_IN_INTS, corm_v_list).",
		                     name, fm->owner->label, fm->name);
	if (n->lookup->rhs == CORM_RHS_PAIR && v->u.list.len != 2)
		return corm__err_set(
		        err, CORM_ETYPE,
		        "The 'range' lookup of %s.%s expects exactly 2 values, got %zu.",
		        fm->owner->label, fm->name, v->u.list.len);
	size_t len = v->u.list.len;
	corm_value *items = corm__calloc(len ? len : 1, sizeof(corm_value));
	if (!items)
		return oom(err);
	out->type = CORM_TYPE_LIST;
	out->u.list.items = items;
	out->u.list.len = 0;
	out->u.list.of = CORM_TYPE_NULL;
	const corm_value *src = v->u.list.items; /* deep copies hold corm_values */
	for (size_t i = 0; i < len; i++) {
		if (src[i].type == CORM_TYPE_NULL && n->lookup->rhs == CORM_RHS_LIST)
			continue; /* Django drops None from `in` lists */
		int rc = coerce_rhs(target, &corm__lookup_exact, &src[i], &items[out->u.list.len],
		                    err);
		if (rc)
			return rc;
		out->u.list.len++;
	}
	return CORM_OK;
}

/* Django's Lookup.get_prep_lookup: the right-hand side checked and coerced for the lookup. */
static int prepare_rhs(corm_resolver *r, corm_where *n, const corm_value *v)
{
	corm_err *err = r->err;
	const corm_fmeta *fm = n->lhs->field;
	const char *name = n->lookup->name;
	corm_fmeta target = lhs_output(n->lhs);
	if (v->type == CORM_TYPE_EXPR) {
		if (n->lookup->flags & CORM_LOOKUP_F_NO_EXPR)
			return corm__err_set(
			        err, CORM_ETYPE,
			        "The '%s' lookup of %s.%s does not take an expression.", name,
			        fm->owner->label, fm->name);
		if (!(n->rhs.u.expr = corm__expr_copy(v->u.expr)))
			return oom(err);
		n->rhs.type = CORM_TYPE_EXPR;
		return corm__expr_resolve(&n->rhs.u.expr, r);
	}
	switch (n->lookup->rhs) {
	case CORM_RHS_BOOL:
		if (v->type != CORM_TYPE_BOOL &&
		    !(v->type == CORM_TYPE_INT && (v->u.i == 0 || v->u.i == 1)))
			return corm__err_set(err, CORM_ETYPE,
			                     "The QuerySet value for an isnull lookup (%s.%s) must "
			                     "be True or False.",
			                     fm->owner->label, fm->name);
		n->rhs = corm_v_bool(v->type == CORM_TYPE_BOOL ? v->u.b : v->u.i == 1);
		return CORM_OK;
	case CORM_RHS_LIST:
	case CORM_RHS_PAIR:
		return prepare_list(&target, n, v, &n->rhs, err);
	case CORM_RHS_VALUE:
		break;
	}
	if (v->type == CORM_TYPE_LIST)
		return corm__err_set(err, CORM_ETYPE,
		                     "The '%s' lookup of %s.%s does not take a list.", name,
		                     fm->owner->label, fm->name);
	if (v->type == CORM_TYPE_NULL) {
		if (n->lookup != &corm__lookup_exact && strcmp(name, "iexact"))
			return corm__err_set(err, CORM_ETYPE,
			                     "Cannot use None as a query value for '%s' of %s.%s.",
			                     name, fm->owner->label, fm->name);
		/* filter(x=None) means x IS NULL, as in Django */
		n->lookup = &corm__lookup_isnull;
		n->rhs = corm_v_bool(true);
		return CORM_OK;
	}
	return coerce_rhs(&target, n->lookup, v, &n->rhs, err);
}

/* ---- the WHERE tree ---- */

static corm_where *where_new(corm_where_kind kind)
{
	corm_where *n = corm__calloc(1, sizeof *n);
	if (n)
		n->kind = kind;
	return n;
}

void corm__where_free(corm_where *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		corm__where_free(n->children[i]);
	corm__free(n->children);
	if (n->lhs != &n->col.e)
		corm_expr_free(n->lhs);
	corm__value_free(&n->rhs);
	corm__free(n);
}

/* Appends child (freed on failure); children grow geometrically. */
static int where_push(corm_where *parent, corm_where *child)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		corm_where **c = corm__realloc(parent->children, cap * sizeof *c);
		if (!c) {
			corm__where_free(child);
			return CORM_ENOMEM;
		}
		parent->children = c;
		parent->cap = cap;
	}
	parent->children[parent->n++] = child;
	return CORM_OK;
}

/* Promotes the joins in `bits` that can find no row to LEFT OUTER (and their nullable
 * children with them); demotes those in `inner` and their parents to INNER. */
static void promote(corm_query *q, uint64_t bits)
{
	for (size_t i = 1; i < q->naliases && i < CORM_VOTE_BITS; i++) {
		corm_alias *a = &q->aliases[i];
		bool parent_left = q->aliases[a->parent].join == CORM_JOIN_LEFT;
		if (((bits >> i) & 1u) && (a->nullable || parent_left))
			a->join = CORM_JOIN_LEFT;
		else if (parent_left && a->nullable)
			a->join = CORM_JOIN_LEFT;
	}
}

static void demote(corm_query *q, uint64_t bits)
{
	for (size_t i = q->naliases; i-- > 1;) {
		if (i >= CORM_VOTE_BITS || !((bits >> i) & 1u))
			continue;
		corm_alias *a = &q->aliases[i];
		if (a->join == CORM_JOIN_LEFT)
			a->join = CORM_JOIN_INNER;
		if (a->parent > 0)
			bits |= (uint64_t)1 << a->parent;
	}
}

/*
 * NOT over a join to many rows means "no related row matches", which Django writes as a
 * subquery (split_exclude); a plain negated join would mean "some related row does not
 * match". Until that subquery exists, such a condition is refused rather than answered
 * wrongly.
 */
static int refuse_negated_multivalued(corm_resolver *r)
{
	const corm_query *q = r->query;
	for (size_t i = 1; i < q->naliases && i < CORM_VOTE_BITS; i++)
		if ((r->used >> i & 1) && q->aliases[i].rel)
			return corm__err_set(r->err, CORM_ENOTSUP,
			                     "exclude() or ~Q() across the multi-valued relation "
			                     "'%s' of %s is not "
			                     "supported yet (Django's split_exclude subquery)",
			                     q->aliases[i].rel->query_name,
			                     q->aliases[q->aliases[i].parent].meta->label);
	return CORM_OK;
}

static int build_leaf(corm_resolver *r, const corm_q *q, bool negated, corm_where **out,
                      uint64_t *votes)
{
	corm_where *n = where_new(WHERE_LEAF);
	if (!n)
		return oom(r->err);
	r->used = 0;
	const char *rest;
	int rc = resolve_fields(r, q->path, &n->col, &n->lhs, &rest);
	if (!rc)
		rc = resolve_tail(r, rest, &n->lhs, &n->lookup, &n->col);
	const corm_fmeta *fm = rc ? NULL : n->lhs->field;
	if (!rc && q->obj_model) {
		const corm_model *want = fm->kind == CORM_FIELD_FK ? fm->related->model
		                         : fm->is_pk               ? fm->owner->model
		                                                   : NULL;
		if (want != q->obj_model)
			rc = corm__err_set(r->err, CORM_ETYPE,
			                   "Cannot query \"%s\" with a %s instance: must be a %s "
			                   "instance.",
			                   q->path, q->obj_model->name,
			                   want ? want->name : fm->owner->model->name);
	}
	if (!rc)
		rc = prepare_rhs(r, n, &q->value);
	if (!rc && negated)
		rc = refuse_negated_multivalued(r);
	if (rc) {
		corm__where_free(n);
		return rc;
	}
	bool isnull_true = n->lookup == &corm__lookup_isnull && n->rhs.u.b;
	/* Django's exclude() NULL handling: NOT (x = v) must still match the rows where x is NULL
	 * (a nullable column, or one read through a LEFT OUTER JOIN) */
	int alias = 0;
	for (const corm_expr *e = n->lhs; e; e = e->nargs ? e->args[0] : NULL)
		if (corm__expr_is(e, &corm__col_class))
			alias = ((const corm_col *)e)->alias;
	bool outer = alias > 0 && r->query->aliases[alias].join == CORM_JOIN_LEFT;
	n->add_not_null = negated && n->lookup != &corm__lookup_isnull && (fm->nullable || outer);
	/* ... and the same for a column on the right-hand side (Django: `someval IS NOT NULL`) */
	const corm_expr *rx = n->rhs.type == CORM_TYPE_EXPR ? n->rhs.u.expr : NULL;
	if (negated && corm__expr_is(rx, &corm__col_class)) {
		int ra = ((const corm_col *)rx)->alias;
		n->add_rhs_not_null =
		        rx->field->nullable || (ra > 0 && r->query->aliases[ra].nullable);
	}
	/* build_filter's require_outer: a condition that a missing related row satisfies needs
	 * its joins LEFT OUTER; every other condition votes for INNER joins */
	bool require_outer = (isnull_true && !negated) ||
	                     (negated && (n->lookup != &corm__lookup_isnull || !n->rhs.u.b));
	*votes = require_outer ? 0 : r->used;
	if (q->negated)
		n->negated = true;
	*out = n;
	return CORM_OK;
}

static int build(corm_resolver *r, const corm_q *q, bool negated, corm_where **out, uint64_t *votes)
{
	if (q->kind == Q_INVALID)
		return corm__err_set(r->err, CORM_EINVAL,
		                     "Q objects nested more than %d levels deep.",
		                     CORM_MAX_TREE_DEPTH);
	bool neg = negated != q->negated;
	if (q->kind == Q_LEAF)
		return build_leaf(r, q, neg, out, votes);
	corm_where *n = where_new(q->kind == Q_AND ? WHERE_AND : WHERE_OR);
	if (!n)
		return oom(r->err);
	n->negated = q->negated;
	/* JoinPromoter: the connector as a NOT sees it (NOT (a AND b) is NOT a OR NOT b) */
	bool effective_or = (q->kind == Q_OR) != neg; /* the negation from above counts too */
	uint64_t any = 0, all = ~(uint64_t)0;
	for (size_t i = 0; i < q->n; i++) {
		corm_where *child;
		uint64_t v = 0;
		int rc = build(r, q->children[i], neg, &child, &v);
		if (!rc && where_push(n, child))
			rc = oom(r->err);
		if (rc) {
			corm__where_free(n);
			return rc;
		}
		any |= v;
		all &= v;
	}
	if (!q->n)
		all = 0;
	uint64_t inner = effective_or ? all : any;
	if (effective_or)
		promote(r->query, any & ~all);
	demote(r->query, inner);
	*votes = inner;
	*out = n;
	return CORM_OK;
}

int corm__query_add_q(corm_query *query, const corm_q *q, bool negate, corm_err *err)
{
	if (!query->where && !(query->where = where_new(WHERE_AND)))
		return oom(err);
	corm_resolver r = {query, err, 0, query->ncalls};
	corm_where *n;
	uint64_t votes = 0;
	int rc = build(&r, q, negate, &n, &votes);
	if (rc)
		return rc;
	if (negate)
		n->negated = !n->negated;
	/* the filter() call ANDs its condition in: the joins it needs are INNER */
	demote(query, votes);
	if (where_push(query->where, n))
		return oom(err);
	return CORM_OK;
}

/* ---- select_related ---- */

/* "author, category": the ForeignKeys of meta, for select_related's messages. */
static void relation_choices(corm_buf *b, const corm_meta *meta)
{
	size_t n = 0;
	for (size_t i = 0; i < meta->nfields; i++)
		if (meta->fields[i].kind == CORM_FIELD_FK)
			corm_buf_printf(b, "%s%s", n++ ? ", " : "", meta->fields[i].name);
	if (!n)
		corm_buf_puts(b, "(none)");
}

static int bad_related(corm_err *err, const corm_meta *meta, const char *what, const char *name,
                       size_t len)
{
	corm_buf b = CORM_BUF_INIT;
	relation_choices(&b, meta);
	corm__err_set(err, CORM_EFIELD, "%s given in select_related: '%.*s'. Choices are: %s", what,
	              (int)len, name, corm_buf_cstr(&b) ? corm_buf_cstr(&b) : "?");
	corm_buf_free(&b);
	return CORM_EFIELD;
}

int corm__query_select_related(corm_query *query, const char *path, corm_err *err)
{
	if (!path)
		return corm__err_set(err, CORM_EINVAL, "select_related: NULL field name");
	corm_resolver r = {query, err, 0, 0};
	const corm_meta *meta = query->meta;
	int alias = 0, parent = -1;
	for (const char *p = path;;) {
		size_t len = part_len(p);
		const corm_fmeta *fm = field_n(meta, p, len);
		if (!fm || fm->name_len != len || strncmp(fm->name, p, len)) /* "pk", "author_id" */
			return bad_related(err, meta, "Invalid field name(s)", p, len);
		if (fm->kind != CORM_FIELD_FK)
			return bad_related(err, meta, "Non-relational field", p, len);
		int joined;
		int rc = setup_join(&r, alias, fm, fm->related->pk, fm->related, NULL, &joined);
		if (rc)
			return rc;
		int entry = -1;
		for (size_t i = 0; i < query->nrelated; i++)
			if (query->related[i].alias == joined)
				entry = (int)i;
		if (entry < 0) {
			corm_related_select *rs =
			        corm__realloc(query->related, (query->nrelated + 1) * sizeof *rs);
			if (!rs)
				return oom(err);
			query->related = rs;
			rs[query->nrelated] = (corm_related_select){joined, parent, fm};
			entry = (int)query->nrelated++;
		}
		alias = joined;
		parent = entry;
		meta = fm->related;
		p += len;
		if (!*p)
			return CORM_OK;
		p += 2;
	}
}

/* ---- ordering ---- */

void corm__order_free(corm_order *o, size_t n)
{
	for (size_t i = 0; o && i < n; i++)
		corm_expr_free(o[i].expr);
	corm__free(o);
}

int corm__resolve_order(corm_query *query, const char *name, corm_order *out, corm_err *err)
{
	if (!name)
		return corm__err_set(err, CORM_EINVAL, "order_by: NULL field name");
	if (!strcmp(name, "?")) {
		memset(out, 0, sizeof *out);
		return CORM_OK;
	}
	bool desc = *name == '-';
	const char *field = desc ? name + 1 : name;
	memset(out, 0, sizeof *out);
	corm_expr *col;
	int rc = corm__query_resolve_name_into(query, field, strlen(field), &out->col, &col, err);
	if (rc)
		return rc;
	out->desc = desc;
	return CORM_OK;
}

int corm__effective_order(corm_query *q, corm_order **out, size_t *n)
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
		if (q->order_set) {
			o[i] = q->order[i];
			if (o[i].expr && !(o[i].expr = corm__expr_copy(q->order[i].expr))) {
				corm__order_free(o, i);
				return CORM_ENOMEM;
			}
		} else if (corm__resolve_order(q, m->ordering[i], &o[i], NULL)) {
			/* names were checked at registration: only memory can fail here */
			corm__order_free(o, i);
			return CORM_ENOMEM;
		}
		if (q->reversed && corm__order_expr(&o[i])) {
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

/* ---- limits ---- */

/* a + b, saturated at INT64_MAX (both are >= 0) */
static int64_t add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int corm__query_set_limits(corm_query *q, int64_t start, int64_t stop, corm_err *err)
{
	if (start < 0 || stop < 0)
		return corm__err_set(err, CORM_EINVAL, "Negative indexing is not supported.");
	/* Query.set_limits: a slice of a slice narrows the window; offsets add up, saturating
	 * (no table has INT64_MAX rows, so a saturated bound means "past the end") */
	int64_t low = q->low, high = q->high;
	if (stop != CORM_END) {
		int64_t h = add_sat(q->low, stop);
		high = q->high >= 0 && q->high < h ? q->high : h;
	}
	int64_t l = add_sat(q->low, start);
	low = q->high >= 0 && q->high < l ? q->high : l;
	if (high >= 0 && low > high)
		low = high;
	q->low = low;
	q->high = high;
	return CORM_OK;
}

/* ---- copies ---- */

static corm_where *where_copy(const corm_where *n)
{
	corm_where *c = where_new(n->kind);
	if (!c)
		return NULL;
	*c = *n;
	c->children = NULL;
	c->n = c->cap = 0;
	c->lhs = NULL;
	c->rhs = corm_v_null();
	int rc = CORM_OK;
	if (n->lhs == &n->col.e)
		c->lhs = &c->col.e;
	else if (n->lhs && !(c->lhs = corm__expr_copy(n->lhs)))
		rc = CORM_ENOMEM;
	if (rc) {
	} else if (n->rhs.type == CORM_TYPE_EXPR) {
		if ((c->rhs.u.expr = corm__expr_copy(n->rhs.u.expr)))
			c->rhs.type = CORM_TYPE_EXPR;
		else
			rc = CORM_ENOMEM;
	} else {
		rc = corm__value_copy(&c->rhs, &n->rhs);
	}
	if (!rc && n->n && !(c->children = corm__calloc(n->n, sizeof *c->children)))
		rc = CORM_ENOMEM;
	else
		c->cap = n->n;
	for (size_t i = 0; !rc && i < n->n; i++) {
		if (!(c->children[i] = where_copy(n->children[i])))
			rc = CORM_ENOMEM;
		else
			c->n++;
	}
	if (rc) {
		corm__where_free(c);
		return NULL;
	}
	return c;
}

static void items_free(corm_select_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		corm_expr_free(items[i].expr);
		corm__free(items[i].name);
	}
	corm__free(items);
}

static int items_copy(corm_select_item **dst, const corm_select_item *src, size_t n)
{
	*dst = NULL;
	if (!n)
		return CORM_OK;
	corm_select_item *d = corm__calloc(n, sizeof *d);
	if (!d)
		return CORM_ENOMEM;
	*dst = d;
	for (size_t i = 0; i < n; i++) {
		d[i].maybe_null = src[i].maybe_null;
		if (!(d[i].expr = corm__expr_copy(src[i].expr)) ||
		    !(d[i].name = corm__strdup(src[i].name)))
			return CORM_ENOMEM;
	}
	return CORM_OK;
}

void corm__query_drop_aliases(corm_query *q, size_t keep)
{
	/* the base table alone is the same as an empty map */
	if (keep == 1)
		keep = 0;
	for (size_t i = keep; i < q->naliases; i++)
		corm__free(q->aliases[i].name);
	if (keep < q->naliases)
		q->naliases = keep;
}

void corm__query_clear(corm_query *q)
{
	for (size_t i = 0; i < q->naliases; i++)
		corm__free(q->aliases[i].name);
	corm__free(q->aliases);
	corm__free(q->related);
	corm__where_free(q->where);
	corm__where_free(q->having);
	corm__order_free(q->order, q->norder);
	items_free(q->values, q->nvalues);
	items_free(q->annotations, q->nannotations);
	for (size_t i = 0; i < q->ngroup_by; i++)
		corm_expr_free(q->group_by[i]);
	corm__free(q->group_by);
	q->aliases = NULL;
	q->naliases = q->aliases_cap = 0;
	q->where = q->having = NULL;
	q->order = NULL;
	q->norder = 0;
	q->values = q->annotations = NULL;
	q->nvalues = q->nannotations = 0;
	q->group_by = NULL;
	q->ngroup_by = 0;
	q->related = NULL;
	q->nrelated = 0;
}

int corm__query_copy(corm_query *dst, const corm_query *src)
{
	*dst = *src;
	dst->aliases = NULL;
	dst->naliases = dst->aliases_cap = 0;
	dst->where = dst->having = NULL;
	dst->order = NULL;
	dst->norder = 0;
	dst->values = dst->annotations = NULL;
	dst->nvalues = dst->nannotations = 0;
	dst->group_by = NULL;
	dst->ngroup_by = 0;
	dst->related = NULL;
	dst->nrelated = 0;
	if (src->nrelated) {
		if (!(dst->related = corm__calloc(src->nrelated, sizeof *dst->related)))
			return CORM_ENOMEM;
		memcpy(dst->related, src->related, src->nrelated * sizeof *dst->related);
		dst->nrelated = src->nrelated;
	}
	if (src->naliases) {
		if (!(dst->aliases = corm__calloc(src->naliases, sizeof *dst->aliases)))
			return CORM_ENOMEM;
		dst->aliases_cap = src->naliases;
		for (size_t i = 0; i < src->naliases; i++) {
			dst->aliases[i] = src->aliases[i];
			if (!(dst->aliases[i].name = corm__strdup(src->aliases[i].name)))
				return CORM_ENOMEM;
			dst->naliases++;
		}
	}
	if (src->where && !(dst->where = where_copy(src->where)))
		return CORM_ENOMEM;
	if (src->norder) {
		if (!(dst->order = corm__calloc(src->norder, sizeof(corm_order))))
			return CORM_ENOMEM;
		for (size_t i = 0; i < src->norder; i++) {
			dst->order[i] = src->order[i];
			dst->order[i].expr = NULL;
			dst->norder++;
			if (src->order[i].expr &&
			    !(dst->order[i].expr = corm__expr_copy(src->order[i].expr)))
				return CORM_ENOMEM;
		}
	}
	dst->nvalues = src->nvalues; /* a partial copy is freed whole: the items are zeroed */
	if (items_copy(&dst->values, src->values, src->nvalues)) {
		if (!dst->values)
			dst->nvalues = 0;
		return CORM_ENOMEM;
	}
	return CORM_OK;
}

/*
 * The query tree (Django's sql/query.py): what the user asked, resolved
 * against model metadata but free of any SQL dialect. A query holds an alias
 * map (the base table and its joins), a WHERE tree of (expression, lookup,
 * right-hand side) leaves, an ordering of expressions, a select list, and the
 * slots later features fill (annotations, group by, having, a combinator).
 */
#ifndef CORM_QUERY_QUERY_H
#define CORM_QUERY_QUERY_H

#include "corm/query.h"
#include "corm/sys/backend.h"
#include "model/meta.h"
#include "query/expr.h"
#include "query/lookups.h"

/* ---- Q objects as the user built them ---- */
typedef enum { Q_LEAF, Q_AND, Q_OR, Q_INVALID } corm_q_kind;

struct corm_q {
	corm_q_kind kind;
	bool negated;
	uint16_t depth;   /* 1 for a leaf; 1 + the deepest child */
	char *path;       /* leaf: in the same allocation as the node */
	corm_value value; /* leaf: deep copy (expressions owned) */
	const corm_model
	        *obj_model; /* leaf: the value was an instance of this model (value is its pk) */
	corm_q **children;
	size_t n, cap;
};

/* ---- the alias map ---- */
typedef enum { CORM_JOIN_BASE, CORM_JOIN_INNER, CORM_JOIN_LEFT } corm_join_type;

/*
 * One table of the query under its alias: the base table (index 0, alias =
 * table name) or a join `parent.from_field = this.to_field`.
 */
typedef struct corm_alias {
	const corm_meta *meta;
	char *name;                   /* "blog_post", "auth_user", "T3" (owned) */
	int parent;                   /* index of the parent alias; -1 for the base table */
	const corm_fmeta *from_field; /* on the parent: the ForeignKey column */
	const corm_fmeta *to_field;   /* on this table: the referenced column */
	corm_join_type join;
	bool nullable; /* the join can find no row (a nullable FK, or a LEFT parent) */
	/* a reverse relation (parent.pk = this.fk): many rows per parent row, so a join of one
	 * filter() call is never reused by another (Django's multi-valued join rule); NULL for a
	 * forward ForeignKey */
	const corm_relmeta *rel;
	uint32_t call; /* the filter() call that made it (corm_query.ncalls at the time) */
} corm_alias;

/* ---- the resolved WHERE tree ---- */
typedef enum { WHERE_AND, WHERE_OR, WHERE_LEAF } corm_where_kind;

typedef struct corm_where {
	corm_where_kind kind;
	bool negated;
	struct corm_where **children;
	size_t n, cap;
	/* leaf: lhs <lookup> rhs */
	corm_expr *lhs; /* owned, resolved; a plain column is `col`, inside the leaf */
	corm_col col;
	const corm_lookup_def *lookup; /* registered entry */
	corm_value rhs; /* coerced deep copy; LIST for in/range; EXPR (owned, resolved) */
	/* exclude() on a nullable column: AND lhs IS NOT NULL inside the NOT (Django's
	 * split_exclude NULL handling for single-valued paths) */
	bool add_not_null;
	bool add_rhs_not_null; /* the same for a nullable column on the right-hand side */
} corm_where;

/* One ORDER BY term: an expression, or a plain column kept inside the term; neither: RANDOM(). */
typedef struct corm_order {
	corm_expr *expr; /* owned; NULL for a plain column (in `col`) or random */
	bool desc;
	corm_nulls nulls;
	corm_col col; /* col.e.cls NULL: not used */
} corm_order;

static inline const corm_expr *corm__order_expr(const corm_order *o)
{
	return o->expr ? o->expr : o->col.e.cls ? &o->col.e : NULL;
}

/* One selected value of values()/values_list(): an expression and the name of its cell. */
typedef struct corm_select_item {
	corm_expr *expr; /* owned */
	char *name;      /* owned: "author__username", "id" */
	bool maybe_null; /* read through a nullable join: NULL even if its column is NOT NULL */
} corm_select_item;

typedef enum { SELECT_MODEL, SELECT_VALUES, SELECT_VALUES_LIST } corm_select_mode;

/*
 * select_related(): a related model read by the same query (Django's
 * klass_info). The select plan is the base model's columns, then each
 * entry's model's columns, in this order; the decoder fills the entry's
 * instance into the ForeignKey's cached object of its parent.
 */
typedef struct corm_related_select {
	int alias;            /* its table in the alias map */
	int parent;           /* the entry whose instance holds the ForeignKey; -1: the base */
	const corm_fmeta *fk; /* the ForeignKey on the parent's model */
} corm_related_select;

typedef struct corm_query {
	const corm_meta *meta;
	/* the alias map: aliases[0] is the base table once any join or column was made; an
	 * empty map means the base table alone */
	corm_alias *aliases;
	size_t naliases, aliases_cap;
	corm_where *where; /* an AND node, possibly NULL */
	uint32_t ncalls;   /* filter()/exclude() calls so far: what multi-valued joins belong to */
	corm_order *order;
	size_t norder;
	bool order_set; /* order_by() was called (empty: no ordering at all) */
	bool reversed, distinct, empty;
	bool for_update;     /* select_for_update() */
	unsigned lock_flags; /* corm_lock_flags */
	int64_t low, high;   /* high < 0: no limit */
	corm_select_mode mode;
	bool flat;
	corm_select_item *values; /* values()/values_list() columns */
	size_t nvalues;
	corm_related_select *related; /* select_related(), parents before children */
	size_t nrelated;
	/* annotations, group_by, having and a combinator (union, intersection, difference) come
	 * with the expressions issue; their slots are part of the tree's shape from here */
	corm_select_item *annotations;
	size_t nannotations;
	corm_expr **group_by;
	size_t ngroup_by;
	corm_where *having;
} corm_query;

/* Starts an empty query over meta (all clear, no limit). */
void corm__query_init(corm_query *q, const corm_meta *meta);
/* Forgets the aliases from index `keep` on (joins made for something that is over). */
void corm__query_drop_aliases(corm_query *q, size_t keep);
/* Frees the tree's contents (not the struct). */
void corm__query_clear(corm_query *q);
/* Deep copy into *dst. CORM_ENOMEM (dst is then safe to clear). */
int corm__query_copy(corm_query *dst, const corm_query *src);
void corm__where_free(corm_where *n);

/* The alias name of index i ("blog_post" for the base table of an empty map). */
static inline const char *corm__alias_name(const corm_query *q, int i)
{
	return q->naliases ? q->aliases[i].name : q->meta->table;
}

/*
 * Resolves a Q tree against the query's model and ANDs it into where
 * (negated for exclude). Joins the Q's paths need are added to the alias
 * map; inside one call they are reused (one filter() call, one join).
 */
int corm__query_add_q(corm_query *query, const corm_q *q, bool negate, corm_err *err);
/* Starts a filter()/exclude() call: the Q objects added until the next call share the
 * multi-valued joins they make (Django's can_reuse set of one filter() call). */
static inline void corm__query_begin_call(corm_query *query)
{
	query->ncalls++;
}
/* Resolves an expression tree against the query (F -> Col, joins). */
int corm__query_resolve_expr(corm_query *query, corm_expr **slot, corm_err *err);
/*
 * Resolves "field" or "rel__field" to a Col in *out (owned by the caller),
 * joining as values() and order_by() do (LEFT OUTER for nullable paths).
 * `what` names the caller for messages.
 */
int corm__query_resolve_name(corm_query *query, const char *name, size_t len, corm_expr **out,
                             corm_err *err);
/* The same, a plain column written into *storage (*out then points at it). */
int corm__query_resolve_name_into(corm_query *query, const char *name, size_t len,
                                  corm_col *storage, corm_expr **out, corm_err *err);
/*
 * select_related("author__profile"): joins each ForeignKey of the path
 * (LEFT OUTER where it is nullable) and adds the entries the path needs.
 */
int corm__query_select_related(corm_query *query, const char *path, corm_err *err);
/* Resolves an order_by name ("-title", "?", "pk", "author__username"). */
int corm__resolve_order(corm_query *query, const char *name, corm_order *out, corm_err *err);
/* The effective ordering: explicit, or Meta.ordering; reversed applied. Caller frees with
 * corm__order_free(*out, *n). */
int corm__effective_order(corm_query *q, corm_order **out, size_t *n);
void corm__order_free(corm_order *o, size_t n);
/* Checked slice arithmetic (Query.set_limits): CORM_EINVAL on overflow or negative bounds. */
int corm__query_set_limits(corm_query *q, int64_t start, int64_t stop, corm_err *err);

/* "Cannot resolve keyword 'x' into field. Choices are: ..." */
int corm__unknown_field(const corm_meta *meta, const char *name, size_t len, corm_err *err);

#endif

/*
 * The query tree (Django's sql/query.py): what the user asked, resolved
 * against model metadata but free of any SQL dialect.
 */
#ifndef CORM_QUERY_QUERY_H
#define CORM_QUERY_QUERY_H

#include "corm/query.h"
#include "corm/sys/backend.h"
#include "db/db.h"
#include "model/meta.h"

/* ---- expressions (F, values, arithmetic) ---- */
typedef enum {
	EXPR_F,
	EXPR_VALUE,
	EXPR_ADD,
	EXPR_SUB,
	EXPR_MUL,
	EXPR_DIV,
	EXPR_MOD
} corm_expr_kind;

struct corm_expr {
	corm_expr_kind kind;
	char *path;              /* EXPR_F */
	const corm_fmeta *field; /* EXPR_F, once resolved */
	corm_value value;        /* EXPR_VALUE: deep copy */
	corm_expr *lhs, *rhs;
};

/* ---- Q objects as the user built them ---- */
typedef enum { Q_LEAF, Q_AND, Q_OR } corm_q_kind;

struct corm_q {
	corm_q_kind kind;
	bool negated;
	char *path;       /* leaf */
	corm_value value; /* leaf: deep copy (expressions owned) */
	const corm_model
	        *obj_model; /* leaf: the value was an instance of this model (value is its pk) */
	corm_q **children;
	size_t n;
};

/* ---- the resolved WHERE tree ---- */
typedef enum { NODE_AND, NODE_OR, NODE_LEAF } corm_node_kind;

typedef struct corm_node {
	corm_node_kind kind;
	bool negated;
	struct corm_node **children;
	size_t n;
	/* leaf */
	const corm_fmeta *field;
	corm_transform transform;
	corm_lookup lookup;
	corm_value rhs;    /* coerced, deep copy; LIST for in/range */
	bool add_not_null; /* exclude() on a nullable column: AND col IS NOT NULL */
} corm_node;

typedef struct corm_order {
	const corm_fmeta *field; /* NULL for random */
	bool desc;
	corm_nulls nulls;
} corm_order;

typedef enum { SELECT_MODEL, SELECT_VALUES, SELECT_VALUES_LIST } corm_select_mode;

typedef struct corm_query {
	const corm_meta *meta;
	corm_node *where; /* an AND node, possibly empty */
	corm_order *order;
	size_t norder;
	bool order_set; /* order_by() was called (empty: no ordering at all) */
	bool reversed, distinct, empty;
	bool for_update;     /* select_for_update() */
	unsigned lock_flags; /* corm_lock_flags */
	int64_t low, high;   /* high < 0: no limit */
	corm_select_mode mode;
	bool flat;
	const corm_fmeta **vfields;
	size_t nv;
} corm_query;

/* Deep copy of an expression tree (resolved fields kept). NULL on OOM. */
corm_expr *corm__expr_copy(const corm_expr *e);

/* Frees the tree's contents (not the struct). */
void corm__query_clear(corm_query *q);
/* Deep copy into *dst. CORM_ENOMEM. */
int corm__query_copy(corm_query *dst, const corm_query *src);
void corm__node_free(corm_node *n);

/* Resolves a Q tree against the query's model and ANDs it into where (negated for exclude). */
int corm__query_add_q(corm_query *query, const corm_q *q, bool negate, corm_err *err);
/* "icontains", "year": names for messages. */
const char *corm__lookup_name(corm_lookup l);
const char *corm__transform_name(corm_transform t);
/* Resolves the names in an expression tree. */
int corm__resolve_expr(const corm_meta *meta, corm_expr *e, corm_err *err);
/* Resolves an order_by name ("-title", "?", "pk"). */
int corm__resolve_order(const corm_meta *meta, const char *name, corm_order *out, corm_err *err);
/* The effective ordering: explicit, or Meta.ordering; reversed applied. Caller frees *out. */
int corm__effective_order(const corm_query *q, corm_order **out, size_t *n);

/* ---- evaluation state ---- */
struct corm_row {
	size_t n;
	const char *const *names;
	corm_value *cells;
};

struct corm_qs {
	corm_db *db;
	corm_query query;
	int error; /* sticky */
	corm_buf errmsg;
	/* result cache: instances and values() cells live in blocks, many per allocation */
	struct corm_block *blocks;
	bool evaluated;
	void **items;
	corm_row *rows;    /* values() rows: views into cells */
	corm_value *cells; /* every values() row's cells, one after another */
	size_t ncells, cells_cap;
	size_t len, cap, pos;
	char **names; /* values() names */
	/* iterator mode */
	size_t chunk_size;
	bool streaming;
	corm_stmt stream;
	void *current;
	struct corm_text_slot *text_slots; /* current's text buffers, one slot per field */
	corm_row current_row;
	/* corm_qs_sql output */
	corm_buf sql;
	corm_value *params;
	size_t nparams;
};

#endif

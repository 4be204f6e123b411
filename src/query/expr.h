/*
 * Expression nodes (Django's db/models/expressions.py): an open family of
 * typed nodes. Every node starts with a corm_expr header naming its class;
 * the class says how the node resolves names, copies and frees, and its kind
 * picks its compile function in src/sql. Adding a node kind (Func,
 * Aggregate, Case/When, Subquery, OuterRef, Window) means adding a class
 * here and one compile function there: the resolver and the walks over
 * trees never switch on the kind.
 */
#ifndef CORM_QUERY_EXPR_H
#define CORM_QUERY_EXPR_H

#include "corm/query.h"
#include "model/meta.h"

struct corm_resolver; /* query/resolve.c: the query, its alias map and a join-reuse set */

/*
 * How deep Q and expression trees may nest. Every walk over them is
 * recursive, so the depth is bounded when a tree is built: flattening makes
 * the idiomatic `q = corm_or(q, x)` loop one flat node however long it runs,
 * and only alternating connectors nest.
 */
#define CORM_MAX_TREE_DEPTH 256

/* The node kinds; the SQL compiler (src/sql) has one compile function per kind. */
typedef enum corm_expr_kind {
	CORM_EXPR_COL,
	CORM_EXPR_VALUE,
	CORM_EXPR_F,
	CORM_EXPR_COMBINED,
	CORM_EXPR_TRANSFORM,
	CORM_EXPR_KIND_COUNT_
} corm_expr_kind;

typedef struct corm_expr_class {
	corm_expr_kind kind;
	const char *name; /* Django's class name, for messages: "F", "Value", "Col" */
	size_t size;      /* of the node struct that embeds the header */
	/*
	 * Resolves names against the query (F -> Col, joins set up). May replace
	 * the node: *slot is the pointer that holds it. NULL: nothing to resolve.
	 */
	int (*resolve)(corm_expr **slot, struct corm_resolver *r);
	/* Copies the class's own payload (the header and args are copied already). CORM_ENOMEM. */
	int (*copy)(corm_expr *dst, const corm_expr *src);
	/* Frees the class's own payload (args are freed by the caller). NULL: nothing. */
	void (*clear)(corm_expr *e);
} corm_expr_class;

struct corm_expr {
	const corm_expr_class *cls;
	/* the output: the value type, and the field whose type it is when there is one (a column,
	 * or a transform that keeps its field's kind) */
	corm_type type;
	const corm_fmeta *field;
	uint16_t depth; /* 1 + the deepest argument */
	uint16_t nargs;
	corm_expr **args; /* owned */
};

/* A column of one of the query's tables: alias index in the query's alias map. */
typedef struct corm_col {
	corm_expr e;
	int alias;
} corm_col;

/* A value bound as a parameter. */
typedef struct corm_value_expr {
	corm_expr e;
	corm_value value; /* deep copy */
} corm_value_expr;

/* F("author__username"): a name, resolved to a Col through the joins it needs. */
typedef struct corm_fref {
	corm_expr e;
	char *path;
} corm_fref;

/* lhs <op> rhs (Django's CombinedExpression). */
typedef enum { CORM_OP_ADD, CORM_OP_SUB, CORM_OP_MUL, CORM_OP_DIV, CORM_OP_MOD } corm_op;

typedef struct corm_combined {
	corm_expr e;
	corm_op op;
} corm_combined;

struct corm_transform_def;
/* A registered transform applied to its one argument ("created_at__year"). */
typedef struct corm_transform_expr {
	corm_expr e;
	const struct corm_transform_def *def;
} corm_transform_expr;

extern const corm_expr_class corm__col_class, corm__value_class, corm__f_class,
        corm__combined_class, corm__transform_class;

/* A new node of `cls` with its args (consumed, also on failure); NULL on OOM or when an
 * argument is NULL. Past CORM_MAX_TREE_DEPTH it is instead a node of another class (test
 * e->cls before writing the class's own members) that resolving refuses. */
corm_expr *corm__expr_new(const corm_expr_class *cls, corm_expr **args, size_t nargs);
/* A Col node for `field` of the table under alias index `alias`. NULL on OOM. */
corm_expr *corm__col_new(int alias, const corm_fmeta *field);
/* Deep copy; NULL on OOM. */
corm_expr *corm__expr_copy(const corm_expr *e);
/* Resolves every node of the tree in place (arguments first). */
int corm__expr_resolve(corm_expr **slot, struct corm_resolver *r);

static inline bool corm__expr_is(const corm_expr *e, const corm_expr_class *cls)
{
	return e && e->cls == cls;
}

#endif

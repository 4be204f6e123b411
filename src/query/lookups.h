/*
 * Lookups and transforms as registered entries (Django's lookups.py and
 * RegisterLookupMixin): a name, what right-hand side it takes, which
 * left-hand types it accepts, and how it compiles. The built-in ones are
 * registered in lookups.c; the backend supplies its SQL for each by name
 * (corm_lookup_sql / corm_transform_sql in corm/sys/backend.h), so a new
 * lookup shifts nothing in the backend interface.
 */
#ifndef CORM_QUERY_LOOKUPS_H
#define CORM_QUERY_LOOKUPS_H

#include "query/expr.h"

/* What the right-hand side of a lookup is. */
/* (it also decides how the compiler writes the condition: a VALUE through the backend's
 * operator for the lookup's name, LIST as IN (...), PAIR as BETWEEN, BOOL as IS [NOT] NULL) */
typedef enum corm_rhs_kind {
	CORM_RHS_VALUE, /* one value, coerced to the left-hand side's field */
	CORM_RHS_LIST,  /* `in`: a list, None dropped */
	CORM_RHS_PAIR,  /* `range`: exactly two values */
	CORM_RHS_BOOL,  /* `isnull`: True or False */
} corm_rhs_kind;

/* Lookup flags. */
enum {
	/* the value is text matched with LIKE: escaped, with the wildcards below added */
	CORM_LOOKUP_F_PATTERN = 1,
	CORM_LOOKUP_F_WILD_BEFORE = 2, /* '%' before the value (contains, endswith) */
	CORM_LOOKUP_F_WILD_AFTER = 4,  /* '%' after the value (contains, startswith) */
	/* a text value is taken as given, not coerced (regex) */
	CORM_LOOKUP_F_RAW_TEXT = 8,
	/* the right-hand side may not be an expression */
	CORM_LOOKUP_F_NO_EXPR = 16,
	/* an ordering comparison: Django's YearLookup turns year__gt=2020 into bounds */
	CORM_LOOKUP_F_COMPARISON = 32,
};

typedef struct corm_lookup_def {
	const char *name;
	corm_rhs_kind rhs;
	unsigned flags;
} corm_lookup_def;

typedef struct corm_transform_def {
	const char *name;
	uint32_t accepts; /* the left-hand value types it applies to: bits (1u << corm_type) */
	corm_type output; /* the value type it yields */
} corm_transform_def;

/* Upper bounds of the registries (internal: the backend interface is keyed by name). */
#define CORM_MAX_LOOKUPS    64
#define CORM_MAX_TRANSFORMS 64

/* The registered lookup / transform named by the first len bytes of name, or NULL. */
const corm_lookup_def *corm__lookup_find(const char *name, size_t len);
const corm_transform_def *corm__transform_find(const char *name, size_t len);
/* Every registered lookup / transform in registration order (for messages). */
size_t corm__lookup_count(void);
const corm_lookup_def *corm__lookup_at(size_t i);
size_t corm__transform_count(void);
const corm_transform_def *corm__transform_at(size_t i);

/* The registries: a definition's position is its id, under which each connection caches the
 * backend's SQL for it. */
extern const corm_lookup_def corm__lookups[CORM_MAX_LOOKUPS];
extern const corm_transform_def corm__transforms[CORM_MAX_TRANSFORMS];

static inline int corm__lookup_id(const corm_lookup_def *d)
{
	return (int)(d - corm__lookups);
}
static inline int corm__transform_id(const corm_transform_def *d)
{
	return (int)(d - corm__transforms);
}

/* The built-in entries the compiler and resolver refer to directly. */
enum { CORM_LK_EXACT = 0, CORM_LK_IN = 12, CORM_LK_ISNULL = 13, CORM_TR_YEAR = 1 };
#define corm__lookup_exact   (corm__lookups[CORM_LK_EXACT])
#define corm__lookup_in      (corm__lookups[CORM_LK_IN])
#define corm__lookup_isnull  (corm__lookups[CORM_LK_ISNULL])
#define corm__transform_year (corm__transforms[CORM_TR_YEAR])

/* Whether `t` applies to a value of type `type`. */
static inline bool corm__transform_accepts(const corm_transform_def *t, corm_type type)
{
	return (t->accepts >> type) & 1u;
}

#endif

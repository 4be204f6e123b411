/*
 * The registered lookups and transforms. The built-in ones are Django's; a
 * user's own (`__ne`, `__unaccent`) join the same tables, and each backend
 * gives its SQL for them by name.
 */
#include <string.h>

#include "query/lookups.h"

#define PATTERN(name, flags, id)                                                                   \
	{                                                                                          \
		name, CORM_RHS_VALUE, CORM_LOOKUP_F_PATTERN | (flags), id                          \
	}

const corm_lookup_def corm__lookup_exact = {"exact", CORM_RHS_VALUE, 0, 0};
const corm_lookup_def corm__lookup_in = {"in", CORM_RHS_LIST, CORM_LOOKUP_F_NO_EXPR, 12};
const corm_lookup_def corm__lookup_isnull = {"isnull", CORM_RHS_BOOL, CORM_LOOKUP_F_NO_EXPR, 13};

static const corm_lookup_def lookup_iexact = {"iexact", CORM_RHS_VALUE,
                                              CORM_LOOKUP_F_PATTERN | CORM_LOOKUP_F_NO_EXPR, 1},
                             lookup_contains = PATTERN(
                                     "contains",
                                     CORM_LOOKUP_F_WILD_BEFORE | CORM_LOOKUP_F_WILD_AFTER, 2),
                             lookup_icontains = PATTERN(
                                     "icontains",
                                     CORM_LOOKUP_F_WILD_BEFORE | CORM_LOOKUP_F_WILD_AFTER, 3),
                             lookup_startswith = PATTERN("startswith", CORM_LOOKUP_F_WILD_AFTER, 4),
                             lookup_istartswith =
                                     PATTERN("istartswith", CORM_LOOKUP_F_WILD_AFTER, 5),
                             lookup_endswith = PATTERN("endswith", CORM_LOOKUP_F_WILD_BEFORE, 6),
                             lookup_iendswith = PATTERN("iendswith", CORM_LOOKUP_F_WILD_BEFORE, 7),
                             lookup_gt = {"gt", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON, 8},
                             lookup_gte = {"gte", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON, 9},
                             lookup_lt = {"lt", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON, 10},
                             lookup_lte = {"lte", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON, 11},
                             lookup_range = {"range", CORM_RHS_PAIR, CORM_LOOKUP_F_NO_EXPR, 14},
                             lookup_regex = {"regex", CORM_RHS_VALUE,
                                             CORM_LOOKUP_F_RAW_TEXT | CORM_LOOKUP_F_NO_EXPR, 15},
                             lookup_iregex = {"iregex", CORM_RHS_VALUE,
                                              CORM_LOOKUP_F_RAW_TEXT | CORM_LOOKUP_F_NO_EXPR, 16};

/* Registration order is the order of Django's messages ("Choices are: ..."), sorted there. */
static const corm_lookup_def *lookups[CORM_MAX_LOOKUPS] = {
        &corm__lookup_exact, &lookup_iexact,       &lookup_contains, &lookup_icontains,
        &lookup_startswith,  &lookup_istartswith,  &lookup_endswith, &lookup_iendswith,
        &lookup_gt,          &lookup_gte,          &lookup_lt,       &lookup_lte,
        &corm__lookup_in,    &corm__lookup_isnull, &lookup_range,    &lookup_regex,
        &lookup_iregex,
};
static size_t nlookups = 17;

#define T(t)  (1u << (t))
#define DATES (T(CORM_TYPE_DATETIME) | T(CORM_TYPE_DATE))
#define TIMES (T(CORM_TYPE_DATETIME) | T(CORM_TYPE_TIME))

const corm_transform_def corm__transform_year = {"year", DATES, CORM_TYPE_INT, 1};
static const corm_transform_def transform_date = {"date", T(CORM_TYPE_DATETIME), CORM_TYPE_DATE, 0},
                                transform_month = {"month", DATES, CORM_TYPE_INT, 2},
                                transform_day = {"day", DATES, CORM_TYPE_INT, 3},
                                transform_week_day = {"week_day", DATES, CORM_TYPE_INT, 4},
                                transform_hour = {"hour", TIMES, CORM_TYPE_INT, 5},
                                transform_minute = {"minute", TIMES, CORM_TYPE_INT, 6},
                                transform_second = {"second", TIMES, CORM_TYPE_INT, 7};

static const corm_transform_def *transforms[CORM_MAX_TRANSFORMS] = {
        &transform_date,     &corm__transform_year, &transform_month,  &transform_day,
        &transform_week_day, &transform_hour,       &transform_minute, &transform_second,
};
static size_t ntransforms = 8;

/* The ids in the definitions above are their positions; checked once here. */
_Static_assert(CORM_MAX_LOOKUPS >= 17 && CORM_MAX_TRANSFORMS >= 8, "registry bounds");

const corm_lookup_def *corm__lookup_find(const char *name, size_t len)
{
	for (size_t i = 0; i < nlookups; i++)
		if (!strncmp(lookups[i]->name, name, len) && !lookups[i]->name[len])
			return lookups[i];
	return NULL;
}

const corm_transform_def *corm__transform_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ntransforms; i++)
		if (!strncmp(transforms[i]->name, name, len) && !transforms[i]->name[len])
			return transforms[i];
	return NULL;
}

size_t corm__lookup_count(void)
{
	return nlookups;
}
const corm_lookup_def *corm__lookup_at(size_t i)
{
	return i < nlookups ? lookups[i] : NULL;
}
size_t corm__transform_count(void)
{
	return ntransforms;
}
const corm_transform_def *corm__transform_at(size_t i)
{
	return i < ntransforms ? transforms[i] : NULL;
}

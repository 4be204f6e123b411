/*
 * The registered lookups and transforms. The built-in ones are Django's; a
 * user's own (`__ne`, `__unaccent`) join the same tables, and each backend
 * gives its SQL for them by name.
 */
#include <string.h>

#include "query/lookups.h"

#define PATTERN(name, flags)                                                                       \
	{                                                                                          \
		name, CORM_RHS_VALUE, CORM_LOOKUP_F_PATTERN | (flags)                              \
	}
#define WILD_BOTH (CORM_LOOKUP_F_WILD_BEFORE | CORM_LOOKUP_F_WILD_AFTER)

/* Registration order is the order of the backends' caches (the ids are positions); messages
 * list the names sorted. */
const corm_lookup_def corm__lookups[CORM_MAX_LOOKUPS] = {
        [CORM_LK_EXACT] = {"exact", CORM_RHS_VALUE, 0},
        {"iexact", CORM_RHS_VALUE, CORM_LOOKUP_F_PATTERN | CORM_LOOKUP_F_NO_EXPR},
        PATTERN("contains", WILD_BOTH),
        PATTERN("icontains", WILD_BOTH),
        PATTERN("startswith", CORM_LOOKUP_F_WILD_AFTER),
        PATTERN("istartswith", CORM_LOOKUP_F_WILD_AFTER),
        PATTERN("endswith", CORM_LOOKUP_F_WILD_BEFORE),
        PATTERN("iendswith", CORM_LOOKUP_F_WILD_BEFORE),
        {"gt", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON},
        {"gte", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON},
        {"lt", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON},
        {"lte", CORM_RHS_VALUE, CORM_LOOKUP_F_COMPARISON},
        [CORM_LK_IN] = {"in", CORM_RHS_LIST, CORM_LOOKUP_F_NO_EXPR},
        [CORM_LK_ISNULL] = {"isnull", CORM_RHS_BOOL, CORM_LOOKUP_F_NO_EXPR},
        {"range", CORM_RHS_PAIR, CORM_LOOKUP_F_NO_EXPR},
        {"regex", CORM_RHS_VALUE, CORM_LOOKUP_F_RAW_TEXT | CORM_LOOKUP_F_NO_EXPR},
        {"iregex", CORM_RHS_VALUE, CORM_LOOKUP_F_RAW_TEXT | CORM_LOOKUP_F_NO_EXPR},
};
static size_t nlookups = 17;

#define T(t)  (1u << (t))
#define DATES (T(CORM_TYPE_DATETIME) | T(CORM_TYPE_DATE))
#define TIMES (T(CORM_TYPE_DATETIME) | T(CORM_TYPE_TIME))

const corm_transform_def corm__transforms[CORM_MAX_TRANSFORMS] = {
        {"date", T(CORM_TYPE_DATETIME), CORM_TYPE_DATE},
        [CORM_TR_YEAR] = {"year", DATES, CORM_TYPE_INT},
        {"month", DATES, CORM_TYPE_INT},
        {"day", DATES, CORM_TYPE_INT},
        {"week_day", DATES, CORM_TYPE_INT},
        {"hour", TIMES, CORM_TYPE_INT},
        {"minute", TIMES, CORM_TYPE_INT},
        {"second", TIMES, CORM_TYPE_INT},
};
static size_t ntransforms = 8;

const corm_lookup_def *corm__lookup_find(const char *name, size_t len)
{
	for (size_t i = 0; i < nlookups; i++)
		if (corm__lookups[i].name[0] == name[0] &&
		    !strncmp(corm__lookups[i].name, name, len) && !corm__lookups[i].name[len])
			return &corm__lookups[i];
	return NULL;
}

const corm_transform_def *corm__transform_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ntransforms; i++)
		if (corm__transforms[i].name[0] == name[0] &&
		    !strncmp(corm__transforms[i].name, name, len) && !corm__transforms[i].name[len])
			return &corm__transforms[i];
	return NULL;
}

size_t corm__lookup_count(void)
{
	return nlookups;
}
const corm_lookup_def *corm__lookup_at(size_t i)
{
	return i < nlookups ? &corm__lookups[i] : NULL;
}
size_t corm__transform_count(void)
{
	return ntransforms;
}
const corm_transform_def *corm__transform_at(size_t i)
{
	return i < ntransforms ? &corm__transforms[i] : NULL;
}

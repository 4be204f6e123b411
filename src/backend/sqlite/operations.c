/*
 * The SQLite backend's operations (Django's backends/sqlite3/operations.py and the
 * operators of base.py): quoting, placeholders, the lookups and transforms, `in` past the
 * parameter limit, ORDER BY random, LIMIT without a limit.
 */
#include "backend/sqlite/internal.h"
#include "util/buf.h"

const char corm__sq_in_json_sql[] = "IN (SELECT value FROM json_each(%s))";
const char corm__sq_random_sql[] = "RANDOM()";
const char corm__sq_no_limit[] = "-1";

void corm__sq_quote_name(corm_buf *b, const char *name)
{
	corm_buf_quoted(b, name, '"');
}

void corm__sq_placeholder(corm_buf *b, int n)
{
	corm_buf_putc(b, '?');
}

#define LIKE        "LIKE %s ESCAPE '\\'"
#define PATTERN_ESC "REPLACE(REPLACE(REPLACE(%s, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_')"

const corm_lookup_sql corm__sq_lookups[] = {
        {"exact", "= %s", NULL, NULL},
        {"iexact", LIKE, NULL, NULL},
        {"contains", LIKE, "LIKE '%%' || " PATTERN_ESC " || '%%' ESCAPE '\\'", NULL},
        {"icontains", LIKE, "LIKE '%%' || UPPER(" PATTERN_ESC ") || '%%' ESCAPE '\\'", NULL},
        {"startswith", LIKE, "LIKE " PATTERN_ESC " || '%%' ESCAPE '\\'", NULL},
        {"istartswith", LIKE, "LIKE UPPER(" PATTERN_ESC ") || '%%' ESCAPE '\\'", NULL},
        {"endswith", LIKE, "LIKE '%%' || " PATTERN_ESC " ESCAPE '\\'", NULL},
        {"iendswith", LIKE, "LIKE '%%' || UPPER(" PATTERN_ESC ") ESCAPE '\\'", NULL},
        {"gt", "> %s", NULL, NULL},
        {"gte", ">= %s", NULL, NULL},
        {"lt", "< %s", NULL, NULL},
        {"lte", "<= %s", NULL, NULL},
        {"regex", "REGEXP %s", NULL, NULL},
        {"iregex", "REGEXP '(?i)' || %s", NULL, NULL},
        /* in, range and isnull are written by the compiler (IN, BETWEEN, IS NULL) */
        {"in", "", NULL, NULL},
        {"range", "", NULL, NULL},
        {"isnull", "", NULL, NULL},
        {NULL, NULL, NULL, NULL},
};

/* strftime('%w') counts Sunday as 0; Django's week_day counts Sunday as 1. */
const corm_transform_sql corm__sq_transforms[] = {
        {"date", "date(%s)", NULL, NULL},
        {"year", "(CAST(strftime('%%Y', %s) AS INTEGER))", NULL, NULL},
        {"month", "(CAST(strftime('%%m', %s) AS INTEGER))", NULL, NULL},
        {"day", "(CAST(strftime('%%d', %s) AS INTEGER))", NULL, NULL},
        {"week_day", "(CAST(strftime('%%w', %s) AS INTEGER) + 1)", NULL, NULL},
        {"hour", "(CAST(strftime('%%H', %s) AS INTEGER))", NULL, NULL},
        {"minute", "(CAST(strftime('%%M', %s) AS INTEGER))", NULL, NULL},
        {"second", "(CAST(strftime('%%S', %s) AS INTEGER))", NULL, NULL},
        {NULL, NULL, NULL, NULL},
};

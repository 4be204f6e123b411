/*
 * The PostgreSQL backend's operations (Django 3.2's backends/postgresql/operations.py and
 * the operators of base.py): quoting, placeholders, the lookups and transforms, `in` past
 * the parameter limit and its cast types, ORDER BY random, bytes literals.
 */
#include "backend/base/data_types.h"
#include "backend/base/names.h"
#include "backend/postgres/internal.h"
#include "util/buf.h"

const char corm__pg_in_json_sql[] = "IN (SELECT (jsonb_array_elements_text(%s::jsonb))::%t)";
const char corm__pg_random_sql[] = "RANDOM()";
const char corm__pg_bytes_literal_start[] = "'\\x", corm__pg_bytes_literal_end[] = "'::bytea";

/* A name past 63 bytes is shortened as Django's truncate_name does (the server would cut it). */
void corm__pg_quote_name(corm_buf *b, const char *name)
{
	corm__quote_name_max(b, name, '"', 63, true);
}

void corm__pg_placeholder(corm_buf *b, int n)
{
	corm_buf_putc(b, '$');
	corm_buf_int(b, n);
}

/*
 * Django's date_extract_sql / datetime_extract_sql with USE_TZ and UTC:
 * datetimes are converted with AT TIME ZONE 'UTC' first. `second` is
 * floored: EXTRACT gives fractional seconds (6.5), while corm's `second`
 * is the whole second on every backend (Django 4.2 truncates it too).
 * week_day: for consistency across backends, Sunday=1, Saturday=7.
 */
#define UTC " AT TIME ZONE 'UTC'"
const corm_transform_sql corm__pg_transforms[] = {
        {"date", "(%s" UTC ")::date", "(%s)::date", NULL},
        {"year", "EXTRACT('year' FROM %s" UTC ")", "EXTRACT('year' FROM %s)", NULL},
        {"month", "EXTRACT('month' FROM %s" UTC ")", "EXTRACT('month' FROM %s)", NULL},
        {"day", "EXTRACT('day' FROM %s" UTC ")", "EXTRACT('day' FROM %s)", NULL},
        {"week_day", "EXTRACT('dow' FROM %s" UTC ") + 1", "EXTRACT('dow' FROM %s) + 1", NULL},
        {"hour", "EXTRACT('hour' FROM %s" UTC ")", NULL, "EXTRACT('hour' FROM %s)"},
        {"minute", "EXTRACT('minute' FROM %s" UTC ")", NULL, "EXTRACT('minute' FROM %s)"},
        {"second", "FLOOR(EXTRACT('second' FROM %s" UTC "))", NULL,
         "FLOOR(EXTRACT('second' FROM %s))"},
        {NULL, NULL, NULL, NULL},
};

/* Django's pattern_esc: LIKE wildcards in an expression's value are escaped in SQL. */
#define PATTERN_ESC                                                                                \
	"REPLACE(REPLACE(REPLACE(%s, E'\\\\', E'\\\\\\\\'), E'%%', E'\\\\%%'), E'_', E'\\\\_')"

/*
 * Django writes iexact as "= UPPER(%s)" with the value unescaped (its
 * prep_for_iexact_query). corm's compiler LIKE-escapes every iexact value
 * ('100%' -> '100\\%'), so the comparison must be a LIKE to mean the same
 * thing. Text lookups compare the column as text ("%s::text"), as Django's
 * lookup_cast does.
 */
const corm_lookup_sql corm__pg_lookups[] = {
        {"exact", "= %s", NULL, NULL},
        {"iexact", "LIKE UPPER(%s)", "= UPPER(%s)", "UPPER(%s::text)"},
        {"contains", "LIKE %s", "LIKE '%%' || " PATTERN_ESC " || '%%'", "%s::text"},
        {"icontains", "LIKE UPPER(%s)", "LIKE '%%' || UPPER(" PATTERN_ESC ") || '%%'",
         "UPPER(%s::text)"},
        {"startswith", "LIKE %s", "LIKE " PATTERN_ESC " || '%%'", "%s::text"},
        {"istartswith", "LIKE UPPER(%s)", "LIKE UPPER(" PATTERN_ESC ") || '%%'", "UPPER(%s::text)"},
        {"endswith", "LIKE %s", "LIKE '%%' || " PATTERN_ESC, "%s::text"},
        {"iendswith", "LIKE UPPER(%s)", "LIKE '%%' || UPPER(" PATTERN_ESC ")", "UPPER(%s::text)"},
        {"gt", "> %s", NULL, NULL},
        {"gte", ">= %s", NULL, NULL},
        {"lt", "< %s", NULL, NULL},
        {"lte", "<= %s", NULL, NULL},
        {"regex", "~ %s", NULL, "%s::text"},
        {"iregex", "~* %s", NULL, "%s::text"},
        {"in", "", NULL, NULL},
        {"range", "", NULL, NULL},
        {"isnull", "", NULL, NULL},
        {NULL, NULL, NULL, NULL},
};

/*
 * The type of in_json_sql's "%t" cast: serial types do not exist there and a
 * length or precision would truncate or round the values (Django's
 * cast_data_types and cast_char_field_without_max_length). corm keys are
 * integers, so a ForeignKey casts to bigint; the JSON list carries durations
 * as microseconds.
 */
static const char *const pg_cast_types[CORM__FIELD_KIND_COUNT] = {
        [CORM_FIELD_AUTO] = "integer",
        [CORM_FIELD_SMALLAUTO] = "smallint",
        [CORM_FIELD_BIGAUTO] = "bigint",
        [CORM_FIELD_FK] = "bigint",
        [CORM_FIELD_CHAR] = "varchar",
        [CORM_FIELD_SLUG] = "varchar",
        [CORM_FIELD_EMAIL] = "varchar",
        [CORM_FIELD_URL] = "varchar",
        [CORM_FIELD_DECIMAL] = "numeric",
        [CORM_FIELD_DURATION] = "bigint * interval '1 microsecond'",
};

void corm__pg_cast_type(corm_buf *b, int kind, int max_length, int max_digits, int decimal_places)
{
	corm__format_data_type(b, pg_cast_types, corm__pg_data_types, kind, max_length, max_digits,
	                       decimal_places);
}

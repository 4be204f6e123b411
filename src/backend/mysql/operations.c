/*
 * The MariaDB/MySQL backend's operations (Django 3.2's backends/mysql/operations.py and
 * the operators of base.py): quoting names and values, placeholders, the lookups and
 * transforms, `in` past the parameter limit (JSON_TABLE) and its column types, ORDER BY
 * random, LIMIT without a limit.
 */
#include "backend/base/data_types.h"
#include "backend/base/names.h"
#include "backend/mysql/internal.h"
#include "util/buf.h"

/* A name past 64 characters is shortened as Django's truncate_name does (the server would
 * refuse it). */
void corm__my_quote_name(corm_buf *b, const char *name)
{
	corm__quote_name_max(b, name, '`', 64, false);
}

/*
 * A string literal as MariaDB reads it in the sql_mode SESSION_SQL sets (no
 * NO_BACKSLASH_ESCAPES): a backslash escapes the next character, so it is
 * doubled, and a quote is doubled (as mysql_real_escape_string, for the
 * characters a C string can hold). MariaDB keeps \% and \_ as two characters,
 * so a backslash before % or _ is written once: LIKE patterns read as they are.
 */
void corm__my_quote_value(corm_buf *b, const char *text, size_t len)
{
	corm_buf_putc(b, '\'');
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		switch (c) {
		case '\'':
			corm_buf_put(b, "''", 2);
			break;
		case '\\':
			if (i + 1 < len && (text[i + 1] == '%' || text[i + 1] == '_'))
				corm_buf_putc(b, c);
			else
				corm_buf_put(b, "\\\\", 2);
			break;
		case '\n':
			corm_buf_put(b, "\\n", 2);
			break;
		case '\r':
			corm_buf_put(b, "\\r", 2);
			break;
		case '\032':
			corm_buf_put(b, "\\Z", 2);
			break;
		case '\0':
			corm_buf_put(b, "\\0", 2);
			break;
		default:
			corm_buf_putc(b, c);
		}
	}
	corm_buf_putc(b, '\'');
}

void corm__my_placeholder(corm_buf *b, int n)
{
	(void)n;
	corm_buf_putc(b, '?');
}

/* Django's DatabaseOperations.date_extract_sql / datetime_cast_date_sql (time zone UTC);
 * DAYOFWEEK is 1-7 with Sunday = 1, as Django's week_day. */
const corm_transform_sql corm__my_transforms[] = {
        {"date", "DATE(%s)", NULL, NULL},
        {"year", "EXTRACT(YEAR FROM %s)", NULL, NULL},
        {"month", "EXTRACT(MONTH FROM %s)", NULL, NULL},
        {"day", "EXTRACT(DAY FROM %s)", NULL, NULL},
        {"week_day", "DAYOFWEEK(%s)", NULL, NULL},
        {"hour", "EXTRACT(HOUR FROM %s)", NULL, NULL},
        {"minute", "EXTRACT(MINUTE FROM %s)", NULL, NULL},
        {"second", "EXTRACT(SECOND FROM %s)", NULL, NULL},
        {NULL, NULL, NULL, NULL},
};

/* The text corm__my_in_json_sql puts before its "%t". */
#define JSON_TABLE_COLUMN "COLUMNS (`value` "

/*
 * The type of a JSON_TABLE column that holds the values of an `in` list: wide
 * enough that no value is clipped or rounded into one the column stores (a
 * varchar(5) column would truncate 'abcdefg' to 'abcde', which then matches).
 * Text compares under the column's own collation, as a plain IN list does.
 */
static const char *const my_json_table_types[CORM__FIELD_KIND_COUNT] = {
        [0] = "longtext",
        [CORM_FIELD_AUTO] = "bigint",
        [CORM_FIELD_BIGAUTO] = "bigint",
        [CORM_FIELD_FK] = "bigint",
        [CORM_FIELD_INT] = "bigint",
        [CORM_FIELD_BIGINT] = "bigint",
        [CORM_FIELD_SMALLINT] = "bigint",
        [CORM_FIELD_POSITIVE_INT] = "bigint",
        [CORM_FIELD_POSITIVE_SMALLINT] = "bigint",
        [CORM_FIELD_POSITIVE_BIGINT] = "bigint",
        [CORM_FIELD_SMALLAUTO] = "bigint",
        [CORM_FIELD_BOOL] = "bigint",
        [CORM_FIELD_DURATION] = "bigint",
        [CORM_FIELD_FLOAT] = "double precision",
        [CORM_FIELD_DECIMAL] = "decimal(65, 30)",
        [CORM_FIELD_DATE] = "date",
        [CORM_FIELD_DATETIME] = "datetime(6)",
        [CORM_FIELD_TIME] = "time(6)",
        [CORM_FIELD_BINARY] = "longblob",
};

/* in_json_sql's "%t": the JSON_TABLE column type */
void corm__my_cast_type(corm_buf *b, int kind, int max_length, int max_digits, int decimal_places)
{
	corm__format_data_type(b, my_json_table_types, NULL, kind, max_length, max_digits,
	                       decimal_places);
}

/* Django's pattern_esc/pattern_ops: the right-hand side is an expression, escaped in SQL. */
#define PATTERN_ESC "REPLACE(REPLACE(REPLACE(%s, '\\\\', '\\\\\\\\'), '%%', '\\%%'), '_', '\\_')"

/* Django's operators and pattern_ops for MySQL; regex_lookup for MariaDB. */
const corm_lookup_sql corm__my_lookups[] = {
        {"exact", "= %s", NULL, NULL},
        {"iexact", "LIKE %s", NULL, NULL},
        {"contains", "LIKE BINARY %s", "LIKE BINARY CONCAT('%%', " PATTERN_ESC ", '%%')", NULL},
        {"icontains", "LIKE %s", "LIKE CONCAT('%%', " PATTERN_ESC ", '%%')", NULL},
        {"startswith", "LIKE BINARY %s", "LIKE BINARY CONCAT(" PATTERN_ESC ", '%%')", NULL},
        {"istartswith", "LIKE %s", "LIKE CONCAT(" PATTERN_ESC ", '%%')", NULL},
        {"endswith", "LIKE BINARY %s", "LIKE BINARY CONCAT('%%', " PATTERN_ESC ")", NULL},
        {"iendswith", "LIKE %s", "LIKE CONCAT('%%', " PATTERN_ESC ")", NULL},
        {"gt", "> %s", NULL, NULL},
        {"gte", ">= %s", NULL, NULL},
        {"lt", "< %s", NULL, NULL},
        {"lte", "<= %s", NULL, NULL},
        {"regex", "REGEXP BINARY %s", NULL, NULL},
        {"iregex", "REGEXP %s", NULL, NULL},
        {"in", "", NULL, NULL},
        {"range", "", NULL, NULL},
        {"isnull", "", NULL, NULL},
        {NULL, NULL, NULL, NULL},
};

const char corm__my_in_json_sql[] =
        "IN (SELECT `value` FROM JSON_TABLE(%s, '$[*]' " JSON_TABLE_COLUMN
        "%t PATH '$')) AS `corm_in`)";
const char corm__my_random_sql[] = "RAND()";
/* 2**64 - 1, Django's no_limit_value() */
const char corm__my_no_limit[] = "18446744073709551615";

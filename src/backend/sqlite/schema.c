/*
 * The SQLite backend's schema editor data (Django's backends/sqlite3/schema.py and the
 * data_types of base.py): column types, CHECK constraints, AUTOINCREMENT, deferrable
 * foreign keys.
 */
#include "backend/base/data_types.h"
#include "backend/sqlite/internal.h"
#include "util/buf.h"

const char corm__sq_auto_suffix[] = "AUTOINCREMENT";
const char corm__sq_deferrable_sql[] = " DEFERRABLE INITIALLY DEFERRED";

static const char *const sq_data_types[CORM__FIELD_KIND_COUNT] = {
        [0] = "text",
        [CORM_FIELD_AUTO] = "integer",
        [CORM_FIELD_BIGAUTO] = "integer",
        [CORM_FIELD_SMALLAUTO] = "integer",
        [CORM_FIELD_INT] = "integer",
        [CORM_FIELD_FK] = "integer",
        [CORM_FIELD_POSITIVE_SMALLINT] = "smallint unsigned",
        [CORM_FIELD_POSITIVE_BIGINT] = "bigint unsigned",
        [CORM_FIELD_GENERIC_IP] = "char(39)",
        [CORM_FIELD_CHAR] = "varchar(%(max_length)s)",
        [CORM_FIELD_SLUG] = "varchar(%(max_length)s)",
        [CORM_FIELD_EMAIL] = "varchar(%(max_length)s)",
        [CORM_FIELD_URL] = "varchar(%(max_length)s)",
        [CORM_FIELD_TEXT] = "text",
        [CORM_FIELD_BIGINT] = "bigint",
        [CORM_FIELD_SMALLINT] = "smallint",
        [CORM_FIELD_POSITIVE_INT] = "integer unsigned",
        [CORM_FIELD_FLOAT] = "real",
        [CORM_FIELD_DECIMAL] = "decimal",
        [CORM_FIELD_BOOL] = "bool",
        [CORM_FIELD_DATE] = "date",
        [CORM_FIELD_DATETIME] = "datetime",
        [CORM_FIELD_TIME] = "time",
        [CORM_FIELD_DURATION] = "bigint",
        [CORM_FIELD_UUID] = "char(32)",
        [CORM_FIELD_BINARY] = "BLOB",
        [CORM_FIELD_JSON] = "text",
};

void corm__sq_data_type(corm_buf *b, int kind, int max_length, int max_digits, int decimal_places)
{
	corm__format_data_type(b, sq_data_types, NULL, kind, max_length, max_digits,
	                       decimal_places);
}

const char *corm__sq_check_sql(int kind)
{
	if (kind == CORM_FIELD_POSITIVE_INT || kind == CORM_FIELD_POSITIVE_SMALLINT ||
	    kind == CORM_FIELD_POSITIVE_BIGINT)
		return "%s >= 0";
	if (kind == CORM_FIELD_JSON)
		return "(JSON_VALID(%s) OR %s IS NULL)";
	return NULL;
}

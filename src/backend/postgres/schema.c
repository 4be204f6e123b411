/*
 * The PostgreSQL backend's schema editor data (Django 3.2's backends/postgresql/schema.py
 * and the data_types of base.py): column types, CHECK constraints, deferrable foreign keys.
 */
#include "backend/base/data_types.h"
#include "backend/postgres/internal.h"
#include "util/buf.h"

const char corm__pg_deferrable_sql[] = " DEFERRABLE INITIALLY DEFERRED";

/* Django's data_types. */
const char *const corm__pg_data_types[CORM__FIELD_KIND_COUNT] = {
        [0] = "text",
        [CORM_FIELD_AUTO] = "serial",
        [CORM_FIELD_BIGAUTO] = "bigserial",
        [CORM_FIELD_SMALLAUTO] = "smallserial",
        [CORM_FIELD_POSITIVE_SMALLINT] = "smallint",
        [CORM_FIELD_POSITIVE_BIGINT] = "bigint",
        [CORM_FIELD_GENERIC_IP] = "inet",
        [CORM_FIELD_FK] = "bigint",
        [CORM_FIELD_CHAR] = "varchar(%(max_length)s)",
        [CORM_FIELD_SLUG] = "varchar(%(max_length)s)",
        [CORM_FIELD_EMAIL] = "varchar(%(max_length)s)",
        [CORM_FIELD_URL] = "varchar(%(max_length)s)",
        [CORM_FIELD_TEXT] = "text",
        [CORM_FIELD_INT] = "integer",
        [CORM_FIELD_POSITIVE_INT] = "integer",
        [CORM_FIELD_BIGINT] = "bigint",
        [CORM_FIELD_SMALLINT] = "smallint",
        [CORM_FIELD_FLOAT] = "double precision",
        [CORM_FIELD_DECIMAL] = "numeric(%(max_digits)s, %(decimal_places)s)",
        [CORM_FIELD_BOOL] = "boolean",
        [CORM_FIELD_DATE] = "date",
        [CORM_FIELD_DATETIME] = "timestamp with time zone",
        [CORM_FIELD_TIME] = "time",
        [CORM_FIELD_DURATION] = "interval",
        [CORM_FIELD_UUID] = "uuid",
        [CORM_FIELD_BINARY] = "bytea",
        [CORM_FIELD_JSON] = "jsonb",
};

void corm__pg_data_type(corm_buf *b, int kind, int max_length, int max_digits, int decimal_places)
{
	corm__format_data_type(b, corm__pg_data_types, NULL, kind, max_length, max_digits,
	                       decimal_places);
}

const char *corm__pg_check_sql(int kind)
{
	return kind == CORM_FIELD_POSITIVE_INT || kind == CORM_FIELD_POSITIVE_SMALLINT ||
	                       kind == CORM_FIELD_POSITIVE_BIGINT
	               ? "%s >= 0"
	               : NULL;
}

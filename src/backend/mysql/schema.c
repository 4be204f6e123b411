/*
 * The MariaDB/MySQL backend's schema editor data (Django 3.2's backends/mysql/schema.py
 * and the data_types of base.py): column types, CHECK constraints; foreign keys are not
 * deferrable.
 */
#include "backend/base/data_types.h"
#include "backend/mysql/internal.h"
#include "util/buf.h"

const char corm__my_deferrable_sql[] = "";

/* Django's DatabaseWrapper.data_types for MySQL/MariaDB (MariaDB's JSON is LONGTEXT with
 * an automatic CHECK (json_valid(col))). The schema editor gives a foreign key its target's
 * type: FK is never asked for itself. */
static const char *const my_data_types[CORM__FIELD_KIND_COUNT] = {
        [0] = "longtext",
        [CORM_FIELD_AUTO] = "integer AUTO_INCREMENT",
        [CORM_FIELD_BIGAUTO] = "bigint AUTO_INCREMENT",
        [CORM_FIELD_SMALLAUTO] = "smallint AUTO_INCREMENT",
        [CORM_FIELD_POSITIVE_SMALLINT] = "smallint UNSIGNED",
        [CORM_FIELD_POSITIVE_BIGINT] = "bigint UNSIGNED",
        [CORM_FIELD_GENERIC_IP] = "char(39)",
        [CORM_FIELD_INT] = "integer",
        [CORM_FIELD_FK] = "bigint",
        [CORM_FIELD_CHAR] = "varchar(%(max_length)s)",
        [CORM_FIELD_SLUG] = "varchar(%(max_length)s)",
        [CORM_FIELD_EMAIL] = "varchar(%(max_length)s)",
        [CORM_FIELD_URL] = "varchar(%(max_length)s)",
        [CORM_FIELD_TEXT] = "longtext",
        [CORM_FIELD_BIGINT] = "bigint",
        [CORM_FIELD_SMALLINT] = "smallint",
        [CORM_FIELD_POSITIVE_INT] = "integer UNSIGNED",
        [CORM_FIELD_FLOAT] = "double precision",
        [CORM_FIELD_DECIMAL] = "numeric(%(max_digits)s, %(decimal_places)s)",
        [CORM_FIELD_BOOL] = "bool",
        [CORM_FIELD_DATE] = "date",
        [CORM_FIELD_DATETIME] = "datetime(6)",
        [CORM_FIELD_TIME] = "time(6)",
        [CORM_FIELD_DURATION] = "bigint",
        [CORM_FIELD_UUID] = "char(32)",
        [CORM_FIELD_BINARY] = "longblob",
        [CORM_FIELD_JSON] = "json",
};

void corm__my_data_type(corm_buf *b, int kind, int max_length, int max_digits, int decimal_places)
{
	corm__format_data_type(b, my_data_types, NULL, kind, max_length, max_digits,
	                       decimal_places);
}

/* Django's data_type_check_constraints on MariaDB >= 10.4.3 (JSON_VALID is implied by "json"). */
const char *corm__my_check_sql(int kind)
{
	return kind == CORM_FIELD_POSITIVE_INT || kind == CORM_FIELD_POSITIVE_SMALLINT ||
	                       kind == CORM_FIELD_POSITIVE_BIGINT
	               ? "%s >= 0"
	               : NULL;
}

/*
 * The MariaDB/MySQL backend's schema editor data (Django 3.2's backends/mysql/schema.py
 * and the data_types of base.py): column types, CHECK constraints; foreign keys are not
 * deferrable; the schema editor's statements (MODIFY for column changes, which restates the
 * whole type).
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

/* Django 3.2's mysql DatabaseSchemaEditor.sql_* on MariaDB (and base's where it keeps them). */
const corm_schema_templates corm__my_schema = {
        .create_table = "CREATE TABLE %(table)s (%(definition)s)",
        .delete_table = "DROP TABLE %(table)s CASCADE",
        .delete_table_if_exists = "DROP TABLE IF EXISTS %(table)s",
        .rename_table = "RENAME TABLE %(old_table)s TO %(new_table)s",
        .create_column = "ALTER TABLE %(table)s ADD COLUMN %(column)s %(definition)s",
        .delete_column = "ALTER TABLE %(table)s DROP COLUMN %(column)s",
        .rename_column = "ALTER TABLE %(table)s RENAME COLUMN %(old_column)s TO %(new_column)s",
        .alter_column = "ALTER TABLE %(table)s %(changes)s",
        .alter_column_type = "MODIFY %(column)s %(type)s",
        .alter_column_null = "MODIFY %(column)s %(type)s NULL",
        .alter_column_not_null = "MODIFY %(column)s %(type)s NOT NULL",
        .alter_column_default = "ALTER COLUMN %(column)s SET DEFAULT %(default)s",
        .alter_column_no_default = "ALTER COLUMN %(column)s DROP DEFAULT",
        .update_with_default =
                "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL",
        .check_constraint = "CHECK (%(check)s)",
        .create_index = "CREATE INDEX %(name)s ON %(table)s (%(columns)s)%(extra)s",
        .create_unique_index = "CREATE UNIQUE INDEX %(name)s ON %(table)s (%(columns)s)",
        .delete_index = "DROP INDEX %(name)s ON %(table)s",
        .rename_index = "ALTER TABLE %(table)s RENAME INDEX %(old_name)s TO %(new_name)s",
        .create_unique = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s UNIQUE (%(columns)s)",
        .delete_unique = "ALTER TABLE %(table)s DROP INDEX %(name)s",
        .create_check = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s CHECK (%(check)s)",
        /* MariaDB names a column's CHECK after the column, and MODIFY drops it */
        .delete_check = "ALTER TABLE %(table)s DROP CONSTRAINT IF EXISTS %(name)s",
        .create_fk = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
                     "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s",
        .delete_fk = "ALTER TABLE %(table)s DROP FOREIGN KEY %(name)s",
        .create_pk = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s PRIMARY KEY (%(columns)s)",
        .delete_pk = "ALTER TABLE %(table)s DROP PRIMARY KEY",
};

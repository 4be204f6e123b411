/*
 * The PostgreSQL backend's schema editor data (Django 3.2's backends/postgresql/schema.py
 * and the data_types of base.py): column types, CHECK constraints, deferrable foreign keys,
 * and the schema editor's statements.
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

/* Django 3.2's postgresql DatabaseSchemaEditor.sql_* (and base's where it keeps them). */
const corm_schema_templates corm__pg_schema = {
        .create_table = "CREATE TABLE %(table)s (%(definition)s)",
        .delete_table = "DROP TABLE %(table)s CASCADE",
        .delete_table_if_exists = "DROP TABLE IF EXISTS %(table)s",
        .rename_table = "ALTER TABLE %(old_table)s RENAME TO %(new_table)s",
        .create_column = "ALTER TABLE %(table)s ADD COLUMN %(column)s %(definition)s",
        .delete_column = "ALTER TABLE %(table)s DROP COLUMN %(column)s CASCADE",
        .rename_column = "ALTER TABLE %(table)s RENAME COLUMN %(old_column)s TO %(new_column)s",
        .alter_column = "ALTER TABLE %(table)s %(changes)s",
        .alter_column_type = "ALTER COLUMN %(column)s TYPE %(type)s",
        .alter_column_type_cast =
                "ALTER COLUMN %(column)s TYPE %(type)s USING %(column)s::%(type)s",
        .alter_column_null = "ALTER COLUMN %(column)s DROP NOT NULL",
        .alter_column_not_null = "ALTER COLUMN %(column)s SET NOT NULL",
        .alter_column_default = "ALTER COLUMN %(column)s SET DEFAULT %(default)s",
        .alter_column_no_default = "ALTER COLUMN %(column)s DROP DEFAULT",
        .update_with_default =
                "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL",
        .check_constraint = "CHECK (%(check)s)",
        .create_index = "CREATE INDEX %(name)s ON %(table)s (%(columns)s)%(extra)s",
        .create_unique_index = "CREATE UNIQUE INDEX %(name)s ON %(table)s (%(columns)s)",
        .delete_index = "DROP INDEX IF EXISTS %(name)s",
        .rename_index = "ALTER INDEX %(old_name)s RENAME TO %(new_name)s",
        .create_unique = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s UNIQUE (%(columns)s)",
        .delete_unique = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s",
        .create_check = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s CHECK (%(check)s)",
        .delete_check = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s",
        .create_fk = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) "
                     "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s",
        /* IMMEDIATE runs the deferred checks first, so the drop works in the same transaction */
        .delete_fk = "SET CONSTRAINTS %(name)s IMMEDIATE; ALTER TABLE %(table)s DROP CONSTRAINT "
                     "%(name)s",
        .create_pk = "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s PRIMARY KEY (%(columns)s)",
        .delete_pk = "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s",
        /* Django's DatabaseOperations.sequence_reset_sql */
        .sequence_reset =
                "SELECT setval(pg_get_serial_sequence(%(table_literal)s,%(column_literal)s), "
                "coalesce(max(%(column)s), 1), max(%(column)s) IS NOT null) FROM %(table)s",
};

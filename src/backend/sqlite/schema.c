/*
 * The SQLite backend's schema editor data (Django's backends/sqlite3/schema.py and the
 * data_types of base.py): column types, CHECK constraints, AUTOINCREMENT, deferrable
 * foreign keys, and the schema editor's statements. SQLite has no ALTER COLUMN and no
 * ALTER TABLE ADD/DROP CONSTRAINT: those templates are NULL and the editor remakes the
 * table (src/schema/remake.c).
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

/* Django 3.2's sqlite3 DatabaseSchemaEditor.sql_* (and base's where sqlite3 keeps them). */
const corm_schema_templates corm__sq_schema = {
        .create_table = "CREATE TABLE %(table)s (%(definition)s)",
        .delete_table = "DROP TABLE %(table)s",
        .delete_table_if_exists = "DROP TABLE IF EXISTS %(table)s",
        .rename_table = "ALTER TABLE %(old_table)s RENAME TO %(new_table)s",
        .create_column = "ALTER TABLE %(table)s ADD COLUMN %(column)s %(definition)s",
        .delete_column = "ALTER TABLE %(table)s DROP COLUMN %(column)s",
        .rename_column = "ALTER TABLE %(table)s RENAME COLUMN %(old_column)s TO %(new_column)s",
        .update_with_default =
                "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL",
        .check_constraint = "CHECK (%(check)s)",
        .create_inline_fk = "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s",
        .create_index = "CREATE INDEX %(name)s ON %(table)s (%(columns)s)%(extra)s",
        .create_unique_index = "CREATE UNIQUE INDEX %(name)s ON %(table)s (%(columns)s)",
        .delete_index = "DROP INDEX %(name)s",
        .create_unique = "CREATE UNIQUE INDEX %(name)s ON %(table)s (%(columns)s)",
        .delete_unique = "DROP INDEX %(name)s",
        .remake_copy = "INSERT INTO %(new_table)s (%(columns)s) SELECT %(select)s FROM %(table)s",
        .disable_constraint_checking = "PRAGMA foreign_keys = OFF",
        .enable_constraint_checking = "PRAGMA foreign_keys = ON",
        .foreign_key_check = "PRAGMA foreign_key_check",
};

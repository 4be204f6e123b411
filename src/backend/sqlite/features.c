/* The SQLite backend's features (Django's backends/sqlite3/features.py). */
#include <sqlite3.h>

#include "backend/sqlite/internal.h"

/*
 * What this SQLite can do. The library's version decides what depends on it: JSON
 * (json_each, for `in` past the parameter limit) is built in from 3.38 and an option
 * before. RETURNING (3.35) stays unused: it makes SQLite journal every insert, and
 * last_insert_rowid() is free.
 */
int corm__sq_features(void *conn, corm_features *f, corm_driver_error *err)
{
	(void)err;
	/* the connection's limit, at most 32766 (SQLite's default since 3.32; Debian raises it) */
	int params = sqlite3_limit(conn, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	*f = (corm_features){
	        .can_return_columns_from_insert = false,
	        .can_rollback_ddl = true,
	        .has_select_for_update = false,
	        .supports_boolean_expr_in_where = true,
	        .uses_savepoints = true,
	        .supports_order_by_nulls_modifier =
	                sqlite3_libversion_number() >= 3030000, /* 3.30 */
	        .inline_foreign_keys = true,
	        .unique_together_as_index = true,
	        .max_query_params = params < 32766 ? params : 32766,
	        .max_name_length = 0,
	        .supports_in_json = sqlite3_libversion_number() >= 3038000
	                                    ? !sqlite3_compileoption_used("OMIT_JSON")
	                                    : sqlite3_compileoption_used("ENABLE_JSON1"),
	        /* no ALTER COLUMN, no ADD/DROP CONSTRAINT: the schema editor remakes the table
	         * (Django 3.2 remakes for every add_field too) */
	        .can_alter_column = false,
	        .can_drop_column = sqlite3_libversion_number() >= 3035000,
	        .can_rename_column = sqlite3_libversion_number() >= 3025000,
	        .can_add_column = false,
	        .can_alter_constraints = false,
	        .can_rename_index = false,
	};
	return CORM_OK;
}

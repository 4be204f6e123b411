/* The PostgreSQL backend's features (Django 3.2's backends/postgresql/features.py). */
#include <libpq-fe.h>

#include "backend/postgres/internal.h"

/* What the server behind conn can do (Django's DatabaseFeatures for PostgreSQL); SKIP LOCKED
 * needs 9.5. */
int corm__pg_features(void *conn, corm_features *f, corm_driver_error *err)
{
	(void)err;
	int version = PQserverVersion(corm__pg_handle(conn));
	*f = (corm_features){
	        .can_return_columns_from_insert = true,
	        .can_rollback_ddl = true,
	        .has_select_for_update = true,
	        .has_select_for_update_nowait = true,
	        .has_select_for_update_skip_locked = version >= 90500,
	        .has_select_for_update_of = true,
	        .supports_boolean_expr_in_where = true,
	        .supports_order_by_nulls_modifier = true,
	        .uses_savepoints = true,
	        .inline_foreign_keys = false,
	        .like_indexes = true,
	        .max_query_params = 65535,
	        .max_name_length = 63,
	        .max_name_length_in_bytes = true,
	        .supports_in_json = true, /* jsonb_array_elements_text */
	        .can_alter_column = true,
	        .can_drop_column = true,
	        .can_rename_column = true,
	        .can_add_column = true,
	        .can_alter_constraints = true,
	        .can_rename_index = true,
	};
	return CORM_OK;
}

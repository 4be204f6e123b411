/*
 * The MariaDB/MySQL backend's features (Django's backends/mysql/features.py):
 * what the connection's server can do, decided by the version it reports.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "backend/mysql/internal.h"

/* "10.4.32..." as 100432 ("8.0" as 80000); 0 when the text does not start with a version. */
static long parse_version(const char *s)
{
	long major = 0, minor = 0, patch = 0;
	if (sscanf(s, "%3ld.%2ld.%2ld", &major, &minor, &patch) < 1 || major < 0 || minor < 0 ||
	    patch < 0)
		return 0;
	return major * 10000 + minor * 100 + patch;
}

void corm__mysql_server_features(const char *info, corm_features *f)
{
	bool mariadb = info && strstr(info, "MariaDB") != NULL;
	/* MariaDB 10 servers announce themselves as "5.5.5-10.x" to old replication clients */
	if (mariadb && strncmp(info, "5.5.5-", 6) == 0 && info[6] >= '0' && info[6] <= '9')
		info += 6;
	long v = info ? parse_version(info) : 0;
	/*
	 * - DDL is not transactional: every CREATE/ALTER/DROP commits the open transaction
	 *   implicitly (and forgets its savepoints), and a failed script leaves the tables
	 *   it already created. can_rollback_ddl is false for that reason.
	 * - Foreign keys are checked at once (no DEFERRABLE), so they are added after every
	 *   table exists, with ALTER TABLE ... ADD CONSTRAINT, as Django does.
	 * - Without RETURNING the new id comes from mysql_stmt_insert_id (LAST_INSERT_ID()),
	 *   which is per connection and exact.
	 * - FOR UPDATE OF does not exist in MariaDB.
	 */
	*f = (corm_features){
	        .can_return_columns_from_insert = mariadb && v >= 100500,
	        .can_rollback_ddl = false,
	        .has_select_for_update = true,
	        .has_select_for_update_nowait = mariadb ? v >= 100300 : v >= 80001,
	        .has_select_for_update_skip_locked = mariadb ? v >= 100600 : v >= 80001,
	        .has_select_for_update_of = !mariadb && v >= 80001,
	        .supports_boolean_expr_in_where = true,
	        .supports_order_by_nulls_modifier = false,
	        .uses_savepoints = true,
	        .inline_foreign_keys = false,
	        .like_indexes = false,
	        .fk_constraint_creates_index = true, /* InnoDB indexes foreign keys itself */
	        .max_query_params = 65535,
	        .max_name_length = 64,
	        /* in_json_sql reads the list with JSON_TABLE */
	        .supports_in_json = mariadb ? v >= 100600 : v >= 80004,
	        /* MODIFY restates the column; RENAME COLUMN and RENAME INDEX: MariaDB 10.5.2,
	         * MySQL 8.0 / 5.7 */
	        .can_alter_column = true,
	        .can_drop_column = true,
	        .can_rename_column = mariadb ? v >= 100502 : v >= 80000,
	        .can_add_column = true,
	        .can_alter_constraints = true,
	        .can_rename_index = mariadb ? v >= 100502 : v >= 50700,
	};
}

/* The features hook: what the server behind conn can do, from the version it reports. */
int corm__my_features(void *conn, corm_features *out, corm_driver_error *err)
{
	(void)err;
	corm__mysql_server_features(corm__my_server_info(conn), out);
	return CORM_OK;
}

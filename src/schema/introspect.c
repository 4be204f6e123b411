/*
 * corm/introspection.h on a connection: the backend's introspection hooks
 * (src/backend/<vendor>/introspection.c), their errors moved onto the connection.
 */
#include <string.h>

#include "corm/introspection.h"
#include "schema/editor.h"
#include "util/alloc.h"

/* The driver's error on db (its own message; the code it gave). */
static int driver_error(corm_db *db, int rc, const corm_driver_error *err)
{
	db->native_err = err->native;
	return corm__db_error(db, rc, "%s", err->message[0] ? err->message : corm_strerror(rc));
}

int corm_introspect_tables(corm_db *db, corm_name_list **out)
{
	if (!db || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_introspect_tables: NULL argument")
		          : CORM_EINVAL;
	corm__db_ok(db);
	if (!db->be->introspect_tables)
		return corm__db_error(db, CORM_ENOTSUP, "the %s backend has no introspection",
		                      db->be->vendor);
	corm_name_list *list = corm_name_list_new();
	if (!list)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	corm_driver_error err = {0};
	int rc = db->be->introspect_tables(db->conn, list, &err);
	if (rc) {
		corm_name_list_free(list);
		return driver_error(db, rc, &err);
	}
	*out = list;
	return CORM_OK;
}

int corm_introspect_table(corm_db *db, const char *table, corm_table_desc **out)
{
	if (!db || !table || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_introspect_table: NULL argument")
		          : CORM_EINVAL;
	corm__db_ok(db);
	if (!db->be->introspect_table)
		return corm__db_error(db, CORM_ENOTSUP, "the %s backend has no introspection",
		                      db->be->vendor);
	corm_table_desc *d = corm_table_desc_new(table);
	if (!d)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	corm_driver_error err = {0};
	int rc = db->be->introspect_table(db->conn, table, d, &err);
	if (rc) {
		corm_table_desc_free(d);
		return driver_error(db, rc, &err);
	}
	*out = d;
	return CORM_OK;
}

int corm__editor_describe(corm_editor *ed, const char *table, corm_table_desc **out)
{
	*out = NULL;
	return corm_introspect_table(ed->db, table, out);
}

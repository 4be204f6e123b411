/*
 * The MariaDB/MySQL backend's introspection (Django's backends/mysql/introspection.py):
 * information_schema (tables, columns, statistics, check_constraints, key_column_usage)
 * of the connection's database, run through the backend's own driver functions. Every
 * unique index is a UNIQUE constraint there (CREATE UNIQUE INDEX included); InnoDB's own
 * index for a foreign key is an index named after the constraint.
 */
#include <stdio.h>
#include <string.h>

#include "corm/introspection.h"
#include "backend/base/backends.h"
#include "backend/base/rows.h"
#include "backend/mysql/internal.h"
#include "util/alloc.h"

typedef struct ctx {
	corm_name_list *list;
	corm_table_desc *desc;
	corm_driver_error *err;
	bool found;
} ctx;

static int oom(ctx *c)
{
	return corm__be_oom(c->err);
}

static int table_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 1 && corm_name_list_add(c->list, cols[0]) ? oom(c) : CORM_OK;
}

int corm__my_introspect_tables(void *conn, corm_name_list *out, corm_driver_error *err)
{
	ctx c = {.list = out, .err = err};
	return corm__be_rows(&corm__mysql_backend, conn,
	                     "SELECT table_name FROM information_schema.tables WHERE table_schema "
	                     "= DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
	                     NULL, 0, table_row, &c, err);
}

static int found_row(void *p, const char *const *cols, int n)
{
	(void)cols;
	(void)n;
	((ctx *)p)->found = true;
	return CORM_OK;
}

static int column_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 6)
		return CORM_OK;
	/* MariaDB (10.2.7+) reports a nullable column without a default as the text NULL, and
	 * quotes literal defaults */
	const char *dflt = cols[3] && strcmp(cols[3], "NULL") == 0 ? NULL : cols[3];
	bool null = cols[2] && strcmp(cols[2], "YES") == 0;
	bool pk = cols[4] && strcmp(cols[4], "PRI") == 0;
	bool autoinc = cols[5] && strstr(cols[5], "auto_increment") != NULL;
	return corm_table_desc_add_column(c->desc, cols[0], cols[1], null, dflt, pk, autoinc)
	               ? oom(c)
	               : CORM_OK;
}

static int index_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 4 || !cols[0])
		return CORM_OK;
	int rc;
	if (cols[1] && strcmp(cols[1], "0") == 0)
		rc = corm_table_desc_add_unique_column(c->desc, cols[0], cols[2]);
	else
		rc = corm_table_desc_add_index_column(c->desc, cols[0], false, cols[2],
		                                      cols[3] && cols[3][0] == 'D' ? "DESC"
		                                                                   : "ASC");
	return rc ? oom(c) : CORM_OK;
}

/* The table's columns the clause names as `column`. */
static int check_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 2 || !cols[0])
		return CORM_OK;
	if (corm_table_desc_add_check(c->desc, cols[0], cols[1], NULL))
		return oom(c);
	for (size_t i = 0; cols[1] && i < c->desc->ncolumns; i++) {
		const char *name = c->desc->columns[i].name;
		size_t len = strlen(name);
		for (const char *q = strchr(cols[1], '`'); q; q = strchr(q + 1, '`'))
			if (strncmp(q + 1, name, len) == 0 && q[len + 1] == '`') {
				if (corm_table_desc_add_check(c->desc, cols[0], NULL, name))
					return oom(c);
				break;
			}
	}
	return CORM_OK;
}

static int fk_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 4 && corm_table_desc_add_fk(c->desc, cols[0], cols[1], cols[2], cols[3])
	               ? oom(c)
	               : CORM_OK;
}

int corm__my_introspect_table(void *conn, const char *table, corm_table_desc *out,
                              corm_driver_error *err)
{
	const corm_backend *be = &corm__mysql_backend;
	ctx c = {.desc = out, .err = err};
	const char *params[1] = {table};
	int rc = corm__be_rows(be, conn,
	                       "SELECT 1 FROM information_schema.tables WHERE table_schema = "
	                       "DATABASE() AND table_name = ? AND table_type = 'BASE TABLE'",
	                       params, 1, found_row, &c, err);
	if (!rc && !c.found) {
		err->code = CORM_ENOTFOUND;
		err->native = 0;
		snprintf(err->message, sizeof err->message, "table '%.400s' does not exist", table);
		rc = CORM_ENOTFOUND;
	}
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT column_name, column_type, is_nullable, column_default, "
		                   "column_key, extra FROM information_schema.columns WHERE "
		                   "table_schema = DATABASE() AND table_name = ? ORDER BY "
		                   "ordinal_position",
		                   params, 1, column_row, &c, err);
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT index_name, non_unique, column_name, collation FROM "
		                   "information_schema.statistics WHERE table_schema = DATABASE() "
		                   "AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY "
		                   "index_name, seq_in_index",
		                   params, 1, index_row, &c, err);
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT constraint_name, check_clause FROM "
		                   "information_schema.check_constraints WHERE constraint_schema = "
		                   "DATABASE() AND table_name = ? ORDER BY constraint_name",
		                   params, 1, check_row, &c, err);
	if (!rc)
		rc = corm__be_rows(
		        be, conn,
		        "SELECT constraint_name, column_name, referenced_table_name, "
		        "referenced_column_name FROM information_schema.key_column_usage "
		        "WHERE table_schema = DATABASE() AND table_name = ? AND "
		        "referenced_table_name IS NOT NULL ORDER BY constraint_name, "
		        "ordinal_position",
		        params, 1, fk_row, &c, err);
	return rc;
}

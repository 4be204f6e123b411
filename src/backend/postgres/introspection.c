/*
 * The PostgreSQL backend's introspection (Django's backends/postgresql/introspection.py):
 * pg_catalog queries (pg_class, pg_attribute, pg_attrdef, pg_index, pg_constraint) for the
 * tables visible on the search_path, run through the backend's own driver functions.
 */
#include <stdio.h>
#include <string.h>

#include "corm/introspection.h"
#include "backend/base/backends.h"
#include "backend/base/rows.h"
#include "backend/postgres/internal.h"
#include "util/alloc.h"

typedef struct ctx {
	corm_name_list *list;
	corm_table_desc *desc;
	corm_driver_error *err;
	char *oid;
} ctx;

static int oom(ctx *c)
{
	return corm__be_oom(c->err);
}

static bool t(const char *s)
{
	return s && s[0] == 't';
}

static int table_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 1 && corm_name_list_add(c->list, cols[0]) ? oom(c) : CORM_OK;
}

int corm__pg_introspect_tables(void *conn, corm_name_list *out, corm_driver_error *err)
{
	ctx c = {.list = out, .err = err};
	return corm__be_rows(&corm__postgres_backend, conn,
	                     "SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind IN "
	                     "('r', 'p') AND c.relnamespace NOT IN (SELECT oid FROM "
	                     "pg_catalog.pg_namespace WHERE nspname IN ('pg_catalog', "
	                     "'information_schema')) AND pg_catalog.pg_table_is_visible(c.oid) "
	                     "ORDER BY c.relname",
	                     NULL, 0, table_row, &c, err);
}

static int oid_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n >= 1 && cols[0] && !c->oid && !(c->oid = corm__strdup(cols[0])))
		return oom(c);
	return CORM_OK;
}

static int column_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 6)
		return CORM_OK;
	return corm_table_desc_add_column(c->desc, cols[0], cols[1], t(cols[2]), cols[3],
	                                  t(cols[4]), t(cols[5]))
	               ? oom(c)
	               : CORM_OK;
}

static int index_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 4 && corm_table_desc_add_index_column(c->desc, cols[0], t(cols[1]), cols[2],
	                                                  cols[3])
	               ? oom(c)
	               : CORM_OK;
}

static int unique_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 2 && corm_table_desc_add_unique_column(c->desc, cols[0], cols[1]) ? oom(c)
	                                                                              : CORM_OK;
}

/* pg_get_constraintdef's "CHECK ((x >= 0))": the expression inside CHECK ( ... ). */
static int check_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 3 || !cols[0] || !cols[1])
		return CORM_OK;
	const char *def = cols[1];
	size_t len = strlen(def);
	char *check = NULL;
	if (strncmp(def, "CHECK (", 7) == 0 && len > 8 && def[len - 1] == ')')
		check = corm__strndup(def + 7, len - 8);
	else
		check = corm__strdup(def);
	int rc = check ? corm_table_desc_add_check(c->desc, cols[0], check, cols[2]) : CORM_ENOMEM;
	corm__free(check);
	return rc ? oom(c) : CORM_OK;
}

static int fk_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 4 && corm_table_desc_add_fk(c->desc, cols[0], cols[1], cols[2], cols[3])
	               ? oom(c)
	               : CORM_OK;
}

int corm__pg_introspect_table(void *conn, const char *table, corm_table_desc *out,
                              corm_driver_error *err)
{
	const corm_backend *be = &corm__postgres_backend;
	ctx c = {.desc = out, .err = err};
	const char *params[1] = {table};
	int rc = corm__be_rows(be, conn,
	                       "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname = $1 AND "
	                       "c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)",
	                       params, 1, oid_row, &c, err);
	if (!rc && !c.oid) {
		err->code = CORM_ENOTFOUND;
		err->native = 0;
		snprintf(err->message, sizeof err->message, "table '%.400s' does not exist", table);
		rc = CORM_ENOTFOUND;
	}
	params[0] = c.oid;
	if (!rc)
		rc = corm__be_rows(
		        be, conn,
		        "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT "
		        "a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), EXISTS (SELECT "
		        "1 "
		        "FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND "
		        "i.indisprimary "
		        "AND a.attnum = ANY (i.indkey)), a.attidentity <> '' OR "
		        "pg_catalog.pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) "
		        "IS "
		        "NOT NULL FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d "
		        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attrelid = "
		        "$1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
		        params, 1, column_row, &c, err);
	if (!rc)
		rc = corm__be_rows(
		        be, conn,
		        "SELECT ic.relname, i.indisunique, a.attname, CASE WHEN (k.option & 1) = 1 "
		        "THEN 'DESC' ELSE 'ASC' END FROM pg_catalog.pg_index i JOIN "
		        "pg_catalog.pg_class ic ON ic.oid = i.indexrelid CROSS JOIN LATERAL "
		        "unnest(i.indkey, i.indoption) WITH ORDINALITY AS k(key, option, n) JOIN "
		        "pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.key "
		        "WHERE i.indrelid = $1::oid AND NOT i.indisprimary AND NOT EXISTS (SELECT "
		        "1 "
		        "FROM pg_catalog.pg_constraint con WHERE con.conindid = i.indexrelid AND "
		        "con.contype IN ('p', 'u', 'x')) ORDER BY ic.relname, k.n",
		        params, 1, index_row, &c, err);
	if (!rc)
		rc = corm__be_rows(
		        be, conn,
		        "SELECT con.conname, a.attname FROM pg_catalog.pg_constraint con CROSS "
		        "JOIN "
		        "LATERAL unnest(con.conkey) WITH ORDINALITY AS k(key, n) JOIN "
		        "pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND "
		        "a.attnum = k.key WHERE con.conrelid = $1::oid AND con.contype = "
		        "'u' ORDER BY con.conname, k.n",
		        params, 1, unique_row, &c, err);
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT con.conname, pg_catalog.pg_get_constraintdef(con.oid), "
		                   "a.attname FROM pg_catalog.pg_constraint con LEFT JOIN "
		                   "pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND "
		                   "a.attnum = ANY (con.conkey) WHERE con.conrelid = $1::oid AND "
		                   "con.contype = 'c' ORDER BY con.conname, a.attnum",
		                   params, 1, check_row, &c, err);
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT con.conname, a.attname, fc.relname, fa.attname FROM "
		                   "pg_catalog.pg_constraint con JOIN pg_catalog.pg_class fc ON "
		                   "fc.oid = con.confrelid JOIN pg_catalog.pg_attribute a ON "
		                   "a.attrelid = con.conrelid AND a.attnum = con.conkey[1] JOIN "
		                   "pg_catalog.pg_attribute fa ON fa.attrelid = con.confrelid AND "
		                   "fa.attnum = con.confkey[1] WHERE con.conrelid = $1::oid AND "
		                   "con.contype = 'f' ORDER BY con.conname",
		                   params, 1, fk_row, &c, err);
	corm__free(c.oid);
	return rc;
}

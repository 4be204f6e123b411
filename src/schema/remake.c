/*
 * SQLite's remake-table procedure (Django 3.2's sqlite3 DatabaseSchemaEditor._remake_table)
 * for what its ALTER TABLE cannot do: a new table "new__<table>" with the changed columns,
 * the rows copied with INSERT ... SELECT, the old table dropped, the new one renamed, the
 * indexes made again; then PRAGMA foreign_key_check. It runs inside the editor's
 * transaction, with foreign key checks turned off around it (corm__editor_begin).
 *
 * The columns are the table's as the database has them (introspected: their order, the
 * indexes to make again, the named CHECK constraints that add_constraint made), each
 * described by its field of `meta`.
 */
#include <stdio.h>
#include <string.h>

#include "schema/editor.h"
#include "util/alloc.h"

typedef struct column {
	corm_column_def def;
	const char *old_column; /* the column it is copied from, or NULL */
	char *select;           /* the expression copied from (owned), or NULL: not copied */
} column;

static int oom(corm_editor *ed)
{
	return corm__db_error(ed->db, CORM_ENOMEM, "out of memory");
}

/* The field of meta whose column is `column`, or NULL. */
static const corm_fmeta *field_by_column(const corm_meta *meta, const char *column)
{
	for (size_t i = 0; i < meta->nfields; i++)
		if (strcmp(meta->fields[i].column, column) == 0)
			return &meta->fields[i];
	return NULL;
}

/* The new name of old column `col` (NULL: dropped). */
static const char *new_column_of(const column *cols, size_t n, const char *col)
{
	for (size_t i = 0; i < n; i++)
		if (cols[i].old_column && strcmp(cols[i].old_column, col) == 0)
			return cols[i].def.column;
	return NULL;
}

/* Whether the quoted form of `name` is the name b holds (a quoted name). */
static bool same_quoted(corm_editor *ed, const char *name, const corm_buf *b)
{
	char *q = corm__qn(ed, name);
	bool same = q && b->ptr && strcmp(q, b->ptr) == 0;
	corm__free(q);
	return same;
}

/* The index the field makes itself (index_name(table, [column], "")), quoted, into b. */
static void own_index_name(corm_editor *ed, corm_buf *b, const char *table, const char *column)
{
	const char *cols[1] = {column};
	corm__schema_index_name(b, ed->be, ed->f, table, cols, 1, "");
	corm_buf_cstr(b);
}

/* Builds the new table's columns; *n gets their count. */
static int plan_columns(corm_editor *ed, const corm_meta *meta, const corm_table_desc *d,
                        const corm_remake *r, column *cols, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < d->ncolumns; i++) {
		const corm_fmeta *fm = field_by_column(meta, d->columns[i].name);
		if (!fm)
			return corm__db_error(ed->db, CORM_EFIELD,
			                      "table '%s' has a column '%s' that no field of %s "
			                      "describes",
			                      meta->table, d->columns[i].name, meta->label);
		if (fm == r->drop)
			continue;
		column *c = &cols[(*n)++];
		corm__column_def_of(fm, &c->def);
		c->old_column = fm->column;
		corm_buf sel = CORM_BUF_INIT;
		if (fm == r->alter_from) {
			c->def = *r->alter_to;
			if (fm->nullable && !r->alter_to->null && r->alter_to->deflt &&
			    r->alter_to->deflt->type != CORM_TYPE_NULL) {
				/* NULLs of the old column take the new default (Django's coalesce)
				 */
				corm_buf_puts(&sel, "coalesce(");
				ed->be->quote_name(&sel, fm->column);
				corm_buf_puts(&sel, ", ");
				corm__value_sql_literal(&sel, ed->be, r->alter_to->deflt);
				corm_buf_putc(&sel, ')');
			}
		}
		if (!sel.len)
			ed->be->quote_name(&sel, fm->column);
		if (!(c->select = corm_buf_detach(&sel)))
			return oom(ed);
	}
	if (r->create) {
		column *c = &cols[(*n)++];
		c->def = *r->create;
		c->old_column = NULL;
		/* the new column's rows take its default (NULL without one), as Django's mapping */
		corm_buf sel = CORM_BUF_INIT;
		if (r->create->deflt && r->create->deflt->type != CORM_TYPE_NULL)
			corm__value_sql_literal(&sel, ed->be, r->create->deflt);
		else
			corm_buf_puts(&sel, "NULL");
		if (!(c->select = corm_buf_detach(&sel)))
			return oom(ed);
	}
	return CORM_OK;
}

/* The CREATE TABLE of the new table: the columns, then the named CHECK constraints kept. */
static int create_new(corm_editor *ed, const corm_table_desc *d, const corm_remake *r,
                      const column *cols, size_t n, const char *new_table)
{
	corm_buf def = CORM_BUF_INIT;
	int rc = CORM_OK;
	for (size_t k = 0; !rc && k < n; k++) {
		if (k)
			corm_buf_puts(&def, ", ");
		ed->be->quote_name(&def, cols[k].def.column);
		corm_buf_putc(&def, ' ');
		rc = corm__column_sql(ed, &def, &cols[k].def, false);
	}
	/* table-level checks (add_constraint's) are kept unless dropped; a column's own are
	 * written by its definition ("__unnamed_constraint_N__" as introspected) */
	for (size_t i = 0; !rc && i < d->nchecks; i++) {
		const corm_constraint_desc *ck = &d->checks[i];
		if (strncmp(ck->name, "__unnamed_constraint_", 21) == 0 ||
		    (r->drop_check && strcmp(ck->name, r->drop_check) == 0))
			continue;
		bool gone = false;
		for (size_t j = 0; j < ck->ncolumns; j++)
			gone |= !new_column_of(cols, n, ck->columns[j]);
		if (gone)
			return corm__db_error(
			        ed->db, CORM_ENOTSUP,
			        "check constraint '%s' of table '%s' uses a column this "
			        "change removes: remove the constraint first",
			        ck->name, d->name);
		corm_buf_puts(&def, ", CONSTRAINT ");
		ed->be->quote_name(&def, ck->name);
		corm_tpl_arg args[] = {{"check", ck->check}};
		corm_buf_putc(&def, ' ');
		rc = corm__tpl(ed, &def, ed->t->check_constraint, args, 1);
	}
	if (!rc && r->add_check) {
		corm_buf_puts(&def, ", CONSTRAINT ");
		ed->be->quote_name(&def, r->add_check->name);
		corm_tpl_arg args[] = {{"check", r->add_check->check}};
		corm_buf_putc(&def, ' ');
		rc = corm__tpl(ed, &def, ed->t->check_constraint, args, 1);
	}
	char *qt = corm__qn(ed, new_table);
	if (!rc && (!qt || !corm_buf_cstr(&def)))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"definition", def.ptr}};
		rc = corm__tpl_run(ed, "CREATE TABLE", ed->t->create_table, args, 2, false);
	}
	corm__free(qt);
	corm_buf_free(&def);
	return rc;
}

static int copy_rows(corm_editor *ed, const column *cols, size_t n, const char *table,
                     const char *new_table)
{
	corm_buf names = CORM_BUF_INIT, select = CORM_BUF_INIT;
	size_t copied = 0;
	for (size_t k = 0; k < n; k++) {
		if (!cols[k].select)
			continue;
		if (copied++) {
			corm_buf_puts(&names, ", ");
			corm_buf_puts(&select, ", ");
		}
		ed->be->quote_name(&names, cols[k].def.column);
		corm_buf_puts(&select, cols[k].select);
	}
	char *qt = corm__qn(ed, table), *qn = corm__qn(ed, new_table);
	int rc = CORM_OK;
	if (!qt || !qn || (copied && (!corm_buf_cstr(&names) || !corm_buf_cstr(&select))))
		rc = oom(ed);
	if (!rc && copied) {
		corm_tpl_arg args[] = {{"new_table", qn},
		                       {"columns", names.ptr},
		                       {"select", select.ptr},
		                       {"table", qt}};
		rc = corm__tpl_run(ed, "a table copy", ed->t->remake_copy, args, 4, false);
	}
	corm__free(qt);
	corm__free(qn);
	corm_buf_free(&names);
	corm_buf_free(&select);
	return rc;
}

/* The indexes the old table had, made again on the new one (columns renamed); those of the
 * changed field are made from its new form. */
static int remake_indexes(corm_editor *ed, const corm_meta *meta, const corm_table_desc *d,
                          const corm_remake *r, const column *cols, size_t n)
{
	corm_buf own = CORM_BUF_INIT;
	const char *changed = r->alter_from ? r->alter_from->column : NULL;
	if (changed)
		own_index_name(ed, &own, meta->table, changed);
	if (own.oom)
		return oom(ed);
	int rc = CORM_OK;
	char *qt = corm__qn(ed, meta->table);
	if (!qt)
		rc = oom(ed);
	for (size_t i = 0; !rc && i < d->nindexes; i++) {
		const corm_index_desc *ix = &d->indexes[i];
		if (changed && same_quoted(ed, ix->name, &own))
			continue; /* the changed field's own index: made below from its new form */
		corm_buf list = CORM_BUF_INIT;
		bool gone = false;
		for (size_t j = 0; j < ix->ncolumns; j++) {
			const char *col = new_column_of(cols, n, ix->columns[j]);
			if (!col) {
				gone = true;
				break;
			}
			if (j)
				corm_buf_puts(&list, ", ");
			ed->be->quote_name(&list, col);
			if (strcmp(ix->orders[j], "DESC") == 0)
				corm_buf_puts(&list, " DESC");
		}
		char *qn = corm__qn(ed, ix->name);
		if (!qn || (!gone && !corm_buf_cstr(&list)))
			rc = oom(ed);
		if (!rc && !gone) {
			corm_tpl_arg args[] = {
			        {"name", qn}, {"table", qt}, {"columns", list.ptr}, {"extra", ""}};
			rc = corm__tpl_run(ed, "an index",
			                   ix->unique ? ed->t->create_unique_index
			                              : ed->t->create_index,
			                   args, 4, false);
		}
		corm__free(qn);
		corm_buf_free(&list);
	}
	corm__free(qt);
	corm_buf_free(&own);
	if (!rc && r->alter_to)
		rc = corm__field_indexes(ed, meta, r->alter_to, false);
	if (!rc && r->create)
		rc = corm__field_indexes(ed, meta, r->create, false);
	return rc;
}

/* PRAGMA foreign_key_check: a row is a broken reference. */
static int check_foreign_keys(corm_editor *ed, const char *table)
{
	if (ed->collect || !ed->t->foreign_key_check)
		return CORM_OK;
	corm_stmt st;
	int rc = corm__stmt_open(ed->db, ed->t->foreign_key_check, strlen(ed->t->foreign_key_check),
	                         NULL, 0, false, &st);
	if (rc)
		return rc;
	corm_buf where = CORM_BUF_INIT;
	size_t broken = 0;
	while ((rc = corm__stmt_step(&st)) == CORM_ROW) {
		corm_value t = corm_v_null(), p = corm_v_null();
		ed->be->column(st.s, 0, CORM_TYPE_TEXT, &t);
		ed->be->column(st.s, 2, CORM_TYPE_TEXT, &p);
		if (broken++ < 3)
			corm_buf_printf(&where, "%s%s -> %s", broken > 1 ? ", " : "",
			                t.type == CORM_TYPE_TEXT ? t.u.text : "?",
			                p.type == CORM_TYPE_TEXT ? p.u.text : "?");
	}
	corm__stmt_close(&st);
	if (rc == CORM_DONE)
		rc = CORM_OK;
	if (!rc && broken)
		rc = corm__db_error(
		        ed->db, CORM_ECONSTRAINT,
		        "remaking table '%s' left %zu broken foreign key reference%s (%s)", table,
		        broken, broken == 1 ? "" : "s", corm_buf_cstr(&where) ? where.ptr : "");
	corm_buf_free(&where);
	return rc;
}

int corm__remake_table(corm_editor *ed, const corm_meta *meta, const corm_remake *r)
{
	if (!ed->collect && ed->t->disable_constraint_checking && !ed->checks_off)
		return corm__db_error(ed->db, CORM_ETXN,
		                      "SQLite schema editor cannot be used while foreign key "
		                      "constraint checks are enabled. Make sure to disable them "
		                      "before entering a transaction.atomic() context because "
		                      "SQLite does not support disabling them in the middle of a "
		                      "multi-statement transaction.");
	if (!ed->t->remake_copy)
		return corm__db_error(ed->db, CORM_ENOTSUP, "the %s backend cannot remake a table",
		                      ed->be->vendor);
	corm_table_desc *d;
	int rc = corm__editor_describe(ed, meta->table, &d);
	if (rc)
		return rc;
	column *cols = corm__calloc(d->ncolumns + 1, sizeof *cols);
	size_t n = 0;
	corm_buf new_table = CORM_BUF_INIT;
	corm_buf_printf(&new_table, "new__%s", meta->table);
	if (!cols || !corm_buf_cstr(&new_table))
		rc = oom(ed);
	if (!rc)
		rc = plan_columns(ed, meta, d, r, cols, &n);
	if (!rc)
		rc = create_new(ed, d, r, cols, n, new_table.ptr);
	if (!rc)
		rc = copy_rows(ed, cols, n, meta->table, new_table.ptr);
	char *qt = rc ? NULL : corm__qn(ed, meta->table);
	if (!rc && !qt)
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}};
		rc = corm__tpl_run(ed, "DROP TABLE", ed->t->delete_table, args, 1, false);
	}
	corm__free(qt);
	if (!rc)
		rc = corm__editor_alter_db_table(ed, new_table.ptr, meta->table);
	if (!rc)
		rc = remake_indexes(ed, meta, d, r, cols, n);
	if (!rc)
		rc = check_foreign_keys(ed, meta->table);
	for (size_t i = 0; cols && i < n; i++)
		corm__free(cols[i].select);
	corm__free(cols);
	corm_buf_free(&new_table);
	corm_table_desc_free(d);
	return rc;
}

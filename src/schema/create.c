/*
 * Creating and dropping a registry's tables (corm_create_tables, corm_drop_tables,
 * corm_schema_sql) and the schema editor's create_model: CREATE TABLE, then the
 * foreign keys, unique_together and indexes Django 3.2's create_model defers. Tables,
 * columns, indexes and their names follow what Django emits, so a corm program can share
 * a Django database. Every statement comes from the backend's templates.
 */
#include <stdio.h>
#include <string.h>

#include "backend/base/sql_lex.h"
#include "schema/editor.h"
#include "util/alloc.h"

static int oom(corm_editor *ed)
{
	return corm__db_error(ed->db, CORM_ENOMEM, "out of memory");
}

static bool is_relation(const corm_fmeta *fm)
{
	return fm->kind == CORM_FIELD_FK;
}

void corm__column_def_of(const corm_fmeta *fm, corm_column_def *out)
{
	*out = (corm_column_def){
	        .name = fm->name,
	        .column = fm->column,
	        .kind = fm->kind,
	        .max_length = fm->max_length,
	        .max_digits = fm->decl->max_digits,
	        .decimal_places = fm->decl->decimal_places,
	        .null = fm->nullable,
	        .primary_key = fm->is_pk,
	        .unique = fm->decl->unique,
	        .db_index = fm->decl->db_index,
	        .deflt = fm->has_default ? &fm->deflt : NULL,
	        .related = fm->related,
	};
}

/* The kind whose type a foreign key column takes: its target's pk, autoincrement stripped. */
static int fk_column_kind(const corm_column_def *c)
{
	const corm_fmeta *pk = c->related->pk;
	if (pk->kind == CORM_FIELD_AUTO)
		return CORM_FIELD_INT;
	if (pk->kind == CORM_FIELD_BIGAUTO)
		return CORM_FIELD_BIGINT;
	if (pk->kind == CORM_FIELD_SMALLAUTO)
		return CORM_FIELD_SMALLINT;
	return pk->kind;
}

void corm__column_type(corm_buf *b, const corm_backend *be, const corm_column_def *c)
{
	int kind = c->kind == CORM_FIELD_FK && c->related ? fk_column_kind(c) : (int)c->kind;
	be->data_type(b, kind, c->max_length, c->max_digits, c->decimal_places);
}

char *corm__qn(const corm_editor *ed, const char *name)
{
	corm_buf b = CORM_BUF_INIT;
	ed->be->quote_name(&b, name);
	char *s = corm_buf_detach(&b);
	return s;
}

/* `pattern` (check_sql's, "%s >= 0") with every "%s" replaced by the quoted column. */
static void check_expr(corm_buf *b, const corm_backend *be, const char *pattern, const char *col)
{
	for (const char *p = pattern; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			be->quote_name(b, col);
			p++;
		} else {
			corm_buf_putc(b, *p);
		}
	}
}

int corm__column_sql(corm_editor *ed, corm_buf *b, const corm_column_def *c, bool with_default)
{
	const corm_backend *be = ed->be;
	int rc = CORM_OK;
	corm__column_type(b, be, c);
	if (with_default && c->deflt && c->deflt->type != CORM_TYPE_NULL) {
		corm_buf_puts(b, " DEFAULT ");
		corm__value_sql_literal(b, be, c->deflt);
	}
	corm_buf_puts(b, c->null ? " NULL" : " NOT NULL");
	if (c->primary_key) {
		corm_buf_puts(b, " PRIMARY KEY");
		if (corm__kind_is_auto(c->kind) && be->auto_suffix)
			corm_buf_printf(b, " %s", be->auto_suffix);
	} else if (c->unique) {
		corm_buf_puts(b, " UNIQUE");
	}
	const char *check = be->check_sql ? be->check_sql((int)c->kind) : NULL;
	if (check && ed->t->check_constraint) {
		corm_buf expr = CORM_BUF_INIT;
		check_expr(&expr, be, check, c->column);
		corm_tpl_arg args[] = {{"check", corm_buf_cstr(&expr)}};
		corm_buf_putc(b, ' ');
		rc = expr.oom ? oom(ed) : corm__tpl(ed, b, ed->t->check_constraint, args, 1);
		corm_buf_free(&expr);
	}
	if (!rc && c->kind == CORM_FIELD_FK && c->related && ed->t->create_inline_fk) {
		char *to_table = corm__qn(ed, c->related->table);
		char *to_column = corm__qn(ed, c->related->pk->column);
		corm_tpl_arg args[] = {
		        {"to_table", to_table},
		        {"to_column", to_column},
		        {"deferrable", be->deferrable_sql ? be->deferrable_sql : ""}};
		corm_buf_putc(b, ' ');
		rc = to_table && to_column ? corm__tpl(ed, b, ed->t->create_inline_fk, args, 3)
		                           : oom(ed);
		corm__free(to_table);
		corm__free(to_column);
	}
	if (!rc && b->oom)
		rc = oom(ed);
	return rc;
}

/* Runs or defers the formatted template; frees nothing of args. */
static int emit(corm_editor *ed, const char *what, const char *tpl, const corm_tpl_arg *args,
                size_t n, bool deferred)
{
	return corm__tpl_run(ed, what, tpl, args, n, deferred);
}

int corm__field_fk(corm_editor *ed, const char *table, const corm_column_def *c, bool deferred)
{
	if (c->kind != CORM_FIELD_FK || !c->related || ed->f->inline_foreign_keys)
		return CORM_OK;
	const corm_meta *target = c->related;
	corm_buf to = CORM_BUF_INIT, suffix = CORM_BUF_INIT, name = CORM_BUF_INIT;
	corm__schema_db_table(&to, ed->f, target->table);
	corm_buf_printf(&suffix, "_fk_%s_%s", corm_buf_cstr(&to) ? corm_buf_cstr(&to) : "",
	                target->pk->column);
	const char *cols[1] = {c->column};
	corm__schema_index_name(&name, ed->be, ed->f, table, cols, 1, suffix.ptr ? suffix.ptr : "");
	char *qt = corm__qn(ed, table), *qc = corm__qn(ed, c->column);
	char *qto = corm__qn(ed, target->table), *qtc = corm__qn(ed, target->pk->column);
	int rc = (!to.oom && !suffix.oom && !name.oom && corm_buf_cstr(&name) && qt && qc && qto &&
	          qtc)
	                 ? CORM_OK
	                 : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {
		        {"table", qt},
		        {"name", name.ptr},
		        {"column", qc},
		        {"to_table", qto},
		        {"to_column", qtc},
		        {"deferrable", ed->be->deferrable_sql ? ed->be->deferrable_sql : ""}};
		rc = emit(ed, "a foreign key constraint", ed->t->create_fk, args, 6, deferred);
	}
	corm__free(qt);
	corm__free(qc);
	corm__free(qto);
	corm__free(qtc);
	corm_buf_free(&to);
	corm_buf_free(&suffix);
	corm_buf_free(&name);
	return rc;
}

/* CREATE INDEX on one column (suffix "" or "_like", opclass NULL or the LIKE one). */
static int column_index(corm_editor *ed, const char *table, const char *column, const char *suffix,
                        const char *opclass, bool deferred)
{
	const char *cols[1] = {column};
	corm_buf name = CORM_BUF_INIT, list = CORM_BUF_INIT;
	corm__schema_index_name(&name, ed->be, ed->f, table, cols, 1, suffix);
	ed->be->quote_name(&list, column);
	if (opclass)
		corm_buf_printf(&list, " %s", opclass);
	char *qt = corm__qn(ed, table);
	int rc = (qt && corm_buf_cstr(&name) && corm_buf_cstr(&list)) ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {
		        {"name", name.ptr}, {"table", qt}, {"columns", list.ptr}, {"extra", ""}};
		rc = emit(ed, "an index", ed->t->create_index, args, 4, deferred);
	}
	corm__free(qt);
	corm_buf_free(&name);
	corm_buf_free(&list);
	return rc;
}

int corm__field_indexes(corm_editor *ed, const corm_meta *meta, const corm_column_def *c,
                        bool deferred)
{
	const corm_features *f = ed->f;
	/* db_index and ForeignKey indexes; SlugField is db_index by default; unique implies an
	 * index */
	bool indexed = c->db_index || c->kind == CORM_FIELD_FK || c->kind == CORM_FIELD_SLUG;
	int rc = CORM_OK;
	if (indexed && !c->unique && !c->primary_key &&
	    !(c->kind == CORM_FIELD_FK && f->fk_constraint_creates_index))
		rc = column_index(ed, meta->table, c->column, "", NULL, deferred);
	/* PostgreSQL: LIKE 'x%' can only use an index built with the pattern operator class */
	const char *opclass = corm__like_opclass(f, c);
	if (!rc && opclass)
		rc = column_index(ed, meta->table, c->column, "_like", opclass, deferred);
	return rc;
}

int corm__unique_together_sql(corm_editor *ed, const corm_meta *meta, int u, bool deferred)
{
	const corm_model *m = meta->model;
	const char *cols[CORM_MAX_INDEX_FIELDS];
	size_t n = 0;
	for (; n < CORM_MAX_INDEX_FIELDS && m->unique_together[u][n]; n++)
		cols[n] = corm__meta_field(meta, m->unique_together[u][n])->column;
	corm_buf name = CORM_BUF_INIT, list = CORM_BUF_INIT;
	corm__schema_index_name(&name, ed->be, ed->f, meta->table, cols, n, "_uniq");
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&list, ", ");
		ed->be->quote_name(&list, cols[i]);
	}
	char *qt = corm__qn(ed, meta->table);
	int rc = (qt && corm_buf_cstr(&name) && corm_buf_cstr(&list)) ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt},
		                       {"name", name.ptr},
		                       {"columns", list.ptr},
		                       {"deferrable", ""}};
		rc = emit(ed, "a unique constraint", ed->t->create_unique, args, 4, deferred);
	}
	corm__free(qt);
	corm_buf_free(&name);
	corm_buf_free(&list);
	return rc;
}

int corm__meta_index_sql(corm_editor *ed, const corm_meta *meta, const corm_index *ix,
                         bool deferred)
{
	corm_buf name = CORM_BUF_INIT, list = CORM_BUF_INIT;
	if (ix->name)
		ed->be->quote_name(&name, ix->name);
	else
		corm__schema_meta_index_name(&name, ed->be, ed->f, meta, ix);
	for (size_t i = 0; i < CORM_MAX_INDEX_FIELDS && ix->fields[i]; i++) {
		bool desc = ix->fields[i][0] == '-';
		const corm_fmeta *fm = corm__meta_field(meta, ix->fields[i] + desc);
		if (!fm) {
			corm_buf_free(&name);
			corm_buf_free(&list);
			return corm__db_error(ed->db, CORM_EFIELD,
			                      "%s has no field named '%s' (index %s)", meta->label,
			                      ix->fields[i] + desc, ix->name ? ix->name : "");
		}
		if (i)
			corm_buf_puts(&list, ", ");
		ed->be->quote_name(&list, fm->column);
		if (desc)
			corm_buf_puts(&list, " DESC");
	}
	char *qt = corm__qn(ed, meta->table);
	int rc = (qt && corm_buf_cstr(&name) && corm_buf_cstr(&list)) ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {
		        {"name", name.ptr}, {"table", qt}, {"columns", list.ptr}, {"extra", ""}};
		rc = emit(ed, "an index", ed->t->create_index, args, 4, deferred);
	}
	corm__free(qt);
	corm_buf_free(&name);
	corm_buf_free(&list);
	return rc;
}

/*
 * The order of the columns, and so of the constraints and indexes made per
 * field: the order of Django 3.2's makemigrations, which sqlmigrate prints.
 * Its autodetector leaves the relations out of CreateModel, adds them as
 * AddField operations in sorted(name) order, and the optimizer folds those
 * back at the end of CreateModel's fields: every field but the relations in
 * declaration order, then the relations sorted by name. A new array of
 * meta->nfields indexes (corm__free), or NULL when out of memory.
 */
size_t *corm__column_order(const corm_meta *meta)
{
	size_t *order = corm__alloc((meta->nfields ? meta->nfields : 1) * sizeof *order);
	if (!order)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < meta->nfields; i++)
		if (!is_relation(&meta->fields[i]))
			order[n++] = i;
	size_t first_rel = n;
	for (size_t i = 0; i < meta->nfields; i++) {
		if (!is_relation(&meta->fields[i]))
			continue;
		size_t j = n++;
		while (j > first_rel &&
		       strcmp(meta->fields[order[j - 1]].name, meta->fields[i].name) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	return order;
}

/*
 * Django's create_model: the CREATE TABLE runs now; its foreign keys (where not inline),
 * unique_together and indexes are deferred until every table of the batch exists.
 */
int corm__editor_create_model(corm_editor *ed, const corm_meta *meta)
{
	size_t *order = corm__column_order(meta);
	if (!order)
		return corm__db_error(ed->db, CORM_ENOMEM, "out of memory");
	corm_buf def = CORM_BUF_INIT;
	int rc = CORM_OK;
	for (size_t k = 0; !rc && k < meta->nfields; k++) {
		corm_column_def c;
		corm__column_def_of(&meta->fields[order[k]], &c);
		if (k)
			corm_buf_puts(&def, ", ");
		ed->be->quote_name(&def, c.column);
		corm_buf_putc(&def, ' ');
		rc = corm__column_sql(ed, &def, &c, false);
	}
	char *qt = corm__qn(ed, meta->table);
	if (!rc && (!qt || !corm_buf_cstr(&def)))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"definition", def.ptr}};
		rc = emit(ed, "CREATE TABLE", ed->t->create_table, args, 2, false);
	}
	corm__free(qt);
	corm_buf_free(&def);
	for (size_t k = 0; !rc && k < meta->nfields; k++) {
		corm_column_def c;
		corm__column_def_of(&meta->fields[order[k]], &c);
		rc = corm__field_fk(ed, meta->table, &c, true);
	}
	const corm_model *m = meta->model;
	for (int u = 0; !rc && u < CORM_MAX_UNIQUE_TOGETHER && m->unique_together[u][0]; u++)
		rc = corm__unique_together_sql(ed, meta, u, true);
	for (size_t k = 0; !rc && k < meta->nfields; k++) {
		corm_column_def c;
		corm__column_def_of(&meta->fields[order[k]], &c);
		rc = corm__field_indexes(ed, meta, &c, true);
	}
	for (int x = 0; !rc && x < CORM_MAX_INDEXES && m->indexes[x].fields[0]; x++)
		rc = corm__meta_index_sql(ed, meta, &m->indexes[x], true);
	corm__free(order);
	return rc;
}

int corm_schema_sql(corm_db *db, const corm_registry *reg, char **out)
{
	if (!db || !reg || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_schema_sql: NULL argument")
		          : CORM_EINVAL;
	corm__db_ok(db);
	if (!corm_registry_is_ready(reg))
		return corm__db_error(db, CORM_EINVAL, "corm_schema_sql: " CORM__NOT_READY);
	corm_editor ed;
	int rc = corm__editor_begin(&ed, db, true);
	for (size_t i = 0; !rc && i < corm_registry_count(reg); i++)
		rc = corm__editor_create_model(&ed, corm__registry_meta_at(reg, i));
	rc = corm__editor_end(&ed, rc);
	char *script = rc ? NULL : corm__editor_script(&ed);
	corm__editor_free(&ed);
	if (rc)
		return rc;
	if (!script)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	*out = script;
	return CORM_OK;
}

/* Runs each ';'-terminated statement of `script` inside one atomic block; a ';' inside a quoted
 * name (a table called "a;\nb") does not end a statement. */
static int run_statements(corm_db *db, char *script)
{
	/* as Django: DDL that would silently commit an open transaction is refused */
	bool atomic = db->features.can_rollback_ddl;
	if (!atomic && corm_atomic_depth(db) > 0)
		return corm__db_error(db, CORM_ETXN,
		                      "Executing DDL statements while in a transaction on "
		                      "databases that can't perform a "
		                      "rollback is prohibited.");
	int rc = atomic ? corm_atomic_begin(db) : CORM_OK;
	unsigned syntax = db->be->sql_syntax;
	for (char *p = script, *stop = script + strlen(script); !rc && p < stop;) {
		size_t len = (size_t)(stop - p), end = corm__sql_statement_end(p, len, syntax);
		if (corm__sql_is_blank(p, end, syntax)) {
			p += end + (end < len);
			continue;
		}
		p[end] = '\0';
		rc = corm__exec(db, p, NULL, 0, NULL);
		p += end + (end < len);
	}
	if (!atomic)
		return rc;
	if (rc) {
		corm__rollback_keep_error(db);
		return rc;
	}
	return corm_atomic_commit(db);
}

/* Statements prepared before (and the DDL itself) describe the old schema: the cache is emptied. */
static int run_script(corm_db *db, char *script)
{
	int rc = run_statements(db, script);
	corm__stmt_cache_clear(db);
	return rc;
}

int corm_create_tables(corm_db *db, const corm_registry *reg)
{
	char *script;
	if (db && reg && !corm_registry_is_ready(reg))
		return corm__db_error(db, CORM_EINVAL, "corm_create_tables: " CORM__NOT_READY);
	int rc = corm_schema_sql(db, reg, &script);
	if (rc)
		return rc;
	rc = run_script(db, script);
	corm__free(script);
	return rc;
}

int corm_drop_tables(corm_db *db, const corm_registry *reg)
{
	if (!db || !reg)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_drop_tables: NULL argument")
		          : CORM_EINVAL;
	corm__db_ok(db);
	if (!corm_registry_is_ready(reg))
		return corm__db_error(db, CORM_EINVAL, "corm_drop_tables: " CORM__NOT_READY);
	corm_editor ed;
	int rc = corm__editor_begin(&ed, db, true);
	for (size_t i = corm_registry_count(reg); !rc && i-- > 0;) {
		char *qt = corm__qn(&ed, corm__registry_meta_at(reg, i)->table);
		corm_tpl_arg args[] = {{"table", qt}};
		rc = qt ? corm__tpl_run(&ed, "DROP TABLE IF EXISTS", ed.t->delete_table_if_exists,
		                        args, 1, false)
		        : corm__db_error(db, CORM_ENOMEM, "out of memory");
		corm__free(qt);
	}
	rc = corm__editor_end(&ed, rc);
	char *script = rc ? NULL : corm__editor_script(&ed);
	corm__editor_free(&ed);
	if (rc)
		return rc;
	if (!script)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	rc = run_script(db, script);
	corm__free(script);
	return rc;
}

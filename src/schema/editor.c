/*
 * The schema editor's running (begin / execute / end, collect mode) and its operations
 * (Django 3.2's BaseDatabaseSchemaEditor: delete_model, alter_db_table, add_field,
 * remove_field, alter_field, add_index, remove_index, add_constraint,
 * remove_constraint; sequence_reset from DatabaseOperations). create_model is in
 * create.c, SQLite's remake-table procedure in remake.c. See editor.h.
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

/* ---- running ---- */

int corm__editor_begin(corm_editor *ed, corm_db *db, bool collect)
{
	*ed = (corm_editor){.db = db,
	                    .be = db->be,
	                    .t = db->be->schema,
	                    .f = &db->features,
	                    .collect = collect};
	if (!ed->t)
		return corm__db_error(db, CORM_ENOTSUP, "the %s backend has no schema editor",
		                      db->be->vendor);
	if (collect)
		return CORM_OK;
	/* as Django: DDL that would silently commit an open transaction is refused */
	bool atomic = ed->f->can_rollback_ddl;
	if (!atomic && corm_atomic_depth(db) > 0)
		return corm__db_error(db, CORM_ETXN,
		                      "Executing DDL statements while in a transaction on "
		                      "databases that can't perform a "
		                      "rollback is prohibited.");
	int rc = CORM_OK;
	/* SQLite: foreign key checks can only be turned off outside a transaction (a remake
	 * drops a table others refer to) */
	if (ed->t->disable_constraint_checking && corm_atomic_depth(db) == 0) {
		rc = corm__exec(db, ed->t->disable_constraint_checking, NULL, 0, NULL);
		ed->checks_off = rc == CORM_OK;
	}
	if (!rc && atomic) {
		rc = corm_atomic_begin(db);
		ed->atomic = rc == CORM_OK;
	}
	if (rc && ed->checks_off) {
		corm__exec(db, ed->t->enable_constraint_checking, NULL, 0, NULL);
		ed->checks_off = false;
	}
	return rc;
}

static int push(char ***arr, size_t *n, size_t *cap, char *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **p = corm__realloc(*arr, ncap * sizeof *p);
		if (!p)
			return CORM_ENOMEM;
		*arr = p;
		*cap = ncap;
	}
	(*arr)[(*n)++] = s;
	return CORM_OK;
}

int corm__editor_defer(corm_editor *ed, const char *sql)
{
	char *copy = corm__strdup(sql);
	if (!copy || push(&ed->deferred, &ed->ndeferred, &ed->deferred_cap, copy)) {
		corm__free(copy);
		return oom(ed);
	}
	return CORM_OK;
}

int corm__editor_execute(corm_editor *ed, const char *sql)
{
	if (ed->collect) {
		char *copy = corm__strdup(sql);
		if (!copy || push(&ed->sql, &ed->nsql, &ed->sql_cap, copy)) {
			corm__free(copy);
			return oom(ed);
		}
		return CORM_OK;
	}
	char *script = corm__strdup(sql);
	if (!script)
		return oom(ed);
	int rc = CORM_OK;
	unsigned syntax = ed->be->sql_syntax;
	for (char *p = script, *stop = script + strlen(script); !rc && p < stop;) {
		size_t len = (size_t)(stop - p), end = corm__sql_statement_end(p, len, syntax);
		if (!corm__sql_is_blank(p, end, syntax)) {
			p[end] = '\0';
			rc = corm__exec(ed->db, p, NULL, 0, NULL);
			if (!rc)
				ed->ran++;
		}
		p += end + (end < len);
	}
	corm__free(script);
	if (rc && !ed->f->can_rollback_ddl && rc != CORM_ENOMEM) {
		/* MariaDB commits each DDL statement: say how far the change got */
		char *msg = corm__strdup(corm_errmsg(ed->db));
		corm__db_error(ed->db, rc,
		               "%s (DDL is not transactional here: %zu statement%s of this schema "
		               "change ran and stay)",
		               msg ? msg : "out of memory", ed->ran, ed->ran == 1 ? "" : "s");
		corm__free(msg);
	}
	return rc;
}

int corm__editor_end(corm_editor *ed, int rc)
{
	for (size_t i = 0; i < ed->ndeferred; i++) {
		if (!rc)
			rc = corm__editor_execute(ed, ed->deferred[i]);
		corm__free(ed->deferred[i]);
	}
	corm__free(ed->deferred);
	ed->deferred = NULL;
	ed->ndeferred = ed->deferred_cap = 0;
	if (ed->collect)
		return rc;
	if (ed->atomic) {
		if (rc)
			corm__rollback_keep_error(ed->db);
		else
			rc = corm_atomic_commit(ed->db);
		ed->atomic = false;
	}
	if (ed->checks_off) {
		bool done = rc == CORM_OK;
		int rc2 = corm__exec(ed->db, ed->t->enable_constraint_checking, NULL, 0, NULL);
		if (rc2 && done) {
			/* committed already: say so, the caller must not take it for undone */
			char *msg = corm__strdup(corm_errmsg(ed->db));
			rc = corm__db_error(
			        ed->db, rc2,
			        "the schema change is done, but turning foreign key checks on "
			        "again failed: %s",
			        msg ? msg : "out of memory");
			corm__free(msg);
		}
		ed->checks_off = false;
	}
	/* statements prepared before describe the old schema */
	corm__stmt_cache_clear(ed->db);
	return rc;
}

void corm__editor_free(corm_editor *ed)
{
	for (size_t i = 0; i < ed->nsql; i++)
		corm__free(ed->sql[i]);
	corm__free(ed->sql);
	for (size_t i = 0; i < ed->ndeferred; i++)
		corm__free(ed->deferred[i]);
	corm__free(ed->deferred);
	ed->sql = ed->deferred = NULL;
	ed->nsql = ed->ndeferred = 0;
}

char *corm__editor_script(const corm_editor *ed)
{
	corm_buf b = CORM_BUF_INIT;
	for (size_t i = 0; i < ed->nsql; i++) {
		corm_buf_puts(&b, ed->sql[i]);
		corm_buf_puts(&b, ";\n");
	}
	if (!ed->nsql)
		corm_buf_puts(&b, "");
	return corm_buf_detach(&b);
}

int corm__tpl(corm_editor *ed, corm_buf *b, const char *tpl, const corm_tpl_arg *args, size_t nargs)
{
	for (const char *p = tpl; *p; p++) {
		if (p[0] != '%') {
			corm_buf_putc(b, *p);
			continue;
		}
		if (p[1] == '%') {
			corm_buf_putc(b, '%');
			p++;
			continue;
		}
		const char *close = p[1] == '(' ? strstr(p + 2, ")s") : NULL;
		if (!close)
			return corm__db_error(
			        ed->db, CORM_EINVAL,
			        "the %s backend's schema template \"%s\" has a '%%' that "
			        "is no %%(name)s",
			        ed->be->vendor, tpl);
		size_t len = (size_t)(close - (p + 2));
		const char *value = NULL;
		for (size_t i = 0; i < nargs && !value; i++)
			if (strlen(args[i].name) == len && memcmp(args[i].name, p + 2, len) == 0)
				value = args[i].value;
		if (!value)
			return corm__db_error(
			        ed->db, CORM_EINVAL,
			        "the %s backend's schema template \"%s\" uses %%(%.*s)s, "
			        "which this statement does not provide",
			        ed->be->vendor, tpl, (int)len, p + 2);
		corm_buf_puts(b, value);
		p = close + 1;
	}
	return b->oom ? oom(ed) : CORM_OK;
}

int corm__tpl_run(corm_editor *ed, const char *what, const char *tpl, const corm_tpl_arg *args,
                  size_t nargs, bool deferred)
{
	if (!tpl)
		return corm__db_error(ed->db, CORM_ENOTSUP, "the %s backend cannot make %s",
		                      ed->be->vendor, what);
	corm_buf b = CORM_BUF_INIT;
	int rc = corm__tpl(ed, &b, tpl, args, nargs);
	if (!rc && !corm_buf_cstr(&b))
		rc = oom(ed);
	if (!rc)
		rc = deferred ? corm__editor_defer(ed, b.ptr) : corm__editor_execute(ed, b.ptr);
	corm_buf_free(&b);
	return rc;
}

const corm_meta *corm__editor_meta(const corm_registry *reg, const char *label)
{
	for (size_t i = 0; reg && label && i < corm_registry_count(reg); i++) {
		const corm_meta *m = corm__registry_meta_at(reg, i);
		if (m && strcmp(m->label, label) == 0)
			return m;
	}
	return NULL;
}

int corm__editor_field_def(const corm_meta *meta, const char *name, corm_column_def *out)
{
	const corm_fmeta *fm = meta && name ? corm__meta_field(meta, name) : NULL;
	if (!fm)
		return CORM_EFIELD;
	corm__column_def_of(fm, out);
	return CORM_OK;
}

/* ---- helpers of the operations ---- */

static const corm_fmeta *field_of(corm_editor *ed, const corm_meta *meta, const char *name, int *rc)
{
	const corm_fmeta *fm = name ? corm__meta_field(meta, name) : NULL;
	if (!fm)
		*rc = corm__db_error(ed->db, CORM_EFIELD,
		                     "%s has no field named '%s'. Choices are: %s", meta->label,
		                     name ? name : "(null)", meta->field_choices);
	return fm;
}

/* Runs `tpl` with table, name (both quoted here) and more arguments. */
static int run_named(corm_editor *ed, const char *what, const char *tpl, const char *table,
                     const char *name)
{
	char *qt = corm__qn(ed, table), *qn = corm__qn(ed, name);
	int rc = (qt && qn) ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"name", qn}};
		rc = corm__tpl_run(ed, what, tpl, args, 2, false);
	}
	corm__free(qt);
	corm__free(qn);
	return rc;
}

/* One ALTER TABLE t <fragment> (alter_column with one change). */
static int alter_column(corm_editor *ed, const char *what, const char *fragment, const char *table,
                        const char *column, const char *type, const char *deflt)
{
	if (!fragment || !ed->t->alter_column)
		return corm__db_error(ed->db, CORM_ENOTSUP, "the %s backend cannot %s",
		                      ed->be->vendor, what);
	char *qt = corm__qn(ed, table), *qc = corm__qn(ed, column);
	corm_buf changes = CORM_BUF_INIT;
	int rc = qt && qc ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"column", qc},
		                       {"type", type ? type : ""},
		                       {"default", deflt ? deflt : "NULL"}};
		rc = corm__tpl(ed, &changes, fragment, args, 3);
	}
	if (!rc && !corm_buf_cstr(&changes))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"changes", changes.ptr}};
		rc = corm__tpl_run(ed, what, ed->t->alter_column, args, 2, false);
	}
	corm_buf_free(&changes);
	corm__free(qt);
	corm__free(qc);
	return rc;
}

static bool same_columns(char *const *cols, size_t n, const char *column)
{
	return n == 1 && strcmp(cols[0], column) == 0;
}

/* Whether a field's column has (plain index, LIKE index) of its own. */
static void field_index_kinds(const corm_features *f, const corm_column_def *c, bool *plain,
                              bool *like)
{
	bool indexed = c->db_index || c->kind == CORM_FIELD_FK || c->kind == CORM_FIELD_SLUG;
	*plain = indexed && !c->unique && !c->primary_key &&
	         !(c->kind == CORM_FIELD_FK && f->fk_constraint_creates_index);
	*like = corm__like_opclass(f, c) != NULL;
}

const char *corm__like_opclass(const corm_features *f, const corm_column_def *c)
{
	bool indexed = c->db_index || c->kind == CORM_FIELD_FK || c->kind == CORM_FIELD_SLUG;
	/* a primary key is unique; a ForeignKey to a varchar key is a varchar too */
	bool text = corm__kind_is_text(c->kind) || (c->kind == CORM_FIELD_FK && c->related &&
	                                            c->related->pk->vtype == CORM_TYPE_TEXT);
	if (!f->like_indexes || !(indexed || c->unique || c->primary_key) || !text)
		return NULL;
	return c->kind == CORM_FIELD_TEXT ? "text_pattern_ops" : "varchar_pattern_ops";
}

static const char *check_of(const corm_editor *ed, corm_field_kind kind)
{
	return ed->be->check_sql ? ed->be->check_sql((int)kind) : NULL;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ---- the operations ---- */

int corm__editor_delete_model(corm_editor *ed, const corm_meta *meta)
{
	char *qt = corm__qn(ed, meta->table);
	if (!qt)
		return oom(ed);
	corm_tpl_arg args[] = {{"table", qt}};
	int rc = corm__tpl_run(ed, "DROP TABLE", ed->t->delete_table, args, 1, false);
	corm__free(qt);
	return rc;
}

int corm__editor_alter_db_table(corm_editor *ed, const char *old_table, const char *new_table)
{
	if (!old_table || !new_table)
		return corm__db_error(ed->db, CORM_EINVAL, "alter_db_table: NULL table name");
	if (strcmp(old_table, new_table) == 0)
		return CORM_OK;
	char *qo = corm__qn(ed, old_table), *qn = corm__qn(ed, new_table);
	int rc = (qo && qn) ? CORM_OK : oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"old_table", qo}, {"new_table", qn}};
		rc = corm__tpl_run(ed, "a table rename", ed->t->rename_table, args, 2, false);
	}
	corm__free(qo);
	corm__free(qn);
	return rc;
}

int corm__editor_add_field(corm_editor *ed, const corm_meta *meta, const corm_column_def *c)
{
	if (!c || !c->column || !c->name)
		return corm__db_error(ed->db, CORM_EINVAL,
		                      "add_field: the new field of %s has no %s", meta->label,
		                      c && c->name ? "column" : "name");
	if (corm__meta_field(meta, c->name))
		return corm__db_error(ed->db, CORM_EFIELD, "%s already has a field named '%s'",
		                      meta->label, c->name);
	if (!ed->f->can_add_column) {
		corm_remake r = {.create = c};
		return corm__remake_table(ed, meta, &r);
	}
	corm_buf def = CORM_BUF_INIT;
	bool with_default = c->deflt && c->deflt->type != CORM_TYPE_NULL;
	int rc = corm__column_sql(ed, &def, c, with_default);
	char *qt = corm__qn(ed, meta->table), *qc = corm__qn(ed, c->column);
	if (!rc && (!qt || !qc || !corm_buf_cstr(&def)))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"column", qc}, {"definition", def.ptr}};
		rc = corm__tpl_run(ed, "ADD COLUMN", ed->t->create_column, args, 3, false);
	}
	corm__free(qt);
	corm__free(qc);
	corm_buf_free(&def);
	/* corm keeps no defaults in the database: the one existing rows took goes again */
	if (!rc && with_default && ed->t->alter_column_no_default)
		rc = alter_column(ed, "drop a default", ed->t->alter_column_no_default, meta->table,
		                  c->column, NULL, NULL);
	if (!rc)
		rc = corm__field_fk(ed, meta->table, c, true);
	if (!rc)
		rc = corm__field_indexes(ed, meta, c, true);
	return rc;
}

/* Whether a unique_together or Meta.indexes entry of meta names the field. */
static bool in_meta_indexes(const corm_meta *meta, const corm_fmeta *fm)
{
	const corm_model *m = meta->model;
	for (int u = 0; u < CORM_MAX_UNIQUE_TOGETHER && m->unique_together[u][0]; u++)
		for (int i = 0; i < CORM_MAX_INDEX_FIELDS && m->unique_together[u][i]; i++)
			if (corm__meta_field(meta, m->unique_together[u][i]) == fm)
				return true;
	for (int x = 0; x < CORM_MAX_INDEXES && m->indexes[x].fields[0]; x++)
		for (int i = 0; i < CORM_MAX_INDEX_FIELDS && m->indexes[x].fields[i]; i++) {
			const char *n = m->indexes[x].fields[i];
			if (corm__meta_field(meta, n + (n[0] == '-')) == fm)
				return true;
		}
	return false;
}

/* Drops the foreign key constraints on `column` the database has. */
static int drop_fks(corm_editor *ed, const char *table, const char *column)
{
	if (!ed->t->delete_fk)
		return CORM_OK;
	corm_table_desc *d;
	int rc = corm__editor_describe(ed, table, &d);
	for (size_t i = 0; !rc && i < d->nfks; i++)
		if (strcmp(d->fks[i].column, column) == 0)
			rc = run_named(ed, "a foreign key drop", ed->t->delete_fk, table,
			               d->fks[i].name);
	if (d)
		corm_table_desc_free(d);
	return rc;
}

int corm__editor_remove_field(corm_editor *ed, const corm_meta *meta, const char *name)
{
	int rc = CORM_OK;
	const corm_fmeta *fm = field_of(ed, meta, name, &rc);
	if (!fm)
		return rc;
	if (fm->is_pk)
		return corm__db_error(ed->db, CORM_ENOTSUP,
		                      "remove_field: '%s' is the primary key of %s", fm->name,
		                      meta->label);
	corm_column_def c;
	corm__column_def_of(fm, &c);
	if (!ed->f->can_alter_column) {
		/* SQLite's DROP COLUMN (3.35) refuses a column with an index, a UNIQUE or a
		 * foreign key: those tables are remade */
		bool plain, like;
		field_index_kinds(ed->f, &c, &plain, &like);
		if (!ed->f->can_drop_column || plain || like || c.unique ||
		    c.kind == CORM_FIELD_FK || check_of(ed, c.kind) || in_meta_indexes(meta, fm)) {
			corm_remake r = {.drop = fm};
			return corm__remake_table(ed, meta, &r);
		}
	} else if (c.kind == CORM_FIELD_FK) {
		/* MariaDB will not drop a column its foreign key uses */
		rc = drop_fks(ed, meta->table, c.column);
	}
	char *qt = corm__qn(ed, meta->table), *qc = corm__qn(ed, c.column);
	if (!rc && (!qt || !qc))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt}, {"column", qc}};
		rc = corm__tpl_run(ed, "DROP COLUMN", ed->t->delete_column, args, 2, false);
	}
	corm__free(qt);
	corm__free(qc);
	return rc;
}

/* Django's _field_data_type: the type without its parameters ("varchar", "numeric"). */
static bool same_base_type(const char *a, const char *b)
{
	size_t la = strcspn(a, "("), lb = strcspn(b, "(");
	return la == lb && memcmp(a, b, la) == 0;
}

/* A column-level change the server can ALTER (PostgreSQL, MariaDB): Django's _alter_field
 * without the M2M and related-field parts. */
static int alter_in_place(corm_editor *ed, const corm_meta *meta, const corm_column_def *from,
                          const corm_column_def *to)
{
	const char *table = meta->table;
	corm_buf old_type = CORM_BUF_INIT, new_type = CORM_BUF_INIT, lit = CORM_BUF_INIT;
	corm__column_type(&old_type, ed->be, from);
	corm__column_type(&new_type, ed->be, to);
	if (!corm_buf_cstr(&old_type) || !corm_buf_cstr(&new_type)) {
		corm_buf_free(&old_type);
		corm_buf_free(&new_type);
		return oom(ed);
	}
	bool type_changed = strcmp(old_type.ptr, new_type.ptr) != 0;
	bool fk_old = from->kind == CORM_FIELD_FK, fk_new = to->kind == CORM_FIELD_FK;
	bool drop_fk = fk_old && (!fk_new || type_changed || from->related != to->related);
	bool old_plain, old_like, new_plain, new_like;
	field_index_kinds(ed->f, from, &old_plain, &old_like);
	field_index_kinds(ed->f, to, &new_plain, &new_like);
	bool redo_indexes = old_plain != new_plain || old_like != new_like ||
	                    ((old_plain || old_like) && type_changed);
	const char *old_check = check_of(ed, from->kind), *new_check = check_of(ed, to->kind);
	bool redo_check = !same_text(old_check, new_check);
	corm_table_desc *d = NULL;
	int rc = CORM_OK;
	if (drop_fk || (from->unique && !to->unique) || redo_indexes || (redo_check && old_check))
		rc = corm__editor_describe(ed, table, &d);
	for (size_t i = 0; !rc && drop_fk && i < d->nfks; i++)
		if (strcmp(d->fks[i].column, from->column) == 0)
			rc = run_named(ed, "a foreign key drop", ed->t->delete_fk, table,
			               d->fks[i].name);
	for (size_t i = 0; !rc && from->unique && !to->unique && i < d->nuniques; i++)
		if (same_columns(d->uniques[i].columns, d->uniques[i].ncolumns, from->column))
			rc = run_named(ed, "a unique constraint drop", ed->t->delete_unique, table,
			               d->uniques[i].name);
	for (size_t i = 0; !rc && redo_indexes && i < d->nindexes; i++)
		if (!d->indexes[i].unique &&
		    same_columns(d->indexes[i].columns, d->indexes[i].ncolumns, from->column))
			rc = run_named(ed, "an index drop", ed->t->delete_index, table,
			               d->indexes[i].name);
	for (size_t i = 0; !rc && redo_check && old_check && i < d->nchecks; i++)
		if (same_columns(d->checks[i].columns, d->checks[i].ncolumns, from->column))
			rc = run_named(ed, "a check constraint drop", ed->t->delete_check, table,
			               d->checks[i].name);
	if (d)
		corm_table_desc_free(d);
	if (!rc && strcmp(from->column, to->column) != 0) {
		char *qt = corm__qn(ed, table), *qo = corm__qn(ed, from->column),
		     *qn = corm__qn(ed, to->column);
		rc = qt && qo && qn ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {{"table", qt},
			                       {"old_column", qo},
			                       {"new_column", qn},
			                       {"type", old_type.ptr}};
			rc = ed->f->can_rename_column
			             ? corm__tpl_run(ed, "a column rename", ed->t->rename_column,
			                             args, 4, false)
			             : corm__db_error(ed->db, CORM_ENOTSUP,
			                              "this %s server cannot rename a column",
			                              ed->be->vendor);
		}
		corm__free(qt);
		corm__free(qo);
		corm__free(qn);
	}
	/* MariaDB's MODIFY restates the whole column: its type carries the nullability */
	bool restates = ed->t->alter_column_null && strstr(ed->t->alter_column_null, "%(type)s");
	if (!rc && type_changed) {
		corm_buf type = CORM_BUF_INIT;
		corm_buf_puts(&type, new_type.ptr);
		if (restates)
			corm_buf_puts(&type, to->null ? " NULL" : " NOT NULL");
		const char *tpl =
		        !same_base_type(old_type.ptr, new_type.ptr) && ed->t->alter_column_type_cast
		                ? ed->t->alter_column_type_cast
		                : ed->t->alter_column_type;
		rc = corm_buf_cstr(&type) ? alter_column(ed, "change a column's type", tpl, table,
		                                         to->column, type.ptr, NULL)
		                          : oom(ed);
		corm_buf_free(&type);
	}
	bool null_done = type_changed && restates;
	if (!rc && from->null && !to->null && to->deflt && to->deflt->type != CORM_TYPE_NULL) {
		/* Django's four steps: a default for new writes, the NULLs updated, NOT NULL, the
		 * default dropped */
		corm__value_sql_literal(&lit, ed->be, to->deflt);
		char *qt = corm__qn(ed, table), *qc = corm__qn(ed, to->column);
		rc = qt && qc && corm_buf_cstr(&lit) ? CORM_OK : oom(ed);
		if (!rc)
			rc = alter_column(ed, "set a default", ed->t->alter_column_default, table,
			                  to->column, new_type.ptr, lit.ptr);
		if (!rc) {
			corm_tpl_arg args[] = {{"table", qt}, {"column", qc}, {"default", lit.ptr}};
			rc = corm__tpl_run(ed, "an UPDATE of the NULLs", ed->t->update_with_default,
			                   args, 3, false);
		}
		corm__free(qt);
		corm__free(qc);
	}
	if (!rc && from->null != to->null && !null_done)
		rc = alter_column(ed, to->null ? "make a column NULL" : "make a column NOT NULL",
		                  to->null ? ed->t->alter_column_null
		                           : ed->t->alter_column_not_null,
		                  table, to->column, new_type.ptr, NULL);
	if (!rc && from->null && !to->null && to->deflt && to->deflt->type != CORM_TYPE_NULL)
		rc = alter_column(ed, "drop a default", ed->t->alter_column_no_default, table,
		                  to->column, new_type.ptr, NULL);
	if (!rc && to->unique && !from->unique) {
		const char *cols[1] = {to->column};
		corm_buf name = CORM_BUF_INIT;
		corm__schema_index_name(&name, ed->be, ed->f, table, cols, 1, "_uniq");
		char *qt = corm__qn(ed, table), *qc = corm__qn(ed, to->column);
		rc = qt && qc && corm_buf_cstr(&name) ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {{"table", qt},
			                       {"name", name.ptr},
			                       {"columns", qc},
			                       {"deferrable", ""}};
			rc = corm__tpl_run(ed, "a unique constraint", ed->t->create_unique, args, 4,
			                   false);
		}
		corm__free(qt);
		corm__free(qc);
		corm_buf_free(&name);
	}
	if (!rc && fk_new && (!fk_old || drop_fk))
		rc = corm__field_fk(ed, table, to, false);
	if (!rc && new_check && (redo_check || type_changed) && ed->t->create_check &&
	    ed->t->check_constraint && !restates) {
		const char *cols[1] = {to->column};
		corm_buf name = CORM_BUF_INIT, expr = CORM_BUF_INIT;
		corm__schema_index_name(&name, ed->be, ed->f, table, cols, 1, "_check");
		for (const char *p = new_check; *p; p++) {
			if (p[0] == '%' && p[1] == 's') {
				ed->be->quote_name(&expr, to->column);
				p++;
			} else {
				corm_buf_putc(&expr, *p);
			}
		}
		char *qt = corm__qn(ed, table);
		rc = qt && corm_buf_cstr(&name) && corm_buf_cstr(&expr) ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {
			        {"table", qt}, {"name", name.ptr}, {"check", expr.ptr}};
			rc = corm__tpl_run(ed, "a check constraint", ed->t->create_check, args, 3,
			                   false);
		}
		corm__free(qt);
		corm_buf_free(&name);
		corm_buf_free(&expr);
	}
	/* a renamed column keeps its indexes (their names too, as Django's) */
	if (!rc && redo_indexes)
		rc = corm__field_indexes(ed, meta, to, false);
	corm_buf_free(&old_type);
	corm_buf_free(&new_type);
	corm_buf_free(&lit);
	return rc;
}

int corm__editor_alter_field(corm_editor *ed, const corm_meta *meta, const char *name,
                             const corm_column_def *to)
{
	int rc = CORM_OK;
	const corm_fmeta *fm = field_of(ed, meta, name, &rc);
	if (!fm)
		return rc;
	if (!to || !to->column)
		return corm__db_error(ed->db, CORM_EINVAL,
		                      "alter_field: the new form of %s.%s has no column",
		                      meta->label, fm->name);
	corm_column_def from;
	corm__column_def_of(fm, &from);
	if (ed->f->can_alter_column)
		return alter_in_place(ed, meta, &from, to);
	/* SQLite: ALTER TABLE RENAME COLUMN when only the column's name changes (and no
	 * foreign key is involved, Django's condition), else the table is remade */
	corm_column_def renamed = from;
	renamed.column = to->column;
	corm_buf a = CORM_BUF_INIT, b = CORM_BUF_INIT;
	rc = corm__column_sql(ed, &a, &renamed, false);
	if (!rc)
		rc = corm__column_sql(ed, &b, to, false);
	bool only_renamed = !rc && corm_buf_cstr(&a) && corm_buf_cstr(&b) &&
	                    strcmp(a.ptr, b.ptr) == 0 && to->db_index == from.db_index &&
	                    strcmp(from.column, to->column) != 0;
	corm_buf_free(&a);
	corm_buf_free(&b);
	if (rc)
		return rc;
	if (only_renamed && ed->f->can_rename_column && from.kind != CORM_FIELD_FK &&
	    to->kind != CORM_FIELD_FK) {
		char *qt = corm__qn(ed, meta->table), *qo = corm__qn(ed, from.column),
		     *qn = corm__qn(ed, to->column);
		rc = qt && qo && qn ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {
			        {"table", qt}, {"old_column", qo}, {"new_column", qn}};
			rc = corm__tpl_run(ed, "a column rename", ed->t->rename_column, args, 3,
			                   false);
		}
		corm__free(qt);
		corm__free(qo);
		corm__free(qn);
		return rc;
	}
	corm_remake r = {.alter_from = fm, .alter_to = to};
	return corm__remake_table(ed, meta, &r);
}

int corm__editor_rename_field(corm_editor *ed, const corm_meta *meta, const char *name,
                              const char *new_column)
{
	int rc = CORM_OK;
	const corm_fmeta *fm = field_of(ed, meta, name, &rc);
	if (!fm)
		return rc;
	if (!new_column || !*new_column)
		return corm__db_error(ed->db, CORM_EINVAL, "rename_field: no new column for %s.%s",
		                      meta->label, fm->name);
	corm_column_def to;
	corm__column_def_of(fm, &to);
	to.column = new_column;
	return corm__editor_alter_field(ed, meta, name, &to);
}

int corm__editor_add_index(corm_editor *ed, const corm_meta *meta, const corm_index *ix)
{
	if (!ix || !ix->fields[0])
		return corm__db_error(ed->db, CORM_EINVAL,
		                      "add_index: an index of %s without fields", meta->label);
	return corm__meta_index_sql(ed, meta, ix, false);
}

int corm__editor_remove_index(corm_editor *ed, const corm_meta *meta, const char *name)
{
	if (!name)
		return corm__db_error(ed->db, CORM_EINVAL, "remove_index: no index name");
	return run_named(ed, "an index drop", ed->t->delete_index, meta->table, name);
}

int corm__editor_rename_index(corm_editor *ed, const corm_meta *meta, const char *old_name,
                              const corm_index *ix)
{
	if (!old_name || !ix || !ix->name)
		return corm__db_error(ed->db, CORM_EINVAL, "rename_index: %s",
		                      old_name ? "the new index has no name" : "no old index name");
	if (ed->t->rename_index && ed->f->can_rename_index) {
		char *qt = corm__qn(ed, meta->table), *qo = corm__qn(ed, old_name),
		     *qn = corm__qn(ed, ix->name);
		int rc = qt && qo && qn ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {{"table", qt}, {"old_name", qo}, {"new_name", qn}};
			rc = corm__tpl_run(ed, "an index rename", ed->t->rename_index, args, 3,
			                   false);
		}
		corm__free(qt);
		corm__free(qo);
		corm__free(qn);
		return rc;
	}
	int rc = corm__editor_remove_index(ed, meta, old_name);
	return rc ? rc : corm__editor_add_index(ed, meta, ix);
}

int corm__editor_add_constraint(corm_editor *ed, const corm_meta *meta,
                                const corm_constraint_def *c)
{
	if (!c || !c->name || (!c->check && !c->nfields))
		return corm__db_error(
		        ed->db, CORM_EINVAL,
		        "add_constraint: a constraint of %s needs a name and fields or "
		        "a check",
		        meta->label);
	if (c->check) {
		if (!ed->f->can_alter_constraints) {
			corm_remake r = {.add_check = c};
			return corm__remake_table(ed, meta, &r);
		}
		char *qt = corm__qn(ed, meta->table), *qn = corm__qn(ed, c->name);
		int rc = qt && qn ? CORM_OK : oom(ed);
		if (!rc) {
			corm_tpl_arg args[] = {{"table", qt}, {"name", qn}, {"check", c->check}};
			rc = corm__tpl_run(ed, "a check constraint", ed->t->create_check, args, 3,
			                   false);
		}
		corm__free(qt);
		corm__free(qn);
		return rc;
	}
	corm_buf list = CORM_BUF_INIT;
	int rc = CORM_OK;
	for (size_t i = 0; !rc && i < c->nfields; i++) {
		const corm_fmeta *fm = field_of(ed, meta, c->fields[i], &rc);
		if (!fm)
			break;
		if (i)
			corm_buf_puts(&list, ", ");
		ed->be->quote_name(&list, fm->column);
	}
	char *qt = corm__qn(ed, meta->table), *qn = corm__qn(ed, c->name);
	if (!rc && (!qt || !qn || !corm_buf_cstr(&list)))
		rc = oom(ed);
	if (!rc) {
		corm_tpl_arg args[] = {
		        {"table", qt}, {"name", qn}, {"columns", list.ptr}, {"deferrable", ""}};
		rc = corm__tpl_run(ed, "a unique constraint", ed->t->create_unique, args, 4, false);
	}
	corm__free(qt);
	corm__free(qn);
	corm_buf_free(&list);
	return rc;
}

int corm__editor_remove_constraint(corm_editor *ed, const corm_meta *meta,
                                   const corm_constraint_def *c)
{
	if (!c || !c->name)
		return corm__db_error(ed->db, CORM_EINVAL, "remove_constraint: no constraint name");
	if (c->check && !ed->f->can_alter_constraints) {
		corm_remake r = {.drop_check = c->name};
		return corm__remake_table(ed, meta, &r);
	}
	return run_named(ed, c->check ? "a check constraint drop" : "a unique constraint drop",
	                 c->check ? ed->t->delete_check : ed->t->delete_unique, meta->table,
	                 c->name);
}

int corm__editor_sequence_reset(corm_editor *ed, const corm_meta *meta)
{
	const corm_fmeta *pk = meta->pk;
	if (!ed->t->sequence_reset || !pk || !corm__kind_is_auto(pk->kind))
		return CORM_OK;
	char *qt = corm__qn(ed, meta->table), *qc = corm__qn(ed, pk->column);
	corm_buf tl = CORM_BUF_INIT, cl = CORM_BUF_INIT;
	int rc = qt && qc ? CORM_OK : oom(ed);
	if (!rc) {
		corm_value vt = corm_v_text(qt), vc = corm_v_text(pk->column);
		corm__value_sql_literal(&tl, ed->be, &vt);
		corm__value_sql_literal(&cl, ed->be, &vc);
		if (!corm_buf_cstr(&tl) || !corm_buf_cstr(&cl))
			rc = oom(ed);
	}
	if (!rc) {
		corm_tpl_arg args[] = {{"table", qt},
		                       {"column", qc},
		                       {"table_literal", tl.ptr},
		                       {"column_literal", cl.ptr}};
		rc = corm__tpl_run(ed, "a sequence reset", ed->t->sequence_reset, args, 4, false);
	}
	corm__free(qt);
	corm__free(qc);
	corm_buf_free(&tl);
	corm_buf_free(&cl);
	return rc;
}

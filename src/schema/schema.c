/*
 * The schema editor (Django's backends/base/schema.py): the only producer
 * of DDL. Tables, columns, indexes and their names follow what Django 3.2's
 * create_model emits, so a corm program can share a Django database.
 */
#include <stdio.h>
#include <string.h>

#include "backend/base/names.h"
#include "backend/base/sql_lex.h"
#include "db/db.h"
#include "util/alloc.h"

/* Appends the first `nchars` characters of s (Python's s[:nchars]). */
static void put_chars(corm_buf *b, const char *s, size_t nchars)
{
	corm_buf_put(b, s, corm__utf8_prefix(s, strlen(s), nchars));
}

/* Django's model._meta.db_table: an automatic table name is truncate_name'd to the backend's
 * limit (quote_name shortens every name past it the same way). Appended to b. */
static void db_table(corm_buf *b, const corm_features *f, const char *table)
{
	if (f->max_name_length)
		corm__truncate_name(b, table, (size_t)f->max_name_length,
		                    f->max_name_length_in_bytes);
	else
		corm_buf_puts(b, table);
}

static bool starts_badly(const char *s)
{
	return s[0] == '_' || (s[0] >= '0' && s[0] <= '9');
}

/*
 * Django's _create_index_name(table, columns, suffix), lengths in characters
 * as Python counts them; where the backend counts bytes (PostgreSQL), the two
 * shortened parts lose whole characters until the name fits.
 */
static void index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                       const char *full_table, const char *const *cols, size_t n,
                       const char *suffix)
{
	corm_buf tb = CORM_BUF_INIT;
	db_table(&tb, f, full_table);
	const char *table = corm_buf_cstr(&tb) ? corm_buf_cstr(&tb) : "";
	const char *parts[CORM_MAX_INDEX_FIELDS + 1];
	parts[0] = table;
	for (size_t i = 0; i < n; i++)
		parts[i + 1] = cols[i];
	char digest[9];
	corm__names_digest(digest, 8, parts, n + 1);
	corm_buf hash_part = CORM_BUF_INIT, joined = CORM_BUF_INIT, name = CORM_BUF_INIT;
	corm_buf_printf(&hash_part, "%s%s", digest, suffix);
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_putc(&joined, '_');
		corm_buf_puts(&joined, cols[i]);
	}
	const char *j = corm_buf_cstr(&joined), *h = corm_buf_cstr(&hash_part);
	size_t max = f->max_name_length ? (size_t)f->max_name_length : 200;
	bool bytes = f->max_name_length_in_bytes;
	if (!j || !h)
		goto out;
	corm_buf_printf(&name, "%s_%s_%s", table, j, h);
	if (name.oom || corm__name_fits(name.ptr, name.len, max, bytes))
		goto out;
	size_t hl = corm__utf8_chars(h, hash_part.len);
	if (hl * 3 > max) /* len(hash_suffix_part) > max_length / 3 */
		hl = max / 3;
	size_t hbytes = corm__utf8_prefix(h, hash_part.len, hl);
	for (size_t other = (max - hl) / 2 - 1;; other--) {
		corm_buf_clear(&name);
		put_chars(&name, table, other);
		corm_buf_putc(&name, '_');
		put_chars(&name, j, other);
		corm_buf_putc(&name, '_');
		corm_buf_put(&name, h, hbytes);
		const char *s = corm_buf_cstr(&name);
		if (s && starts_badly(s)) { /* "D%s" % index_name[:-1] */
			size_t last =
			        corm__utf8_prefix(s, name.len, corm__utf8_chars(s, name.len) - 1);
			corm_buf d = CORM_BUF_INIT;
			corm_buf_putc(&d, 'D');
			corm_buf_put(&d, s, last);
			corm_buf_free(&name);
			name = d;
		}
		if (name.oom || other == 0 || corm__name_fits(name.ptr, name.len, max, bytes))
			break;
	}
out:
	if (tb.oom || hash_part.oom || joined.oom || name.oom)
		b->oom = true;
	else
		be->quote_name(b, name.ptr);
	corm_buf_free(&tb);
	corm_buf_free(&name);
	corm_buf_free(&hash_part);
	corm_buf_free(&joined);
}

/* Django's Index.set_name_with_model for Meta.indexes without a name (characters, not bytes:
 * table_name[:11], column_names[0][:7]). */
static void meta_index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                            const corm_meta *meta, const corm_index *ix)
{
	const char *parts[CORM_MAX_INDEX_FIELDS + 2];
	char with_order[CORM_MAX_INDEX_FIELDS][128];
	size_t n = 0;
	corm_buf tb = CORM_BUF_INIT;
	db_table(&tb, f, meta->table);
	const char *table = corm_buf_cstr(&tb) ? corm_buf_cstr(&tb) : "";
	parts[n++] = table;
	const char *first_col = "";
	for (size_t i = 0; i < CORM_MAX_INDEX_FIELDS && ix->fields[i]; i++) {
		bool desc = ix->fields[i][0] == '-';
		const corm_fmeta *fm = corm__meta_field(meta, ix->fields[i] + desc);
		if (i == 0)
			first_col = fm->column;
		snprintf(with_order[i], sizeof with_order[i], "%s%s", desc ? "-" : "", fm->column);
		parts[n++] = with_order[i];
	}
	parts[n++] = "idx";
	char digest[7];
	corm__names_digest(digest, 6, parts, n);
	corm_buf name = CORM_BUF_INIT;
	put_chars(&name, table, 11);
	corm_buf_putc(&name, '_');
	put_chars(&name, first_col, 7);
	corm_buf_printf(&name, "_%s_idx", digest);
	if (!name.oom && starts_badly(name.ptr)) /* "D%s" % self.name[1:] */
		name.ptr[0] = 'D';
	if (name.oom || tb.oom)
		b->oom = true;
	else
		be->quote_name(b, name.ptr);
	corm_buf_free(&name);
	corm_buf_free(&tb);
}

static bool is_relation(const corm_fmeta *fm)
{
	return fm->kind == CORM_FIELD_FK;
}

/* The kind whose type a foreign key column takes: its target's pk, autoincrement stripped. */
static int fk_column_kind(const corm_fmeta *fm)
{
	const corm_fmeta *pk = fm->related->pk;
	if (pk->kind == CORM_FIELD_AUTO)
		return CORM_FIELD_INT;
	if (pk->kind == CORM_FIELD_BIGAUTO)
		return CORM_FIELD_BIGINT;
	if (pk->kind == CORM_FIELD_SMALLAUTO)
		return CORM_FIELD_SMALLINT;
	return pk->kind;
}

static void column_type(corm_buf *b, const corm_backend *be, const corm_fmeta *fm)
{
	int kind = fm->kind == CORM_FIELD_FK ? fk_column_kind(fm) : (int)fm->kind;
	be->data_type(b, kind, fm->max_length, fm->decl->max_digits, fm->decl->decimal_places);
}

static void references(corm_buf *b, const corm_backend *be, const corm_fmeta *fm)
{
	const corm_meta *target = fm->related;
	corm_buf_puts(b, " REFERENCES ");
	be->quote_name(b, target->table);
	corm_buf_puts(b, " (");
	be->quote_name(b, target->pk->column);
	corm_buf_printf(b, ")%s", be->deferrable_sql ? be->deferrable_sql : "");
}

/* Writes `pattern` with every "%s" replaced by the quoted column. */
static void check_clause(corm_buf *b, const corm_backend *be, const char *pattern,
                         const char *column)
{
	corm_buf_puts(b, " CHECK (");
	for (const char *p = pattern; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			be->quote_name(b, column);
			p++;
		} else {
			corm_buf_putc(b, *p);
		}
	}
	corm_buf_putc(b, ')');
}

static void column_def(corm_buf *b, const corm_backend *be, const corm_features *f,
                       const corm_fmeta *fm)
{
	be->quote_name(b, fm->column);
	corm_buf_putc(b, ' ');
	column_type(b, be, fm);
	corm_buf_puts(b, fm->nullable ? " NULL" : " NOT NULL");
	if (fm->is_pk) {
		corm_buf_puts(b, " PRIMARY KEY");
		if (corm__kind_is_auto(fm->kind) && be->auto_suffix)
			corm_buf_printf(b, " %s", be->auto_suffix);
	} else if (fm->decl->unique) {
		corm_buf_puts(b, " UNIQUE");
	}
	const char *check = be->check_sql ? be->check_sql((int)fm->kind) : NULL;
	if (check)
		check_clause(b, be, check, fm->column);
	if (fm->kind == CORM_FIELD_FK && f->inline_foreign_keys)
		references(b, be, fm);
}

static void create_index(corm_buf *b, const corm_backend *be, const corm_features *f,
                         const corm_meta *meta, const corm_fmeta *fm, const char *suffix,
                         const char *opclass)
{
	const char *cols[1] = {fm->column};
	corm_buf_puts(b, "CREATE INDEX ");
	index_name(b, be, f, meta->table, cols, 1, suffix);
	corm_buf_puts(b, " ON ");
	be->quote_name(b, meta->table);
	corm_buf_puts(b, " (");
	be->quote_name(b, fm->column);
	if (opclass)
		corm_buf_printf(b, " %s", opclass);
	corm_buf_puts(b, ");\n");
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
static size_t *column_order(const corm_meta *meta)
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
 * One model's CREATE TABLE goes to `tables`; its constraints and indexes go to
 * `deferred`, run after every table exists (Django's deferred_sql).
 */
static void model_sql(corm_buf *tables, corm_buf *deferred, const corm_backend *be,
                      const corm_features *f, const corm_meta *meta)
{
	size_t *order = column_order(meta);
	if (!order) {
		tables->oom = true;
		return;
	}
	corm_buf *b = tables;
	corm_buf_puts(b, "CREATE TABLE ");
	be->quote_name(b, meta->table);
	corm_buf_puts(b, " (");
	for (size_t k = 0; k < meta->nfields; k++) {
		if (k)
			corm_buf_puts(b, ", ");
		column_def(b, be, f, &meta->fields[order[k]]);
	}
	corm_buf_puts(b, ");\n");
	b = deferred;
	for (size_t k = 0; k < meta->nfields && !f->inline_foreign_keys; k++) {
		const corm_fmeta *fm = &meta->fields[order[k]];
		if (fm->kind != CORM_FIELD_FK)
			continue;
		const corm_meta *target = fm->related;
		corm_buf to = CORM_BUF_INIT, suffix = CORM_BUF_INIT;
		db_table(&to, f, target->table);
		corm_buf_printf(&suffix, "_fk_%s_%s", corm_buf_cstr(&to) ? corm_buf_cstr(&to) : "",
		                target->pk->column);
		if (to.oom || suffix.oom)
			b->oom = true;
		const char *cols[1] = {fm->column};
		corm_buf_puts(b, "ALTER TABLE ");
		be->quote_name(b, meta->table);
		corm_buf_puts(b, " ADD CONSTRAINT ");
		index_name(b, be, f, meta->table, cols, 1, suffix.ptr ? suffix.ptr : "");
		corm_buf_free(&to);
		corm_buf_free(&suffix);
		corm_buf_puts(b, " FOREIGN KEY (");
		be->quote_name(b, fm->column);
		corm_buf_putc(b, ')');
		references(b, be, fm);
		corm_buf_puts(b, ";\n");
	}
	const corm_model *m = meta->model;
	for (int u = 0; u < CORM_MAX_UNIQUE_TOGETHER && m->unique_together[u][0]; u++) {
		const char *cols[CORM_MAX_INDEX_FIELDS];
		size_t n = 0;
		for (; n < CORM_MAX_INDEX_FIELDS && m->unique_together[u][n]; n++)
			cols[n] = corm__meta_field(meta, m->unique_together[u][n])->column;
		if (f->unique_together_as_index) {
			corm_buf_puts(b, "CREATE UNIQUE INDEX ");
			index_name(b, be, f, meta->table, cols, n, "_uniq");
			corm_buf_puts(b, " ON ");
			be->quote_name(b, meta->table);
		} else {
			corm_buf_puts(b, "ALTER TABLE ");
			be->quote_name(b, meta->table);
			corm_buf_puts(b, " ADD CONSTRAINT ");
			index_name(b, be, f, meta->table, cols, n, "_uniq");
			corm_buf_puts(b, " UNIQUE");
		}
		corm_buf_puts(b, " (");
		for (size_t i = 0; i < n; i++) {
			if (i)
				corm_buf_puts(b, ", ");
			be->quote_name(b, cols[i]);
		}
		corm_buf_puts(b, ");\n");
	}
	/* db_index and ForeignKey indexes; SlugField is db_index by default; unique implies an
	 * index */
	for (size_t k = 0; k < meta->nfields; k++) {
		const corm_fmeta *fm = &meta->fields[order[k]];
		bool indexed = fm->decl->db_index || fm->kind == CORM_FIELD_FK ||
		               fm->kind == CORM_FIELD_SLUG;
		if (indexed && !fm->decl->unique && !fm->is_pk &&
		    !(fm->kind == CORM_FIELD_FK && f->fk_constraint_creates_index))
			create_index(b, be, f, meta, fm, "", NULL);
		/* PostgreSQL: LIKE 'x%' can only use an index built with the pattern operator class;
		 * a varchar primary key is unique, a ForeignKey to one a varchar too */
		if (f->like_indexes && (indexed || fm->decl->unique || fm->is_pk) &&
		    (corm__kind_is_text(fm->kind) ||
		     (fm->kind == CORM_FIELD_FK && fm->vtype == CORM_TYPE_TEXT)))
			create_index(b, be, f, meta, fm, "_like",
			             fm->kind == CORM_FIELD_TEXT ? "text_pattern_ops"
			                                         : "varchar_pattern_ops");
	}
	for (int x = 0; x < CORM_MAX_INDEXES && m->indexes[x].fields[0]; x++) {
		const corm_index *ix = &m->indexes[x];
		corm_buf_puts(b, "CREATE INDEX ");
		if (ix->name)
			be->quote_name(b, ix->name);
		else
			meta_index_name(b, be, f, meta, ix);
		corm_buf_puts(b, " ON ");
		be->quote_name(b, meta->table);
		corm_buf_puts(b, " (");
		for (size_t i = 0; i < CORM_MAX_INDEX_FIELDS && ix->fields[i]; i++) {
			bool desc = ix->fields[i][0] == '-';
			if (i)
				corm_buf_puts(b, ", ");
			be->quote_name(b, corm__meta_field(meta, ix->fields[i] + desc)->column);
			if (desc)
				corm_buf_puts(b, " DESC");
		}
		corm_buf_puts(b, ");\n");
	}
	corm__free(order);
}

int corm_schema_sql(corm_db *db, const corm_registry *reg, char **out)
{
	if (!db || !reg || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_schema_sql: NULL argument")
		          : CORM_EINVAL;
	corm__db_ok(db);
	if (!corm_registry_is_ready(reg))
		return corm__db_error(db, CORM_EINVAL, "corm_schema_sql: " CORM__NOT_READY);
	corm_buf b = CORM_BUF_INIT, deferred = CORM_BUF_INIT;
	for (size_t i = 0; i < corm_registry_count(reg); i++)
		model_sql(&b, &deferred, db->be, &db->features, corm__registry_meta_at(reg, i));
	if (deferred.oom)
		b.oom = true;
	else if (deferred.len)
		corm_buf_put(&b, deferred.ptr, deferred.len);
	corm_buf_free(&deferred);
	*out = corm_buf_detach(&b);
	return *out ? CORM_OK : corm__db_error(db, CORM_ENOMEM, "out of memory");
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
	corm_buf b = CORM_BUF_INIT;
	for (size_t i = corm_registry_count(reg); i-- > 0;) {
		corm_buf_puts(&b, "DROP TABLE IF EXISTS ");
		db->be->quote_name(&b, corm__registry_meta_at(reg, i)->table);
		corm_buf_puts(&b, ";\n");
	}
	char *script = corm_buf_detach(&b);
	if (!script)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	int rc = run_script(db, script);
	corm__free(script);
	return rc;
}

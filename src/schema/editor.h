/*
 * The schema editor (Django's backends/base/schema.py BaseDatabaseSchemaEditor): the only
 * producer of DDL. Every statement is written from the backend's templates
 * (corm_backend.schema, a corm_schema_templates) and its column types; where the server
 * cannot ALTER what is asked (corm_features.can_*), the table is remade (remake.c).
 *
 * Use: corm__editor_begin, any number of operations, corm__editor_end. In collect mode
 * the statements are gathered (ed->sql, in order, without ';') instead of run: what
 * sqlmigrate prints. Otherwise they run inside one atomic block where the server rolls DDL
 * back (on MariaDB each statement commits: a failure says which statements ran), and the
 * connection's statement cache is emptied at the end. Statements that must wait until
 * every table of the batch exists (foreign keys, indexes: Django's deferred_sql) run at
 * corm__editor_end.
 *
 * The operations take the model's compiled metadata (the state before the operation) and,
 * to add or alter a field, a corm_column_def: the new field. Errors are recorded on the
 * connection (corm_errmsg) and returned: CORM_EFIELD for a field the model does not have,
 * CORM_ENOTFOUND for a table or constraint the database does not have, CORM_ENOTSUP for
 * what the backend cannot do, the server's error otherwise; CORM_ENOMEM.
 */
#ifndef CORM_SCHEMA_EDITOR_H
#define CORM_SCHEMA_EDITOR_H

#include "corm/introspection.h"
#include "db/db.h"

/* The editor's entry points are exported from libcorm (no installed header declares them)
 * so that the test suites can drive every operation; the migrations will call them from
 * inside the library. */
#define CORM__EDITOR_API __attribute__((visibility("default")))

/* A field as a column: what add_field and alter_field make (Django's Field, as far as the
 * schema needs it). Strings are borrowed for the call. */
typedef struct corm_column_def {
	const char *name;   /* the field's name (messages) */
	const char *column; /* the column's name */
	corm_field_kind kind;
	int max_length, max_digits, decimal_places; /* max_length: 0 = the kind's default */
	bool null, primary_key, unique;
	bool db_index; /* an index of its own (SlugField and ForeignKey have one anyway) */
	/* the default existing rows get when the column is added or made NOT NULL (a value of
	 * the field's storage type, written as an SQL literal); NULL: none */
	const corm_value *deflt;
	/* ForeignKey: the target model (its table and primary key column) */
	const corm_meta *related;
} corm_column_def;

/* The column of an existing field (decl, kind, effective max_length, default). */
CORM__EDITOR_API void corm__column_def_of(const corm_fmeta *fm, corm_column_def *out);

/* PostgreSQL's LIKE index: the operator class of the column's extra *_like index
 * (varchar_pattern_ops, text_pattern_ops), or NULL when it has none. */
const char *corm__like_opclass(const corm_features *f, const corm_column_def *c);

/* A unique or check constraint (Django's UniqueConstraint / CheckConstraint). */
typedef struct corm_constraint_def {
	const char *name;          /* required */
	const char *const *fields; /* unique: field names, `nfields` of them */
	size_t nfields;
	const char *check; /* check: the SQL expression ("\"views\" >= 0"); NULL for unique */
} corm_constraint_def;

typedef struct corm_editor {
	corm_db *db;
	const corm_backend *be;
	const corm_schema_templates *t;
	const corm_features *f;
	bool collect;
	char **sql; /* collect mode: the statements, in order (owned) */
	size_t nsql, sql_cap;
	char **deferred; /* run (or collected) at corm__editor_end */
	size_t ndeferred, deferred_cap;
	size_t ran;      /* statements run so far (MariaDB's message on failure) */
	bool atomic;     /* the editor opened an atomic block */
	bool checks_off; /* disable_constraint_checking ran (enabled again at the end) */
} corm_editor;

/* Starts an editor on db. CORM_OK; CORM_ETXN when DDL the server cannot roll back would
 * run inside an open transaction (Django's message). */
CORM__EDITOR_API int corm__editor_begin(corm_editor *ed, corm_db *db, bool collect);
/* Runs the deferred statements (when rc is CORM_OK), commits (or rolls back when a step
 * failed), enables constraint checking again; returns rc or the first error of these.
 * Collected statements stay in ed->sql until corm__editor_free. */
CORM__EDITOR_API int corm__editor_end(corm_editor *ed, int rc);
/* Frees what the editor holds (collected statements). */
CORM__EDITOR_API void corm__editor_free(corm_editor *ed);
/* The collected statements as one script, each followed by ";\n" (corm__free), or NULL
 * (out of memory). */
CORM__EDITOR_API char *corm__editor_script(const corm_editor *ed);

/* Runs (or collects) one statement of the editor's; a template may hold several statements
 * separated by ';' (PostgreSQL's delete_fk): each runs on its own. */
int corm__editor_execute(corm_editor *ed, const char *sql);
/* Keeps a statement for corm__editor_end. */
int corm__editor_defer(corm_editor *ed, const char *sql);

/* The compiled metadata of model `label` ("blog.Post") in a ready registry, or NULL. */
CORM__EDITOR_API const corm_meta *corm__editor_meta(const corm_registry *reg, const char *label);

/* The column of meta's field `name` into *out: CORM_OK, or CORM_EFIELD (out untouched). */
CORM__EDITOR_API int corm__editor_field_def(const corm_meta *meta, const char *name,
                                            corm_column_def *out);

/* ---- the operations (editor.c, create.c) ---- */
CORM__EDITOR_API int corm__editor_create_model(corm_editor *ed, const corm_meta *meta);
CORM__EDITOR_API int corm__editor_delete_model(corm_editor *ed, const corm_meta *meta);
/* AlterModelTable: renames meta's table (old_table: as it is now) to new_table. */
CORM__EDITOR_API int corm__editor_alter_db_table(corm_editor *ed, const char *old_table,
                                                 const char *new_table);
CORM__EDITOR_API int corm__editor_add_field(corm_editor *ed, const corm_meta *meta,
                                            const corm_column_def *field);
CORM__EDITOR_API int corm__editor_remove_field(corm_editor *ed, const corm_meta *meta,
                                               const char *field);
/* Changes field `field` of meta into `to` (type, null, default for existing NULLs, unique,
 * db_index, column name). */
CORM__EDITOR_API int corm__editor_alter_field(corm_editor *ed, const corm_meta *meta,
                                              const char *field, const corm_column_def *to);
/* RenameField: the column of `field` becomes new_column. */
CORM__EDITOR_API int corm__editor_rename_field(corm_editor *ed, const corm_meta *meta,
                                               const char *field, const char *new_column);
CORM__EDITOR_API int corm__editor_add_index(corm_editor *ed, const corm_meta *meta,
                                            const corm_index *index);
CORM__EDITOR_API int corm__editor_remove_index(corm_editor *ed, const corm_meta *meta,
                                               const char *name);
/* RenameIndex: rename_index where the server has it, else drop and create `index` (whose
 * name is the new one). */
CORM__EDITOR_API int corm__editor_rename_index(corm_editor *ed, const corm_meta *meta,
                                               const char *old_name, const corm_index *index);
CORM__EDITOR_API int corm__editor_add_constraint(corm_editor *ed, const corm_meta *meta,
                                                 const corm_constraint_def *c);
CORM__EDITOR_API int corm__editor_remove_constraint(corm_editor *ed, const corm_meta *meta,
                                                    const corm_constraint_def *c);
/* Sets the primary key's sequence past the largest id (PostgreSQL); nothing elsewhere. */
CORM__EDITOR_API int corm__editor_sequence_reset(corm_editor *ed, const corm_meta *meta);

/* ---- shared by the files of src/schema ---- */

/* One "%(name)s" replacement. */
typedef struct corm_tpl_arg {
	const char *name;
	const char *value;
} corm_tpl_arg;

/* Writes template `tpl` into b with each %(name)s replaced by its argument's value and %%
 * by '%'. CORM_OK; CORM_EINVAL (message on ed's connection) for a placeholder without an
 * argument; CORM_ENOMEM. */
int corm__tpl(corm_editor *ed, corm_buf *b, const char *tpl, const corm_tpl_arg *args,
              size_t nargs);
/* Formats `tpl` and runs it (ed's execute); CORM_ENOTSUP naming `what` when tpl is NULL. */
int corm__tpl_run(corm_editor *ed, const char *what, const char *tpl, const corm_tpl_arg *args,
                  size_t nargs, bool deferred);

/* The quoted name, in a new string (corm__free), or NULL. */
char *corm__qn(const corm_editor *ed, const char *name);

/* Django's names (names.c). Each appends the quoted name to b. */
void corm__schema_db_table(corm_buf *b, const corm_features *f, const char *table);
void corm__schema_index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                             const char *table, const char *const *cols, size_t n,
                             const char *suffix);
void corm__schema_meta_index_name(corm_buf *b, const corm_backend *be, const corm_features *f,
                                  const corm_meta *meta, const corm_index *ix);

/* The column definition of a field (no name): type [DEFAULT d] NULL|NOT NULL [PRIMARY KEY
 * ...|UNIQUE] [CHECK ...] [inline REFERENCES]. `with_default`: DEFAULT field->deflt. */
int corm__column_sql(corm_editor *ed, corm_buf *b, const corm_column_def *field, bool with_default);
/* The column type alone (data_type of the kind; a foreign key takes its target's). */
void corm__column_type(corm_buf *b, const corm_backend *be, const corm_column_def *field);
/* The statements that give `field` its own indexes (db_index, FK, slug, LIKE), deferred. */
int corm__field_indexes(corm_editor *ed, const corm_meta *meta, const corm_column_def *field,
                        bool deferred);
/* The foreign key constraint of `field` (create_fk; where foreign keys are not inline). */
int corm__field_fk(corm_editor *ed, const char *table, const corm_column_def *field, bool deferred);
/* The CREATE INDEX of one Meta.indexes entry. */
int corm__meta_index_sql(corm_editor *ed, const corm_meta *meta, const corm_index *ix,
                         bool deferred);
/* The unique_together entry u of meta as create_unique. */
int corm__unique_together_sql(corm_editor *ed, const corm_meta *meta, int u, bool deferred);
/* Meta's fields in Django 3.2's column order (corm__free), or NULL. */
size_t *corm__column_order(const corm_meta *meta);

/* What the database says of the table (introspect.c), or an error on ed's connection. */
int corm__editor_describe(corm_editor *ed, const char *table, corm_table_desc **out);

/* SQLite's remake (remake.c): the table of meta made again with `create` added, `alter_from`
 * (a field of meta) changed into `alter_to`, `drop` (a field of meta) removed, check
 * constraint `add_check` added, or check `drop_check` (a name) removed; any may be NULL. */
typedef struct corm_remake {
	const corm_column_def *create;
	const corm_fmeta *alter_from;
	const corm_column_def *alter_to;
	const corm_fmeta *drop;
	const corm_constraint_def *add_check;
	const char *drop_check;
} corm_remake;
int corm__remake_table(corm_editor *ed, const corm_meta *meta, const corm_remake *r);

#endif

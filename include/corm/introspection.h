/*
 * corm/introspection.h - what the database itself says about its tables
 * (Django's connection.introspection): the table names, and per table its
 * columns (type as the server reports it, nullability, default, primary key),
 * indexes, unique and check constraints and foreign keys. The migrations'
 * tests, inspectdb and --fake-initial read the schema through it.
 *
 * Each result is a new structure owned by the caller and freed with its one
 * free function; every string in it is owned by the structure. On failure the
 * out-parameter is left untouched and the connection's error (corm_errmsg)
 * says why.
 */
#ifndef CORM_INTROSPECTION_H
#define CORM_INTROSPECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_db corm_db;

/** A list of names (tables), sorted. */
typedef struct corm_name_list {
	char **names;
	size_t n;
	size_t cap; /* internal */
} corm_name_list;

/** One column, in the table's column order. */
typedef struct corm_column_desc {
	char *name;
	/** The type as the server states it, lower case: "varchar(200)" (SQLite, MariaDB),
	 * "character varying(200)" (PostgreSQL's format_type), "int(11)" (MariaDB). */
	char *type;
	bool null;
	/** The column's default as SQL text ("0", "nextval('t_id_seq'::regclass)"), or NULL. */
	char *default_sql;
	bool primary_key;
	/** AUTOINCREMENT (SQLite), a serial's sequence (PostgreSQL), AUTO_INCREMENT (MariaDB). */
	bool autoincrement;
} corm_column_desc;

/** An index that is not a constraint's (CREATE [UNIQUE] INDEX), columns in index order. */
typedef struct corm_index_desc {
	char *name;
	char **columns;
	char **orders; /* "ASC" or "DESC", one per column */
	size_t ncolumns;
	bool unique;
} corm_index_desc;

/** A UNIQUE constraint (columns in order; check NULL) or a CHECK constraint (check: its
 * expression as the server keeps it; columns: those it names). */
typedef struct corm_constraint_desc {
	char *name;
	char **columns;
	size_t ncolumns;
	char *check;
} corm_constraint_desc;

/** A foreign key: column -> to_table.to_column. SQLite's have no name: "fk_<id>" (Django). */
typedef struct corm_fk_desc {
	char *name;
	char *column;
	char *to_table;
	char *to_column;
} corm_fk_desc;

/** One table. The primary key's own constraint or index is in no list (see columns). */
typedef struct corm_table_desc {
	char *name;
	corm_column_desc *columns;
	size_t ncolumns;
	corm_index_desc *indexes;
	size_t nindexes;
	corm_constraint_desc *uniques;
	size_t nuniques;
	corm_constraint_desc *checks;
	size_t nchecks;
	corm_fk_desc *fks;
	size_t nfks;
	size_t caps[5]; /* internal */
} corm_table_desc;

/**
 * The tables (not views) of the connection's database, sorted by name, into a
 * new list (*out; free with corm_name_list_free). CORM_OK; CORM_EINVAL for a
 * NULL argument; CORM_ENOTSUP when the backend has no introspection;
 * CORM_ENOMEM; or the server's error. *out is untouched on failure.
 */
CORM_EXTERN(int) corm_introspect_tables(corm_db *db, corm_name_list **out);

/** Frees a list from corm_introspect_tables (NULL is a no-op). */
CORM_EXTERN(void) corm_name_list_free(corm_name_list *list);

/**
 * Describes table `table` (its name exactly as in the database) into a new
 * corm_table_desc (*out; free with corm_table_desc_free). CORM_OK;
 * CORM_ENOTFOUND when there is no such table ("table 'blog_x' does not
 * exist"); CORM_EINVAL for a NULL argument; CORM_ENOTSUP when the backend
 * has no introspection; CORM_ENOMEM; or the server's error. *out is
 * untouched on failure.
 */
CORM_EXTERN(int) corm_introspect_table(corm_db *db, const char *table, corm_table_desc **out);

/** Frees a description from corm_introspect_table (NULL is a no-op). */
CORM_EXTERN(void) corm_table_desc_free(corm_table_desc *desc);

/** The column, index, unique, check constraint or foreign key named `name` (NULL: none);
 * the pointer is borrowed from desc. corm_table_desc_fk looks the key up by its column. */
CORM_EXTERN(const corm_column_desc *)
corm_table_desc_column(const corm_table_desc *desc, const char *name);
CORM_EXTERN(const corm_index_desc *)
corm_table_desc_index(const corm_table_desc *desc, const char *name);
CORM_EXTERN(const corm_constraint_desc *)
corm_table_desc_unique(const corm_table_desc *desc, const char *name);
CORM_EXTERN(const corm_constraint_desc *)
corm_table_desc_check(const corm_table_desc *desc, const char *name);
CORM_EXTERN(const corm_fk_desc *)
corm_table_desc_fk(const corm_table_desc *desc, const char *column);

/* ---- for backend authors: how an introspect_table hook fills a description ----
 * Each copies its strings and returns CORM_OK or CORM_ENOMEM (the description stays
 * consistent and is freed by whoever owns it). */

/** A new, empty list (free with corm_name_list_free), or NULL when out of memory. */
CORM_EXTERN(corm_name_list *) corm_name_list_new(void);
/** A new description of table `name`, empty (free with corm_table_desc_free), or NULL when
 * out of memory. */
CORM_EXTERN(corm_table_desc *) corm_table_desc_new(const char *name);
/** Appends a name to the list. */
CORM_EXTERN(int) corm_name_list_add(corm_name_list *list, const char *name);
/** Appends a column (default_sql may be NULL). */
CORM_EXTERN(int)
corm_table_desc_add_column(corm_table_desc *desc, const char *name, const char *type, bool null,
                           const char *default_sql, bool primary_key, bool autoincrement);
/** Appends `column` (order "ASC"/"DESC"; NULL: "ASC") to index `name`, made (with
 * `unique`) when it is not there yet: rows of (index, column) in column order build it. */
CORM_EXTERN(int)
corm_table_desc_add_index_column(corm_table_desc *desc, const char *name, bool unique,
                                 const char *column, const char *order);
/** Appends `column` to unique constraint `name`, made when it is not there yet. */
CORM_EXTERN(int)
corm_table_desc_add_unique_column(corm_table_desc *desc, const char *name, const char *column);
/** Adds check constraint `name` with expression `check` when it is not there yet, then
 * appends `column` to it (NULL: no column; a column already listed is not repeated). */
CORM_EXTERN(int)
corm_table_desc_add_check(corm_table_desc *desc, const char *name, const char *check,
                          const char *column);
/** Appends a foreign key. */
CORM_EXTERN(int)
corm_table_desc_add_fk(corm_table_desc *desc, const char *name, const char *column,
                       const char *to_table, const char *to_column);

#ifdef __cplusplus
}
#endif
#endif

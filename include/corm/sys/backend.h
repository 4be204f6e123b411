/*
 * corm/sys/backend.h - the interface a database backend implements.
 *
 * For backend authors. A backend is a versioned table of functions (the
 * driver: open, prepare, bind, step, column, ...) and data (the SQL dialect's
 * operators, column types, transaction statements), plus a hook that says
 * what a connection's server can do. The compiler asks the backend; it never
 * tests the vendor name. A backend built outside corm writes SQL with the
 * appends of corm/sys/buf.h and is made known with corm_backend_register.
 */
#ifndef CORM_SYS_BACKEND_H
#define CORM_SYS_BACKEND_H

#include "../types.h"
#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 2: bind() says whether the value is stable; column_text()
 * 3: lookups and transforms by name (lookups, transforms) instead of arrays sized by enums;
 *    quote_value() and sql_syntax (string literals as the server reads them)
 * 4: features are per connection: the table's `features` member (a corm_features) is now
 *    the hook features(conn, out, err), called at open, which fills them from the server's
 *    version; specialize() is gone; corm_features.supports_in_json; transaction control
 *    as data (corm_transaction_sql) in place of begin_sql; corm_backend_register and the
 *    appends of corm/sys/buf.h for backends built outside corm
 * 5: statement_timeout_sql
 * 6: the schema editor's templates (schema, a corm_schema_templates) and the introspection
 *    hooks (introspect_tables, introspect_table); corm_features says what ALTER TABLE can do
 *    (can_alter_column, can_drop_column, can_rename_column, can_add_column,
 *    can_alter_constraints, can_rename_index); corm_backend_register needs `schema` */
#define CORM_BACKEND_ABI 6

/**
 * How a server's SQL lexer reads quoted text and comments (corm_backend.sql_syntax): used
 * to find where a statement ends (corm_execute takes one statement per call). Every
 * dialect has '...' strings with '' for a quote, "..." identifiers with "" for a quote,
 * -- comments to the end of the line and C-style comments.
 */
enum {
	CORM_SQL_BACKSLASH_ESCAPES = 1 << 0,  /* '...' and "..." strings take \' escapes (MySQL) */
	CORM_SQL_DQUOTE_STRINGS = 1 << 1,     /* "..." is a string, not an identifier (MySQL) */
	CORM_SQL_BACKTICK_NAMES = 1 << 2,     /* `name` identifiers (MySQL, SQLite) */
	CORM_SQL_BRACKET_NAMES = 1 << 3,      /* [name] identifiers (SQLite) */
	CORM_SQL_HASH_COMMENTS = 1 << 4,      /* # comments to the end of the line (MySQL) */
	CORM_SQL_DOLLAR_QUOTES = 1 << 5,      /* $tag$ ... $tag$ strings (PostgreSQL) */
	CORM_SQL_E_STRINGS = 1 << 6,          /* E'...' strings take \' escapes (PostgreSQL) */
	CORM_SQL_DASH_COMMENT_SPACE = 1 << 7, /* -- opens a comment only before a space (MySQL) */
};

/**
 * The SQL of one lookup, found by the lookup's name ("exact", "icontains",
 * or a lookup a program registered). "%s" stands for the right-hand side
 * (`op`, `expr_op`) or the left-hand side (`lhs`); "%t" for the column type
 * of the left-hand side's field; "%%" is a '%'.
 */
typedef struct corm_lookup_sql {
	const char *name;
	const char *op;      /**< with a value: "LIKE %s ESCAPE '\\'" */
	const char *expr_op; /**< with an expression right-hand side; NULL: op */
	const char *lhs;     /**< the left-hand side wrapped: "UPPER(%s::text)"; NULL: as it is */
} corm_lookup_sql;

/**
 * The SQL of one transform by name ("year", "date"), with "%s" for the
 * argument: for a datetime argument, and (when they differ) for a date or a
 * time argument. NULL: `sql`.
 */
typedef struct corm_transform_sql {
	const char *name;
	const char *sql;
	const char *date_sql;
	const char *time_sql;
} corm_transform_sql;

/**
 * What a connection's server can do: filled by the backend's features() hook when the
 * connection opens (from the server's version), kept by the connection, read by the
 * compiler and the schema editor.
 */
typedef struct corm_features {
	bool can_return_columns_from_insert; /* INSERT ... RETURNING */
	bool can_rollback_ddl;               /* transactional DDL */
	bool has_select_for_update;          /* SELECT ... FOR UPDATE */
	bool has_select_for_update_nowait;
	bool has_select_for_update_skip_locked;
	bool has_select_for_update_of;
	bool supports_boolean_expr_in_where;   /* WHERE "is_active" instead of = true */
	bool supports_order_by_nulls_modifier; /* NULLS FIRST / NULLS LAST */
	bool uses_savepoints;
	/* REFERENCES in the column (SQLite), or ALTER TABLE ADD CONSTRAINT after all tables */
	bool inline_foreign_keys;
	/* PostgreSQL's extra *_pattern_ops index for text db_index/unique */
	bool like_indexes;
	/* InnoDB indexes a FOREIGN KEY itself: no separate index */
	bool fk_constraint_creates_index;
	/* unique_together as CREATE UNIQUE INDEX (SQLite), not ALTER TABLE ADD CONSTRAINT UNIQUE */
	bool unique_together_as_index;
	int max_query_params; /* bound parameters per statement */
	int max_name_length;  /* identifiers; longer names are shortened with a hash; 0 = 200 */
	/* ABI 3: max_name_length counts bytes (PostgreSQL's NAMEDATALEN), not characters */
	bool max_name_length_in_bytes;
	/* ABI 4: in_json_sql works on this server (MariaDB: JSON_TABLE, from 10.6; SQLite:
	 * json_each, built in from 3.38); false: `in` always binds one parameter per value */
	bool supports_in_json;

	/* ---- ABI 6: schema editor and introspection ---- */
	/* What ALTER TABLE can do on this server. Where a flag is false the schema editor
	 * remakes the table (Django's sqlite3 _remake_table: a new table, INSERT ... SELECT,
	 * DROP, RENAME, the indexes made again) inside a transaction. */
	bool can_alter_column;      /* ALTER COLUMN type / NULL / DEFAULT (SQLite: never) */
	bool can_drop_column;       /* ALTER TABLE DROP COLUMN (SQLite >= 3.35; Django 3.2
	                               remakes anyway, and so does corm) */
	bool can_rename_column;     /* ALTER TABLE RENAME COLUMN (SQLite >= 3.25) */
	bool can_add_column;        /* ALTER TABLE ADD COLUMN of any field (SQLite: remade, as
	                               Django 3.2's add_field) */
	bool can_alter_constraints; /* ALTER TABLE ADD/DROP CONSTRAINT (SQLite: remade) */
	bool can_rename_index;      /* ALTER INDEX/TABLE ... RENAME INDEX (schema.rename_index) */
} corm_features;

struct corm_buf;

/** Errors reported by a driver function: a corm code, the native code and a message. */
typedef struct corm_driver_error {
	int code;
	int native;
	char message[512];
} corm_driver_error;

/** A parsed database URL (dj-database-url conventions); strings are percent-decoded. */
typedef struct corm_url {
	char *scheme; /* "sqlite", "postgresql", "mysql" */
	char *user, *password, *host, *name;
	int port;       /* 0 = default */
	char *path;     /* sqlite: the file path or ":memory:" */
	char **options; /* key, value pairs from the query string, NULL-terminated */
} corm_url;

/**
 * The statements that control transactions (Django's DatabaseWrapper._savepoint and
 * friends): the connection runs these and writes no transaction SQL of its own. In the
 * savepoint statements "%s" stands for the savepoint's name (an identifier corm makes,
 * "corm_sp_1", written as it is) and "%%" for a '%'.
 */
typedef struct corm_transaction_sql {
	const char *begin;                 /**< "BEGIN", "START TRANSACTION" */
	const char *commit;                /**< "COMMIT" */
	const char *rollback;              /**< "ROLLBACK" */
	const char *savepoint;             /**< "SAVEPOINT %s" */
	const char *release_savepoint;     /**< "RELEASE SAVEPOINT %s" */
	const char *rollback_to_savepoint; /**< "ROLLBACK TO SAVEPOINT %s" */
} corm_transaction_sql;

/** The standard statements, which every built-in backend but MariaDB's uses as they are. */
#define CORM_TRANSACTION_SQL_STANDARD                                                              \
	{                                                                                          \
		"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT %s", "RELEASE SAVEPOINT %s",             \
		        "ROLLBACK TO SAVEPOINT %s"                                                 \
	}

/**
 * The schema editor's statements (ABI 6; Django's BaseDatabaseSchemaEditor.sql_*), as
 * data: the schema editor (src/schema) writes every DDL statement from these and from
 * data_type, check_sql and auto_suffix, never from SQL of its own. Placeholders are
 * Python's "%(name)s", replaced by text the editor makes (names already quoted with
 * quote_name, types from data_type); "%%" is a '%'. A NULL template: the server has no
 * such statement (the editor then refuses the operation with CORM_ENOTSUP, or remakes
 * the table where a corm_features flag says so). The names each template may use:
 *
 *   %(table)s %(old_table)s %(new_table)s   quoted table names
 *   %(column)s %(old_column)s %(new_column)s quoted column names
 *   %(definition)s  a column definition ("varchar(20) NOT NULL") or, in create_table, every
 *                   column and inline constraint joined with ", "
 *   %(type)s        a column type (data_type)
 *   %(changes)s     one or more alter_column_* fragments joined with ", "
 *   %(default)s     a default as an SQL literal
 *   %(name)s %(old_name)s %(new_name)s      quoted index or constraint names
 *   %(columns)s     quoted columns joined with ", " (an index's with " DESC" / an opclass)
 *   %(extra)s       what an index takes after its columns (nothing today)
 *   %(check)s       a CHECK expression
 *   %(to_table)s %(to_column)s               a foreign key's target, quoted
 *   %(deferrable)s  deferrable_sql
 *   %(table_literal)s %(column_literal)s     the quoted table and the bare column name as
 *                   string literals (pg_get_serial_sequence's arguments)
 */
typedef struct corm_schema_templates {
	const char *create_table; /**< "CREATE TABLE %(table)s (%(definition)s)" */
	const char *delete_table; /**< "DROP TABLE %(table)s CASCADE" */
	const char
	        *delete_table_if_exists; /**< "DROP TABLE IF EXISTS %(table)s" (corm_drop_tables) */
	const char *rename_table;        /**< "ALTER TABLE %(old_table)s RENAME TO %(new_table)s" */
	const char
	        *create_column; /**< "ALTER TABLE %(table)s ADD COLUMN %(column)s %(definition)s" */
	const char *delete_column; /**< "ALTER TABLE %(table)s DROP COLUMN %(column)s CASCADE" */
	const char *rename_column; /**< "... RENAME COLUMN %(old_column)s TO %(new_column)s" */
	const char *alter_column;  /**< "ALTER TABLE %(table)s %(changes)s" */
	const char *alter_column_type; /**< "ALTER COLUMN %(column)s TYPE %(type)s" */
	/** a type change to another data type ("integer" to "bigint", not "varchar(20)" to
	 * "varchar(50)"): "... TYPE %(type)s USING %(column)s::%(type)s"; NULL: alter_column_type
	 */
	const char *alter_column_type_cast;
	const char *alter_column_null;     /**< "ALTER COLUMN %(column)s DROP NOT NULL" */
	const char *alter_column_not_null; /**< "ALTER COLUMN %(column)s SET NOT NULL" */
	const char *alter_column_default;  /**< "ALTER COLUMN %(column)s SET DEFAULT %(default)s" */
	const char *alter_column_no_default; /**< "ALTER COLUMN %(column)s DROP DEFAULT" */
	/** "UPDATE %(table)s SET %(column)s = %(default)s WHERE %(column)s IS NULL" */
	const char *update_with_default;
	const char *check_constraint; /**< in a column definition: "CHECK (%(check)s)" */
	/** in a column definition: "REFERENCES %(to_table)s (%(to_column)s)%(deferrable)s", or
	 * NULL where foreign keys are added with create_fk */
	const char *create_inline_fk;
	const char
	        *create_index; /**< "CREATE INDEX %(name)s ON %(table)s (%(columns)s)%(extra)s" */
	const char *create_unique_index; /**< "CREATE UNIQUE INDEX %(name)s ON %(table)s
	                                    (%(columns)s)" */
	const char *delete_index;        /**< "DROP INDEX %(name)s" */
	const char *rename_index; /**< "ALTER INDEX %(old_name)s RENAME TO %(new_name)s", or NULL */
	const char *create_unique; /**< "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s UNIQUE
	                              (%(columns)s)" */
	const char *delete_unique; /**< "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s" */
	const char *create_check;  /**< "... ADD CONSTRAINT %(name)s CHECK (%(check)s)" */
	const char *delete_check;  /**< "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s" */
	/** "ALTER TABLE %(table)s ADD CONSTRAINT %(name)s FOREIGN KEY (%(column)s) REFERENCES
	 * %(to_table)s (%(to_column)s)%(deferrable)s", or NULL (inline only) */
	const char *create_fk;
	const char *delete_fk; /**< "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s" */
	const char *create_pk; /**< "... ADD CONSTRAINT %(name)s PRIMARY KEY (%(columns)s)" */
	const char *delete_pk; /**< "ALTER TABLE %(table)s DROP CONSTRAINT %(name)s" */
	/** Sets an automatic primary key's sequence past the table's largest value (Django's
	 * sequence_reset_sql), or NULL when the server needs none (SQLite, MariaDB). */
	const char *sequence_reset;
	/** A remake's copy of the rows into the new table: "INSERT INTO %(new_table)s
	 * (%(columns)s) SELECT %(select)s FROM %(table)s" (%(select)s: one expression per
	 * column); NULL where the server ALTERs what corm needs. */
	const char *remake_copy;
	/** Run around a table remake, outside any transaction (SQLite: "PRAGMA foreign_keys =
	 * OFF" / "= ON"), or NULL. */
	const char *disable_constraint_checking, *enable_constraint_checking;
	/** Run at the end of a table remake: returns a row for each broken foreign key
	 * ("PRAGMA foreign_key_check"), or NULL. */
	const char *foreign_key_check;
} corm_schema_templates;

struct corm_table_desc;
struct corm_name_list;

typedef struct corm_backend {
	/* every ABI starts with these two: corm reads them to refuse another ABI's table */
	int abi;            /* CORM_BACKEND_ABI of the headers the backend was built with */
	const char *vendor; /* "sqlite"; corm_vendor() returns it */
	/**
	 * Fills *out with what the server behind the open connection `conn` can do,
	 * from its version (MariaDB >= 10.5: INSERT ... RETURNING; >= 10.6: SKIP
	 * LOCKED and JSON_TABLE). Called once, right after open; the connection
	 * keeps the result (*out is zeroed before the call). CORM_OK, or an error
	 * code with err filled (the connection is then closed and corm_open fails).
	 */
	int (*features)(void *conn, corm_features *out, corm_driver_error *err);

	/* driver */
	int (*open)(void **conn, const corm_url *url, corm_driver_error *err);
	void (*close)(void *conn);
	int (*prepare)(void *conn, const char *sql, size_t len, void **stmt,
	               corm_driver_error *err);
	/**
	 * Binds parameter `index` (0-based). The value is of a storage type (never
	 * EXPR/LIST/OBJECT). `stable`: the text or bytes it points to stay
	 * unchanged until the statement is reset (an instance being saved), so the
	 * driver may refer to them instead of copying them.
	 */
	int (*bind)(void *stmt, int index, const corm_value *value, bool stable,
	            corm_driver_error *err);
	/** CORM_ROW, CORM_DONE, or an error code with err filled. */
	int (*step)(void *stmt, corm_driver_error *err);
	/**
	 * Reads column `col` of the current row as `want`. TEXT/BYTES point into
	 * the driver's row buffer (valid until the next step); DECIMAL and JSON
	 * payloads are new and owned by the caller.
	 */
	int (*column)(void *stmt, int col, corm_type want, corm_value *out);
	/**
	 * Reads column `col` of the current row as text without converting it:
	 * *text points into the driver's row buffer (valid until the next step),
	 * *len is its length; *text is NULL for SQL NULL. The decoder copies text
	 * fields with it (no strlen, no value in between). CORM_OK or an error.
	 */
	int (*column_text)(void *stmt, int col, const char **text, size_t *len);
	int (*column_count)(void *stmt);
	/** Makes the statement ready to run again. Every parameter is bound again before it does.
	 */
	int (*reset)(void *stmt);
	void (*finalize)(void *stmt);
	int64_t (*changes)(void *conn);
	int64_t (*last_insert_id)(void *conn);

	/* SQL dialect */
	void (*quote_name)(struct corm_buf *b, const char *name);
	/** Writes the placeholder for 1-based parameter n ("?", "$n"). */
	void (*placeholder)(struct corm_buf *b, int n);
	/**
	 * The SQL of each lookup and transform, by name; each table ends with an
	 * entry whose name is NULL. A lookup or transform the backend does not
	 * list is refused with CORM_ENOTSUP when a query uses it.
	 */
	const corm_lookup_sql *lookups;
	const corm_transform_sql *transforms;
	/** The character LIKE patterns are escaped with. */
	char like_escape;
	/**
	 * `in` with more values than parameters allow: one parameter holding the
	 * values as a JSON array of text and numbers. "%s" is the parameter and
	 * "%t" the column's type: "IN (SELECT value FROM json_each(%s))",
	 * "IN (SELECT jsonb_array_elements_text(%s::jsonb)::%t)".
	 */
	const char *in_json_sql;
	/** ORDER BY RANDOM(). */
	const char *random_sql;
	/** The LIMIT written when only an OFFSET is wanted ("-1"), or NULL when OFFSET may stand
	 * alone. */
	const char *no_limit;
	/**
	 * Writes the column type of a field kind: "varchar(200)", "numeric(10, 2)",
	 * "integer". For AUTO kinds this is the whole auto-increment type
	 * ("integer", "serial", "integer AUTO_INCREMENT").
	 */
	void (*data_type)(struct corm_buf *b, int kind, int max_length, int max_digits,
	                  int decimal_places);
	/**
	 * The type "%t" stands for in in_json_sql, where a JSON text value is cast
	 * (wide types such as bigint or longtext). NULL means data_type.
	 */
	void (*cast_type)(struct corm_buf *b, int kind, int max_length, int max_digits,
	                  int decimal_places);
	/** Written after PRIMARY KEY for AUTO kinds ("AUTOINCREMENT"), or NULL. */
	const char *auto_suffix;
	/** A CHECK constraint for a field kind with "%s" for the quoted column, or NULL. */
	const char *(*check_sql)(int kind);
	/** Written after a foreign key's REFERENCES clause (" DEFERRABLE INITIALLY DEFERRED"), or
	 * "". */
	const char *deferrable_sql;
	/** Transaction control: begin, commit, rollback and savepoints (ABI 4). */
	corm_transaction_sql transaction;
	/**
	 * Optional: reads an integer (or boolean, as 0/1) column that the schema
	 * declares NOT NULL into *out, skipping the NULL check and the value
	 * `column` makes (SQLite: one call fewer per cell). Never used for a column
	 * that can hold NULL (nullable fields, and columns of outer-joined tables
	 * once joins exist). CORM_OK, or an error when the column holds no int64
	 * (an unsigned value above INT64_MAX). NULL: use `column`.
	 */
	int (*column_int_not_null)(void *stmt, int col, int64_t *out);
	/** Whether the connection still answers (pooled connections are checked before reuse). */
	bool (*is_alive)(void *conn);
	/**
	 * Optional: iterator(chunk_size). Called by the query layer right after a
	 * SELECT was prepared and bound for iteration (before its first step); asks
	 * the backend to read the rows about chunk_size at a time instead of
	 * buffering the whole result (PostgreSQL: a server-side cursor and FETCH
	 * chunk_size). Other statements must still be able to run on the connection
	 * between steps. The request holds for this execution only: reset and
	 * finalize end it (and release what it holds on the server). A backend may
	 * ignore it for a statement it cannot stream (it then buffers as usual).
	 * CORM_OK, or an error code with err filled (the statement is then closed).
	 * NULL: results are buffered (SQLite steps its statement anyway; MariaDB
	 * buffers, as Django does for MySQL).
	 */
	int (*stream)(void *stmt, size_t chunk_size, corm_driver_error *err);

	/* ---- ABI 3 ---- */
	/**
	 * Optional: writes `len` bytes of `text` as one SQL string literal, quoted
	 * exactly as this server parses it with the session settings the backend
	 * sets (MariaDB: backslashes escaped; standard SQL: quotes doubled). Used
	 * where SQL is displayed with its parameters written in (corm_qs_str).
	 * NULL: standard SQL, '...' with every ' doubled.
	 */
	void (*quote_value)(struct corm_buf *b, const char *text, size_t len);
	/**
	 * A bytes literal: this text, the bytes in lowercase hex, then
	 * bytes_literal_end ("X'" and "'"; PostgreSQL: '\x and '::bytea).
	 * NULL: "X'" and "'".
	 */
	const char *bytes_literal_start, *bytes_literal_end;
	/** CORM_SQL_* flags: how the server reads quoted text and comments. */
	unsigned sql_syntax;

	/* ---- ABI 5 ---- */
	/**
	 * Optional: the statement that limits how long the server runs one
	 * statement of this session, with "%d" for the limit in milliseconds (0:
	 * none): "SET statement_timeout = %d", "SET SESSION max_statement_time =
	 * %d/1000". A statement cut off that way fails with CORM_ETIMEOUT. NULL:
	 * the backend has no such limit (corm_set_statement_timeout is refused).
	 */
	const char *statement_timeout_sql;

	/* ---- ABI 6: schema editor and introspection ---- */
	/** The schema editor's statements (required). */
	const corm_schema_templates *schema;
	/**
	 * Optional: fills *out (empty, see corm/introspection.h) with the names of the
	 * tables (not views) of the connection's database, sorted, with
	 * corm_name_list_add. CORM_OK, or an error code with err filled. NULL:
	 * corm_introspect_tables returns CORM_ENOTSUP.
	 */
	int (*introspect_tables)(void *conn, struct corm_name_list *out, corm_driver_error *err);
	/**
	 * Optional: fills *out (empty, its name set) with what the server knows of the
	 * table: columns in order, indexes, unique and check constraints, foreign keys,
	 * with the corm_table_desc_add_* functions. CORM_ENOTFOUND (err's message
	 * naming the table) when there is no such table; another error code with err
	 * filled. NULL: corm_introspect_table returns CORM_ENOTSUP.
	 */
	int (*introspect_table)(void *conn, const char *table, struct corm_table_desc *out,
	                        corm_driver_error *err);
} corm_backend;

/** The most backends corm_backend_register keeps. */
#define CORM_MAX_REGISTERED_BACKENDS 16

/**
 * Makes `be` the backend of URLs that start with `scheme` "://" (corm_open):
 * 1 to 15 letters, digits or '+', compared without case; the built-in schemes
 * (sqlite, postgres, postgresql, pgsql, mysql, mysql2, mariadb) cannot be
 * taken. Such a URL is parsed as a server's (user, password, host, port,
 * name, options). `be` is borrowed for the rest of the program (a static
 * table); the scheme is copied. Registering the same table for the same
 * scheme again does nothing. Thread-safe.
 *
 * CORM_OK; CORM_EINVAL (also the thread's corm_error_last()) when `be` or
 * `scheme` is NULL, the table implements another ABI ("backend 'x'
 * implements corm backend ABI 2, this corm needs 6"), it lacks a vendor name
 * or a function corm calls without checking (open, close, prepare, bind,
 * step, column, column_text, column_count, reset, finalize, changes,
 * last_insert_id, quote_name, placeholder, data_type, features)
 * or its lookups, transforms, random_sql or schema templates, the scheme is malformed, built
 * in or taken by another table, or CORM_MAX_REGISTERED_BACKENDS are
 * registered already.
 */
CORM_EXTERN(int) corm_backend_register(const corm_backend *be, const char *scheme);

#ifdef __cplusplus
}
#endif
#endif

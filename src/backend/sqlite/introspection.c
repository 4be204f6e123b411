/*
 * The SQLite backend's introspection (Django's backends/sqlite3/introspection.py): the
 * catalogue (sqlite_master) and the table-valued pragmas (table_info, index_list,
 * index_xinfo, foreign_key_list), run through the backend's own driver functions. Indexes
 * come in the order they were made (the remake makes them again in that order). CHECK
 * constraints live only in the CREATE TABLE text, which is parsed for them.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "corm/introspection.h"
#include "backend/base/backends.h"
#include "backend/base/rows.h"
#include "backend/sqlite/internal.h"
#include "util/alloc.h"
#include "util/buf.h"

typedef struct ctx {
	corm_name_list *list;
	corm_table_desc *desc;
	corm_driver_error *err;
	char *sql; /* the table's CREATE TABLE */
	bool found;
} ctx;

static int oom(ctx *c)
{
	return corm__be_oom(c->err);
}

static int table_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	return n >= 1 && corm_name_list_add(c->list, cols[0] ? cols[0] : "") ? oom(c) : CORM_OK;
}

int corm__sq_introspect_tables(void *conn, corm_name_list *out, corm_driver_error *err)
{
	ctx c = {.list = out, .err = err};
	return corm__be_rows(&corm__sqlite_backend, conn,
	                     "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
	                     "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
	                     NULL, 0, table_row, &c, err);
}

static int sql_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	c->found = true;
	if (n >= 1 && cols[0] && !(c->sql = corm__strdup(cols[0])))
		return oom(c);
	return CORM_OK;
}

/* Whether the CREATE TABLE text says AUTOINCREMENT (outside quotes: good enough, as Django's
 * sqlite introspection). */
static bool has_autoincrement(const char *sql)
{
	for (const char *p = sql; p && *p; p++)
		if (strncasecmp(p, "AUTOINCREMENT", 13) == 0)
			return true;
	return false;
}

static int column_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 5)
		return CORM_OK;
	bool pk = cols[4] && strcmp(cols[4], "0") != 0;
	bool notnull = cols[2] && strcmp(cols[2], "0") != 0;
	/* SQLite (3.37+) spells the types it knows in capitals: lower case, as corm wrote them */
	char *type = corm__strdup(cols[1] ? cols[1] : "");
	if (!type)
		return oom(c);
	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* an INTEGER PRIMARY KEY is the rowid: never NULL whatever the declaration says */
	int rc = corm_table_desc_add_column(c->desc, cols[0], type, !notnull && !pk, cols[3], pk,
	                                    pk && has_autoincrement(c->sql));
	corm__free(type);
	return rc ? oom(c) : CORM_OK;
}

static int index_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 5 || !cols[0] || !cols[2])
		return CORM_OK;
	int rc = CORM_OK;
	if (strcmp(cols[2], "u") == 0) /* a UNIQUE in the table's definition */
		rc = corm_table_desc_add_unique_column(c->desc, cols[0], cols[3]);
	else if (strcmp(cols[2], "c") == 0) /* CREATE [UNIQUE] INDEX */
		rc = corm_table_desc_add_index_column(
		        c->desc, cols[0], cols[1] && strcmp(cols[1], "0") != 0, cols[3],
		        cols[4] && strcmp(cols[4], "0") != 0 ? "DESC" : "ASC");
	return rc ? oom(c) : CORM_OK;
}

static int fk_row(void *p, const char *const *cols, int n)
{
	ctx *c = p;
	if (n < 4)
		return CORM_OK;
	char name[32];
	snprintf(name, sizeof name, "fk_%s", cols[0] ? cols[0] : "0");
	return corm_table_desc_add_fk(c->desc, name, cols[1], cols[2], cols[3]) ? oom(c) : CORM_OK;
}

/* ---- CHECK constraints from the CREATE TABLE text ---- */

/* The end of the token at p: a quoted name or string, a parenthesized group, or a word. */
static const char *token_end(const char *p)
{
	char close = 0;
	switch (*p) {
	case '"':
	case '\'':
	case '`':
		close = *p;
		break;
	case '[':
		close = ']';
		break;
	case '(': {
		int depth = 0;
		for (; *p; p++) {
			if (*p == '"' || *p == '\'' || *p == '`' || *p == '[') {
				p = token_end(p) - 1;
				continue;
			}
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				return p + 1;
		}
		return p;
	}
	default:
		if (isalnum((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			return p;
		}
		return *p ? p + 1 : p;
	}
	for (p++; *p; p++)
		if (*p == close) {
			if (close != ']' && p[1] == close) {
				p++;
				continue;
			}
			return p + 1;
		}
	return p;
}

/* A name token without its quotes (doubled quotes undone), into b. */
static void unquote(corm_buf *b, const char *s, const char *e)
{
	corm_buf_clear(b);
	if (e > s && (*s == '"' || *s == '`' || *s == '[' || *s == '\'')) {
		char q = *s == '[' ? ']' : *s;
		for (s++, e--; s < e; s++) {
			corm_buf_putc(b, *s);
			if (*s == q && s + 1 < e && s[1] == q)
				s++;
		}
	} else {
		corm_buf_put(b, s, (size_t)(e - s));
	}
	corm_buf_cstr(b);
}

static bool is_word(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* The columns of the table a table-level CHECK names (quoted or bare, as known columns). */
static int check_columns(ctx *c, const char *name, const char *s, const char *e)
{
	corm_buf id = CORM_BUF_INIT;
	int rc = CORM_OK;
	for (const char *p = s; !rc && p < e;) {
		const char *t = token_end(p);
		if (t > e)
			t = e;
		if (*p == '(') {
			rc = check_columns(c, name, p + 1, t - 1);
		} else if (*p != '\'') {
			unquote(&id, p, t);
			if (id.oom)
				rc = CORM_ENOMEM;
			else if (id.len && corm_table_desc_column(c->desc, id.ptr))
				rc = corm_table_desc_add_check(c->desc, name, NULL, id.ptr);
		}
		p = t > p ? t : p + 1;
	}
	corm_buf_free(&id);
	return rc;
}

/* One definition of the table's list (a column or a table constraint) from s to e. */
static int parse_definition(ctx *c, const char *s, const char *e, int *unnamed)
{
	corm_buf name = CORM_BUF_INIT, column = CORM_BUF_INIT, check = CORM_BUF_INIT;
	int rc = CORM_OK;
	bool table_level = false, first = true;
	for (const char *p = skip_space(s); p < e && !rc; p = skip_space(p)) {
		const char *t = token_end(p);
		if (first) {
			first = false;
			if (is_word(p, t, "CONSTRAINT") || is_word(p, t, "CHECK") ||
			    is_word(p, t, "UNIQUE") || is_word(p, t, "PRIMARY") ||
			    is_word(p, t, "FOREIGN")) {
				table_level = true;
			} else {
				unquote(&column, p, t);
				p = t;
				continue;
			}
		}
		if (is_word(p, t, "CONSTRAINT")) {
			const char *n = skip_space(t);
			t = token_end(n);
			unquote(&name, n, t);
		} else if (is_word(p, t, "CHECK")) {
			const char *g = skip_space(t);
			t = token_end(g);
			if (*g == '(' && t - g >= 2) {
				corm_buf_clear(&check);
				corm_buf_put(&check, g + 1, (size_t)(t - g - 2));
				if (!name.len) {
					corm_buf_clear(&name);
					corm_buf_printf(&name, "__unnamed_constraint_%d__",
					                ++*unnamed);
				}
				const char *cn = corm_buf_cstr(&name), *ck = corm_buf_cstr(&check);
				if (!cn || !ck || column.oom)
					rc = CORM_ENOMEM;
				else if (table_level)
					rc = corm_table_desc_add_check(c->desc, cn, ck, NULL) ||
					                     check_columns(c, cn, g + 1, t - 1)
					             ? CORM_ENOMEM
					             : CORM_OK;
				else
					rc = corm_table_desc_add_check(c->desc, cn, ck, column.ptr);
				corm_buf_clear(&name);
			}
		}
		p = t > p ? t : p + 1;
	}
	if (!rc && (name.oom || column.oom || check.oom))
		rc = CORM_ENOMEM;
	corm_buf_free(&name);
	corm_buf_free(&column);
	corm_buf_free(&check);
	return rc;
}

static int parse_checks(ctx *c)
{
	const char *p = c->sql ? strchr(c->sql, '(') : NULL;
	/* the table's name may itself hold a '(' when quoted: skip "CREATE TABLE name" first */
	if (c->sql) {
		const char *q = skip_space(c->sql);
		for (int words = 0; *q && words < 3; words++)
			q = skip_space(token_end(q));
		p = *q == '(' ? q : p;
	}
	if (!p)
		return CORM_OK;
	const char *end = token_end(p);
	if (end > p && end[-1] == ')')
		end--;
	int unnamed = 0;
	for (const char *s = p + 1; s < end;) {
		const char *q = s;
		while (q < end && *q != ',')
			q = token_end(q);
		if (q > end)
			q = end;
		int rc = parse_definition(c, s, q, &unnamed);
		if (rc)
			return oom(c);
		s = q + 1;
	}
	return CORM_OK;
}

int corm__sq_introspect_table(void *conn, const char *table, corm_table_desc *out,
                              corm_driver_error *err)
{
	const corm_backend *be = &corm__sqlite_backend;
	ctx c = {.desc = out, .err = err};
	const char *params[1] = {table};
	int rc = corm__be_rows(be, conn,
	                       "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
	                       params, 1, sql_row, &c, err);
	if (!rc && !c.found) {
		err->code = CORM_ENOTFOUND;
		err->native = 0;
		snprintf(err->message, sizeof err->message, "table '%.400s' does not exist", table);
		rc = CORM_ENOTFOUND;
	}
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT name, type, \"notnull\", dflt_value, pk FROM "
		                   "pragma_table_info(?) ORDER BY cid",
		                   params, 1, column_row, &c, err);
	if (!rc)
		rc = corm__be_rows(
		        be, conn,
		        "SELECT il.name, il.\"unique\", il.origin, ii.name, ii.\"desc\" "
		        "FROM pragma_index_list(?) AS il, pragma_index_xinfo(il.name) AS "
		        "ii WHERE ii.key = 1 ORDER BY il.seq DESC, ii.seqno",
		        params, 1, index_row, &c, err);
	if (!rc)
		rc = corm__be_rows(be, conn,
		                   "SELECT id, \"from\", \"table\", \"to\" FROM "
		                   "pragma_foreign_key_list(?) ORDER BY id, seq",
		                   params, 1, fk_row, &c, err);
	if (!rc)
		rc = parse_checks(&c);
	corm__free(c.sql);
	return rc;
}

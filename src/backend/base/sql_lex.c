/*
 * A minimal SQL lexer: enough to tell quoted text, quoted names and comments
 * from the rest, as SQLite, PostgreSQL (standard_conforming_strings on) and
 * MariaDB (the sql_mode the backend sets) read them.
 */
#include <string.h>

#include "backend/base/sql_lex.h"
#include "corm/sys/backend.h"

/* The end (one past the closing quote) of a quoted run opening at sql[i]. `close` is the
 * closing character; a doubled one stands for itself; `backslash`: \x escapes x. */
static size_t skip_quoted(const char *sql, size_t len, size_t i, char close, bool backslash)
{
	for (i++; i < len; i++) {
		if (backslash && sql[i] == '\\') {
			i++;
			continue;
		}
		if (sql[i] == close) {
			if (i + 1 < len && sql[i + 1] == close) {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return len;
}

static bool is_tag_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (unsigned char)c >= 0x80 || (!first && c >= '0' && c <= '9');
}

/* PostgreSQL's $tag$ ... $tag$ at sql[i] ('$'): the end, or 0 when it is no dollar quote ($1). */
static size_t skip_dollar(const char *sql, size_t len, size_t i)
{
	size_t t = i + 1;
	while (t < len && sql[t] != '$' && is_tag_char(sql[t], t == i + 1))
		t++;
	if (t >= len || sql[t] != '$')
		return 0;
	size_t taglen = t + 1 - i; /* "$tag$" */
	for (size_t k = t + 1; k + taglen <= len; k++)
		if (sql[k] == '$' && memcmp(sql + k, sql + i, taglen) == 0)
			return k + taglen;
	return len;
}

/* The end of the token at sql[i] when it is quoted text, a quoted name or a comment; 0 when it
 * is none of them. */
static size_t skip_token(const char *sql, size_t len, size_t i, unsigned syntax)
{
	char c = sql[i], next = i + 1 < len ? sql[i + 1] : '\0';
	bool bs = (syntax & CORM_SQL_BACKSLASH_ESCAPES) != 0;
	if (c == '\'')
		return skip_quoted(sql, len, i, '\'', bs);
	if (c == '"')
		return skip_quoted(sql, len, i, '"', bs && (syntax & CORM_SQL_DQUOTE_STRINGS));
	if (c == '`' && (syntax & CORM_SQL_BACKTICK_NAMES))
		return skip_quoted(sql, len, i, '`', false);
	if (c == '[' && (syntax & CORM_SQL_BRACKET_NAMES)) {
		const char *e = memchr(sql + i, ']', len - i);
		return e ? (size_t)(e - sql) + 1 : len;
	}
	if ((c == 'E' || c == 'e') && next == '\'' && (syntax & CORM_SQL_E_STRINGS) &&
	    (i == 0 || !is_tag_char(sql[i - 1], false)))
		return skip_quoted(sql, len, i + 1, '\'', true);
	if (c == '$' && (syntax & CORM_SQL_DOLLAR_QUOTES) &&
	    (i == 0 || !is_tag_char(sql[i - 1], false)))
		return skip_dollar(sql, len, i);
	bool dash = c == '-' && next == '-' &&
	            (!(syntax & CORM_SQL_DASH_COMMENT_SPACE) || i + 2 >= len ||
	             (unsigned char)sql[i + 2] <= ' ');
	if (dash || (c == '#' && (syntax & CORM_SQL_HASH_COMMENTS))) {
		const char *e = memchr(sql + i, '\n', len - i);
		return e ? (size_t)(e - sql) + 1 : len;
	}
	if (c == '/' && next == '*') {
		for (size_t k = i + 2; k + 1 < len; k++)
			if (sql[k] == '*' && sql[k + 1] == '/')
				return k + 2;
		return len;
	}
	return 0;
}

size_t corm__sql_statement_end(const char *sql, size_t len, unsigned syntax)
{
	for (size_t i = 0; i < len;) {
		if (sql[i] == ';')
			return i;
		size_t end = skip_token(sql, len, i, syntax);
		i = end ? end : i + 1;
	}
	return len;
}

bool corm__sql_is_blank(const char *sql, size_t len, unsigned syntax)
{
	for (size_t i = 0; i < len;) {
		char c = sql[i];
		if (c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			continue;
		}
		size_t end = c == '-' || c == '/' || c == '#' ? skip_token(sql, len, i, syntax) : 0;
		if (!end)
			return false;
		i = end;
	}
	return true;
}

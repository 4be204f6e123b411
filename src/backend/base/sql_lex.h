/* Where an SQL statement ends, read as the server's lexer reads it (corm_backend.sql_syntax). */
#ifndef CORM_BACKEND_SQL_LEX_H
#define CORM_BACKEND_SQL_LEX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Scans sql[0..len) with the CORM_SQL_* `syntax` flags: quoted strings and
 * identifiers and comments are skipped, so a ';' inside them does not count.
 * Returns the offset of the first ';' outside them, or len when there is none.
 * An unterminated quote or comment runs to the end (the server reports it).
 */
size_t corm__sql_statement_end(const char *sql, size_t len, unsigned syntax);

/* Whether sql[0..len) holds only whitespace, ';' and comments (nothing that runs). */
bool corm__sql_is_blank(const char *sql, size_t len, unsigned syntax);

#endif

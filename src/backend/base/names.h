/*
 * Identifier names as Django shortens them (django/db/backends/utils.py:
 * truncate_name, names_digest), counted in characters as Python does and
 * never cut inside a UTF-8 sequence.
 */
#ifndef CORM_BACKEND_NAMES_H
#define CORM_BACKEND_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* names_digest(*parts, length): md5 over the parts' bytes, the first `length` (<= 32) hex
 * digits and a NUL into out. */
void corm__names_digest(char *out, int length, const char *const *parts, size_t n);
/* Characters (UTF-8 sequences) in s[0..len). */
size_t corm__utf8_chars(const char *s, size_t len);
/* Bytes of the first `nchars` characters of s[0..len) (len when it has fewer). */
size_t corm__utf8_prefix(const char *s, size_t len, size_t nchars);
/* Whether s[0..len) is at most `max` characters long, and `max` bytes when `bytes`. */
bool corm__name_fits(const char *s, size_t len, size_t max, bool bytes);
/*
 * Appends truncate_name(name, max) (hash_len 4): the name itself when it fits,
 * else its first max - 4 characters and the first 4 hex digits of its md5
 * (fewer characters when `bytes` and they would pass max bytes).
 */
void corm__truncate_name(corm_buf *b, const char *name, size_t max, bool bytes);
/* quote_name for a server with a name limit: truncate_name, then quoted with `quote`. */
void corm__quote_name_max(corm_buf *b, const char *name, char quote, size_t max, bool bytes);

#endif

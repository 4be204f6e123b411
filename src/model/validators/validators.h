/*
 * Internal to full_clean() (src/model/validate.c): Django 3.2's validators
 * (django/core/validators.py) re-expressed over Unicode code points. Python's
 * `re` works on code points and its \s, IGNORECASE and \Z differ from POSIX
 * regex.h, and libc regex would depend on the process locale, so each
 * pattern is a small matcher that follows the regular expression's
 * structure (and backtracking) exactly.
 */
#ifndef CORM_MODEL_VALIDATORS_H
#define CORM_MODEL_VALIDATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/meta.h"
#include "util/buf.h"

/* ---- text.c: UTF-8 and character classes (Python `re` semantics) ------- */

/*
 * Decodes one code point at s[*i]. Bytes that are not valid UTF-8 become
 * U+DC80..U+DCFF, as Python's surrogateescape decoding would give them.
 */
uint32_t corm__utf8_next(const unsigned char *s, size_t n, size_t *i);
/* len(str) in Python: the number of code points. */
size_t corm__cp_count(const char *s);
/* Decodes s into a code point array (caller frees with corm__free); NULL on OOM. */
uint32_t *corm__cp_decode(const char *s, size_t *out_len);
void corm__utf8_put(corm_buf *b, uint32_t cp);

bool corm__py_space(uint32_t c); /* \s for str patterns */
bool corm__is_digit(uint32_t c); /* [0-9] */
bool corm__alpha_ci(uint32_t c); /* [A-Z] / [a-z] under re.IGNORECASE */
bool corm__alnum_ci(uint32_t c); /* [A-Z0-9] under re.IGNORECASE */
bool corm__is_hex(uint32_t c);   /* [0-9a-fA-F] */
bool corm__all_ascii(const uint32_t *c, size_t n);
/* c[0..n) == word, exactly or with ASCII letters compared case-insensitively. */
bool corm__eq_ascii(const uint32_t *c, size_t n, const char *word);
bool corm__eq_ascii_ci(const uint32_t *c, size_t n, const char *word);

/* ---- ip.c: Python's ipaddress module ---------------------------------- */

bool corm__ipv4_ok(const uint32_t *c, size_t n);
bool corm__ipv6_ok(const uint32_t *c, size_t n);
/* django.utils.ipv6.is_valid_ipv6_address: also at most 39 characters. */
bool corm__django_ipv6_ok(const uint32_t *c, size_t n);

/* ---- idna.c: str.encode('idna') (IDNA2003, through GNU libidn) -------- */

/*
 * Encodes a domain. Returns 1 with the ASCII result as code points in *out
 * (caller frees with corm__free), 0 on a UnicodeError, or CORM_ENOMEM.
 */
int corm__idna_encode(const uint32_t *c, size_t n, uint32_t **out, size_t *out_len);

/* ---- the validators: 1 (valid), 0 (invalid) or CORM_ENOMEM ------------ */

int corm__email_valid(const char *value); /* EmailValidator */
int corm__url_valid(const char *value);   /* URLValidator */
bool corm__slug_valid(const char *value); /* validate_slug */

/* ---- repr.c / equal.c: Python semantics for choices ------------------- */

/* Appends repr(value) as Python would print it. */
void corm__repr_value(corm_buf *b, const corm_value *v);
/* `a == b` between the Python objects the two values stand for. */
bool corm__py_value_eq(const corm_value *a, const corm_value *b);

#endif

/*
 * corm/sys/buf.h - appending to corm's SQL buffer, for backends built outside corm.
 *
 * The backend functions that write SQL (quote_name, placeholder, data_type, cast_type,
 * quote_value) receive a `struct corm_buf *` that corm owns; its layout is private. These
 * calls append to it. Running out of memory is sticky: the buffer remembers it, later
 * appends do nothing, and corm reports CORM_ENOMEM for the statement; a backend never
 * needs to check (corm_buf_failed tells, if it wants to stop early).
 */
#ifndef CORM_SYS_BUF_H
#define CORM_SYS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct corm_buf;

/** Appends the n bytes at s (they may hold NUL bytes). s is only read. */
CORM_EXTERN(void) corm_buf_append(struct corm_buf *b, const char *s, size_t n);
/** Appends the NUL-terminated text s. */
CORM_EXTERN(void) corm_buf_append_str(struct corm_buf *b, const char *s);
/** Appends one character. */
CORM_EXTERN(void) corm_buf_append_char(struct corm_buf *b, char c);
/** Appends v in decimal. */
CORM_EXTERN(void) corm_buf_append_int(struct corm_buf *b, int64_t v);
/**
 * Appends name between two `quote` characters, every `quote` inside it doubled
 * (an SQL identifier: quote '"' or '`').
 */
CORM_EXTERN(void) corm_buf_append_quoted(struct corm_buf *b, const char *name, char quote);
/** Appends printf-style formatted text. */
CORM_EXTERN(void)
corm_buf_append_fmt(struct corm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Whether an append ran out of memory (the buffer then holds nothing usable). */
CORM_EXTERN(bool) corm_buf_failed(const struct corm_buf *b);

#ifdef __cplusplus
}
#endif
#endif

/* A growable byte buffer for building SQL and messages. OOM is sticky: check buf.oom once at the
 * end. */
#ifndef CORM_UTIL_BUF_H
#define CORM_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct corm_buf {
	char *ptr;
	size_t len, cap;
	bool oom;
} corm_buf;

#define CORM_BUF_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, false                                                                  \
	}

/* Grows b to hold `extra` more bytes and a NUL; false (and b->oom set) when it cannot. */
bool corm_buf_reserve(corm_buf *b, size_t extra);

/*
 * The appends are inline: building one query's SQL makes a few hundred of
 * them, and a call with a grow check and a 1-byte memcpy each was a quarter
 * of compiling it.
 */
static inline void corm_buf_put(corm_buf *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap && !corm_buf_reserve(b, n))
		return;
	memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

static inline void corm_buf_puts(corm_buf *b, const char *s)
{
	corm_buf_put(b, s, strlen(s));
}

static inline void corm_buf_putc(corm_buf *b, char c)
{
	if (b->len + 1 >= b->cap && !corm_buf_reserve(b, 1))
		return;
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

/* Appends name between two `quote` characters, doubling any quote inside it (SQL identifiers). */
void corm_buf_quoted(corm_buf *b, const char *name, char quote);
void corm_buf_printf(corm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void corm_buf_vprintf(corm_buf *b, const char *fmt, va_list ap);
void corm_buf_int(corm_buf *b, int64_t v);
/* Writes v in decimal and a NUL into out (at least CORM_INT_TEXT_MAX bytes); returns the length. */
#define CORM_INT_TEXT_MAX 21
size_t corm_int_format(char *out, int64_t v);
/* The NUL-terminated contents ("" when empty); NULL only after OOM. */
const char *corm_buf_cstr(corm_buf *b);
/* Hands the contents to the caller (corm__free) and resets the buffer. NULL after OOM. */
char *corm_buf_detach(corm_buf *b);
void corm_buf_clear(corm_buf *b);
void corm_buf_free(corm_buf *b);

#endif

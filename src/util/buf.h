/* A growable byte buffer for building SQL and messages. OOM is sticky: check buf.oom once at the
 * end. */
#ifndef CORM_UTIL_BUF_H
#define CORM_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct corm_buf {
	char *ptr;
	size_t len, cap;
	bool oom;
} corm_buf;

#define CORM_BUF_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, false                                                                  \
	}

void corm_buf_put(corm_buf *b, const char *s, size_t n);
void corm_buf_puts(corm_buf *b, const char *s);
void corm_buf_putc(corm_buf *b, char c);
void corm_buf_printf(corm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void corm_buf_vprintf(corm_buf *b, const char *fmt, va_list ap);
void corm_buf_int(corm_buf *b, int64_t v);
/* The NUL-terminated contents ("" when empty); NULL only after OOM. */
const char *corm_buf_cstr(corm_buf *b);
/* Hands the contents to the caller (corm__free) and resets the buffer. NULL after OOM. */
char *corm_buf_detach(corm_buf *b);
void corm_buf_clear(corm_buf *b);
void corm_buf_free(corm_buf *b);

#endif

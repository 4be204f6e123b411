/* The public appends of corm/sys/buf.h, over the private buffer (util/buf.h). */
#include <stdarg.h>

#include "corm/sys/buf.h"
#include "util/buf.h"

void corm_buf_append(corm_buf *b, const char *s, size_t n)
{
	if (b && s)
		corm_buf_put(b, s, n);
}

void corm_buf_append_str(corm_buf *b, const char *s)
{
	if (b && s)
		corm_buf_puts(b, s);
}

void corm_buf_append_char(corm_buf *b, char c)
{
	if (b)
		corm_buf_putc(b, c);
}

void corm_buf_append_int(corm_buf *b, int64_t v)
{
	if (b)
		corm_buf_int(b, v);
}

void corm_buf_append_quoted(corm_buf *b, const char *name, char quote)
{
	if (b && name)
		corm_buf_quoted(b, name, quote);
}

void corm_buf_append_fmt(corm_buf *b, const char *fmt, ...)
{
	if (!b || !fmt)
		return;
	va_list ap;
	va_start(ap, fmt);
	corm_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

bool corm_buf_failed(const corm_buf *b)
{
	return !b || b->oom;
}

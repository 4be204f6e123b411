#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

bool corm_buf_reserve(corm_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = corm__realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

void corm_buf_quoted(corm_buf *b, const char *name, char quote)
{
	size_t len = strlen(name);
	if (!corm_buf_reserve(b, 2 * len + 2)) /* every character a doubled quote, at worst */
		return;
	char *out = b->ptr + b->len;
	*out++ = quote;
	if (!memchr(name, quote, len)) { /* the usual name: one copy */
		memcpy(out, name, len);
		out += len;
	} else {
		for (size_t i = 0; i < len; i++) {
			if (name[i] == quote)
				*out++ = quote;
			*out++ = name[i];
		}
	}
	*out++ = quote;
	*out = '\0';
	b->len = (size_t)(out - b->ptr);
}

void corm_buf_vprintf(corm_buf *b, const char *fmt, va_list ap)
{
	if (b->oom)
		return;
	/* format once into the room there is; only a result that does not fit is formatted again */
	va_list copy;
	va_copy(copy, ap);
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	int n = vsnprintf(room ? b->ptr + b->len : NULL, room, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return;
	}
	if (!corm_buf_reserve(b, (size_t)n))
		return;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void corm_buf_printf(corm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	corm_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t corm_int_format(char *out, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	/* unsigned arithmetic so INT64_MIN negates without overflow */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	size_t n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

void corm_buf_int(corm_buf *b, int64_t v)
{
	char text[CORM_INT_TEXT_MAX];
	corm_buf_put(b, text, corm_int_format(text, v));
}

const char *corm_buf_cstr(corm_buf *b)
{
	if (b->oom)
		return NULL;
	return b->ptr ? b->ptr : "";
}

char *corm_buf_detach(corm_buf *b)
{
	if (b->oom) {
		corm_buf_free(b);
		return NULL;
	}
	char *out = b->ptr ? b->ptr : corm__strdup("");
	*b = (corm_buf)CORM_BUF_INIT;
	return out;
}

void corm_buf_clear(corm_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void corm_buf_free(corm_buf *b)
{
	corm__free(b->ptr);
	*b = (corm_buf)CORM_BUF_INIT;
}

/* Identifier names shortened as Django does, character-wise (see names.h). */
#include <md5.h>
#include <string.h>

#include "backend/base/names.h"

void corm__names_digest(char *out, int length, const char *const *parts, size_t n)
{
	MD5_CTX ctx;
	char hex[MD5_DIGEST_STRING_LENGTH];
	MD5Init(&ctx);
	for (size_t i = 0; i < n; i++)
		MD5Update(&ctx, (const uint8_t *)parts[i], strlen(parts[i]));
	MD5End(&ctx, hex);
	memcpy(out, hex,
	       (size_t)length); /* the first `length` hex digits, as names_digest slices */
	out[length] = '\0';
}

static bool is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t corm__utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += !is_continuation(s[i]);
	return n;
}

size_t corm__utf8_prefix(const char *s, size_t len, size_t nchars)
{
	size_t i = 0;
	for (size_t k = 0; i < len; i++) {
		if (!is_continuation(s[i]) && k++ == nchars)
			break;
	}
	return i;
}

bool corm__name_fits(const char *s, size_t len, size_t max, bool bytes)
{
	return bytes ? len <= max : corm__utf8_chars(s, len) <= max;
}

void corm__truncate_name(corm_buf *b, const char *name, size_t max, bool bytes)
{
	size_t len = strlen(name);
	if (max <= 4 || corm__name_fits(name, len, max, bytes)) {
		corm_buf_put(b, name, len);
		return;
	}
	char digest[5];
	corm__names_digest(digest, 4, &name, 1);
	size_t keep = corm__utf8_prefix(name, len, max - 4);
	if (bytes)
		while (keep > max - 4) /* drop whole characters until the bytes fit */
			while (keep > 0 && is_continuation(name[--keep]))
				;
	corm_buf_put(b, name, keep);
	corm_buf_put(b, digest, 4);
}

void corm__quote_name_max(corm_buf *b, const char *name, char quote, size_t max, bool bytes)
{
	if (strlen(name) <= max) { /* the usual name: bytes bound characters */
		corm_buf_quoted(b, name, quote);
		return;
	}
	corm_buf t = CORM_BUF_INIT;
	corm__truncate_name(&t, name, max, bytes);
	if (t.oom)
		b->oom = true;
	else
		corm_buf_quoted(b, t.ptr, quote);
	corm_buf_free(&t);
}

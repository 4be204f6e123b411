/* Code points for the validators: UTF-8 decoding and Python `re` character classes. */
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

/* ---- UTF-8 ------------------------------------------------------------- */

/*
 * Decodes one code point at s[*i]. Bytes that are not valid UTF-8 become
 * U+DC80..U+DCFF, as Python's surrogateescape decoding would give them.
 */
uint32_t corm__utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char b = s[*i];
	uint32_t cp, min;
	size_t len;
	if (b < 0x80) {
		(*i)++;
		return b;
	} else if ((b & 0xE0) == 0xC0) {
		cp = b & 0x1F, len = 2, min = 0x80;
	} else if ((b & 0xF0) == 0xE0) {
		cp = b & 0x0F, len = 3, min = 0x800;
	} else if ((b & 0xF8) == 0xF0) {
		cp = b & 0x07, len = 4, min = 0x10000;
	} else {
		(*i)++;
		return 0xDC00u | b;
	}
	if (*i + len > n)
		goto bad;
	for (size_t k = 1; k < len; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*i += len;
	return cp;
bad:
	(*i)++;
	return 0xDC00u | b;
}

/* len(str) in Python: the number of code points. */
size_t corm__cp_count(const char *s)
{
	size_t n = strlen(s), i = 0, count = 0;
	while (i < n) {
		corm__utf8_next((const unsigned char *)s, n, &i);
		count++;
	}
	return count;
}

/* Decodes s into a code point array (caller frees); NULL on OOM. */
uint32_t *corm__cp_decode(const char *s, size_t *out_len)
{
	size_t n = strlen(s), i = 0, k = 0;
	uint32_t *cps = corm__alloc((n ? n : 1) * sizeof(uint32_t));
	if (!cps)
		return NULL;
	while (i < n)
		cps[k++] = corm__utf8_next((const unsigned char *)s, n, &i);
	*out_len = k;
	return cps;
}

void corm__utf8_put(corm_buf *b, uint32_t cp)
{
	char tmp[4];
	if (cp < 0x80) {
		corm_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xC0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3F));
		corm_buf_put(b, tmp, 2);
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xE0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char)(0x80 | (cp & 0x3F));
		corm_buf_put(b, tmp, 3);
	} else {
		tmp[0] = (char)(0xF0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char)(0x80 | (cp & 0x3F));
		corm_buf_put(b, tmp, 4);
	}
}

/* ---- character classes (Python `re` semantics) ------------------------- */

/* Python's \s for str patterns. */
bool corm__py_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

bool corm__is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* [A-Z] / [a-z] under re.IGNORECASE: ASCII letters plus the four non-ASCII
 * code points whose case folding lands on an ASCII letter (İ ı ſ K). */
bool corm__alpha_ci(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 0x130 || c == 0x131 ||
	       c == 0x17F || c == 0x212A;
}

bool corm__alnum_ci(uint32_t c)
{
	return corm__alpha_ci(c) || corm__is_digit(c);
}

bool corm__is_hex(uint32_t c)
{
	return corm__is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool corm__all_ascii(const uint32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] >= 0x80)
			return false;
	return true;
}

bool corm__eq_ascii(const uint32_t *c, size_t n, const char *word)
{
	size_t i = 0;
	for (; word[i]; i++)
		if (i >= n || c[i] != (unsigned char)word[i])
			return false;
	return i == n;
}

bool corm__eq_ascii_ci(const uint32_t *c, size_t n, const char *word)
{
	size_t i = 0;
	for (; word[i]; i++) {
		uint32_t ch = i < n ? c[i] : 0;
		if (ch >= 'A' && ch <= 'Z')
			ch += 32;
		if (ch != (unsigned char)word[i])
			return false;
	}
	return i == n;
}

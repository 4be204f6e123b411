/*
 * full_clean(): Django 3.2's Model.clean_fields() -> Field.clean() ->
 * Field.validate() + Field.run_validators(), with the validators of
 * django/core/validators.py (EmailValidator, URLValidator, validate_slug,
 * MaxLengthValidator, DecimalValidator, Min/MaxValueValidator) re-expressed
 * by hand over Unicode code points. Python's `re` works on code points and
 * its \s, IGNORECASE and \Z differ from POSIX regex.h, and libc regex would
 * depend on the process locale, so each pattern is a small matcher that
 * follows the regular expression's structure (and backtracking) exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/meta.h"
#include "util/alloc.h"

/* ---- the error list ---------------------------------------------------- */

typedef struct verr {
	char *field;   /* one allocation: "field\0message\0" */
	char *message; /* points into field's block */
} verr;

struct corm_validation {
	verr *items;
	size_t len, cap;
};

/* Collects messages; `list` is NULL when the caller only wants the code. */
typedef struct collector {
	corm_validation *list;
	size_t count;
} collector;

static int add_error(collector *col, const char *field, const char *message)
{
	col->count++;
	if (!col->list)
		return CORM_OK;
	corm_validation *v = col->list;
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		verr *items = corm__realloc(v->items, cap * sizeof(verr));
		if (!items)
			return CORM_ENOMEM;
		v->items = items;
		v->cap = cap;
	}
	size_t fl = strlen(field), ml = strlen(message);
	char *block = corm__alloc(fl + ml + 2);
	if (!block)
		return CORM_ENOMEM;
	memcpy(block, field, fl + 1);
	memcpy(block + fl + 1, message, ml + 1);
	v->items[v->len].field = block;
	v->items[v->len].message = block + fl + 1;
	v->len++;
	return CORM_OK;
}

/* Adds the message a corm_buf built; OOM in the buffer is reported as ENOMEM. */
static int add_buf_error(collector *col, const char *field, corm_buf *b)
{
	const char *msg = corm_buf_cstr(b);
	int rc = msg ? add_error(col, field, msg) : CORM_ENOMEM;
	corm_buf_free(b);
	return rc;
}

size_t corm_validation_count(const corm_validation *v)
{
	return v ? v->len : 0;
}

const char *corm_validation_field(const corm_validation *v, size_t i)
{
	return v && i < v->len ? v->items[i].field : NULL;
}

const char *corm_validation_message(const corm_validation *v, size_t i)
{
	return v && i < v->len ? v->items[i].message : NULL;
}

const char *corm_validation_get(const corm_validation *v, const char *field)
{
	if (!v || !field)
		return NULL;
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i].field, field) == 0)
			return v->items[i].message;
	return NULL;
}

void corm_validation_free(corm_validation *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->len; i++)
		corm__free(v->items[i].field);
	corm__free(v->items);
	corm__free(v);
}

/* ---- UTF-8 ------------------------------------------------------------- */

/*
 * Decodes one code point at s[*i]. Bytes that are not valid UTF-8 become
 * U+DC80..U+DCFF, as Python's surrogateescape decoding would give them.
 */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *i)
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
static size_t cp_count(const char *s)
{
	size_t n = strlen(s), i = 0, count = 0;
	while (i < n) {
		utf8_next((const unsigned char *)s, n, &i);
		count++;
	}
	return count;
}

/* Decodes s into a code point array (caller frees); NULL on OOM. */
static uint32_t *cp_decode(const char *s, size_t *out_len)
{
	size_t n = strlen(s), i = 0, k = 0;
	uint32_t *cps = corm__alloc((n ? n : 1) * sizeof(uint32_t));
	if (!cps)
		return NULL;
	while (i < n)
		cps[k++] = utf8_next((const unsigned char *)s, n, &i);
	*out_len = k;
	return cps;
}

static void utf8_put(corm_buf *b, uint32_t cp)
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
static bool py_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

static bool is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* [A-Z] / [a-z] under re.IGNORECASE: ASCII letters plus the four non-ASCII
 * code points whose case folding lands on an ASCII letter (İ ı ſ K). */
static bool alpha_ci(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 0x130 || c == 0x131 ||
	       c == 0x17F || c == 0x212A;
}

static bool alnum_ci(uint32_t c)
{
	return alpha_ci(c) || is_digit(c);
}

static bool is_hex(uint32_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* URLValidator.ul: '\u00a1-\uffff'. */
static bool url_ul(uint32_t c)
{
	return c >= 0xA1 && c <= 0xFFFF;
}

static bool all_ascii(const uint32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] >= 0x80)
			return false;
	return true;
}

static bool eq_ascii(const uint32_t *c, size_t n, const char *word)
{
	size_t i = 0;
	for (; word[i]; i++)
		if (i >= n || c[i] != (unsigned char)word[i])
			return false;
	return i == n;
}

static bool eq_ascii_ci(const uint32_t *c, size_t n, const char *word)
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

/* ---- IP addresses (Python's ipaddress module) -------------------------- */

/* IPv4Address(s), plus the leading-zero ban of Python 3.9.5+ and Django. */
static bool ipv4_ok(const uint32_t *c, size_t n)
{
	size_t i = 0;
	int parts = 0;
	for (;;) {
		size_t start = i;
		unsigned val = 0;
		while (i < n && c[i] != '.') {
			if (!is_digit(c[i]) || i - start >= 3)
				return false;
			val = val * 10 + (c[i] - '0');
			i++;
		}
		size_t len = i - start;
		if (len == 0 || (len > 1 && c[start] == '0') || val > 255)
			return false;
		if (++parts > 4)
			return false;
		if (i == n)
			break;
		i++; /* the dot */
	}
	return parts == 4;
}

typedef struct hextet {
	size_t start, len;
	bool synthetic; /* half of an embedded IPv4 address, already checked */
} hextet;

static bool hextet_ok(const uint32_t *c, const hextet *h)
{
	if (h->synthetic)
		return true;
	if (h->len == 0 || h->len > 4)
		return false;
	for (size_t i = 0; i < h->len; i++)
		if (!is_hex(c[h->start + i]))
			return false;
	return true;
}

/* IPv6Address(s) (ipaddress._BaseV6._ip_int_from_string), scope id allowed. */
static bool ipv6_ok(const uint32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] == '%') {
			/* "addr%scope": the scope must be non-empty and hold no other '%' */
			if (i + 1 == n)
				return false;
			for (size_t j = i + 1; j < n; j++)
				if (c[j] == '%')
					return false;
			n = i;
			break;
		}
	if (n == 0)
		return false;
	hextet parts[10];
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || c[i] == ':') {
			if (np == 9)
				return false; /* more than 8 colons */
			parts[np++] = (hextet){start, i - start, false};
			start = i + 1;
		}
	if (np < 3)
		return false;
	hextet *last = &parts[np - 1];
	bool dotted = false;
	for (size_t i = 0; i < last->len; i++)
		dotted |= c[last->start + i] == '.';
	if (dotted) {
		if (!ipv4_ok(c + last->start, last->len))
			return false;
		if (np == 9)
			return false;
		parts[np - 1] = (hextet){0, 0, true};
		parts[np++] = (hextet){0, 0, true};
	}
	size_t skip = 0;
	bool has_skip = false;
	for (size_t i = 1; i + 1 < np; i++)
		if (parts[i].len == 0 && !parts[i].synthetic) {
			if (has_skip)
				return false;
			has_skip = true;
			skip = i;
		}
	size_t hi, lo;
	if (has_skip) {
		hi = skip;
		lo = np - skip - 1;
		if (parts[0].len == 0 && !parts[0].synthetic && --hi)
			return false;
		if (parts[np - 1].len == 0 && !parts[np - 1].synthetic && --lo)
			return false;
		if (hi + lo >= 8)
			return false;
	} else {
		if (np != 8)
			return false;
		hi = np;
		lo = 0;
	}
	for (size_t i = 0; i < hi; i++)
		if (!hextet_ok(c, &parts[i]))
			return false;
	for (size_t i = np - lo; i < np; i++)
		if (!hextet_ok(c, &parts[i]))
			return false;
	return true;
}

/* django.utils.ipv6.is_valid_ipv6_address: at most 39 characters. */
static bool django_ipv6_ok(const uint32_t *c, size_t n)
{
	return n <= 39 && ipv6_ok(c, n);
}

/* ---- IDNA (Python's "idna" codec: RFC 3490 ToASCII + RFC 3492) ---------- */

static bool idna_dot(uint32_t c)
{
	return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

/* stringprep table B.1: mapped to nothing. */
static bool nameprep_drop(uint32_t c)
{
	return c == 0xAD || c == 0x34F || c == 0x1806 || (c >= 0x180B && c <= 0x180D) ||
	       (c >= 0x200B && c <= 0x200D) || c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F) ||
	       c == 0xFEFF;
}

/* stringprep tables C.1.2 and C.2.2 to C.9: prohibited output. */
static bool nameprep_prohibited(uint32_t c)
{
	return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || c == 0x2028 ||
	       c == 0x2029 || (c >= 0x202A && c <= 0x202F) || c == 0x205F || c == 0x3000 ||
	       (c >= 0x80 && c <= 0x9F) || c == 0x6DD || c == 0x70F || c == 0x180E ||
	       (c >= 0x2060 && c <= 0x2063) || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF ||
	       (c >= 0xFFF9 && c <= 0xFFFD) || (c >= 0x1D173 && c <= 0x1D17A) ||
	       (c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 || (c >= 0xFDD0 && c <= 0xFDEF) ||
	       (c & 0xFFFE) == 0xFFFE || (c >= 0xD800 && c <= 0xDFFF) ||
	       (c >= 0x2FF0 && c <= 0x2FFB) || c == 0x340 || c == 0x341 || c == 0xE0001 ||
	       (c >= 0xE0020 && c <= 0xE007F);
}

/*
 * Simple lower-case mapping for the common scripts (stringprep table B.2
 * restricted to Latin-1, Greek and Cyrillic, plus the folds that land on
 * ASCII); of NFKC only the fullwidth and mathematical ASCII forms.
 */
static uint32_t nameprep_fold(uint32_t c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		c -= 0xFEE0;
	else if (c >= 0x1D400 && c <= 0x1D6A3) /* mathematical A-Z a-z, 13 styles */
		c = (c - 0x1D400) % 52 < 26 ? 'a' + (c - 0x1D400) % 52
		                            : 'a' + (c - 0x1D400) % 52 - 26;
	else if (c >= 0x1D7CE && c <= 0x1D7FF) /* mathematical digits, 5 styles */
		c = '0' + (c - 0x1D7CE) % 10;
	if (c == 0x17F)
		return 's';
	if (c == 0x212A)
		return 'k';
	if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
	    (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

static uint32_t puny_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
	delta = first ? delta / 700 : delta / 2;
	delta += delta / numpoints;
	uint32_t k = 0;
	while (delta > 455) {
		delta /= 35;
		k += 36;
	}
	return k + 36 * delta / (delta + 38);
}

static char puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

/* RFC 3492 encoding of a label (Python's punycode codec). False on overflow. */
static bool punycode(corm_buf *out, const uint32_t *in, size_t len)
{
	uint32_t n = 128, bias = 72;
	uint64_t delta = 0;
	size_t h = 0;
	for (size_t i = 0; i < len; i++)
		if (in[i] < 128) {
			corm_buf_putc(out, (char)in[i]);
			h++;
		}
	size_t b = h;
	if (b)
		corm_buf_putc(out, '-');
	while (h < len) {
		uint32_t m = UINT32_MAX;
		for (size_t i = 0; i < len; i++)
			if (in[i] >= n && in[i] < m)
				m = in[i];
		delta += (uint64_t)(m - n) * (h + 1);
		if (delta > UINT32_MAX)
			return false;
		n = m;
		for (size_t i = 0; i < len; i++) {
			if (in[i] < n)
				delta++;
			if (in[i] != n)
				continue;
			uint64_t q = delta;
			for (uint32_t k = 36;; k += 36) {
				uint32_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
				if (q < t)
					break;
				corm_buf_putc(out, puny_digit(t + (uint32_t)((q - t) % (36 - t))));
				q = (q - t) / (36 - t);
			}
			corm_buf_putc(out, puny_digit((uint32_t)q));
			bias = puny_adapt((uint32_t)delta, (uint32_t)h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		n++;
	}
	return true;
}

/* ToASCII for one label; false on a UnicodeError. */
static bool idna_label(corm_buf *out, const uint32_t *c, size_t n)
{
	if (all_ascii(c, n)) {
		for (size_t i = 0; i < n; i++)
			corm_buf_putc(out, (char)c[i]);
		return n > 0 && n < 64;
	}
	/* nameprep; more than 63 code points can never encode in 63 characters */
	uint32_t prep[64];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t ch = c[i];
		if (nameprep_drop(ch))
			continue;
		if (nameprep_prohibited(ch) || k + 2 > 64)
			return false;
		if (ch == 0xDF || ch == 0x130) { /* ß -> ss, İ -> i + U+0307 */
			prep[k++] = ch == 0xDF ? 's' : 'i';
			prep[k++] = ch == 0xDF ? 's' : 0x307;
			continue;
		}
		prep[k++] = nameprep_fold(ch);
	}
	if (all_ascii(prep, k)) {
		for (size_t i = 0; i < k; i++)
			corm_buf_putc(out, (char)prep[i]);
		return k > 0 && k < 64;
	}
	if (k >= 4 && eq_ascii_ci(prep, 4, "xn--"))
		return false;
	size_t before = out->len;
	corm_buf_puts(out, "xn--");
	if (!punycode(out, prep, k))
		return false;
	return out->oom || out->len - before < 64;
}

/*
 * domain.encode('idna') for a domain with non-ASCII characters. Returns 1
 * with the ASCII result in *out (caller frees), 0 on a UnicodeError, or
 * CORM_ENOMEM.
 */
static int idna_encode(const uint32_t *c, size_t n, uint32_t **out, size_t *out_len)
{
	corm_buf b = CORM_BUF_INIT;
	size_t end = n;
	bool trailing_dot = n > 0 && idna_dot(c[n - 1]);
	if (trailing_dot)
		end--;
	size_t start = 0;
	for (size_t i = 0; i <= end; i++) {
		if (i < end && !idna_dot(c[i]))
			continue;
		if (start)
			corm_buf_putc(&b, '.');
		if (!idna_label(&b, c + start, i - start)) {
			bool oom = b.oom;
			corm_buf_free(&b);
			return oom ? CORM_ENOMEM : 0;
		}
		start = i + 1;
	}
	if (trailing_dot)
		corm_buf_putc(&b, '.');
	if (b.oom) {
		corm_buf_free(&b);
		return CORM_ENOMEM;
	}
	uint32_t *cps = corm__alloc((b.len ? b.len : 1) * sizeof(uint32_t));
	if (!cps) {
		corm_buf_free(&b);
		return CORM_ENOMEM;
	}
	for (size_t i = 0; i < b.len; i++)
		cps[i] = (unsigned char)b.ptr[i];
	*out = cps;
	*out_len = b.len;
	corm_buf_free(&b);
	return 1;
}

/* ---- EmailValidator ----------------------------------------------------- */

/* dot-atom characters: [-!#$%&'*+/=?^_`{}|~0-9A-Z] with IGNORECASE. */
static bool email_atext(uint32_t c)
{
	return alnum_ci(c) || (c < 0x80 && c && strchr("-!#$%&'*+/=?^_`{}|~", (int)c));
}

/* Ranges of the quoted-string alternative; IGNORECASE adds İ ı ſ K. */
static bool email_qtext(uint32_t c)
{
	return (c >= 1 && c <= 8) || c == 11 || c == 12 || (c >= 14 && c <= 31) || c == '!' ||
	       (c >= '#' && c <= '[') || (c >= ']' && c <= 0x7F) || alpha_ci(c);
}

static bool email_qpair(uint32_t c)
{
	return (c >= 1 && c <= 9) || c == 11 || c == 12 || (c >= 14 && c <= 0x7F) || alpha_ci(c);
}

static bool email_user_ok(const uint32_t *c, size_t n)
{
	/* dot-atom: atext+ ( "." atext+ )* */
	bool ok = n > 0;
	size_t run = 0;
	for (size_t i = 0; ok && i < n; i++) {
		if (c[i] == '.') {
			ok = run > 0;
			run = 0;
		} else if (email_atext(c[i])) {
			run++;
		} else {
			ok = false;
		}
	}
	if (ok && run > 0)
		return true;
	/* quoted-string: '"' ( qtext | '\' qpair )* '"' */
	if (n < 2 || c[0] != '"' || c[n - 1] != '"')
		return false;
	for (size_t i = 1; i < n - 1; i++) {
		if (c[i] == '\\') {
			if (i + 1 >= n - 1 || !email_qpair(c[i + 1]))
				return false;
			i++;
		} else if (!email_qtext(c[i])) {
			return false;
		}
	}
	return true;
}

/* domain_regex: ((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z */
static bool email_domain_regex(const uint32_t *c, size_t n)
{
	size_t start = 0, labels = 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '.') {
			size_t len = i - start;
			if (len < 1 || len > 63 || !alnum_ci(c[start]) || !alnum_ci(c[i - 1]))
				return false;
			labels++;
			start = i + 1;
		} else if (!alnum_ci(c[i]) && c[i] != '-') {
			return false;
		}
	}
	size_t tld = n - start;
	return labels > 0 && tld >= 2 && tld <= 63 && c[n - 1] != '-';
}

static bool email_domain_ok(const uint32_t *c, size_t n)
{
	if (email_domain_regex(c, n))
		return true;
	/* literal_regex: \[([A-f0-9:.]+)\]\Z with IGNORECASE, then an IP address */
	if (n < 3 || c[0] != '[' || c[n - 1] != ']')
		return false;
	for (size_t i = 1; i < n - 1; i++)
		if (!(alpha_ci(c[i]) || is_digit(c[i]) || c[i] == ':' || c[i] == '.' ||
		      (c[i] >= '[' && c[i] <= '`')))
			return false;
	return ipv4_ok(c + 1, n - 2) || django_ipv6_ok(c + 1, n - 2);
}

/* Returns 1 (valid), 0 (invalid) or CORM_ENOMEM. */
static int email_valid(const char *value)
{
	size_t n;
	if (!*value || !strchr(value, '@') || cp_count(value) > 320)
		return 0;
	uint32_t *c = cp_decode(value, &n);
	if (!c)
		return CORM_ENOMEM;
	size_t at = n;
	while (c[at - 1] != '@')
		at--;
	const uint32_t *dom = c + at;
	size_t dn = n - at;
	int rc = 0;
	if (!email_user_ok(c, at - 1))
		goto out;
	/* domain_allowlist = ['localhost'], compared case-sensitively */
	if (eq_ascii(dom, dn, "localhost") || email_domain_ok(dom, dn)) {
		rc = 1;
		goto out;
	}
	/* an IDN domain: retry with its punycode (an ASCII one encodes to itself) */
	if (!all_ascii(dom, dn)) {
		uint32_t *ace;
		size_t an;
		rc = idna_encode(dom, dn, &ace, &an);
		if (rc == 1) {
			rc = email_domain_ok(ace, an);
			corm__free(ace);
		}
	}
out:
	corm__free(c);
	return rc;
}

/* ---- URLValidator ------------------------------------------------------- */

/*
 * The regex, followed piece by piece:
 *   ^(?:[a-z0-9.+-]*)://  (?:[^\s:@/]+(?::[^\s:@/]*)?@)?
 *   (?:ipv4|\[[0-9a-f:.]+\]|hostname domain* tld|localhost)
 *   (?::\d{2,5})?  (?:[/?#][^\s]*)?  \Z            (re.IGNORECASE)
 * Labels cannot contain the '.', ':', '/', '?' or '#' that must follow them,
 * so each label matches only its full run and the search stays linear.
 */
typedef struct url_in {
	const uint32_t *c;
	size_t n;
} url_in;

static bool url_path_tail(const url_in *u, size_t p)
{
	if (p == u->n)
		return true;
	if (u->c[p] != '/' && u->c[p] != '?' && u->c[p] != '#')
		return false;
	for (size_t i = p + 1; i < u->n; i++)
		if (py_space(u->c[i]))
			return false;
	return true;
}

/* (?::\d{2,5})?(?:[/?#][^\s]*)?\Z */
static bool url_tail(const url_in *u, size_t p)
{
	if (p < u->n && u->c[p] == ':') {
		size_t k = p + 1;
		while (k < u->n && is_digit(u->c[k]))
			k++;
		return k - p - 1 >= 2 && k - p - 1 <= 5 && url_path_tail(u, k);
	}
	return url_path_tail(u, p);
}

/* End positions of one ipv4 octet alternative: 0|25[0-5]|2[0-4]\d|1\d?\d?|[1-9]\d? */
static int url_octet_ends(const url_in *u, size_t p, size_t ends[4])
{
	const uint32_t *c = u->c;
	size_t n = u->n;
	int k = 0;
	size_t digits = 0;
	while (digits < 3 && p + digits < n && is_digit(c[p + digits]))
		digits++;
	if (digits == 0)
		return 0;
	ends[k++] = p + 1; /* "0", "1", "[1-9]" */
	if (c[p] != '0' && digits >= 2)
		ends[k++] = p + 2; /* "1\d", "[1-9]\d" */
	if (digits == 3 && ((c[p] == '1') || (c[p] == '2' && c[p + 1] <= '4') ||
	                    (c[p] == '2' && c[p + 1] == '5' && c[p + 2] <= '5')))
		ends[k++] = p + 3;
	return k;
}

static bool url_ipv4_from(const url_in *u, size_t p, int octet)
{
	size_t ends[4];
	int k = url_octet_ends(u, p, ends);
	for (int i = 0; i < k; i++) {
		size_t e = ends[i];
		if (octet == 3) {
			if (url_tail(u, e))
				return true;
		} else if (e < u->n && u->c[e] == '.' && url_ipv4_from(u, e + 1, octet + 1)) {
			return true;
		}
	}
	return false;
}

static bool url_host_char(uint32_t c)
{
	return alnum_ci(c) || url_ul(c);
}

/* A hostname/domain label at p: [a-z¡-￿0-9] run with inner '-', 1..63 long. */
static bool url_label(const url_in *u, size_t p, size_t *end)
{
	size_t i = p;
	while (i < u->n && (url_host_char(u->c[i]) || u->c[i] == '-'))
		i++;
	if (i == p || i - p > 63 || u->c[p] == '-' || u->c[i - 1] == '-')
		return false;
	*end = i;
	return true;
}

/* tld_re after its dot: (?!-)(?:[a-z¡-￿-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\.? then the tail */
static bool url_tld(const url_in *u, size_t p)
{
	const uint32_t *c = u->c;
	size_t n = u->n, ends[2], k = 0, i = p;
	while (i < n && (alpha_ci(c[i]) || url_ul(c[i]) || c[i] == '-'))
		i++;
	if (i - p >= 2 && i - p <= 63 && c[p] != '-' && c[i - 1] != '-')
		ends[k++] = i;
	if (p + 4 < n && eq_ascii_ci(c + p, 4, "xn--")) {
		i = p + 4;
		while (i < n && alnum_ci(c[i]))
			i++;
		if (i - p - 4 >= 1 && i - p - 4 <= 59)
			ends[k++] = i;
	}
	for (size_t j = 0; j < k; j++) {
		size_t e = ends[j];
		if (e < n && c[e] == '.' && url_tail(u, e + 1))
			return true;
		if (url_tail(u, e))
			return true;
	}
	return false;
}

/* After a label: domain_re's (?:\.label)* then tld_re. */
static bool url_host_rest(const url_in *u, size_t p)
{
	while (p < u->n && u->c[p] == '.') {
		if (url_tld(u, p + 1))
			return true;
		size_t e;
		if (!url_label(u, p + 1, &e))
			return false;
		p = e;
	}
	return false;
}

static bool url_host(const url_in *u, size_t p)
{
	const uint32_t *c = u->c;
	size_t n = u->n, e;
	if (url_ipv4_from(u, p, 0))
		return true;
	if (p < n && c[p] == '[') {
		size_t i = p + 1;
		while (i < n && (is_hex(c[i]) || c[i] == ':' || c[i] == '.'))
			i++;
		if (i > p + 1 && i < n && c[i] == ']' && url_tail(u, i + 1))
			return true;
	}
	if (url_label(u, p, &e) && url_host_rest(u, e))
		return true;
	return p + 9 <= n && eq_ascii_ci(c + p, 9, "localhost") && url_tail(u, p + 9);
}

static bool url_userinfo_char(uint32_t c)
{
	return !py_space(c) && c != ':' && c != '@' && c != '/';
}

static bool url_regex(const uint32_t *c, size_t n)
{
	url_in u = {c, n};
	size_t p = 0;
	while (p < n && (alnum_ci(c[p]) || c[p] == '.' || c[p] == '+' || c[p] == '-'))
		p++;
	if (p + 3 > n || c[p] != ':' || c[p + 1] != '/' || c[p + 2] != '/')
		return false;
	p += 3;
	size_t j = p;
	while (j < n && url_userinfo_char(c[j]))
		j++;
	if (j > p && j < n) {
		size_t host = 0;
		if (c[j] == '@') {
			host = j + 1;
		} else if (c[j] == ':') {
			size_t k = j + 1;
			while (k < n && url_userinfo_char(c[k]))
				k++;
			if (k < n && c[k] == '@')
				host = k + 1;
		}
		if (host && url_host(&u, host))
			return true;
	}
	return url_host(&u, p);
}

/* Python's ipaddress.ip_address() accepts it as IPv6 but not IPv4 (urlsplit's bracket check). */
static bool url_bracketed_host_ok(const uint32_t *c, size_t n)
{
	if (n > 0 && c[0] == 'v') {
		/* \Av[a-fA-F0-9]+\..+\Z */
		size_t i = 1;
		while (i < n && is_hex(c[i]))
			i++;
		return i > 1 && i + 1 < n && c[i] == '.';
	}
	return !ipv4_ok(c, n) && ipv6_ok(c, n);
}

static size_t find_cp(const uint32_t *c, size_t from, size_t to, uint32_t ch)
{
	for (size_t i = from; i < to; i++)
		if (c[i] == ch)
			return i;
	return to;
}

static size_t rfind_cp(const uint32_t *c, size_t from, size_t to, uint32_t ch)
{
	for (size_t i = to; i > from; i--)
		if (c[i - 1] == ch)
			return i - 1;
	return to;
}

/*
 * Where ^\[(.+)\](?::\d{2,5})?$ puts the closing bracket in the netloc
 * c[ns..ne) (.+ is greedy, so a final ']' wins over a port), or 0.
 */
static size_t url_bracket_content_end(const uint32_t *c, size_t ns, size_t ne)
{
	if (ne - ns < 3 || c[ns] != '[')
		return 0;
	if (c[ne - 1] == ']')
		return ne - 1;
	size_t k = ne;
	while (k > ns && is_digit(c[k - 1]))
		k--;
	if (ne - k < 2 || ne - k > 5 || k < ns + 4 || c[k - 1] != ':' || c[k - 2] != ']')
		return 0;
	return k - 2;
}

static bool url_scheme_ok(const uint32_t *c, size_t n)
{
	static const char *const schemes[] = {"http", "https", "ftp", "ftps"};
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (eq_ascii_ci(c, n, schemes[i]))
			return true;
	return false;
}

/* Returns 1 (valid), 0 (invalid) or CORM_ENOMEM. */
static int url_valid(const char *value)
{
	if (cp_count(value) > 2048 || strpbrk(value, "\t\r\n"))
		return 0;
	size_t n;
	uint32_t *c = cp_decode(value, &n);
	if (!c)
		return CORM_ENOMEM;
	int rc = 0;
	/* scheme = value.split('://')[0].lower() */
	size_t sep = n;
	for (size_t i = 0; i + 3 <= n; i++)
		if (c[i] == ':' && c[i + 1] == '/' && c[i + 2] == '/') {
			sep = i;
			break;
		}
	if (sep == n || !url_scheme_ok(c, sep))
		goto out;

	/* urlsplit(): the netloc, and the ValueErrors it raises for brackets */
	size_t ns = sep + 3, ne = ns;
	while (ne < n && c[ne] != '/' && c[ne] != '?' && c[ne] != '#')
		ne++;
	bool open = find_cp(c, ns, ne, '[') < ne, close = find_cp(c, ns, ne, ']') < ne;
	if (open != close)
		goto out;
	size_t at = rfind_cp(c, ns, ne, '@');
	size_t hs = at < ne ? at + 1 : ns; /* netloc.rpartition('@')[2] */
	size_t ob = find_cp(c, hs, ne, '['), host_s, host_e;
	if (ob < ne) {
		host_s = ob + 1;
		host_e = find_cp(c, host_s, ne, ']');
	} else {
		host_s = hs;
		host_e = find_cp(c, hs, ne, ':');
	}
	if (open) {
		if (ob < ne &&
		    (ob != hs || (host_e < ne && host_e + 1 < ne && c[host_e + 1] != ':')))
			goto out;
		if (!url_bracketed_host_ok(c + host_s, host_e - host_s))
			goto out;
	}

	if (url_regex(c, n)) {
		/* ^\[(.+)\](?::\d{2,5})?$ on the netloc: check the IPv6 address */
		size_t ce = url_bracket_content_end(c, ns, ne);
		if (ce && !django_ipv6_ok(c + ns + 1, ce - ns - 1))
			goto out;
	} else {
		if (all_ascii(c + ns, ne - ns))
			goto out;
		/* an IDN host: retry with the punycode of the netloc */
		uint32_t *ace, *url2;
		size_t an;
		rc = idna_encode(c + ns, ne - ns, &ace, &an);
		if (rc != 1)
			goto out;
		size_t n2 = ns + an + (n - ne);
		url2 = corm__alloc(n2 * sizeof(uint32_t));
		if (!url2) {
			corm__free(ace);
			rc = CORM_ENOMEM;
			goto out;
		}
		memcpy(url2, c, ns * sizeof(uint32_t));
		memcpy(url2 + ns, ace, an * sizeof(uint32_t));
		memcpy(url2 + ns + an, c + ne, (n - ne) * sizeof(uint32_t));
		bool ok = url_regex(url2, n2);
		corm__free(ace);
		corm__free(url2);
		rc = 0;
		if (!ok)
			goto out;
	}
	/* hostname: present and at most 253 characters */
	rc = host_e > host_s && host_e - host_s <= 253;
out:
	corm__free(c);
	return rc;
}

/* ---- Python repr() of values, for "Value %(value)r is not a valid choice." */

/* str.isprintable(): false for the categories Cc, Cf, Cs, Co, Zl, Zp and Zs
 * (but space), listed here as of Python 3.11's Unicode 14; unassigned code
 * points (Cn, also escaped by Python) cannot be told apart without tables. */
static bool py_printable(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD)
		return false;
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
	    (c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) || c == 0x3000 ||
	    c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB) || c == 0x61C || c == 0x180E)
		return false;
	if ((c >= 0x600 && c <= 0x605) || c == 0x6DD || c == 0x70F || c == 0x890 || c == 0x891 ||
	    c == 0x8E2 || c == 0x110BD || c == 0x110CD || (c >= 0x13430 && c <= 0x13438) ||
	    (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) || c == 0xE0001 ||
	    (c >= 0xE0020 && c <= 0xE007F))
		return false;
	if ((c >= 0xD800 && c <= 0xDFFF) || (c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000 ||
	    (c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF) || c > 0x10FFFF)
		return false;
	return true;
}

static void repr_str_n(corm_buf *b, const char *s, size_t n)
{
	bool has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
	char quote = has_single && !has_double ? '"' : '\'';
	corm_buf_putc(b, quote);
	size_t i = 0;
	while (i < n) {
		uint32_t c = utf8_next((const unsigned char *)s, n, &i);
		if (c == (uint32_t)quote || c == '\\') {
			corm_buf_putc(b, '\\');
			corm_buf_putc(b, (char)c);
		} else if (c == '\t') {
			corm_buf_puts(b, "\\t");
		} else if (c == '\n') {
			corm_buf_puts(b, "\\n");
		} else if (c == '\r') {
			corm_buf_puts(b, "\\r");
		} else if (py_printable(c)) {
			utf8_put(b, c);
		} else if (c <= 0xFF) {
			corm_buf_printf(b, "\\x%02x", (unsigned)c);
		} else if (c <= 0xFFFF) {
			corm_buf_printf(b, "\\u%04x", (unsigned)c);
		} else {
			corm_buf_printf(b, "\\U%08x", (unsigned)c);
		}
	}
	corm_buf_putc(b, quote);
}

/* repr(float): the shortest round-tripping digits, formatted like float_repr_style 'short'. */
static void repr_float(corm_buf *b, double d)
{
	if (isnan(d)) {
		corm_buf_puts(b, "nan");
		return;
	}
	if (isinf(d)) {
		corm_buf_puts(b, d < 0 ? "-inf" : "inf");
		return;
	}
	char tmp[48];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp: [-]D[<point>DDD]e[+-]XX, the point possibly locale-specific */
	char digits[24];
	size_t nd = 0;
	const char *p = tmp;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < sizeof digits - 1)
			digits[nd++] = *p;
	int exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int decpt = exp + 1;
	if (neg)
		corm_buf_putc(b, '-');
	if (decpt <= -4 || decpt > 16) {
		corm_buf_putc(b, digits[0]);
		if (nd > 1) {
			corm_buf_putc(b, '.');
			corm_buf_puts(b, digits + 1);
		}
		corm_buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (decpt <= 0) {
		corm_buf_puts(b, "0.");
		for (int i = 0; i < -decpt; i++)
			corm_buf_putc(b, '0');
		corm_buf_puts(b, digits);
	} else if ((size_t)decpt >= nd) {
		corm_buf_puts(b, digits);
		for (size_t i = nd; i < (size_t)decpt; i++)
			corm_buf_putc(b, '0');
		corm_buf_puts(b, ".0");
	} else {
		corm_buf_put(b, digits, (size_t)decpt);
		corm_buf_putc(b, '.');
		corm_buf_puts(b, digits + decpt);
	}
}

/* str(Decimal): scientific notation when the exponent is positive or the number tiny. */
static void repr_decimal(corm_buf *b, const corm_decimal *d)
{
	char *plain = corm_decimal_to_string(d);
	if (!plain) {
		b->oom = true;
		return;
	}
	int scale = corm_decimal_scale(d);
	/* the coefficient's digits (Decimal._int) and exponent (Decimal._exp) */
	const char *p = plain;
	bool neg = *p == '-';
	if (neg || *p == '+')
		p++;
	corm_buf coef = CORM_BUF_INIT;
	for (; *p; p++)
		if (*p >= '0' && *p <= '9' && !(coef.len == 0 && *p == '0'))
			corm_buf_putc(&coef, *p);
	if (coef.len == 0)
		corm_buf_putc(&coef, '0');
	if (scale < 0 && !coef.oom && coef.len > (size_t)-scale && strcmp(coef.ptr, "0") != 0) {
		/* plain text spells out a positive exponent as trailing zeros */
		coef.len -= (size_t)-scale;
		coef.ptr[coef.len] = '\0';
	}
	corm__free(plain);
	const char *digits = corm_buf_cstr(&coef);
	if (!digits) {
		b->oom = true;
		corm_buf_free(&coef);
		return;
	}
	long exp = -(long)scale, len = (long)coef.len;
	long leftdigits = exp + len, dotplace;
	if (exp <= 0 && leftdigits > -6)
		dotplace = leftdigits;
	else
		dotplace = 1;
	corm_buf_puts(b, "Decimal('");
	if (neg)
		corm_buf_putc(b, '-');
	if (dotplace <= 0) {
		corm_buf_puts(b, "0.");
		for (long i = 0; i < -dotplace; i++)
			corm_buf_putc(b, '0');
		corm_buf_puts(b, digits);
	} else if (dotplace >= len) {
		corm_buf_puts(b, digits);
		for (long i = len; i < dotplace; i++)
			corm_buf_putc(b, '0');
	} else {
		corm_buf_put(b, digits, (size_t)dotplace);
		corm_buf_putc(b, '.');
		corm_buf_puts(b, digits + dotplace);
	}
	if (leftdigits != dotplace)
		corm_buf_printf(b, "E%+ld", leftdigits - dotplace);
	corm_buf_puts(b, "')");
	corm_buf_free(&coef);
}

/* repr() of a value json.loads() would give: dict, list, str, int, float, bool, None. */
static void repr_json(corm_buf *b, const json_t *j, int depth)
{
	if (depth > 256) { /* bound the recursion on hand-built, deeply nested values */
		corm_buf_puts(b, "...");
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		bool first = true;
		corm_buf_putc(b, '{');
		json_object_foreach((json_t *)j, key, val)
		{
			if (!first)
				corm_buf_puts(b, ", ");
			first = false;
			repr_str_n(b, key, strlen(key));
			corm_buf_puts(b, ": ");
			repr_json(b, val, depth + 1);
		}
		corm_buf_putc(b, '}');
		break;
	}
	case JSON_ARRAY:
		corm_buf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				corm_buf_puts(b, ", ");
			repr_json(b, json_array_get(j, i), depth + 1);
		}
		corm_buf_putc(b, ']');
		break;
	case JSON_STRING:
		repr_str_n(b, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		corm_buf_int(b, (int64_t)json_integer_value(j));
		break;
	case JSON_REAL:
		repr_float(b, json_real_value(j));
		break;
	case JSON_TRUE:
		corm_buf_puts(b, "True");
		break;
	case JSON_FALSE:
		corm_buf_puts(b, "False");
		break;
	case JSON_NULL:
		corm_buf_puts(b, "None");
		break;
	}
}

/* Python's datetime.time repr arguments: "h, m[, s[, us]]". */
static void repr_clock(corm_buf *b, int64_t us_of_day)
{
	int64_t secs = us_of_day / 1000000, us = us_of_day % 1000000;
	corm_buf_printf(b, "%d, %d", (int)(secs / 3600), (int)(secs / 60 % 60));
	if (secs % 60 || us)
		corm_buf_printf(b, ", %d", (int)(secs % 60));
	if (us)
		corm_buf_printf(b, ", %d", (int)us);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void repr_value(corm_buf *b, const corm_value *v)
{
	switch (v->type) {
	case CORM_TYPE_NULL:
		corm_buf_puts(b, "None");
		break;
	case CORM_TYPE_INT:
		corm_buf_int(b, v->u.i);
		break;
	case CORM_TYPE_FLOAT:
		repr_float(b, v->u.f);
		break;
	case CORM_TYPE_BOOL:
		corm_buf_puts(b, v->u.b ? "True" : "False");
		break;
	case CORM_TYPE_TEXT:
		repr_str_n(b, v->u.text, strlen(v->u.text));
		break;
	case CORM_TYPE_DECIMAL:
		repr_decimal(b, v->u.decimal);
		break;
	case CORM_TYPE_DATE: {
		int y, m, d;
		corm_date_to_ymd(v->u.date, &y, &m, &d);
		corm_buf_printf(b, "datetime.date(%d, %d, %d)", y, m, d);
		break;
	}
	case CORM_TYPE_DATETIME: {
		/* aware in UTC: Django 3.2's timezone.utc is pytz.utc */
		int64_t days = floor_div(v->u.datetime.us, 86400000000LL);
		int y, m, d;
		corm_date_to_ymd((corm_date){(int32_t)days}, &y, &m, &d);
		corm_buf_printf(b, "datetime.datetime(%d, %d, %d, ", y, m, d);
		repr_clock(b, v->u.datetime.us - days * 86400000000LL);
		corm_buf_puts(b, ", tzinfo=<UTC>)");
		break;
	}
	case CORM_TYPE_TIME:
		corm_buf_puts(b, "datetime.time(");
		repr_clock(b, v->u.time.us);
		corm_buf_putc(b, ')');
		break;
	case CORM_TYPE_DURATION: {
		/* timedelta normalises to days (signed), 0 <= seconds < 86400, 0 <= us < 10**6 */
		int64_t us = v->u.duration.us;
		int64_t days = floor_div(us, 86400000000LL);
		int64_t rest = us - days * 86400000000LL;
		int64_t secs = rest / 1000000, micro = rest % 1000000;
		const char *sep = "";
		corm_buf_puts(b, "datetime.timedelta(");
		if (days) {
			corm_buf_printf(b, "days=%lld", (long long)days);
			sep = ", ";
		}
		if (secs) {
			corm_buf_printf(b, "%sseconds=%lld", sep, (long long)secs);
			sep = ", ";
		}
		if (micro)
			corm_buf_printf(b, "%smicroseconds=%lld", sep, (long long)micro);
		if (!days && !secs && !micro)
			corm_buf_putc(b, '0');
		corm_buf_putc(b, ')');
		break;
	}
	case CORM_TYPE_UUID: {
		char tmp[CORM_UUID_STRLEN];
		corm_uuid_format(v->u.uuid, tmp);
		corm_buf_printf(b, "UUID('%s')", tmp);
		break;
	}
	case CORM_TYPE_JSON:
		repr_json(b, v->u.json, 0);
		break;
	case CORM_TYPE_BYTES: {
		corm_buf_puts(b, "b'");
		for (size_t i = 0; i < v->u.bytes.len; i++) {
			uint8_t c = v->u.bytes.data[i];
			if (c == '\'' || c == '\\')
				corm_buf_printf(b, "\\%c", c);
			else if (c == '\t')
				corm_buf_puts(b, "\\t");
			else if (c == '\n')
				corm_buf_puts(b, "\\n");
			else if (c == '\r')
				corm_buf_puts(b, "\\r");
			else if (c < 0x20 || c >= 0x7F)
				corm_buf_printf(b, "\\x%02x", c);
			else
				corm_buf_putc(b, (char)c);
		}
		corm_buf_putc(b, '\'');
		break;
	}
	default:
		corm__value_display(b, v);
		break;
	}
}

/* ---- Python equality, for `value == option_key` ------------------------ */

/* json values compared as the Python objects json.loads() makes (True == 1 == 1.0). */
static bool json_py_number(const json_t *j, double *d, json_int_t *i, bool *is_int)
{
	switch (json_typeof(j)) {
	case JSON_INTEGER:
		*i = json_integer_value(j), *is_int = true;
		return true;
	case JSON_TRUE:
		*i = 1, *is_int = true;
		return true;
	case JSON_FALSE:
		*i = 0, *is_int = true;
		return true;
	case JSON_REAL:
		*d = json_real_value(j), *is_int = false;
		return true;
	default:
		return false;
	}
}

static bool json_py_eq(const json_t *a, const json_t *b)
{
	double da, db;
	json_int_t ia, ib;
	bool inta, intb;
	if (json_py_number(a, &da, &ia, &inta) && json_py_number(b, &db, &ib, &intb)) {
		if (inta && intb)
			return ia == ib;
		if (!inta && !intb)
			return da == db;
		double r = inta ? db : da;
		json_int_t k = inta ? ia : ib;
		/* exact int/float comparison, as Python does */
		return r >= -9223372036854775808.0 && r < 9223372036854775808.0 &&
		       (double)(json_int_t)r == r && (json_int_t)r == k;
	}
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_NULL:
		return true;
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) ==
		               0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_py_eq(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)a, key, val)
		{
			json_t *other = json_object_get(b, key);
			if (!other || !json_py_eq(val, other))
				return false;
		}
		return true;
	}
	default:
		return false;
	}
}

static bool value_eq(const corm_value *a, const corm_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CORM_TYPE_NULL:
		return true;
	case CORM_TYPE_INT:
		return a->u.i == b->u.i;
	case CORM_TYPE_FLOAT:
		return a->u.f == b->u.f;
	case CORM_TYPE_BOOL:
		return a->u.b == b->u.b;
	case CORM_TYPE_TEXT:
		return strcmp(a->u.text, b->u.text) == 0;
	case CORM_TYPE_DECIMAL:
		return corm_decimal_cmp(a->u.decimal, b->u.decimal) == 0;
	case CORM_TYPE_DATE:
		return a->u.date.days == b->u.date.days;
	case CORM_TYPE_DATETIME:
		return a->u.datetime.us == b->u.datetime.us;
	case CORM_TYPE_TIME:
		return a->u.time.us == b->u.time.us;
	case CORM_TYPE_DURATION:
		return a->u.duration.us == b->u.duration.us;
	case CORM_TYPE_UUID:
		return memcmp(a->u.uuid.bytes, b->u.uuid.bytes, 16) == 0;
	case CORM_TYPE_BYTES:
		return a->u.bytes.len == b->u.bytes.len &&
		       (a->u.bytes.len == 0 ||
		        memcmp(a->u.bytes.data, b->u.bytes.data, a->u.bytes.len) == 0);
	case CORM_TYPE_JSON:
		return json_py_eq(a->u.json, b->u.json);
	default:
		return false;
	}
}

/* ---- the field checks --------------------------------------------------- */

/* `value is None`: SQL NULL, or JSON null (json.loads('null') is None). */
static bool is_none(const corm_value *v)
{
	return v->type == CORM_TYPE_NULL || (v->type == CORM_TYPE_JSON && json_is_null(v->u.json));
}

/* `value in field.empty_values`: None, '', [], (), {} (b'' for BinaryField). */
static bool is_empty(const corm_value *v)
{
	if (is_none(v))
		return true;
	switch (v->type) {
	case CORM_TYPE_TEXT:
		return v->u.text[0] == '\0';
	case CORM_TYPE_BYTES:
		return v->u.bytes.len == 0;
	case CORM_TYPE_JSON:
		return (json_is_object(v->u.json) && json_object_size(v->u.json) == 0) ||
		       (json_is_array(v->u.json) && json_array_size(v->u.json) == 0) ||
		       (json_is_string(v->u.json) && json_string_length(v->u.json) == 0);
	default:
		return false;
	}
}

/* ngettext with English plural rules: singular only for exactly 1. */
static const char *plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* MaxLengthValidator; `length` is len(value). */
static int check_max_length(collector *col, const char *field, int64_t limit, size_t length)
{
	if ((int64_t)length <= limit)
		return CORM_OK;
	corm_buf b = CORM_BUF_INIT;
	corm_buf_printf(&b, "Ensure this value has at most %lld %s (it has %zu).", (long long)limit,
	                plural(limit, "character", "characters"), length);
	return add_buf_error(col, field, &b);
}

/* DecimalValidator(max_digits, decimal_places): the first failing rule only. */
static int check_decimal(collector *col, const corm_fmeta *fm, const corm_decimal *d)
{
	int digits, decimals, whole;
	int max_digits = fm->decl->max_digits, places = fm->decl->decimal_places;
	corm_decimal_digits(d, &digits, &decimals, &whole);
	corm_buf b = CORM_BUF_INIT;
	if (digits > max_digits)
		corm_buf_printf(&b, "Ensure that there are no more than %d %s in total.",
		                max_digits, plural(max_digits, "digit", "digits"));
	else if (decimals > places)
		corm_buf_printf(&b, "Ensure that there are no more than %d %s.", places,
		                plural(places, "decimal place", "decimal places"));
	else if (whole > max_digits - places)
		corm_buf_printf(
		        &b, "Ensure that there are no more than %d %s before the decimal point.",
		        max_digits - places, plural(max_digits - places, "digit", "digits"));
	else
		return CORM_OK;
	return add_buf_error(col, fm->name, &b);
}

/* IntegerField's MinValueValidator/MaxValueValidator from integer_field_range(). */
static int check_int_range(collector *col, const corm_fmeta *fm, int64_t value)
{
	int64_t lo, hi;
	switch (fm->kind) {
	case CORM_FIELD_SMALLINT:
		lo = -32768, hi = 32767;
		break;
	case CORM_FIELD_INT:
		lo = INT32_MIN, hi = INT32_MAX;
		break;
	case CORM_FIELD_POSITIVE_INT:
		lo = 0, hi = INT32_MAX;
		break;
	default:
		return CORM_OK; /* BigIntegerField's range is int64's */
	}
	corm_buf b = CORM_BUF_INIT;
	if (value < lo)
		corm_buf_printf(&b, "Ensure this value is greater than or equal to %lld.",
		                (long long)lo);
	else if (value > hi)
		corm_buf_printf(&b, "Ensure this value is less than or equal to %lld.",
		                (long long)hi);
	else
		return CORM_OK;
	return add_buf_error(col, fm->name, &b);
}

/* Turns a validator's 1/0/ENOMEM into an added message. */
static int format_check(collector *col, const char *field, int valid, const char *message)
{
	if (valid < 0)
		return valid;
	return valid ? CORM_OK : add_error(col, field, message);
}

static bool slug_valid(const char *s)
{
	/* ^[-a-zA-Z0-9_]+\Z */
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* Field.run_validators(): every validator runs, each adding its message. */
static int run_validators(collector *col, const corm_fmeta *fm, const corm_value *v)
{
	int rc = CORM_OK;
	switch (fm->kind) {
	case CORM_FIELD_EMAIL:
		rc = format_check(col, fm->name, email_valid(v->u.text),
		                  "Enter a valid email address.");
		break;
	case CORM_FIELD_URL:
		rc = format_check(col, fm->name, url_valid(v->u.text), "Enter a valid URL.");
		break;
	case CORM_FIELD_SLUG:
		rc = format_check(col, fm->name, slug_valid(v->u.text),
		                  "Enter a valid \xe2\x80\x9cslug\xe2\x80\x9d consisting of "
		                  "letters, numbers, "
		                  "underscores or hyphens.");
		break;
	case CORM_FIELD_DECIMAL:
		return check_decimal(col, fm, v->u.decimal);
	case CORM_FIELD_SMALLINT:
	case CORM_FIELD_INT:
	case CORM_FIELD_POSITIVE_INT:
	case CORM_FIELD_BIGINT:
		return check_int_range(col, fm, v->u.i);
	case CORM_FIELD_BINARY:
		/* BinaryField adds MaxLengthValidator only when max_length is given */
		if (fm->decl->max_length > 0)
			return check_max_length(col, fm->name, fm->decl->max_length,
			                        v->u.bytes.len);
		return CORM_OK;
	default:
		break;
	}
	if (rc)
		return rc;
	/* CharField's MaxLengthValidator comes after the default validators */
	switch (fm->kind) {
	case CORM_FIELD_CHAR:
	case CORM_FIELD_SLUG:
	case CORM_FIELD_EMAIL:
	case CORM_FIELD_URL:
		if (fm->max_length > 0)
			return check_max_length(col, fm->name, fm->max_length, cp_count(v->u.text));
		return CORM_OK;
	default:
		return CORM_OK;
	}
}

/* Model.clean_fields() for one field: the blank skip, Field.validate(), run_validators(). */
static int clean_field(collector *col, const corm_fmeta *fm, const void *inst)
{
	const corm_field *decl = fm->decl;
	corm_value v;
	corm__member_get(fm, inst, &v);
	/* an unset foreign key (id 0, as corm_new leaves it) is Django's author_id = None */
	if (fm->kind == CORM_FIELD_FK && v.type == CORM_TYPE_INT && v.u.i == 0)
		v = corm_v_null();
	/* auto_now/auto_now_add imply editable=False, blank=True; BinaryField defaults to
	 * editable=False */
	bool auto_date = decl->auto_now || decl->auto_now_add;
	bool editable = !decl->editable_false && !auto_date && fm->kind != CORM_FIELD_BINARY;
	bool blank = decl->blank || auto_date;
	bool empty = is_empty(&v);
	if (blank && empty)
		return CORM_OK;
	if (editable) {
		/* Field.validate(): choices, then null, then blank; it raises the first */
		if (decl->choices && !empty) {
			bool found = false;
			for (size_t i = 0; i < fm->nchoices && !found; i++)
				found = value_eq(&v, &fm->choice_values[i]);
			if (!found) {
				corm_buf b = CORM_BUF_INIT;
				corm_buf_puts(&b, "Value ");
				repr_value(&b, &v);
				corm_buf_puts(&b, " is not a valid choice.");
				return add_buf_error(col, fm->name, &b);
			}
		}
		if (is_none(&v) && !fm->nullable)
			return add_error(col, fm->name, "This field cannot be null.");
		if (!blank && empty)
			return add_error(col, fm->name, "This field cannot be blank.");
	}
	if (empty)
		return CORM_OK;
	return run_validators(col, fm, &v);
}

static bool excluded(const char *const *exclude, const char *name)
{
	for (; exclude && *exclude; exclude++)
		if (strcmp(*exclude, name) == 0)
			return true;
	return false;
}

int corm_full_clean(const void *instance, const char *const *exclude, corm_validation **errors)
{
	if (errors)
		*errors = NULL;
	if (!instance)
		return CORM_EINVAL;
	const corm_obj *obj = instance;
	const corm_meta *meta = corm__meta(obj->model);
	if (!meta)
		return CORM_EINVAL;
	collector col = {NULL, 0};
	if (errors) {
		col.list = corm__calloc(1, sizeof(corm_validation));
		if (!col.list)
			return CORM_ENOMEM;
	}
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		/* AutoField.validate() is a no-op and its value comes from the database */
		if (fm->kind == CORM_FIELD_AUTO || fm->kind == CORM_FIELD_BIGAUTO ||
		    excluded(exclude, fm->name))
			continue;
		int rc = clean_field(&col, fm, instance);
		if (rc) {
			corm_validation_free(col.list);
			return rc;
		}
	}
	if (!col.count) {
		corm_validation_free(col.list);
		return CORM_OK;
	}
	if (errors)
		*errors = col.list;
	return CORM_EVALIDATION;
}

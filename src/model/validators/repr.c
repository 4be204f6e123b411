/* Python repr() of values, for "Value %(value)r is not a valid choice." */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

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
		uint32_t c = corm__utf8_next((const unsigned char *)s, n, &i);
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
			corm__utf8_put(b, c);
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

void corm__repr_value(corm_buf *b, const corm_value *v)
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

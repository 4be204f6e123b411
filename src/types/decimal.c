/*
 * types/decimal.c - exact decimals: a GMP integer coefficient scaled by a
 * power of ten, following Python's decimal.Decimal for finite values.
 *
 * GMP allocates the coefficient's limbs through its own allocator (and aborts
 * if that fails); corm's allocator is used for the struct and for text.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "corm/types.h"
#include "util/alloc.h"

/* value = coef * 10^exp, so the scale (digits after the point) is -exp. */
struct corm_decimal {
	mpz_t coef;
	int32_t exp;
};

/*
 * The largest |exp| corm keeps. Text is always plain notation, so an exponent
 * is paid for in characters ("1E+999999" prints a million digits); the bound
 * keeps hostile input from asking for gigabytes and keeps exponent arithmetic
 * far from int32 overflow. It matches Python's default context (Emax 999999).
 */
#define EXP_LIMIT 999999

#define EXPONENT_SATURATION (INT64_C(1) << 58)

static bool exp_in_range(int64_t exp)
{
	return exp >= -EXP_LIMIT && exp <= EXP_LIMIT;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A zero decimal with exponent 0, or NULL when out of memory. */
static corm_decimal *decimal_new(void)
{
	corm_decimal *d = corm__alloc(sizeof(*d));

	if (!d)
		return NULL;
	mpz_init(d->coef);
	d->exp = 0;
	return d;
}

CORM_EXTERN(void) corm_decimal_free(corm_decimal *d)
{
	if (!d)
		return;
	mpz_clear(d->coef);
	corm__free(d);
}

/* rop = op * 10^k. */
static void mul_pow10(mpz_t rop, const mpz_t op, unsigned long k)
{
	mpz_t p;

	mpz_init(p);
	mpz_ui_pow_ui(p, 10, k);
	mpz_mul(rop, op, p);
	mpz_clear(p);
}

/* ---- parsing ---------------------------------------------------------- */

/*
 * Reads the exponent after 'e' (sign included). The value saturates at 2^58:
 * far past EXP_LIMIT, yet no possible count of fraction digits can bring a
 * saturated exponent back into range. Returns the bytes used, or 0 when there
 * is no digit.
 */
static size_t read_exponent(const char *s, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;
	bool neg = false;

	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	if (!is_digit(s[i]))
		return 0;
	for (; is_digit(s[i]); i++) {
		if (v < EXPONENT_SATURATION)
			v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return i;
}

/*
 * Copies the sign and every digit of "[+-]ddd[.ddd]" (point dropped) into a
 * NUL-terminated buffer for mpz_set_str. CORM_ENOMEM on failure.
 */
static int collect_digits(char **out, const char *s, size_t len)
{
	char *buf = corm__alloc(len + 1);
	size_t n = 0;

	if (!buf)
		return CORM_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '.' && s[i] != '+')
			buf[n++] = s[i];
	}
	buf[n] = '\0';
	*out = buf;
	return CORM_OK;
}

/*
 * Python's grammar for finite decimals: [sign] (digits [. [digits]] | . digits)
 * [(e|E) [sign] digits], with no surrounding whitespace and (unlike Python) no
 * '_' digit separators, NaN or Infinity.
 */
static int parse_into(corm_decimal *d, const char *text)
{
	size_t i = 0, ndigits = 0, nfrac = 0, mantissa_len;
	int64_t exponent = 0;
	char *digits;
	int rc;

	if (text[i] == '+' || text[i] == '-')
		i++;
	for (; is_digit(text[i]); i++)
		ndigits++;
	if (text[i] == '.') {
		for (i++; is_digit(text[i]); i++)
			nfrac++;
	}
	if (ndigits + nfrac == 0)
		return CORM_EINVAL;
	mantissa_len = i;
	if (text[i] == 'e' || text[i] == 'E') {
		size_t n = read_exponent(text + i + 1, &exponent);

		if (n == 0)
			return CORM_EINVAL;
		i += 1 + n;
	}
	if (text[i] != '\0')
		return CORM_EINVAL;
	exponent -= (int64_t)nfrac;
	if (!exp_in_range(exponent))
		return CORM_EINVAL;

	rc = collect_digits(&digits, text, mantissa_len);
	if (rc != CORM_OK)
		return rc;
	/* Cannot fail: the buffer is an optional '-' and at least one digit. */
	mpz_set_str(d->coef, digits, 10);
	corm__free(digits);
	d->exp = (int32_t)exponent;
	return CORM_OK;
}

CORM_EXTERN(int) corm_decimal_parse(corm_decimal **out, const char *text)
{
	corm_decimal *d;
	int rc;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!text)
		return CORM_EINVAL;
	d = decimal_new();
	if (!d)
		return CORM_ENOMEM;
	rc = parse_into(d, text);
	if (rc != CORM_OK) {
		corm_decimal_free(d);
		return rc;
	}
	*out = d;
	return CORM_OK;
}

CORM_EXTERN(int) corm_decimal_from_int(corm_decimal **out, int64_t value)
{
	corm_decimal *d;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	d = decimal_new();
	if (!d)
		return CORM_ENOMEM;
#if LONG_MAX >= INT64_MAX
	mpz_set_si(d->coef, (long)value);
#else
	{
		/* long is narrower than int64_t: import the magnitude's bytes. */
		uint64_t mag = value < 0 ? -(uint64_t)value : (uint64_t)value;

		mpz_import(d->coef, 1, 1, sizeof(mag), 0, 0, &mag);
		if (value < 0)
			mpz_neg(d->coef, d->coef);
	}
#endif
	*out = d;
	return CORM_OK;
}

CORM_EXTERN(int) corm_decimal_copy(corm_decimal **out, const corm_decimal *src)
{
	corm_decimal *d;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!src)
		return CORM_EINVAL;
	d = decimal_new();
	if (!d)
		return CORM_ENOMEM;
	mpz_set(d->coef, src->coef);
	d->exp = src->exp;
	*out = d;
	return CORM_OK;
}

/* ---- text ------------------------------------------------------------- */

/* The coefficient's decimal text with its '-' sign; corm__free it. */
static char *coef_text(const mpz_t coef)
{
	char *buf = corm__alloc(mpz_sizeinbase(coef, 10) + 2);

	if (buf)
		mpz_get_str(buf, 10, coef);
	return buf;
}

/*
 * Lays out plain notation like format(Decimal, 'f'): digits then exp zeros
 * for exp >= 0 (but a zero stays "0"), otherwise a point exp places from the
 * right with leading zeros as needed ("0.001").
 */
static char *plain_text(const char *digits, bool neg, int32_t exp)
{
	size_t ndig = strlen(digits);
	bool zero = ndig == 1 && digits[0] == '0';
	size_t zeros = 0, len;
	char *out, *p;

	if (exp >= 0) {
		zeros = zero ? 0 : (size_t)exp;
		len = neg + ndig + zeros;
	} else if (ndig > (size_t)-exp) {
		len = neg + ndig + 1;
	} else {
		zeros = (size_t)-exp - ndig; /* between the point and the digits */
		len = neg + 2 + zeros + ndig;
	}
	out = corm_malloc(len + 1);
	if (!out)
		return NULL;
	p = out;
	if (neg)
		*p++ = '-';
	if (exp >= 0) {
		memcpy(p, digits, ndig);
		memset(p + ndig, '0', zeros);
	} else if (ndig > (size_t)-exp) {
		size_t whole = ndig - (size_t)-exp;

		memcpy(p, digits, whole);
		p[whole] = '.';
		memcpy(p + whole + 1, digits + whole, ndig - whole);
	} else {
		memcpy(p, "0.", 2);
		memset(p + 2, '0', zeros);
		memcpy(p + 2 + zeros, digits, ndig);
	}
	out[len] = '\0';
	return out;
}

CORM_EXTERN(char *) corm_decimal_to_string(const corm_decimal *d)
{
	char *coef, *out;

	if (!d)
		return NULL;
	coef = coef_text(d->coef);
	if (!coef)
		return NULL;
	out = plain_text(coef + (coef[0] == '-'), coef[0] == '-', d->exp);
	corm__free(coef);
	return out;
}

CORM_EXTERN(double) corm_decimal_to_double(const corm_decimal *d)
{
	char *buf;
	size_t len;
	double v;

	if (!d)
		return NAN;
	/* "<coef>e<exp>" has no decimal point, so strtod reads it the same in
	 * every locale, and glibc rounds it correctly. */
	buf = corm__alloc(mpz_sizeinbase(d->coef, 10) + 2 + 16);
	if (!buf)
		return NAN;
	mpz_get_str(buf, 10, d->coef);
	len = strlen(buf);
	snprintf(buf + len, 16, "e%ld", (long)d->exp);
	v = strtod(buf, NULL);
	corm__free(buf);
	return v;
}

/* ---- arithmetic ------------------------------------------------------- */

/* Both coefficients brought to the smaller exponent, which is returned. */
static int32_t align(mpz_t x, mpz_t y, const corm_decimal *a, const corm_decimal *b)
{
	int32_t exp = a->exp < b->exp ? a->exp : b->exp;

	mul_pow10(x, a->coef, (unsigned long)((int64_t)a->exp - exp));
	mul_pow10(y, b->coef, (unsigned long)((int64_t)b->exp - exp));
	return exp;
}

CORM_EXTERN(int) corm_decimal_cmp(const corm_decimal *a, const corm_decimal *b)
{
	int sa, sb, r;
	mpz_t x, y;

	if (!a || !b) /* NULL sorts first, like SQL NULLS FIRST */
		return (a != NULL) - (b != NULL);
	sa = mpz_sgn(a->coef);
	sb = mpz_sgn(b->coef);
	/* Signs settle most comparisons without scaling anything. */
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (sa == 0)
		return 0;
	mpz_inits(x, y, NULL);
	align(x, y, a, b);
	r = mpz_cmp(x, y);
	mpz_clears(x, y, NULL);
	return (r > 0) - (r < 0);
}

/* *out = a + b, or a - b when subtract is set. */
static int add_or_sub(corm_decimal **out, const corm_decimal *a, const corm_decimal *b,
                      bool subtract)
{
	corm_decimal *d;
	mpz_t x, y;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!a || !b)
		return CORM_EINVAL;
	d = decimal_new();
	if (!d)
		return CORM_ENOMEM;
	mpz_inits(x, y, NULL);
	d->exp = align(x, y, a, b);
	if (subtract)
		mpz_sub(d->coef, x, y);
	else
		mpz_add(d->coef, x, y);
	mpz_clears(x, y, NULL);
	*out = d;
	return CORM_OK;
}

CORM_EXTERN(int) corm_decimal_add(corm_decimal **out, const corm_decimal *a, const corm_decimal *b)
{
	return add_or_sub(out, a, b, false);
}

CORM_EXTERN(int) corm_decimal_sub(corm_decimal **out, const corm_decimal *a, const corm_decimal *b)
{
	return add_or_sub(out, a, b, true);
}

CORM_EXTERN(int) corm_decimal_mul(corm_decimal **out, const corm_decimal *a, const corm_decimal *b)
{
	corm_decimal *d;
	int64_t exp;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!a || !b)
		return CORM_EINVAL;
	/* Scales add up; refuse results past the exponent bound. */
	exp = (int64_t)a->exp + b->exp;
	if (!exp_in_range(exp))
		return CORM_EINVAL;
	d = decimal_new();
	if (!d)
		return CORM_ENOMEM;
	mpz_mul(d->coef, a->coef, b->coef);
	d->exp = (int32_t)exp;
	*out = d;
	return CORM_OK;
}

/* coef = coef / 10^k rounded half to even (k >= 1). */
static void div_pow10_half_even(mpz_t coef, unsigned long k)
{
	mpz_t p, r;
	int sign = mpz_sgn(coef);
	int c;

	mpz_inits(p, r, NULL);
	mpz_ui_pow_ui(p, 10, k);
	/* Truncating division: the remainder takes the coefficient's sign. */
	mpz_tdiv_qr(coef, r, coef, p);
	mpz_abs(r, r);
	mpz_mul_2exp(r, r, 1); /* compare 2|r| with 10^k: above, at or below half */
	c = mpz_cmp(r, p);
	if (c > 0 || (c == 0 && mpz_odd_p(coef))) {
		if (sign < 0)
			mpz_sub_ui(coef, coef, 1);
		else
			mpz_add_ui(coef, coef, 1);
	}
	mpz_clears(p, r, NULL);
}

CORM_EXTERN(int) corm_decimal_quantize(corm_decimal *d, int places)
{
	int64_t exp = -(int64_t)places;

	if (!d || !exp_in_range(exp))
		return CORM_EINVAL;
	if (exp <= d->exp)
		mul_pow10(d->coef, d->coef, (unsigned long)(d->exp - exp));
	else
		div_pow10_half_even(d->coef, (unsigned long)(exp - d->exp));
	d->exp = (int32_t)exp;
	return CORM_OK;
}

/* ---- digit counts ----------------------------------------------------- */

CORM_EXTERN(int) corm_decimal_scale(const corm_decimal *d)
{
	return d ? -d->exp : 0;
}

/* len(Decimal.as_tuple().digits): the coefficient's digits, 1 for zero. */
static int64_t coef_digit_count(const mpz_t coef)
{
	size_t n;
	mpz_t p;

	if (mpz_sgn(coef) == 0)
		return 1;
	/* mpz_sizeinbase may overstate base-10 sizes by one; check against 10^(n-1). */
	n = mpz_sizeinbase(coef, 10);
	if (n > 1) {
		mpz_init(p);
		mpz_ui_pow_ui(p, 10, n - 1);
		if (mpz_cmpabs(coef, p) < 0)
			n--;
		mpz_clear(p);
	}
	return (int64_t)n;
}

/*
 * django.core.validators.DecimalValidator.__call__ (Django 3.2) on
 * as_tuple(), with no special case for zero: "0" is 1 digit, "0.00" is
 * 2 digits and 2 decimals, "0E+2" is 3 digits.
 */
static void django_digit_counts(const corm_decimal *d, int64_t *digits, int64_t *decimals)
{
	int64_t ndig = coef_digit_count(d->coef);
	int64_t exp = d->exp;

	if (exp >= 0) {
		/* A positive exponent adds that many trailing zeros. */
		*digits = ndig + exp;
		*decimals = 0;
	} else if (-exp > ndig) {
		/* All digits are decimals, after -exp - ndig leading zeros. */
		*digits = *decimals = -exp;
	} else {
		*digits = ndig;
		*decimals = -exp;
	}
}

static int clamp_int(int64_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

CORM_EXTERN(void)
corm_decimal_digits(const corm_decimal *d, int *digits, int *decimals, int *whole_digits)
{
	int64_t n = 0, dec = 0;

	if (d)
		django_digit_counts(d, &n, &dec);
	if (digits)
		*digits = clamp_int(n);
	if (decimals)
		*decimals = clamp_int(dec);
	if (whole_digits)
		*whole_digits = clamp_int(n - dec);
}

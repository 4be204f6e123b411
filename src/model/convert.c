/*
 * Converting values: user values to a field's storage type (Django's
 * get_prep_value/to_python), and values to and from struct members.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/query.h"
#include "corm/sys/backend.h"
#include "model/instance.h"
#include "model/ext.h"
#include "model/meta.h"
#include "util/alloc.h"

/* '...' with every ' doubled: a standard SQL string literal. */
static void standard_literal(corm_buf *b, const char *text, size_t len)
{
	corm_buf_putc(b, '\'');
	for (const char *p = text, *end = text + len; p < end;) {
		const char *q = memchr(p, '\'', (size_t)(end - p));
		size_t n = q ? (size_t)(q - p) + 1 : (size_t)(end - p);
		corm_buf_put(b, p, n);
		if (q)
			corm_buf_putc(b, '\'');
		p += n;
	}
	corm_buf_putc(b, '\'');
}

void corm__value_sql_literal(corm_buf *b, const corm_backend *be, const corm_value *v)
{
	void (*quote)(corm_buf *, const char *, size_t) =
	        be && be->quote_value ? be->quote_value : standard_literal;
	char tmp[64];
	size_t n;
	switch (v->type) {
	case CORM_TYPE_TEXT:
		quote(b, v->u.text, strlen(v->u.text));
		return;
	case CORM_TYPE_JSON: {
		char *s = corm__json_dumps(v->u.json, JSON_ENCODE_ANY | JSON_COMPACT, &n);
		if (s)
			quote(b, s, n);
		else
			b->oom = true;
		corm__free(s);
		return;
	}
	case CORM_TYPE_DATE:
		n = corm_date_format(v->u.date, tmp);
		quote(b, tmp, n);
		return;
	case CORM_TYPE_DATETIME:
		n = corm_datetime_format(v->u.datetime, tmp);
		quote(b, tmp, n);
		return;
	case CORM_TYPE_TIME:
		n = corm_time_format(v->u.time, tmp);
		quote(b, tmp, n);
		return;
	case CORM_TYPE_UUID:
		n = corm_uuid_hex(v->u.uuid, tmp);
		quote(b, tmp, n);
		return;
	case CORM_TYPE_BOOL:
		corm_buf_puts(b, v->u.b ? "TRUE" : "FALSE");
		return;
	case CORM_TYPE_BYTES: {
		static const char hex[] = "0123456789abcdef";
		corm_buf_puts(b, be && be->bytes_literal_start ? be->bytes_literal_start : "X'");
		if (!corm_buf_reserve(b, 2 * v->u.bytes.len))
			return;
		for (size_t i = 0; i < v->u.bytes.len; i++) {
			b->ptr[b->len++] = hex[v->u.bytes.data[i] >> 4];
			b->ptr[b->len++] = hex[v->u.bytes.data[i] & 15];
		}
		b->ptr[b->len] = '\0';
		corm_buf_puts(b, be && be->bytes_literal_end ? be->bytes_literal_end : "'");
		return;
	}
	default:
		corm__value_display(b, v);
		return;
	}
}

void corm__value_display(corm_buf *b, const corm_value *v)
{
	char tmp[64];
	switch (v->type) {
	case CORM_TYPE_NULL:
		corm_buf_puts(b, "NULL");
		break;
	case CORM_TYPE_INT:
		corm_buf_int(b, v->u.i);
		break;
	case CORM_TYPE_FLOAT:
		corm_buf_printf(b, "%.17g", v->u.f);
		break;
	case CORM_TYPE_BOOL:
		corm_buf_puts(b, v->u.b ? "True" : "False");
		break;
	case CORM_TYPE_TEXT:
		standard_literal(b, v->u.text, strlen(v->u.text));
		break;
	case CORM_TYPE_BYTES:
		corm_buf_printf(b, "<%zu bytes>", v->u.bytes.len);
		break;
	case CORM_TYPE_DECIMAL: {
		char *s = corm_decimal_to_string(v->u.decimal);
		corm_buf_puts(b, s ? s : "?");
		corm__free(s);
		break;
	}
	case CORM_TYPE_DATE:
		corm_date_format(v->u.date, tmp);
		corm_buf_printf(b, "'%s'", tmp);
		break;
	case CORM_TYPE_DATETIME:
		corm_datetime_format(v->u.datetime, tmp);
		corm_buf_printf(b, "'%s'", tmp);
		break;
	case CORM_TYPE_TIME:
		corm_time_format(v->u.time, tmp);
		corm_buf_printf(b, "'%s'", tmp);
		break;
	case CORM_TYPE_DURATION:
		corm_buf_int(b, v->u.duration.us);
		break;
	case CORM_TYPE_UUID:
		corm_uuid_hex(v->u.uuid, tmp);
		corm_buf_printf(b, "'%s'", tmp);
		break;
	case CORM_TYPE_JSON: {
		size_t n;
		char *s = corm__json_dumps(v->u.json, JSON_ENCODE_ANY | JSON_COMPACT, &n);
		if (s)
			standard_literal(b, s, n);
		else
			b->oom = true;
		corm__free(s);
		break;
	}
	case CORM_TYPE_EXPR:
		corm_buf_puts(b, "<expression>");
		break;
	case CORM_TYPE_LIST:
		corm_buf_printf(b, "<list of %zu>", v->u.list.len);
		break;
	case CORM_TYPE_OBJECT: {
		const corm_obj *o = v->u.object;
		corm_buf_printf(b, "<%s instance>", o->meta ? o->meta->label : "unregistered");
		break;
	}
	}
}

/* "Field 'Post.view_count' expected a number but got 'abc'." */
static int type_error(const corm_fmeta *fm, const corm_value *in, const char *expected,
                      corm_err *err)
{
	corm_buf got = CORM_BUF_INIT;
	corm__value_display(&got, in);
	const char *g = corm_buf_cstr(&got);
	int len = g ? (int)strlen(g) : 0;
	corm__err_set(err, CORM_ETYPE, "Field '%s.%s' expected %s but got %.*s%s.",
	              fm->owner->model->name, fm->name, expected, len > 60 ? 60 : len, g ? g : "?",
	              len > 60 ? "..." : "");
	corm_buf_free(&got);
	return CORM_ETYPE;
}

static bool parse_int(const char *s, int64_t *out)
{
	errno = 0;
	char *end;
	while (*s == ' ')
		s++;
	long long v = strtoll(s, &end, 10);
	if (end == s || errno)
		return false;
	while (*end == ' ')
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

static bool parse_float(const char *s, double *out)
{
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || errno)
		return false;
	*out = v;
	return true;
}

static int coerce_int(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err)
{
	switch (in->type) {
	case CORM_TYPE_INT:
		*out = corm_v_int(in->u.i);
		return CORM_OK;
	case CORM_TYPE_BOOL:
		*out = corm_v_int(in->u.b);
		return CORM_OK;
	case CORM_TYPE_FLOAT:
		if (isfinite(in->u.f) && fabs(in->u.f) < 9.2e18) {
			*out = corm_v_int((int64_t)in->u.f); /* int(3.7) == 3, as Django does */
			return CORM_OK;
		}
		break;
	case CORM_TYPE_TEXT: {
		int64_t v;
		if (parse_int(in->u.text, &v)) {
			*out = corm_v_int(v);
			return CORM_OK;
		}
		break;
	}
	case CORM_TYPE_OBJECT:
		if (fm->kind == CORM_FIELD_FK) {
			const corm_obj *o = in->u.object;
			if (o->model == fm->related->model && o->meta) {
				const corm_fmeta *pk = o->meta->pk;
				corm_value v;
				corm__member_get(pk, o, &v);
				*out = v;
				return CORM_OK;
			}
			char what[200];
			snprintf(what, sizeof what, "a %s instance or id",
			         fm->related->model->name);
			return type_error(fm, in, what, err);
		}
		break;
	default:
		break;
	}
	if (fm->kind == CORM_FIELD_FK) {
		char what[200];
		snprintf(what, sizeof what, "a %s instance or id", fm->related->model->name);
		return type_error(fm, in, what, err);
	}
	return type_error(fm, in, "a number", err);
}

/* ---- what a column can hold ---- */

#define US_PER_DAY INT64_C(86400000000)
#define DAY_MIN    (-719162) /* 0001-01-01 */
#define DAY_MAX    2932896   /* 9999-12-31 */

static void int_range(const corm_fmeta *fm, int64_t *lo, int64_t *hi)
{
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	switch (fm->kind) {
	case CORM_FIELD_SMALLINT:
	case CORM_FIELD_POSITIVE_SMALLINT:
	case CORM_FIELD_SMALLAUTO:
		*lo = INT16_MIN, *hi = INT16_MAX;
		break;
	case CORM_FIELD_INT:
	case CORM_FIELD_POSITIVE_INT:
	case CORM_FIELD_AUTO:
		*lo = INT32_MIN, *hi = INT32_MAX;
		break;
	default:
		break;
	}
	if (fm->decl->size == 2 && *hi > INT16_MAX)
		*lo = INT16_MIN, *hi = INT16_MAX;
	else if (fm->decl->size == 4 && *hi > INT32_MAX)
		*lo = INT32_MIN, *hi = INT32_MAX;
}

int corm__int_fits_range(const corm_fmeta *fm, int64_t v)
{
	if (fm->kind == CORM_FIELD_FK)
		return 1;
	int64_t lo, hi;
	int_range(fm, &lo, &hi);
	return v >= lo && v <= hi;
}

int corm__int_unfit(const corm_fmeta *fm, int64_t v, corm_err *err)
{
	int64_t lo, hi;
	int_range(fm, &lo, &hi);
	return corm__err_set(err, CORM_ETYPE,
	                     "Field '%s' of %s expected an integer between %lld and %lld (%s) but "
	                     "got %lld.",
	                     fm->name, fm->owner->label, (long long)lo, (long long)hi,
	                     corm__kind_name(fm->kind), (long long)v);
}

/* Dates, datetimes and times that no backend can store (Python's own limits). */
static int check_temporal(const corm_fmeta *fm, const corm_value *v, corm_err *err)
{
	switch (v->type) {
	case CORM_TYPE_DATE:
		if (v->u.date.days < DAY_MIN || v->u.date.days > DAY_MAX)
			return corm__err_set(
			        err, CORM_ETYPE,
			        "Field '%s' of %s expected a date between 0001-01-01 and "
			        "9999-12-31 but got days=%ld.",
			        fm->name, fm->owner->label, (long)v->u.date.days);
		return CORM_OK;
	case CORM_TYPE_DATETIME:
		if (v->u.datetime.us < DAY_MIN * US_PER_DAY ||
		    v->u.datetime.us > (DAY_MAX + 1) * US_PER_DAY - 1)
			return corm__err_set(
			        err, CORM_ETYPE,
			        "Field '%s' of %s expected a datetime between 0001-01-01 "
			        "00:00:00 and 9999-12-31 23:59:59.999999 but got us=%lld.",
			        fm->name, fm->owner->label, (long long)v->u.datetime.us);
		return CORM_OK;
	case CORM_TYPE_TIME:
		if (v->u.time.us < 0 || v->u.time.us >= US_PER_DAY)
			return corm__err_set(
			        err, CORM_ETYPE,
			        "Field '%s' of %s expected a time between 00:00:00 and "
			        "23:59:59.999999 but got us=%lld.",
			        fm->name, fm->owner->label, (long long)v->u.time.us);
		return CORM_OK;
	default:
		return CORM_OK;
	}
}

/* Significant digits of a decimal's text: no sign, point, leading or trailing zeros. */
static int significant_digits(const char *s)
{
	int n = 0, zeros = 0;
	bool started = false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s == '0' && !started)
			continue;
		started = true;
		if (*s == '0') {
			zeros++;
		} else {
			n += zeros + 1;
			zeros = 0;
		}
	}
	return n;
}

static int check_decimal(const corm_fmeta *fm, const corm_decimal *d, const char *vendor,
                         corm_err *err)
{
	int max_digits = fm->decl->max_digits, places = fm->decl->decimal_places;
	if (fm->kind != CORM_FIELD_DECIMAL || max_digits <= 0)
		return CORM_OK;
	int whole;
	corm_decimal_digits(d, NULL, NULL, &whole);
	char *text = corm_decimal_to_string(d);
	if (!text)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	int rc = CORM_OK;
	/* Django's get_db_prep_save quantizes to decimal_places within max_digits: the extra
	 * decimals are rounded, a number with too many whole digits is refused */
	if (whole > max_digits - places)
		rc = corm__err_set(
		        err, CORM_ETYPE,
		        "Field '%s' of %s expected a decimal with at most %d digits before "
		        "the decimal point (max_digits=%d, decimal_places=%d) but got %s.",
		        fm->name, fm->owner->label, max_digits - places, max_digits, places, text);
	else if (vendor && !strcmp(vendor, "sqlite")) {
		/* SQLite's NUMERIC column keeps a decimal as a REAL: 15 significant digits */
		corm_decimal *q = NULL;
		int sig = 0;
		if (corm_decimal_copy(&q, d) || corm_decimal_quantize(q, places))
			rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
		else {
			char *qt = corm_decimal_to_string(q);
			if (!qt)
				rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
			else
				sig = significant_digits(qt);
			corm__free(qt);
		}
		corm_decimal_free(q);
		if (!rc && sig > 15)
			rc = corm__err_set(
			        err, CORM_ETYPE,
			        "Field '%s' of %s cannot store %s exactly: SQLite keeps 15 "
			        "significant digits of a decimal, and it has %d.",
			        fm->name, fm->owner->label, text, sig);
	}
	corm__free(text);
	return rc;
}

static int check_float(const corm_fmeta *fm, double f, const char *vendor, corm_err *err)
{
	if (!vendor || isfinite(f))
		return CORM_OK;
	bool sqlite = !strcmp(vendor, "sqlite"), mysql = !strcmp(vendor, "mysql");
	/* SQLite stores NaN as NULL (infinities are kept); MariaDB's double refuses both */
	if ((sqlite && isnan(f)) || mysql)
		return corm__err_set(err, CORM_ETYPE, "Field '%s' of %s cannot store %s on %s.",
		                     fm->name, fm->owner->label,
		                     isnan(f) ? "NaN"
		                     : f > 0  ? "Infinity"
		                              : "-Infinity",
		                     sqlite ? "SQLite" : "MariaDB/MySQL");
	return CORM_OK;
}

int corm__value_check(const corm_fmeta *fm, const corm_value *v, const char *vendor, bool saving,
                      corm_err *err)
{
	switch (v->type) {
	case CORM_TYPE_INT:
		if (fm->vtype == CORM_TYPE_INT && !corm__int_fits(fm, v->u.i))
			return corm__int_unfit(fm, v->u.i, err);
		return CORM_OK;
	case CORM_TYPE_DATE:
	case CORM_TYPE_DATETIME:
	case CORM_TYPE_TIME:
		return check_temporal(fm, v, err);
	case CORM_TYPE_DECIMAL:
		return saving ? check_decimal(fm, v->u.decimal, vendor, err) : CORM_OK;
	case CORM_TYPE_FLOAT:
		return saving ? check_float(fm, v->u.f, vendor, err) : CORM_OK;
	default:
		return CORM_OK;
	}
}

static int coerce(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err);

int corm__coerce(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err)
{
	int rc = coerce(fm, in, out, err);
	if (!rc && (rc = check_temporal(fm, out, err)))
		corm__value_clear(out);
	return rc;
}

/*
 * GenericIPAddressField's get_prep_value rewrites an IPv6 address: the new
 * text lives in one of these per-thread buffers, which every caller of
 * corm__coerce copies from before it coerces a 16th value.
 */
static _Thread_local char ip_ring[16][46];
static _Thread_local unsigned ip_next;

/* A ForeignKey to a UUID or text key: an instance of the target, or what its pk accepts
 * (Django's ForeignKey.get_prep_value is the target field's). */
static int coerce_key(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err)
{
	if (in->type != CORM_TYPE_OBJECT)
		return coerce(fm->related->pk, in, out, err);
	const corm_obj *o = in->u.object;
	if (o->model == fm->related->model && o->meta) {
		corm__member_get(o->meta->pk, o, out);
		return CORM_OK;
	}
	char what[200];
	snprintf(what, sizeof what, "a %s instance or id", fm->related->model->name);
	return type_error(fm, in, what, err);
}

static int coerce(const corm_fmeta *fm, const corm_value *in, corm_value *out, corm_err *err)
{
	char tmp[64];
	if (fm->kind == CORM_FIELD_GENERIC_IP && in->type == CORM_TYPE_TEXT) {
		char *buf = ip_ring[ip_next++ % 16];
		*out = corm__ip_clean(fm, in->u.text, buf) ? corm_v_text(buf) : *in;
		return CORM_OK;
	}
	*out = corm_v_null();
	if (in->type == CORM_TYPE_NULL)
		return CORM_OK;
	if (fm->kind == CORM_FIELD_FK && fm->vtype != CORM_TYPE_INT && fm->related &&
	    in->type != CORM_TYPE_EXPR && in->type != CORM_TYPE_LIST)
		return coerce_key(fm, in, out, err);
	/* expressions and lists are resolved by the query layer; same-typed plain values pass as
	 * they are */
	bool plain = fm->vtype != CORM_TYPE_INT && fm->vtype != CORM_TYPE_DECIMAL &&
	             fm->vtype != CORM_TYPE_JSON;
	if (in->type == CORM_TYPE_EXPR || in->type == CORM_TYPE_LIST ||
	    (plain && in->type == fm->vtype)) {
		*out = *in;
		return CORM_OK;
	}
	switch (fm->vtype) {
	case CORM_TYPE_INT:
		return coerce_int(fm, in, out, err);
	case CORM_TYPE_FLOAT:
		if (in->type == CORM_TYPE_FLOAT || in->type == CORM_TYPE_INT) {
			*out = corm_v_float(in->type == CORM_TYPE_INT ? (double)in->u.i : in->u.f);
			return CORM_OK;
		}
		if (in->type == CORM_TYPE_DECIMAL) {
			*out = corm_v_float(corm_decimal_to_double(in->u.decimal));
			return CORM_OK;
		}
		if (in->type == CORM_TYPE_TEXT && parse_float(in->u.text, &out->u.f)) {
			out->type = CORM_TYPE_FLOAT;
			return CORM_OK;
		}
		return type_error(fm, in, "a number", err);
	case CORM_TYPE_BOOL:
		if (in->type == CORM_TYPE_INT && (in->u.i == 0 || in->u.i == 1)) {
			*out = corm_v_bool(in->u.i == 1);
			return CORM_OK;
		}
		if (in->type == CORM_TYPE_TEXT) {
			const char *s = in->u.text;
			if (!strcmp(s, "t") || !strcmp(s, "True") || !strcmp(s, "true") ||
			    !strcmp(s, "1")) {
				*out = corm_v_bool(true);
				return CORM_OK;
			}
			if (!strcmp(s, "f") || !strcmp(s, "False") || !strcmp(s, "false") ||
			    !strcmp(s, "0")) {
				*out = corm_v_bool(false);
				return CORM_OK;
			}
		}
		return type_error(fm, in, "True or False", err);
	case CORM_TYPE_TEXT:
		return type_error(fm, in, "text", err);
	case CORM_TYPE_DECIMAL: {
		corm_decimal *d = NULL;
		int rc;
		if (in->type == CORM_TYPE_DECIMAL)
			rc = corm_decimal_copy(&d, in->u.decimal);
		else if (in->type == CORM_TYPE_INT)
			rc = corm_decimal_from_int(&d, in->u.i);
		else if (in->type == CORM_TYPE_TEXT)
			rc = corm_decimal_parse(&d, in->u.text);
		else if (in->type == CORM_TYPE_FLOAT && isfinite(in->u.f)) {
			snprintf(tmp, sizeof tmp, "%.15g", in->u.f);
			rc = corm_decimal_parse(&d, tmp);
		} else
			rc = CORM_EINVAL;
		if (rc == CORM_ENOMEM)
			return corm__err_set(err, CORM_ENOMEM, "out of memory");
		if (rc)
			return type_error(fm, in, "a decimal number", err);
		*out = corm_v_decimal(d);
		return CORM_OK;
	}
	case CORM_TYPE_DATE:
		if (in->type == CORM_TYPE_DATETIME) {
			*out = corm_v_date(corm_datetime_date(in->u.datetime));
			return CORM_OK;
		}
		if (in->type == CORM_TYPE_TEXT &&
		    corm_date_parse(&out->u.date, in->u.text, strlen(in->u.text)) == CORM_OK) {
			out->type = CORM_TYPE_DATE;
			return CORM_OK;
		}
		return type_error(fm, in, "a date in YYYY-MM-DD format", err);
	case CORM_TYPE_DATETIME:
		if (in->type == CORM_TYPE_DATE) {
			*out = corm_v_datetime(
			        (corm_datetime){(int64_t)in->u.date.days * 86400000000LL});
			return CORM_OK;
		}
		if (in->type == CORM_TYPE_TEXT &&
		    corm_datetime_parse(&out->u.datetime, in->u.text, strlen(in->u.text)) ==
		            CORM_OK) {
			out->type = CORM_TYPE_DATETIME;
			return CORM_OK;
		}
		return type_error(fm, in, "a datetime in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format",
		                  err);
	case CORM_TYPE_TIME:
		if (in->type == CORM_TYPE_TEXT &&
		    corm_time_parse(&out->u.time, in->u.text, strlen(in->u.text)) == CORM_OK) {
			out->type = CORM_TYPE_TIME;
			return CORM_OK;
		}
		return type_error(fm, in, "a time in HH:MM[:ss[.uuuuuu]] format", err);
	case CORM_TYPE_DURATION:
		if (in->type == CORM_TYPE_INT) {
			*out = corm_v_duration((corm_duration){in->u.i});
			return CORM_OK;
		}
		return type_error(fm, in, "a duration (microseconds)", err);
	case CORM_TYPE_UUID:
		if (in->type == CORM_TYPE_TEXT &&
		    corm_uuid_parse(&out->u.uuid, in->u.text, strlen(in->u.text)) == CORM_OK) {
			out->type = CORM_TYPE_UUID;
			return CORM_OK;
		}
		return type_error(fm, in, "a valid UUID", err);
	case CORM_TYPE_BYTES:
		if (in->type == CORM_TYPE_TEXT) {
			*out = corm_v_bytes(in->u.text, strlen(in->u.text));
			return CORM_OK;
		}
		return type_error(fm, in, "bytes", err);
	case CORM_TYPE_JSON: {
		json_t *j = NULL;
		switch (in->type) {
		case CORM_TYPE_JSON: /* the caller's value is borrowed: never share it */
			j = json_deep_copy(in->u.json);
			break;
		case CORM_TYPE_TEXT:
			j = json_string(in->u.text);
			break;
		case CORM_TYPE_INT:
			j = json_integer(in->u.i);
			break;
		case CORM_TYPE_FLOAT:
			j = json_real(in->u.f);
			break;
		case CORM_TYPE_BOOL:
			j = json_boolean(in->u.b);
			break;
		default:
			return type_error(fm, in, "a JSON value", err);
		}
		if (!j)
			return corm__err_set(err,
			                     in->type == CORM_TYPE_TEXT ? CORM_ETYPE : CORM_ENOMEM,
			                     "Field '%s.%s' expected valid UTF-8 text for JSON",
			                     fm->owner->model->name, fm->name);
		*out = corm_v_json(j);
		return CORM_OK;
	}
	default:
		break;
	}
	return type_error(fm, in, "a value", err);
}

void corm__value_clear(corm_value *v)
{
	if (v->type == CORM_TYPE_DECIMAL)
		corm_decimal_free((corm_decimal *)v->u.decimal);
	else if (v->type == CORM_TYPE_JSON)
		json_decref((json_t *)v->u.json);
	*v = corm_v_null();
}

static int value_copy(corm_value *dst, const corm_value *src);

/* On failure *dst is left NULL, never half-borrowed, so freeing it is always safe. */
int corm__value_copy(corm_value *dst, const corm_value *src)
{
	int rc = value_copy(dst, src);
	if (rc)
		*dst = corm_v_null();
	return rc;
}

static int value_copy(corm_value *dst, const corm_value *src)
{
	*dst = *src;
	switch (src->type) {
	case CORM_TYPE_TEXT:
		dst->u.text = corm__strdup(src->u.text);
		return dst->u.text ? CORM_OK : CORM_ENOMEM;
	case CORM_TYPE_BYTES: {
		uint8_t *p = corm__alloc(src->u.bytes.len);
		if (!p)
			return CORM_ENOMEM;
		if (src->u.bytes.len)
			memcpy(p, src->u.bytes.data, src->u.bytes.len);
		dst->u.bytes.data = p;
		return CORM_OK;
	}
	case CORM_TYPE_DECIMAL: {
		corm_decimal *d;
		if (corm_decimal_copy(&d, src->u.decimal))
			return CORM_ENOMEM;
		dst->u.decimal = d;
		return CORM_OK;
	}
	case CORM_TYPE_JSON:
		dst->u.json = json_deep_copy(src->u.json);
		return dst->u.json ? CORM_OK : CORM_ENOMEM;
	case CORM_TYPE_LIST: {
		size_t n = src->u.list.len;
		corm_value *items = corm__calloc(n ? n : 1, sizeof(corm_value));
		if (!items)
			return CORM_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			corm_value item;
			if (src->u.list.of == CORM_TYPE_INT)
				item = corm_v_int(((const int64_t *)src->u.list.items)[i]);
			else if (src->u.list.of == CORM_TYPE_TEXT)
				item = corm_v_text(((const char *const *)src->u.list.items)[i]);
			else
				item = ((const corm_value *)src->u.list.items)[i];
			if (item.type == CORM_TYPE_EXPR || item.type == CORM_TYPE_LIST ||
			    corm__value_copy(&items[i], &item)) {
				dst->u.list.items = items;
				dst->u.list.len = i;
				dst->u.list.of = CORM_TYPE_NULL;
				corm__value_free(dst);
				return item.type == CORM_TYPE_EXPR || item.type == CORM_TYPE_LIST
				               ? CORM_EINVAL
				               : CORM_ENOMEM;
			}
		}
		dst->u.list.items = items;
		dst->u.list.of = CORM_TYPE_NULL;
		return CORM_OK;
	}
	default:
		return CORM_OK;
	}
}

void corm__value_free(corm_value *v)
{
	switch (v->type) {
	case CORM_TYPE_TEXT:
		corm__free((char *)v->u.text);
		break;
	case CORM_TYPE_BYTES:
		corm__free((uint8_t *)v->u.bytes.data);
		break;
	case CORM_TYPE_DECIMAL:
		corm_decimal_free((corm_decimal *)v->u.decimal);
		break;
	case CORM_TYPE_JSON:
		json_decref((json_t *)v->u.json);
		break;
	case CORM_TYPE_EXPR:
		corm_expr_free(v->u.expr);
		break;
	case CORM_TYPE_LIST: {
		corm_value *items = (corm_value *)v->u.list.items;
		for (size_t i = 0; i < v->u.list.len; i++)
			corm__value_free(&items[i]);
		corm__free(items);
		break;
	}
	default:
		break;
	}
	*v = corm_v_null();
}

/* ---- struct members ---- */

#define MEMBER(inst, fm, T)  ((T *)((char *)(inst) + (fm)->decl->offset))
#define CMEMBER(inst, fm, T) ((const T *)((const char *)(inst) + (fm)->decl->offset))

bool corm__member_is_null(const corm_fmeta *fm, const void *inst)
{
	switch (fm->vtype) {
	case CORM_TYPE_TEXT:
		return *CMEMBER(inst, fm, char *) == NULL;
	case CORM_TYPE_DECIMAL:
		return *CMEMBER(inst, fm, corm_decimal *) == NULL;
	case CORM_TYPE_JSON:
		return *CMEMBER(inst, fm, json_t *) == NULL;
	case CORM_TYPE_BYTES:
		return CMEMBER(inst, fm, corm_bytes)->data == NULL;
	case CORM_TYPE_INT:
		/* a foreign key whose id was never set (0: AutoField ids start at 1) is NULL, as
		 * Django's unset post.author_id is None: saving it makes NOT NULL fire */
		if (fm->kind == CORM_FIELD_FK && CMEMBER(inst, fm, corm_fk)->id == 0)
			return true;
		return fm->index < 64 && (((const corm_obj *)inst)->nulls >> fm->index) & 1;
	default:
		return fm->index < 64 && (((const corm_obj *)inst)->nulls >> fm->index) & 1;
	}
}

static int64_t get_int(const corm_fmeta *fm, const void *inst)
{
	switch (fm->decl->size) {
	case 2:
		return *CMEMBER(inst, fm, int16_t);
	case 4:
		return *CMEMBER(inst, fm, int32_t);
	default:
		return *CMEMBER(inst, fm, int64_t);
	}
}

void corm__member_get(const corm_fmeta *fm, const void *inst, corm_value *out)
{
	if (corm__member_is_null(fm, inst)) {
		*out = corm_v_null();
		return;
	}
	switch (fm->vtype) {
	case CORM_TYPE_INT:
		*out = corm_v_int(get_int(fm, inst));
		break;
	case CORM_TYPE_FLOAT:
		*out = corm_v_float(*CMEMBER(inst, fm, double));
		break;
	case CORM_TYPE_BOOL:
		*out = corm_v_bool(*CMEMBER(inst, fm, bool));
		break;
	case CORM_TYPE_TEXT:
		*out = corm_v_text(*CMEMBER(inst, fm, char *));
		break;
	case CORM_TYPE_DECIMAL:
		*out = corm_v_decimal(*CMEMBER(inst, fm, corm_decimal *));
		break;
	case CORM_TYPE_DATE:
		*out = corm_v_date(*CMEMBER(inst, fm, corm_date));
		break;
	case CORM_TYPE_DATETIME:
		*out = corm_v_datetime(*CMEMBER(inst, fm, corm_datetime));
		break;
	case CORM_TYPE_TIME:
		*out = corm_v_time(*CMEMBER(inst, fm, corm_time));
		break;
	case CORM_TYPE_DURATION:
		*out = corm_v_duration(*CMEMBER(inst, fm, corm_duration));
		break;
	case CORM_TYPE_UUID:
		*out = corm_v_uuid(*CMEMBER(inst, fm, corm_uuid));
		break;
	case CORM_TYPE_BYTES: {
		const corm_bytes *b = CMEMBER(inst, fm, corm_bytes);
		*out = corm_v_bytes(b->data, b->len);
		break;
	}
	case CORM_TYPE_JSON:
		*out = corm_v_json(*CMEMBER(inst, fm, json_t *));
		break;
	default:
		*out = corm_v_null();
		break;
	}
}

void corm__member_clear(const corm_fmeta *fm, void *inst)
{
	if (fm->kind == CORM_FIELD_FK) { /* the key (text ones are owned) and the cached object */
		corm_fk *fk = MEMBER(inst, fm, corm_fk);
		if (fm->vtype == CORM_TYPE_TEXT)
			corm__free(fk->key);
		corm__free_instance(fk->obj);
		fk->key = NULL;
		fk->obj = NULL;
		return;
	}
	switch (fm->vtype) {
	case CORM_TYPE_TEXT:
		corm__free(*MEMBER(inst, fm, char *));
		*MEMBER(inst, fm, char *) = NULL;
		break;
	case CORM_TYPE_DECIMAL:
		corm_decimal_free(*MEMBER(inst, fm, corm_decimal *));
		*MEMBER(inst, fm, corm_decimal *) = NULL;
		break;
	case CORM_TYPE_JSON:
		json_decref(*MEMBER(inst, fm, json_t *));
		*MEMBER(inst, fm, json_t *) = NULL;
		break;
	case CORM_TYPE_BYTES: {
		corm_bytes *b = MEMBER(inst, fm, corm_bytes);
		corm__free(b->data);
		b->data = NULL;
		b->len = 0;
		break;
	}
	default:
		break;
	}
}

void corm__members_clear_owning(const corm_meta *meta, void *inst)
{
	for (size_t k = 0; k < meta->nowning; k++) {
		const corm_fmeta *fm = &meta->fields[meta->owning_fields[k]];
		const corm_fk *fk = MEMBER(inst, fm, corm_fk);
		/* most foreign keys own nothing: an integer key and no cached object */
		if (fm->kind != CORM_FIELD_FK || fk->obj ||
		    (fm->vtype == CORM_TYPE_TEXT && fk->key))
			corm__member_clear(fm, inst);
	}
	/* annotations, related caches and deferred flags go with the values */
	corm__ext_free(((corm_obj *)inst)->_ext);
	((corm_obj *)inst)->_ext = NULL;
}

void corm__members_clear(const corm_meta *meta, void *inst)
{
	for (size_t k = 0; k < meta->ntext; k++) {
		char **text = MEMBER(inst, &meta->fields[meta->text_fields[k]], char *);
		corm__free(*text);
		*text = NULL;
	}
	corm__members_clear_owning(meta, inst);
}

static void set_null_bit(const corm_fmeta *fm, void *inst, bool null)
{
	if (fm->index >= 64)
		return;
	corm_obj *o = inst;
	if (null)
		o->nulls |= (uint64_t)1 << fm->index;
	else
		o->nulls &= ~((uint64_t)1 << fm->index);
}

/* A ForeignKey's new key (not NULL); the cached object goes when it no longer matches. */
static int store_key(const corm_fmeta *fm, void *inst, const corm_value *v)
{
	corm_fk *fk = MEMBER(inst, fm, corm_fk);
	bool same;
	char *key = NULL;
	switch (fm->vtype) {
	case CORM_TYPE_INT:
		same = fk->id == v->u.i;
		break;
	case CORM_TYPE_UUID:
		same = !corm__member_is_null(fm, inst) &&
		       !memcmp(fk->uuid.bytes, v->u.uuid.bytes, sizeof fk->uuid.bytes);
		break;
	case CORM_TYPE_TEXT:
		same = fk->key && !strcmp(fk->key, v->u.text);
		if (!same && !(key = corm__strdup(v->u.text)))
			return CORM_ENOMEM;
		break;
	default:
		return CORM_EINVAL;
	}
	if (!same) {
		corm__free_instance(fk->obj);
		fk->obj = NULL;
		if (fm->vtype == CORM_TYPE_INT)
			fk->id = v->u.i;
		else if (fm->vtype == CORM_TYPE_UUID)
			fk->uuid = v->u.uuid;
		else {
			corm__free(fk->key);
			fk->key = key;
		}
	}
	set_null_bit(fm, inst, false);
	return CORM_OK;
}

int corm__member_store(const corm_fmeta *fm, void *inst, const corm_value *v)
{
	if (v->type == CORM_TYPE_NULL) {
		corm__member_clear(fm, inst);
		if (!corm__vtype_is_pointer(fm->vtype)) {
			memset((char *)inst + fm->decl->offset, 0, fm->decl->size);
			set_null_bit(fm, inst, true);
		}
		return CORM_OK;
	}
	if (fm->kind == CORM_FIELD_FK)
		return store_key(fm, inst, v);
	switch (fm->vtype) {
	case CORM_TYPE_INT:
		if (fm->decl->size == 2)
			*MEMBER(inst, fm, int16_t) = (int16_t)v->u.i;
		else if (fm->decl->size == 4)
			*MEMBER(inst, fm, int32_t) = (int32_t)v->u.i;
		else
			*MEMBER(inst, fm, int64_t) = v->u.i;
		break;
	case CORM_TYPE_FLOAT:
		*MEMBER(inst, fm, double) = v->u.f;
		break;
	case CORM_TYPE_BOOL:
		*MEMBER(inst, fm, bool) = v->u.b;
		break;
	case CORM_TYPE_TEXT: {
		const char *text = v->u.text;
		char ip[46];
		if (fm->kind == CORM_FIELD_GENERIC_IP) {
			/* Django's adapt_ipaddressfield_value stores "" as NULL */
			if (!*text) {
				corm__member_clear(fm, inst);
				return CORM_OK;
			}
			if (corm__ip_clean(fm, text, ip))
				text = ip;
		}
		char *s = corm__strdup(text);
		if (!s)
			return CORM_ENOMEM;
		corm__free(*MEMBER(inst, fm, char *));
		*MEMBER(inst, fm, char *) = s;
		break;
	}
	case CORM_TYPE_DECIMAL: {
		corm_decimal *d;
		if (corm_decimal_copy(&d, v->u.decimal))
			return CORM_ENOMEM;
		corm_decimal_free(*MEMBER(inst, fm, corm_decimal *));
		*MEMBER(inst, fm, corm_decimal *) = d;
		break;
	}
	case CORM_TYPE_DATE:
		*MEMBER(inst, fm, corm_date) = v->u.date;
		break;
	case CORM_TYPE_DATETIME:
		*MEMBER(inst, fm, corm_datetime) = v->u.datetime;
		break;
	case CORM_TYPE_TIME:
		*MEMBER(inst, fm, corm_time) = v->u.time;
		break;
	case CORM_TYPE_DURATION:
		*MEMBER(inst, fm, corm_duration) = v->u.duration;
		break;
	case CORM_TYPE_UUID:
		*MEMBER(inst, fm, corm_uuid) = v->u.uuid;
		break;
	case CORM_TYPE_BYTES: {
		/* one extra byte so an empty value still has a non-NULL pointer */
		uint8_t *p = corm__alloc(v->u.bytes.len + 1);
		if (!p)
			return CORM_ENOMEM;
		if (v->u.bytes.len)
			memcpy(p, v->u.bytes.data, v->u.bytes.len);
		corm_bytes *b = MEMBER(inst, fm, corm_bytes);
		corm__free(b->data);
		b->data = p;
		b->len = v->u.bytes.len;
		break;
	}
	case CORM_TYPE_JSON: {
		json_t *j = json_deep_copy(v->u.json); /* a copy: the caller keeps its own */
		if (!j)
			return CORM_ENOMEM;
		json_decref(*MEMBER(inst, fm, json_t *));
		*MEMBER(inst, fm, json_t *) = j;
		break;
	}
	default:
		return CORM_EINVAL;
	}
	set_null_bit(fm, inst, false);
	return CORM_OK;
}

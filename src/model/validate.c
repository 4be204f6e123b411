/*
 * full_clean(): Django 3.2's Model.clean_fields() -> Field.clean() ->
 * Field.validate() + Field.run_validators(). The format validators
 * (EmailValidator, URLValidator, validate_slug) and the Python semantics the
 * choices check needs (repr, ==) live in src/model/validators/; this file
 * holds the error list, MaxLengthValidator, DecimalValidator and
 * Min/MaxValueValidator, and the per-field walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/meta.h"
#include "model/validators/validators.h"
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
	case CORM_FIELD_POSITIVE_SMALLINT:
		lo = 0, hi = 32767;
		break;
	case CORM_FIELD_POSITIVE_BIGINT:
		lo = 0, hi = INT64_MAX;
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

/* GenericIPAddressField: ip_address_validators(protocol, unpack_ipv4), Django's messages. */
static int check_ip(collector *col, const corm_fmeta *fm, const char *text)
{
	size_t n;
	uint32_t *cp = corm__cp_decode(text, &n);
	if (!cp)
		return CORM_ENOMEM;
	bool v4 = corm__ipv4_ok(cp, n), v6 = corm__django_ipv6_ok(cp, n);
	corm__free(cp);
	switch (fm->decl->protocol) {
	case CORM_IP_V4:
		return v4 ? CORM_OK : add_error(col, fm->name, "Enter a valid IPv4 address.");
	case CORM_IP_V6:
		return v6 ? CORM_OK : add_error(col, fm->name, "Enter a valid IPv6 address.");
	default:
		return v4 || v6 ? CORM_OK
		                : add_error(col, fm->name, "Enter a valid IPv4 or IPv6 address.");
	}
}

/* Turns a validator's 1/0/ENOMEM into an added message. */
static int format_check(collector *col, const char *field, int valid, const char *message)
{
	if (valid < 0)
		return valid;
	return valid ? CORM_OK : add_error(col, field, message);
}
static int run_validators(collector *col, const corm_fmeta *fm, const corm_value *v)
{
	int rc = CORM_OK;
	switch (fm->kind) {
	case CORM_FIELD_EMAIL:
		rc = format_check(col, fm->name, corm__email_valid(v->u.text),
		                  "Enter a valid email address.");
		break;
	case CORM_FIELD_URL:
		rc = format_check(col, fm->name, corm__url_valid(v->u.text), "Enter a valid URL.");
		break;
	case CORM_FIELD_SLUG:
		rc = format_check(col, fm->name, corm__slug_valid(v->u.text),
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
	case CORM_FIELD_POSITIVE_SMALLINT:
	case CORM_FIELD_POSITIVE_BIGINT:
		return check_int_range(col, fm, v->u.i);
	case CORM_FIELD_GENERIC_IP:
		return check_ip(col, fm, v->u.text);
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
			return check_max_length(col, fm->name, fm->max_length,
			                        corm__cp_count(v->u.text));
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
				found = corm__py_value_eq(&v, &fm->choice_values[i]);
			if (!found) {
				corm_buf b = CORM_BUF_INIT;
				corm_buf_puts(&b, "Value ");
				corm__repr_value(&b, &v);
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
		return corm__last_error(CORM_EINVAL, "corm_full_clean: the instance is NULL");
	const corm_obj *obj = instance;
	const corm_meta *meta = corm__obj_meta(obj);
	if (!meta)
		return corm__last_error(CORM_EINVAL, "corm_full_clean: the instance's model is not "
		                                     "registered");
	collector col = {NULL, 0};
	if (errors) {
		col.list = corm__calloc(1, sizeof(corm_validation));
		if (!col.list)
			return corm__last_error(CORM_ENOMEM,
			                        "corm_full_clean: out of memory checking "
			                        "a %s",
			                        meta->label);
	}
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		/* AutoField.validate() is a no-op and its value comes from the database */
		if (corm__kind_is_auto(fm->kind) || excluded(exclude, fm->name))
			continue;
		int rc = clean_field(&col, fm, instance);
		if (rc) {
			corm_validation_free(col.list);
			return corm__last_error(rc, "corm_full_clean: %s while checking %s.%s",
			                        rc == CORM_ENOMEM ? "out of memory"
			                                          : corm_err_name(rc),
			                        meta->label, fm->name);
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

/* Python equality between values, for the choices check's `value == option_key`. */
#include <string.h>

#include "model/validators/validators.h"

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

bool corm__py_value_eq(const corm_value *a, const corm_value *b)
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

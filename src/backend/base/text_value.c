#include "backend/base/text_value.h"
#include "util/alloc.h"

int corm__value_from_text(corm_type want, const char *text, size_t len, corm_value *out)
{
	switch (want) {
	case CORM_TYPE_TEXT:
		*out = corm_v_text(text);
		return CORM_OK;
	case CORM_TYPE_DECIMAL: {
		corm_decimal *d;
		int rc = corm_decimal_parse(&d, text); /* "NaN" is not a corm decimal */
		if (rc)
			return rc == CORM_ENOMEM ? rc : CORM_EBACKEND;
		*out = corm_v_decimal(d);
		return CORM_OK;
	}
	case CORM_TYPE_DATE:
		out->type = CORM_TYPE_DATE;
		/* a timestamp read as a date: its date part */
		return corm_date_parse(&out->u.date, text, len > 10 ? 10 : len) ? CORM_EBACKEND
		                                                                : CORM_OK;
	case CORM_TYPE_DATETIME:
		out->type = CORM_TYPE_DATETIME;
		return corm_datetime_parse(&out->u.datetime, text, len) ? CORM_EBACKEND : CORM_OK;
	case CORM_TYPE_TIME:
		out->type = CORM_TYPE_TIME;
		return corm_time_parse(&out->u.time, text, len) ? CORM_EBACKEND : CORM_OK;
	case CORM_TYPE_UUID:
		out->type = CORM_TYPE_UUID;
		return corm_uuid_parse(&out->u.uuid, text, len) ? CORM_EBACKEND : CORM_OK;
	case CORM_TYPE_JSON: {
		/* "\u0000" is valid JSON and is what corm stores for a NUL inside a string */
		bool oom;
		json_t *j = corm__json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &oom);
		if (!j) /* jansson allocates with corm's allocator: its failure is ours */
			return oom ? CORM_ENOMEM : CORM_EBACKEND;
		*out = corm_v_json(j);
		return CORM_OK;
	}
	default:
		return CORM_ENOTSUP;
	}
}

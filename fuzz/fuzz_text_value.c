/*
 * The shared reader of backend text forms (src/backend/base/text_value.c:
 * corm__value_from_text), what the SQLite, PostgreSQL and MariaDB backends hand a column's
 * text to. The first input byte picks the wanted type, the rest is the text (NUL-terminated,
 * as drivers give it). Properties: CORM_OK with a value of the wanted type, CORM_EBACKEND for
 * text that is not of that type, CORM_ENOTSUP for the types the reader does not decode;
 * payloads (decimal, JSON) are freed without leaks.
 */
#include "backend/base/text_value.h"
#include "fuzz.h"

static const corm_type wants[] = {CORM_TYPE_TEXT,     CORM_TYPE_DECIMAL, CORM_TYPE_DATE,
                                  CORM_TYPE_DATETIME, CORM_TYPE_TIME,    CORM_TYPE_UUID,
                                  CORM_TYPE_JSON,     CORM_TYPE_INT,     CORM_TYPE_DURATION};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	corm_type want = wants[data[0] % (sizeof wants / sizeof wants[0])];
	char *text = fuzz_cstr(data + 1, size - 1);
	corm_value v;
	memset(&v, 0, sizeof v);
	int rc = corm__value_from_text(want, text, size - 1, &v);
	bool decoded = want != CORM_TYPE_INT && want != CORM_TYPE_DURATION;
	if (!decoded)
		FUZZ_CHECK(rc == CORM_ENOTSUP, "a type the reader does not decode is CORM_ENOTSUP");
	else
		FUZZ_CHECK(rc == CORM_OK || rc == CORM_EBACKEND,
		           "corm__value_from_text: not OK nor EBACKEND");
	if (rc == CORM_OK) {
		FUZZ_CHECK(v.type == want, "the value has the wanted type");
		if (want == CORM_TYPE_TEXT)
			FUZZ_CHECK(v.u.text == text, "TEXT is borrowed");
		if (want == CORM_TYPE_DECIMAL)
			corm_decimal_free((corm_decimal *)v.u.decimal);
		if (want == CORM_TYPE_JSON)
			json_decref((json_t *)v.u.json);
	}
	free(text);
	return 0;
}

/*
 * Dates, datetimes and times as a backend sends them back (corm_date_parse,
 * corm_datetime_parse, corm_time_parse): the input, not NUL-terminated, goes to all three.
 * Properties: CORM_OK or CORM_EINVAL only; no read past `len`; every accepted value formats
 * to text that parses back to the same value (parse -> format -> parse).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	corm_date d, d2;
	int rc = corm_date_parse(&d, text, size);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EINVAL, "corm_date_parse: not OK nor EINVAL");
	if (rc == CORM_OK) {
		char buf[CORM_DATE_STRLEN];
		size_t n = corm_date_format(d, buf);
		FUZZ_CHECK(n < sizeof buf && strlen(buf) == n, "corm_date_format's length");
		FUZZ_CHECK(corm_date_parse(&d2, buf, n) == CORM_OK, "a formatted date parses");
		FUZZ_CHECK(d2.days == d.days, "date: parse -> format -> parse changes the value");
	}

	corm_datetime dt, dt2;
	rc = corm_datetime_parse(&dt, text, size);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EINVAL, "corm_datetime_parse: not OK nor EINVAL");
	if (rc == CORM_OK) {
		char buf[CORM_DATETIME_STRLEN];
		size_t n = corm_datetime_format(dt, buf);
		FUZZ_CHECK(n < sizeof buf && strlen(buf) == n, "corm_datetime_format's length");
		FUZZ_CHECK(corm_datetime_parse(&dt2, buf, n) == CORM_OK,
		           "a formatted datetime parses");
		FUZZ_CHECK(dt2.us == dt.us, "datetime: parse -> format -> parse changes the value");
	}

	corm_time t, t2;
	rc = corm_time_parse(&t, text, size);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EINVAL, "corm_time_parse: not OK nor EINVAL");
	if (rc == CORM_OK) {
		FUZZ_CHECK(t.us >= 0 && t.us <= INT64_C(86399999999), "a time is within the day");
		char buf[CORM_TIME_STRLEN];
		size_t n = corm_time_format(t, buf);
		FUZZ_CHECK(n < sizeof buf && strlen(buf) == n, "corm_time_format's length");
		FUZZ_CHECK(corm_time_parse(&t2, buf, n) == CORM_OK, "a formatted time parses");
		FUZZ_CHECK(t2.us == t.us, "time: parse -> format -> parse changes the value");
	}
	return 0;
}

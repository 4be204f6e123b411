/*
 * test_types.c - the value types: dates, instants, times, durations, UUIDs
 * and decimals. Expected values were checked against CPython's datetime,
 * uuid and decimal modules and Django 3.2's DecimalValidator.
 */
#include <gmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "corm/types.h"

/* ---- helpers ---------------------------------------------------------- */

static corm_date ymd(int y, int m, int d)
{
	corm_date out = {0};

	assert_int_equal(corm_date_from_ymd(&out, y, m, d), CORM_OK);
	return out;
}

static corm_datetime dt_parse(const char *text)
{
	corm_datetime out = {0};

	assert_int_equal(corm_datetime_parse(&out, text, strlen(text)), CORM_OK);
	return out;
}

/* Parses text as a datetime and checks its UTC text. */
static void check_datetime_utc(const char *text, const char *expected)
{
	char buf[CORM_DATETIME_STRLEN];
	corm_datetime dt = dt_parse(text);

	assert_int_equal(corm_datetime_format(dt, buf), strlen(expected));
	assert_string_equal(buf, expected);
}

static void check_datetime_rejected(const char *text)
{
	corm_datetime out = {42};

	if (corm_datetime_parse(&out, text, strlen(text)) != CORM_EINVAL)
		fail_msg("accepted invalid datetime \"%s\"", text);
	assert_int_equal(out.us, 42); /* untouched on error */
}

static void check_duration(int64_t us, const char *expected)
{
	char buf[CORM_DURATION_STRLEN];
	corm_duration d = {us};

	assert_int_equal(corm_duration_format(d, buf), strlen(expected));
	assert_string_equal(buf, expected);
}

static corm_decimal *dec(const char *text)
{
	corm_decimal *d = NULL;

	assert_int_equal(corm_decimal_parse(&d, text), CORM_OK);
	assert_non_null(d);
	return d;
}

static void check_decimal_text(const corm_decimal *d, const char *expected)
{
	char *s = corm_decimal_to_string(d);

	assert_non_null(s);
	assert_string_equal(s, expected);
	corm_mem_free(s);
}

/* Parses text, checks its plain text and scale. */
static void check_decimal_round_trip(const char *text, const char *expected, int scale)
{
	corm_decimal *d = dec(text);

	check_decimal_text(d, expected);
	assert_int_equal(corm_decimal_scale(d), scale);
	corm_decimal_free(d);
}

static void check_decimal_rejected(const char *text)
{
	corm_decimal *d = (corm_decimal *)&d; /* any non-NULL value */

	if (corm_decimal_parse(&d, text) != CORM_EINVAL)
		fail_msg("accepted invalid decimal \"%s\"", text);
	assert_null(d);
}

/* ---- dates ------------------------------------------------------------ */

static void test_date_known_days(void **state)
{
	(void)state;
	assert_int_equal(ymd(1970, 1, 1).days, 0);
	assert_int_equal(ymd(1969, 12, 31).days, -1);
	assert_int_equal(ymd(1900, 2, 28).days, -25509);
	assert_int_equal(ymd(2000, 2, 29).days, 11016);
	assert_int_equal(ymd(2100, 3, 1).days, 47541);
	assert_int_equal(ymd(2024, 1, 15).days, 19737);
	assert_int_equal(ymd(2038, 1, 19).days, 24855);
	assert_int_equal(ymd(1, 1, 1).days, -719162);
	assert_int_equal(ymd(9999, 12, 31).days, 2932896);
}

static void test_date_leap_years(void **state)
{
	corm_date d;

	(void)state;
	assert_int_equal(corm_date_from_ymd(&d, 2000, 2, 29), CORM_OK);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 2, 29), CORM_OK);
	assert_int_equal(corm_date_from_ymd(&d, 1600, 2, 29), CORM_OK);
	assert_int_equal(corm_date_from_ymd(&d, 4, 2, 29), CORM_OK);
	assert_int_equal(corm_date_from_ymd(&d, 2023, 2, 29), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 1900, 2, 29), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2100, 2, 29), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 2, 30), CORM_EINVAL);
	/* 2000-02-29 is followed by 2000-03-01, 2100-02-28 by 2100-03-01. */
	assert_int_equal(ymd(2000, 3, 1).days - ymd(2000, 2, 29).days, 1);
	assert_int_equal(ymd(2100, 3, 1).days - ymd(2100, 2, 28).days, 1);
	assert_int_equal(ymd(2001, 1, 1).days - ymd(2000, 1, 1).days, 366);
	assert_int_equal(ymd(2101, 1, 1).days - ymd(2100, 1, 1).days, 365);
}

static void test_date_invalid_parts(void **state)
{
	corm_date d = {7};

	(void)state;
	assert_int_equal(corm_date_from_ymd(&d, 0, 1, 1), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 10000, 1, 1), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, -5, 1, 1), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 0, 1), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 13, 1), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 1, 0), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 1, 32), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(&d, 2024, 4, 31), CORM_EINVAL);
	assert_int_equal(corm_date_from_ymd(NULL, 2024, 1, 1), CORM_EINVAL);
	assert_int_equal(d.days, 7);
}

/* Every day of years 1..9999 round-trips and follows its predecessor. */
static void test_date_every_day_round_trips(void **state)
{
	int y = 1, m = 1, d = 1;

	(void)state;
	for (int32_t days = -719162; days <= 2932896; days++) {
		corm_date date = {days};
		corm_date back;
		int yy, mm, dd;

		corm_date_to_ymd(date, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			fail_msg("day %d is %04d-%02d-%02d, expected %04d-%02d-%02d", days, yy, mm,
			         dd, y, m, d);
		assert_int_equal(corm_date_from_ymd(&back, y, m, d), CORM_OK);
		assert_int_equal(back.days, days);
		/* Advance the reference calendar by one day. */
		if (corm_date_from_ymd(&back, y, m, d + 1) == CORM_OK) {
			d++;
		} else if (m < 12) {
			m++;
			d = 1;
		} else {
			y++;
			m = d = 1;
		}
	}
	assert_int_equal(y, 10000);
}

static void test_date_to_ymd_null_outputs(void **state)
{
	int year = 0;

	(void)state;
	corm_date_to_ymd(ymd(1969, 12, 31), &year, NULL, NULL);
	assert_int_equal(year, 1969);
	corm_date_to_ymd(ymd(1969, 12, 31), NULL, NULL, NULL);
}

static void test_date_format_and_parse(void **state)
{
	static const char *const texts[] = {"1900-02-28", "2000-02-29", "2100-03-01", "9999-12-31",
	                                    "0001-01-01", "1969-12-31", "1970-01-01", "2038-01-19"};
	char buf[CORM_DATE_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		corm_date d;

		assert_int_equal(corm_date_parse(&d, texts[i], strlen(texts[i])), CORM_OK);
		assert_int_equal(corm_date_format(d, buf), 10);
		assert_string_equal(buf, texts[i]);
	}
	assert_int_equal(corm_date_format(ymd(1900, 2, 28), buf), 10);
	assert_string_equal(buf, "1900-02-28");
}

static void test_date_parse_uses_len(void **state)
{
	corm_date d;

	(void)state;
	assert_int_equal(corm_date_parse(&d, "2024-01-15 10:30:00", 10), CORM_OK);
	assert_int_equal(d.days, 19737);
	assert_int_equal(corm_date_parse(&d, "2024-01-15", 9), CORM_EINVAL);
}

static void test_date_parse_rejects(void **state)
{
	static const char *const bad[] = {
	        "",           "2023-02-29", "1900-02-29",       "2024-13-01",  "2024-00-10",
	        "2024-01-00", "2024-01-32", "2024-04-31",       "0000-01-01",  "2024-1-15",
	        "2024-01-5",  "24-01-15",   "2024/01/15",       "2024-01-15 ", " 2024-01-15",
	        "2024-01-1x", "+024-01-15", "2024-01-15T00:00", "abcd-ef-gh",  "20240115",
	};
	corm_date d = {7};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (corm_date_parse(&d, bad[i], strlen(bad[i])) != CORM_EINVAL)
			fail_msg("accepted invalid date \"%s\"", bad[i]);
	}
	assert_int_equal(d.days, 7);
	assert_int_equal(corm_date_parse(NULL, "2024-01-15", 10), CORM_EINVAL);
	assert_int_equal(corm_date_parse(&d, NULL, 10), CORM_EINVAL);
}

/* ---- datetimes -------------------------------------------------------- */

static void test_datetime_from_parts(void **state)
{
	corm_datetime dt;

	(void)state;
	assert_int_equal(corm_datetime_from_parts(&dt, 1970, 1, 1, 0, 0, 0, 0), CORM_OK);
	assert_int_equal(dt.us, 0);
	assert_int_equal(corm_datetime_from_parts(&dt, 1969, 12, 31, 23, 59, 59, 999999), CORM_OK);
	assert_int_equal(dt.us, -1);
	assert_int_equal(corm_datetime_from_parts(&dt, 2038, 1, 19, 3, 14, 8, 0), CORM_OK);
	assert_int_equal(dt.us, INT64_C(2147483648000000));
	assert_int_equal(corm_datetime_from_parts(&dt, 9999, 12, 31, 23, 59, 59, 999999), CORM_OK);
	assert_int_equal(dt.us, INT64_C(253402300799999999));
	assert_int_equal(corm_datetime_from_parts(&dt, 1, 1, 1, 0, 0, 0, 0), CORM_OK);
	assert_int_equal(dt.us, INT64_C(-62135596800000000));
	assert_int_equal(corm_datetime_from_parts(&dt, 1900, 2, 28, 12, 0, 0, 1), CORM_OK);
	assert_int_equal(dt.us, INT64_C(-2203934399999999));
}

static void test_datetime_from_parts_rejects(void **state)
{
	corm_datetime dt = {5};

	(void)state;
	assert_int_equal(corm_datetime_from_parts(&dt, 2023, 2, 29, 0, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, 24, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, -1, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, 0, 60, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, 0, 0, 60, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, 0, 0, 0, 1000000), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 1, 0, 0, 0, -1), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(&dt, 0, 12, 31, 0, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_datetime_from_parts(NULL, 2024, 1, 1, 0, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(dt.us, 5);
}

static void test_datetime_to_parts_before_epoch(void **state)
{
	int y, mo, d, h, mi, s, us;
	corm_datetime dt = {-1};

	(void)state;
	corm_datetime_to_parts(dt, &y, &mo, &d, &h, &mi, &s, &us);
	assert_int_equal(y, 1969);
	assert_int_equal(mo, 12);
	assert_int_equal(d, 31);
	assert_int_equal(h, 23);
	assert_int_equal(mi, 59);
	assert_int_equal(s, 59);
	assert_int_equal(us, 999999);
	assert_int_equal(corm_datetime_date(dt).days, -1);

	dt.us = INT64_C(-62135596800000000);
	corm_datetime_to_parts(dt, &y, &mo, &d, NULL, NULL, NULL, &us);
	assert_int_equal(y, 1);
	assert_int_equal(mo, 1);
	assert_int_equal(d, 1);
	assert_int_equal(us, 0);
	assert_int_equal(corm_datetime_date(dt).days, -719162);
}

static void test_datetime_format(void **state)
{
	char buf[CORM_DATETIME_STRLEN];
	corm_datetime dt;

	(void)state;
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 15, 10, 30, 0, 0), CORM_OK);
	assert_int_equal(corm_datetime_format(dt, buf), 19);
	assert_string_equal(buf, "2024-01-15 10:30:00");
	assert_int_equal(corm_datetime_from_parts(&dt, 2024, 1, 15, 10, 30, 0, 123), CORM_OK);
	assert_int_equal(corm_datetime_format(dt, buf), 26);
	assert_string_equal(buf, "2024-01-15 10:30:00.000123");
	dt.us = -1;
	corm_datetime_format(dt, buf);
	assert_string_equal(buf, "1969-12-31 23:59:59.999999");
	dt.us = INT64_C(2147483648000000);
	corm_datetime_format(dt, buf);
	assert_string_equal(buf, "2038-01-19 03:14:08");
	dt.us = INT64_C(253402300799999999);
	corm_datetime_format(dt, buf);
	assert_string_equal(buf, "9999-12-31 23:59:59.999999");
	dt.us = INT64_C(-62135596800000000);
	corm_datetime_format(dt, buf);
	assert_string_equal(buf, "0001-01-01 00:00:00");
}

static void test_datetime_round_trips(void **state)
{
	static const char *const texts[] = {
	        "1969-12-31 23:59:59.999999", "1900-02-28 00:00:00",
	        "2000-02-29 12:34:56.000001", "2100-03-01 00:00:00",
	        "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00",
	        "2038-01-19 03:14:08",        "1970-01-01 00:00:00",
	        "2024-01-15 10:30:00.5",
	};
	static const char *const expected[] = {
	        "1969-12-31 23:59:59.999999", "1900-02-28 00:00:00",
	        "2000-02-29 12:34:56.000001", "2100-03-01 00:00:00",
	        "9999-12-31 23:59:59.999999", "0001-01-01 00:00:00",
	        "2038-01-19 03:14:08",        "1970-01-01 00:00:00",
	        "2024-01-15 10:30:00.500000",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_datetime_utc(texts[i], expected[i]);
}

static void test_datetime_parse_forms(void **state)
{
	(void)state;
	check_datetime_utc("2024-01-15T10:30", "2024-01-15 10:30:00");
	check_datetime_utc("2024-01-15 10:30", "2024-01-15 10:30:00");
	check_datetime_utc("2024-01-15T10:30:05", "2024-01-15 10:30:05");
	check_datetime_utc("2024-01-15 10:30:00.5", "2024-01-15 10:30:00.500000");
	check_datetime_utc("2024-01-15 10:30:00.05", "2024-01-15 10:30:00.050000");
	check_datetime_utc("2024-01-15 10:30:00.000123", "2024-01-15 10:30:00.000123");
	check_datetime_utc("2024-01-15 10:30:00.000000", "2024-01-15 10:30:00");
	check_datetime_utc("2024-01-15", "2024-01-15 00:00:00");
	check_datetime_utc("1969-12-31", "1969-12-31 00:00:00");
	check_datetime_utc("2024-01-15T10:30:00Z", "2024-01-15 10:30:00");
	check_datetime_utc("1969-12-31T23:59:59.999999Z", "1969-12-31 23:59:59.999999");
	assert_int_equal(dt_parse("1970-01-01T00:00:00Z").us, 0);
	assert_int_equal(dt_parse("1970-01-01").us, 0);
}

static void test_datetime_parse_offsets(void **state)
{
	(void)state;
	check_datetime_utc("2024-01-15T10:30:00+05:30", "2024-01-15 05:00:00");
	check_datetime_utc("2024-01-15 10:30:00+0530", "2024-01-15 05:00:00");
	check_datetime_utc("2024-01-15 10:30:00+05", "2024-01-15 05:30:00");
	check_datetime_utc("2024-01-15T10:30:00-08:00", "2024-01-15 18:30:00");
	check_datetime_utc("2024-01-15T10:30:00+00:00", "2024-01-15 10:30:00");
	check_datetime_utc("2024-01-15T10:30:00-00:00", "2024-01-15 10:30:00");
	check_datetime_utc("2024-01-15T10:30+01:00", "2024-01-15 09:30:00");
	check_datetime_utc("2024-01-15T10:30:00.25-0100", "2024-01-15 11:30:00.250000");
	/* Crossing a day, a month, a year and a leap day. */
	check_datetime_utc("2024-01-01T01:00:00+02:00", "2023-12-31 23:00:00");
	check_datetime_utc("2000-02-28T23:30:00-01:00", "2000-02-29 00:30:00");
	check_datetime_utc("1970-01-01T00:00:00+00:01", "1969-12-31 23:59:00");
	check_datetime_utc("2024-03-01T00:00:00+23:59", "2024-02-29 00:01:00");
	check_datetime_utc("9999-12-31T23:59:59+01:00", "9999-12-31 22:59:59");
	check_datetime_utc("0001-01-01T00:00:00-01:00", "0001-01-01 01:00:00");
}

static void test_datetime_parse_rejects(void **state)
{
	static const char *const bad[] = {
	        "",
	        "2024-01-15 24:00",
	        "2024-01-15 10:60",
	        "2024-01-15 10:30:60",
	        "2024-02-30 10:00",
	        "2024-13-01 10:00",
	        "2024-01-15 10:30:00.",
	        "2024-01-15 10:30:00.1234567",
	        "2024-01-15 10:30:00x",
	        "2024-01-15x10:30",
	        "2024-01-15 10:30:00+24:00",
	        "2024-01-15 10:30:00+05:60",
	        "2024-01-15 10:30:00+5",
	        "2024-01-15 10:30:00+05:3",
	        "2024-01-15 10:30:00+053",
	        "2024-01-15 10:30:00+05:30:00",
	        "2024-01-15 10:30:00+",
	        "2024-01-15 10:30:00 Z",
	        "2024-01-15 10:30:00z",
	        "2024-01-15 10:30:00ZZ",
	        "2024-01-15 10",
	        "2024-01-15 10:3",
	        "2024-01-15 1:30",
	        "2024-01-15 10:30:5",
	        "2024-01-15 10:30:",
	        "2024-01-15 ",
	        "2024-01-15T",
	        "2024-01-15Z",
	        "2024-01-15 10:30.5",
	        "2024-01-15 10:30:00.-5",
	        "2024-01-15  10:30",
	        " 2024-01-15 10:30",
	        "0000-12-31 10:30",
	        /* Valid text whose UTC instant falls outside years 1..9999. */
	        "0001-01-01T00:00:00+01:00",
	        "9999-12-31T23:59:59-00:01",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_datetime_rejected(bad[i]);
	assert_int_equal(corm_datetime_parse(NULL, "2024-01-15", 10), CORM_EINVAL);
}

static void test_datetime_parse_uses_len(void **state)
{
	static const char text[] = "2024-01-15 10:30:00+01:00";
	corm_datetime dt;

	(void)state;
	/* Only the first len bytes count: the offset is cut off here. */
	assert_int_equal(corm_datetime_parse(&dt, text, 19), CORM_OK);
	assert_int_equal(dt.us, INT64_C(1705314600000000));
	assert_int_equal(corm_datetime_parse(&dt, text, 10), CORM_OK);
	assert_int_equal(dt.us, INT64_C(1705276800000000));
	assert_int_equal(corm_datetime_parse(&dt, text, 22), CORM_OK); /* "+01" */
	assert_int_equal(dt.us, INT64_C(1705311000000000));
	assert_int_equal(corm_datetime_parse(&dt, text, 21), CORM_EINVAL); /* "+0" */
}

static void test_datetime_now_and_today(void **state)
{
	corm_datetime now = corm_datetime_now();
	corm_date today = corm_date_today();
	int year;

	(void)state;
	corm_datetime_to_parts(now, &year, NULL, NULL, NULL, NULL, NULL, NULL);
	assert_in_range(year, 2024, 2200);
	/* today may have ticked over midnight since now was read. */
	assert_in_range(today.days - corm_datetime_date(now).days, 0, 1);
	assert_true(corm_datetime_now().us >= now.us);
}

/* ---- times ------------------------------------------------------------ */

static void test_time_build_and_format(void **state)
{
	char buf[CORM_TIME_STRLEN];
	corm_time t = {-7};

	(void)state;
	assert_int_equal(corm_time_from_parts(&t, 10, 30, 0, 0), CORM_OK);
	assert_int_equal(t.us, INT64_C(37800000000));
	assert_int_equal(corm_time_format(t, buf), 8);
	assert_string_equal(buf, "10:30:00");
	assert_int_equal(corm_time_from_parts(&t, 0, 0, 0, 1), CORM_OK);
	assert_int_equal(corm_time_format(t, buf), 15);
	assert_string_equal(buf, "00:00:00.000001");
	assert_int_equal(corm_time_from_parts(&t, 23, 59, 59, 999999), CORM_OK);
	assert_int_equal(t.us, INT64_C(86399999999));
	corm_time_format(t, buf);
	assert_string_equal(buf, "23:59:59.999999");

	t.us = -7;
	assert_int_equal(corm_time_from_parts(&t, 24, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_time_from_parts(&t, 0, 60, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_time_from_parts(&t, 0, 0, 60, 0), CORM_EINVAL);
	assert_int_equal(corm_time_from_parts(&t, 0, 0, 0, 1000000), CORM_EINVAL);
	assert_int_equal(corm_time_from_parts(&t, -1, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(corm_time_from_parts(NULL, 0, 0, 0, 0), CORM_EINVAL);
	assert_int_equal(t.us, -7);
}

static void test_time_parse(void **state)
{
	static const char *const bad[] = {
	        "",          "24:00",     "23:60",          "1:30",     "10:30:",
	        "10:30:00.", "10:30:00Z", "10:30:00+01:00", "10:30.5",  "10:30:00.1234567",
	        "10-30",     " 10:30",    "10:30 ",         "10:30:60",
	};
	char buf[CORM_TIME_STRLEN];
	corm_time t = {0};

	(void)state;
	assert_int_equal(corm_time_parse(&t, "10:30", 5), CORM_OK);
	assert_int_equal(t.us, INT64_C(37800000000));
	assert_int_equal(corm_time_parse(&t, "10:30:15.25", 11), CORM_OK);
	corm_time_format(t, buf);
	assert_string_equal(buf, "10:30:15.250000");
	assert_int_equal(corm_time_parse(&t, "00:00:00", 8), CORM_OK);
	assert_int_equal(t.us, 0);
	assert_int_equal(corm_time_parse(&t, "23:59:59.999999", 15), CORM_OK);
	assert_int_equal(t.us, INT64_C(86399999999));
	t.us = 3;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (corm_time_parse(&t, bad[i], strlen(bad[i])) != CORM_EINVAL)
			fail_msg("accepted invalid time \"%s\"", bad[i]);
	}
	assert_int_equal(t.us, 3);
}

/* ---- durations -------------------------------------------------------- */

static void test_duration_format(void **state)
{
	(void)state;
	check_duration(0, "0:00:00");
	check_duration(INT64_C(93784000005), "1 day, 2:03:04.000005");
	check_duration(INT64_C(172800000000), "2 days, 0:00:00");
	check_duration(INT64_C(86400000000), "1 day, 0:00:00");
	check_duration(INT64_C(36000000000), "10:00:00");
	check_duration(1, "0:00:00.000001");
	check_duration(INT64_C(-1000000), "-1 day, 23:59:59");
	check_duration(-1, "-1 day, 23:59:59.999999");
	check_duration(INT64_C(-86400000000), "-1 day, 0:00:00");
	check_duration(INT64_C(-172801000000), "-3 days, 23:59:59");
	check_duration(INT64_MIN, "-106751992 days, 19:59:05.224192");
	check_duration(INT64_MAX, "106751991 days, 4:00:54.775807");
}

/* ---- UUIDs ------------------------------------------------------------ */

static void test_uuid_parse_and_format(void **state)
{
	static const uint8_t bytes[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
	                                  0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
	static const char *const forms[] = {
	        "123e4567-e89b-12d3-a456-426614174000",
	        "123E4567-E89B-12D3-A456-426614174000",
	        "123e4567e89b12d3a456426614174000",
	        "123E4567e89B12d3A456426614174000",
	};
	char text[CORM_UUID_STRLEN];
	char hex[33];

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		corm_uuid u;

		assert_int_equal(corm_uuid_parse(&u, forms[i], strlen(forms[i])), CORM_OK);
		assert_memory_equal(u.bytes, bytes, 16);
		assert_int_equal(corm_uuid_format(u, text), 36);
		assert_string_equal(text, "123e4567-e89b-12d3-a456-426614174000");
		assert_int_equal(corm_uuid_hex(u, hex), 32);
		assert_string_equal(hex, "123e4567e89b12d3a456426614174000");
	}
}

static void test_uuid_extremes(void **state)
{
	char text[CORM_UUID_STRLEN];
	corm_uuid u;

	(void)state;
	memset(u.bytes, 0xff, sizeof(u.bytes));
	corm_uuid_format(u, text);
	assert_string_equal(text, "ffffffff-ffff-ffff-ffff-ffffffffffff");
	assert_int_equal(corm_uuid_parse(&u, "00000000000000000000000000000000", 32), CORM_OK);
	corm_uuid_format(u, text);
	assert_string_equal(text, "00000000-0000-0000-0000-000000000000");
}

static void test_uuid_rejects(void **state)
{
	static const char *const bad[] = {
	        "",
	        "123e4567-e89b-12d3-a456-42661417400",    /* 35 */
	        "123e4567-e89b-12d3-a456-4266141740000",  /* 37 */
	        "123e4567e89b12d3a45642661417400",        /* 31 */
	        "123e4567e89b12d3a4564266141740000",      /* 33 */
	        "{123e4567-e89b-12d3-a456-426614174000}", /* braces */
	        "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
	        "123e4567-e89b-12d3-a456-42661417400g", /* non-hex */
	        "g23e4567e89b12d3a456426614174000",
	        "123e456-7e89b-12d3-a456-426614174000", /* misplaced dash */
	        "123e4567-e89b12d3-a456-4266-14174000",
	        "123e4567-e89b-12d3-a456-42661417-000", /* extra dash */
	        "123e4567ae89bb12d3aa456a426614174000", /* 36 without dashes */
	        "123e4567-e89b-12d3-a456-4266141740",   /* dashed but short */
	        "123e-4567e89b12d3a456426614174000",    /* dash in the 32 form */
	        " 123e4567e89b12d3a45642661417400",
	        "123e4567-e89b-12d3-a456+426614174000",
	};
	corm_uuid u;
	corm_uuid before;

	(void)state;
	memset(u.bytes, 0xab, sizeof(u.bytes));
	before = u;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (corm_uuid_parse(&u, bad[i], strlen(bad[i])) != CORM_EINVAL)
			fail_msg("accepted invalid uuid \"%s\"", bad[i]);
	}
	assert_memory_equal(u.bytes, before.bytes, 16);
	assert_int_equal(corm_uuid_parse(NULL, "123e4567e89b12d3a456426614174000", 32),
	                 CORM_EINVAL);
	assert_int_equal(corm_uuid_parse(&u, NULL, 32), CORM_EINVAL);
}

static void test_uuid4(void **state)
{
	char text[CORM_UUID_STRLEN], hex[33];
	corm_uuid a = corm_uuid4(), b = corm_uuid4(), back;

	(void)state;
	assert_int_equal(a.bytes[6] >> 4, 4);      /* version 4 */
	assert_int_equal(a.bytes[8] & 0xc0, 0x80); /* RFC 4122 variant */
	assert_memory_not_equal(a.bytes, b.bytes, 16);
	corm_uuid_format(a, text);
	assert_int_equal(text[14], '4');
	assert_int_equal(corm_uuid_parse(&back, text, 36), CORM_OK);
	assert_memory_equal(back.bytes, a.bytes, 16);
	corm_uuid_hex(a, hex);
	assert_int_equal(corm_uuid_parse(&back, hex, 32), CORM_OK);
	assert_memory_equal(back.bytes, a.bytes, 16);
}

/* ---- decimals --------------------------------------------------------- */

static void test_decimal_round_trips(void **state)
{
	(void)state;
	check_decimal_round_trip("12.50", "12.50", 2);
	check_decimal_round_trip("-12.50", "-12.50", 2);
	check_decimal_round_trip("-0.001", "-0.001", 3);
	check_decimal_round_trip("0.00", "0.00", 2);
	check_decimal_round_trip("0", "0", 0);
	check_decimal_round_trip("3", "3", 0);
	check_decimal_round_trip("100", "100", 0);
	check_decimal_round_trip("1E+2", "100", -2);
	check_decimal_round_trip("1e2", "100", -2);
	check_decimal_round_trip("0E+2", "0", -2);
	check_decimal_round_trip("1.5E+3", "1500", -2);
	check_decimal_round_trip("12.5e-1", "1.25", 2);
	check_decimal_round_trip("1e-3", "0.001", 3);
	check_decimal_round_trip("1E-10", "0.0000000001", 10);
	check_decimal_round_trip("+0.0001", "0.0001", 4);
	check_decimal_round_trip("1.", "1", 0);
	check_decimal_round_trip(".5", "0.5", 1);
	check_decimal_round_trip("-.5", "-0.5", 1);
	check_decimal_round_trip("0001.2300", "1.2300", 4);
	check_decimal_round_trip("123456789012345678901234567890.123456789",
	                         "123456789012345678901234567890.123456789", 9);
	/* Negative zero is plain zero. */
	check_decimal_round_trip("-0", "0", 0);
	check_decimal_round_trip("-0.00", "0.00", 2);
	check_decimal_round_trip("-0e-3", "0.000", 3);
}

static void test_decimal_rejects(void **state)
{
	static const char *const bad[] = {
	        "",     "abc",        "1.2.3",      "NaN",
	        "nan",  "sNaN",       "Infinity",   "-Infinity",
	        "inf",  " 1",         "1 ",         "\t1",
	        "+",    "-",          ".",          "-.",
	        "1e",   "1e+",        "e5",         "E5",
	        ".e1",  "1_000",      "0x10",       "1,5",
	        "--1",  "+-1",        "1e5.5",      "1e1e1",
	        "1.5f", "1E+1000000", "1e-1000000", "1e99999999999999999999999",
	};
	corm_decimal *d = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_decimal_rejected(bad[i]);
	assert_int_equal(corm_decimal_parse(NULL, "1"), CORM_EINVAL);
	d = (corm_decimal *)&d;
	assert_int_equal(corm_decimal_parse(&d, NULL), CORM_EINVAL);
	assert_null(d);
}

static void test_decimal_exponent_bounds(void **state)
{
	corm_decimal *a = dec("1E+999999"), *b = dec("1e-999999"), *c = dec("10"), *out = NULL;
	char *s;

	(void)state;
	s = corm_decimal_to_string(a);
	assert_non_null(s);
	assert_int_equal(strlen(s), 1000000);
	corm_mem_free(s);
	/* The bound is on the stored exponent: 0.5E+1000000 is 5E+999999. */
	corm_decimal_free(dec("0.5E+1000000"));
	/* Products past the bound are refused rather than grown without limit. */
	assert_int_equal(corm_decimal_mul(&out, a, a), CORM_EINVAL);
	assert_null(out);
	assert_int_equal(corm_decimal_mul(&out, a, b), CORM_OK);
	check_decimal_text(out, "1");
	corm_decimal_free(out);
	assert_int_equal(corm_decimal_quantize(c, 1000000), CORM_EINVAL);
	assert_int_equal(corm_decimal_quantize(c, -1000000), CORM_EINVAL);
	check_decimal_text(c, "10");
	corm_decimal_free(a);
	corm_decimal_free(b);
	corm_decimal_free(c);
}

static void test_decimal_from_int_and_copy(void **state)
{
	corm_decimal *d = NULL, *copy = NULL;

	(void)state;
	assert_int_equal(corm_decimal_from_int(&d, INT64_MIN), CORM_OK);
	check_decimal_text(d, "-9223372036854775808");
	corm_decimal_free(d);
	assert_int_equal(corm_decimal_from_int(&d, INT64_MAX), CORM_OK);
	check_decimal_text(d, "9223372036854775807");
	corm_decimal_free(d);
	assert_int_equal(corm_decimal_from_int(&d, 0), CORM_OK);
	check_decimal_text(d, "0");
	assert_int_equal(corm_decimal_scale(d), 0);
	corm_decimal_free(d);
	assert_int_equal(corm_decimal_from_int(NULL, 1), CORM_EINVAL);

	d = dec("12.50");
	assert_int_equal(corm_decimal_copy(&copy, d), CORM_OK);
	assert_int_equal(corm_decimal_quantize(copy, 0), CORM_OK);
	check_decimal_text(copy, "12");
	check_decimal_text(d, "12.50"); /* the original is untouched */
	corm_decimal_free(copy);
	copy = d;
	assert_int_equal(corm_decimal_copy(&copy, NULL), CORM_EINVAL);
	assert_null(copy);
	corm_decimal_free(d);
	corm_decimal_free(NULL);
}

static int cmp_texts(const char *a, const char *b)
{
	corm_decimal *x = dec(a), *y = dec(b);
	int r = corm_decimal_cmp(x, y);

	corm_decimal_free(x);
	corm_decimal_free(y);
	return r;
}

static void test_decimal_cmp(void **state)
{
	(void)state;
	assert_int_equal(cmp_texts("12.5", "12.50"), 0);
	assert_int_equal(cmp_texts("12.50", "12.5"), 0);
	assert_int_equal(cmp_texts("1E+2", "100.000"), 0);
	assert_int_equal(cmp_texts("0", "0.00"), 0);
	assert_int_equal(cmp_texts("-0", "0E+5"), 0);
	assert_int_equal(cmp_texts("1", "2"), -1);
	assert_int_equal(cmp_texts("2", "1"), 1);
	assert_int_equal(cmp_texts("-1", "1"), -1);
	assert_int_equal(cmp_texts("1E+2", "99.99"), 1);
	assert_int_equal(cmp_texts("-0.001", "0"), -1);
	assert_int_equal(cmp_texts("0", "-0.001"), 1);
	assert_int_equal(cmp_texts("-2", "-10"), 1);
	assert_int_equal(cmp_texts("0.1000000000000000000000000000001", "0.1"), 1);
	assert_int_equal(
	        cmp_texts("123456789012345678901234567890", "123456789012345678901234567891"), -1);
}

enum op { ADD, SUB, MUL };

static void check_op(enum op op, const char *a, const char *b, const char *expected)
{
	corm_decimal *x = dec(a), *y = dec(b), *out = NULL;
	int rc;

	switch (op) {
	case ADD:
		rc = corm_decimal_add(&out, x, y);
		break;
	case SUB:
		rc = corm_decimal_sub(&out, x, y);
		break;
	default:
		rc = corm_decimal_mul(&out, x, y);
		break;
	}
	assert_int_equal(rc, CORM_OK);
	check_decimal_text(out, expected);
	corm_decimal_free(out);
	corm_decimal_free(x);
	corm_decimal_free(y);
}

static void test_decimal_arithmetic(void **state)
{
	corm_decimal *one = dec("1"), *out = one;

	(void)state;
	check_op(ADD, "12.5", "0.25", "12.75");
	check_op(ADD, "1E+2", "1", "101");
	check_op(ADD, "1.50", "-1.50", "0.00");
	check_op(ADD, "0.1", "0.2", "0.3");
	check_op(ADD, "99999999999999999999999999999999.99", "0.01",
	         "100000000000000000000000000000000.00");
	check_op(SUB, "1", "0.001", "0.999");
	check_op(SUB, "0.001", "1", "-0.999");
	check_op(SUB, "1E+2", "0.5", "99.5");
	check_op(SUB, "-5.5", "-5.50", "0.00");
	check_op(MUL, "1.5", "2.25", "3.375");
	check_op(MUL, "-0.5", "0.5", "-0.25");
	check_op(MUL, "12.50", "2", "25.00");
	check_op(MUL, "1E+2", "0.01", "1");
	check_op(MUL, "-3", "0.000", "0.000");
	check_op(MUL, "99999999999999999999999999999999.99", "99999999999999999999999999999999.99",
	         "9999999999999999999999999999999998000000000000000000000000000000.0001");

	assert_int_equal(corm_decimal_add(&out, one, NULL), CORM_EINVAL);
	assert_null(out);
	assert_int_equal(corm_decimal_sub(&out, NULL, one), CORM_EINVAL);
	assert_int_equal(corm_decimal_mul(&out, NULL, one), CORM_EINVAL);
	assert_int_equal(corm_decimal_add(NULL, one, one), CORM_EINVAL);
	corm_decimal_free(one);
}

static void check_quantize(const char *text, int places, const char *expected)
{
	corm_decimal *d = dec(text);

	assert_int_equal(corm_decimal_quantize(d, places), CORM_OK);
	check_decimal_text(d, expected);
	assert_int_equal(corm_decimal_scale(d), places);
	corm_decimal_free(d);
}

static void test_decimal_quantize_half_even(void **state)
{
	(void)state;
	check_quantize("2.675", 2, "2.68");
	check_quantize("2.665", 2, "2.66");
	check_quantize("-1.005", 2, "-1.00");
	check_quantize("-2.675", 2, "-2.68");
	check_quantize("1.5", 0, "2");
	check_quantize("2.5", 0, "2");
	check_quantize("-2.5", 0, "-2");
	check_quantize("0.5", 0, "0");
	check_quantize("12.5", 3, "12.500");
	check_quantize("1E+2", 2, "100.00");
	check_quantize("1234.5", -2, "1200");
	check_quantize("1250", -2, "1200");
	check_quantize("1350", -2, "1400");
	check_quantize("0.004", 2, "0.00");
	check_quantize("0.005", 2, "0.00");
	check_quantize("0.015", 2, "0.02");
	check_quantize("9.995", 2, "10.00");
	check_quantize("2.6751", 2, "2.68");
	check_quantize("2.66500001", 2, "2.67");
	check_quantize("-0.0049", 2, "0.00"); /* Python: -0.00 */
	check_quantize("123456789012345678901234567890.5", 0, "123456789012345678901234567890");
	assert_int_equal(corm_decimal_quantize(NULL, 2), CORM_EINVAL);
}

static void check_digits(const char *text, int digits, int decimals, int whole)
{
	corm_decimal *d = dec(text);
	int n = -1, dec_places = -1, w = -1;

	corm_decimal_digits(d, &n, &dec_places, &w);
	if (n != digits || dec_places != decimals || w != whole)
		fail_msg("%s: digits (%d, %d, %d), expected (%d, %d, %d)", text, n, dec_places, w,
		         digits, decimals, whole);
	corm_decimal_free(d);
}

/* Expected values come from Django 3.2's DecimalValidator run under CPython. */
static void test_decimal_digits_like_django(void **state)
{
	corm_decimal *d;
	int n = -1;

	(void)state;
	check_digits("12.50", 4, 2, 2);
	check_digits("0.05", 2, 2, 0);
	check_digits("100", 3, 0, 3);
	check_digits("1E+2", 3, 0, 3);
	check_digits("0", 1, 0, 1);
	check_digits("0.00", 2, 2, 0);
	check_digits("0.000", 3, 3, 0);
	check_digits("-0.0", 1, 1, 0);
	check_digits("0E+2", 3, 0, 3);
	check_digits("-0.001", 3, 3, 0);
	check_digits("123.456", 6, 3, 3);
	check_digits("1E-5", 5, 5, 0);
	check_digits("0.1", 1, 1, 0);
	check_digits("10.0", 3, 1, 2);
	check_digits("-12345", 5, 0, 5);
	check_digits("1.0E+3", 4, 0, 4);
	check_digits("99999999999999999999", 20, 0, 20);
	check_digits("100000000000000000000", 21, 0, 21);

	d = dec("12.50");
	corm_decimal_digits(d, &n, NULL, NULL);
	assert_int_equal(n, 4);
	corm_decimal_digits(d, NULL, NULL, NULL);
	corm_decimal_free(d);
}

static void test_decimal_to_double(void **state)
{
	static const struct {
		const char *text;
		double value;
	} cases[] = {
	        {"12.50", 12.5},
	        {"-0.001", -0.001},
	        {"1E+2", 100.0},
	        {"0.1", 0.1},
	        {"0", 0.0},
	        {"3.14159", 3.14159},
	        {"-1e-3", -0.001},
	        {"123456789012345678901234567890", 123456789012345678901234567890.0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		corm_decimal *d = dec(cases[i].text);

		/* strtod rounds correctly, so these equal the C literals exactly. */
		assert_true(corm_decimal_to_double(d) == cases[i].value);
		corm_decimal_free(d);
	}
}

/* ---- allocation failures ---------------------------------------------- */

/* An allocator that fails once `budget` allocations have succeeded. */
struct budget {
	int budget;
	int live;
};

static void *budget_malloc(size_t size, void *ctx)
{
	struct budget *b = ctx;
	void *p;

	if (b->budget <= 0)
		return NULL;
	p = malloc(size);
	if (p) {
		b->budget--;
		b->live++;
	}
	return p;
}

static void *budget_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	return realloc(ptr, size);
}

static void budget_free(void *ptr, void *ctx)
{
	struct budget *b = ctx;

	if (ptr)
		b->live--;
	free(ptr);
}

static int restore_allocator(void **state)
{
	(void)state;
	corm_set_allocator(NULL);
	return 0;
}

static void use_budget(struct budget *b, int budget)
{
	static const corm_allocator template = {budget_malloc, budget_realloc, budget_free, NULL};
	corm_allocator a = template;

	b->budget = budget;
	b->live = 0;
	a.ctx = b;
	corm_set_allocator(&a);
	/* GMP cannot survive a failed allocation (it aborts): keep its own allocator */
	mp_set_memory_functions(NULL, NULL, NULL);
}

/* A step's result: on failure it must be CORM_ENOMEM with *out left NULL. */
static int oom_step(int rc, corm_decimal *const *out)
{
	if (rc != CORM_OK) {
		assert_int_equal(rc, CORM_ENOMEM);
		assert_null(*out);
	}
	return rc;
}

/* One pass over the allocating decimal operations; CORM_OK when all succeed. */
static int decimal_ops_pass(void)
{
	corm_decimal *x = NULL, *y = NULL, *out = NULL;
	char *s = NULL;
	int rc = oom_step(corm_decimal_parse(&x, "-12.50"), &x);

	if (rc == CORM_OK)
		rc = oom_step(corm_decimal_from_int(&y, 3), &y);
	if (rc == CORM_OK) {
		rc = oom_step(corm_decimal_mul(&out, x, y), &out);
		corm_decimal_free(out);
		out = NULL;
	}
	if (rc == CORM_OK) {
		rc = oom_step(corm_decimal_sub(&out, x, y), &out);
		corm_decimal_free(out);
		out = NULL;
	}
	if (rc == CORM_OK)
		rc = oom_step(corm_decimal_copy(&out, x), &out);
	if (rc == CORM_OK) {
		s = corm_decimal_to_string(out);
		if (s)
			assert_string_equal(s, "-12.50");
		else
			rc = CORM_ENOMEM;
	}
	/* to_double answers NaN when it cannot allocate, and NaN != -12.5. */
	if (rc == CORM_OK && corm_decimal_to_double(x) != -12.5)
		rc = CORM_ENOMEM;
	corm_mem_free(s);
	corm_decimal_free(out);
	corm_decimal_free(x);
	corm_decimal_free(y);
	return rc;
}

/* Runs the decimal operations under a growing allocation budget: each must
 * succeed or report CORM_ENOMEM having freed whatever it had allocated. */
static void test_decimal_out_of_memory(void **state)
{
	struct budget b;
	int budget = 0;

	(void)state;
	for (;; budget++) {
		int rc;

		assert_in_range(budget, 0, 50);
		use_budget(&b, budget);
		rc = decimal_ops_pass();
		assert_int_equal(b.live, 0);
		if (rc == CORM_OK)
			break;
	}
	assert_true(budget > 5); /* the failures above really were exercised */
	corm_set_allocator(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_date_known_days),
	        cmocka_unit_test(test_date_leap_years),
	        cmocka_unit_test(test_date_invalid_parts),
	        cmocka_unit_test(test_date_every_day_round_trips),
	        cmocka_unit_test(test_date_to_ymd_null_outputs),
	        cmocka_unit_test(test_date_format_and_parse),
	        cmocka_unit_test(test_date_parse_uses_len),
	        cmocka_unit_test(test_date_parse_rejects),
	        cmocka_unit_test(test_datetime_from_parts),
	        cmocka_unit_test(test_datetime_from_parts_rejects),
	        cmocka_unit_test(test_datetime_to_parts_before_epoch),
	        cmocka_unit_test(test_datetime_format),
	        cmocka_unit_test(test_datetime_round_trips),
	        cmocka_unit_test(test_datetime_parse_forms),
	        cmocka_unit_test(test_datetime_parse_offsets),
	        cmocka_unit_test(test_datetime_parse_rejects),
	        cmocka_unit_test(test_datetime_parse_uses_len),
	        cmocka_unit_test(test_datetime_now_and_today),
	        cmocka_unit_test(test_time_build_and_format),
	        cmocka_unit_test(test_time_parse),
	        cmocka_unit_test(test_duration_format),
	        cmocka_unit_test(test_uuid_parse_and_format),
	        cmocka_unit_test(test_uuid_extremes),
	        cmocka_unit_test(test_uuid_rejects),
	        cmocka_unit_test(test_uuid4),
	        cmocka_unit_test(test_decimal_round_trips),
	        cmocka_unit_test(test_decimal_rejects),
	        cmocka_unit_test(test_decimal_exponent_bounds),
	        cmocka_unit_test(test_decimal_from_int_and_copy),
	        cmocka_unit_test(test_decimal_cmp),
	        cmocka_unit_test(test_decimal_arithmetic),
	        cmocka_unit_test(test_decimal_quantize_half_even),
	        cmocka_unit_test(test_decimal_digits_like_django),
	        cmocka_unit_test(test_decimal_to_double),
	        cmocka_unit_test_teardown(test_decimal_out_of_memory, restore_allocator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

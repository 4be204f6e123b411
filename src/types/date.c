/*
 * types/date.c - dates, instants, times of day and durations.
 *
 * Everything is plain integer arithmetic on the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil / civil_from_days), so nothing here
 * depends on the process locale or time zone: no mktime, localtime or timegm.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include <stdio.h>
#include <time.h>

#include "corm/types.h"

#define US_PER_SEC  INT64_C(1000000)
#define US_PER_MIN  (60 * US_PER_SEC)
#define US_PER_HOUR (60 * US_PER_MIN)
#define US_PER_DAY  (24 * US_PER_HOUR)

#define YEAR_MIN 1
#define YEAR_MAX 9999

/* ---- calendar arithmetic ---------------------------------------------- */

/* Floor division and the matching non-negative remainder (b > 0). */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
	int64_t q = a / b;
	int64_t r = a % b;

	if (r < 0) {
		r += b;
		q -= 1;
	}
	if (rem)
		*rem = r;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */

	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil (Hinnant). */
static void civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = m;
	*year = yoe + era * 400 + (m <= 2);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool valid_ymd(int y, int m, int d)
{
	return y >= YEAR_MIN && y <= YEAR_MAX && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days_in_month(y, m);
}

static bool valid_hms(int hour, int minute, int second, int microsecond)
{
	return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 &&
	       second <= 59 && microsecond >= 0 && microsecond <= 999999;
}

static int64_t time_us(int hour, int minute, int second, int microsecond)
{
	return hour * US_PER_HOUR + minute * US_PER_MIN + second * US_PER_SEC + microsecond;
}

/* Splits microseconds since midnight (0 .. one day) into its parts. */
static void split_time(int64_t us, int *hour, int *minute, int *second, int *microsecond)
{
	if (hour)
		*hour = (int)(us / US_PER_HOUR);
	if (minute)
		*minute = (int)(us / US_PER_MIN % 60);
	if (second)
		*second = (int)(us / US_PER_SEC % 60);
	if (microsecond)
		*microsecond = (int)(us % US_PER_SEC);
}

/* The instants of 0001-01-01 00:00:00 and 9999-12-31 23:59:59.999999. */
static int64_t datetime_min_us(void)
{
	return days_from_civil(YEAR_MIN, 1, 1) * US_PER_DAY;
}

static int64_t datetime_max_us(void)
{
	return (days_from_civil(YEAR_MAX, 12, 31) + 1) * US_PER_DAY - 1;
}

/* ---- building and splitting ------------------------------------------- */

CORM_EXTERN(int) corm_date_from_ymd(corm_date *out, int year, int month, int day)
{
	if (!out || !valid_ymd(year, month, day))
		return CORM_EINVAL;
	out->days = (int32_t)days_from_civil(year, month, day);
	return CORM_OK;
}

CORM_EXTERN(void) corm_date_to_ymd(corm_date d, int *year, int *month, int *day)
{
	int64_t y;
	int m, dd;

	civil_from_days(d.days, &y, &m, &dd);
	if (year)
		*year = (int)y;
	if (month)
		*month = m;
	if (day)
		*day = dd;
}

CORM_EXTERN(corm_date) corm_date_today(void)
{
	return corm_datetime_date(corm_datetime_now());
}

CORM_EXTERN(int)
corm_datetime_from_parts(corm_datetime *out, int year, int month, int day, int hour, int minute,
                         int second, int microsecond)
{
	if (!out || !valid_ymd(year, month, day) || !valid_hms(hour, minute, second, microsecond))
		return CORM_EINVAL;
	out->us = days_from_civil(year, month, day) * US_PER_DAY +
	          time_us(hour, minute, second, microsecond);
	return CORM_OK;
}

CORM_EXTERN(void)
corm_datetime_to_parts(corm_datetime dt, int *year, int *month, int *day, int *hour, int *minute,
                       int *second, int *microsecond)
{
	int64_t rem;
	int64_t days = floor_div(dt.us, US_PER_DAY, &rem);
	int64_t y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	if (year)
		*year = (int)y;
	if (month)
		*month = m;
	if (day)
		*day = d;
	split_time(rem, hour, minute, second, microsecond);
}

/* the clock installed with corm_set_clock (NULL: the real one) */
static corm_clock_fn clock_fn;
static void *clock_ctx;

CORM_EXTERN(void) corm_set_clock(corm_clock_fn now, void *ctx)
{
	clock_fn = now;
	clock_ctx = now ? ctx : NULL;
}

CORM_EXTERN(corm_datetime) corm_datetime_now(void)
{
	if (clock_fn)
		return clock_fn(clock_ctx);
	struct timespec ts;
	corm_datetime dt = {0};

	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		dt.us = (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
	return dt;
}

CORM_EXTERN(corm_date) corm_datetime_date(corm_datetime dt)
{
	corm_date d;

	/* |INT64| / US_PER_DAY is about 1.07e8 days, well inside int32_t. */
	d.days = (int32_t)floor_div(dt.us, US_PER_DAY, NULL);
	return d;
}

CORM_EXTERN(int)
corm_time_from_parts(corm_time *out, int hour, int minute, int second, int microsecond)
{
	if (!out || !valid_hms(hour, minute, second, microsecond))
		return CORM_EINVAL;
	out->us = time_us(hour, minute, second, microsecond);
	return CORM_OK;
}

/* ---- formatting ------------------------------------------------------- */

/*
 * The snprintf fallbacks below may cut their text on purpose (clamp_len), for
 * hand-built out-of-range values; -O3 would otherwise warn about exactly that.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* snprintf's result clamped to what was actually written. */
static size_t clamp_len(int n, size_t size)
{
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/*
 * Writes a time of day (0 .. one day, exclusive) as "HH:MM:SS", or "H:MM:SS"
 * when pad_hour is false (timedelta style), plus ".ffffff" when the
 * microseconds are non-zero.
 */
/* Writes v (0 <= v < 10^width) as exactly `width` digits; formatting dates is on every bind. */
static char *put_digits(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static size_t format_hms(char *buf, size_t size, int64_t us, bool pad_hour)
{
	int hour, minute, second, micro;
	int width = pad_hour ? 2 : 1;

	split_time(us, &hour, &minute, &second, &micro);
	if (pad_hour && size >= sizeof "HH:MM:SS.ffffff" && hour >= 0 && hour < 24) {
		char *p = put_digits(buf, hour, 2);
		*p++ = ':';
		p = put_digits(p, minute, 2);
		*p++ = ':';
		p = put_digits(p, second, 2);
		if (micro) {
			*p++ = '.';
			p = put_digits(p, micro, 6);
		}
		*p = '\0';
		return (size_t)(p - buf);
	}
	if (micro)
		return clamp_len(snprintf(buf, size, "%0*d:%02d:%02d.%06d", width, hour, minute,
		                          second, micro),
		                 size);
	return clamp_len(snprintf(buf, size, "%0*d:%02d:%02d", width, hour, minute, second), size);
}

CORM_EXTERN(size_t) corm_date_format(corm_date d, char buf[CORM_DATE_STRLEN])
{
	int y, m, dd;

	corm_date_to_ymd(d, &y, &m, &dd);
	if (y >= 0 && y <= 9999) {
		char *p = put_digits(buf, y, 4);
		*p++ = '-';
		p = put_digits(p, m, 2);
		*p++ = '-';
		p = put_digits(p, dd, 2);
		*p = '\0';
		return 10;
	}
	return clamp_len(snprintf(buf, CORM_DATE_STRLEN, "%04d-%02d-%02d", y, m, dd),
	                 CORM_DATE_STRLEN);
}

CORM_EXTERN(size_t) corm_datetime_format(corm_datetime dt, char buf[CORM_DATETIME_STRLEN])
{
	int64_t rem;
	corm_date d = {(int32_t)floor_div(dt.us, US_PER_DAY, &rem)};
	size_t n = corm_date_format(d, buf);

	buf[n++] = ' ';
	return n + format_hms(buf + n, CORM_DATETIME_STRLEN - n, rem, true);
}

CORM_EXTERN(size_t) corm_time_format(corm_time t, char buf[CORM_TIME_STRLEN])
{
	int64_t us;

	/* A hand-built out-of-range value is wrapped into one day, as Python's
	 * datetime arithmetic would, so the text always fits the buffer. */
	floor_div(t.us, US_PER_DAY, &us);
	return format_hms(buf, CORM_TIME_STRLEN, us, true);
}

CORM_EXTERN(size_t) corm_duration_format(corm_duration d, char buf[CORM_DURATION_STRLEN])
{
	/* Python normalises a timedelta to days (any sign) plus a non-negative
	 * remainder under one day, and prints the days only when non-zero:
	 * timedelta(seconds=-1) is "-1 day, 23:59:59". */
	int64_t rem;
	int64_t days = floor_div(d.us, US_PER_DAY, &rem);
	size_t n = 0;

	if (days) {
		const char *plural = days == 1 || days == -1 ? "" : "s";

		n = clamp_len(snprintf(buf, CORM_DURATION_STRLEN, "%lld day%s, ", (long long)days,
		                       plural),
		              CORM_DURATION_STRLEN);
	}
	return n + format_hms(buf + n, CORM_DURATION_STRLEN - n, rem, false);
}

/* ---- parsing ---------------------------------------------------------- */

/* Reads exactly `count` ASCII digits (no locale-aware isdigit). */
static bool read_digits(const char *s, size_t count, int *out)
{
	int v = 0;

	for (size_t i = 0; i < count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "YYYY-MM-DD" in exactly the first 10 bytes of s; sets the day number. */
static bool read_date(const char *s, size_t len, int64_t *days)
{
	int y, m, d;

	if (len < 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!read_digits(s, 4, &y) || !read_digits(s + 5, 2, &m) || !read_digits(s + 8, 2, &d))
		return false;
	if (!valid_ymd(y, m, d))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/*
 * A fraction of 1 to 6 digits, scaled to microseconds (".5" is 500000).
 * Returns the number of bytes consumed after the '.', or 0 if invalid.
 */
static size_t read_fraction(const char *s, size_t len, int *micro)
{
	size_t n = 0;
	int v = 0;

	while (n < len && s[n] >= '0' && s[n] <= '9') {
		if (n == 6)
			return 0;
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0)
		return 0;
	for (size_t i = n; i < 6; i++)
		v *= 10;
	*micro = v;
	return n;
}

/*
 * "HH:MM[:SS[.f{1,6}]]" at the start of s. Sets *us and *used to the bytes
 * consumed; what follows is the caller's business.
 */
static bool read_time(const char *s, size_t len, int64_t *us, size_t *used)
{
	int hour, minute, second = 0, micro = 0;
	size_t pos = 5;

	if (len < 5 || s[2] != ':' || !read_digits(s, 2, &hour) || !read_digits(s + 3, 2, &minute))
		return false;
	if (pos < len && s[pos] == ':') {
		if (len - pos < 3 || !read_digits(s + pos + 1, 2, &second))
			return false;
		pos += 3;
		if (pos < len && s[pos] == '.') {
			size_t n = read_fraction(s + pos + 1, len - pos - 1, &micro);

			if (n == 0)
				return false;
			pos += 1 + n;
		}
	}
	if (!valid_hms(hour, minute, second, micro))
		return false;
	*us = time_us(hour, minute, second, micro);
	*used = pos;
	return true;
}

/* The whole of s is "", "Z", "+HH", "+HHMM" or "+HH:MM" (or '-'); offset east of UTC. */
static bool read_offset(const char *s, size_t len, int64_t *offset_us)
{
	int hh, mm = 0;
	int sign;

	*offset_us = 0;
	if (len == 0 || (len == 1 && s[0] == 'Z'))
		return true;
	if (s[0] != '+' && s[0] != '-')
		return false;
	sign = s[0] == '-' ? -1 : 1;
	if (len < 3 || !read_digits(s + 1, 2, &hh))
		return false;
	if (len == 6 && s[3] == ':') {
		if (!read_digits(s + 4, 2, &mm))
			return false;
	} else if (len == 5) {
		if (!read_digits(s + 3, 2, &mm))
			return false;
	} else if (len != 3) {
		return false;
	}
	/* Python's timezone requires |offset| < 24 hours. */
	if (hh > 23 || mm > 59)
		return false;
	*offset_us = sign * (hh * US_PER_HOUR + mm * US_PER_MIN);
	return true;
}

CORM_EXTERN(int) corm_date_parse(corm_date *out, const char *text, size_t len)
{
	int64_t days;

	if (!out || !text || len != 10 || !read_date(text, len, &days))
		return CORM_EINVAL;
	out->days = (int32_t)days;
	return CORM_OK;
}

CORM_EXTERN(int) corm_datetime_parse(corm_datetime *out, const char *text, size_t len)
{
	int64_t days, us = 0, offset = 0, result;
	size_t used;

	if (!out || !text || !read_date(text, len, &days))
		return CORM_EINVAL;
	if (len > 10) {
		if (text[10] != ' ' && text[10] != 'T')
			return CORM_EINVAL;
		if (!read_time(text + 11, len - 11, &us, &used))
			return CORM_EINVAL;
		if (!read_offset(text + 11 + used, len - 11 - used, &offset))
			return CORM_EINVAL;
	}
	/* Local time minus its offset is UTC; it must still be a year 1..9999 instant. */
	result = days * US_PER_DAY + us - offset;
	if (result < datetime_min_us() || result > datetime_max_us())
		return CORM_EINVAL;
	out->us = result;
	return CORM_OK;
}

CORM_EXTERN(int) corm_time_parse(corm_time *out, const char *text, size_t len)
{
	int64_t us;
	size_t used;

	if (!out || !text || !read_time(text, len, &us, &used) || used != len)
		return CORM_EINVAL;
	out->us = us;
	return CORM_OK;
}

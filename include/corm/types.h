/*
 * corm/types.h - the value types that model fields hold, and corm_value, the
 * tagged union used for query parameters and values() cells.
 *
 * Date and time types are plain value types counted in UTC (like Django with
 * USE_TZ=True and TIME_ZONE='UTC'). Decimals are exact (GMP integers scaled by
 * a power of ten), never binary floating point. JSON values are jansson json_t.
 */
#ifndef CORM_TYPES_H
#define CORM_TYPES_H

#include <jansson.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A calendar date: days since 1970-01-01 (negative before). */
typedef struct corm_date {
	int32_t days;
} corm_date;

/** An instant: microseconds since 1970-01-01T00:00:00Z (negative before). */
typedef struct corm_datetime {
	int64_t us;
} corm_datetime;

/** A time of day: microseconds since midnight, 0 .. 86399999999. */
typedef struct corm_time {
	int64_t us;
} corm_time;

/** A signed span of time in microseconds (Django's DurationField / timedelta). */
typedef struct corm_duration {
	int64_t us;
} corm_duration;

/** A UUID as its 16 bytes. */
typedef struct corm_uuid {
	uint8_t bytes[16];
} corm_uuid;

/** Bytes for BinaryField. data == NULL means SQL NULL; len may be 0 with data non-NULL. */
typedef struct corm_bytes {
	uint8_t *data;
	size_t len;
} corm_bytes;

/**
 * An exact decimal number. Opaque; always used through a pointer.
 *
 * Memory: the struct is allocated with corm's allocator, the digits by GMP,
 * which corm_set_allocator also hands corm's allocator
 * (mp_set_memory_functions). GMP cannot recover from a failed allocation: if
 * the allocator returns NULL to GMP, corm prints a message and aborts the
 * process (GMP would abort too). Every other decimal allocation failure is
 * CORM_ENOMEM. A test that fails allocations on purpose should give GMP back
 * its own allocator (mp_set_memory_functions(NULL, NULL, NULL)) after
 * corm_set_allocator.
 */
typedef struct corm_decimal corm_decimal;

/* ---- dates and times -------------------------------------------------- */

/** Builds a date. Returns CORM_EINVAL for an impossible date (2023-02-29). */
CORM_EXTERN(int) corm_date_from_ymd(corm_date *out, int year, int month, int day);
/** Splits a date into year/month/day; any out pointer may be NULL. */
CORM_EXTERN(void) corm_date_to_ymd(corm_date d, int *year, int *month, int *day);
/** Today's date in UTC (from corm_datetime_now, so the corm_set_clock clock). */
CORM_EXTERN(corm_date) corm_date_today(void);
/** Builds a UTC instant. Returns CORM_EINVAL for out-of-range parts. */
CORM_EXTERN(int)
corm_datetime_from_parts(corm_datetime *out, int year, int month, int day, int hour, int minute,
                         int second, int microsecond);
/** Splits a UTC instant; any out pointer may be NULL. */
CORM_EXTERN(void)
corm_datetime_to_parts(corm_datetime dt, int *year, int *month, int *day, int *hour, int *minute,
                       int *second, int *microsecond);
/**
 * The current UTC instant, microsecond resolution: the real clock, or the
 * clock installed with corm_set_clock.
 */
CORM_EXTERN(corm_datetime) corm_datetime_now(void);
/** A clock for corm_set_clock: returns "now" (UTC); ctx is the pointer given with it. */
typedef corm_datetime (*corm_clock_fn)(void *ctx);
/**
 * Replaces the clock that corm_datetime_now and corm_date_today read (and so
 * auto_now, auto_now_add): tests freeze time with it. `now` == NULL restores
 * the real clock. `ctx` is borrowed and handed to every call of `now`; it must
 * live until the clock is replaced. The clock is process-wide: set it while no
 * other thread is saving, and `now` itself must be thread-safe if corm is used
 * from several threads. No errors.
 */
CORM_EXTERN(void) corm_set_clock(corm_clock_fn now, void *ctx);
/** The date part (UTC) of an instant. */
CORM_EXTERN(corm_date) corm_datetime_date(corm_datetime dt);
/** Builds a time of day. Returns CORM_EINVAL for out-of-range parts. */
CORM_EXTERN(int)
corm_time_from_parts(corm_time *out, int hour, int minute, int second, int microsecond);

/** Text sizes for the formatters below, including the NUL. */
#define CORM_DATE_STRLEN     16
#define CORM_DATETIME_STRLEN 40
#define CORM_TIME_STRLEN     24
#define CORM_DURATION_STRLEN 40
#define CORM_UUID_STRLEN     37

/** "2024-01-15". Writes at most CORM_DATE_STRLEN bytes into buf. Returns the length. */
CORM_EXTERN(size_t) corm_date_format(corm_date d, char buf[CORM_DATE_STRLEN]);
/**
 * "2024-01-15 10:30:00" or "2024-01-15 10:30:00.000123": the text Django stores
 * on SQLite (UTC, no offset, microseconds only when non-zero). Returns the length.
 */
CORM_EXTERN(size_t) corm_datetime_format(corm_datetime dt, char buf[CORM_DATETIME_STRLEN]);
/** "10:30:00" or "10:30:00.000123". Returns the length. */
CORM_EXTERN(size_t) corm_time_format(corm_time t, char buf[CORM_TIME_STRLEN]);
/** Python timedelta text: "1 day, 2:03:04.000005", "-1 day, 23:59:59". Returns the length. */
CORM_EXTERN(size_t) corm_duration_format(corm_duration d, char buf[CORM_DURATION_STRLEN]);

/** Parses "YYYY-MM-DD". CORM_EINVAL unless the whole text is a valid date. */
CORM_EXTERN(int) corm_date_parse(corm_date *out, const char *text, size_t len);
/**
 * Parses ISO-8601 "YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|+HH:MM|-HH:MM]" into UTC;
 * a missing offset means UTC. CORM_EINVAL unless the whole text is valid.
 */
CORM_EXTERN(int) corm_datetime_parse(corm_datetime *out, const char *text, size_t len);
/** Parses "HH:MM[:SS[.ffffff]]". CORM_EINVAL unless the whole text is valid. */
CORM_EXTERN(int) corm_time_parse(corm_time *out, const char *text, size_t len);

/* ---- UUID ------------------------------------------------------------- */

/** A random (version 4) UUID. */
CORM_EXTERN(corm_uuid) corm_uuid4(void);
/** Parses 32 hex digits with or without the four dashes, any case. CORM_EINVAL otherwise. */
CORM_EXTERN(int) corm_uuid_parse(corm_uuid *out, const char *text, size_t len);
/** Canonical dashed lower-case text. Returns 36. */
CORM_EXTERN(size_t) corm_uuid_format(corm_uuid u, char buf[CORM_UUID_STRLEN]);
/** 32 lower-case hex digits without dashes (Django's char(32) storage). Returns 32. */
CORM_EXTERN(size_t) corm_uuid_hex(corm_uuid u, char buf[33]);

/* ---- decimals --------------------------------------------------------- */

/**
 * Parses a decimal literal ("-12.50", "3", "1e-3", "+0.0001"). The scale
 * (digits after the point) is kept: "12.50" has scale 2.
 * On success *out is owned by the caller (corm_decimal_free).
 * Errors: CORM_EINVAL for text that is not a finite decimal, CORM_ENOMEM.
 */
CORM_EXTERN(int) corm_decimal_parse(corm_decimal **out, const char *text);
/** Builds an integer-valued decimal. Caller owns *out. CORM_ENOMEM on failure. */
CORM_EXTERN(int) corm_decimal_from_int(corm_decimal **out, int64_t value);
/** Deep copy; caller owns *out. CORM_ENOMEM on failure. */
CORM_EXTERN(int) corm_decimal_copy(corm_decimal **out, const corm_decimal *d);
/** Frees a decimal; NULL is a no-op. */
CORM_EXTERN(void) corm_decimal_free(corm_decimal *d);
/** Plain text without exponent, keeping the scale ("12.50"). Caller frees with corm_mem_free. NULL
 * on OOM. */
CORM_EXTERN(char *) corm_decimal_to_string(const corm_decimal *d);
/** -1, 0 or 1 by numeric value (12.5 equals 12.50). */
CORM_EXTERN(int) corm_decimal_cmp(const corm_decimal *a, const corm_decimal *b);
/** *out = a + b (exact; scale = max of the scales). Caller owns *out. */
CORM_EXTERN(int) corm_decimal_add(corm_decimal **out, const corm_decimal *a, const corm_decimal *b);
/** *out = a - b (exact). Caller owns *out. */
CORM_EXTERN(int) corm_decimal_sub(corm_decimal **out, const corm_decimal *a, const corm_decimal *b);
/** *out = a * b (exact; scale = sum of the scales). Caller owns *out. */
CORM_EXTERN(int) corm_decimal_mul(corm_decimal **out, const corm_decimal *a, const corm_decimal *b);
/**
 * Rounds to `places` digits after the point, half-even (Python's default
 * context), in place. CORM_ENOMEM on failure.
 */
CORM_EXTERN(int) corm_decimal_quantize(corm_decimal *d, int places);
/** Digits after the point as stored (12.50 -> 2; 1E+2 -> -2). */
CORM_EXTERN(int) corm_decimal_scale(const corm_decimal *d);
/**
 * Digit counts exactly as Django's DecimalValidator computes them from
 * Decimal.as_tuple(): "12.50" -> digits 4, decimals 2, whole 2; "0.05" ->
 * digits 2, decimals 2, whole 0; "100" -> 3, 0, 3; "1E+2" -> 3, 0, 3.
 * Any out pointer may be NULL.
 */
CORM_EXTERN(void)
corm_decimal_digits(const corm_decimal *d, int *digits, int *decimals, int *whole_digits);
/** Converts to double (lossy; for display and FloatField interop only). */
CORM_EXTERN(double) corm_decimal_to_double(const corm_decimal *d);

/* ---- values ----------------------------------------------------------- */

/** The type tag of a corm_value. */
typedef enum corm_type {
	CORM_TYPE_NULL = 0,
	CORM_TYPE_INT,      /**< u.i */
	CORM_TYPE_FLOAT,    /**< u.f */
	CORM_TYPE_BOOL,     /**< u.b */
	CORM_TYPE_TEXT,     /**< u.text (UTF-8, NUL-terminated) */
	CORM_TYPE_BYTES,    /**< u.bytes */
	CORM_TYPE_DECIMAL,  /**< u.decimal */
	CORM_TYPE_DATE,     /**< u.date */
	CORM_TYPE_DATETIME, /**< u.datetime */
	CORM_TYPE_TIME,     /**< u.time */
	CORM_TYPE_DURATION, /**< u.duration */
	CORM_TYPE_UUID,     /**< u.uuid */
	CORM_TYPE_JSON,     /**< u.json */
	CORM_TYPE_EXPR,     /**< u.expr: an expression such as F("view_count") + 1 */
	CORM_TYPE_LIST,     /**< u.list: values for the `in` lookup */
	CORM_TYPE_OBJECT    /**< u.object: a model instance (for `author=post_author`) */
} corm_type;

typedef struct corm_expr corm_expr;
typedef struct corm_value corm_value;
struct corm_obj; /* a model instance's header (corm/model.h) */

/**
 * A typed value. As an argument it is borrowed: corm copies what it keeps.
 * The one exception is CORM_TYPE_EXPR: an expression handed to corm as a
 * value is always consumed (freed by corm, even on error).
 */
struct corm_value {
	corm_type type;
	union {
		int64_t i;
		double f;
		bool b;
		const char *text;
		struct {
			const uint8_t *data;
			size_t len;
		} bytes;
		const corm_decimal *decimal;
		corm_date date;
		corm_datetime datetime;
		corm_time time;
		corm_duration duration;
		corm_uuid uuid;
		const json_t *json;
		corm_expr *expr;
		/**
		 * Borrowed items: `of` says what `items` points to: CORM_TYPE_INT an
		 * array of int64_t, CORM_TYPE_TEXT an array of const char *, and
		 * CORM_TYPE_NULL an array of corm_value (mixed types).
		 */
		struct {
			const void *items;
			size_t len;
			corm_type of;
		} list;
		const void *object;
	} u;
};

/* Constructors; usable as function arguments. */
static inline corm_value corm_v_null(void)
{
	corm_value v;
	v.type = CORM_TYPE_NULL;
	v.u.i = 0;
	return v;
}
static inline corm_value corm_v_int(int64_t i)
{
	corm_value v;
	v.type = CORM_TYPE_INT;
	v.u.i = i;
	return v;
}
static inline corm_value corm_v_float(double f)
{
	corm_value v;
	v.type = CORM_TYPE_FLOAT;
	v.u.f = f;
	return v;
}
static inline corm_value corm_v_bool(bool b)
{
	corm_value v;
	v.type = CORM_TYPE_BOOL;
	v.u.i = 0;
	v.u.b = b;
	return v;
}
static inline corm_value corm_v_text(const char *s)
{
	corm_value v;
	v.type = s ? CORM_TYPE_TEXT : CORM_TYPE_NULL;
	v.u.text = s;
	return v;
}
static inline corm_value corm_v_bytes(const void *data, size_t len)
{
	corm_value v;
	v.type = CORM_TYPE_BYTES;
	v.u.bytes.data = (const uint8_t *)data;
	v.u.bytes.len = len;
	return v;
}
static inline corm_value corm_v_decimal(const corm_decimal *d)
{
	corm_value v;
	v.type = d ? CORM_TYPE_DECIMAL : CORM_TYPE_NULL;
	v.u.decimal = d;
	return v;
}
static inline corm_value corm_v_date(corm_date d)
{
	corm_value v;
	v.type = CORM_TYPE_DATE;
	v.u.i = 0;
	v.u.date = d;
	return v;
}
static inline corm_value corm_v_datetime(corm_datetime d)
{
	corm_value v;
	v.type = CORM_TYPE_DATETIME;
	v.u.datetime = d;
	return v;
}
static inline corm_value corm_v_time(corm_time t)
{
	corm_value v;
	v.type = CORM_TYPE_TIME;
	v.u.time = t;
	return v;
}
static inline corm_value corm_v_duration(corm_duration d)
{
	corm_value v;
	v.type = CORM_TYPE_DURATION;
	v.u.duration = d;
	return v;
}
static inline corm_value corm_v_uuid(corm_uuid u)
{
	corm_value v;
	v.type = CORM_TYPE_UUID;
	v.u.uuid = u;
	return v;
}
static inline corm_value corm_v_json(const json_t *j)
{
	corm_value v;
	v.type = j ? CORM_TYPE_JSON : CORM_TYPE_NULL;
	v.u.json = j;
	return v;
}
static inline corm_value corm_v_expr(corm_expr *e)
{
	corm_value v;
	v.type = CORM_TYPE_EXPR;
	v.u.expr = e;
	return v;
}
static inline corm_value corm_v_list(const corm_value *items, size_t len)
{
	corm_value v;
	v.type = CORM_TYPE_LIST;
	v.u.list.items = items;
	v.u.list.len = len;
	v.u.list.of = CORM_TYPE_NULL;
	return v;
}
/** A list value of int64s (borrowed array), for `id__in`. */
static inline corm_value corm_v_int_list(const int64_t *items, size_t len)
{
	corm_value v;
	v.type = CORM_TYPE_LIST;
	v.u.list.items = items;
	v.u.list.len = len;
	v.u.list.of = CORM_TYPE_INT;
	return v;
}
/** A list value of strings (borrowed array of borrowed strings). */
static inline corm_value corm_v_text_list(const char *const *items, size_t len)
{
	corm_value v;
	v.type = CORM_TYPE_LIST;
	v.u.list.items = items;
	v.u.list.len = len;
	v.u.list.of = CORM_TYPE_TEXT;
	return v;
}
static inline corm_value corm_v_value(corm_value v)
{
	return v;
}
/*
 * What CORM_V picks for a type it does not list: a call of it cannot compile
 * ("type of formal parameter 1 is incomplete"; the struct's name says why).
 * Never defined.
 */
struct CORM_V_takes_no_such_type__use_CORM_OBJ_for_an_instance_or_a_list_helper;
corm_value corm__v_unsupported(
        struct CORM_V_takes_no_such_type__use_CORM_OBJ_for_an_instance_or_a_list_helper);

/* A model instance by its header (CORM_OBJ(p) in corm/model.h passes &p->obj). */
static inline corm_value corm__v_obj(const struct corm_obj *o)
{
	corm_value v;
	v.type = o ? CORM_TYPE_OBJECT : CORM_TYPE_NULL;
	v.u.object = o;
	return v;
}

#ifndef __cplusplus
/**
 * CORM_V(x): a corm_value from a C value, chosen by its type. Integers and
 * `true`/`false` become CORM_TYPE_INT (coerced per field later), strings TEXT,
 * corm_date/corm_datetime/... their types, corm_expr* EXPR (consumed),
 * corm_value itself, and a model instance's header (CORM_OBJ(post) writes
 * &post->obj) OBJECT. Any other type does not compile: an array of ids
 * (`int64_t ids[]`) goes through corm_v_int_list(ids, n) or CORM_IN_INTS, an
 * instance through CORM_OBJ, SQL NULL is corm_v_null(), bytes corm_v_bytes.
 */
#define CORM_V(x)                                                                                  \
	_Generic((x),                                                                         \
		_Bool: corm_v_bool, char: corm_v_int, signed char: corm_v_int,                     \
		unsigned char: corm_v_int, short: corm_v_int, unsigned short: corm_v_int,         \
		int: corm_v_int, unsigned int: corm_v_int, long: corm_v_int,                      \
		unsigned long: corm_v_int, long long: corm_v_int, unsigned long long: corm_v_int, \
		float: corm_v_float, double: corm_v_float, char *: corm_v_text,                   \
		const char *: corm_v_text, corm_date: corm_v_date, corm_datetime: corm_v_datetime, \
		corm_time: corm_v_time, corm_duration: corm_v_duration, corm_uuid: corm_v_uuid,    \
		corm_decimal *: corm_v_decimal, const corm_decimal *: corm_v_decimal,             \
		json_t *: corm_v_json, const json_t *: corm_v_json, corm_expr *: corm_v_expr,      \
		corm_value: corm_v_value, struct corm_obj *: corm__v_obj,                          \
		const struct corm_obj *: corm__v_obj,                                              \
		default: corm__v_unsupported)(x)

/*
 * An out parameter of a function that hands back an instance (`void *out`
 * standing for `T **`): refuses at compile time a pointer to a struct, i.e.
 * `corm_next(qs, post)` where `corm_next(qs, &post)` was meant. NULL and
 * void * pass.
 */
#define CORM__OUT(p)                                                                               \
	((void)sizeof(0 ? *_Generic((p), void * : (void **)0, default : (p)) : (void *)0),       \
	 (void *)(p))

/** `in` list literals: CORM_IN_INTS(1, 5, 10), CORM_IN_TEXTS("a", "b"). Valid for the full
 * expression. */
#define CORM_IN_INTS(...)                                                                          \
	corm_v_int_list((const int64_t[]){__VA_ARGS__},                                            \
	                sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))
#define CORM_IN_TEXTS(...)                                                                         \
	corm_v_text_list((const char *const[]){__VA_ARGS__},                                       \
	                 sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
#endif

#ifdef __cplusplus
}
#endif
#endif

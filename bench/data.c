/* The data set, the digests, the models and the clock: what both sides share. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

/* ---- models ---------------------------------------------------------------- */

static const corm_field author_fields[] = {
        CORM_CHAR(Author, username, .max_length = 150, .unique = true),
        CORM_EMAIL(Author, email, .unique = true),
};
corm_model Author_model = CORM_MODEL(Author, "bench", author_fields);

static const corm_field category_fields[] = {
        CORM_CHAR(Category, name, .max_length = 100),
        CORM_SLUG(Category, slug, .unique = true),
};
corm_model Category_model = CORM_MODEL(Category, "bench", category_fields);

/*
 * The FK columns get their indexes from CORM_FK (as Django's ForeignKey has
 * db_index=True); created_at DESC is a Meta index. No Meta.ordering: every
 * ordering in the benchmark is explicit, as it is in the raw SQL.
 */
static const corm_field post_fields[] = {
        CORM_CHAR(Post, title, .max_length = 200),
        CORM_SLUG(Post, slug, .unique = true),
        CORM_TEXT(Post, body),
        CORM_FK(Post, author, &Author_model, CORM_CASCADE),
        CORM_FK(Post, category, &Category_model, CORM_SET_NULL, .null = true, .blank = true),
        CORM_POSITIVE_INT(Post, view_count, .default_value = "0"),
        CORM_BOOL(Post, is_active, .default_value = "true"),
        CORM_DATETIME(Post, created_at),
};
corm_model Post_model =
        CORM_MODEL(Post, "bench", post_fields, .indexes = {{.fields = {"-created_at"}}});

/* Same columns (and FK/slug indexes) as Post, in a table of its own for iterate_1m. */
corm_model StreamPost_model = CORM_MODEL(StreamPost, "bench", post_fields);

bool bench_full_check = true;

/* ---- clock ----------------------------------------------------------------- */

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the generator ----------------------------------------------------------- */

static const char *const words[] = {
        "django",  "orm",     "query",    "index",     "cache",     "sqlite",   "postgres",
        "mariadb", "struct",  "pointer",  "malloc",    "latency",   "planner",  "compiler",
        "cursor",  "commit",  "rollback", "savepoint", "migration", "schema",   "join",
        "filter",  "exclude", "order",    "slice",     "values",    "iterator", "atomic",
        "lookup",  "field",   "model",    "manager",
};
#define NWORDS (sizeof words / sizeof words[0])

#define POOL_LEN 4096
static char body_pool[POOL_LEN + BENCH_BODY_LEN + 1];

static void build_pool(void)
{
	if (body_pool[0])
		return;
	bench_rng r = {BENCH_SEED ^ UINT64_C(0xb0d1)};
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz     ,.";
	for (size_t i = 0; i < sizeof body_pool - 1; i++)
		body_pool[i] = alphabet[bench_rand(&r) % (sizeof alphabet - 1)];
	body_pool[0] = 'L'; /* never a space: build_pool's "built" marker */
}

void bench_gen_post(bench_rng *rng, const bench_sizes *sz, int64_t i, int64_t nrows,
                    const char *slug_prefix, post_in *out)
{
	build_pool();
	uint64_t r1 = bench_rand(rng), r2 = bench_rand(rng), r3 = bench_rand(rng);
	snprintf(out->title, sizeof out->title, "Post %" PRId64 ": %s %s and %s", i,
	         words[r1 % NWORDS], words[(r1 >> 8) % NWORDS], words[(r1 >> 16) % NWORDS]);
	snprintf(out->slug, sizeof out->slug, "%s-%07" PRId64, slug_prefix, i);
	size_t off = (size_t)((r1 >> 24) % POOL_LEN);
	memcpy(out->body, body_pool + off, BENCH_BODY_LEN);
	out->body[0] = 'B'; /* bodies never start or end with a space */
	out->body[BENCH_BODY_LEN - 1] = '.';
	out->body[BENCH_BODY_LEN] = '\0';
	out->author_id = 1 + (int64_t)(r2 % (uint64_t)sz->authors);
	out->category_id =
	        (r2 >> 16) % 10 == 0 ? 0 : 1 + (int64_t)((r2 >> 24) % (uint64_t)sz->categories);
	out->view_count = (int32_t)((r2 >> 32) % 10000);
	out->is_active = (r2 >> 48) % 5 != 0; /* 80 % active */
	/* distinct timestamps: a permutation of the row numbers picks the 5-minute slot */
	int64_t slot = (int64_t)(((uint64_t)(i - 1) * UINT64_C(2654435761)) % (uint64_t)nrows);
	int64_t jitter = (int64_t)(r3 % (uint64_t)BENCH_SLOT_US);
	if (r3 >> 63)
		jitter -= jitter % 1000000; /* half of them on whole seconds */
	out->created_us = BENCH_EPOCH_US + slot * BENCH_SLOT_US + jitter;
}

/* ---- datetimes (Howard Hinnant's civil calendar algorithms) ------------------- */

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t bench_us_from_parts(int y, int mo, int d, int h, int mi, int s, int us)
{
	return (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000000 + us;
}

void bench_parts_from_us(int64_t us, int *y, int *mo, int *d, int *h, int *mi, int *s, int *frac)
{
	const int64_t day_us = INT64_C(86400000000);
	int64_t days = us / day_us, rem = us % day_us;
	if (rem < 0) {
		rem += day_us;
		days--;
	}
	civil_from_days(days, y, mo, d);
	int64_t secs = rem / 1000000;
	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
	*frac = (int)(rem % 1000000);
}

static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

size_t bench_format_datetime(int64_t us, char buf[BENCH_DT_STRLEN])
{
	const int64_t day_us = INT64_C(86400000000);
	int64_t days = us / day_us, rem = us % day_us;
	if (rem < 0) {
		rem += day_us;
		days--;
	}
	int y, mo, d;
	civil_from_days(days, &y, &mo, &d);
	int64_t secs = rem / 1000000, frac = rem % 1000000;
	char *p = buf;
	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, mo);
	*p++ = '-';
	p = put2(p, d);
	*p++ = ' ';
	p = put2(p, (int)(secs / 3600));
	*p++ = ':';
	p = put2(p, (int)(secs / 60 % 60));
	*p++ = ':';
	p = put2(p, (int)(secs % 60));
	if (frac) {
		*p++ = '.';
		for (int k = 5; k >= 0; k--) {
			p[k] = (char)('0' + frac % 10);
			frac /= 10;
		}
		p += 6;
	}
	*p = '\0';
	return (size_t)(p - buf);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool bench_parse_datetime(const char *s, size_t len, int64_t *us)
{
	int y, mo, d, h, mi, se, frac = 0;
	if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &se))
		return false;
	if (len > 19) {
		size_t n = len - 20;
		if (s[19] != '.' || n < 1 || n > 6 || !digits(s + 20, (int)n, &frac))
			return false;
		for (size_t k = n; k < 6; k++)
			frac *= 10;
	}
	*us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000000) + frac;
	return true;
}

/* ---- digests ------------------------------------------------------------------- */

bool digest_equal(const char *workload, const digest *c, const digest *r, bool ordered)
{
	bool ok = true;
#define CMP(member)                                                                                \
	if (c->member != r->member) {                                                              \
		fprintf(stderr, "MISMATCH workload=%s %s: corm=%" PRId64 " raw=%" PRId64 "\n",     \
		        workload, #member, (int64_t)c->member, (int64_t)r->member);                \
		ok = false;                                                                        \
	}
	CMP(rows)
	CMP(sum_id)
	CMP(sum_author)
	CMP(sum_category)
	CMP(null_category)
	CMP(sum_view)
	CMP(active)
	CMP(sum_created)
	CMP(text_hash)
	CMP(text_len)
	CMP(extra[0])
	CMP(extra[1])
	CMP(extra[2])
	CMP(extra[3])
	if (ordered) {
		CMP(ordered_hash)
	}
#undef CMP
	return ok;
}

const char *raw_statement(const raw_statements *sql, workload_id w, int which)
{
	if (w == W_COUNT_EXISTS)
		return which == 0 ? sql->count : which == 1 ? sql->exists : NULL;
	if (which)
		return NULL;
	switch (w) {
	case W_INSERT_SINGLE:
		return sql->insert;
	case W_FETCH_ALL:
		return sql->all;
	case W_VALUES_LIST:
		return sql->values;
	case W_GET_PK:
		return sql->get;
	case W_FILTER_PAGE:
		return sql->page;
	case W_UPDATE_F:
		return sql->update;
	case W_ITERATE_1M:
		return sql->stream;
	default:
		return NULL;
	}
}

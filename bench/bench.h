/*
 * corm_bench: corm against hand-written driver code, same process, same data.
 *
 * bench.h holds what both sides share: the data set (a fixed-seed generator),
 * the result digests that prove both sides read the same thing, the models,
 * and the interface of the hand-written ("raw") side. See docs/performance.md.
 */
#ifndef CORM_BENCH_H
#define CORM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <corm.h>

/* ---- sizes ---------------------------------------------------------------- */

typedef struct bench_sizes {
	int64_t authors;     /* 100 */
	int64_t categories;  /* 10 */
	int64_t posts;       /* 100,000 */
	int64_t inserts;     /* insert_single: 10,000 corm_create() */
	int64_t gets;        /* get_pk: 10,000 get(pk=i) */
	int64_t pages;       /* filter_page: 1,000 queries of 20 rows */
	int64_t counts;      /* count_exists: 10,000 x (count + exists) */
	int64_t updates;     /* update_f: 10 UPDATEs of every active post */
	int64_t stream_rows; /* iterate_1m: 1,000,000 rows in their own table */
	int64_t chunk_size;  /* iterate_1m: iterator(chunk_size=2000) */
	int64_t shape_iters; /* query-shape build+compile loop: 100,000 */
} bench_sizes;

/* ---- the data set --------------------------------------------------------- */

#define BENCH_SEED      UINT64_C(0x5eedc0de2024)
#define BENCH_BODY_LEN  240
#define BENCH_TITLE_MAX 96
#define BENCH_SLUG_MAX  40
/* created_at: BENCH_EPOCH_US + slot * 300 s + jitter, slot a permutation of the row number */
#define BENCH_EPOCH_US  INT64_C(1672531200000000) /* 2023-01-01 00:00:00 UTC */
#define BENCH_SLOT_US   INT64_C(300000000)        /* 5 minutes */
#define BENCH_DT_STRLEN 40

typedef struct bench_rng {
	uint64_t s;
} bench_rng;

/* splitmix64: tiny, fast, and the same sequence on every machine. */
static inline uint64_t bench_rand(bench_rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* One post as both sides insert it (category_id 0 means NULL). */
typedef struct post_in {
	char title[BENCH_TITLE_MAX];
	char slug[BENCH_SLUG_MAX];
	char body[BENCH_BODY_LEN + 1];
	int64_t author_id;
	int64_t category_id;
	int32_t view_count;
	bool is_active;
	int64_t created_us;
} post_in;

/* Builds row `i` (1-based) of a table of `nrows` rows; `slug_prefix` keeps tables and runs
 * apart. Deterministic: depends only on the arguments and the rng state. */
void bench_gen_post(bench_rng *rng, const bench_sizes *sz, int64_t i, int64_t nrows,
                    const char *slug_prefix, post_in *out);

/* "2024-01-15 10:30:00" or "...00.000123", UTC: the text corm stores on SQLite. Returns the
 * length. Written by hand (the raw side does not use corm); checked against corm at start-up. */
size_t bench_format_datetime(int64_t us, char buf[BENCH_DT_STRLEN]);
/* Parses that text back; false if malformed. */
bool bench_parse_datetime(const char *s, size_t len, int64_t *us);
/* The same instant from / to calendar parts (UTC), for drivers with binary datetimes. */
int64_t bench_us_from_parts(int y, int mo, int d, int h, int mi, int s, int us);
void bench_parts_from_us(int64_t us, int *y, int *mo, int *d, int *h, int *mi, int *s, int *frac);

/* ---- digests: what a workload read, both sides computed the same way ------ */

typedef struct digest {
	int64_t rows;
	int64_t sum_id;
	int64_t sum_author, sum_category, null_category;
	int64_t sum_view, active;
	int64_t sum_created;   /* microseconds, wrapping */
	uint64_t text_hash;    /* order-independent: sum of per-row FNV-1a of title+slug */
	int64_t text_len;      /* total strlen of title, slug and body */
	uint64_t ordered_hash; /* order-dependent, compared where the SQL has ORDER BY */
	int64_t extra[4];      /* workload-specific numbers (counts, rows matched, ...) */
} digest;

static inline uint64_t bench_fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/*
 * true: digest_post hashes every byte of title, slug and body (the untimed
 * warm-up run, and --quick). false (timed runs): it reads every field but
 * only the lengths and the first and last bytes of the strings, so that the
 * digest, which both sides pay, stays small next to what is measured.
 */
extern bool bench_full_check;

static inline uint64_t text_sig(const char *s, size_t *len)
{
	size_t n = strlen(s);
	*len += n;
	return n ? (uint64_t)(unsigned char)s[0] * 257u + (unsigned char)s[n - 1] + n * 65599u : 0;
}

/* Every field of a post is read here, by both sides. */
static inline void digest_post(digest *d, int64_t id, const char *title, const char *slug,
                               const char *body, int64_t author_id, int64_t category_id,
                               bool category_null, int64_t view_count, bool is_active,
                               int64_t created_us)
{
	size_t len = 0;
	uint64_t h = text_sig(title, &len) * 3u + text_sig(slug, &len) * 5u + text_sig(body, &len);
	if (bench_full_check)
		h ^= bench_fnv(bench_fnv(bench_fnv(UINT64_C(0xcbf29ce484222325), title), slug),
		               body);
	d->rows++;
	d->sum_id += id;
	d->sum_author += author_id;
	if (category_null)
		d->null_category++;
	else
		d->sum_category += category_id;
	d->sum_view += view_count;
	d->active += is_active;
	d->sum_created = (int64_t)((uint64_t)d->sum_created + (uint64_t)created_us);
	d->text_hash += h;
	d->text_len += (int64_t)len;
	d->ordered_hash = d->ordered_hash * UINT64_C(1099511628211) + h + (uint64_t)id;
}

/* Compares two digests; on a difference prints every differing member and returns false. */
bool digest_equal(const char *workload, const digest *corm, const digest *raw, bool ordered);

/* ---- models --------------------------------------------------------------- */

typedef struct Author {
	corm_obj obj;
	char *username;
	char *email;
} Author;

typedef struct Category {
	corm_obj obj;
	char *name;
	char *slug;
} Category;

typedef struct Post {
	corm_obj obj;
	char *title;
	char *slug;
	char *body;
	corm_fk author;
	corm_fk category;
	int32_t view_count;
	bool is_active;
	corm_datetime created_at;
} Post;

/* The iterate_1m table: the same struct and columns as Post, its own table. */
typedef Post StreamPost;

extern corm_model Author_model, Category_model, Post_model, StreamPost_model;

/* Table names the raw side writes into its SQL by hand; checked against corm at start-up. */
#define T_AUTHOR   "bench_author"
#define T_CATEGORY "bench_category"
#define T_POST     "bench_post"
#define T_STREAM   "bench_streampost"

/* ---- the workloads -------------------------------------------------------- */

typedef enum workload_id {
	W_INSERT_SINGLE,
	W_FETCH_ALL,
	W_VALUES_LIST,
	W_GET_PK,
	W_FILTER_PAGE,
	W_COUNT_EXISTS,
	W_UPDATE_F,
	W_ITERATE_1M,
	W_COUNT_
} workload_id;

/* Inputs shared by both sides of a workload run. */
typedef struct work_args {
	const bench_sizes *sz;
	const post_in *inserts;      /* insert_single rows */
	const int64_t *get_ids;      /* get_pk ids */
	const int64_t *window_start; /* count_exists: created_at windows [start, start+len) */
	int64_t window_len_us;
} work_args;

/* First page of filter_page (both sides keep it to compare the titles one by one). */
#define PAGE_SIZE 20
typedef struct first_page {
	int n;
	char titles[PAGE_SIZE][BENCH_TITLE_MAX];
} first_page;

/* corm side (corm_side.c). Each returns 0, or prints the corm error and returns -1. */
int corm_workload(corm_db *db, workload_id w, const work_args *a, digest *d, first_page *fp);

/* Hand-written side: one implementation per driver. */
typedef struct raw_conn raw_conn;
/* The SQL each hand-written driver runs, one text per workload. */
typedef struct raw_statements {
	const char *insert, *all, *values, *get, *page, *count, *exists, *update, *stream;
} raw_statements;

typedef struct raw_driver {
	const char *vendor; /* "sqlite" */
	/* Opens its own connection to the database corm uses (SQLite: the file; servers: the
	 * URL). NULL (message printed) on error. */
	raw_conn *(*open)(const char *target);
	void (*close)(raw_conn *c);
	/* "SQLite 3.40.1", "PostgreSQL 15.8 server, libpq 150008" */
	const char *(*version)(raw_conn *c);
	/* Servers: drops the benchmark's tables if they exist (start and end of a run). */
	int (*drop_tables)(raw_conn *c);
	/* Fills the tables corm created (authors, categories, posts, the streaming table). */
	int (*seed)(raw_conn *c, const bench_sizes *sz);
	int (*workload)(raw_conn *c, workload_id w, const work_args *a, digest *d, first_page *fp);
	/* Untimed helpers: state after a write workload, and undoing it. */
	int (*post_stats)(raw_conn *c, int64_t min_id, digest *d);
	int (*delete_posts_from)(raw_conn *c, int64_t min_id);
	int (*undo_update)(raw_conn *c, int64_t times);
	/* Verbose: the query plan of a statement (prints it). */
	void (*explain)(raw_conn *c, const char *label, const char *sql, const corm_value *params,
	                size_t nparams);
	/* Preparing `sql` `iters` times (what a statement cache saves), seconds. */
	double (*prepare_cost)(raw_conn *c, const char *sql, int64_t iters);
	/* The raw side's statements, in its dialect. */
	const raw_statements *sql;
} raw_driver;

/* A workload's raw SQL (which = 0, 1, ...; NULL past the last), for the verbose plan listing. */
const char *raw_statement(const raw_statements *sql, workload_id w, int which);

/* raw_pg_driver and raw_mysql_driver exist when corm is built with that backend
 * (CORM_BENCH_WITH_POSTGRES / CORM_BENCH_WITH_MYSQL, bench/CMakeLists.txt). */
extern const raw_driver raw_sqlite_driver, raw_pg_driver, raw_mysql_driver;

/* CLOCK_MONOTONIC seconds. */
double bench_now(void);

#endif

/*
 * The hand-written side on SQLite: the sqlite3 API as a careful C programmer
 * uses it. Each workload prepares its statements once (inside the timed
 * region), binds and steps them, copies what it keeps into structs that own
 * their strings, and frees everything before it returns. No corm code runs
 * here: the datetime text is formatted and parsed by bench/data.c.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct raw_conn {
	sqlite3 *db;
};

/* A post as the raw side keeps it: owned strings. */
typedef struct raw_post {
	int64_t id;
	char *title, *slug, *body;
	int64_t author_id, category_id;
	bool category_null, is_active;
	int32_t view_count;
	int64_t created_us;
} raw_post;

#define POST_COLS "id, title, slug, body, author_id, category_id, view_count, is_active, created_at"

static const char SQL_INSERT[] =
        "INSERT INTO " T_POST " (title, slug, body, author_id, category_id, view_count, "
        "is_active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ALL[] = "SELECT " POST_COLS " FROM " T_POST;
static const char SQL_VALUES[] = "SELECT view_count FROM " T_POST;
static const char SQL_GET[] = "SELECT " POST_COLS " FROM " T_POST " WHERE id = ?";
static const char SQL_PAGE[] = "SELECT " POST_COLS " FROM " T_POST
                               " WHERE is_active AND view_count > ? ORDER BY created_at DESC "
                               "LIMIT 20";
static const char SQL_COUNT[] =
        "SELECT COUNT(*) FROM " T_POST " WHERE is_active AND created_at >= ? AND created_at < ?";
static const char SQL_EXISTS[] =
        "SELECT 1 FROM " T_POST " WHERE is_active AND created_at >= ? AND created_at < ? LIMIT 1";
static const char SQL_UPDATE[] =
        "UPDATE " T_POST " SET view_count = view_count + 1 WHERE is_active";
static const char SQL_STREAM[] = "SELECT " POST_COLS " FROM " T_STREAM;

static int fail(raw_conn *c, const char *what)
{
	fprintf(stderr, "corm_bench: raw sqlite3 side: %s: %s\n", what, sqlite3_errmsg(c->db));
	return -1;
}

static sqlite3_stmt *prepare(raw_conn *c, const char *sql)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
		fail(c, sql);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static int exec(raw_conn *c, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "corm_bench: raw sqlite3 side: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static raw_conn *raw_open(const char *path)
{
	raw_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	/*
	 * The settings corm's SQLite connections use: no per-connection mutex (one
	 * thread at a time), foreign keys on, a busy timeout. Opened in the default
	 * serialized mode instead, this side spent a quarter of its instructions
	 * locking and unlocking.
	 */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	            SQLITE_OK ||
	    sqlite3_busy_timeout(c->db, 5000) != SQLITE_OK || exec(c, "PRAGMA foreign_keys = ON")) {
		fprintf(stderr, "corm_bench: raw sqlite3 side: open %s: %s\n", path,
		        sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	return c;
}

static void raw_close(raw_conn *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

static const char *version(raw_conn *c)
{
	static char v[64];
	(void)c;
	snprintf(v, sizeof v, "SQLite %s", sqlite3_libversion());
	return v;
}

/* ---- reading rows ---- */

static char *dup_col(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	char *p = malloc(n + 1);
	if (!p || !t) {
		free(p);
		return NULL;
	}
	memcpy(p, t, n + 1);
	return p;
}

static bool read_scalars(sqlite3_stmt *s, raw_post *p)
{
	p->id = sqlite3_column_int64(s, 0);
	p->author_id = sqlite3_column_int64(s, 4);
	p->category_null = sqlite3_column_type(s, 5) == SQLITE_NULL;
	p->category_id = p->category_null ? 0 : sqlite3_column_int64(s, 5);
	p->view_count = sqlite3_column_int(s, 6);
	p->is_active = sqlite3_column_int(s, 7) != 0;
	const char *dt = (const char *)sqlite3_column_text(s, 8);
	return dt && bench_parse_datetime(dt, (size_t)sqlite3_column_bytes(s, 8), &p->created_us);
}

/* Reads the current row into p, which then owns copies of the strings. */
static bool read_post(sqlite3_stmt *s, raw_post *p)
{
	p->title = dup_col(s, 1);
	p->slug = dup_col(s, 2);
	p->body = dup_col(s, 3);
	return p->title && p->slug && p->body && read_scalars(s, p);
}

static void free_post(raw_post *p)
{
	free(p->title);
	free(p->slug);
	free(p->body);
	p->title = p->slug = p->body = NULL;
}

static void digest_raw(digest *d, const raw_post *p)
{
	digest_post(d, p->id, p->title, p->slug, p->body, p->author_id, p->category_id,
	            p->category_null, p->view_count, p->is_active, p->created_us);
}

/* A growable buffer that the streaming loop reuses for every row. */
typedef struct text_buf {
	char *p;
	size_t cap;
} text_buf;

static char *buf_col(text_buf *b, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	if (!t)
		return NULL;
	if (n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return NULL;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p, t, n + 1);
	return b->p;
}

/* ---- seeding ---- */

static int seed(raw_conn *c, const bench_sizes *sz)
{
	char a[64], b[64], dt[BENCH_DT_STRLEN];
	int rc = exec(c, "BEGIN");
	sqlite3_stmt *s =
	        rc ? NULL : prepare(c, "INSERT INTO " T_AUTHOR " (username, email) VALUES (?, ?)");
	for (int64_t i = 1; s && i <= sz->authors; i++) {
		snprintf(a, sizeof a, "author%03" PRId64, i);
		snprintf(b, sizeof b, "author%03" PRId64 "@example.com", i);
		sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = fail(c, "seed authors");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	s = rc ? NULL : prepare(c, "INSERT INTO " T_CATEGORY " (name, slug) VALUES (?, ?)");
	for (int64_t i = 1; s && !rc && i <= sz->categories; i++) {
		snprintf(a, sizeof a, "Category %" PRId64, i);
		snprintf(b, sizeof b, "category-%" PRId64, i);
		sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = fail(c, "seed categories");
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	for (int t = 0; t < 2 && !rc; t++) {
		const char *sql =
		        t == 0 ? SQL_INSERT
		               : "INSERT INTO " T_STREAM " (title, slug, body, author_id, "
		                 "category_id, view_count, is_active, created_at) VALUES (?, "
		                 "?, ?, ?, ?, ?, ?, ?)";
		int64_t n = t == 0 ? sz->posts : sz->stream_rows;
		bench_rng rng = {t == 0 ? BENCH_SEED : BENCH_SEED ^ UINT64_C(0x57aea3)};
		s = prepare(c, sql);
		post_in r;
		for (int64_t i = 1; s && !rc && i <= n; i++) {
			bench_gen_post(&rng, sz, i, n, t == 0 ? "post" : "stream", &r);
			size_t len = bench_format_datetime(r.created_us, dt);
			sqlite3_bind_text(s, 1, r.title, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, r.slug, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, r.body, BENCH_BODY_LEN, SQLITE_STATIC);
			sqlite3_bind_int64(s, 4, r.author_id);
			if (r.category_id)
				sqlite3_bind_int64(s, 5, r.category_id);
			else
				sqlite3_bind_null(s, 5);
			sqlite3_bind_int(s, 6, r.view_count);
			sqlite3_bind_int(s, 7, r.is_active);
			sqlite3_bind_text(s, 8, dt, (int)len, SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = fail(c, "seed posts");
			sqlite3_reset(s);
		}
		if (!s)
			rc = -1;
		sqlite3_finalize(s);
	}
	if (!rc)
		rc = exec(c, "COMMIT");
	else
		exec(c, "ROLLBACK");
	return rc;
}

/* ---- workloads ---- */

static int w_insert_single(raw_conn *c, const work_args *a, digest *d)
{
	if (exec(c, "BEGIN"))
		return -1;
	sqlite3_stmt *s = prepare(c, SQL_INSERT);
	int rc = s ? 0 : -1;
	char dt[BENCH_DT_STRLEN];
	for (int64_t i = 0; !rc && i < a->sz->inserts; i++) {
		const post_in *r = &a->inserts[i];
		size_t len = bench_format_datetime(r->created_us, dt);
		sqlite3_bind_text(s, 1, r->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, r->body, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, r->author_id);
		if (r->category_id)
			sqlite3_bind_int64(s, 5, r->category_id);
		else
			sqlite3_bind_null(s, 5);
		sqlite3_bind_int(s, 6, r->view_count);
		sqlite3_bind_int(s, 7, r->is_active);
		sqlite3_bind_text(s, 8, dt, (int)len, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = fail(c, "insert");
		else {
			d->extra[0] += sqlite3_last_insert_rowid(c->db);
			d->rows++;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	return exec(c, "COMMIT");
}

static int w_fetch_all(raw_conn *c, digest *d)
{
	sqlite3_stmt *s = prepare(c, SQL_ALL);
	if (!s)
		return -1;
	raw_post *posts = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			raw_post *p = realloc(posts, ncap * sizeof *p);
			if (!p) {
				rc = -1;
				break;
			}
			posts = p;
			cap = ncap;
		}
		if (!read_post(s, &posts[n])) {
			free_post(&posts[n]);
			rc = -1;
			break;
		}
		n++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(c, "fetch_all");
	sqlite3_finalize(s);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			digest_raw(d, &posts[i]);
		free_post(&posts[i]);
	}
	free(posts);
	return rc;
}

static int w_values_list(raw_conn *c, digest *d)
{
	sqlite3_stmt *s = prepare(c, SQL_VALUES);
	if (!s)
		return -1;
	int32_t *vals = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			int32_t *p = realloc(vals, ncap * sizeof *p);
			if (!p) {
				rc = -1;
				break;
			}
			vals = p;
			cap = ncap;
		}
		vals[n++] = sqlite3_column_int(s, 0);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(c, "values_list");
	sqlite3_finalize(s);
	for (size_t i = 0; !rc && i < n; i++) {
		d->rows++;
		d->sum_view += vals[i];
	}
	free(vals);
	return rc;
}

static int w_get_pk(raw_conn *c, const work_args *a, digest *d)
{
	sqlite3_stmt *s = prepare(c, SQL_GET);
	int rc = s ? 0 : -1;
	for (int64_t i = 0; !rc && i < a->sz->gets; i++) {
		raw_post p = {0};
		sqlite3_bind_int64(s, 1, a->get_ids[i]);
		if (sqlite3_step(s) != SQLITE_ROW || !read_post(s, &p))
			rc = fail(c, "get: no row");
		else if (sqlite3_step(s) != SQLITE_DONE) /* exactly one, as get() promises */
			rc = fail(c, "get: more than one row");
		else
			digest_raw(d, &p);
		free_post(&p);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

static int w_filter_page(raw_conn *c, const work_args *a, digest *d, first_page *fp)
{
	sqlite3_stmt *s = prepare(c, SQL_PAGE);
	int rc = s ? 0 : -1;
	for (int64_t i = 0; !rc && i < a->sz->pages; i++) {
		raw_post page[PAGE_SIZE];
		int n = 0, step = SQLITE_DONE;
		sqlite3_bind_int64(s, 1, i);
		while (n < PAGE_SIZE && (step = sqlite3_step(s)) == SQLITE_ROW) {
			memset(&page[n], 0, sizeof page[n]);
			bool ok = read_post(s, &page[n]);
			n++;
			if (!ok) {
				rc = -1;
				break;
			}
		}
		if (!rc && n < PAGE_SIZE && step != SQLITE_DONE)
			rc = fail(c, "filter_page");
		sqlite3_reset(s);
		for (int k = 0; k < n; k++) {
			if (!rc) {
				if (i == 0 && fp && fp->n < PAGE_SIZE)
					snprintf(fp->titles[fp->n++], BENCH_TITLE_MAX, "%s",
					         page[k].title);
				digest_raw(d, &page[k]);
			}
			free_post(&page[k]);
		}
	}
	sqlite3_finalize(s);
	return rc;
}

static int w_count_exists(raw_conn *c, const work_args *a, digest *d)
{
	sqlite3_stmt *cnt = prepare(c, SQL_COUNT), *ex = cnt ? prepare(c, SQL_EXISTS) : NULL;
	int rc = ex ? 0 : -1;
	char lo[BENCH_DT_STRLEN], hi[BENCH_DT_STRLEN];
	for (int64_t i = 0; !rc && i < a->sz->counts; i++) {
		size_t nlo = bench_format_datetime(a->window_start[i], lo);
		size_t nhi = bench_format_datetime(a->window_start[i] + a->window_len_us, hi);
		sqlite3_bind_text(cnt, 1, lo, (int)nlo, SQLITE_STATIC);
		sqlite3_bind_text(cnt, 2, hi, (int)nhi, SQLITE_STATIC);
		if (sqlite3_step(cnt) != SQLITE_ROW)
			rc = fail(c, "count");
		else
			d->extra[0] += sqlite3_column_int64(cnt, 0);
		sqlite3_reset(cnt);
		sqlite3_bind_text(ex, 1, lo, (int)nlo, SQLITE_STATIC);
		sqlite3_bind_text(ex, 2, hi, (int)nhi, SQLITE_STATIC);
		int step = sqlite3_step(ex);
		if (step == SQLITE_ROW)
			d->extra[1]++;
		else if (step != SQLITE_DONE)
			rc = fail(c, "exists");
		sqlite3_reset(ex);
		d->rows++;
	}
	sqlite3_finalize(cnt);
	sqlite3_finalize(ex);
	return rc;
}

static int w_update_f(raw_conn *c, const work_args *a, digest *d)
{
	sqlite3_stmt *s = prepare(c, SQL_UPDATE);
	int rc = s ? 0 : -1;
	for (int64_t i = 0; !rc && i < a->sz->updates; i++) {
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = fail(c, "update");
		else {
			d->rows++;
			d->extra[0] += sqlite3_changes(c->db);
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

static int w_iterate(raw_conn *c, digest *d)
{
	sqlite3_stmt *s = prepare(c, SQL_STREAM);
	if (!s)
		return -1;
	text_buf bt = {0}, bs = {0}, bb = {0};
	raw_post p;
	int rc = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		p.title = buf_col(&bt, s, 1);
		p.slug = buf_col(&bs, s, 2);
		p.body = buf_col(&bb, s, 3);
		if (!p.title || !p.slug || !p.body || !read_scalars(s, &p)) {
			rc = -1;
			break;
		}
		digest_raw(d, &p);
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(c, "iterate");
	sqlite3_finalize(s);
	free(bt.p);
	free(bs.p);
	free(bb.p);
	return rc;
}

static int raw_sqlite_workload(raw_conn *c, workload_id w, const work_args *a, digest *d,
                               first_page *fp)
{
	switch (w) {
	case W_INSERT_SINGLE:
		return w_insert_single(c, a, d);
	case W_FETCH_ALL:
		return w_fetch_all(c, d);
	case W_VALUES_LIST:
		return w_values_list(c, d);
	case W_GET_PK:
		return w_get_pk(c, a, d);
	case W_FILTER_PAGE:
		return w_filter_page(c, a, d, fp);
	case W_COUNT_EXISTS:
		return w_count_exists(c, a, d);
	case W_UPDATE_F:
		return w_update_f(c, a, d);
	case W_ITERATE_1M:
		return w_iterate(c, d);
	default:
		return -1;
	}
}

/* ---- untimed helpers ---- */

static int post_stats(raw_conn *c, int64_t min_id, digest *d)
{
	sqlite3_stmt *s = prepare(c, "SELECT " POST_COLS " FROM " T_POST " WHERE id >= ?");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, min_id);
	int rc = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		raw_post p = {0};
		if (!read_post(s, &p))
			rc = -1;
		else
			digest_raw(d, &p);
		free_post(&p);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(c, "post_stats");
	sqlite3_finalize(s);
	return rc;
}

static int run_int(raw_conn *c, const char *sql, int64_t v)
{
	sqlite3_stmt *s = prepare(c, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, v);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : fail(c, sql);
	sqlite3_finalize(s);
	return rc;
}

static int delete_posts_from(raw_conn *c, int64_t min_id)
{
	return run_int(c, "DELETE FROM " T_POST " WHERE id >= ?", min_id);
}

static int undo_update(raw_conn *c, int64_t times)
{
	return run_int(c, "UPDATE " T_POST " SET view_count = view_count - ? WHERE is_active",
	               times);
}

static void explain(raw_conn *c, const char *label, const char *sql, const corm_value *params,
                    size_t nparams)
{
	(void)params;
	(void)nparams; /* the plan is chosen at prepare time; parameters stay unbound */
	size_t len = strlen(sql) + 32;
	char *q = malloc(len);
	if (!q)
		return;
	snprintf(q, len, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *s = prepare(c, q);
	printf("  %-5s %s\n", label, sql);
	while (s && sqlite3_step(s) == SQLITE_ROW)
		printf("        plan: %s\n", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	free(q);
}

static double prepare_cost(raw_conn *c, const char *sql, int64_t iters)
{
	double t0 = bench_now();
	for (int64_t i = 0; i < iters; i++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
			fail(c, sql);
			return -1;
		}
		sqlite3_finalize(s);
	}
	return bench_now() - t0;
}

static const raw_statements statements = {
        .insert = SQL_INSERT,
        .all = SQL_ALL,
        .values = SQL_VALUES,
        .get = SQL_GET,
        .page = SQL_PAGE,
        .count = SQL_COUNT,
        .exists = SQL_EXISTS,
        .update = SQL_UPDATE,
        .stream = SQL_STREAM,
};

const raw_driver raw_sqlite_driver = {
        .vendor = "sqlite",
        .open = raw_open,
        .close = raw_close,
        .version = version,
        .seed = seed,
        .workload = raw_sqlite_workload,
        .post_stats = post_stats,
        .delete_posts_from = delete_posts_from,
        .undo_update = undo_update,
        .explain = explain,
        .prepare_cost = prepare_cost,
        .sql = &statements,
};

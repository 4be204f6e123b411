/*
 * The hand-written side on PostgreSQL: libpq as a careful C programmer uses
 * it. Each workload prepares its statements once per run (PQprepare, inside
 * the timed region), executes them with text parameters (PQexecPrepared),
 * copies what it keeps into structs that own their strings, and frees
 * everything before it returns. iterate_1m streams through a server-side
 * cursor, FETCH 2000 at a time (what Django's iterator() does on PostgreSQL).
 * The session runs with TimeZone UTC, as corm's sessions do.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct raw_conn {
	PGconn *pg;
	char version[96];
};

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
        "is_active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char SQL_ALL[] = "SELECT " POST_COLS " FROM " T_POST;
static const char SQL_VALUES[] = "SELECT view_count FROM " T_POST;
static const char SQL_GET[] = "SELECT " POST_COLS " FROM " T_POST " WHERE id = $1";
static const char SQL_PAGE[] = "SELECT " POST_COLS " FROM " T_POST
                               " WHERE is_active AND view_count > $1 ORDER BY created_at DESC "
                               "LIMIT 20";
static const char SQL_COUNT[] =
        "SELECT COUNT(*) FROM " T_POST " WHERE is_active AND created_at >= $1 AND created_at < $2";
static const char SQL_EXISTS[] = "SELECT 1 FROM " T_POST " WHERE is_active AND created_at >= $1 "
                                 "AND created_at < $2 LIMIT 1";
static const char SQL_UPDATE[] =
        "UPDATE " T_POST " SET view_count = view_count + 1 WHERE is_active";
static const char SQL_STREAM[] =
        "DECLARE bench_stream NO SCROLL CURSOR FOR SELECT " POST_COLS " FROM " T_STREAM;

static int fail(raw_conn *c, const char *what, PGresult *res)
{
	fprintf(stderr, "corm_bench: raw libpq side: %s: %s\n", what,
	        res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
	PQclear(res);
	return -1;
}

/* Runs a statement without parameters; 0 when it succeeded. */
static int exec(raw_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return fail(c, sql, res);
	PQclear(res);
	return 0;
}

static int prepare(raw_conn *c, const char *name, const char *sql, int nparams)
{
	PGresult *res = PQprepare(c->pg, name, sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(c, sql, res);
	PQclear(res);
	return 0;
}

static void deallocate(raw_conn *c, const char *name)
{
	char sql[96];
	snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
	PQclear(PQexec(c->pg, sql));
}

/* Executes a prepared statement with text parameters; NULL (message printed) on error. */
static PGresult *run(raw_conn *c, const char *name, int n, const char *const *values)
{
	PGresult *res = PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		fail(c, name, res);
		return NULL;
	}
	return res;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static raw_conn *raw_open(const char *url)
{
	raw_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->pg = PQconnectdb(url);
	PQsetNoticeProcessor(c->pg, quiet, NULL); /* NOTICEs of DROP ... IF EXISTS */
	if (PQstatus(c->pg) != CONNECTION_OK || exec(c, "SET TimeZone TO 'UTC'")) {
		fprintf(stderr, "corm_bench: raw libpq side: connect: %s\n", PQerrorMessage(c->pg));
		PQfinish(c->pg);
		free(c);
		return NULL;
	}
	int v = PQserverVersion(c->pg);
	snprintf(c->version, sizeof c->version, "PostgreSQL %d.%d server, libpq %d", v / 10000,
	         v % 10000, PQlibVersion());
	return c;
}

static void raw_close(raw_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

static const char *version(raw_conn *c)
{
	return c->version;
}

/* ---- reading rows (text results) ---- */

static int64_t to_i64(const char *s)
{
	int64_t v = 0;
	bool neg = *s == '-';
	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

/* "2024-01-15 10:30:00.5+00" (timestamptz, session in UTC) */
static bool parse_ts(const char *s, int len, int64_t *us)
{
	if (len > 3 && s[len - 3] == '+' && s[len - 2] == '0' && s[len - 1] == '0')
		len -= 3;
	return bench_parse_datetime(s, (size_t)len, us);
}

static char *dup_val(const PGresult *r, int row, int col)
{
	size_t n = (size_t)PQgetlength(r, row, col);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, PQgetvalue(r, row, col), n + 1);
	return p;
}

static bool read_scalars(const PGresult *r, int row, raw_post *p)
{
	p->id = to_i64(PQgetvalue(r, row, 0));
	p->author_id = to_i64(PQgetvalue(r, row, 4));
	p->category_null = PQgetisnull(r, row, 5);
	p->category_id = p->category_null ? 0 : to_i64(PQgetvalue(r, row, 5));
	p->view_count = (int32_t)to_i64(PQgetvalue(r, row, 6));
	p->is_active = PQgetvalue(r, row, 7)[0] == 't';
	return parse_ts(PQgetvalue(r, row, 8), PQgetlength(r, row, 8), &p->created_us);
}

static bool read_post(const PGresult *r, int row, raw_post *p)
{
	p->title = dup_val(r, row, 1);
	p->slug = dup_val(r, row, 2);
	p->body = dup_val(r, row, 3);
	return p->title && p->slug && p->body && read_scalars(r, row, p);
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

typedef struct text_buf {
	char *p;
	size_t cap;
} text_buf;

static char *buf_val(text_buf *b, const PGresult *r, int row, int col)
{
	size_t n = (size_t)PQgetlength(r, row, col);
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
	memcpy(b->p, PQgetvalue(r, row, col), n + 1);
	return b->p;
}

/* ---- seeding: COPY ... FROM STDIN ---- */

typedef struct copy_buf {
	char data[1 << 16];
	size_t len;
} copy_buf;

static int copy_flush(raw_conn *c, copy_buf *b)
{
	if (b->len && PQputCopyData(c->pg, b->data, (int)b->len) != 1)
		return fail(c, "COPY data", NULL);
	b->len = 0;
	return 0;
}

static int copy_line(raw_conn *c, copy_buf *b, const char *line, size_t n)
{
	if (b->len + n > sizeof b->data && copy_flush(c, b))
		return -1;
	memcpy(b->data + b->len, line, n);
	b->len += n;
	return 0;
}

static int copy_end(raw_conn *c, copy_buf *b)
{
	if (copy_flush(c, b) || PQputCopyEnd(c->pg, NULL) != 1)
		return fail(c, "COPY end", NULL);
	PGresult *res;
	int rc = 0;
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = fail(c, "COPY", res);
		else
			PQclear(res);
	}
	return rc;
}

static int copy_begin(raw_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return fail(c, sql, res);
	PQclear(res);
	return 0;
}

static int seed(raw_conn *c, const bench_sizes *sz)
{
	static copy_buf b;
	char line[1024], dt[BENCH_DT_STRLEN];
	int rc =
	        exec(c, "BEGIN") || copy_begin(c, "COPY " T_AUTHOR " (username, email) FROM STDIN");
	for (int64_t i = 1; !rc && i <= sz->authors; i++) {
		int n = snprintf(line, sizeof line,
		                 "author%03" PRId64 "\tauthor%03" PRId64 "@example.com\n", i, i);
		rc = copy_line(c, &b, line, (size_t)n);
	}
	rc = rc || copy_end(c, &b) || copy_begin(c, "COPY " T_CATEGORY " (name, slug) FROM STDIN");
	for (int64_t i = 1; !rc && i <= sz->categories; i++) {
		int n = snprintf(line, sizeof line, "Category %" PRId64 "\tcategory-%" PRId64 "\n",
		                 i, i);
		rc = copy_line(c, &b, line, (size_t)n);
	}
	rc = rc || copy_end(c, &b);
	for (int t = 0; t < 2 && !rc; t++) {
		int64_t n = t == 0 ? sz->posts : sz->stream_rows;
		bench_rng rng = {t == 0 ? BENCH_SEED : BENCH_SEED ^ UINT64_C(0x57aea3)};
		rc = copy_begin(
		        c, t == 0 ? "COPY " T_POST " (title, slug, body, author_id, "
		                    "category_id, view_count, is_active, created_at) FROM STDIN"
		                  : "COPY " T_STREAM " (title, slug, body, author_id, "
		                    "category_id, view_count, is_active, created_at) FROM STDIN");
		post_in r;
		for (int64_t i = 1; !rc && i <= n; i++) {
			bench_gen_post(&rng, sz, i, n, t == 0 ? "post" : "stream", &r);
			bench_format_datetime(r.created_us, dt);
			char cat[24] = "\\N";
			if (r.category_id)
				snprintf(cat, sizeof cat, "%" PRId64, r.category_id);
			/* the generated text has no tab, newline or backslash to escape */
			int len = snprintf(line, sizeof line,
			                   "%s\t%s\t%s\t%" PRId64 "\t%s\t%d\t%s\t%s+00\n", r.title,
			                   r.slug, r.body, r.author_id, cat, (int)r.view_count,
			                   r.is_active ? "t" : "f", dt);
			rc = copy_line(c, &b, line, (size_t)len);
		}
		rc = rc || copy_end(c, &b);
	}
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	/* statistics for stable plans on both sides */
	return exec(c, "COMMIT") ||
	       exec(c, "ANALYZE " T_AUTHOR ", " T_CATEGORY ", " T_POST ", " T_STREAM);
}

static int drop_tables(raw_conn *c)
{
	return exec(c, "DROP TABLE IF EXISTS " T_STREAM ", " T_POST ", " T_CATEGORY ", " T_AUTHOR
	               " CASCADE");
}

/* ---- workloads ---- */

static int w_insert_single(raw_conn *c, const work_args *a, digest *d)
{
	if (exec(c, "BEGIN") || prepare(c, "ins", SQL_INSERT, 8)) {
		exec(c, "ROLLBACK");
		return -1;
	}
	char author[24], cat[24], views[16], dt[BENCH_DT_STRLEN];
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->inserts; i++) {
		const post_in *r = &a->inserts[i];
		bench_format_datetime(r->created_us, dt);
		snprintf(author, sizeof author, "%" PRId64, r->author_id);
		snprintf(cat, sizeof cat, "%" PRId64, r->category_id);
		snprintf(views, sizeof views, "%d", (int)r->view_count);
		const char *v[8] = {r->title,
		                    r->slug,
		                    r->body,
		                    author,
		                    r->category_id ? cat : NULL,
		                    views,
		                    r->is_active ? "t" : "f",
		                    dt};
		PGresult *res = run(c, "ins", 8, v);
		if (!res || PQntuples(res) != 1)
			rc = -1;
		else {
			d->extra[0] += to_i64(PQgetvalue(res, 0, 0));
			d->rows++;
		}
		PQclear(res);
	}
	deallocate(c, "ins");
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	return exec(c, "COMMIT");
}

static int w_fetch_all(raw_conn *c, digest *d)
{
	PGresult *res = PQexecParams(c->pg, SQL_ALL, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail(c, "fetch_all", res);
	int n = PQntuples(res), got = 0, rc = 0;
	raw_post *posts = calloc((size_t)(n ? n : 1), sizeof *posts);
	if (!posts)
		rc = -1;
	for (; !rc && got < n; got++)
		if (!read_post(res, got, &posts[got]))
			rc = -1;
	PQclear(res);
	for (int i = 0; i < got; i++) {
		if (!rc)
			digest_raw(d, &posts[i]);
		free_post(&posts[i]);
	}
	free(posts);
	return rc;
}

static int w_values_list(raw_conn *c, digest *d)
{
	PGresult *res = PQexecParams(c->pg, SQL_VALUES, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail(c, "values_list", res);
	int n = PQntuples(res);
	int32_t *vals = malloc((size_t)(n ? n : 1) * sizeof *vals);
	if (!vals) {
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < n; i++)
		vals[i] = (int32_t)to_i64(PQgetvalue(res, i, 0));
	PQclear(res);
	for (int i = 0; i < n; i++) {
		d->rows++;
		d->sum_view += vals[i];
	}
	free(vals);
	return 0;
}

static int w_get_pk(raw_conn *c, const work_args *a, digest *d)
{
	if (prepare(c, "get", SQL_GET, 1))
		return -1;
	int rc = 0;
	char id[24];
	for (int64_t i = 0; !rc && i < a->sz->gets; i++) {
		snprintf(id, sizeof id, "%" PRId64, a->get_ids[i]);
		const char *v[1] = {id};
		PGresult *res = run(c, "get", 1, v);
		raw_post p = {0};
		if (!res || PQntuples(res) != 1 || !read_post(res, 0, &p)) /* exactly one */
			rc = -1;
		else
			digest_raw(d, &p);
		free_post(&p);
		PQclear(res);
	}
	deallocate(c, "get");
	return rc;
}

static int w_filter_page(raw_conn *c, const work_args *a, digest *d, first_page *fp)
{
	if (prepare(c, "page", SQL_PAGE, 1))
		return -1;
	int rc = 0;
	char gt[24];
	for (int64_t i = 0; !rc && i < a->sz->pages; i++) {
		snprintf(gt, sizeof gt, "%" PRId64, i);
		const char *v[1] = {gt};
		PGresult *res = run(c, "page", 1, v);
		if (!res) {
			rc = -1;
			break;
		}
		raw_post page[PAGE_SIZE];
		int n = PQntuples(res) < PAGE_SIZE ? PQntuples(res) : PAGE_SIZE, got = 0;
		for (; !rc && got < n; got++) {
			memset(&page[got], 0, sizeof page[got]);
			if (!read_post(res, got, &page[got]))
				rc = -1;
		}
		PQclear(res);
		for (int k = 0; k < got; k++) {
			if (!rc) {
				if (i == 0 && fp && fp->n < PAGE_SIZE)
					snprintf(fp->titles[fp->n++], BENCH_TITLE_MAX, "%s",
					         page[k].title);
				digest_raw(d, &page[k]);
			}
			free_post(&page[k]);
		}
	}
	deallocate(c, "page");
	return rc;
}

static int w_count_exists(raw_conn *c, const work_args *a, digest *d)
{
	if (prepare(c, "cnt", SQL_COUNT, 2) || prepare(c, "ex", SQL_EXISTS, 2))
		return -1;
	int rc = 0;
	char lo[BENCH_DT_STRLEN], hi[BENCH_DT_STRLEN];
	for (int64_t i = 0; !rc && i < a->sz->counts; i++) {
		bench_format_datetime(a->window_start[i], lo);
		bench_format_datetime(a->window_start[i] + a->window_len_us, hi);
		const char *v[2] = {lo, hi};
		PGresult *res = run(c, "cnt", 2, v);
		if (!res || PQntuples(res) != 1)
			rc = -1;
		else
			d->extra[0] += to_i64(PQgetvalue(res, 0, 0));
		PQclear(res);
		res = rc ? NULL : run(c, "ex", 2, v);
		if (!res)
			rc = -1;
		else
			d->extra[1] += PQntuples(res) > 0;
		PQclear(res);
		d->rows++;
	}
	deallocate(c, "cnt");
	deallocate(c, "ex");
	return rc;
}

static int w_update_f(raw_conn *c, const work_args *a, digest *d)
{
	if (prepare(c, "upd", SQL_UPDATE, 0))
		return -1;
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->updates; i++) {
		PGresult *res = run(c, "upd", 0, NULL);
		if (!res)
			rc = -1;
		else {
			d->rows++;
			d->extra[0] += to_i64(PQcmdTuples(res));
		}
		PQclear(res);
	}
	deallocate(c, "upd");
	return rc;
}

static int w_iterate(raw_conn *c, const work_args *a, digest *d)
{
	char fetch[64];
	snprintf(fetch, sizeof fetch, "FETCH %" PRId64 " FROM bench_stream", a->sz->chunk_size);
	if (exec(c, "BEGIN") || exec(c, SQL_STREAM)) {
		exec(c, "ROLLBACK");
		return -1;
	}
	text_buf bt = {0}, bs = {0}, bb = {0};
	int rc = 0;
	for (;;) {
		PGresult *res = PQexec(c->pg, fetch);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = fail(c, "FETCH", res);
			break;
		}
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			raw_post p;
			p.title = buf_val(&bt, res, i, 1);
			p.slug = buf_val(&bs, res, i, 2);
			p.body = buf_val(&bb, res, i, 3);
			if (!p.title || !p.slug || !p.body || !read_scalars(res, i, &p))
				rc = -1;
			else
				digest_raw(d, &p);
		}
		PQclear(res);
		if (rc || n == 0)
			break;
	}
	free(bt.p);
	free(bs.p);
	free(bb.p);
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	return exec(c, "CLOSE bench_stream") || exec(c, "COMMIT");
}

static int raw_pg_workload(raw_conn *c, workload_id w, const work_args *a, digest *d,
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
		return w_iterate(c, a, d);
	default:
		return -1;
	}
}

/* ---- untimed helpers ---- */

static int post_stats(raw_conn *c, int64_t min_id, digest *d)
{
	char id[24];
	snprintf(id, sizeof id, "%" PRId64, min_id);
	const char *v[1] = {id};
	PGresult *res = PQexecParams(c->pg, "SELECT " POST_COLS " FROM " T_POST " WHERE id >= $1",
	                             1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail(c, "post_stats", res);
	int rc = 0;
	for (int i = 0; !rc && i < PQntuples(res); i++) {
		raw_post p = {0};
		if (!read_post(res, i, &p))
			rc = -1;
		else
			digest_raw(d, &p);
		free_post(&p);
	}
	PQclear(res);
	return rc;
}

static int run_int(raw_conn *c, const char *sql, int64_t value)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRId64, value);
	const char *v[1] = {s};
	PGresult *res = PQexecParams(c->pg, sql, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(c, sql, res);
	PQclear(res);
	return 0;
}

/* After undoing a write workload: VACUUM, so that every run starts from the same table and
 * not from one bloated by the previous runs' dead rows. */
static int delete_posts_from(raw_conn *c, int64_t min_id)
{
	return run_int(c, "DELETE FROM " T_POST " WHERE id >= $1", min_id) ||
	       exec(c, "VACUUM " T_POST);
}

static int undo_update(raw_conn *c, int64_t times)
{
	return run_int(c, "UPDATE " T_POST " SET view_count = view_count - $1 WHERE is_active",
	               times) ||
	       exec(c, "VACUUM " T_POST);
}

/* The generic plan (parameters unknown), as a prepared statement gets it. */
static void explain(raw_conn *c, const char *label, const char *sql, const corm_value *params,
                    size_t nparams)
{
	(void)params;
	(void)nparams;
	printf("  %-5s %s\n", label, sql);
	if (strncmp(sql, "SELECT", 6) && strncmp(sql, "UPDATE", 6))
		return;
	PGresult *res = PQprepare(c->pg, "bench_explain", sql, 0, NULL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok)
		return;
	res = PQdescribePrepared(c->pg, "bench_explain");
	int n = PQnparams(res);
	PQclear(res);
	char q[256] = "EXPLAIN EXECUTE bench_explain";
	for (int i = 0; i < n && strlen(q) < sizeof q - 8; i++)
		strcat(q, i ? ", NULL" : "(NULL");
	if (n)
		strcat(q, ")");
	PQclear(PQexec(c->pg, "SET plan_cache_mode TO force_generic_plan"));
	res = PQexec(c->pg, q);
	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
		printf("        plan: %s\n", PQgetvalue(res, i, 0));
	PQclear(res);
	PQclear(PQexec(c->pg, "RESET plan_cache_mode"));
	deallocate(c, "bench_explain");
}

/* Parse + analyze of the statement on the server (the unnamed statement, one round trip). */
static double prepare_cost(raw_conn *c, const char *sql, int64_t iters)
{
	double t0 = bench_now();
	for (int64_t i = 0; i < iters; i++) {
		PGresult *res = PQprepare(c->pg, "", sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fail(c, sql, res);
			return -1;
		}
		PQclear(res);
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

const raw_driver raw_pg_driver = {
        .vendor = "postgresql",
        .open = raw_open,
        .close = raw_close,
        .version = version,
        .drop_tables = drop_tables,
        .seed = seed,
        .workload = raw_pg_workload,
        .post_stats = post_stats,
        .delete_posts_from = delete_posts_from,
        .undo_update = undo_update,
        .explain = explain,
        .prepare_cost = prepare_cost,
        .sql = &statements,
};

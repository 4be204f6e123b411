/*
 * The hand-written side on MariaDB/MySQL: Connector/C prepared statements
 * (binary protocol) as a careful C programmer uses them. Each workload
 * prepares its statements once per run (inside the timed region), binds
 * parameters and result columns to its own buffers, reads rows unbuffered
 * (mysql_stmt_fetch straight from the connection, no mysql_stmt_store_result),
 * copies what it keeps into structs that own their strings, and frees
 * everything before it returns. iterate_1m streams the same way: one row in
 * the bound buffers at a time.
 */
#include <inttypes.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct raw_conn {
	MYSQL *m;
	char version[128];
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

static int fail(raw_conn *c, const char *what, MYSQL_STMT *st)
{
	fprintf(stderr, "corm_bench: raw Connector/C side: %s: %s\n", what,
	        st ? mysql_stmt_error(st) : mysql_error(c->m));
	return -1;
}

static int exec(raw_conn *c, const char *sql)
{
	if (mysql_real_query(c->m, sql, (unsigned long)strlen(sql)))
		return fail(c, sql, NULL);
	MYSQL_RES *r = mysql_store_result(c->m); /* statements here return no rows */
	mysql_free_result(r);
	return 0;
}

static MYSQL_STMT *prepare(raw_conn *c, const char *sql)
{
	MYSQL_STMT *st = mysql_stmt_init(c->m);
	if (!st) {
		fail(c, "mysql_stmt_init", NULL);
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql))) {
		fail(c, sql, st);
		mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

/* "%xx" escapes of a URL part, in place */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '%' && p[1] && p[2]) {
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
}

/* mysql://user:password@host:port/name */
static raw_conn *raw_open(const char *url)
{
	char buf[512], *user = NULL, *pass = NULL, *name = NULL;
	unsigned port = 0;
	const char *rest = strstr(url, "://");
	if (!rest || snprintf(buf, sizeof buf, "%s", rest + 3) >= (int)sizeof buf) {
		fprintf(stderr, "corm_bench: raw Connector/C side: cannot read the URL\n");
		return NULL;
	}
	char *host = buf, *at = strrchr(buf, '@');
	if (at) {
		*at = '\0';
		user = buf;
		char *colon = strchr(buf, ':');
		if (colon) {
			*colon = '\0';
			pass = colon + 1;
		}
		host = at + 1;
	}
	char *slash = strchr(host, '/');
	if (slash) {
		*slash = '\0';
		name = slash + 1;
		name[strcspn(name, "?")] = '\0';
	}
	char *colon = strrchr(host, ':');
	if (colon) {
		*colon = '\0';
		port = (unsigned)atoi(colon + 1);
	}
	char *parts[] = {user, pass, host, name};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (parts[i])
			unescape(parts[i]);
	raw_conn *c = calloc(1, sizeof *c);
	if (!c || !(c->m = mysql_init(NULL))) {
		free(c);
		return NULL;
	}
	mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* the session corm's connections get (backend/mysql/base.c): same isolation, same modes */
	if (!mysql_real_connect(c->m, *host ? host : "localhost", user, pass, name, port, NULL,
	                        CLIENT_FOUND_ROWS) ||
	    exec(c, "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
	            "NO_ENGINE_SUBSTITUTION', time_zone = '+00:00', sql_auto_is_null = 0") ||
	    exec(c, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")) {
		fprintf(stderr, "corm_bench: raw Connector/C side: connect: %s\n",
		        mysql_error(c->m));
		mysql_close(c->m);
		free(c);
		return NULL;
	}
	snprintf(c->version, sizeof c->version, "MariaDB %s server, Connector/C %s",
	         mysql_get_server_info(c->m), mysql_get_client_info());
	return c;
}

static void raw_close(raw_conn *c)
{
	if (!c)
		return;
	mysql_close(c->m);
	free(c);
}

static const char *version(raw_conn *c)
{
	return c->version;
}

/* ---- binding ---- */

static void to_time(int64_t us, MYSQL_TIME *t)
{
	int y, mo, d, h, mi, s, frac;
	bench_parts_from_us(us, &y, &mo, &d, &h, &mi, &s, &frac);
	memset(t, 0, sizeof *t);
	t->year = (unsigned)y;
	t->month = (unsigned)mo;
	t->day = (unsigned)d;
	t->hour = (unsigned)h;
	t->minute = (unsigned)mi;
	t->second = (unsigned)s;
	t->second_part = (unsigned long)frac;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

static int64_t from_time(const MYSQL_TIME *t)
{
	return bench_us_from_parts((int)t->year, (int)t->month, (int)t->day, (int)t->hour,
	                           (int)t->minute, (int)t->second, (int)t->second_part);
}

static void bind_one(MYSQL_BIND *b, enum enum_field_types type, void *buf, unsigned long len)
{
	memset(b, 0, sizeof *b);
	b->buffer_type = type;
	b->buffer = buf;
	b->buffer_length = len;
}

/* The result row of a post: fixed buffers the driver writes each fetched row into. */
typedef struct post_row {
	MYSQL_BIND bind[9];
	int64_t id, author, category;
	uint32_t views;
	signed char active;
	char title[256], slug[64], body[1024];
	unsigned long len[9];
	my_bool null[9], error[9];
	MYSQL_TIME created;
} post_row;

static void bind_post_row(post_row *r)
{
	memset(r, 0, sizeof *r);
	bind_one(&r->bind[0], MYSQL_TYPE_LONGLONG, &r->id, 0);
	bind_one(&r->bind[1], MYSQL_TYPE_STRING, r->title, sizeof r->title);
	bind_one(&r->bind[2], MYSQL_TYPE_STRING, r->slug, sizeof r->slug);
	bind_one(&r->bind[3], MYSQL_TYPE_STRING, r->body, sizeof r->body);
	bind_one(&r->bind[4], MYSQL_TYPE_LONGLONG, &r->author, 0);
	bind_one(&r->bind[5], MYSQL_TYPE_LONGLONG, &r->category, 0);
	bind_one(&r->bind[6], MYSQL_TYPE_LONG, &r->views, 0);
	r->bind[6].is_unsigned = 1;
	bind_one(&r->bind[7], MYSQL_TYPE_TINY, &r->active, 0);
	bind_one(&r->bind[8], MYSQL_TYPE_DATETIME, &r->created, sizeof r->created);
	for (int i = 0; i < 9; i++) {
		r->bind[i].length = &r->len[i];
		r->bind[i].is_null = &r->null[i];
		r->bind[i].error = &r->error[i];
	}
}

/* Scalars of the fetched row; the strings stay in the row's buffers (NUL-terminated). */
static void row_scalars(const post_row *r, raw_post *p)
{
	p->id = r->id;
	p->author_id = r->author;
	p->category_null = r->null[5];
	p->category_id = r->null[5] ? 0 : r->category;
	p->view_count = (int32_t)r->views;
	p->is_active = r->active != 0;
	p->created_us = from_time(&r->created);
}

static char *dup_n(const char *s, unsigned long n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static bool read_post(const post_row *r, raw_post *p)
{
	row_scalars(r, p);
	p->title = dup_n(r->title, r->len[1]);
	p->slug = dup_n(r->slug, r->len[2]);
	p->body = dup_n(r->body, r->len[3]);
	return p->title && p->slug && p->body;
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

/* mysql_stmt_fetch: 1 row, 0 done, -1 error (a truncated column is an error here) */
static int fetch(raw_conn *c, MYSQL_STMT *st)
{
	int rc = mysql_stmt_fetch(st);
	if (rc == 0)
		return 1;
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == MYSQL_DATA_TRUNCATED)
		fprintf(stderr, "corm_bench: raw Connector/C side: a column was truncated\n");
	else
		fail(c, "fetch", st);
	return -1;
}

/* Executes st with a post row bound to its result; 0 or -1. */
static int exec_rows(raw_conn *c, MYSQL_STMT *st, MYSQL_BIND *params, post_row *r)
{
	if ((params && mysql_stmt_bind_param(st, params)) || mysql_stmt_execute(st) ||
	    (r && mysql_stmt_bind_result(st, r->bind)))
		return fail(c, "execute", st);
	return 0;
}

/* ---- seeding: multi-row INSERTs ---- */

typedef struct sql_buf {
	char *p;
	size_t len, cap;
} sql_buf;

static bool sb_add(sql_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1 << 20;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static int sb_run(raw_conn *c, sql_buf *b)
{
	int rc = mysql_real_query(c->m, b->p, (unsigned long)b->len) ? fail(c, "seed", NULL) : 0;
	b->len = 0;
	return rc;
}

static int seed(raw_conn *c, const bench_sizes *sz)
{
	sql_buf b = {0};
	char line[1024], dt[BENCH_DT_STRLEN];
	int rc = exec(c, "START TRANSACTION");
	for (int64_t i = 1; !rc && i <= sz->authors; i++) {
		int n = snprintf(
		        line, sizeof line,
		        "%s('author%03" PRId64 "', 'author%03" PRId64 "@example.com')",
		        i == 1 ? "INSERT INTO " T_AUTHOR " (username, email) VALUES " : ", ", i, i);
		rc = sb_add(&b, line, (size_t)n) ? 0 : -1;
	}
	rc = rc || sb_run(c, &b);
	for (int64_t i = 1; !rc && i <= sz->categories; i++) {
		int n = snprintf(
		        line, sizeof line, "%s('Category %" PRId64 "', 'category-%" PRId64 "')",
		        i == 1 ? "INSERT INTO " T_CATEGORY " (name, slug) VALUES " : ", ", i, i);
		rc = sb_add(&b, line, (size_t)n) ? 0 : -1;
	}
	rc = rc || sb_run(c, &b);
	for (int t = 0; t < 2 && !rc; t++) {
		int64_t n = t == 0 ? sz->posts : sz->stream_rows;
		bench_rng rng = {t == 0 ? BENCH_SEED : BENCH_SEED ^ UINT64_C(0x57aea3)};
		post_in r;
		for (int64_t i = 1; !rc && i <= n; i++) {
			bench_gen_post(&rng, sz, i, n, t == 0 ? "post" : "stream", &r);
			bench_format_datetime(r.created_us, dt);
			char cat[24] = "NULL";
			if (r.category_id)
				snprintf(cat, sizeof cat, "%" PRId64, r.category_id);
			/* the generated text holds no quote or backslash */
			int len = snprintf(line, sizeof line,
			                   "%s('%s', '%s', '%s', %" PRId64 ", %s, %d, %d, '%s')",
			                   (i - 1) % 1000 == 0
			                           ? (t == 0 ? "INSERT INTO " T_POST
			                                       " (title, slug, body, author_id, "
			                                       "category_id, view_count, "
			                                       "is_active, created_at) VALUES "
			                                     : "INSERT INTO " T_STREAM
			                                       " (title, slug, body, "
			                                       "author_id, category_id, "
			                                       "view_count, is_active, "
			                                       "created_at) VALUES ")
			                           : ", ",
			                   r.title, r.slug, r.body, r.author_id, cat,
			                   (int)r.view_count, r.is_active, dt);
			rc = sb_add(&b, line, (size_t)len) ? 0 : -1;
			if (!rc && (i % 1000 == 0 || i == n))
				rc = sb_run(c, &b);
		}
	}
	free(b.p);
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	return exec(c, "COMMIT") ||
	       exec(c, "ANALYZE TABLE " T_AUTHOR ", " T_CATEGORY ", " T_POST ", " T_STREAM);
}

static int drop_tables(raw_conn *c)
{
	return exec(c, "SET FOREIGN_KEY_CHECKS = 0") ||
	       exec(c,
	            "DROP TABLE IF EXISTS " T_STREAM ", " T_POST ", " T_CATEGORY ", " T_AUTHOR) ||
	       exec(c, "SET FOREIGN_KEY_CHECKS = 1");
}

/* ---- workloads ---- */

static int w_insert_single(raw_conn *c, const work_args *a, digest *d)
{
	if (exec(c, "START TRANSACTION"))
		return -1;
	MYSQL_STMT *st = prepare(c, SQL_INSERT);
	MYSQL_BIND p[8];
	unsigned long len[3];
	int64_t author, category;
	uint32_t views;
	signed char active;
	my_bool cat_null;
	MYSQL_TIME created;
	bind_one(&p[0], MYSQL_TYPE_STRING, NULL, 0);
	bind_one(&p[1], MYSQL_TYPE_STRING, NULL, 0);
	bind_one(&p[2], MYSQL_TYPE_STRING, NULL, 0);
	for (int i = 0; i < 3; i++)
		p[i].length = &len[i];
	bind_one(&p[3], MYSQL_TYPE_LONGLONG, &author, 0);
	bind_one(&p[4], MYSQL_TYPE_LONGLONG, &category, 0);
	p[4].is_null = &cat_null;
	bind_one(&p[5], MYSQL_TYPE_LONG, &views, 0);
	p[5].is_unsigned = 1;
	bind_one(&p[6], MYSQL_TYPE_TINY, &active, 0);
	bind_one(&p[7], MYSQL_TYPE_DATETIME, &created, sizeof created);
	int rc = st ? 0 : -1;
	for (int64_t i = 0; !rc && i < a->sz->inserts; i++) {
		const post_in *r = &a->inserts[i];
		p[0].buffer = (void *)r->title;
		len[0] = (unsigned long)strlen(r->title);
		p[1].buffer = (void *)r->slug;
		len[1] = (unsigned long)strlen(r->slug);
		p[2].buffer = (void *)r->body;
		len[2] = (unsigned long)strlen(r->body);
		author = r->author_id;
		category = r->category_id;
		cat_null = r->category_id == 0;
		views = (uint32_t)r->view_count;
		active = r->is_active;
		to_time(r->created_us, &created);
		if (mysql_stmt_bind_param(st, p) || mysql_stmt_execute(st))
			rc = fail(c, "insert", st);
		else {
			d->extra[0] += (int64_t)mysql_stmt_insert_id(st);
			d->rows++;
		}
	}
	if (st)
		mysql_stmt_close(st);
	if (rc) {
		exec(c, "ROLLBACK");
		return -1;
	}
	return exec(c, "COMMIT");
}

static int w_fetch_all(raw_conn *c, digest *d)
{
	MYSQL_STMT *st = prepare(c, SQL_ALL);
	if (!st)
		return -1;
	static post_row row;
	bind_post_row(&row);
	int rc = exec_rows(c, st, NULL, &row), f = 0;
	raw_post *posts = NULL;
	size_t n = 0, cap = 0;
	while (!rc && (f = fetch(c, st)) == 1) {
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
		if (!read_post(&row, &posts[n])) {
			free_post(&posts[n]);
			rc = -1;
			break;
		}
		n++;
	}
	if (f < 0)
		rc = -1;
	mysql_stmt_close(st);
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
	MYSQL_STMT *st = prepare(c, SQL_VALUES);
	if (!st)
		return -1;
	uint32_t v;
	MYSQL_BIND b;
	bind_one(&b, MYSQL_TYPE_LONG, &v, 0);
	b.is_unsigned = 1;
	int rc = (mysql_stmt_execute(st) || mysql_stmt_bind_result(st, &b)) ? fail(c, "values", st)
	                                                                    : 0;
	int32_t *vals = NULL;
	size_t n = 0, cap = 0;
	int f = 0;
	while (!rc && (f = fetch(c, st)) == 1) {
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
		vals[n++] = (int32_t)v;
	}
	if (f < 0)
		rc = -1;
	mysql_stmt_close(st);
	for (size_t i = 0; !rc && i < n; i++) {
		d->rows++;
		d->sum_view += vals[i];
	}
	free(vals);
	return rc;
}

static int w_get_pk(raw_conn *c, const work_args *a, digest *d)
{
	MYSQL_STMT *st = prepare(c, SQL_GET);
	if (!st)
		return -1;
	static post_row row;
	bind_post_row(&row);
	int64_t id;
	MYSQL_BIND p;
	bind_one(&p, MYSQL_TYPE_LONGLONG, &id, 0);
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->gets; i++) {
		id = a->get_ids[i];
		raw_post post = {0};
		if (exec_rows(c, st, &p, &row) || fetch(c, st) != 1 || !read_post(&row, &post) ||
		    fetch(c, st) != 0) /* exactly one */
			rc = -1;
		else
			digest_raw(d, &post);
		free_post(&post);
	}
	mysql_stmt_close(st);
	return rc;
}

static int w_filter_page(raw_conn *c, const work_args *a, digest *d, first_page *fp)
{
	MYSQL_STMT *st = prepare(c, SQL_PAGE);
	if (!st)
		return -1;
	static post_row row;
	bind_post_row(&row);
	int64_t gt;
	MYSQL_BIND p;
	bind_one(&p, MYSQL_TYPE_LONGLONG, &gt, 0);
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->pages; i++) {
		gt = i;
		raw_post page[PAGE_SIZE];
		int n = 0, f = 0;
		rc = exec_rows(c, st, &p, &row);
		while (!rc && (f = fetch(c, st)) == 1 && n < PAGE_SIZE) {
			memset(&page[n], 0, sizeof page[n]);
			bool ok = read_post(&row, &page[n]);
			n++;
			if (!ok)
				rc = -1;
		}
		if (f < 0)
			rc = -1;
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
	mysql_stmt_close(st);
	return rc;
}

static int w_count_exists(raw_conn *c, const work_args *a, digest *d)
{
	MYSQL_STMT *cnt = prepare(c, SQL_COUNT), *ex = cnt ? prepare(c, SQL_EXISTS) : NULL;
	if (!ex) {
		if (cnt)
			mysql_stmt_close(cnt);
		return -1;
	}
	MYSQL_TIME lo, hi;
	MYSQL_BIND p[2], rcount, rone;
	bind_one(&p[0], MYSQL_TYPE_DATETIME, &lo, sizeof lo);
	bind_one(&p[1], MYSQL_TYPE_DATETIME, &hi, sizeof hi);
	int64_t count, one;
	bind_one(&rcount, MYSQL_TYPE_LONGLONG, &count, 0);
	bind_one(&rone, MYSQL_TYPE_LONGLONG, &one, 0);
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->counts; i++) {
		to_time(a->window_start[i], &lo);
		to_time(a->window_start[i] + a->window_len_us, &hi);
		if (mysql_stmt_bind_param(cnt, p) || mysql_stmt_execute(cnt) ||
		    mysql_stmt_bind_result(cnt, &rcount) || fetch(c, cnt) != 1 ||
		    fetch(c, cnt) != 0) {
			rc = fail(c, "count", cnt);
			break;
		}
		d->extra[0] += count;
		int f;
		if (mysql_stmt_bind_param(ex, p) || mysql_stmt_execute(ex) ||
		    mysql_stmt_bind_result(ex, &rone) || (f = fetch(c, ex)) < 0 ||
		    (f == 1 && fetch(c, ex) != 0)) {
			rc = fail(c, "exists", ex);
			break;
		}
		d->extra[1] += f;
		d->rows++;
	}
	mysql_stmt_close(cnt);
	mysql_stmt_close(ex);
	return rc;
}

static int w_update_f(raw_conn *c, const work_args *a, digest *d)
{
	MYSQL_STMT *st = prepare(c, SQL_UPDATE);
	if (!st)
		return -1;
	int rc = 0;
	for (int64_t i = 0; !rc && i < a->sz->updates; i++) {
		if (mysql_stmt_execute(st))
			rc = fail(c, "update", st);
		else {
			d->rows++;
			d->extra[0] += (int64_t)mysql_stmt_affected_rows(st);
		}
	}
	mysql_stmt_close(st);
	return rc;
}

static int w_iterate(raw_conn *c, digest *d)
{
	MYSQL_STMT *st = prepare(c, SQL_STREAM);
	if (!st)
		return -1;
	static post_row row;
	bind_post_row(&row);
	int rc = exec_rows(c, st, NULL, &row), f = 0;
	while (!rc && (f = fetch(c, st)) == 1) {
		raw_post p;
		row_scalars(&row, &p);
		p.title = row.title; /* NUL-terminated in the row's own buffers */
		p.slug = row.slug;
		p.body = row.body;
		digest_raw(d, &p);
	}
	if (f < 0)
		rc = -1;
	mysql_stmt_close(st);
	return rc;
}

static int raw_mysql_workload(raw_conn *c, workload_id w, const work_args *a, digest *d,
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
	MYSQL_STMT *st = prepare(c, "SELECT " POST_COLS " FROM " T_POST " WHERE id >= ?");
	if (!st)
		return -1;
	static post_row row;
	bind_post_row(&row);
	MYSQL_BIND p;
	bind_one(&p, MYSQL_TYPE_LONGLONG, &min_id, 0);
	int rc = exec_rows(c, st, &p, &row), f = 0;
	while (!rc && (f = fetch(c, st)) == 1) {
		raw_post post = {0};
		if (!read_post(&row, &post))
			rc = -1;
		else
			digest_raw(d, &post);
		free_post(&post);
	}
	if (f < 0)
		rc = -1;
	mysql_stmt_close(st);
	return rc;
}

static int run_int(raw_conn *c, const char *sql, int64_t v)
{
	MYSQL_STMT *st = prepare(c, sql);
	if (!st)
		return -1;
	MYSQL_BIND p;
	bind_one(&p, MYSQL_TYPE_LONGLONG, &v, 0);
	int rc = mysql_stmt_bind_param(st, &p) || mysql_stmt_execute(st) ? fail(c, sql, st) : 0;
	mysql_stmt_close(st);
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

/* EXPLAIN of a statement with placeholders needs values; the SQL alone is printed. */
static void explain(raw_conn *c, const char *label, const char *sql, const corm_value *params,
                    size_t nparams)
{
	(void)c;
	(void)params;
	(void)nparams;
	printf("  %-5s %s\n", label, sql);
}

/* A server-side prepare (one round trip) and its close, per iteration. */
static double prepare_cost(raw_conn *c, const char *sql, int64_t iters)
{
	double t0 = bench_now();
	for (int64_t i = 0; i < iters; i++) {
		MYSQL_STMT *st = prepare(c, sql);
		if (!st)
			return -1;
		mysql_stmt_close(st);
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

const raw_driver raw_mysql_driver = {
        .vendor = "mysql",
        .open = raw_open,
        .close = raw_close,
        .version = version,
        .drop_tables = drop_tables,
        .seed = seed,
        .workload = raw_mysql_workload,
        .post_stats = post_stats,
        .delete_posts_from = delete_posts_from,
        .undo_update = undo_update,
        .explain = explain,
        .prepare_cost = prepare_cost,
        .sql = &statements,
};

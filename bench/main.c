/*
 * corm_bench [--quick] [--reps N] [--verbose] [DATABASE_URL]
 *
 * Runs each workload with corm and with hand-written driver code, in the same
 * process, alternating (corm first on even runs, raw first on odd runs), and
 * reports the median of the timed runs. Both sides must read and write the
 * same things: their digests are compared after every run and any difference
 * makes the program exit 1. See docs/performance.md.
 *
 * Without a URL the database is a SQLite file in a fresh /dev/shm folder
 * (tmpfs), removed at exit.
 *
 * --ir --side corm|raw --only W: one side of one workload, once after the
 * warm-up, with callgrind's instrumentation and collection switched on only
 * around that run (bench/bench_ir.sh runs it under valgrind; `make bench-ir`).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#ifndef CORM_BENCH_HAVE_CALLGRIND
#define CORM_BENCH_HAVE_CALLGRIND 1
#endif
#if CORM_BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
/* built without valgrind's header: --ir refuses to run (parse_args) */
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_TOGGLE_COLLECT
#endif

#include "bench.h"

static const char *const workload_names[W_COUNT_] = {
        [W_INSERT_SINGLE] = "insert_single", [W_FETCH_ALL] = "fetch_all",
        [W_VALUES_LIST] = "values_list",     [W_GET_PK] = "get_pk",
        [W_FILTER_PAGE] = "filter_page",     [W_COUNT_EXISTS] = "count_exists",
        [W_UPDATE_F] = "update_f",           [W_ITERATE_1M] = "iterate_1m",
};

#define MAX_REPS 99
#define TARGET   1.25

typedef struct options {
	bool quick, verbose, keep;
	int reps, warmup;
	const char *url;
	const char *only; /* comma-separated workload names, or NULL for all */
	int side;         /* --side: 0 both, 1 corm only, 2 raw only (profiling) */
	int div;          /* row counts divided by this (--quick: 100) */
	bool reps_given, warmup_given;
	int update_reps; /* update_f's runs (fewer on servers, where each run takes seconds) */
	bool ir;         /* --ir: one side, one workload, one run counted by callgrind */
} options;

typedef struct result {
	bool measured;
	bool mismatch;
	double corm_s, raw_s;
	double nocache_s; /* corm with corm_set_statement_cache(db, 0); 0 when not measured */
	int64_t corm_rss_kb, raw_rss_kb; /* iterate_1m: peak RSS growth, worst run */
} result;

static options opt;
static bench_sizes sz;
static const raw_driver *drv;
static corm_registry *reg;
static corm_db *cdb;
/* In a workload's child process: the parent's handles (kept reachable, never used there). */
static corm_db *parent_cdb;
static raw_conn *parent_rdb;
static raw_conn *rdb;
static char db_dir[256], db_path[300], db_url[320];
static const char *raw_target; /* what drv->open gets: the SQLite file or the server URL */
static pid_t main_pid;
static result results[W_COUNT_];
static bool any_mismatch;
/* --ir: the run being made is the one callgrind counts */
static bool ir_collect;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("corm_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- the database folder ---- */

/* The files a SQLite run creates, precomputed so that a signal handler can remove them. */
static char rm_paths[4][340];

static void set_rm_paths(void)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		snprintf(rm_paths[i], sizeof rm_paths[i], "%s%s", db_path, suffixes[i]);
}

/* Async-signal-safe: unlink and rmdir only. */
static void remove_db(void)
{
	if (getpid() != main_pid || !rm_paths[0][0] || opt.keep)
		return;
	for (size_t i = 0; i < sizeof rm_paths / sizeof rm_paths[0]; i++)
		unlink(rm_paths[i]);
	if (db_dir[0])
		rmdir(db_dir);
}

/* ^C, a closed pipe, ...: the 1M-row database must not stay behind in /dev/shm. */
static void on_signal(int sig)
{
	remove_db();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void cleanup(void)
{
	if (getpid() != main_pid)
		return;
	if (cdb)
		corm_close(cdb);
	cdb = NULL;
	if (rdb && drv->drop_tables && !opt.keep)
		drv->drop_tables(rdb);
	if (rdb)
		drv->close(rdb);
	rdb = NULL;
	corm_registry_free(reg);
	reg = NULL;
	remove_db();
}

static void make_db_dir(void)
{
	struct stat st;
	const char *base =
	        stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
	                ? "/dev/shm"
	                : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	snprintf(db_dir, sizeof db_dir, "%s/corm-bench-XXXXXX", base);
	if (!mkdtemp(db_dir))
		die("mkdtemp %s: %s", db_dir, strerror(errno));
	snprintf(db_path, sizeof db_path, "%s/bench.db", db_dir);
	snprintf(db_url, sizeof db_url, "sqlite:///%s",
	         db_path); /* three slashes + absolute path */
}

/* ---- memory ---- */

/* VmHWM (peak resident set) in kB; ru_maxrss where /proc is missing. */
static int64_t peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int64_t kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %" SCNd64, &kb) == 1)
			break;
	if (f)
		fclose(f);
	if (kb < 0) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		kb = ru.ru_maxrss;
	}
	return kb;
}

/* Resets the peak to the current RSS (Linux >= 4.0); harmless where unsupported. */
static void reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "5", 1) != 1) {
			/* not supported: the peak then starts at the fork-time RSS */
		}
		close(fd);
	}
}

/* ---- running one side ---- */

typedef struct side_out {
	int ok; /* 1 */
	double secs;
	int64_t rss_growth_kb;
	digest d;
	first_page fp;
} side_out;

/* Captures corm's SQL text for the --verbose plan listing. */
typedef struct sql_capture {
	int n;
	char *sql[4];
} sql_capture;

static void capture_sql(const char *sql, void *ctx)
{
	sql_capture *c = ctx;
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->sql[i], sql))
			return;
	if (c->n < 4)
		c->sql[c->n++] = strdup(sql);
}

static int run_side_here(bool corm, workload_id w, const work_args *a, side_out *o)
{
	memset(o, 0, sizeof *o);
	/* --ir: callgrind counts this call and nothing else (outside valgrind these are a few
	 * no-op instructions). Instrumentation starts here, so the seeding and the warm-up run
	 * at valgrind's uninstrumented speed and are not counted. */
	if (ir_collect) {
		CALLGRIND_START_INSTRUMENTATION;
		CALLGRIND_TOGGLE_COLLECT;
	}
	double t0 = bench_now();
	int rc = corm ? corm_workload(cdb, w, a, &o->d, &o->fp)
	              : drv->workload(rdb, w, a, &o->d, &o->fp);
	o->secs = bench_now() - t0;
	if (ir_collect) {
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_STOP_INSTRUMENTATION;
	}
	o->ok = rc == 0;
	return rc;
}

/*
 * Forks. The child returns 0 with *fd the end it writes its report to
 * (child_exit); the parent returns the child's pid with *fd the end it reads
 * the report from (child_report).
 */
static pid_t fork_child(int *fd)
{
	int fds[2];
	fflush(NULL);
	if (pipe(fds))
		die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	close(fds[pid == 0 ? 0 : 1]);
	*fd = fds[pid == 0 ? 1 : 0];
	return pid;
}

/* In the child: sends `size` bytes of report and exits (status 4 when the write fell short). */
static void child_exit(int fd, const void *report, size_t size)
{
	int status = write(fd, report, size) == (ssize_t)size ? 0 : 4;
	close(fd);
	/* exit, not _exit: under ASan the leak check runs here too. cleanup() does nothing
	 * outside the main process; the parent's handles stay untouched. */
	exit(status);
}

/* In the parent: reads the report and reaps the child; true when all of it came and the child
 * exited 0. *status says how the child ended. */
static bool child_report(pid_t pid, int fd, void *report, size_t size, int *status)
{
	ssize_t got = 0, n;
	while (got < (ssize_t)size && (n = read(fd, (char *)report + got, size - (size_t)got)) > 0)
		got += n;
	close(fd);
	*status = 0;
	waitpid(pid, status, 0);
	return got == (ssize_t)size && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

/*
 * iterate_1m runs in a forked child so that its peak RSS is its own: the
 * child opens its own connection (untimed), resets the peak, runs, and sends
 * back time, peak growth and digest. It never touches the parent's handles.
 */
static int run_side_forked(bool corm, workload_id w, const work_args *a, side_out *o)
{
	int fd;
	memset(o, 0, sizeof *o);
	pid_t pid = fork_child(&fd);
	if (pid == 0) {
		side_out r;
		memset(&r, 0, sizeof r);
		corm_db *db = NULL;
		raw_conn *rc_conn = NULL;
		if (corm) {
			if (corm_open(&db, opt.url ? opt.url : db_url)) {
				fprintf(stderr, "corm_bench: child: corm_open: %s\n",
				        corm_errmsg(db));
				exit(3);
			}
		} else if (!(rc_conn = drv->open(raw_target))) {
			exit(3);
		}
		reset_peak_rss();
		int64_t before = peak_rss_kb();
		double t0 = bench_now();
		int rc = corm ? corm_workload(db, w, a, &r.d, &r.fp)
		              : drv->workload(rc_conn, w, a, &r.d, &r.fp);
		r.secs = bench_now() - t0;
		r.rss_growth_kb = peak_rss_kb() - before;
		r.ok = rc == 0;
		corm_close(db);
		if (rc_conn)
			drv->close(rc_conn);
		child_exit(fd, &r, sizeof r);
	}
	int status;
	if (!child_report(pid, fd, o, sizeof *o, &status)) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "corm_bench: child killed by signal %d\n",
			        WTERMSIG(status));
		else
			fprintf(stderr, "corm_bench: child exited with status %d\n",
			        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		o->ok = 0;
		return -1;
	}
	return o->ok ? 0 : -1;
}

/* After a write workload: what the database holds now (untimed), then undo it. */
static void settle(workload_id w, side_out *o, const char *side)
{
	if (w == W_INSERT_SINGLE) {
		digest st = {0};
		if (drv->post_stats(rdb, sz.posts + 1, &st))
			die("insert_single: reading back the %s rows failed", side);
		if (st.rows != o->d.rows || st.sum_id != o->d.extra[0]) {
			fprintf(stderr,
			        "MISMATCH workload=insert_single %s: %" PRId64
			        " rows returned pks summing "
			        "to %" PRId64 ", the table has %" PRId64
			        " new rows with ids summing to "
			        "%" PRId64 "\n",
			        side, o->d.rows, o->d.extra[0], st.rows, st.sum_id);
			/* results[w] is what the workload's process reports back */
			results[w].mismatch = any_mismatch = true;
		}
		/* ids differ between runs (AUTOINCREMENT); compare what was stored */
		st.sum_id = 0;
		st.ordered_hash = 0;
		st.extra[0] = o->d.rows;
		o->d = st;
		if (drv->delete_posts_from(rdb, sz.posts + 1))
			die("insert_single: deleting the %s rows failed", side);
	} else if (w == W_UPDATE_F) {
		digest st = {0};
		if (drv->post_stats(rdb, 1, &st))
			die("update_f: reading back after %s failed", side);
		o->d.sum_view = st.sum_view;
		o->d.text_hash = st.text_hash;
		o->d.extra[1] = st.rows;
		if (drv->undo_update(rdb, sz.updates))
			die("update_f: undoing the %s update failed", side);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_plans(workload_id w, sql_capture *cap)
{
	printf("plans %s:\n", workload_names[w]);
	for (int i = 0; i < cap->n; i++) {
		if (strncmp(cap->sql[i], "BEGIN", 5) && strncmp(cap->sql[i], "COMMIT", 6))
			drv->explain(rdb, "corm", cap->sql[i], NULL, 0);
		free(cap->sql[i]);
	}
	for (int i = 0; raw_statement(drv->sql, w, i); i++)
		drv->explain(rdb, "raw", raw_statement(drv->sql, w, i), NULL, 0);
	cap->n = 0;
}

static bool selected(const char *name)
{
	if (!opt.only)
		return true;
	size_t n = strlen(name);
	for (const char *p = opt.only; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

/* The variants a run measures: corm as shipped, the raw side, and corm with its statement cache
 * turned off (for the workloads that run many queries), to show what the cache saves. */
enum { V_CORM, V_RAW, V_NOCACHE, V_COUNT_ };
static const char *const variant_names[V_COUNT_] = {"corm", "raw", "corm (no statement cache)"};
#define CORM_DEFAULT_STMT_CACHE 64 /* corm_open's default (include/corm/db.h) */

static bool many_queries(workload_id w)
{
	return w == W_INSERT_SINGLE || w == W_GET_PK || w == W_FILTER_PAGE || w == W_COUNT_EXISTS;
}

static void compare(workload_id w, const side_out *a, const side_out *b, const char *bname)
{
	result *res = &results[w];
	if (!digest_equal(workload_names[w], &a->d, &b->d, w == W_FILTER_PAGE)) {
		fprintf(stderr, "MISMATCH workload=%s: %s and raw differ (above)\n",
		        workload_names[w], bname);
		res->mismatch = any_mismatch = true;
	}
	if (a->fp.n != b->fp.n) {
		fprintf(stderr, "MISMATCH workload=%s first page: %s %d rows, raw %d rows\n",
		        workload_names[w], bname, a->fp.n, b->fp.n);
		res->mismatch = any_mismatch = true;
	}
	for (int i = 0; i < a->fp.n && i < b->fp.n; i++)
		if (strcmp(a->fp.titles[i], b->fp.titles[i])) {
			fprintf(stderr,
			        "MISMATCH workload=%s first page row %d: %s '%s' raw '%s'\n",
			        workload_names[w], i, bname, a->fp.titles[i], b->fp.titles[i]);
			res->mismatch = any_mismatch = true;
		}
}

static void run_workload(workload_id w, const work_args *a)
{
	double times[V_COUNT_][MAX_REPS];
	if (!selected(workload_names[w]))
		return;
	result *res = &results[w];
	/* --ir: no child (callgrind would count it in a file of its own), no RSS */
	bool forked = w == W_ITERATE_1M && !opt.ir;
	int nv = !opt.side && !forked && many_queries(w) ? 3 : 2;
	int reps = w == W_UPDATE_F ? opt.update_reps : opt.reps;
	side_out out[V_COUNT_];
	for (int run = -opt.warmup; run < reps; run++) {
		/* the first run (the warm-up if any) checks every byte; the others use the light
		 * digest */
		bench_full_check = run == -opt.warmup || opt.quick;
		/* --ir counts the light digest of a timed run, never the full check */
		ir_collect = opt.ir && run >= 0;
		if (ir_collect)
			bench_full_check = false;
		memset(out, 0, sizeof out);
		/* rotate which variant goes first: corm, raw / raw, corm / ... */
		int first = (run + opt.warmup) % nv;
		for (int k = 0; k < nv; k++) {
			int v = (first + k) % nv;
			bool corm = v != V_RAW;
			side_out *o = &out[v];
			if (opt.side && opt.side != (corm ? 1 : 2))
				continue;
			sql_capture cap = {0};
			bool log = opt.verbose && v == V_CORM && run == -opt.warmup && !forked;
			if (log)
				corm_set_query_log(cdb, capture_sql, &cap);
			if (v == V_NOCACHE && corm_set_statement_cache(cdb, 0))
				die("corm_set_statement_cache: %s", corm_errmsg(cdb));
			int rc = forked ? run_side_forked(corm, w, a, o)
			                : run_side_here(corm, w, a, o);
			if (v == V_NOCACHE &&
			    corm_set_statement_cache(cdb, CORM_DEFAULT_STMT_CACHE))
				die("corm_set_statement_cache: %s", corm_errmsg(cdb));
			if (log) {
				corm_set_query_log(cdb, NULL, NULL);
				print_plans(w, &cap);
			}
			if (rc)
				die("%s: the %s side failed (see above)", workload_names[w],
				    variant_names[v]);
			ir_collect = false;
			settle(w, o, variant_names[v]);
		}
		if (!opt.side) {
			compare(w, &out[V_CORM], &out[V_RAW], "corm");
			if (nv > V_NOCACHE)
				compare(w, &out[V_NOCACHE], &out[V_RAW], variant_names[V_NOCACHE]);
		}
		if (opt.verbose) {
			printf("  run %d%s:", run + 1, run < 0 ? " (warm-up)" : "");
			for (int v = 0; v < nv; v++)
				printf(" %s %.6f s;", variant_names[v], out[v].secs);
			printf(" rows %" PRId64 "\n",
			       out[V_RAW].d.rows ? out[V_RAW].d.rows : out[V_CORM].d.rows);
		}
		if (run < 0)
			continue;
		for (int v = 0; v < nv; v++)
			times[v][run] = out[v].secs;
		if (forked) {
			if (out[V_CORM].rss_growth_kb > res->corm_rss_kb)
				res->corm_rss_kb = out[V_CORM].rss_growth_kb;
			if (out[V_RAW].rss_growth_kb > res->raw_rss_kb)
				res->raw_rss_kb = out[V_RAW].rss_growth_kb;
		}
	}
	res->corm_s = median(times[V_CORM], reps);
	res->raw_s = median(times[V_RAW], reps);
	if (nv > V_NOCACHE)
		res->nocache_s = median(times[V_NOCACHE], reps);
	res->measured = true;
	if (opt.ir) {
		/* the instruction count is callgrind's; this line says what ran */
		const side_out *o = &out[opt.side == 1 ? V_CORM : V_RAW];
		printf("ir workload=%s side=%s rows=%" PRId64 " extra=%" PRId64 " secs=%.6f\n",
		       workload_names[w], opt.side == 1 ? "corm" : "raw", o->d.rows, o->d.extra[0],
		       o->secs);
		return;
	}
	printf("workload=%s corm_s=%.6f raw_s=%.6f ratio=%.2f%s\n", workload_names[w], res->corm_s,
	       res->raw_s, res->raw_s > 0 ? res->corm_s / res->raw_s : 0.0,
	       res->mismatch ? " MISMATCH" : "");
	if (nv > V_NOCACHE)
		printf("statement_cache workload=%s corm_s=%.6f corm_no_cache_s=%.6f "
		       "ratio_no_cache=%.2f\n",
		       workload_names[w], res->corm_s, res->nocache_s,
		       res->raw_s > 0 ? res->nocache_s / res->raw_s : 0.0);
	if (forked)
		printf("memory workload=%s corm_peak_rss_growth_kb=%" PRId64
		       " raw_peak_rss_growth_kb=%" PRId64 "\n",
		       workload_names[w], res->corm_rss_kb, res->raw_rss_kb);
	fflush(stdout);
}

/*
 * Each workload runs in a child forked from the freshly seeded parent, with
 * connections of its own: every workload starts from the same process state
 * (heap, allocator thresholds, SQLite page caches), whatever ran before it.
 * The child prints its lines and sends its result back.
 */
static void run_workload_isolated(workload_id w, const work_args *a)
{
	if (!selected(workload_names[w]))
		return;
	if (opt.ir) {
		/* one workload per process already, and callgrind counts this process only: no
		 * child, but fresh connections as a child has */
		corm_db *pc = cdb;
		raw_conn *pr = rdb;
		cdb = NULL;
		if (corm_open(&cdb, opt.url ? opt.url : db_url))
			die("%s: corm_open: %s", workload_names[w], corm_errmsg(cdb));
		if (!(rdb = drv->open(raw_target)))
			die("%s: cannot open the raw connection", workload_names[w]);
		run_workload(w, a);
		corm_close(cdb);
		drv->close(rdb);
		cdb = pc;
		rdb = pr;
		return;
	}
	int fd;
	pid_t pid = fork_child(&fd);
	if (pid == 0) {
		parent_cdb = cdb;
		parent_rdb = rdb;
		cdb = NULL;
		if (corm_open(&cdb, opt.url ? opt.url : db_url))
			die("%s: corm_open: %s", workload_names[w], corm_errmsg(cdb));
		if (!(rdb = drv->open(raw_target)))
			die("%s: cannot open the raw connection", workload_names[w]);
		run_workload(w, a);
		corm_close(cdb);
		drv->close(rdb);
		cdb = parent_cdb;
		rdb = parent_rdb;
		child_exit(fd, &results[w], sizeof results[w]);
	}
	result r;
	int status;
	if (!child_report(pid, fd, &r, sizeof r, &status))
		die("%s: the workload's process failed (status %d)", workload_names[w],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
	results[w] = r;
	if (r.mismatch)
		any_mismatch = true;
}

/* ---- the cost of building and compiling one query shape ---- */

/* One filter+order_by+slice QuerySet; with `compile`, its SQL too (corm_qs_sql). */
static void one_shape(int64_t i, bool compile, const char **sql)
{
	corm_qs *qs = corm_objects(cdb, &Post_model);
	if (!qs)
		die("shape: corm_objects: %s", corm_errmsg(cdb));
	corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", i));
	corm_order_by(qs, "-created_at");
	corm_slice(qs, 0, PAGE_SIZE);
	const corm_value *params = NULL;
	size_t np = 0;
	if (compile && corm_qs_sql(qs, sql, &params, &np))
		die("shape: corm_qs_sql: %s", corm_errmsg(cdb));
	if (compile && (np != 1 || params[0].u.i != i))
		die("shape: unexpected parameters");
	corm_qs_free(qs);
}

/*
 * What a query costs corm before the driver sees it, for one shape:
 * corm_objects + corm_filter + corm_order_by + corm_slice (+ corm_qs_sql),
 * sz.shape_iters times; and what preparing that SQL costs the driver (what
 * the statement cache saves on a hit).
 */
static void shape_cost(void)
{
	if (!selected("shape"))
		return;
	const int64_t n = sz.shape_iters;
	const char *sql = NULL;
	double t0 = bench_now();
	for (int64_t i = 0; i < n; i++)
		one_shape(i, false, NULL);
	double build = bench_now() - t0;
	t0 = bench_now();
	for (int64_t i = 0; i < n; i++)
		one_shape(i, true, &sql);
	double full = bench_now() - t0;
	/* the same SQL again, for the driver's prepare */
	corm_qs *qs = corm_objects(cdb, &Post_model);
	if (!qs)
		die("shape: %s", corm_errmsg(cdb));
	corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", 0));
	corm_order_by(qs, "-created_at");
	corm_slice(qs, 0, PAGE_SIZE);
	if (corm_qs_sql(qs, &sql, NULL, NULL))
		die("shape: %s", corm_errmsg(cdb));
	/* a server round trip per prepare: 10,000 are plenty */
	int64_t np = drv == &raw_sqlite_driver || n < 10000 ? n : 10000;
	double prep = drv->prepare_cost(rdb, sql, np);
	if (prep < 0)
		die("shape: prepare failed");
	printf("shape filter+order_by+slice: build_and_compile_us=%.3f (build_us=%.3f "
	       "compile_us=%.3f) %s_prepare_us=%.3f iterations=%" PRId64 "\n",
	       full / (double)n * 1e6, build / (double)n * 1e6, (full - build) / (double)n * 1e6,
	       drv->vendor, prep / (double)np * 1e6, n);
	if (opt.verbose)
		printf("shape sql: %s\n", sql);
	corm_qs_free(qs);
}

/* ---- report ---- */

static void cpu_model(char *out, size_t len)
{
	snprintf(out, len, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];
	while (f && fgets(line, sizeof line, f)) {
		if (!strncmp(line, "model name", 10)) {
			char *v = strchr(line, ':');
			if (v) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				v[strcspn(v, "\n")] = '\0';
				snprintf(out, len, "%s", v);
			}
			break;
		}
	}
	if (f)
		fclose(f);
}

static void report(double total)
{
	char date[64], cpu[256];
	time_t now = time(NULL);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
	struct utsname u;
	uname(&u);
	cpu_model(cpu, sizeof cpu);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	printf("\n## corm vs hand-written %s\n\n", drv->vendor);
	printf("- date: %s\n", date);
	printf("- machine: %s, %s, %ld CPUs\n", u.machine, cpu, ncpu);
	printf("- backend: %s (%s), database %s\n", drv->vendor, drv->version(rdb),
	       drv == &raw_sqlite_driver ? (opt.url ? opt.url : db_path) : "(server, URL given)");
	printf("- median of %d run%s per side (after %d warm-up; update_f: %d runs), alternating "
	       "which side goes first%s\n",
	       opt.reps, opt.reps == 1 ? "" : "s", opt.warmup, opt.update_reps,
	       sz.posts != 100000 ? "; REDUCED row counts (--quick/--div): not comparable" : "");
	printf("- each workload in its own process forked from the seeded parent; iterate_1m reads "
	       "%" PRId64 " rows from their own table (" T_STREAM ", the columns of " T_POST
	       ") with iterator(chunk_size=%" PRId64 "), each run in a further child for its peak "
	       "RSS\n",
	       sz.stream_rows, sz.chunk_size);
	printf("\n| workload | corm s | raw s | ratio | target ≤ %.2f |\n", TARGET);
	printf("|---|---:|---:|---:|---|\n");
	for (int w = 0; w < W_COUNT_; w++) {
		const result *r = &results[w];
		if (!r->measured)
			continue;
		double ratio = r->raw_s > 0 ? r->corm_s / r->raw_s : 0;
		printf("| %s | %.4f | %.4f | %.2f | %s |\n", workload_names[w], r->corm_s, r->raw_s,
		       ratio,
		       r->mismatch       ? "**results differ**"
		       : ratio <= TARGET ? "yes"
		                         : "no");
	}
	bool any_nocache = false;
	for (int w = 0; w < W_COUNT_; w++)
		any_nocache |= results[w].nocache_s > 0;
	if (any_nocache) {
		printf("\nStatement cache (corm_set_statement_cache; on by default, 64 "
		       "statements):\n\n");
		printf("| workload | corm s (cache on) | corm s (cache off) | ratio on | ratio off "
		       "|\n");
		printf("|---|---:|---:|---:|---:|\n");
		for (int w = 0; w < W_COUNT_; w++) {
			const result *r = &results[w];
			if (!r->measured || r->nocache_s <= 0)
				continue;
			printf("| %s | %.4f | %.4f | %.2f | %.2f |\n", workload_names[w], r->corm_s,
			       r->nocache_s, r->raw_s > 0 ? r->corm_s / r->raw_s : 0,
			       r->raw_s > 0 ? r->nocache_s / r->raw_s : 0);
		}
	}
	const result *it = &results[W_ITERATE_1M];
	if (it->measured)
		printf("\niterate_1m peak RSS growth (worst run, forked child): corm %" PRId64
		       " kB, raw %" PRId64 " kB\n",
		       it->corm_rss_kb, it->raw_rss_kb);
	printf("\ntotal %.1f s\n", total);
}

/* ---- start-up checks ---- */

static void self_check(void)
{
	const struct {
		corm_model *m;
		const char *table;
	} tables[] = {{&Author_model, T_AUTHOR},
	              {&Category_model, T_CATEGORY},
	              {&Post_model, T_POST},
	              {&StreamPost_model, T_STREAM}};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(corm_model_table(tables[i].m), tables[i].table))
			die("the raw SQL names table %s, corm calls it %s", tables[i].table,
			    corm_model_table(tables[i].m));
	/* the raw side's datetime text must be corm's, byte for byte */
	bench_rng rng = {BENCH_SEED};
	for (int i = 0; i < 10000; i++) {
		int64_t us =
		        BENCH_EPOCH_US + (int64_t)(bench_rand(&rng) % UINT64_C(4000000000000000));
		if (i % 3 == 0)
			us -= us % 1000000;
		char a[BENCH_DT_STRLEN], b[CORM_DATETIME_STRLEN];
		bench_format_datetime(us, a);
		corm_datetime_format((corm_datetime){us}, b);
		int64_t back = 0;
		if (strcmp(a, b) || !bench_parse_datetime(a, strlen(a), &back) || back != us)
			die("datetime text differs: raw '%s' corm '%s'", a, b);
	}
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: corm_bench [--quick] [--reps N] [--only W1,W2] [--verbose] [--keep] "
	        "[DATABASE_URL]\n"
	        "  no URL      SQLite in a new folder under /dev/shm, removed at exit\n"
	        "  --quick     1/100 of the rows, 1 run, no warm-up (smoke test)\n"
	        "  --reps N    timed runs per side (default 7; servers 5, update_f 3)\n"
	        "  --warmup N  untimed runs first (default 1, servers 0); the first run checks "
	        "every "
	        "byte\n"
	        "  --only ...  run only these workloads (names as printed, and 'shape')\n"
	        "  --div N     divide every row count by N (for profiling under valgrind)\n"
	        "  --side S    run only the corm or the raw side (profiling; nothing compared)\n"
	        "  --ir        with --side and --only W: one run of W after the warm-up,\n"
	        "              counted by callgrind (bench/bench_ir.sh, make bench-ir)\n"
	        "  --list      print the workload names, one a line, and exit\n"
	        "  --verbose   every run's times, corm's SQL and both query plans\n"
	        "  --keep      keep the database folder\n");
	exit(2);
}

static void parse_args(int argc, char **argv)
{
	opt.reps = 7;
	int warmup = -1;
	bool reps_given = false;
	opt.warmup_given = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			opt.quick = true;
		else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
			opt.verbose = true;
		else if (!strcmp(argv[i], "--keep"))
			opt.keep = true;
		else if (!strcmp(argv[i], "--ir"))
			opt.ir = true;
		else if (!strcmp(argv[i], "--list")) {
			for (int w = 0; w < W_COUNT_; w++)
				printf("%s\n", workload_names[w]);
			exit(0);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			opt.only = argv[++i];
		else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
			warmup = atoi(argv[++i]);
			opt.warmup_given = true;
			if (warmup < 0 || warmup > MAX_REPS)
				usage();
		} else if (!strcmp(argv[i], "--side") && i + 1 < argc) {
			i++;
			opt.side = !strcmp(argv[i], "corm") ? 1 : !strcmp(argv[i], "raw") ? 2 : -1;
			if (opt.side < 0)
				usage();
		} else if (!strcmp(argv[i], "--div") && i + 1 < argc) {
			opt.div = atoi(argv[++i]);
			if (opt.div < 1 || opt.div > 1000)
				usage();
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			opt.reps = atoi(argv[++i]);
			reps_given = true;
			if (opt.reps < 1 || opt.reps > MAX_REPS)
				usage();
		} else if (argv[i][0] == '-')
			usage();
		else if (!opt.url && argv[i][0])
			opt.url = argv[i];
		else if (argv[i][0])
			usage();
	}
	opt.reps_given = reps_given;
	if (opt.quick && !reps_given)
		opt.reps = 1;
	if (opt.ir) {
		/* one side of one workload, one counted run after one warm-up (as a timed run of
		 * `make bench`: warm statement cache and page cache) */
		int known = 0;
		for (int w = 0; w < W_COUNT_; w++)
			known += opt.only && !strcmp(opt.only, workload_names[w]);
		if (!CORM_BENCH_HAVE_CALLGRIND) {
			fprintf(stderr,
			        "corm_bench: --ir: built without valgrind/callgrind.h (Debian "
			        "package valgrind); reconfigure after installing it\n");
			exit(2);
		}
		if (!opt.side || !known) {
			fprintf(stderr,
			        "corm_bench: --ir needs --side corm|raw and --only with one "
			        "workload name (see --list)\n");
			exit(2);
		}
		opt.reps = 1;
		opt.reps_given = true;
		if (warmup < 0)
			warmup = 1;
		opt.warmup_given = true;
	}
	opt.warmup = warmup >= 0 ? warmup : opt.quick ? 0 : 1;
	int div = opt.div ? opt.div : opt.quick ? 100 : 1;
	sz = (bench_sizes){
	        .authors = 100,
	        .categories = 10,
	        .posts = 100000 / div,
	        .inserts = 10000 / div,
	        .gets = 10000 / div,
	        .pages = 1000 / div,
	        .counts = 10000 / div,
	        .updates = 10,
	        .stream_rows = 1000000 / div,
	        .chunk_size = 2000,
	        .shape_iters = 100000 / div,
	};
	if (!selected("iterate_1m"))
		sz.stream_rows = 0; /* not even seeded */
}

/* The URL with its password replaced by "***", for printing. */
static const char *masked(const char *url, char *buf, size_t len)
{
	const char *at = strrchr(url, '@'), *scheme_end = strstr(url, "://");
	const char *colon = scheme_end && at
	                            ? memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3))
	                            : NULL;
	if (!colon)
		snprintf(buf, len, "%s", url);
	else
		snprintf(buf, len, "%.*s:***%s", (int)(colon - url), url, at);
	return buf;
}

/* The vendor of a URL: "sqlite", "postgresql", "mysql", or the scheme itself. */
static const char *url_vendor(const char *url, char *buf, size_t len)
{
	size_t n = strcspn(url, ":");
	snprintf(buf, len, "%.*s", (int)n, url);
	if (!strcmp(buf, "postgres") || !strcmp(buf, "postgresql") || !strcmp(buf, "pgsql"))
		return "postgresql";
	if (!strcmp(buf, "mysql") || !strcmp(buf, "mariadb"))
		return "mysql";
	return buf;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	main_pid = getpid();
	double start = bench_now();

	char scheme[32], shown[512];
	const char *vendor = opt.url ? url_vendor(opt.url, scheme, sizeof scheme) : "sqlite";
	if (!strcmp(vendor, "sqlite")) {
		drv = &raw_sqlite_driver;
	} else if (!strcmp(vendor, "postgresql") || !strcmp(vendor, "mysql")) {
		bool pg = !strcmp(vendor, "postgresql");
#if CORM_BENCH_WITH_POSTGRES
		if (pg)
			drv = &raw_pg_driver;
#endif
#if CORM_BENCH_WITH_MYSQL
		if (!pg)
			drv = &raw_mysql_driver;
#endif
		if (!drv) {
			fprintf(stderr,
			        "corm_bench: this corm was built without %s (%s=OFF): nothing to "
			        "measure\n",
			        pg ? "PostgreSQL" : "MariaDB/MySQL",
			        pg ? "CORM_WITH_POSTGRES" : "CORM_WITH_MYSQL");
			return 2;
		}
	} else {
		fprintf(stderr,
		        "corm_bench: raw driver side not implemented for %s; nothing was measured "
		        "(hand-written sides exist for sqlite, postgresql and mysql)\n",
		        vendor);
		return 2;
	}
	if (drv != &raw_sqlite_driver) {
		raw_target = opt.url;
	} else if (opt.url) {
		/* sqlite:///relative or sqlite:////absolute: the path after "sqlite://" */
		const char *p = opt.url + strlen("sqlite://");
		if (strncmp(opt.url, "sqlite://", 9) || !*p || !strcmp(p, ":memory:"))
			die("give a SQLite file URL (sqlite:////abs/path.db); :memory: cannot be "
			    "shared by two connections");
		snprintf(db_path, sizeof db_path, "%s", p + 1);
		if (access(db_path, F_OK) == 0)
			die("%s exists; the benchmark creates its own database", db_path);
	} else {
		make_db_dir();
	}
	if (drv == &raw_sqlite_driver) {
		raw_target = db_path;
		set_rm_paths();
		const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], on_signal);
	}
	if (drv != &raw_sqlite_driver && !opt.quick) {
		/* a server run costs minutes per workload at 7+1 runs (update_f: 10 UPDATEs of
		 * 80,000 rows each per run): fewer runs, the same rows */
		if (!opt.reps_given)
			opt.reps = 5;
		if (!opt.warmup_given)
			opt.warmup = 0;
	}
	opt.update_reps =
	        drv != &raw_sqlite_driver && !opt.reps_given && opt.reps > 3 ? 3 : opt.reps;
	atexit(cleanup);

	if (corm_registry_new(&reg) || corm_registry_add(reg, &Author_model) ||
	    corm_registry_add(reg, &Category_model) || corm_registry_add(reg, &Post_model) ||
	    corm_registry_add(reg, &StreamPost_model) || corm_registry_ready(reg))
		die("registry: %s", reg ? corm_registry_errmsg(reg) : "out of memory");
	self_check();
	if (corm_open(&cdb, opt.url ? opt.url : db_url))
		die("corm_open: %s", corm_errmsg(cdb));
	if (drv->drop_tables) {
		/* a server database: tables left by an interrupted run go first */
		if (!(rdb = drv->open(raw_target)) || drv->drop_tables(rdb))
			die("cannot open the raw connection or drop old tables");
	}
	if (corm_create_tables(cdb, reg))
		die("corm_create_tables: %s", corm_errmsg(cdb));
	if (!rdb && !(rdb = drv->open(raw_target)))
		die("cannot open the raw connection");

	printf("corm_bench: backend=%s db=%s posts=%" PRId64 " authors=%" PRId64
	       " categories=%" PRId64 " iterate_rows=%" PRId64 " reps=%d warmup=%d\n",
	       drv->vendor, opt.url ? masked(opt.url, shown, sizeof shown) : db_path, sz.posts,
	       sz.authors, sz.categories, sz.stream_rows, opt.reps, opt.warmup);
	double t0 = bench_now();
	if (drv->seed(rdb, &sz))
		die("seeding failed");
	printf("seeded in %.2f s (raw driver, fixed seed)\n", bench_now() - t0);

	/* inputs both sides share */
	post_in *inserts = calloc((size_t)sz.inserts, sizeof *inserts);
	int64_t *get_ids = calloc((size_t)sz.gets, sizeof *get_ids);
	int64_t *windows = calloc((size_t)sz.counts, sizeof *windows);
	if (!inserts || !get_ids || !windows)
		die("out of memory");
	bench_rng rng = {BENCH_SEED ^ UINT64_C(0x1175e27)};
	for (int64_t i = 0; i < sz.inserts; i++)
		bench_gen_post(&rng, &sz, i + 1, sz.inserts, "ins", &inserts[i]);
	for (int64_t i = 0; i < sz.gets; i++)
		get_ids[i] = 1 + (int64_t)(((uint64_t)i * 7919u) % (uint64_t)sz.posts);
	for (int64_t i = 0; i < sz.counts; i++)
		windows[i] = BENCH_EPOCH_US +
		             (int64_t)(bench_rand(&rng) % (uint64_t)(sz.posts * BENCH_SLOT_US));
	work_args args = {
	        .sz = &sz,
	        .inserts = inserts,
	        .get_ids = get_ids,
	        .window_start = windows,
	        .window_len_us = INT64_C(3600000000), /* one hour: about 12 posts */
	};

	/* iterate_1m first; every workload in a child of this (little-allocated) parent */
	malloc_trim(0);
	run_workload_isolated(W_ITERATE_1M, &args);
	for (int w = W_INSERT_SINGLE; w < W_ITERATE_1M; w++)
		run_workload_isolated((workload_id)w, &args);
	shape_cost();

	free(inserts);
	free(get_ids);
	free(windows);
	if (opt.ir)
		return 0;
	report(bench_now() - start);
	if (any_mismatch) {
		fprintf(stderr,
		        "\ncorm_bench: FAILED: corm and the raw driver code returned different "
		        "results (MISMATCH lines above)\n");
		return 1;
	}
	return 0;
}

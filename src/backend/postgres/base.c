/*
 * The PostgreSQL backend's connection and driver: calls on libpq (Django 3.2's
 * backends/postgresql/base.py), and the backend table, which takes the dialect from
 * operations.c, the features from features.c and the DDL from schema.c.
 *
 * Driver
 * ------
 * - corm_open hands every URL part to PQconnectdbParams as a separate keyword
 *   value (expand_dbname = 0), never as a conninfo string. Query options
 *   (?sslmode=require&connect_timeout=3) must be libpq keywords; unknown ones are
 *   CORM_EURL. connect_timeout defaults to 10 seconds.
 * - Every session runs with TimeZone UTC, client_encoding UTF8,
 *   standard_conforming_strings on, DateStyle ISO, IntervalStyle iso_8601,
 *   bytea_output hex and extra_float_digits 3: the column parsers below read
 *   exactly those text forms.
 * - A statement is executed at its first step with PQexecParams (parameters in
 *   text form, types inferred by the server, BYTES sent in binary form so NUL
 *   bytes survive), or with PQexec when it has no parameters (so raw SQL may
 *   hold several statements, as with psycopg2). The whole result is buffered:
 *   other statements may run on the connection while one is being iterated.
 * - Server-side prepared statements: a statement executed a second time (the
 *   statement cache lends the same one out again, with new parameters) is
 *   prepared under a name of its own, "corm_stmt_<n>" (PQprepare, types still
 *   inferred), and executed with PQexecPrepared from then on, so the server
 *   parses and plans it once per connection. Parameterless statements are
 *   prepared only when they are one SELECT/INSERT/UPDATE/DELETE/WITH (no ';'),
 *   never transaction control or raw multi-statement SQL. A finalized
 *   statement's name is queued and DEALLOCATEd in one batch later (at once when
 *   a cursor is also waiting to be closed, else from 32 names on), outside a
 *   failed transaction; closing the connection drops them with the session. A
 *   prepared statement the server no longer has (26000) or whose plan would
 *   change its result type (0A000 "cached plan must not change result
 *   type") is forgotten and, outside a transaction block, run once more
 *   unnamed; inside one the error is returned (the transaction is already
 *   aborted) and the next execution prepares it again. DISCARD ALL,
 *   DEALLOCATE ALL and CLOSE ALL run through corm are noticed (command tags).
 * - Streaming (the stream hook, iterator(chunk_size)): the SELECT runs as a
 *   server-side cursor, "DECLARE corm_cursor_<n> NO SCROLL CURSOR [WITH HOLD]
 *   FOR ..." with the bound parameters, then "FETCH FORWARD chunk_size" per
 *   round trip; only one chunk is held in memory. Inside the caller's
 *   transaction block the cursor is a plain one and ends with the block (as
 *   in Django, committing or rolling back the block that declared it while
 *   iterating makes the next FETCH fail). Outside one, corm opens a block of
 *   its own (BEGIN) around a WITH HOLD cursor: while only the cursor is read,
 *   the server streams it as the raw DECLARE/FETCH loop does; as soon as any
 *   other statement is to run on the connection (a save inside the loop), that
 *   block is committed first, so the statement runs in autocommit as before,
 *   and the held cursor (the server keeps its remaining rows, which is what
 *   Django's WITH HOLD cursors always do) is read on. When the session has an
 *   idle_in_transaction_session_timeout (read at connect), a slow loop must
 *   not leave a block open: the WITH HOLD cursor is declared in autocommit,
 *   exactly as Django does. The cursor is closed
 *   (and corm's block committed) when the last chunk has been read, or at
 *   reset/finalize; a plain cursor only when it certainly still exists (looked
 *   up in pg_cursors when other commands ran since its last FETCH), so that
 *   closing never fails the caller's transaction.
 * - Errors: the server's primary message (PG_DIAG_MESSAGE_PRIMARY) is the
 *   message, and the native code is the SQLSTATE packed the way the server
 *   packs it (MAKE_SQLSTATE in PostgreSQL's src/include/utils/elog.h):
 *
 *       native = Σ ((c[i] - '0') & 0x3F) << (6 * i),  i = 0..4
 *
 *   so "23505" (unique_violation) is 83906754 and each character comes back
 *   as ((native >> (6 * i)) & 0x3F) + '0'. Errors without a SQLSTATE (the
 *   connection was lost, libpq failed) have native 0. Class 23 (integrity)
 *   is CORM_ECONSTRAINT, 40P01 CORM_EDEADLOCK, 55P03 CORM_ELOCKED, class 08
 *   and 57P01..57P03 or a dead connection CORM_ECONNECTION, the rest
 *   CORM_EBACKEND.
 */
#include <errno.h>
#include <limits.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/base/names.h"
#include "backend/base/backends.h"
#include "backend/base/text_value.h"
#include "backend/postgres/internal.h"
#include "model/meta.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/hex.h"

#define US_PER_SEC 1000000LL
#define US_PER_DAY (86400LL * US_PER_SEC)

/* A server-side object to drop when the connection is next usable. */
typedef struct pg_garbage {
	uint64_t id;
	bool cursor; /* CLOSE corm_cursor_<id>, else DEALLOCATE corm_stmt_<id> */
} pg_garbage;

/* Names queued before a DEALLOCATE batch is sent (cursors are closed at the next chance). */
#define GARBAGE_BATCH 32

struct pg_stmt;

typedef struct pg_conn {
	PGconn *pg;
	int64_t changes;  /* rows of the last INSERT/UPDATE/DELETE */
	uint64_t next_id; /* numbers the prepared statements and cursors of the session */
	uint64_t ncmds;   /* commands sent: tells whether anything ran since a cursor's FETCH */
	/* bumped when the server drops every prepared statement (DISCARD ALL, DEALLOCATE
	 * ALL) or every cursor (DISCARD ALL, CLOSE ALL): names of older generations are
	 * gone */
	unsigned stmt_gen, cursor_gen;
	pg_garbage *garbage;
	size_t ngarbage, garbage_cap, ngarbage_cursors;
	struct pg_stmt *stmts; /* live statements: detached when the connection closes */
	/* the statement whose cursor runs in a transaction block corm opened for it */
	struct pg_stmt *owner;
	/* idle_in_transaction_session_timeout is set: corm opens no block of its own */
	bool idle_timeout;
	/* the statement whose next FETCH was sent ahead and is not read yet */
	struct pg_stmt *inflight;
} pg_conn;

typedef struct pg_stmt {
	pg_conn *conn; /* NULL once the connection was closed */
	struct pg_stmt *prev, *next;
	char *sql;
	int nparams, cap;
	char **values; /* owned; NULL = SQL NULL */
	int *lengths, *formats;
	bool started;  /* executed since the last reset */
	PGresult *res; /* the result, or the current chunk of a cursor */
	int row, nrows, ncols;
	uint8_t **bytes; /* decoded bytea of the current row, one slot per column */
	/* server-side prepared statement corm_stmt_<name> (0: none yet) */
	uint64_t name;
	unsigned name_gen;
	unsigned execs; /* executions so far: the second one prepares */
	/* streaming: rows per FETCH (0: buffered), the cursor corm_cursor_<cursor> (0: none) */
	int chunk;
	uint64_t cursor;
	unsigned cursor_gen;
	bool hold, cursor_done;
	uint64_t cursor_cmd; /* conn->ncmds right after its last DECLARE or FETCH */
	PGresult *ahead;     /* the next chunk, fetched while the current one was read */
	uint64_t ahead_cmd;  /* conn->ncmds when that FETCH was sent */
} pg_stmt;

static void quiesce(pg_conn *c);

/* ---- errors ------------------------------------------------------------ */

static int pack_sqlstate(const char *s)
{
	if (!s || strlen(s) != 5)
		return 0;
	int v = 0;
	for (int i = 0; i < 5; i++)
		v += ((s[i] - '0') & 0x3F) << (6 * i);
	return v;
}

/* Copies msg without trailing newlines/spaces (libpq ends its messages with '\n'). */
static void set_message(corm_driver_error *err, const char *msg)
{
	snprintf(err->message, sizeof err->message, "%s", msg && *msg ? msg : "unknown error");
	size_t n = strlen(err->message);
	while (n && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
		err->message[--n] = '\0';
}

static int fail(corm_driver_error *err, int code, const char *msg)
{
	err->code = code;
	err->native = 0;
	set_message(err, msg);
	return code;
}

static int oom(corm_driver_error *err)
{
	return fail(err, CORM_ENOMEM, "out of memory");
}

static int code_for(const char *state)
{
	if (!state)
		return CORM_EBACKEND;
	if (!strncmp(state, "23", 2))
		return CORM_ECONSTRAINT; /* Django's IntegrityError */
	if (!strcmp(state, "40P01"))
		return CORM_EDEADLOCK;
	if (!strcmp(state, "55P03"))
		return CORM_ELOCKED;
	if (!strcmp(state, "57014")) /* query_canceled: statement_timeout */
		return CORM_ETIMEOUT;
	if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
	    !strcmp(state, "57P03"))
		return CORM_ECONNECTION;
	return CORM_EBACKEND;
}

/* Fills err from a failed result (res may be NULL). */
static int result_error(pg_conn *c, const PGresult *res, corm_driver_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg && res && *PQresultErrorMessage(res))
		msg = PQresultErrorMessage(res);
	if (!msg)
		msg = PQerrorMessage(c->pg);
	err->native = pack_sqlstate(state);
	if (PQstatus(c->pg) != CONNECTION_OK)
		err->code = CORM_ECONNECTION;
	else if (!res)
		err->code = CORM_ENOMEM; /* libpq returns no result only when malloc fails */
	else
		err->code = code_for(state);
	set_message(err, msg);
	return err->code;
}

/* ---- connection -------------------------------------------------------- */

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* NOTICE/WARNING (e.g. DROP TABLE IF EXISTS): kept off stderr */
}

static const char SESSION_SQL[] = "SET TimeZone TO 'UTC'; "
                                  "SET client_encoding TO 'UTF8'; "
                                  "SET standard_conforming_strings TO on; "
                                  "SET DateStyle TO 'ISO, MDY'; "
                                  "SET IntervalStyle TO 'iso_8601'; "
                                  "SET bytea_output TO 'hex'; "
                                  "SET extra_float_digits TO 3; "
                                  /* the last result: whether iterators may keep a block open */
                                  "SELECT setting FROM pg_catalog.pg_settings "
                                  "WHERE name = 'idle_in_transaction_session_timeout'";

static bool is_libpq_keyword(const PQconninfoOption *defs, const char *key)
{
	for (const PQconninfoOption *o = defs; o && o->keyword; o++)
		if (!strcmp(o->keyword, key))
			return true;
	return false;
}

static int pg_open(void **out, const corm_url *url, corm_driver_error *err)
{
	size_t nopt = 0;
	if (url->options)
		while (url->options[2 * nopt])
			nopt++;
	size_t cap = nopt + 10;
	const char **keys = corm__calloc(cap, sizeof *keys);
	const char **vals = corm__calloc(cap, sizeof *vals);
	char port[16];
	int rc = CORM_OK;
	if (!keys || !vals) {
		rc = oom(err);
		goto done;
	}
	size_t k = 0;
	/* defaults first: later keywords win in PQconnectdbParams */
	keys[k] = "connect_timeout", vals[k++] = "10";
	keys[k] = "fallback_application_name", vals[k++] = "corm";
	if (nopt) {
		PQconninfoOption *defs = PQconndefaults();
		if (!defs) {
			rc = oom(err);
			goto done;
		}
		for (size_t i = 0; i < nopt; i++) {
			const char *key = url->options[2 * i];
			if (!is_libpq_keyword(defs, key) || !strcmp(key, "client_encoding")) {
				rc = fail(err, CORM_EURL, "");
				snprintf(err->message, sizeof err->message,
				         "malformed database URL: '%.100s' is not a PostgreSQL "
				         "connection option (libpq keywords such as sslmode, "
				         "connect_timeout, application_name)",
				         key);
				break;
			}
			keys[k] = key, vals[k++] = url->options[2 * i + 1];
		}
		PQconninfoFree(defs);
		if (rc)
			goto done;
	}
	keys[k] = "client_encoding", vals[k++] = "UTF8";
	if (url->host && *url->host)
		keys[k] = "host", vals[k++] = url->host;
	if (url->port) {
		snprintf(port, sizeof port, "%d", url->port);
		keys[k] = "port", vals[k++] = port;
	}
	if (url->name && *url->name)
		keys[k] = "dbname", vals[k++] = url->name;
	if (url->user && *url->user)
		keys[k] = "user", vals[k++] = url->user;
	if (url->password && *url->password)
		keys[k] = "password", vals[k++] = url->password;
	keys[k] = NULL, vals[k] = NULL;

	pg_conn *c = corm__calloc(1, sizeof *c);
	if (!c) {
		rc = oom(err);
		goto done;
	}
	c->pg = PQconnectdbParams(keys, vals, 0);
	if (!c->pg) {
		corm__free(c);
		rc = oom(err);
		goto done;
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		rc = fail(err, CORM_ECONNECTION, PQerrorMessage(c->pg));
		PQfinish(c->pg);
		corm__free(c);
		goto done;
	}
	PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
	PGresult *res = PQexec(c->pg, SESSION_SQL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = result_error(c, res, err);
		PQclear(res);
		PQfinish(c->pg);
		corm__free(c);
		goto done;
	}
	c->idle_timeout = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	PQclear(res);
	*out = c;
done:
	corm__free(keys);
	corm__free(vals);
	return rc;
}

static void pg_close(void *conn)
{
	pg_conn *c = conn;
	if (!c)
		return;
	/* statements still lent out finalize later, without their connection */
	for (struct pg_stmt *s = c->stmts; s; s = s->next)
		s->conn = NULL; /* their cursors and corm's own block end with the session */
	/* prepared statements and cursors end with the session */
	PQfinish(c->pg);
	corm__free(c->garbage);
	corm__free(c);
}

static bool pg_is_alive(void *conn)
{
	pg_conn *c = conn;
	if (!c || PQstatus(c->pg) != CONNECTION_OK)
		return false;
	/* an empty query is one round trip and works even in a failed transaction */
	quiesce(c);
	c->ncmds++;
	PGresult *res = PQexec(c->pg, "");
	bool ok = PQresultStatus(res) == PGRES_EMPTY_QUERY;
	PQclear(res);
	return ok && PQstatus(c->pg) == CONNECTION_OK;
}

static int64_t pg_changes(void *conn)
{
	return ((pg_conn *)conn)->changes;
}

/* INSERT ... RETURNING gives the key; there is no connection-wide last id. */
static int64_t pg_last_insert_id(void *conn)
{
	return 0;
}

/* ---- statements -------------------------------------------------------- */

/* prefix + the id in decimal, as snprintf("%s%llu") writes it, without snprintf's cost (one
 * per statement run); cut to size like snprintf. */
static void object_name(char *buf, size_t size, const char *prefix, size_t plen, uint64_t id)
{
	char digits[24], *p = digits + sizeof digits;
	do
		*--p = (char)('0' + id % 10);
	while (id /= 10);
	size_t dlen = (size_t)(digits + sizeof digits - p), n = 0;
	if (!size)
		return;
	for (size_t i = 0; i < plen && n + 1 < size; i++)
		buf[n++] = prefix[i];
	for (size_t i = 0; i < dlen && n + 1 < size; i++)
		buf[n++] = p[i];
	buf[n] = '\0';
}

static void stmt_name(char *buf, size_t size, uint64_t id)
{
	object_name(buf, size, "corm_stmt_", sizeof "corm_stmt_" - 1, id);
}

static void cursor_name(char *buf, size_t size, uint64_t id)
{
	object_name(buf, size, "corm_cursor_", sizeof "corm_cursor_" - 1, id);
}

/* Queues a server-side object for dropping; forgotten (left to the session) when out of memory. */
static void queue_garbage(pg_conn *c, bool cursor, uint64_t id)
{
	if (c->ngarbage == c->garbage_cap) {
		size_t cap = c->garbage_cap ? c->garbage_cap * 2 : 16;
		pg_garbage *g = corm__realloc(c->garbage, cap * sizeof *g);
		if (!g)
			return;
		c->garbage = g;
		c->garbage_cap = cap;
	}
	c->garbage[c->ngarbage++] = (pg_garbage){id, cursor};
	if (cursor)
		c->ngarbage_cursors++;
}

/* Drops the queued names of one kind: the server dropped them itself. */
static void forget_garbage(pg_conn *c, bool cursors)
{
	size_t keep = 0;
	for (size_t i = 0; i < c->ngarbage; i++)
		if (c->garbage[i].cursor != cursors)
			c->garbage[keep++] = c->garbage[i];
	c->ngarbage = keep;
	if (cursors)
		c->ngarbage_cursors = 0;
}

/* Notices commands that drop every prepared statement or cursor of the session. */
static void observe(pg_conn *c, const PGresult *res)
{
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return;
	const char *tag = PQcmdStatus((PGresult *)res);
	bool all = !strcmp(tag, "DISCARD ALL");
	if (all || !strcmp(tag, "DEALLOCATE ALL")) {
		c->stmt_gen++;
		forget_garbage(c, false);
	}
	if (all || !strcmp(tag, "CLOSE CURSOR ALL")) {
		c->cursor_gen++;
		forget_garbage(c, true);
	}
}

/*
 * PQexec, looking at the command tag of every statement of a multi-statement
 * string (PQexec keeps only the last result, which is returned).
 */
static PGresult *run_simple(pg_conn *c, const char *sql)
{
	c->ncmds++;
	if (!PQsendQuery(c->pg, sql))
		return NULL;
	PGresult *last = NULL, *res;
	while ((res = PQgetResult(c->pg)) != NULL) {
		observe(c, res);
		PQclear(last);
		last = res;
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH ||
		    PQstatus(c->pg) == CONNECTION_BAD)
			break;
	}
	return last;
}

/* Runs a command whose outcome does not matter (CLOSE, DEALLOCATE). */
static void run_quiet(pg_conn *c, const char *sql)
{
	c->ncmds++;
	PQclear(PQexec(c->pg, sql));
}

/* Whether the session can run a command now without hurting anything: not in a failed
 * transaction. */
static bool usable(pg_conn *c)
{
	if (!c || PQstatus(c->pg) != CONNECTION_OK)
		return false;
	PGTransactionStatusType ts = PQtransactionStatus(c->pg);
	return ts == PQTRANS_IDLE || ts == PQTRANS_INTRANS;
}

/*
 * Sends the queued DEALLOCATE/CLOSE in one round trip, when there are enough
 * of them or a cursor is waiting. Every queued name exists (names of an older
 * generation were dropped), so the batch cannot fail and abort a transaction.
 */
static void flush_garbage(pg_conn *c)
{
	if (!c->ngarbage || (!c->ngarbage_cursors && c->ngarbage < GARBAGE_BATCH))
		return;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		c->ngarbage = c->ngarbage_cursors = 0;
		return;
	}
	if (!usable(c))
		return;
	size_t size = c->ngarbage * 48 + 1;
	char *sql = corm__alloc(size);
	if (!sql)
		return;
	size_t n = 0;
	for (size_t i = 0; i < c->ngarbage; i++) {
		char name[48];
		if (c->garbage[i].cursor)
			cursor_name(name, sizeof name, c->garbage[i].id);
		else
			stmt_name(name, sizeof name, c->garbage[i].id);
		n += (size_t)snprintf(sql + n, size - n, "%s %s;",
		                      c->garbage[i].cursor ? "CLOSE" : "DEALLOCATE", name);
	}
	run_quiet(c, sql);
	corm__free(sql);
	c->ngarbage = c->ngarbage_cursors = 0;
}

static int pg_prepare(void *conn, const char *sql, size_t len, void **out, corm_driver_error *err)
{
	pg_stmt *s = corm__calloc(1, sizeof *s);
	if (!s)
		return oom(err);
	s->conn = conn;
	s->sql = corm__strndup(sql, len);
	if (!s->sql) {
		corm__free(s);
		return oom(err);
	}
	s->next = s->conn->stmts;
	if (s->next)
		s->next->prev = s;
	s->conn->stmts = s;
	*out = s;
	return CORM_OK;
}

static void free_row_bytes(pg_stmt *s)
{
	if (!s->bytes)
		return;
	for (int i = 0; i < s->ncols; i++) {
		corm__free(s->bytes[i]);
		s->bytes[i] = NULL;
	}
}

static void clear_result(pg_stmt *s)
{
	free_row_bytes(s);
	corm__free(s->bytes);
	s->bytes = NULL;
	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = s->ncols = 0;
}

static void clear_params(pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		corm__free(s->values[i]);
		s->values[i] = NULL;
	}
	s->nparams = 0;
}

/*
 * Reads the FETCH sent ahead (if any) into its statement, so that the
 * connection is free for another command. Called before every command.
 */
static void quiesce(pg_conn *c)
{
	pg_stmt *s = c->inflight;
	if (!s)
		return;
	c->inflight = NULL;
	PGresult *res;
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (!s->ahead)
			s->ahead = res;
		else
			PQclear(res);
	}
}

/*
 * Before a command of another statement: the transaction block corm opened
 * for a cursor is committed, so that command runs as it would have without
 * it (autocommit). The WITH HOLD cursor survives the COMMIT (the server keeps
 * its remaining rows) and is read on outside any transaction, as Django's
 * cursors are.
 */
static void settle(pg_conn *c, const struct pg_stmt *s)
{
	quiesce(c);
	if (!c->owner || c->owner == s)
		return;
	c->owner = NULL;
	if (PQstatus(c->pg) != CONNECTION_OK)
		return;
	if (PQtransactionStatus(c->pg) == PQTRANS_INTRANS)
		run_quiet(c, "COMMIT");
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		run_quiet(c, "ROLLBACK");
}

/* Whether a plain cursor declared inside the current transaction block still exists. */
static bool cursor_exists(pg_conn *c, const char *name)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT 1 FROM pg_catalog.pg_cursors WHERE name = '%s'", name);
	c->ncmds++;
	PGresult *res = PQexec(c->pg, sql);
	bool found = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	PQclear(res);
	return found;
}

/*
 * Closes the statement's cursor, if any, without ever failing a transaction:
 * a WITH HOLD cursor lives until closed (queued while the transaction is
 * failed); a plain one ends with its transaction, and is closed only if
 * nothing ran since its last FETCH or pg_cursors still lists it.
 */
static void close_cursor(pg_stmt *s)
{
	uint64_t id = s->cursor;
	pg_conn *c = s->conn;
	s->cursor = 0;
	if (!id || !c)
		return;
	char name[48], sql[96];
	cursor_name(name, sizeof name, id);
	quiesce(c);
	if (c->owner == s) {
		/* corm's own transaction block: end it (COMMIT, as autocommit would have) */
		c->owner = NULL;
		if (PQstatus(c->pg) != CONNECTION_OK)
			return;
		if (PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
			snprintf(sql, sizeof sql, "CLOSE %s; COMMIT", name);
			run_quiet(c, sql);
		}
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			run_quiet(c, "ROLLBACK");
		return;
	}
	settle(c, s);
	if (PQstatus(c->pg) != CONNECTION_OK || s->cursor_gen != c->cursor_gen)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(c->pg);
	if (s->hold) {
		if (!usable(c)) {
			queue_garbage(c, true, id);
			return;
		}
	} else if (ts != PQTRANS_INTRANS ||
	           (s->cursor_cmd != c->ncmds && !cursor_exists(c, name))) {
		return; /* gone with its transaction (or going with the failed one) */
	}
	snprintf(sql, sizeof sql, "CLOSE %s", name);
	run_quiet(c, sql);
}

static int pg_reset(void *stmt)
{
	pg_stmt *s = stmt;
	if (s->conn && s->conn->inflight == s)
		quiesce(s->conn);
	close_cursor(s);
	PQclear(s->ahead);
	s->ahead = NULL;
	clear_result(s);
	clear_params(s);
	s->started = s->cursor_done = false;
	s->chunk = 0;
	return CORM_OK;
}

static void pg_finalize(void *stmt)
{
	pg_stmt *s = stmt;
	if (!s)
		return;
	pg_reset(s);
	pg_conn *c = s->conn;
	if (c) {
		if (s->name && s->name_gen == c->stmt_gen)
			queue_garbage(c, false, s->name);
		if (s->prev)
			s->prev->next = s->next;
		else
			c->stmts = s->next;
		if (s->next)
			s->next->prev = s->prev;
	}
	corm__free(s->values);
	corm__free(s->lengths);
	corm__free(s->formats);
	corm__free(s->sql);
	corm__free(s);
}

/* Makes room for parameter `index`; parameters skipped over are NULL. */
static bool grow_params(pg_stmt *s, int index)
{
	if (index < s->cap) {
		if (index >= s->nparams)
			s->nparams = index + 1;
		return true;
	}
	int cap = s->cap ? s->cap : 8;
	while (cap <= index)
		cap *= 2;
	char **v = corm__realloc(s->values, (size_t)cap * sizeof *v);
	if (!v)
		return false;
	s->values = v;
	int *l = corm__realloc(s->lengths, (size_t)cap * sizeof *l);
	if (!l)
		return false;
	s->lengths = l;
	int *f = corm__realloc(s->formats, (size_t)cap * sizeof *f);
	if (!f)
		return false;
	s->formats = f;
	for (int i = s->cap; i < cap; i++) {
		s->values[i] = NULL;
		s->lengths[i] = s->formats[i] = 0;
	}
	s->cap = cap;
	s->nparams = index + 1;
	return true;
}

/* Whether a JSON document holds a string (or key) with a NUL byte: jsonb cannot store it. */
static bool json_has_nul(const json_t *j)
{
	if (json_is_string(j))
		return memchr(json_string_value(j), '\0', json_string_length(j)) != NULL;
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++)
			if (json_has_nul(json_array_get(j, i)))
				return true;
		return false;
	}
	if (json_is_object(j)) {
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)j, key, v)
		{
			if (json_has_nul(v))
				return true;
		}
	}
	return false;
}

/*
 * A duration as psycopg2 sends a timedelta: whole days (floor division, so
 * the seconds part is never negative) and seconds with microseconds.
 */
static void format_interval(char *buf, size_t size, int64_t us)
{
	int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	snprintf(buf, size, "%lld days %lld.%06lld seconds", (long long)days,
	         (long long)(rem / US_PER_SEC), (long long)(rem % US_PER_SEC));
}

static void format_float(char *buf, size_t size, double f)
{
	if (f != f)
		snprintf(buf, size, "NaN");
	else if (f > 1.7976931348623157e308)
		snprintf(buf, size, "Infinity");
	else if (f < -1.7976931348623157e308)
		snprintf(buf, size, "-Infinity");
	else
		snprintf(buf, size, "%.17g", f);
}

static const char NUL_TEXT[] = "PostgreSQL text cannot contain NUL (0x00) bytes";

static int pg_bind(void *stmt, int index, const corm_value *v, bool stable, corm_driver_error *err)
{
	(void)stable; /* texts are copied: the statement may run after the caller's value is gone */
	pg_stmt *s = stmt;
	if (index < 0)
		return fail(err, CORM_EINVAL, "negative parameter index");
	if (!grow_params(s, index))
		return oom(err);
	corm__free(s->values[index]);
	s->values[index] = NULL;
	s->lengths[index] = s->formats[index] = 0;
	char tmp[96];
	const char *text = tmp;
	char *owned = NULL; /* corm memory to hand over as is */
	switch (v->type) {
	case CORM_TYPE_NULL:
		return CORM_OK;
	case CORM_TYPE_INT:
		corm_int_format(tmp, v->u.i);
		break;
	case CORM_TYPE_FLOAT:
		format_float(tmp, sizeof tmp, v->u.f);
		break;
	case CORM_TYPE_BOOL:
		text = v->u.b ? "t" : "f";
		break;
	case CORM_TYPE_TEXT:
		text = v->u.text ? v->u.text : "";
		break;
	case CORM_TYPE_BYTES: {
		/* binary format: the bytes go as they are, NULs included */
		size_t len = v->u.bytes.len;
		if (len > 0x7fffffff)
			return fail(err, CORM_EINVAL, "a bytea parameter is limited to 2 GiB");
		owned = corm__alloc(len ? len : 1);
		if (!owned)
			return oom(err);
		if (len)
			memcpy(owned, v->u.bytes.data, len);
		s->values[index] = owned;
		s->lengths[index] = (int)len;
		s->formats[index] = 1;
		return CORM_OK;
	}
	case CORM_TYPE_DECIMAL:
		owned = corm_decimal_to_string(v->u.decimal);
		if (!owned)
			return oom(err);
		break;
	case CORM_TYPE_DATE:
		corm_date_format(v->u.date, tmp);
		break;
	case CORM_TYPE_DATETIME: {
		size_t n = corm_datetime_format(v->u.datetime, tmp);
		memcpy(tmp + n, "+00:00", sizeof "+00:00"); /* UTC, as Django sends it */
		break;
	}
	case CORM_TYPE_TIME:
		corm_time_format(v->u.time, tmp);
		break;
	case CORM_TYPE_DURATION:
		format_interval(tmp, sizeof tmp, v->u.duration.us);
		break;
	case CORM_TYPE_UUID:
		corm_uuid_format(v->u.uuid, tmp);
		break;
	case CORM_TYPE_JSON: {
		if (json_has_nul(v->u.json))
			return fail(err, CORM_ETYPE, NUL_TEXT);
		owned = corm__json_dumps(v->u.json, JSON_ENCODE_ANY | JSON_COMPACT, NULL);
		if (!owned)
			return oom(err);
		break;
	}
	default:
		snprintf(err->message, sizeof err->message, "cannot bind a value of type %d",
		         v->type);
		err->code = CORM_EINVAL;
		return CORM_EINVAL;
	}
	if (!owned) {
		owned = corm__strdup(text);
		if (!owned)
			return oom(err);
	}
	s->values[index] = owned;
	return CORM_OK;
}

/* rows touched by the command that produced res, for INSERT/UPDATE/DELETE/MERGE */
static void note_changes(pg_conn *c, PGresult *res)
{
	const char *status = PQcmdStatus(res);
	if (!strncmp(status, "INSERT", 6) || !strncmp(status, "UPDATE", 6) ||
	    !strncmp(status, "DELETE", 6) || !strncmp(status, "MERGE", 5))
		c->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

/* Whether sql starts with one of the words (case-insensitive), after blanks and '('. */
static bool starts_with_word(const char *sql, const char *const *words)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
		sql++;
	for (; *words; words++) {
		size_t n = strlen(*words);
		if (!strncasecmp(sql, *words, n) &&
		    !((sql[n] >= 'A' && sql[n] <= 'Z') || (sql[n] >= 'a' && sql[n] <= 'z') ||
		      (sql[n] >= '0' && sql[n] <= '9') || sql[n] == '_'))
			return true;
	}
	return false;
}

/*
 * Whether the statement may get a server-side name. With parameters it is one
 * statement already (the extended protocol takes no more); without, only a
 * single query, never transaction control or raw multi-statement SQL.
 */
static bool preparable(const pg_stmt *s)
{
	static const char *const dml[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", NULL};
	if (s->nparams)
		return true;
	return !strchr(s->sql, ';') && starts_with_word(s->sql, dml);
}

static PGresult *exec_unnamed(pg_stmt *s)
{
	pg_conn *c = s->conn;
	if (!s->nparams)
		return run_simple(c, s->sql);
	c->ncmds++;
	return PQexecParams(c->pg, s->sql, s->nparams, NULL, (const char *const *)s->values,
	                    s->lengths, s->formats, 0);
}

/* Whether res is the failure of a named statement the server no longer has or can't run. */
static bool stale_statement(const PGresult *res, const char *name, bool *exists)
{
	if (PQresultStatus(res) != PGRES_FATAL_ERROR)
		return false;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!state || !msg)
		return false;
	if (!strcmp(state, "26000") && strstr(msg, name)) {
		*exists = false; /* prepared statement "corm_stmt_<n>" does not exist */
		return true;
	}
	if (!strcmp(state, "0A000") && strstr(msg, "cached plan must not change result type")) {
		*exists = true;
		return true;
	}
	return false;
}

/*
 * Runs the statement: unnamed the first time, prepared under its own name from
 * the second execution on. The result (NULL when libpq could not send) is the
 * caller's; a failed PQprepare's result is returned as the execution's error.
 */
static PGresult *execute(pg_stmt *s)
{
	pg_conn *c = s->conn;
	char name[48];
	if (s->name && s->name_gen != c->stmt_gen)
		s->name = 0; /* dropped by DISCARD ALL / DEALLOCATE ALL */
	if (!s->name && s->execs > 0 && preparable(s)) {
		uint64_t id = ++c->next_id;
		stmt_name(name, sizeof name, id);
		c->ncmds++;
		PGresult *res = PQprepare(c->pg, name, s->sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res; /* the error running it unnamed would give, e.g. in an aborted
			               transaction or with the connection lost */
		PQclear(res);
		s->name = id;
		s->name_gen = c->stmt_gen;
	}
	s->execs++;
	if (!s->name)
		return exec_unnamed(s);
	stmt_name(name, sizeof name, s->name);
	PGTransactionStatusType before = PQtransactionStatus(c->pg);
	c->ncmds++;
	PGresult *res = PQexecPrepared(c->pg, name, s->nparams, (const char *const *)s->values,
	                               s->lengths, s->formats, 0);
	bool exists;
	if (PQstatus(c->pg) == CONNECTION_OK && stale_statement(res, name, &exists)) {
		/* forgotten: the next execution prepares it again */
		if (exists)
			queue_garbage(c, false, s->name);
		s->name = 0;
		if (before == PQTRANS_IDLE) {
			/* nothing was aborted: run it as the first execution would */
			PQclear(res);
			res = exec_unnamed(s);
		}
	}
	return res;
}

/* Fills err from a failed result and frees it; ends a COPY so the connection stays usable. */
static int failed(pg_conn *c, PGresult *res, corm_driver_error *err)
{
	ExecStatusType st = PQresultStatus(res);
	int rc;
	if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
		rc = fail(err, CORM_ENOTSUP, "COPY and replication commands are not supported");
		if (st == PGRES_COPY_IN)
			PQputCopyEnd(c->pg, "COPY is not supported by corm");
		char *buf;
		if (st == PGRES_COPY_OUT)
			while (PQgetCopyData(c->pg, &buf, 0) > 0)
				PQfreemem(buf);
		PQclear(res);
		while ((res = PQgetResult(c->pg)) != NULL)
			PQclear(res);
	} else {
		rc = result_error(c, res, err);
		PQclear(res);
	}
	return rc;
}

/* Makes res the rows being stepped through (row -1: before the first). */
static int take_result(pg_stmt *s, PGresult *res, corm_driver_error *err)
{
	int ncols = PQnfields(res);
	if (s->bytes && ncols != s->ncols) {
		free_row_bytes(s);
		corm__free(s->bytes);
		s->bytes = NULL;
	} else {
		free_row_bytes(s);
	}
	PQclear(s->res);
	s->res = res;
	s->nrows = PQntuples(res);
	s->ncols = ncols;
	s->row = -1;
	if (s->ncols && !s->bytes) {
		s->bytes = corm__calloc((size_t)s->ncols, sizeof *s->bytes);
		if (!s->bytes) {
			clear_result(s);
			return oom(err);
		}
	}
	return CORM_OK;
}

/*
 * The next chunk of the cursor; the cursor is closed as soon as it is
 * exhausted. After a full chunk the FETCH of the following one is sent at
 * once (PQsendQuery), so that the server produces it while the caller reads
 * this one; any other command on the connection first reads it (quiesce).
 */
static int fetch_chunk(pg_stmt *s, corm_driver_error *err)
{
	pg_conn *c = s->conn;
	char name[48], sql[96];
	cursor_name(name, sizeof name, s->cursor);
	snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", s->chunk, name);
	settle(c, s);
	PGresult *res = s->ahead;
	s->ahead = NULL;
	uint64_t cmd = s->ahead_cmd;
	if (!res) {
		c->ncmds++;
		res = PQexec(c->pg, sql);
		cmd = c->ncmds;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int rc = failed(c, res, err);
		if (c->owner == s) {
			/* corm's own block failed with it */
			c->owner = NULL;
			if (PQstatus(c->pg) == CONNECTION_OK &&
			    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
				run_quiet(c, "ROLLBACK");
		}
		s->cursor = 0; /* gone, or failed: left to the transaction or the session */
		return rc;
	}
	s->cursor_cmd = cmd;
	int rc = take_result(s, res, err);
	if (rc)
		return rc;
	if (s->nrows < s->chunk) {
		s->cursor_done = true;
		close_cursor(s);
	} else if (PQsendQuery(c->pg, sql)) {
		c->ncmds++;
		s->ahead_cmd = c->ncmds;
		c->inflight = s;
	}
	return CORM_OK;
}

/* iterator(): DECLARE the cursor for the statement and its parameters, then the first FETCH. */
static int declare_cursor(pg_stmt *s, corm_driver_error *err)
{
	pg_conn *c = s->conn;
	/*
	 * Outside a transaction block, corm opens one of its own (no rows are kept
	 * on the server while only this cursor reads), with a WITH HOLD cursor so
	 * that the block can be committed as soon as another statement runs. With
	 * idle_in_transaction_session_timeout set, a slow loop could get the
	 * session killed: then the WITH HOLD cursor is declared in autocommit, as
	 * Django does. Inside the caller's block, a plain cursor that ends with it.
	 */
	bool hold = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	bool own = hold && !c->idle_timeout;
	if (own) {
		c->ncmds++;
		PGresult *res = PQexec(c->pg, "BEGIN");
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return failed(c, res, err);
		PQclear(res);
	}
	uint64_t id = ++c->next_id;
	char name[48];
	cursor_name(name, sizeof name, id);
	size_t size = strlen(s->sql) + 128;
	char *sql = corm__alloc(size);
	PGresult *res = NULL;
	if (sql) {
		snprintf(sql, size, "DECLARE %s NO SCROLL CURSOR %sFOR %s", name,
		         hold ? "WITH HOLD " : "", s->sql);
		c->ncmds++;
		res = PQexecParams(c->pg, sql, s->nparams, NULL, (const char *const *)s->values,
		                   s->lengths, s->formats, 0);
		corm__free(sql);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = sql ? failed(c, res, err) : oom(err);
		if (own && PQstatus(c->pg) == CONNECTION_OK &&
		    PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			run_quiet(c, "ROLLBACK");
		return rc;
	}
	PQclear(res);
	s->cursor = id;
	s->cursor_gen = c->cursor_gen;
	s->hold = hold;
	s->cursor_cmd = c->ncmds;
	if (own)
		c->owner = s;
	return fetch_chunk(s, err);
}

/* The first step: runs the statement, or declares its cursor. */
static int start(pg_stmt *s, corm_driver_error *err)
{
	pg_conn *c = s->conn;
	if (!c)
		return fail(err, CORM_ECONNECTION, "the connection is closed");
	settle(c, s);
	flush_garbage(c);
	/* in a failed transaction (or without a connection), the plain run reports the error */
	if (s->chunk && usable(c))
		return declare_cursor(s, err);
	PGresult *res = execute(s);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
	case PGRES_EMPTY_QUERY:
		break;
	default:
		return failed(c, res, err);
	}
	note_changes(c, res);
	return take_result(s, res, err);
}

static int pg_step(void *stmt, corm_driver_error *err)
{
	pg_stmt *s = stmt;
	if (!s->started) {
		int rc = start(s, err);
		if (rc)
			return rc;
		s->started = true;
	}
	free_row_bytes(s);
	if (s->row < s->nrows)
		s->row++;
	if (s->row < s->nrows)
		return CORM_ROW;
	if (!s->cursor || s->cursor_done)
		return CORM_DONE;
	if (!s->conn)
		return fail(err, CORM_ECONNECTION, "the connection is closed");
	int rc = fetch_chunk(s, err);
	if (rc)
		return rc;
	s->row = 0;
	return s->nrows ? CORM_ROW : CORM_DONE;
}

/*
 * iterator(chunk_size): the next execution reads through a cursor, chunk_size
 * rows per FETCH. Only single queries stream; others are buffered as usual.
 */
static int pg_stream(void *stmt, size_t chunk_size, corm_driver_error *err)
{
	static const char *const queries[] = {"SELECT", NULL};
	pg_stmt *s = stmt;
	(void)err;
	if (s->started || !chunk_size || strchr(s->sql, ';') || !starts_with_word(s->sql, queries))
		return CORM_OK;
	s->chunk = chunk_size > INT_MAX ? INT_MAX : (int)chunk_size;
	return CORM_OK;
}

static int pg_column_count(void *stmt)
{
	pg_stmt *s = stmt;
	return s->res ? s->ncols : 0;
}

/* ---- column parsers ---------------------------------------------------- */

/* bytea_output = hex: "\x" then two hex digits a byte. */
static int parse_bytea(pg_stmt *s, int col, const char *text, size_t len, corm_value *out)
{
	if (len < 2 || text[0] != '\\' || text[1] != 'x' || (len - 2) % 2)
		return CORM_EBACKEND;
	size_t n = (len - 2) / 2;
	uint8_t *p = corm__alloc(n ? n : 1);
	if (!p)
		return CORM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi = corm__hex_value(text[2 + 2 * i]), lo = corm__hex_value(text[3 + 2 * i]);
		if (hi < 0 || lo < 0) {
			corm__free(p);
			return CORM_EBACKEND;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	s->bytes[col] = p;
	*out = corm_v_bytes(p, n);
	return CORM_OK;
}

/* Wide enough for days * 86400000000 past int64 before the sum comes back in range. */
typedef __int128 wide;

/* A signed decimal number of microseconds from "[-]digits[.digits]" in `unit` microseconds. */
static bool read_component(const char **pp, int64_t unit, wide *out)
{
	const char *p = *pp;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	int64_t whole = 0, frac = 0, scale = 1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > (INT64_MAX - 9) / 10)
			return false;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		/* only seconds have a fraction: microseconds (PostgreSQL keeps no more) */
		if (unit != US_PER_SEC)
			return false;
		p++;
		for (; *p >= '0' && *p <= '9'; p++)
			if (scale < US_PER_SEC) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
	}
	wide v = (wide)whole * unit + frac * (US_PER_SEC / scale);
	*out = neg ? -v : v;
	*pp = p;
	return true;
}

/*
 * IntervalStyle iso_8601: "P1Y2M3DT4H5M6.000007S", "PT0S", "P-1DT23H59M59.999999S";
 * each part carries its own sign. Years and months count 365 and 30 days,
 * as psycopg2 reads them into a timedelta.
 */
static int parse_interval(const char *text, corm_value *out)
{
	const char *p = text;
	if (*p++ != 'P')
		return CORM_EBACKEND;
	bool in_time = false;
	wide total = 0;
	while (*p) {
		if (*p == 'T' && !in_time) {
			in_time = true;
			p++;
			continue;
		}
		wide v;
		/* find the unit letter after the number first */
		const char *q = p;
		if (*q == '-' || *q == '+')
			q++;
		while ((*q >= '0' && *q <= '9') || *q == '.')
			q++;
		int64_t unit;
		switch (*q) {
		case 'Y':
			unit = in_time ? -1 : 365 * US_PER_DAY;
			break;
		case 'M':
			unit = in_time ? 60 * US_PER_SEC : 30 * US_PER_DAY;
			break;
		case 'W':
			unit = in_time ? -1 : 7 * US_PER_DAY;
			break;
		case 'D':
			unit = in_time ? -1 : US_PER_DAY;
			break;
		case 'H':
			unit = in_time ? 3600 * US_PER_SEC : -1;
			break;
		case 'S':
			unit = in_time ? US_PER_SEC : -1;
			break;
		default:
			unit = -1;
			break;
		}
		if (unit < 0 || !read_component(&p, unit, &v) || p != q)
			return CORM_EBACKEND;
		total += v; /* at most 7 parts of < 2^64 each: no overflow */
		p = q + 1;
	}
	if (total < INT64_MIN || total > INT64_MAX)
		return CORM_EBACKEND;
	*out = corm_v_duration((corm_duration){(int64_t)total});
	return CORM_OK;
}

/*
 * jsonb prints numbers without exponents, so a real such as 1e20 comes back as
 * the integer literal 100000000000000000000, which jansson refuses ("too big
 * integer"). Integer literals beyond int64 are given a ".0" (jansson reads
 * them as reals, which is what they were) and the text is parsed again.
 */
static json_t *load_json(const char *text, size_t len, bool *oom)
{
	json_t *j = corm__json_loadb(text, len, JSON_DECODE_ANY, oom);
	if (j || *oom)
		return j;
	corm_buf b = CORM_BUF_INIT;
	bool changed = false;
	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (c == '"') { /* a string: copied through, escapes included */
			size_t k = i + 1;
			while (k < len && text[k] != '"')
				k += text[k] == '\\' ? 2 : 1;
			k = k < len ? k + 1 : len;
			corm_buf_put(&b, text + i, k - i);
			i = k;
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			corm_buf_putc(&b, c);
			i++;
			continue;
		}
		size_t k = i + (c == '-'), digits = 0;
		while (k < len && text[k] >= '0' && text[k] <= '9')
			k++, digits++;
		bool integral = k >= len || (text[k] != '.' && text[k] != 'e' && text[k] != 'E');
		while (k < len &&
		       ((text[k] >= '0' && text[k] <= '9') || text[k] == '.' || text[k] == 'e' ||
		        text[k] == 'E' || text[k] == '+' || text[k] == '-'))
			k++;
		corm_buf_put(&b, text + i, k - i);
		if (integral && digits >= 19) {
			char tmp[32];
			snprintf(tmp, sizeof tmp, "%.*s", (int)(k - i < 31 ? k - i : 31), text + i);
			errno = 0;
			(void)strtoll(tmp, NULL, 10);
			if (errno == ERANGE || k - i > 20) {
				corm_buf_puts(&b, ".0");
				changed = true;
			}
		}
		i = k;
	}
	if (changed && !b.oom) {
		j = corm__json_loadb(b.ptr, b.len, JSON_DECODE_ANY, oom);
	}
	*oom = *oom || b.oom;
	corm_buf_free(&b);
	return j;
}

/*
 * Digits with an optional '-', what PostgreSQL sends for int2/int4/int8, read
 * without strtoll (and errno) for every cell. false for anything else.
 */
static bool parse_plain_int(const char *text, size_t len, int64_t *out)
{
	const char *p = text, *end = text + len;
	bool negative = p < end && *p == '-';
	p += negative;
	if (p == end || end - p > 18) /* 18 digits cannot overflow; longer ones go to strtoll */
		return false;
	uint64_t v = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = negative ? -(int64_t)v : (int64_t)v;
	return true;
}

static int pg_column_text(void *stmt, int col, const char **text, size_t *len)
{
	pg_stmt *s = stmt;
	if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= s->ncols)
		return CORM_EINVAL;
	if (PQgetisnull(s->res, s->row, col)) {
		*text = NULL;
		return CORM_OK;
	}
	*text = PQgetvalue(s->res, s->row, col);
	*len = (size_t)PQgetlength(s->res, s->row, col);
	return CORM_OK;
}

static int pg_column(void *stmt, int col, corm_type want, corm_value *out)
{
	pg_stmt *s = stmt;
	const char *text;
	size_t len;
	int rc = pg_column_text(stmt, col, &text, &len);
	if (rc || !text) {
		*out = corm_v_null();
		return rc;
	}
	char *end;
	switch (want) {
	case CORM_TYPE_INT: {
		int64_t plain;
		if (parse_plain_int(text, len, &plain)) {
			*out = corm_v_int(plain);
			return CORM_OK;
		}
		if (!strcmp(text, "t") || !strcmp(text, "f")) {
			*out = corm_v_int(text[0] == 't');
			return CORM_OK;
		}
		errno = 0;
		long long i = strtoll(text, &end, 10);
		if (errno || end == text || (*end && *end != '.'))
			return CORM_EBACKEND;
		*out = corm_v_int(i);
		return CORM_OK;
	}
	case CORM_TYPE_FLOAT: {
		double f = strtod(text, &end);
		if (end == text || *end)
			return CORM_EBACKEND;
		*out = corm_v_float(f);
		return CORM_OK;
	}
	case CORM_TYPE_BOOL:
		if (!strcmp(text, "t") || !strcmp(text, "1"))
			*out = corm_v_bool(true);
		else if (!strcmp(text, "f") || !strcmp(text, "0"))
			*out = corm_v_bool(false);
		else
			return CORM_EBACKEND;
		return CORM_OK;
	case CORM_TYPE_BYTES:
		return parse_bytea(s, col, text, len, out);
	case CORM_TYPE_DURATION:
		return parse_interval(text, out);
	case CORM_TYPE_JSON: {
		bool oom;
		json_t *j = load_json(text, len, &oom);
		if (!j)
			return oom ? CORM_ENOMEM : CORM_EBACKEND;
		*out = corm_v_json(j);
		return CORM_OK;
	}
	default: /* text, decimal, date, datetime, time, uuid */
		return corm__value_from_text(want, text, len, out);
	}
}

static int pg_column_int_not_null(void *stmt, int col, int64_t *out)
{
	pg_stmt *s = stmt;
	if (parse_plain_int(PQgetvalue(s->res, s->row, col),
	                    (size_t)PQgetlength(s->res, s->row, col), out))
		return CORM_OK;
	corm_value v; /* a boolean, a numeric, 19 digits: the general reading */
	int rc = pg_column(stmt, col, CORM_TYPE_INT, &v);
	*out = rc ? 0 : v.u.i;
	return rc;
}

PGconn *corm__pg_handle(void *conn)
{
	return ((pg_conn *)conn)->pg;
}

const corm_backend corm__postgres_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "postgresql",
        .features = corm__pg_features,
        .open = pg_open,
        .close = pg_close,
        .prepare = pg_prepare,
        .bind = pg_bind,
        .step = pg_step,
        .column = pg_column,
        .column_text = pg_column_text,
        .column_int_not_null = pg_column_int_not_null,
        .column_count = pg_column_count,
        .reset = pg_reset,
        .finalize = pg_finalize,
        .changes = pg_changes,
        .last_insert_id = pg_last_insert_id,
        .quote_name = corm__pg_quote_name,
        .placeholder = corm__pg_placeholder,
        .lookups = corm__pg_lookups,
        .transforms = corm__pg_transforms,
        .like_escape = CORM__PG_LIKE_ESCAPE,
        .in_json_sql = corm__pg_in_json_sql,
        .random_sql = corm__pg_random_sql,
        .no_limit = NULL,
        .data_type = corm__pg_data_type,
        .cast_type = corm__pg_cast_type,
        .auto_suffix = NULL,
        .check_sql = corm__pg_check_sql,
        .deferrable_sql = corm__pg_deferrable_sql,
        .transaction = CORM_TRANSACTION_SQL_STANDARD,
        .is_alive = pg_is_alive,
        .stream = pg_stream,
        .quote_value = NULL, /* standard_conforming_strings is on (SESSION_SQL): '' for a quote */
        .sql_syntax = CORM_SQL_DOLLAR_QUOTES | CORM_SQL_E_STRINGS,
        .statement_timeout_sql = "SET statement_timeout = %d",
        /* ABI 6: schema.c, introspection.c */
        .schema = &corm__pg_schema,
        .introspect_tables = corm__pg_introspect_tables,
        .introspect_table = corm__pg_introspect_table,
        .bytes_literal_start = corm__pg_bytes_literal_start,
        .bytes_literal_end = corm__pg_bytes_literal_end,
};

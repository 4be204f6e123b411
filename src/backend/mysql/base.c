/*
 * The MariaDB/MySQL backend's connection and driver: calls on MariaDB Connector/C
 * (prepared statements, binary protocol; Django 3.2's backends/mysql/base.py, MariaDB
 * flavour), and the backend table, which takes the dialect from operations.c, the
 * features from features.c and the DDL from schema.c.
 *
 * Connections: utf8mb4, CLIENT_FOUND_ROWS (an UPDATE reports the rows it
 * matched, as Django asks for, so save() can tell "no such row" from "no
 * change"), MYSQL_OPT_RECONNECT off (a lost connection is reported as
 * CORM_ECONNECTION, never silently replaced: a transaction must not be
 * half-retried), LOCAL INFILE off, and a fixed session: strict sql_mode,
 * time_zone '+00:00', sql_auto_is_null = 0, READ COMMITTED (Django's default).
 *
 * Results are read unbuffered, row by row; a result still being read when
 * the connection must send something else is buffered first (settle_stream),
 * so several statements may be open on one connection (a QuerySet being
 * iterated while another query runs). Text buffers grow to the longest value
 * seen (refetch_truncated), so TEXT/BLOB values of any size and with NUL
 * bytes come back whole.
 */
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/base/names.h"
#include "backend/base/backends.h"
#include "backend/base/text_value.h"
#include "backend/mysql/internal.h"
#include "model/meta.h"
#include "util/alloc.h"
#include "util/buf.h"

/* ---- library initialisation ------------------------------------------- */

/*
 * mysql_library_init is not thread-safe, and mysql_init calls it lazily: run
 * it exactly once, before the first connection of any thread. corm never calls
 * mysql_library_end: the program may use the connector itself, and what the
 * library keeps (character sets, plugins) stays reachable, so it is not a leak
 * (LeakSanitizer agrees).
 */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc = -1;

static void lib_init(void)
{
	lib_rc = mysql_library_init(0, NULL, NULL);
}

/* ---- handles ---------------------------------------------------------- */

typedef struct my_conn {
	MYSQL *mysql;
	int64_t affected;  /* rows matched by the last INSERT/UPDATE/DELETE */
	int64_t insert_id; /* AUTO_INCREMENT value of the last INSERT */
	bool broken;       /* the server went away: the handle is dead for good */
	/* the statement whose result is being read from the socket: nothing else can be
	 * sent until it is read, so settle_stream() buffers the rest of it first */
	struct my_stmt *streaming;
} my_conn;

/* The storage behind one bound parameter (values are copied: the caller's may go away). */
typedef struct my_param {
	union {
		long long i;
		double f;
		signed char b;
		MYSQL_TIME t;
	} num;
	char *data; /* text, blob, decimal and JSON payloads (corm__alloc) */
	unsigned long len;
	my_bool is_null;
} my_param;

enum col_kind { COL_INT, COL_DOUBLE, COL_TIME, COL_BYTES };

/* The buffer one result column is fetched into. */
typedef struct my_col {
	enum col_kind kind;
	enum enum_field_types ftype;
	bool is_unsigned;
	union {
		long long i;
		double f;
		MYSQL_TIME t;
	} num;
	char *buf; /* COL_BYTES: cap bytes, NUL-terminated after a fetch */
	unsigned long cap, len;
	my_bool is_null, error;
	char scratch[64]; /* text form of a number or a date, when TEXT is asked for */
} my_col;

typedef struct my_stmt {
	my_conn *conn;
	MYSQL_STMT *stmt; /* NULL: the statement runs through the text protocol */
	char *sql;        /* text protocol only */
	size_t sql_len;
	MYSQL_RES *res; /* text protocol result, if any */
	unsigned nparams;
	MYSQL_BIND *pbind;
	my_param *params;
	unsigned ncols;
	MYSQL_BIND *rbind;
	my_col *cols;
	bool executed;
	bool failed; /* the last execution ended in an error: COM_STMT_RESET before reuse */
} my_stmt;

/* ---- errors ----------------------------------------------------------- */

static bool connection_lost(unsigned e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR:    /* 2006 */
	case CR_SERVER_LOST:          /* 2013 */
	case CR_CONNECTION_ERROR:     /* 2002 */
	case CR_CONN_HOST_ERROR:      /* 2003 */
	case CR_UNKNOWN_HOST:         /* 2005 */
	case CR_SERVER_LOST_EXTENDED: /* 2055 */
	case ER_CONNECTION_KILLED:    /* 1927: KILL CONNECTION from another session */
	case ER_SERVER_SHUTDOWN:      /* 1053 */
	case 4031:                    /* disconnected by the server because of inactivity */
		return true;
	default:
		return false;
	}
}

/* MariaDB/MySQL error numbers -> corm codes (Django's IntegrityError/DataError split). */
static int map_errno(unsigned e)
{
	switch (e) {
	case ER_DUP_ENTRY:               /* 1062 unique */
	case ER_DUP_ENTRY_WITH_KEY_NAME: /* 1586 unique */
	case ER_ROW_IS_REFERENCED:       /* 1217 FK, old form */
	case ER_NO_REFERENCED_ROW:       /* 1216 FK, old form */
	case ER_ROW_IS_REFERENCED_2:     /* 1451 delete/update of a referenced row */
	case ER_NO_REFERENCED_ROW_2:     /* 1452 reference to nothing */
	case ER_BAD_NULL_ERROR:          /* 1048 NOT NULL */
	case ER_NO_DEFAULT_FOR_FIELD:    /* 1364 NOT NULL column left out (strict mode) */
	case ER_WARN_NULL_TO_NOTNULL:    /* 1263 NULL into NOT NULL in a multi-row statement */
	case 1690: /* BIGINT UNSIGNED value is out of range: Django's IntegrityError */
	case 3819: /* CHECK constraint is violated (MySQL) */
	case 4025: /* CONSTRAINT ... failed (MariaDB CHECK, JSON_VALID) */
		return CORM_ECONSTRAINT;
	case ER_LOCK_DEADLOCK: /* 1213: this transaction was rolled back */
		return CORM_EDEADLOCK;
	case ER_LOCK_WAIT_TIMEOUT: /* 1205: also MariaDB's NOWAIT */
	case 3572:                 /* MySQL's NOWAIT */
		return CORM_ELOCKED;
	case ER_DATA_TOO_LONG:                   /* 1406 */
	case ER_WARN_DATA_OUT_OF_RANGE:          /* 1264 */
	case WARN_DATA_TRUNCATED:                /* 1265 */
	case ER_TRUNCATED_WRONG_VALUE:           /* 1292 bad date/number text */
	case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: /* 1366 incorrect integer/string value */
		return CORM_ETYPE;
	case CR_OUT_OF_MEMORY: /* 2008 */
		return CORM_ENOMEM;
	case 1969: /* MariaDB: max_statement_time exceeded */
	case 3024: /* MySQL: MAX_EXECUTION_TIME exceeded */
		return CORM_ETIMEOUT;
	default:
		return connection_lost(e) ? CORM_ECONNECTION : CORM_EBACKEND;
	}
}

static int set_err(corm_driver_error *err, my_conn *c, unsigned e, const char *msg)
{
	if (c && connection_lost(e))
		c->broken = true;
	err->native = (int)e;
	err->code = map_errno(e);
	snprintf(err->message, sizeof err->message, "%s",
	         msg && *msg ? msg : "unknown MariaDB error");
	return err->code;
}

static int conn_err(corm_driver_error *err, my_conn *c)
{
	return set_err(err, c, mysql_errno(c->mysql), mysql_error(c->mysql));
}

static int stmt_err(corm_driver_error *err, my_stmt *s)
{
	s->failed = true;
	/* an error packet met while fetching unbuffered rows (INSERT ... RETURNING hitting a
	 * duplicate key) is left on the connection, not on the statement */
	if (!mysql_stmt_errno(s->stmt) && mysql_errno(s->conn->mysql))
		return set_err(err, s->conn, mysql_errno(s->conn->mysql),
		               mysql_error(s->conn->mysql));
	return set_err(err, s->conn, mysql_stmt_errno(s->stmt), mysql_stmt_error(s->stmt));
}

static int oom(corm_driver_error *err)
{
	err->code = CORM_ENOMEM;
	err->native = 0;
	snprintf(err->message, sizeof err->message, "out of memory");
	return CORM_ENOMEM;
}

static int fail(corm_driver_error *err, int code, const char *msg)
{
	err->code = code;
	err->native = 0;
	snprintf(err->message, sizeof err->message, "%s", msg);
	return code;
}

/* ---- connections ------------------------------------------------------ */

/* Session setup: constant text only, never built from user input. */
static const char SESSION_SQL[] =
        /* Strict mode: a value MariaDB would truncate or clip is an error (Django's
         * recommended setting). The list is fixed, so a server default with
         * ANSI_QUOTES or NO_BACKSLASH_ESCAPES cannot change what corm's SQL means. */
        "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
        "NO_ENGINE_SUBSTITUTION', time_zone = '+00:00', sql_auto_is_null = 0";

static const struct {
	const char *name;
	const char *sql;
} ISOLATION[] = {
        {"read committed", "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"},
        {"repeatable read", "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"},
        {"serializable", "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE"},
        {"read uncommitted", "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"},
};

static int my_open(void **out, const corm_url *url, corm_driver_error *err)
{
	*out = NULL;
	pthread_once(&lib_once, lib_init);
	if (lib_rc != 0)
		return fail(err, CORM_ECONNECTION, "MariaDB client library failed to initialise");

	/* URL options (?connect_timeout=5&isolation_level=repeatable%20read) */
	unsigned int timeout = 10;
	const char *isolation_sql = ISOLATION[0].sql; /* Django 3.2's default */
	if (url->options)
		for (char **p = url->options; p[0] && p[1]; p += 2) {
			if (strcmp(p[0], "connect_timeout") == 0) {
				char *end;
				errno = 0;
				unsigned long v = strtoul(p[1], &end, 10);
				if (!*p[1] || *end || errno || v == 0 || v > 3600)
					return fail(
					        err, CORM_EURL,
					        "malformed database URL: connect_timeout must be "
					        "a number of seconds from 1 to 3600");
				timeout = (unsigned int)v;
			} else if (strcmp(p[0], "isolation_level") == 0) {
				isolation_sql = NULL;
				for (size_t i = 0; i < sizeof ISOLATION / sizeof ISOLATION[0]; i++)
					if (strcasecmp(p[1], ISOLATION[i].name) == 0)
						isolation_sql = ISOLATION[i].sql;
				if (!isolation_sql)
					return fail(
					        err, CORM_EURL,
					        "malformed database URL: isolation_level must be "
					        "one of 'read committed', 'read uncommitted', "
					        "'repeatable read', 'serializable'");
			} else {
				char msg[200];
				snprintf(msg, sizeof msg,
				         "malformed database URL: unknown mysql option '%.80s' "
				         "(known: connect_timeout, isolation_level)",
				         p[0]);
				return fail(err, CORM_EURL, msg);
			}
		}

	my_conn *c = corm__calloc(1, sizeof *c);
	if (!c)
		return oom(err);
	c->mysql = mysql_init(NULL);
	if (!c->mysql) {
		corm__free(c);
		return oom(err);
	}
	my_bool off = 0;
	unsigned int no_infile = 0;
	if (mysql_options(c->mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) ||
	    mysql_options(c->mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    mysql_options(c->mysql, MYSQL_OPT_RECONNECT, &off) ||
	    mysql_options(c->mysql, MYSQL_OPT_LOCAL_INFILE, &no_infile)) {
		mysql_close(c->mysql);
		corm__free(c);
		return fail(err, CORM_ECONNECTION, "cannot set MariaDB connection options");
	}
	/* a host starting with '/' is a Unix socket path, as in Django's HOST setting */
	const char *host = url->host && *url->host ? url->host : NULL;
	const char *unix_socket = NULL;
	if (host && host[0] == '/') {
		unix_socket = host;
		host = "localhost";
	}
	if (!mysql_real_connect(c->mysql, host, url->user, url->password,
	                        url->name && *url->name ? url->name : NULL,
	                        url->port > 0 ? (unsigned int)url->port : 0, unix_socket,
	                        CLIENT_FOUND_ROWS)) {
		unsigned e = mysql_errno(c->mysql);
		set_err(err, c, e, mysql_error(c->mysql));
		if (err->code != CORM_ENOMEM)
			err->code = CORM_ECONNECTION; /* refused, unknown host, access denied, no
			                                 database */
		mysql_close(c->mysql);
		corm__free(c);
		return err->code;
	}
	if (mysql_real_query(c->mysql, SESSION_SQL, sizeof SESSION_SQL - 1) ||
	    mysql_real_query(c->mysql, isolation_sql, strlen(isolation_sql))) {
		conn_err(err, c);
		mysql_close(c->mysql);
		corm__free(c);
		return err->code;
	}
	*out = c;
	return CORM_OK;
}

static void my_close(void *conn)
{
	my_conn *c = conn;
	if (!c)
		return;
	mysql_close(c->mysql);
	corm__free(c);
}

/*
 * Results are fetched from the socket row by row, as a hand-written
 * mysql_stmt_fetch loop does: 1M rows through iterator() take the memory of
 * one. While a result is being read the connection can send nothing else, so
 * before anything is sent (a save inside the loop, another query, a
 * statement closed) the rows not read yet of the result in progress (other
 * than `except`'s) are buffered here; Connector/C then goes on fetching them
 * from that buffer. That buffering is what every result got before, and what
 * Django's MySQL backend does.
 */
static void settle_stream(my_conn *c, const my_stmt *except)
{
	my_stmt *st = c->streaming;
	if (!st || st == except)
		return;
	c->streaming = NULL;
	if (mysql_stmt_store_result(st->stmt))
		st->failed = true; /* its next fetch reports the error */
}

/*
 * Whether the connection can still be used, without a round trip (no
 * mysql_ping, and never a reconnect). An idle connection has nothing to read:
 * if its socket is readable, the server has closed it or sent the error it
 * sends before closing (KILL, wait_timeout, shutdown).
 */
static bool my_is_alive(void *conn)
{
	my_conn *c = conn;
	if (!c || c->broken)
		return false;
	settle_stream(c, NULL); /* rows still coming would look like the server talking */
	int fd = (int)mysql_get_socket(c->mysql);
	if (fd < 0)
		return false;
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
	int r;
	do
		r = poll(&p, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return true;
	c->broken = true;
	return false;
}

static int64_t my_changes(void *conn)
{
	return ((my_conn *)conn)->affected;
}

static int64_t my_last_insert_id(void *conn)
{
	return ((my_conn *)conn)->insert_id;
}

/* ---- statements ------------------------------------------------------- */

/* Transaction control has no parameters and no result: one round trip through the text protocol. */
static bool is_transaction_control(const char *sql, size_t len)
{
	static const char *const verbs[] = {"START TRANSACTION", "BEGIN",     "COMMIT",
	                                    "ROLLBACK",          "SAVEPOINT", "RELEASE SAVEPOINT"};
	while (len && (*sql == ' ' || *sql == '\n' || *sql == '\t')) {
		sql++;
		len--;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		size_t n = strlen(verbs[i]);
		if (len >= n && strncasecmp(sql, verbs[i], n) == 0 &&
		    (len == n || sql[n] == ' ' || sql[n] == ';'))
			return true;
	}
	return false;
}

/* Tolerates a half-built result (cols or rbind NULL after a failed allocation). */
static void free_result_buffers(my_stmt *s)
{
	for (unsigned i = 0; s->cols && i < s->ncols; i++)
		corm__free(s->cols[i].buf);
	corm__free(s->cols);
	corm__free(s->rbind);
	s->cols = NULL;
	s->rbind = NULL;
	s->ncols = 0;
	if (s->res) {
		mysql_free_result(s->res);
		s->res = NULL;
	}
	if (s->stmt)
		mysql_stmt_free_result(s->stmt);
}

/* Tolerates a half-built statement (params or pbind NULL after a failed allocation). */
static void clear_params(my_stmt *s)
{
	if (!s->params || !s->pbind)
		return;
	for (unsigned i = 0; i < s->nparams; i++) {
		corm__free(s->params[i].data);
		memset(&s->params[i], 0, sizeof s->params[i]);
		s->params[i].is_null = 1;
		memset(&s->pbind[i], 0, sizeof s->pbind[i]);
		s->pbind[i].buffer_type = MYSQL_TYPE_NULL;
		s->pbind[i].is_null = &s->params[i].is_null;
	}
}

static void my_finalize(void *stmt)
{
	my_stmt *s = stmt;
	if (!s)
		return;
	if (s->conn && s->conn->streaming == s)
		s->conn->streaming = NULL; /* closing it reads and drops its remaining rows */
	else if (s->conn && s->stmt)
		settle_stream(s->conn, s); /* COM_STMT_CLOSE must not cut into another's rows */
	free_result_buffers(s);
	clear_params(s);
	corm__free(s->params);
	corm__free(s->pbind);
	if (s->stmt)
		mysql_stmt_close(s->stmt);
	corm__free(s->sql);
	corm__free(s);
}

static int my_prepare(void *conn, const char *sql, size_t len, void **out, corm_driver_error *err)
{
	my_conn *c = conn;
	*out = NULL;
	if (c->broken)
		return set_err(err, c, CR_SERVER_GONE_ERROR,
		               "the connection to the MariaDB server was lost");
	settle_stream(c, NULL);
	my_stmt *s = corm__calloc(1, sizeof *s);
	if (!s)
		return oom(err);
	s->conn = c;
	if (!is_transaction_control(sql, len)) {
		s->stmt = mysql_stmt_init(c->mysql);
		if (!s->stmt) {
			corm__free(s);
			return oom(err);
		}
		if (mysql_stmt_prepare(s->stmt, sql, (unsigned long)len)) {
			unsigned e = mysql_stmt_errno(s->stmt);
			if (e != ER_UNSUPPORTED_PS) {
				stmt_err(err, s);
				my_finalize(s);
				return err->code;
			}
			/* not preparable: run it as text (it can then take no parameters) */
			mysql_stmt_close(s->stmt);
			s->stmt = NULL;
		}
	}
	if (!s->stmt) {
		s->sql = corm__strndup(sql, len);
		s->sql_len = len;
		if (!s->sql) {
			my_finalize(s);
			return oom(err);
		}
	} else {
		s->nparams = (unsigned)mysql_stmt_param_count(s->stmt);
		if (s->nparams) {
			s->params = corm__calloc(s->nparams, sizeof *s->params);
			s->pbind = corm__calloc(s->nparams, sizeof *s->pbind);
			if (!s->params || !s->pbind) {
				my_finalize(s);
				return oom(err);
			}
			clear_params(s);
		}
	}
	*out = s;
	return CORM_OK;
}

static void to_mysql_time(MYSQL_TIME *t, const corm_value *v)
{
	memset(t, 0, sizeof *t);
	int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0;
	switch (v->type) {
	case CORM_TYPE_DATE:
		corm_date_to_ymd(v->u.date, &y, &mo, &d);
		t->time_type = MYSQL_TIMESTAMP_DATE;
		break;
	case CORM_TYPE_DATETIME:
		corm_datetime_to_parts(v->u.datetime, &y, &mo, &d, &h, &mi, &sec, &us);
		t->time_type = MYSQL_TIMESTAMP_DATETIME;
		break;
	default: { /* TIME */
		int64_t x = v->u.time.us;
		us = (int)(x % 1000000);
		x /= 1000000;
		sec = (int)(x % 60);
		x /= 60;
		mi = (int)(x % 60);
		h = (int)(x / 60);
		t->time_type = MYSQL_TIMESTAMP_TIME;
		break;
	}
	}
	t->year = (unsigned)y;
	t->month = (unsigned)mo;
	t->day = (unsigned)d;
	t->hour = (unsigned)h;
	t->minute = (unsigned)mi;
	t->second = (unsigned)sec;
	t->second_part = (unsigned long)us;
}

/* Copies `len` bytes as the parameter's payload. */
static bool set_data(my_param *p, const void *data, size_t len)
{
	p->data = corm__alloc(len + 1);
	if (!p->data)
		return false;
	if (len)
		memcpy(p->data, data, len);
	p->data[len] = '\0';
	p->len = (unsigned long)len;
	return true;
}

static int my_bind(void *stmt, int index, const corm_value *v, bool stable, corm_driver_error *err)
{
	(void)stable; /* parameters are copied into the statement's own buffers */
	my_stmt *s = stmt;
	if (index < 0 || (unsigned)index >= s->nparams) {
		char msg[128];
		snprintf(msg, sizeof msg, "parameter %d is out of range: the statement takes %u",
		         index + 1, s->nparams);
		return fail(err, CORM_EINVAL, msg);
	}
	my_param *p = &s->params[index];
	MYSQL_BIND *b = &s->pbind[index];
	corm__free(p->data);
	memset(p, 0, sizeof *p);
	memset(b, 0, sizeof *b);
	b->is_null = &p->is_null;
	b->length = &p->len;
	char tmp[CORM_UUID_STRLEN];
	switch (v->type) {
	case CORM_TYPE_NULL:
		p->is_null = 1;
		b->buffer_type = MYSQL_TYPE_NULL;
		return CORM_OK;
	case CORM_TYPE_INT:
		p->num.i = v->u.i;
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &p->num.i;
		return CORM_OK;
	case CORM_TYPE_DURATION: /* bigint microseconds, as Django's DurationField */
		p->num.i = v->u.duration.us;
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &p->num.i;
		return CORM_OK;
	case CORM_TYPE_FLOAT:
		p->num.f = v->u.f;
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &p->num.f;
		return CORM_OK;
	case CORM_TYPE_BOOL:
		p->num.b = v->u.b ? 1 : 0;
		b->buffer_type = MYSQL_TYPE_TINY;
		b->buffer = &p->num.b;
		return CORM_OK;
	case CORM_TYPE_DATE:
		to_mysql_time(&p->num.t, v);
		b->buffer_type = MYSQL_TYPE_DATE;
		b->buffer = &p->num.t;
		return CORM_OK;
	case CORM_TYPE_DATETIME:
		to_mysql_time(&p->num.t, v);
		b->buffer_type = MYSQL_TYPE_DATETIME;
		b->buffer = &p->num.t;
		return CORM_OK;
	case CORM_TYPE_TIME:
		to_mysql_time(&p->num.t, v);
		b->buffer_type = MYSQL_TYPE_TIME;
		b->buffer = &p->num.t;
		return CORM_OK;
	case CORM_TYPE_TEXT:
		if (!set_data(p, v->u.text, strlen(v->u.text)))
			return oom(err);
		b->buffer_type = MYSQL_TYPE_STRING;
		break;
	case CORM_TYPE_BYTES:
		if (!set_data(p, v->u.bytes.data, v->u.bytes.data ? v->u.bytes.len : 0))
			return oom(err);
		b->buffer_type = MYSQL_TYPE_BLOB;
		break;
	case CORM_TYPE_UUID: { /* char(32) hex, as Django stores UUIDField */
		size_t n = corm_uuid_hex(v->u.uuid, tmp);
		if (!set_data(p, tmp, n))
			return oom(err);
		b->buffer_type = MYSQL_TYPE_STRING;
		break;
	}
	case CORM_TYPE_DECIMAL: { /* exact text, sent as a DECIMAL (not a double) */
		char *text = corm_decimal_to_string(v->u.decimal);
		if (!text)
			return oom(err);
		bool ok = set_data(p, text, strlen(text));
		corm__free(text);
		if (!ok)
			return oom(err);
		b->buffer_type = MYSQL_TYPE_NEWDECIMAL;
		break;
	}
	case CORM_TYPE_JSON: {
		size_t n;
		p->data = corm__json_dumps(v->u.json, JSON_ENCODE_ANY | JSON_COMPACT, &n);
		if (!p->data)
			return oom(err);
		p->len = (unsigned long)n;
		b->buffer_type = MYSQL_TYPE_STRING;
		break;
	}
	default: {
		char msg[64];
		snprintf(msg, sizeof msg, "cannot bind a value of type %d", (int)v->type);
		return fail(err, CORM_EINVAL, msg);
	}
	}
	b->buffer = p->data;
	b->buffer_length = p->len;
	return CORM_OK;
}

/* Chooses the fetch buffer of each result column from its metadata. */
static bool setup_result(my_stmt *s, MYSQL_FIELD *fields, unsigned n)
{
	s->ncols = n;
	s->cols = corm__calloc(n, sizeof *s->cols);
	s->rbind = corm__calloc(n, sizeof *s->rbind);
	if (!s->cols || !s->rbind)
		return false;
	for (unsigned i = 0; i < n; i++) {
		my_col *c = &s->cols[i];
		MYSQL_BIND *b = &s->rbind[i];
		c->ftype = fields[i].type;
		c->is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
		b->is_null = &c->is_null;
		b->error = &c->error;
		b->length = &c->len;
		switch (fields[i].type) {
		case MYSQL_TYPE_TINY:
		case MYSQL_TYPE_SHORT:
		case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONG:
		case MYSQL_TYPE_LONGLONG:
		case MYSQL_TYPE_YEAR:
			c->kind = COL_INT;
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &c->num.i;
			b->is_unsigned = c->is_unsigned;
			break;
		case MYSQL_TYPE_FLOAT:
		case MYSQL_TYPE_DOUBLE:
			c->kind = COL_DOUBLE;
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &c->num.f;
			break;
		case MYSQL_TYPE_DATE:
		case MYSQL_TYPE_DATETIME:
		case MYSQL_TYPE_TIMESTAMP:
		case MYSQL_TYPE_TIME:
			c->kind = COL_TIME;
			b->buffer_type = fields[i].type;
			b->buffer = &c->num.t;
			break;
		default: /* strings, blobs, JSON, DECIMAL (exact text), BIT, ... */
			c->kind = COL_BYTES;
			/* the longest value in the buffered result, + 1 for a terminating NUL; a
			 * streamed result has no maximum yet: a longer value grows the buffer
			 * (refetch_truncated) */
			c->cap = (fields[i].max_length ? fields[i].max_length : 255) + 1;
			c->buf = corm__alloc(c->cap);
			if (!c->buf)
				return false;
			b->buffer_type = MYSQL_TYPE_BLOB;
			b->buffer = c->buf;
			b->buffer_length = c->cap - 1;
			break;
		}
	}
	return true;
}

/* A column longer than its buffer (the maximum was not known): grow it and fetch it again. */
static int refetch_truncated(my_stmt *s, corm_driver_error *err)
{
	bool rebind = false;
	for (unsigned i = 0; i < s->ncols; i++) {
		my_col *c = &s->cols[i];
		if (!c->error || c->kind != COL_BYTES)
			continue;
		char *nb = corm__realloc(c->buf, (size_t)c->len + 1);
		if (!nb)
			return oom(err);
		c->buf = nb;
		c->cap = c->len + 1;
		s->rbind[i].buffer = c->buf;
		s->rbind[i].buffer_length = c->len;
		if (mysql_stmt_fetch_column(s->stmt, &s->rbind[i], i, 0))
			return stmt_err(err, s);
		c->error = 0;
		rebind = true;
	}
	if (rebind && mysql_stmt_bind_result(s->stmt, s->rbind))
		return stmt_err(err, s);
	return CORM_OK;
}

static void terminate_texts(my_stmt *s)
{
	for (unsigned i = 0; i < s->ncols; i++) {
		my_col *c = &s->cols[i];
		if (c->kind == COL_BYTES && !c->is_null && c->buf)
			c->buf[c->len < c->cap ? c->len : c->cap - 1] = '\0';
	}
}

/* The text protocol: transaction control, and statements the server cannot prepare. */
static int step_text(my_stmt *s, corm_driver_error *err)
{
	MYSQL *m = s->conn->mysql;
	if (!s->executed) {
		if (s->nparams)
			return fail(err, CORM_EINVAL, "this statement cannot take parameters");
		settle_stream(s->conn, NULL);
		if (mysql_real_query(m, s->sql, (unsigned long)s->sql_len))
			return conn_err(err, s->conn);
		s->executed = true;
		if (mysql_field_count(m) == 0) {
			s->conn->affected = (int64_t)mysql_affected_rows(m);
			if (mysql_insert_id(m))
				s->conn->insert_id = (int64_t)mysql_insert_id(m);
			return CORM_DONE;
		}
		s->res = mysql_store_result(m);
		if (!s->res)
			return conn_err(err, s->conn);
		unsigned n = mysql_num_fields(s->res);
		s->cols = corm__calloc(n, sizeof *s->cols);
		if (!s->cols)
			return oom(err);
		s->ncols = n;
		for (unsigned i = 0; i < n; i++)
			s->cols[i].kind = COL_BYTES;
	}
	if (!s->res)
		return CORM_DONE;
	MYSQL_ROW row = mysql_fetch_row(s->res);
	if (!row)
		return CORM_DONE;
	unsigned long *lens = mysql_fetch_lengths(s->res);
	for (unsigned i = 0; i < s->ncols; i++) {
		my_col *c = &s->cols[i];
		c->is_null = row[i] == NULL;
		if (c->is_null)
			continue;
		if (c->cap < lens[i] + 1) {
			char *nb = corm__realloc(c->buf, lens[i] + 1);
			if (!nb)
				return oom(err);
			c->buf = nb;
			c->cap = lens[i] + 1;
		}
		memcpy(c->buf, row[i], lens[i]);
		c->len = lens[i];
		c->buf[c->len] = '\0';
	}
	return CORM_ROW;
}

static int my_step(void *stmt, corm_driver_error *err)
{
	my_stmt *s = stmt;
	if (s->conn->broken)
		return set_err(err, s->conn, CR_SERVER_GONE_ERROR,
		               "the connection to the MariaDB server was lost");
	if (!s->stmt)
		return step_text(s, err);
	if (!s->executed) {
		if (s->nparams && mysql_stmt_bind_param(s->stmt, s->pbind))
			return stmt_err(err, s);
		settle_stream(s->conn, NULL);
		if (mysql_stmt_execute(s->stmt))
			return stmt_err(err, s);
		s->executed = true;
		unsigned n = mysql_stmt_field_count(s->stmt);
		if (n == 0) {
			s->conn->affected = (int64_t)mysql_stmt_affected_rows(s->stmt);
			if (mysql_stmt_insert_id(s->stmt))
				s->conn->insert_id = (int64_t)mysql_stmt_insert_id(s->stmt);
			return CORM_DONE;
		}
		/* the rows are read from the socket as they are fetched (see settle_stream) */
		s->conn->streaming = s;
		MYSQL_RES *meta = mysql_stmt_result_metadata(s->stmt);
		if (!meta)
			return stmt_err(err, s);
		bool ok = setup_result(s, mysql_fetch_fields(meta), n);
		mysql_free_result(meta);
		if (!ok) { /* no half-built result left; the reset settles the rows sent */
			free_result_buffers(s);
			s->failed = true;
			return oom(err);
		}
		if (mysql_stmt_bind_result(s->stmt, s->rbind))
			return stmt_err(err, s);
	}
	if (!s->rbind)
		return CORM_DONE;
	int rc = mysql_stmt_fetch(s->stmt);
	if (rc == MYSQL_NO_DATA) {
		if (s->conn->streaming == s)
			s->conn->streaming = NULL;
		return CORM_DONE;
	}
	if (rc == MYSQL_DATA_TRUNCATED) {
		rc = refetch_truncated(s, err);
		if (rc)
			return rc;
	} else if (rc != 0) {
		return stmt_err(err, s);
	}
	terminate_texts(s);
	return CORM_ROW;
}

static int my_reset(void *stmt)
{
	my_stmt *s = stmt;
	/* the buffered result is dropped locally; mysql_stmt_execute re-runs a prepared
	 * statement without a COM_STMT_RESET round trip */
	free_result_buffers(s);
	clear_params(s);
	/*
	 * An error inside a result (INSERT ... RETURNING hitting a duplicate key)
	 * leaves the statement mid-protocol on the client: without a reset its next
	 * execution waits for an answer the server never sends.
	 */
	if (s->conn->streaming == s) /* left half-read: free_result_buffers dropped the rest */
		s->conn->streaming = NULL;
	if (s->failed && s->stmt) {
		settle_stream(s->conn, s);
		mysql_stmt_reset(s->stmt);
	}
	s->failed = false;
	s->executed = false;
	return CORM_OK;
}

static int my_column_count(void *stmt)
{
	return (int)((my_stmt *)stmt)->ncols;
}

/* ---- reading columns -------------------------------------------------- */

static int parse_int(const char *text, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (!*text || *end || errno)
		return CORM_EBACKEND;
	*out = v;
	return CORM_OK;
}

static int from_text(my_col *c, corm_type want, corm_value *out)
{
	const char *text = c->buf ? c->buf : "";
	size_t len = c->len;
	int64_t i;
	switch (want) {
	case CORM_TYPE_BYTES:
		*out = corm_v_bytes(text, len);
		return CORM_OK;
	case CORM_TYPE_INT:
		if (parse_int(text, &i))
			return CORM_EBACKEND;
		*out = corm_v_int(i);
		return CORM_OK;
	case CORM_TYPE_DURATION:
		if (parse_int(text, &i))
			return CORM_EBACKEND;
		*out = corm_v_duration((corm_duration){i});
		return CORM_OK;
	case CORM_TYPE_BOOL:
		if (parse_int(text, &i))
			return CORM_EBACKEND;
		*out = corm_v_bool(i != 0);
		return CORM_OK;
	case CORM_TYPE_FLOAT: {
		char *end;
		double f = strtod(text, &end);
		if (!*text || *end)
			return CORM_EBACKEND;
		*out = corm_v_float(f);
		return CORM_OK;
	}
	default: /* text, decimal, date, datetime, time, uuid, json */
		return corm__value_from_text(want, text, len, out);
	}
}

/* Puts `text` in the column's scratch space and reads it as `want`. */
static int via_text(my_col *c, const char *text, corm_type want, corm_value *out)
{
	if (want == CORM_TYPE_TEXT || want == CORM_TYPE_NULL) {
		snprintf(c->scratch, sizeof c->scratch, "%s", text);
		*out = corm_v_text(c->scratch);
		return CORM_OK;
	}
	my_col t = *c;
	t.buf = (char *)text;
	t.len = (unsigned long)strlen(text);
	return from_text(&t, want, out);
}

static int from_int(my_col *c, corm_type want, corm_value *out)
{
	long long v = c->num.i;
	char text[32];
	if (c->is_unsigned && v < 0) { /* above INT64_MAX: only text forms can hold it */
		snprintf(text, sizeof text, "%llu", (unsigned long long)v);
		return want == CORM_TYPE_INT ? CORM_EBACKEND : via_text(c, text, want, out);
	}
	switch (want) {
	case CORM_TYPE_INT:
		*out = corm_v_int(v);
		return CORM_OK;
	case CORM_TYPE_BOOL:
		*out = corm_v_bool(v != 0);
		return CORM_OK;
	case CORM_TYPE_FLOAT:
		*out = corm_v_float((double)v);
		return CORM_OK;
	case CORM_TYPE_DURATION:
		*out = corm_v_duration((corm_duration){v});
		return CORM_OK;
	default:
		snprintf(text, sizeof text, "%lld", v);
		return via_text(c, text, want, out);
	}
}

static int from_double(my_col *c, corm_type want, corm_value *out)
{
	double f = c->num.f;
	char text[40];
	switch (want) {
	case CORM_TYPE_FLOAT:
		*out = corm_v_float(f);
		return CORM_OK;
	case CORM_TYPE_BOOL:
		*out = corm_v_bool(f != 0);
		return CORM_OK;
	case CORM_TYPE_INT:
		if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
			return CORM_EBACKEND;
		*out = corm_v_int((int64_t)f);
		return CORM_OK;
	default:
		snprintf(text, sizeof text, "%.17g", f);
		return via_text(c, text, want, out);
	}
}

/*
 * Dates and times. What a value is comes from the column's type, not from the
 * fetched MYSQL_TIME: the connector leaves time_type zero (DATE) for a value the
 * server sends with no bytes at all, as it does for TIME '00:00:00'.
 */
static int from_time(my_col *c, corm_type want, corm_value *out)
{
	const MYSQL_TIME *t = &c->num.t;
	bool is_time = c->ftype == MYSQL_TYPE_TIME;
	switch (want) {
	case CORM_TYPE_DATE:
		if (is_time)
			return CORM_EBACKEND;
		out->type = CORM_TYPE_DATE;
		return corm_date_from_ymd(&out->u.date, (int)t->year, (int)t->month, (int)t->day)
		               ? CORM_EBACKEND
		               : CORM_OK;
	case CORM_TYPE_DATETIME:
		if (is_time)
			return CORM_EBACKEND;
		out->type = CORM_TYPE_DATETIME;
		return corm_datetime_from_parts(&out->u.datetime, (int)t->year, (int)t->month,
		                                (int)t->day, (int)t->hour, (int)t->minute,
		                                (int)t->second, (int)t->second_part)
		               ? CORM_EBACKEND
		               : CORM_OK;
	case CORM_TYPE_TIME:
		/* a time of day: MariaDB's TIME also holds negative and multi-day spans */
		if (!is_time || t->neg || t->day || t->hour > 23)
			return CORM_EBACKEND;
		out->type = CORM_TYPE_TIME;
		return corm_time_from_parts(&out->u.time, (int)t->hour, (int)t->minute,
		                            (int)t->second, (int)t->second_part)
		               ? CORM_EBACKEND
		               : CORM_OK;
	default: {
		char text[64];
		if (is_time)
			snprintf(text, sizeof text, "%s%02u:%02u:%02u.%06lu", t->neg ? "-" : "",
			         t->day * 24 + t->hour, t->minute, t->second, t->second_part);
		else if (c->ftype == MYSQL_TYPE_DATE)
			snprintf(text, sizeof text, "%04u-%02u-%02u", t->year, t->month, t->day);
		else
			snprintf(text, sizeof text, "%04u-%02u-%02u %02u:%02u:%02u.%06lu", t->year,
			         t->month, t->day, t->hour, t->minute, t->second, t->second_part);
		return via_text(c, text, want, out);
	}
	}
}

static int my_column(void *stmt, int col, corm_type want, corm_value *out)
{
	my_stmt *s = stmt;
	if (col < 0 || (unsigned)col >= s->ncols)
		return CORM_EINVAL;
	my_col *c = &s->cols[col];
	if (c->is_null) {
		*out = corm_v_null();
		return CORM_OK;
	}
	switch (c->kind) {
	case COL_INT:
		return from_int(c, want, out);
	case COL_DOUBLE:
		return from_double(c, want, out);
	case COL_TIME:
		return from_time(c, want, out);
	default:
		return from_text(c, want, out);
	}
}

static int my_column_int_not_null(void *stmt, int col, int64_t *out)
{
	my_col *c = &((my_stmt *)stmt)->cols[col];
	if (c->kind == COL_INT && !(c->is_unsigned && c->num.i < 0)) {
		*out = c->num.i; /* integer and boolean columns come back as LONGLONG */
		return CORM_OK;
	}
	corm_value v; /* text, a DECIMAL, an unsigned value past INT64_MAX (an error) */
	int rc = my_column(stmt, col, CORM_TYPE_INT, &v);
	*out = rc ? 0 : v.u.i;
	return rc;
}

static int my_column_text(void *stmt, int col, const char **text, size_t *len)
{
	my_stmt *s = stmt;
	if (col < 0 || (unsigned)col >= s->ncols)
		return CORM_EINVAL;
	my_col *c = &s->cols[col];
	if (c->kind == COL_BYTES || c->is_null) {
		*text = c->is_null ? NULL : c->buf ? c->buf : "";
		/* what terminate_texts left: never past the buffer */
		*len = c->is_null || !c->buf ? 0 : c->len < c->cap ? c->len : c->cap - 1;
		return CORM_OK;
	}
	corm_value v; /* a number or a time where text was asked for: its text form */
	int rc = my_column(stmt, col, CORM_TYPE_TEXT, &v);
	if (rc)
		return rc;
	*text = v.u.text;
	*len = strlen(v.u.text);
	return CORM_OK;
}

const char *corm__my_server_info(void *conn)
{
	return mysql_get_server_info(((my_conn *)conn)->mysql);
}

const corm_backend corm__mysql_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "mysql",
        .features = corm__my_features,
        .open = my_open,
        .close = my_close,
        .prepare = my_prepare,
        .bind = my_bind,
        .step = my_step,
        .column = my_column,
        .column_text = my_column_text,
        .column_int_not_null = my_column_int_not_null,
        .column_count = my_column_count,
        .reset = my_reset,
        .finalize = my_finalize,
        .changes = my_changes,
        .last_insert_id = my_last_insert_id,
        .quote_name = corm__my_quote_name,
        .placeholder = corm__my_placeholder,
        .lookups = corm__my_lookups,
        .transforms = corm__my_transforms,
        .like_escape = CORM__MY_LIKE_ESCAPE,
        .in_json_sql = corm__my_in_json_sql,
        .random_sql = corm__my_random_sql,
        .no_limit = corm__my_no_limit,
        .data_type = corm__my_data_type,
        .cast_type = corm__my_cast_type,
        .auto_suffix = NULL,
        .check_sql = corm__my_check_sql,
        .deferrable_sql = corm__my_deferrable_sql,
        .transaction = {"START TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT %s",
                        "RELEASE SAVEPOINT %s", "ROLLBACK TO SAVEPOINT %s"},
        .is_alive = my_is_alive,
        .quote_value = corm__my_quote_value,
        .sql_syntax = CORM_SQL_BACKSLASH_ESCAPES | CORM_SQL_DQUOTE_STRINGS |
                      CORM_SQL_BACKTICK_NAMES | CORM_SQL_HASH_COMMENTS |
                      CORM_SQL_DASH_COMMENT_SPACE,
        /* max_statement_time is in seconds, fractions allowed */
        .statement_timeout_sql = "SET SESSION max_statement_time = %d/1000",
        /* ABI 6: schema.c, introspection.c */
        .schema = &corm__my_schema,
        .introspect_tables = corm__my_introspect_tables,
        .introspect_table = corm__my_introspect_table,
};

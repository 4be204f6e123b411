/*
 * Atomic blocks (Django's transaction.atomic): BEGIN at the outermost level,
 * savepoints inside, and on_commit callbacks that run after the outermost
 * COMMIT and are dropped with the block that registered them. The statements
 * are the backend's (corm_backend.transaction); none is written here.
 */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "util/alloc.h"

#define ROLLBACK_ONLY_MESSAGE                                                                      \
	"An error occurred in the current transaction. You can't execute queries until the end "   \
	"of the "                                                                                  \
	"outermost atomic block."

/* Runs one of the backend's transaction statements; what = its name, for the message when
 * the backend has none. */
static int control(corm_db *db, const char *sql, const char *what)
{
	if (!sql)
		return corm__db_error(db, CORM_ENOTSUP, "the %s backend has no SQL to %s",
		                      db->be->vendor, what);
	return corm__exec_control(db, sql);
}

/* Runs the backend's savepoint statement `tmpl` for the savepoint of `depth` ("%s": its
 * name, "%%": a '%'). */
static int savepoint_sql(corm_db *db, const char *tmpl, const char *what, int depth)
{
	if (!tmpl)
		return control(db, NULL, what);
	char name[32], sql[256];
	snprintf(name, sizeof name, "corm_sp_%d", depth);
	size_t n = 0, nl = strlen(name);
	for (const char *p = tmpl; *p; p++) {
		if (n + nl + 1 >= sizeof sql)
			return corm__db_error(db, CORM_EINVAL,
			                      "the %s backend's SQL to %s is longer than %zu bytes",
			                      db->be->vendor, what, sizeof sql - nl - 2);
		if (p[0] == '%' && p[1] == 's') {
			memcpy(sql + n, name, nl);
			n += nl;
			p++;
		} else {
			if (p[0] == '%' && p[1] == '%')
				p++;
			sql[n++] = *p;
		}
	}
	sql[n] = '\0';
	return corm__exec_control(db, sql);
}

/* Drops the hooks registered at `depth` or deeper. */
static void drop_hooks(corm_db *db, int depth)
{
	size_t keep = 0;
	for (size_t i = 0; i < db->nhooks; i++) {
		if (db->hooks[i].depth >= depth) {
			if (db->hooks[i].drop)
				db->hooks[i].drop(db->hooks[i].ctx);
		} else {
			db->hooks[keep++] = db->hooks[i];
		}
	}
	db->nhooks = keep;
}

int corm_atomic_begin(corm_db *db)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (db->rollback_only)
		return corm__db_error(db, CORM_ETXN, ROLLBACK_ONLY_MESSAGE);
	const corm_transaction_sql *t = &db->be->transaction;
	int rc = db->depth == 0 ? control(db, t->begin, "begin a transaction")
	                        : savepoint_sql(db, t->savepoint, "make a savepoint", db->depth);
	if (rc)
		return rc;
	db->depth++;
	return CORM_OK;
}

/* Ends the whole transaction with ROLLBACK, keeping the error that caused it. */
static void rollback_outermost(corm_db *db)
{
	db->depth = 1;
	corm__rollback_keep_error(db);
}

int corm_atomic_commit(corm_db *db)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (db->depth == 0)
		return corm__db_error(db, CORM_ETXN, "corm_atomic_commit: no atomic block is open");
	if (db->needs_rollback && !db->rollback_only) {
		/* Django's atomic rolls such a block back at its end; corm also says so */
		corm__db_error(db, CORM_ETXN,
		               "the atomic block was rolled back, not committed: a statement in it "
		               "failed");
		corm__rollback_keep_error(db);
		return CORM_ETXN;
	}
	if (db->depth > 1) {
		int rc = db->rollback_only
		                 ? CORM_ETXN
		                 : savepoint_sql(db, db->be->transaction.release_savepoint,
		                                 "release a savepoint", db->depth - 1);
		if (rc) {
			/*
			 * The savepoint is gone (MariaDB drops every savepoint when it rolls
			 * back a deadlocked transaction): the block ends anyway, and only a
			 * rollback of the outermost block is possible now.
			 */
			drop_hooks(db, db->depth);
			db->depth--;
			db->rollback_only = true;
			return db->err.code ? db->err.code
			                    : corm__db_error(db, CORM_ETXN, ROLLBACK_ONLY_MESSAGE);
		}
		/* hooks of the inner block now belong to the outer one */
		for (size_t i = 0; i < db->nhooks; i++)
			if (db->hooks[i].depth == db->depth)
				db->hooks[i].depth--;
		db->depth--;
		return CORM_OK;
	}
	if (db->rollback_only) {
		corm__db_error(db, CORM_ETXN,
		               "the transaction was rolled back: an error in it left it unusable");
		rollback_outermost(db);
		return CORM_ETXN;
	}
	int rc = control(db, db->be->transaction.commit, "commit");
	if (rc) {
		rollback_outermost(db);
		return rc;
	}
	db->depth = 0;
	/* Run the callbacks; one may register more (which then run at once). */
	corm_commit_hook *hooks = db->hooks;
	size_t n = db->nhooks;
	db->hooks = NULL;
	db->nhooks = db->hooks_cap = 0;
	for (size_t i = 0; i < n; i++)
		hooks[i].fn(hooks[i].ctx);
	corm__free(hooks);
	return CORM_OK;
}

int corm_atomic_rollback(corm_db *db)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (db->depth == 0)
		return corm__db_error(db, CORM_ETXN,
		                      "corm_atomic_rollback: no atomic block is open");
	db->needs_rollback = false; /* undone with the block */
	if (db->depth == 1) {
		int rc = control(db, db->be->transaction.rollback, "roll back");
		db->depth = 0;
		db->rollback_only = false;
		drop_hooks(db, 1);
		return rc;
	}
	drop_hooks(db, db->depth);
	const corm_transaction_sql *t = &db->be->transaction;
	int rc = db->rollback_only ? CORM_OK
	                           : savepoint_sql(db, t->rollback_to_savepoint,
	                                           "roll back to a savepoint", db->depth - 1);
	if (!rc && !db->rollback_only)
		rc = savepoint_sql(db, t->release_savepoint, "release a savepoint", db->depth - 1);
	if (rc)
		db->rollback_only =
		        true; /* the savepoint is gone: only the outermost rollback is left */
	db->depth--;
	return rc;
}

int corm_atomic_depth(const corm_db *db)
{
	return db ? db->depth : 0;
}

int corm_atomic(corm_db *db, int (*fn)(corm_db *db, void *ctx), void *ctx)
{
	if (!db || !fn)
		return CORM_EINVAL;
	int rc = corm_atomic_begin(db);
	if (rc)
		return rc;
	int result = fn(db, ctx);
	if (result >= 0) {
		rc = corm_atomic_commit(db);
		return rc ? rc : result;
	}
	corm__rollback_keep_error(db);
	return result;
}

void corm__rollback_keep_error(corm_db *db)
{
	/* the rollback's own success must not erase the error that caused it */
	corm_err keep = db->err;
	int native = db->native_err;
	db->err = (corm_err){0, CORM_BUF_INIT};
	if (db->depth > 0)
		corm_atomic_rollback(db);
	corm__err_free(&db->err);
	db->err = keep;
	db->native_err = native;
}

int corm_on_commit(corm_db *db, void (*fn)(void *ctx), void *ctx, void (*drop)(void *ctx))
{
	if (!db || !fn)
		return CORM_EINVAL;
	if (db->depth == 0) {
		fn(ctx);
		return CORM_OK;
	}
	if (db->nhooks == db->hooks_cap) {
		size_t cap = db->hooks_cap ? db->hooks_cap * 2 : 4;
		corm_commit_hook *h = corm__realloc(db->hooks, cap * sizeof *h);
		if (!h)
			return corm__db_error(db, CORM_ENOMEM, "out of memory");
		db->hooks = h;
		db->hooks_cap = cap;
	}
	db->hooks[db->nhooks++] = (corm_commit_hook){fn, drop, ctx, db->depth};
	return CORM_OK;
}

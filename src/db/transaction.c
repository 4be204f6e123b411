/*
 * Atomic blocks (Django's transaction.atomic): BEGIN at the outermost level,
 * savepoints inside, and on_commit callbacks that run after the outermost
 * COMMIT and are dropped with the block that registered them.
 */
#include <stdio.h>

#include "db/db.h"
#include "util/alloc.h"

static int savepoint_sql(corm_db *db, const char *verb, int depth)
{
	char sql[64];
	snprintf(sql, sizeof sql, "%s corm_sp_%d", verb, depth);
	return corm__exec(db, sql, NULL, 0, NULL);
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
	int rc = db->depth == 0 ? corm__exec(db, db->be->begin_sql, NULL, 0, NULL)
	                        : savepoint_sql(db, "SAVEPOINT", db->depth);
	if (rc)
		return rc;
	db->depth++;
	return CORM_OK;
}

int corm_atomic_commit(corm_db *db)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	if (db->depth == 0)
		return corm__db_error(db, CORM_ETXN, "corm_atomic_commit: no atomic block is open");
	if (db->depth > 1) {
		int rc = savepoint_sql(db, "RELEASE SAVEPOINT", db->depth - 1);
		if (rc)
			return rc;
		/* hooks of the inner block now belong to the outer one */
		for (size_t i = 0; i < db->nhooks; i++)
			if (db->hooks[i].depth == db->depth)
				db->hooks[i].depth--;
		db->depth--;
		return CORM_OK;
	}
	int rc = corm__exec(db, "COMMIT", NULL, 0, NULL);
	if (rc) {
		int saved = rc;
		corm_err keep = db->err;
		db->err = (corm_err){0, CORM_BUF_INIT};
		corm__exec(db, "ROLLBACK", NULL, 0, NULL);
		corm__err_free(&db->err);
		db->err = keep;
		db->depth = 0;
		drop_hooks(db, 1);
		return saved;
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
	drop_hooks(db, db->depth);
	int rc;
	if (db->depth > 1) {
		rc = savepoint_sql(db, "ROLLBACK TO SAVEPOINT", db->depth - 1);
		if (!rc)
			rc = savepoint_sql(db, "RELEASE SAVEPOINT", db->depth - 1);
	} else {
		rc = corm__exec(db, "ROLLBACK", NULL, 0, NULL);
	}
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

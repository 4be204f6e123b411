/* Model.objects.create / get_or_create / update_or_create. */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "model/instance.h"
#include "queryset/decode.h"
#include "queryset/queryset.h"
#include "sql/compiler.h"
#include "util/alloc.h"

/* ---- create / get_or_create / update_or_create ---- */

static int apply_kwargs(corm_db *db, void *inst, const corm_kw *kwargs)
{
	for (size_t i = 0; kwargs && kwargs[i].name; i++) {
		corm_err err = {0, CORM_BUF_INIT};
		int rc = corm__set_field(inst, kwargs[i].name, &kwargs[i].value, &err);
		if (rc) {
			rc = corm__db_take(db, &err);
			corm__err_free(&err);
			return rc;
		}
		corm__err_free(&err);
	}
	return CORM_OK;
}

int(corm_create)(corm_db *db, const corm_model *model, void *out, const corm_kw *kwargs)
{
	if (out)
		*(void **)out = NULL;
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	const corm_meta *meta = corm__meta(model);
	if (!meta && corm__meta_pending(model))
		return corm__db_error(db, CORM_EINVAL, "corm_create: %s.%s: " CORM__NOT_READY,
		                      model->app_label, model->name);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL, "corm_create: model is not registered");
	/* unknown names fail before anything is made; the fields given get no default */
	uint64_t given = 0;
	size_t hint = 0;
	const corm_fmeta *found[32]; /* the first kwargs' fields, not looked up twice */
	corm_err err = {0, CORM_BUF_INIT};
	for (size_t i = 0; kwargs && kwargs[i].name; i++) {
		const corm_fmeta *fm = corm__meta_field_hint(meta, kwargs[i].name, &hint);
		if (i < 32)
			found[i] = fm;
		if (!fm) {
			corm__no_such_field(meta, kwargs[i].name, &err);
			int rc = corm__db_take(db, &err);
			corm__err_free(&err);
			return rc;
		}
		if (fm->index < 64)
			given |= (uint64_t)1 << fm->index;
	}
	void *inst;
	int rc = corm__new_instance(meta, given, &inst);
	if (rc)
		return corm__db_error(db, rc, "out of memory");
	hint = 0;
	for (size_t i = 0; !rc && kwargs && kwargs[i].name; i++) {
		const corm_fmeta *fm =
		        i < 32 ? found[i] : corm__meta_field_hint(meta, kwargs[i].name, &hint);
		rc = corm__set_field_meta(inst, fm, &kwargs[i].value, &err);
		if (rc)
			rc = corm__db_take(db, &err);
	}
	corm__err_free(&err);
	if (!rc)
		rc = corm_save(db, inst);
	if (rc || !out)
		corm_free(inst);
	else
		*(void **)out = inst;
	return rc;
}

/* A QuerySet filtered by exact lookups from kwargs. */
static corm_qs *lookup_qs(corm_db *db, const corm_model *model, const corm_kw *lookup, int *rc)
{
	corm_qs *qs = corm_objects(db, model);
	*rc = qs ? CORM_OK : corm_errcode(db);
	for (size_t i = 0; qs && !*rc && lookup && lookup[i].name; i++)
		*rc = corm_filter(qs, corm_q_new(lookup[i].name, lookup[i].value));
	return qs;
}

static int create_from(corm_db *db, const corm_model *model, void **out, const corm_kw *lookup,
                       const corm_kw *defaults)
{
	void *inst;
	int rc = corm_new(model, &inst);
	if (rc)
		return corm__db_error(db, rc, "out of memory");
	/* lookup fields with a transform or lookup suffix are not values to set */
	for (size_t i = 0; !rc && lookup && lookup[i].name; i++) {
		if (strstr(lookup[i].name, "__"))
			continue;
		corm_err err = {0, CORM_BUF_INIT};
		if ((rc = corm__set_field(inst, lookup[i].name, &lookup[i].value, &err)))
			corm__db_take(db, &err);
		corm__err_free(&err);
	}
	if (!rc)
		rc = apply_kwargs(db, inst, defaults);
	if (!rc)
		rc = corm_save(db, inst);
	if (rc)
		corm_free(inst);
	else
		*out = inst;
	return rc;
}

int(corm_get_or_create)(corm_db *db, const corm_model *model, void *out, bool *created,
                       const corm_kw *lookup, const corm_kw *defaults)
{
	if (!db || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_get_or_create: out is NULL")
		          : CORM_EINVAL;
	*(void **)out = NULL;
	bool made = false;
	int rc;
	corm_qs *qs = lookup_qs(db, model, lookup, &rc);
	if (!rc)
		rc = corm_get(qs, out, corm_q_empty());
	if (rc == CORM_ENOTFOUND) {
		/* create in a savepoint so that losing a race to a concurrent insert can be retried
		 * as a get */
		void *inst = NULL;
		rc = corm_atomic_begin(db);
		if (!rc) {
			rc = create_from(db, model, &inst, lookup, defaults);
			if (rc)
				corm__rollback_keep_error(db);
			else
				rc = corm_atomic_commit(db); /* deferred constraints fail here */
		}
		if (rc) {
			corm_free(inst); /* made, then refused at commit */
			inst = NULL;
		}
		if (rc == CORM_ECONSTRAINT) {
			/* the row may have been created by another writer: get it; if it is not
			 * there either, the create's error is the one to report */
			corm_err keep = db->err;
			int native = db->native_err;
			db->err = (corm_err){0, CORM_BUF_INIT};
			if (corm_get(qs, &inst, corm_q_empty()) == CORM_OK) {
				rc = CORM_OK;
				corm__err_free(&keep);
				corm__db_ok(db);
			} else {
				corm_free(inst);
				inst = NULL;
				corm__err_free(&db->err);
				db->err = keep;
				db->native_err = native;
			}
		} else if (!rc) {
			made = true;
		}
		*(void **)out = inst;
	}
	corm_qs_free(qs);
	if (!rc && created)
		*created = made;
	return rc;
}

int(corm_update_or_create)(corm_db *db, const corm_model *model, void *out, bool *created,
                          const corm_kw *lookup, const corm_kw *defaults)
{
	if (!db || !out)
		return db ? corm__db_error(db, CORM_EINVAL, "corm_update_or_create: out is NULL")
		          : CORM_EINVAL;
	*(void **)out = NULL;
	int rc = corm_atomic_begin(db);
	if (rc)
		return rc;
	void *inst = NULL;
	bool made = false;
	/* as Django: the row is read with select_for_update, so that a concurrent
	 * update_or_create waits for this one instead of overwriting it with what it read */
	corm_qs *qs = lookup_qs(db, model, lookup, &rc);
	if (!rc)
		rc = corm_select_for_update(qs, CORM_LOCK_WAIT);
	if (!rc)
		rc = corm_get(qs, &inst, corm_q_empty());
	if (rc == CORM_OK) {
		rc = apply_kwargs(db, inst, defaults);
		if (!rc)
			rc = corm_save(db, inst);
	} else if (rc == CORM_ENOTFOUND) {
		rc = create_from(db, model, &inst, lookup, defaults);
		made = rc == CORM_OK;
	}
	corm_qs_free(qs);
	if (rc)
		corm__rollback_keep_error(db);
	else
		rc = corm_atomic_commit(db);
	if (rc) {
		corm_free(inst);
		return rc;
	}
	*(void **)out = inst;
	if (created)
		*created = made;
	return CORM_OK;
}

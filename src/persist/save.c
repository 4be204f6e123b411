/*
 * Saving instances (Django's Model.save_base / _save_table): INSERT or UPDATE
 * of one row, delete, refresh_from_db. Above the QuerySet and the compiler.
 */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "model/instance.h"
#include "queryset/decode.h"
#include "queryset/queryset.h"
#include "sql/compiler.h"
#include "util/alloc.h"

/* The instance's key as a value (borrowed), NULL when it has none. */
static corm_value pk_value(const void *inst)
{
	corm_value v = corm_v_null();
	corm_pk_value(inst, &v);
	return v;
}

/* ---- saving ---- */

static void touch_auto_times(const corm_meta *meta, void *inst, bool inserting)
{
	corm_datetime now = corm_datetime_now();
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (!(fm->decl->auto_now || (inserting && fm->decl->auto_now_add)))
			continue;
		corm_value v = fm->vtype == CORM_TYPE_DATE ? corm_v_date(corm_datetime_date(now))
		                                           : corm_v_datetime(now);
		if (fm->vtype == CORM_TYPE_TIME)
			v = corm_v_time((corm_time){((now.us % 86400000000LL) + 86400000000LL) %
			                            86400000000LL});
		corm__member_store(fm, inst, &v);
	}
}

static bool in_list(const char *const *names, const corm_fmeta *fm)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(names[i], fm->name) || !strcmp(names[i], fm->attname))
			return true;
	return false;
}

/* UPDATE ... WHERE pk = ?; *matched gets the number of rows. */
static int do_update(corm_db *db, const corm_meta *meta, void *inst, const char *const *only,
                     int64_t *matched)
{
	corm_set_item *sets = corm__calloc(meta->nfields, sizeof *sets);
	if (!sets)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->is_pk || (only && !in_list(only, fm)))
			continue;
		sets[n].field = fm;
		corm__member_get(fm, inst, &sets[n].value);
		n++;
	}
	if (n == 0) {
		corm__free(sets);
		/* Django's _do_update: nothing to write; a model with only its key checks that
		 * the row still exists (else it is inserted) */
		*matched = 1;
		if (only)
			return CORM_OK;
		corm_qs *qs = corm_objects(db, meta->model);
		if (!qs)
			return corm_errcode(db);
		bool found = false;
		int rc = corm_filter(qs, corm_q_new("pk", pk_value(inst)));
		if (!rc)
			rc = corm_exists(qs, &found);
		corm_qs_free(qs);
		*matched = found;
		return rc;
	}
	corm_query q = {.meta = meta, .high = -1};
	corm_q *pkq = corm_q_new("pk", pk_value(inst));
	corm_err err = {0, CORM_BUF_INIT};
	int rc = pkq ? corm__query_add_q(&q, pkq, false, &err)
	             : corm__err_set(&err, CORM_ENOMEM, "out of memory");
	corm_q_free(pkq);
	corm_sql local, *sql = corm__sql_acquire(db, &local);
	if (!rc)
		rc = corm__compile_update(db->be, &db->sqlc, &q, true, sets, n, sql, &err);
	if (rc)
		rc = corm__db_take(db, &err);
	else
		rc = corm__exec(db, sql->text.ptr, sql->params, sql->n, matched);
	corm__sql_release(db, sql);
	corm__err_free(&err);
	corm__query_clear(&q);
	corm__free(sets);
	return rc;
}

static int do_insert(corm_db *db, const corm_meta *meta, void *inst)
{
	corm_set_item few[32]; /* most models: no allocation */
	corm_set_item *cols = meta->nfields <= 32 ? few : corm__calloc(meta->nfields, sizeof *cols);
	if (!cols)
		return corm__db_error(db, CORM_ENOMEM, "out of memory");
	size_t n = 0;
	bool auto_pk = corm__kind_is_auto(meta->pk->kind);
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->is_pk && auto_pk && !corm__pk_is_set(inst))
			continue; /* the database assigns it */
		cols[n].field = fm;
		corm__member_get(fm, inst, &cols[n].value);
		n++;
	}
	/* only an automatic key comes back (Django's db_returning_fields) */
	bool returning = db->features.can_return_columns_from_insert && auto_pk;
	corm_sql local, *sql = corm__sql_acquire(db, &local);
	/* the text depends only on the model, the backend and whether the pk is given: built once
	 * per connection, it costs a save nothing but binding the values, which are the
	 * instance's own (stable until the statement is closed) */
	uint64_t shape =
	        corm__memo_key(meta->serial, CORM_MEMO_INSERT, (unsigned)n << 1 | returning);
	size_t len = 0;
	const char *text = n < 0x8000 ? corm__memo_get(&db->sqlc, shape, &len) : NULL;
	if (text) {
		for (size_t i = 0; i < n; i++)
			corm__sql_push(sql, cols[i].value, false);
	} else {
		corm__compile_insert(db->be, meta, cols, n, returning, sql);
		text = sql->text.ptr;
		len = sql->text.len;
		if (n < 0x8000 && !sql->oom && !sql->text.oom)
			corm__memo_put(&db->sqlc, shape, text, len);
	}
	if (cols != few)
		corm__free(cols);
	corm_stmt st;
	int rc = sql->oom || sql->text.oom
	                 ? corm__db_error(db, CORM_ENOMEM, "out of memory")
	                 : corm__stmt_open(db, text, len, sql->params, sql->n, true, &st);
	corm__sql_release(db, sql);
	if (rc)
		return rc;
	int64_t pk = 0;
	while ((rc = corm__stmt_step(&st)) == CORM_ROW) {
		corm_value v;
		db->be->column(st.s, 0, CORM_TYPE_INT, &v);
		pk = v.u.i;
	}
	corm__stmt_close(&st);
	if (rc != CORM_DONE)
		return rc;
	if (!auto_pk)
		return CORM_OK;
	if (!returning)
		pk = db->be->last_insert_id(db->conn);
	if (!corm__pk_is_set(inst))
		corm__member_store(meta->pk, inst, &(corm_value){CORM_TYPE_INT, {.i = pk}});
	return CORM_OK;
}

static int check_unsaved_related(corm_db *db, const corm_meta *meta, void *inst)
{
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->kind != CORM_FIELD_FK)
			continue;
		const corm_fk *fk = (const corm_fk *)((const char *)inst + fm->decl->offset);
		if (fk->obj && !corm__pk_is_set(fk->obj))
			return corm__db_error(db, CORM_EINVAL,
			                      "save() prohibited to prevent data loss due to "
			                      "unsaved related object '%s' of %s.",
			                      fm->name, meta->label);
	}
	return CORM_OK;
}

/* Values set by hand in the struct that the columns cannot hold fail here, not on every later
 * read of the table. */
static int check_values(corm_db *db, const corm_meta *meta, const void *inst)
{
	bool inserting = !corm__pk_is_set(inst);
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		/* the clock overwrites these before they are sent */
		if (fm->decl->auto_now || (inserting && fm->decl->auto_now_add))
			continue;
		/* only what a member of its C type can hold and its column cannot */
		if (fm->vtype != CORM_TYPE_INT && fm->vtype != CORM_TYPE_DATE &&
		    fm->vtype != CORM_TYPE_DATETIME && fm->vtype != CORM_TYPE_TIME &&
		    fm->vtype != CORM_TYPE_DECIMAL && fm->vtype != CORM_TYPE_FLOAT)
			continue;
		if (fm->vtype == CORM_TYPE_INT &&
		    (fm->kind == CORM_FIELD_FK || fm->decl->size <= 2 ||
		     (fm->decl->size == 4 && fm->kind != CORM_FIELD_SMALLINT &&
		      fm->kind != CORM_FIELD_POSITIVE_SMALLINT)))
			continue;
		corm_value v;
		corm__member_get(fm, inst, &v);
		corm_err err = {0, CORM_BUF_INIT};
		int rc = corm__value_check(fm, &v, db->be->vendor, true, &err);
		if (rc) {
			rc = corm__db_take(db, &err);
			corm__err_free(&err);
			return rc;
		}
	}
	return CORM_OK;
}

static int save(corm_db *db, void *inst, const char *const *only, bool only_given)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_save: not a registered model instance");
	corm_obj *o = inst;
	if (only_given) {
		if (!only || !only[0])
			return CORM_OK; /* update_fields=[] saves nothing, as in Django */
		for (size_t i = 0; only[i]; i++) {
			const corm_fmeta *fm = corm__meta_field(meta, only[i]);
			if (!fm || fm->is_pk)
				return corm__db_error(db, CORM_EFIELD,
				                      "The following fields do not exist in %s, or "
				                      "are m2m fields: %s",
				                      meta->label, only[i]);
		}
		if (!corm__pk_is_set(inst) || !(o->state & CORM_STATE_SAVED))
			return corm__db_error(
			        db, CORM_EINVAL,
			        "Cannot force an update in save() with no primary key (%s).",
			        meta->label);
	}
	int rc = check_unsaved_related(db, meta, inst);
	if (!rc)
		rc = check_values(db, meta, inst);
	if (rc)
		return rc;
	int64_t matched = 0;
	/* Django's _save_table: a key that is set is tried as an UPDATE first, unless the
	 * instance is new and its key has a default (a fresh uuid4 has no row to update) */
	bool key_default = meta->pk->has_default || meta->pk->decl->default_fn;
	bool force_insert = !(o->state & CORM_STATE_SAVED) && key_default && !only_given;
	if (corm__pk_is_set(inst) && !force_insert) {
		touch_auto_times(meta, inst, false);
		rc = do_update(db, meta, inst, only_given ? only : NULL, &matched);
		if (rc)
			return rc;
		if (only_given && matched == 0) {
			corm_buf shown = CORM_BUF_INIT;
			corm_value key = pk_value(inst);
			corm__value_display(&shown, &key);
			rc = corm__db_error(
			        db, CORM_ENOTFOUND,
			        "Save with update_fields did not affect any rows (%s pk=%s).",
			        meta->label, shown.oom ? "?" : corm_buf_cstr(&shown));
			corm_buf_free(&shown);
			return rc;
		}
	}
	if (matched == 0) {
		touch_auto_times(meta, inst, true);
		rc = do_insert(db, meta, inst);
		if (rc)
			return rc;
	}
	o->state |= CORM_STATE_SAVED;
	return CORM_OK;
}

int corm_save(corm_db *db, void *inst)
{
	return save(db, inst, NULL, false);
}

int corm_save_fields(corm_db *db, void *inst, const char *const *fields)
{
	return save(db, inst, fields, true);
}

int corm_delete(corm_db *db, void *inst, int64_t *deleted)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_delete: not a registered model instance");
	if (!corm__pk_is_set(inst))
		return corm__db_error(
		        db, CORM_EINVAL,
		        "%s object can't be deleted because its %s attribute is set to None.",
		        meta->model->name, meta->pk->attname);
	corm_qs *qs = corm_objects(db, meta->model);
	if (!qs)
		return corm_errcode(db);
	int64_t n = 0;
	int rc = corm_filter(qs, corm_q_new("pk", pk_value(inst)));
	if (!rc)
		rc = corm_qs_delete(qs, &n);
	if (!rc && deleted)
		*deleted = n;
	corm_qs_free(qs);
	if (!rc) { /* Django sets the pk to None; an integer key is 0 here */
		corm_value none = meta->pk->vtype == CORM_TYPE_INT
		                          ? (corm_value){CORM_TYPE_INT, {.i = 0}}
		                          : corm_v_null();
		corm__member_store(meta->pk, inst, &none);
		((corm_obj *)inst)->state &= ~CORM_STATE_SAVED;
	}
	return rc;
}

int corm_refresh(corm_db *db, void *inst)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_refresh: not a registered model instance");
	corm_qs *qs = corm_objects(db, meta->model);
	if (!qs)
		return corm_errcode(db);
	void *fresh = NULL;
	int rc = corm_get(qs, &fresh, corm_q_new("pk", pk_value(inst)));
	corm_qs_free(qs);
	if (rc)
		return rc;
	/* swap the field contents: inst takes fresh's values, fresh takes the old ones to free */
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		char *a = (char *)inst + fm->decl->offset, *b = (char *)fresh + fm->decl->offset;
		char tmp[sizeof(corm_fk) > sizeof(corm_uuid) ? sizeof(corm_fk) : sizeof(corm_uuid)];
		size_t size = fm->decl->size <= sizeof tmp ? fm->decl->size : sizeof tmp;
		memcpy(tmp, a, size);
		memcpy(a, b, size);
		memcpy(b, tmp, size);
	}
	((corm_obj *)inst)->nulls = ((corm_obj *)fresh)->nulls;
	((corm_obj *)inst)->state |= CORM_STATE_SAVED;
	corm_free(fresh);
	return CORM_OK;
}

/*
 * Model instances: allocation with defaults, field assignment, and the
 * save/delete/refresh life cycle (Django's Model.save_base / _save_table).
 */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "queryset/decode.h"
#include "queryset/queryset.h"
#include "sql/compiler.h"
#include "util/alloc.h"

static const corm_meta *meta_of(const void *inst)
{
	const corm_obj *o = inst;
	return o ? o->meta : NULL;
}

/*
 * A new instance with every default applied, except to the fields whose bit
 * is set in `given` (fields 0..63): create() is about to set those, and a
 * default text would be allocated only to be freed.
 */
static int new_instance(const corm_meta *meta, uint64_t given, void **out)
{
	void *inst = corm__alloc_instance(meta);
	if (!inst)
		return CORM_ENOMEM;
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		int rc = CORM_OK;
		if (i < 64 && (given >> i & 1))
			continue;
		if (fm->has_default)
			rc = corm__member_store(fm, inst, &fm->deflt);
		else if (fm->decl->default_fn)
			rc = fm->decl->default_fn((char *)inst + fm->decl->offset, fm->decl);
		else if (fm->nullable || (fm->kind == CORM_FIELD_FK))
			rc = fm->nullable ? corm__member_store(fm, inst,
			                                       &(corm_value){CORM_TYPE_NULL, {0}})
			                  : CORM_OK;
		else if (fm->vtype == CORM_TYPE_TEXT)
			rc = corm__member_store(fm, inst,
			                        &(corm_value){CORM_TYPE_TEXT, {.text = ""}});
		else if (fm->vtype == CORM_TYPE_BYTES)
			rc = corm__member_store(fm, inst,
			                        &(corm_value){CORM_TYPE_BYTES,
			                                      {.bytes = {(const uint8_t *)"", 0}}});
		if (rc) {
			corm_free(inst);
			return rc;
		}
	}
	*out = inst;
	return CORM_OK;
}

int corm_new(const corm_model *model, void *out)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_new: the out pointer is NULL");
	*(void **)out = NULL;
	if (!model)
		return corm__last_error(CORM_EINVAL, "corm_new: the model is NULL");
	const corm_meta *meta = corm__meta(model);
	if (!meta && corm__meta_pending(model))
		return corm__last_error(CORM_EINVAL, "corm_new: %s.%s: " CORM__NOT_READY,
		                        model->app_label, model->name);
	if (!meta)
		return corm__last_error(
		        CORM_EINVAL,
		        "corm_new: model %s.%s is not registered (corm_registry_add "
		        "it first)",
		        model->app_label ? model->app_label : "?", model->name ? model->name : "?");
	int rc = new_instance(meta, 0, (void **)out);
	if (rc == CORM_ENOMEM)
		corm__last_error(rc, "corm_new: out of memory creating a %s", meta->label);
	else if (rc)
		corm__last_error(rc, "corm_new: a default of %s failed (%s)", meta->label,
		                 corm_err_name(rc));
	return rc;
}

void corm_free(void *inst)
{
	const corm_meta *meta = meta_of(inst);
	if (!inst)
		return;
	if (meta)
		corm__members_clear(meta, inst);
	corm__free(inst);
}

static int clone_oom(const corm_meta *meta)
{
	return corm__last_error(CORM_ENOMEM, "corm_clone: out of memory copying a %s", meta->label);
}

int corm_clone(const void *src, void *out)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_clone: the out pointer is NULL");
	*(void **)out = NULL;
	const corm_meta *meta = meta_of(src);
	if (!meta)
		return corm__last_error(CORM_EINVAL, "corm_clone: the source is NULL or not an "
		                                     "instance of a registered model");
	corm_obj *dst = corm__alloc_instance(meta);
	if (!dst)
		return clone_oom(meta);
	/* copy plain bytes, then replace every owned pointer with a copy */
	memcpy(dst, src, meta->model->size);
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		char *slot = (char *)dst + fm->decl->offset;
		if (fm->vtype == CORM_TYPE_TEXT || fm->vtype == CORM_TYPE_DECIMAL ||
		    fm->vtype == CORM_TYPE_JSON)
			*(void **)slot = NULL;
		else if (fm->vtype == CORM_TYPE_BYTES)
			*(corm_bytes *)slot = (corm_bytes){NULL, 0};
		else if (fm->kind == CORM_FIELD_FK)
			((corm_fk *)slot)->obj = NULL;
	}
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->vtype != CORM_TYPE_TEXT && fm->vtype != CORM_TYPE_DECIMAL &&
		    fm->vtype != CORM_TYPE_JSON && fm->vtype != CORM_TYPE_BYTES)
			continue;
		corm_value v;
		corm__member_get(fm, src, &v);
		if (v.type == CORM_TYPE_JSON) {
			json_t *copy = json_deep_copy(v.u.json);
			if (!copy) {
				corm_free(dst);
				return clone_oom(meta);
			}
			*(json_t **)((char *)dst + fm->decl->offset) = copy;
			continue;
		}
		if (corm__member_store(fm, dst, &v)) {
			corm_free(dst);
			return clone_oom(meta);
		}
	}
	/* related objects loaded with the instance (select_related) are copied with it */
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		const corm_fk *from = (const corm_fk *)((const char *)src + fm->decl->offset);
		if (fm->kind == CORM_FIELD_FK && from->obj &&
		    corm_clone(from->obj, &((corm_fk *)((char *)dst + fm->decl->offset))->obj)) {
			corm_free(dst);
			return CORM_ENOMEM;
		}
	}
	*(void **)out = dst;
	return CORM_OK;
}

static int no_such_field(const corm_meta *meta, const char *name, corm_err *err)
{
	return corm__err_set(err, CORM_EFIELD, "%s has no field named '%s'. Choices are: %s",
	                     meta->label, name, meta->field_choices);
}

/* Sets field fm from a user value; err gets the message. */
static int set_field_meta(void *inst, const corm_fmeta *fm, const corm_value *value, corm_err *err)
{
	const corm_meta *meta = fm->owner;
	if (value->type == CORM_TYPE_EXPR || value->type == CORM_TYPE_LIST)
		return corm__err_set(
		        err, CORM_ETYPE,
		        "Field '%s.%s' expected a value but got an expression or list.",
		        meta->model->name, fm->name);
	if (value->type == CORM_TYPE_OBJECT && fm->kind == CORM_FIELD_FK) {
		const corm_obj *o = value->u.object;
		if (o->model == fm->related->model && (o->state & CORM_STATE_SAVED) == 0 &&
		    corm_pk(o) == 0)
			return corm__err_set(err, CORM_EINVAL,
			                     "save() prohibited to prevent data loss due to "
			                     "unsaved related object '%s' of %s.",
			                     fm->name, meta->label);
	}
	corm_value v;
	int rc = corm__coerce(fm, value, &v, err);
	if (rc)
		return rc;
	rc = corm__value_check(fm, &v, NULL, false, err);
	if (!rc && corm__member_store(fm, inst, &v))
		rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
	corm__value_clear(&v);
	return rc;
}

/* Sets a field named by the user; err gets the message. */
static int set_field(void *inst, const char *name, const corm_value *value, corm_err *err)
{
	const corm_meta *meta = meta_of(inst);
	const corm_fmeta *fm = corm__meta_field(meta, name);
	return fm ? set_field_meta(inst, fm, value, err) : no_such_field(meta, name, err);
}

int corm_set(void *inst, const char *field, corm_value value)
{
	if (!meta_of(inst) || !field) {
		if (value.type == CORM_TYPE_EXPR)
			corm_expr_free(value.u.expr);
		return corm__last_error(CORM_EINVAL,
		                        field ? "corm_set: the instance is NULL or not of a "
		                                "registered model"
		                              : "corm_set: the field name is NULL");
	}
	corm_err err = {0, CORM_BUF_INIT};
	int rc = set_field(inst, field, &value, &err);
	if (value.type == CORM_TYPE_EXPR)
		corm_expr_free(value.u.expr);
	if (rc)
		corm__last_error_from(rc, &err);
	corm__err_free(&err);
	return rc;
}

int corm_set_str(char **member, const char *value)
{
	if (!member)
		return corm__last_error(CORM_EINVAL, "corm_set_str: the member is NULL");
	char *copy = NULL;
	if (value && !(copy = corm__strdup(value)))
		return corm__last_error(CORM_ENOMEM,
		                        "corm_set_str: out of memory copying %zu bytes",
		                        strlen(value) + 1);
	corm__free(*member);
	*member = copy;
	return CORM_OK;
}

static const corm_fmeta *field_at(const void *inst, const void *member)
{
	const corm_meta *meta = meta_of(inst);
	if (!meta || !member || (const char *)member < (const char *)inst)
		return NULL;
	return corm__meta_field_at(meta, (size_t)((const char *)member - (const char *)inst));
}

bool corm_is_null(const void *inst, const void *member)
{
	const corm_fmeta *fm = field_at(inst, member);
	return fm ? corm__member_is_null(fm, inst) : false;
}

int corm_set_null(void *inst, void *member, bool null)
{
	const corm_fmeta *fm = field_at(inst, member);
	if (!fm)
		return corm__last_error(
		        CORM_EINVAL, "corm_set_null: the member is not a field of the instance (or "
		                     "the instance is NULL or not of a registered model)");
	if (null) /* storing NULL frees, never allocates: it cannot fail */
		return corm__member_store(fm, inst, &(corm_value){CORM_TYPE_NULL, {0}});
	if (fm->index < 64)
		((corm_obj *)inst)->nulls &= ~((uint64_t)1 << fm->index);
	return CORM_OK;
}

int64_t corm_pk(const void *inst)
{
	const corm_meta *meta = meta_of(inst);
	if (!meta)
		return 0;
	corm_value v;
	corm__member_get(meta->pk, inst, &v);
	return v.type == CORM_TYPE_INT ? v.u.i : 0;
}

bool corm_is_adding(const void *inst)
{
	const corm_obj *o = inst;
	return o && !(o->state & CORM_STATE_SAVED);
}

const char *corm_get_display(const void *inst, const void *member)
{
	const corm_fmeta *fm = field_at(inst, member);
	if (!fm)
		return NULL;
	corm_value v;
	corm__member_get(fm, inst, &v);
	if (v.type == CORM_TYPE_NULL)
		return NULL;
	for (size_t i = 0; i < fm->nchoices; i++) {
		const corm_value *c = &fm->choice_values[i];
		bool eq = c->type == v.type &&
		          ((v.type == CORM_TYPE_TEXT && !strcmp(c->u.text, v.u.text)) ||
		           (v.type == CORM_TYPE_INT && c->u.i == v.u.i) ||
		           (v.type == CORM_TYPE_BOOL && c->u.b == v.u.b) ||
		           (v.type == CORM_TYPE_DECIMAL &&
		            !corm_decimal_cmp(c->u.decimal, v.u.decimal)));
		if (eq)
			return fm->decl->choices[i].label;
	}
	return v.type == CORM_TYPE_TEXT ? v.u.text : NULL;
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
		*matched = 1;
		return CORM_OK;
	}
	corm_query q = {.meta = meta, .high = -1};
	corm_q *pkq = corm_q_new("pk", corm_v_int(corm_pk(inst)));
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
		if (fm->is_pk && auto_pk && corm_pk(inst) == 0)
			continue; /* the database assigns it */
		cols[n].field = fm;
		corm__member_get(fm, inst, &cols[n].value);
		n++;
	}
	bool returning = db->be->features.can_return_columns_from_insert;
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
	if (!returning)
		pk = db->be->last_insert_id(db->conn);
	if (corm_pk(inst) == 0)
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
		if (fk->obj && corm_pk(fk->obj) == 0)
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
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
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
	const corm_meta *meta = meta_of(inst);
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
		if (corm_pk(inst) == 0 || !(o->state & CORM_STATE_SAVED))
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
	if (corm_pk(inst) != 0) {
		touch_auto_times(meta, inst, false);
		rc = do_update(db, meta, inst, only_given ? only : NULL, &matched);
		if (rc)
			return rc;
		if (only_given && matched == 0)
			return corm__db_error(
			        db, CORM_ENOTFOUND,
			        "Save with update_fields did not affect any rows (%s pk=%lld).",
			        meta->label, (long long)corm_pk(inst));
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
	const corm_meta *meta = meta_of(inst);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_delete: not a registered model instance");
	int64_t pk = corm_pk(inst);
	if (pk == 0)
		return corm__db_error(
		        db, CORM_EINVAL,
		        "%s object can't be deleted because its id attribute is set to None.",
		        meta->model->name);
	corm_qs *qs = corm_objects(db, meta->model);
	if (!qs)
		return corm_errcode(db);
	int64_t n = 0;
	int rc = corm_filter(qs, corm_q_new("pk", corm_v_int(pk)));
	if (!rc)
		rc = corm_qs_delete(qs, &n);
	if (!rc && deleted)
		*deleted = n;
	corm_qs_free(qs);
	if (!rc) {
		corm__member_store(meta->pk, inst, &(corm_value){CORM_TYPE_INT, {.i = 0}});
		((corm_obj *)inst)->state &= ~CORM_STATE_SAVED;
	}
	return rc;
}

int corm_refresh(corm_db *db, void *inst)
{
	if (!db)
		return CORM_EINVAL;
	corm__db_ok(db);
	const corm_meta *meta = meta_of(inst);
	if (!meta)
		return corm__db_error(db, CORM_EINVAL,
		                      "corm_refresh: not a registered model instance");
	corm_qs *qs = corm_objects(db, meta->model);
	if (!qs)
		return corm_errcode(db);
	void *fresh = NULL;
	int rc = corm_get(qs, &fresh, corm_q_new("pk", corm_v_int(corm_pk(inst))));
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

/* ---- create / get_or_create / update_or_create ---- */

static int apply_kwargs(corm_db *db, void *inst, const corm_kw *kwargs)
{
	for (size_t i = 0; kwargs && kwargs[i].name; i++) {
		corm_err err = {0, CORM_BUF_INIT};
		int rc = set_field(inst, kwargs[i].name, &kwargs[i].value, &err);
		if (rc) {
			rc = corm__db_take(db, &err);
			corm__err_free(&err);
			return rc;
		}
		corm__err_free(&err);
	}
	return CORM_OK;
}

int corm_create(corm_db *db, const corm_model *model, void *out, const corm_kw *kwargs)
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
			no_such_field(meta, kwargs[i].name, &err);
			int rc = corm__db_take(db, &err);
			corm__err_free(&err);
			return rc;
		}
		if (fm->index < 64)
			given |= (uint64_t)1 << fm->index;
	}
	void *inst;
	int rc = new_instance(meta, given, &inst);
	if (rc)
		return corm__db_error(db, rc, "out of memory");
	hint = 0;
	for (size_t i = 0; !rc && kwargs && kwargs[i].name; i++) {
		const corm_fmeta *fm =
		        i < 32 ? found[i] : corm__meta_field_hint(meta, kwargs[i].name, &hint);
		rc = set_field_meta(inst, fm, &kwargs[i].value, &err);
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
		if ((rc = set_field(inst, lookup[i].name, &lookup[i].value, &err)))
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

int corm_get_or_create(corm_db *db, const corm_model *model, void *out, bool *created,
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

int corm_update_or_create(corm_db *db, const corm_model *model, void *out, bool *created,
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

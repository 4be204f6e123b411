/*
 * Model instances in memory: allocation with defaults, copies, field
 * assignment (Django's Model.__init__ and setattr). Saving them is
 * src/persist's.
 */
#include <stdio.h>
#include <string.h>

#include "corm/query.h" /* corm_expr_free: a value handed to corm_set is consumed */
#include "model/ext.h"
#include "model/instance.h"
#include "util/alloc.h"
#include "util/error.h"

void *corm__alloc_instance(const corm_meta *meta)
{
	corm_obj *o = corm__calloc(1, meta->model->size);
	if (o) {
		o->model = meta->model;
		o->meta = meta;
	}
	return o;
}

const corm_meta *corm__instance_meta(const void *inst)
{
	const corm_obj *o = inst;
	return o ? o->meta : NULL;
}

/*
 * A new instance with every default applied, except to the fields whose bit
 * is set in `given` (fields 0..63): create() is about to set those, and a
 * default text would be allocated only to be freed.
 */
int corm__new_instance(const corm_meta *meta, uint64_t given, void **out)
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

int(corm_new)(const corm_model *model, void *out)
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
	int rc = corm__new_instance(meta, 0, (void **)out);
	if (rc == CORM_ENOMEM)
		corm__last_error(rc, "corm_new: out of memory creating a %s", meta->label);
	else if (rc)
		corm__last_error(rc, "corm_new: a default of %s failed (%s)", meta->label,
		                 corm_err_name(rc));
	return rc;
}

void corm__free_instance(void *inst)
{
	const corm_meta *meta = corm__instance_meta(inst);
	if (!inst)
		return;
	if (meta)
		corm__members_clear(meta, inst);
	corm__free(inst);
}

void corm_free(void *inst)
{
	if (inst && (((const corm_obj *)inst)->state & CORM_STATE_BORROWED)) {
		/* freeing it would free memory its owner still holds (a QuerySet's block) */
		corm__last_error(CORM_EINVAL,
		                 "corm_free: the instance is borrowed (from corm_next, or "
		                 "a related object cached by another instance): its "
		                 "owner frees it");
		return;
	}
	corm__free_instance(inst);
}

static int clone_oom(const corm_meta *meta)
{
	return corm__last_error(CORM_ENOMEM, "corm_clone: out of memory copying a %s", meta->label);
}

int(corm_clone)(const void *src, void *out)
{
	if (!out)
		return corm__last_error(CORM_EINVAL, "corm_clone: the out pointer is NULL");
	*(void **)out = NULL;
	const corm_meta *meta = corm__instance_meta(src);
	if (!meta)
		return corm__last_error(CORM_EINVAL, "corm_clone: the source is NULL or not an "
		                                     "instance of a registered model");
	corm_obj *dst = corm__alloc_instance(meta);
	if (!dst)
		return clone_oom(meta);
	/* copy plain bytes, then replace every owned pointer with a copy */
	memcpy(dst, src, meta->model->size);
	dst->_ext = NULL;
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		char *slot = (char *)dst + fm->decl->offset;
		if (fm->kind == CORM_FIELD_FK) {
			((corm_fk *)slot)->obj = NULL;
			if (fm->vtype == CORM_TYPE_TEXT)
				((corm_fk *)slot)->key = NULL;
		} else if (fm->vtype == CORM_TYPE_TEXT || fm->vtype == CORM_TYPE_DECIMAL ||
		           fm->vtype == CORM_TYPE_JSON)
			*(void **)slot = NULL;
		else if (fm->vtype == CORM_TYPE_BYTES)
			*(corm_bytes *)slot = (corm_bytes){NULL, 0};
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
				corm__free_instance(dst);
				return clone_oom(meta);
			}
			*(json_t **)((char *)dst + fm->decl->offset) = copy;
			continue;
		}
		if (corm__member_store(fm, dst, &v)) {
			corm__free_instance(dst);
			return clone_oom(meta);
		}
	}
	/* the copy is the caller's; its related objects are its own */
	dst->state &= ~CORM_STATE_BORROWED;
	if (corm__ext_copy(((const corm_obj *)src)->_ext, &dst->_ext)) {
		corm__free_instance(dst);
		return clone_oom(meta);
	}
	/* related objects loaded with the instance (select_related) are copied with it */
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		const corm_fk *from = (const corm_fk *)((const char *)src + fm->decl->offset);
		if (fm->kind == CORM_FIELD_FK && from->obj &&
		    corm_clone(from->obj, &((corm_fk *)((char *)dst + fm->decl->offset))->obj)) {
			corm__free_instance(dst);
			return CORM_ENOMEM;
		}
		if (fm->kind == CORM_FIELD_FK && from->obj)
			((corm_obj *)((corm_fk *)((char *)dst + fm->decl->offset))->obj)->state |=
			        CORM_STATE_BORROWED;
	}
	*(void **)out = dst;
	return CORM_OK;
}

int corm__no_such_field(const corm_meta *meta, const char *name, corm_err *err)
{
	return corm__err_set(err, CORM_EFIELD, "%s has no field named '%s'. Choices are: %s",
	                     meta->label, name, meta->field_choices);
}

/* Sets field fm from a user value; err gets the message. */
int corm__set_field_meta(void *inst, const corm_fmeta *fm, const corm_value *value, corm_err *err)
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
		    !corm__pk_is_set(o))
			return corm__err_set(err, CORM_EINVAL,
			                     "save() prohibited to prevent data loss due to "
			                     "unsaved related object '%s' of %s.",
			                     fm->name, meta->label);
	}
	corm_value v;
	int rc = corm__coerce(fm, value, &v, err);
	if (rc)
		return rc;
	/* corm__coerce checked dates and times already */
	if (v.type == CORM_TYPE_INT || v.type == CORM_TYPE_DECIMAL || v.type == CORM_TYPE_FLOAT)
		rc = corm__value_check(fm, &v, NULL, false, err);
	if (!rc && corm__member_store(fm, inst, &v))
		rc = corm__err_set(err, CORM_ENOMEM, "out of memory");
	corm__value_clear(&v);
	return rc;
}

/* Sets a field named by the user; err gets the message. */
int corm__set_field(void *inst, const char *name, const corm_value *value, corm_err *err)
{
	const corm_meta *meta = corm__instance_meta(inst);
	const corm_fmeta *fm = corm__meta_field(meta, name);
	return fm ? corm__set_field_meta(inst, fm, value, err)
	          : corm__no_such_field(meta, name, err);
}

int corm_set(void *inst, const char *field, corm_value value)
{
	if (!corm__instance_meta(inst) || !field) {
		if (value.type == CORM_TYPE_EXPR)
			corm_expr_free(value.u.expr);
		return corm__last_error(CORM_EINVAL,
		                        field ? "corm_set: the instance is NULL or not of a "
		                                "registered model"
		                              : "corm_set: the field name is NULL");
	}
	corm_err err = {0, CORM_BUF_INIT};
	int rc = corm__set_field(inst, field, &value, &err);
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
	const corm_meta *meta = corm__instance_meta(inst);
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

bool corm__pk_is_set(const void *inst)
{
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta)
		return false;
	if (meta->pk->decl->offset == offsetof(corm_obj, id))
		return ((const corm_obj *)inst)->id != 0;
	corm_value v;
	corm__member_get(meta->pk, inst, &v);
	/* 0 is no integer key, as obj.id (automatic keys start at 1); an empty text key is one */
	return v.type != CORM_TYPE_NULL && !(v.type == CORM_TYPE_INT && v.u.i == 0);
}

int corm_pk_value(const void *inst, corm_value *out)
{
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta || !out)
		return corm__last_error(CORM_EINVAL,
		                        out ? "corm_pk_value: the instance is NULL or not of a "
		                              "registered model"
		                            : "corm_pk_value: the out pointer is NULL");
	if (!corm__pk_is_set(inst))
		*out = corm_v_null();
	else
		corm__member_get(meta->pk, inst, out);
	return CORM_OK;
}

int64_t corm_pk(const void *inst)
{
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta)
		return 0;
	/* the implicit AutoField is obj.id: read it without the generic member read (save() asks
	 * several times per row) */
	if (meta->pk->decl->offset == offsetof(corm_obj, id))
		return ((const corm_obj *)inst)->id;
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

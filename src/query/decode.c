#include <string.h>

#include "query/decode.h"
#include "util/alloc.h"

void *corm__alloc_instance(const corm_meta *meta)
{
	corm_obj *o = corm__calloc(1, meta->model->size);
	if (o)
		o->model = meta->model;
	return o;
}

void corm__instance_reset(void *inst)
{
	corm_obj *o = inst;
	const corm_meta *meta = o->model->meta;
	for (size_t i = 0; i < meta->nfields; i++)
		corm__member_clear(&meta->fields[i], inst);
	memset(inst, 0, meta->model->size);
	o->model = meta->model;
}

/* SQLite hands decimals back through REAL; Django quantizes them to decimal_places. */
static void fix_decimal(const corm_fmeta *fm, corm_value *v)
{
	if (v->type == CORM_TYPE_DECIMAL && fm->kind == CORM_FIELD_DECIMAL)
		corm_decimal_quantize((corm_decimal *)v->u.decimal, fm->decl->decimal_places);
}

int corm__decode_instance(corm_stmt *st, const corm_meta *meta, void *inst)
{
	const corm_backend *be = st->db->be;
	for (size_t i = 0; i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		corm_value v;
		if (be->column_int_not_null && !fm->nullable && fm->vtype == CORM_TYPE_INT) {
			corm__member_store(
			        fm, inst,
			        &(corm_value){CORM_TYPE_INT,
			                      {.i = be->column_int_not_null(st->s, (int)i)}});
			continue;
		}
		int rc = be->column(st->s, (int)i, fm->vtype, &v);
		if (rc)
			return corm__db_error(st->db, rc, "cannot read column '%s' of %s as %s",
			                      fm->column, meta->label, corm__kind_name(fm->kind));
		fix_decimal(fm, &v);
		if (v.type == CORM_TYPE_DECIMAL || v.type == CORM_TYPE_JSON) {
			/* take the freshly made payload instead of copying it */
			corm__member_store(fm, inst, &(corm_value){CORM_TYPE_NULL, {0}});
			void **slot = (void **)((char *)inst + fm->decl->offset);
			*slot = v.type == CORM_TYPE_DECIMAL ? (void *)v.u.decimal
			                                    : (void *)v.u.json;
			if (fm->index < 64)
				((corm_obj *)inst)->nulls &= ~((uint64_t)1 << fm->index);
			continue;
		}
		rc = corm__member_store(fm, inst, &v);
		if (rc)
			return corm__db_error(st->db, rc, "out of memory");
	}
	corm_obj *o = inst;
	o->state |= CORM_STATE_SAVED;
	return CORM_OK;
}

int corm__decode_value(corm_stmt *st, int col, const corm_fmeta *fm, corm_value *out)
{
	const corm_backend *be = st->db->be;
	if (be->column_int_not_null && !fm->nullable && fm->vtype == CORM_TYPE_INT) {
		*out = corm_v_int(be->column_int_not_null(st->s, col));
		return CORM_OK;
	}
	corm_value v;
	int rc = st->db->be->column(st->s, col, fm->vtype, &v);
	if (rc)
		return corm__db_error(st->db, rc, "cannot read column '%s' of %s as %s", fm->column,
		                      fm->owner->label, corm__kind_name(fm->kind));
	fix_decimal(fm, &v);
	if (v.type == CORM_TYPE_DECIMAL || v.type == CORM_TYPE_JSON) {
		*out = v;
		return CORM_OK;
	}
	if (corm__value_copy(out, &v))
		return corm__db_error(st->db, CORM_ENOMEM, "out of memory");
	return CORM_OK;
}

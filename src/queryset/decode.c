#include <string.h>

#include "queryset/decode.h"
#include "util/alloc.h"

/* SQLite hands decimals back through REAL; Django quantizes them to decimal_places. */
static void fix_decimal(const corm_fmeta *fm, corm_value *v)
{
	if (v->type == CORM_TYPE_DECIMAL && fm->kind == CORM_FIELD_DECIMAL)
		corm_decimal_quantize((corm_decimal *)v->u.decimal, fm->decl->decimal_places);
}

/* Frees and zeroes everything but the text buffers, which stay for the next row. */
static void reset_keeping_texts(const corm_meta *meta, void *inst, corm_text_slot *slots)
{
	const struct corm_decode_op *ops = meta->decode_ops;
	const uint16_t *texts = meta->text_fields;
	size_t ntext = meta->ntext;
	corm__members_clear_owning(meta, inst);
	for (size_t k = 0; k < ntext; k++) { /* texts stay: their buffers are reused */
		size_t i = texts[k];
		char *p = *(char **)((char *)inst + ops[i].offset);
		if (p != slots[i].ptr) /* the caller replaced it: only its length is known */
			slots[i] = (corm_text_slot){p, p ? strlen(p) + 1 : 0};
	}
	memset(inst, 0, meta->model->size);
	((corm_obj *)inst)->model = meta->model;
	((corm_obj *)inst)->meta = meta;
	for (size_t k = 0; k < ntext; k++)
		*(char **)((char *)inst + ops[texts[k]].offset) = slots[texts[k]].ptr;
}

/*
 * A text field, copied with the length the driver gave. The member is NULL
 * (a fresh instance) or, with a slot, the buffer of the iterator's previous
 * row, which is reused when the text fits.
 */
static int store_text(char **member, const char *text, size_t len, corm_text_slot *slot)
{
	if (!text) {
		corm__free(*member);
		*member = NULL;
		if (slot)
			*slot = (corm_text_slot){NULL, 0};
		return CORM_OK;
	}
	if (!slot || len >= slot->cap) {
		size_t cap = slot ? (len + 16) & ~(size_t)15 : len + 1;
		char *p = corm__alloc(cap);
		if (!p)
			return CORM_ENOMEM;
		if (slot) /* a fresh instance's member is NULL */
			corm__free(*member);
		*member = p;
		if (slot)
			*slot = (corm_text_slot){p, cap};
	}
	memcpy(*member, text, len);
	(*member)[len] = '\0';
	return CORM_OK;
}

/* An integer the member cannot hold is an error, never a wrapped value. */
static int unfit(corm_stmt *st, const corm_fmeta *fm, int64_t v)
{
	corm_err err = {0, CORM_BUF_INIT};
	corm__int_unfit(fm, v, &err);
	int rc = corm__db_take(st->db, &err);
	corm__err_free(&err);
	return rc;
}

static int cannot_read(corm_stmt *st, const corm_fmeta *fm, int rc)
{
	return corm__db_error(st->db, rc, "cannot read column '%s' of %s as %s", fm->column,
	                      fm->owner->label, corm__kind_name(fm->kind));
}

int corm__decode_instance(corm_stmt *st, const corm_meta *meta, void *inst, corm_text_slot *slots,
                          int first_col)
{
	const corm_backend *be = st->db->be;
	/* in locals: every store below goes through a char *, which the compiler must assume
	 * could change any of these */
	int (*int_not_null)(void *, int, int64_t *) = be->column_int_not_null;
	int (*column_text)(void *, int, const char **, size_t *) = be->column_text;
	void *s = st->s;
	const struct corm_decode_op *ops = meta->decode_ops;
	size_t n = meta->nfields;
	if (slots)
		reset_keeping_texts(meta, inst, slots);
	for (size_t i = 0; i < n; i++) {
		char *member = (char *)inst + ops[i].offset;
		int rc;
		/* NOT NULL integers and texts go straight into the (fresh or reset) instance: no
		 * related object, NULL bit or old text to undo */
		switch ((corm_store)ops[i].store) {
		case CORM_STORE_TEXT: {
			const char *text;
			size_t len = 0;
			rc = column_text(s, first_col + (int)i, &text, &len);
			if (rc)
				return cannot_read(st, &meta->fields[i], rc);
			if (store_text((char **)member, text, len, slots ? &slots[i] : NULL))
				return corm__db_error(st->db, CORM_ENOMEM, "out of memory");
			continue;
		}
		case CORM_STORE_INT64:
		case CORM_STORE_INT32:
		case CORM_STORE_INT16:
		case CORM_STORE_FK_ID:
		case CORM_STORE_BOOL: {
			int64_t v;
			if (!int_not_null)
				break;
			rc = int_not_null(s, first_col + (int)i, &v);
			if (rc)
				return cannot_read(st, &meta->fields[i], rc);
			switch ((corm_store)ops[i].store) {
			case CORM_STORE_INT64:
				*(int64_t *)member = v;
				break;
			case CORM_STORE_INT32:
				if (!corm__int_fits(&meta->fields[i], v))
					return unfit(st, &meta->fields[i], v);
				*(int32_t *)member = (int32_t)v;
				break;
			case CORM_STORE_INT16:
				if (!corm__int_fits(&meta->fields[i], v))
					return unfit(st, &meta->fields[i], v);
				*(int16_t *)member = (int16_t)v;
				break;
			case CORM_STORE_FK_ID:
				((corm_fk *)member)->id = v;
				break;
			default:
				*(bool *)member = v != 0;
				break;
			}
			continue;
		}
		case CORM_STORE_VALUE:
			break;
		}
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->kind == CORM_FIELD_GENERIC_IP) {
			/* the text as the server wrote it (as Django reads it), less PostgreSQL's
			 * host netmask */
			const char *text;
			size_t len = 0;
			if ((rc = column_text(s, first_col + (int)i, &text, &len)))
				return cannot_read(st, fm, rc);
			if (store_text((char **)member, text, len, NULL))
				return corm__db_error(st->db, CORM_ENOMEM, "out of memory");
			corm__ip_from_db(*(char **)member);
			continue;
		}
		corm_value v;
		rc = be->column(s, first_col + (int)i, fm->vtype, &v);
		if (rc)
			return cannot_read(st, fm, rc);
		if (v.type == CORM_TYPE_NULL && !corm__vtype_is_pointer(fm->vtype)) {
			/* the member is already zero: only the NULL bit to set */
			if (fm->index < 64)
				((corm_obj *)inst)->nulls |= (uint64_t)1 << fm->index;
			continue;
		}
		if (v.type == CORM_TYPE_DATETIME && fm->vtype == CORM_TYPE_DATETIME) {
			*(corm_datetime *)member = v.u.datetime;
			continue;
		}
		if (v.type == CORM_TYPE_INT && fm->kind == CORM_FIELD_FK) {
			((corm_fk *)member)->id = v.u.i;
			continue;
		}
		if (v.type == CORM_TYPE_INT && !corm__int_fits(fm, v.u.i))
			return unfit(st, fm, v.u.i);
		fix_decimal(fm, &v);
		if (v.type == CORM_TYPE_DECIMAL || v.type == CORM_TYPE_JSON) {
			/* take the freshly made payload instead of copying it */
			*(void **)member = v.type == CORM_TYPE_DECIMAL ? (void *)v.u.decimal
			                                               : (void *)v.u.json;
			continue;
		}
		if (corm__member_store(fm, inst, &v))
			return corm__db_error(st->db, CORM_ENOMEM, "out of memory");
	}
	corm_obj *o = inst;
	o->state |= CORM_STATE_SAVED;
	return CORM_OK;
}

int corm__decode_value(corm_stmt *st, int col, const corm_fmeta *fm, bool maybe_null,
                       corm_value *out)
{
	const corm_backend *be = st->db->be;
	if (be->column_int_not_null && !fm->nullable && !maybe_null &&
	    (fm->vtype == CORM_TYPE_INT || fm->vtype == CORM_TYPE_BOOL)) {
		int64_t i;
		int rc = be->column_int_not_null(st->s, col, &i);
		if (rc)
			return cannot_read(st, fm, rc);
		*out = fm->vtype == CORM_TYPE_BOOL ? corm_v_bool(i != 0) : corm_v_int(i);
		return CORM_OK;
	}
	corm_value v;
	int rc = st->db->be->column(st->s, col, fm->vtype, &v);
	if (rc)
		return cannot_read(st, fm, rc);
	fix_decimal(fm, &v);
	if (v.type == CORM_TYPE_DECIMAL || v.type == CORM_TYPE_JSON) {
		*out = v;
		return CORM_OK;
	}
	if (corm__value_copy(out, &v))
		return corm__db_error(st->db, CORM_ENOMEM, "out of memory");
	return CORM_OK;
}

/* values() rows: cells by position or name, and the typed getters. */
#include <string.h>

#include "queryset/queryset.h"

size_t corm_row_len(const corm_row *row)
{
	return row ? row->n : 0;
}

const char *corm_row_name(const corm_row *row, size_t i)
{
	return row && i < row->n ? row->names[i] : NULL;
}

const corm_value *corm_row_cell(const corm_row *row, size_t i)
{
	return row && i < row->n ? &row->cells[i] : NULL;
}

const corm_value *corm_row_get(const corm_row *row, const char *name)
{
	for (size_t i = 0; row && name && i < row->n; i++)
		if (!strcmp(row->names[i], name))
			return &row->cells[i];
	return NULL;
}

bool corm_row_is_null(const corm_row *row, const char *name)
{
	const corm_value *v = corm_row_get(row, name);
	return v && v->type == CORM_TYPE_NULL;
}

/* The cell, checked to be of `type`: CORM_OK, CORM_EINVAL, CORM_EFIELD or CORM_ETYPE. */
static int cell(const corm_row *row, const char *name, const void *out, corm_type type,
                const corm_value **v)
{
	if (!row || !name || !out)
		return CORM_EINVAL;
	if (!(*v = corm_row_get(row, name)))
		return CORM_EFIELD;
	return (*v)->type == type ? CORM_OK : CORM_ETYPE;
}

int corm_row_int(const corm_row *row, const char *name, int64_t *out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_INT, &v);
	if (rc == CORM_ETYPE && v->type == CORM_TYPE_BOOL) {
		*out = v->u.b;
		return CORM_OK;
	}
	if (!rc)
		*out = v->u.i;
	return rc;
}

int corm_row_float(const corm_row *row, const char *name, double *out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_FLOAT, &v);
	/* integers up to 2^53 are exact in a double */
	if (rc == CORM_ETYPE && v->type == CORM_TYPE_INT && v->u.i <= (1LL << 53) &&
	    v->u.i >= -(1LL << 53)) {
		*out = (double)v->u.i;
		return CORM_OK;
	}
	if (!rc)
		*out = v->u.f;
	return rc;
}

int corm_row_bool(const corm_row *row, const char *name, bool *out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_BOOL, &v);
	if (rc == CORM_ETYPE && v->type == CORM_TYPE_INT && (v->u.i == 0 || v->u.i == 1)) {
		*out = v->u.i == 1;
		return CORM_OK;
	}
	if (!rc)
		*out = v->u.b;
	return rc;
}

int corm_row_text(const corm_row *row, const char *name, const char **out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_TEXT, &v);
	if (!rc)
		*out = v->u.text;
	return rc;
}

int corm_row_date(const corm_row *row, const char *name, corm_date *out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_DATE, &v);
	if (!rc)
		*out = v->u.date;
	return rc;
}

int corm_row_datetime(const corm_row *row, const char *name, corm_datetime *out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_DATETIME, &v);
	if (!rc)
		*out = v->u.datetime;
	return rc;
}

int corm_row_decimal(const corm_row *row, const char *name, const corm_decimal **out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_DECIMAL, &v);
	if (!rc)
		*out = v->u.decimal;
	return rc;
}

int corm_row_json(const corm_row *row, const char *name, const json_t **out)
{
	const corm_value *v;
	int rc = cell(row, name, out, CORM_TYPE_JSON, &v);
	if (!rc)
		*out = v->u.json;
	return rc;
}

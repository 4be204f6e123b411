/* Query tree -> SQL. Every value becomes a bound parameter; identifiers come from metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "sql/compiler.h"
#include "util/alloc.h"

enum { WHERE_SQL = 0, WHERE_NOTHING = 1, WHERE_EVERYTHING = 2 };

void corm__sql_param(corm_sql *s, const corm_backend *be, const corm_value *v)
{
	corm_value copy = *v;
	if (!s->borrow && corm__value_copy(&copy, v)) {
		s->oom = true;
		return;
	}
	if (corm__sql_push(s, copy, !s->borrow))
		be->placeholder(&s->text, (int)s->n);
}

/* Binds an owned text value (made by the compiler). */
static void param_owned_text(corm_sql *s, const corm_backend *be, char *text)
{
	if (!text) {
		s->oom = true;
		return;
	}
	if (corm__sql_push(s, corm_v_text(text), true))
		be->placeholder(&s->text, (int)s->n);
}

void corm__sql_column(corm_buf *b, const corm_backend *be, const corm_fmeta *fm)
{
	be->quote_name(b, fm->owner->table);
	corm_buf_putc(b, '.');
	be->quote_name(b, fm->column);
}

void corm__sql_select_list(corm_buf *b, const corm_backend *be, const corm_meta *meta)
{
	for (size_t i = 0; i < meta->nfields; i++) {
		if (i)
			corm_buf_puts(b, ", ");
		corm__sql_column(b, be, &meta->fields[i]);
	}
}

static void compile_expr(corm_sql *s, const corm_backend *be, const corm_expr *e)
{
	static const char *const ops[] = {[EXPR_ADD] = " + ",
	                                  [EXPR_SUB] = " - ",
	                                  [EXPR_MUL] = " * ",
	                                  [EXPR_DIV] = " / ",
	                                  [EXPR_MOD] = " %% "};
	switch (e->kind) {
	case EXPR_F:
		corm__sql_column(&s->text, be, e->field);
		break;
	case EXPR_VALUE:
		corm__sql_param(s, be, &e->value);
		break;
	default:
		corm_buf_putc(&s->text, '(');
		compile_expr(s, be, e->lhs);
		corm_buf_puts(&s->text, e->kind == EXPR_MOD ? " % " : ops[e->kind]);
		compile_expr(s, be, e->rhs);
		corm_buf_putc(&s->text, ')');
		break;
	}
}

/*
 * Writes `pattern` with each %s replaced by the output of emit() and each %t
 * by the column type of `field`. "%%" is a literal '%'.
 */
static void apply_pattern(corm_sql *s, const corm_backend *be, const corm_fmeta *field,
                          const char *pattern, void (*emit)(corm_sql *, void *), void *ctx)
{
	for (const char *p = pattern; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			emit(s, ctx);
			p++;
		} else if (p[0] == '%' && p[1] == 't') {
			(be->cast_type ? be->cast_type : be->data_type)(
			        &s->text, field->kind, field->max_length, field->decl->max_digits,
			        field->decl->decimal_places);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			corm_buf_putc(&s->text, '%');
			p++;
		} else {
			corm_buf_putc(&s->text, *p);
		}
	}
}

typedef struct emit_ctx {
	const corm_backend *be;
	const corm_value *value;
	const corm_expr *expr;
	char *owned_text;
} emit_ctx;

static void emit_rhs(corm_sql *s, void *p)
{
	emit_ctx *c = p;
	if (c->expr)
		compile_expr(s, c->be, c->expr);
	else if (c->owned_text) {
		param_owned_text(s, c->be, c->owned_text);
		c->owned_text = NULL;
	} else
		corm__sql_param(s, c->be, c->value);
}

/* Django's prep_for_like_query plus the wildcards a lookup needs. */
static char *like_value(const char *v, corm_lookup l, char esc)
{
	corm_buf b = CORM_BUF_INIT;
	if (l == CORM_LOOKUP_CONTAINS || l == CORM_LOOKUP_ICONTAINS || l == CORM_LOOKUP_ENDSWITH ||
	    l == CORM_LOOKUP_IENDSWITH)
		corm_buf_putc(&b, '%');
	for (const char *p = v; *p; p++) {
		if (*p == esc || *p == '%' || *p == '_')
			corm_buf_putc(&b, esc);
		corm_buf_putc(&b, *p);
	}
	if (l == CORM_LOOKUP_CONTAINS || l == CORM_LOOKUP_ICONTAINS ||
	    l == CORM_LOOKUP_STARTSWITH || l == CORM_LOOKUP_ISTARTSWITH)
		corm_buf_putc(&b, '%');
	return corm_buf_detach(&b);
}

/* JSON array text of an `in` list, in the backend's text forms, for in_json_sql. */
static char *json_list(const corm_value *items, size_t n)
{
	json_t *arr = json_array();
	char tmp[64];
	for (size_t i = 0; arr && i < n; i++) {
		const corm_value *v = &items[i];
		json_t *j = NULL;
		switch (v->type) {
		case CORM_TYPE_INT:
			j = json_integer(v->u.i);
			break;
		case CORM_TYPE_FLOAT:
			j = json_real(v->u.f);
			break;
		case CORM_TYPE_BOOL:
			j = json_integer(v->u.b);
			break;
		case CORM_TYPE_TEXT:
			j = json_string(v->u.text);
			break;
		case CORM_TYPE_DATE:
			corm_date_format(v->u.date, tmp);
			j = json_string(tmp);
			break;
		case CORM_TYPE_DATETIME:
			corm_datetime_format(v->u.datetime, tmp);
			j = json_string(tmp);
			break;
		case CORM_TYPE_TIME:
			corm_time_format(v->u.time, tmp);
			j = json_string(tmp);
			break;
		case CORM_TYPE_DURATION:
			j = json_integer(v->u.duration.us);
			break;
		case CORM_TYPE_UUID:
			corm_uuid_hex(v->u.uuid, tmp);
			j = json_string(tmp);
			break;
		case CORM_TYPE_DECIMAL: {
			char *d = corm_decimal_to_string(v->u.decimal);
			j = d ? json_string(d) : NULL;
			corm__free(d);
			break;
		}
		default:
			break;
		}
		if (!j || json_array_append_new(arr, j)) {
			json_decref(arr);
			return NULL;
		}
	}
	char *dumped = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
	if (!dumped)
		return NULL;
	char *out = corm__strdup(dumped); /* jansson allocates with malloc; hand back corm memory */
	free(dumped);
	return out;
}

static bool is_year_bound_lookup(const corm_node *n)
{
	return n->transform == CORM_TRANSFORM_YEAR && n->rhs.type == CORM_TYPE_INT &&
	       (n->lookup == CORM_LOOKUP_EXACT || n->lookup == CORM_LOOKUP_GT ||
	        n->lookup == CORM_LOOKUP_GTE || n->lookup == CORM_LOOKUP_LT ||
	        n->lookup == CORM_LOOKUP_LTE);
}

/* Django's YearLookup: compare the column with the year's bounds so an index can be used. */
static int year_bounds(corm_sql *s, const corm_backend *be, const corm_node *n, const char *lhs)
{
	int64_t y = n->rhs.u.i;
	if (y < 1 || y > 9999) {
		/* no such year can be stored: nothing matches exact/lt/gt the way bounds would */
		corm_buf_printf(&s->text, "%s IS NULL AND %s IS NOT NULL", lhs, lhs);
		return WHERE_SQL;
	}
	corm_value lo, hi;
	if (n->field->kind == CORM_FIELD_DATE) {
		corm_date a, b;
		corm_date_from_ymd(&a, (int)y, 1, 1);
		corm_date_from_ymd(&b, (int)y, 12, 31);
		lo = corm_v_date(a);
		hi = corm_v_date(b);
	} else {
		corm_datetime a, b;
		corm_datetime_from_parts(&a, (int)y, 1, 1, 0, 0, 0, 0);
		corm_datetime_from_parts(&b, (int)y, 12, 31, 23, 59, 59, 999999);
		lo = corm_v_datetime(a);
		hi = corm_v_datetime(b);
	}
	corm_buf_puts(&s->text, lhs);
	switch (n->lookup) {
	case CORM_LOOKUP_EXACT:
		corm_buf_puts(&s->text, " BETWEEN ");
		corm__sql_param(s, be, &lo);
		corm_buf_puts(&s->text, " AND ");
		corm__sql_param(s, be, &hi);
		break;
	case CORM_LOOKUP_GT:
		corm_buf_puts(&s->text, " > ");
		corm__sql_param(s, be, &hi);
		break;
	case CORM_LOOKUP_GTE:
		corm_buf_puts(&s->text, " >= ");
		corm__sql_param(s, be, &lo);
		break;
	case CORM_LOOKUP_LT:
		corm_buf_puts(&s->text, " < ");
		corm__sql_param(s, be, &lo);
		break;
	default:
		corm_buf_puts(&s->text, " <= ");
		corm__sql_param(s, be, &hi);
		break;
	}
	return WHERE_SQL;
}

/*
 * Writes the lookup's left-hand side: the column, through the transform and
 * the lookup's cast when there are any. The plain column, by far the common
 * case, goes straight into b.
 */
static void write_lhs(corm_buf *b, const corm_backend *be, const corm_node *n)
{
	bool transform = n->transform != CORM_TRANSFORM_NONE && !is_year_bound_lookup(n);
	const char *cast = is_year_bound_lookup(n) ? NULL : be->lookup_cast[n->lookup];
	if (!transform && !cast) {
		corm__sql_column(b, be, n->field);
		return;
	}
	corm_buf lhs = CORM_BUF_INIT;
	corm__sql_column(&lhs, be, n->field);
	if (transform && !lhs.oom) {
		corm_buf t = CORM_BUF_INIT;
		be->date_extract(&t, n->transform, n->field->vtype, corm_buf_cstr(&lhs));
		corm_buf_free(&lhs);
		lhs = t;
	}
	if (cast && !lhs.oom) {
		corm_buf t = CORM_BUF_INIT;
		for (const char *p = cast; *p; p++) {
			if (p[0] == '%' && p[1] == 's') {
				corm_buf_puts(&t, corm_buf_cstr(&lhs));
				p++;
			} else {
				corm_buf_putc(&t, *p);
			}
		}
		corm_buf_free(&lhs);
		lhs = t;
	}
	if (lhs.oom)
		b->oom = true;
	else
		corm_buf_put(b, lhs.ptr ? lhs.ptr : "", lhs.len);
	corm_buf_free(&lhs);
}

static int compile_leaf(corm_sql *s, const corm_backend *be, const corm_node *n)
{
	const corm_value *rhs = &n->rhs;
	bool bare_bool = n->lookup == CORM_LOOKUP_EXACT && rhs->type == CORM_TYPE_BOOL &&
	                 n->transform == CORM_TRANSFORM_NONE &&
	                 be->features.supports_boolean_expr_in_where;
	if (bare_bool && !rhs->u.b)
		corm_buf_puts(&s->text, "NOT ");
	size_t lhs_at = s->text.len;
	write_lhs(&s->text, be, n);
	if (s->text.oom) {
		s->oom = true;
		return WHERE_SQL;
	}
	int result = WHERE_SQL;
	emit_ctx ctx = {be, rhs, rhs->type == CORM_TYPE_EXPR ? rhs->u.expr : NULL, NULL};
	if (bare_bool) {
		/* the column alone (or NOT column) is the condition */
	} else if (is_year_bound_lookup(n)) {
		char *lhs = corm__strndup(s->text.ptr + lhs_at, s->text.len - lhs_at);
		if (!lhs) {
			s->oom = true;
			return WHERE_SQL;
		}
		s->text.len = lhs_at;
		result = year_bounds(s, be, n, lhs);
		corm__free(lhs);
	} else if (n->lookup == CORM_LOOKUP_ISNULL) {
		corm_buf_puts(&s->text, rhs->u.b ? " IS NULL" : " IS NOT NULL");
	} else if (n->lookup == CORM_LOOKUP_IN) {
		size_t len = rhs->u.list.len;
		const corm_value *items = rhs->u.list.items;
		if (len == 0) {
			result = WHERE_NOTHING; /* Django raises EmptyResultSet: no query at all */
		} else if (be->in_json_sql && len > (size_t)be->features.max_query_params / 4) {
			/* beyond the parameter limit: one JSON array parameter */
			corm_buf_putc(&s->text, ' ');
			ctx.owned_text = json_list(items, len);
			if (!ctx.owned_text)
				s->oom = true;
			else
				apply_pattern(s, be, n->field, be->in_json_sql, emit_rhs, &ctx);
			corm__free(ctx.owned_text);
		} else {
			corm_buf_puts(&s->text, " IN (");
			for (size_t i = 0; i < len; i++) {
				if (i)
					corm_buf_puts(&s->text, ", ");
				corm__sql_param(s, be, &items[i]);
			}
			corm_buf_putc(&s->text, ')');
		}
	} else if (n->lookup == CORM_LOOKUP_RANGE) {
		const corm_value *items = rhs->u.list.items;
		corm_buf_puts(&s->text, " BETWEEN ");
		corm__sql_param(s, be, &items[0]);
		corm_buf_puts(&s->text, " AND ");
		corm__sql_param(s, be, &items[1]);
	} else {
		const char *pattern = be->operators[n->lookup];
		if (ctx.expr && be->pattern_ops[n->lookup])
			pattern = be->pattern_ops[n->lookup];
		else if (!ctx.expr && rhs->type == CORM_TYPE_TEXT &&
		         n->lookup >= CORM_LOOKUP_IEXACT && n->lookup <= CORM_LOOKUP_IENDSWITH) {
			ctx.owned_text = like_value(rhs->u.text, n->lookup, be->like_escape);
			if (!ctx.owned_text)
				s->oom = true;
		}
		corm_buf_putc(&s->text, ' ');
		apply_pattern(s, be, n->field, pattern, emit_rhs, &ctx);
		corm__free(ctx.owned_text);
	}
	if (n->add_not_null && result == WHERE_SQL) {
		corm_buf_puts(&s->text, " AND ");
		corm__sql_column(&s->text, be, n->field);
		corm_buf_puts(&s->text, " IS NOT NULL");
	}
	return result;
}

/* Django's WhereNode.as_sql, with its EmptyResultSet / match-everything arithmetic. */
static int compile_where(corm_sql *s, const corm_backend *be, const corm_node *n, bool *wrapped)
{
	*wrapped = false;
	if (n->kind == NODE_LEAF) {
		size_t mark = s->text.len;
		if (n->negated)
			corm_buf_puts(&s->text, "NOT (");
		int r = compile_leaf(s, be, n);
		if (r != WHERE_SQL) {
			s->text.len = mark;
			if (s->text.ptr)
				s->text.ptr[mark] = '\0';
			return n->negated ? (r == WHERE_NOTHING ? WHERE_EVERYTHING : WHERE_NOTHING)
			                  : r;
		}
		if (n->negated)
			corm_buf_putc(&s->text, ')');
		*wrapped = n->negated || n->add_not_null;
		return WHERE_SQL;
	}
	size_t full_needed = n->kind == NODE_AND ? n->n : 1;
	size_t empty_needed = n->kind == NODE_AND ? 1 : n->n;
	size_t mark = s->text.len, emitted = 0;
	if (n->negated)
		corm_buf_puts(&s->text, "NOT ");
	size_t open = s->text.len;
	corm_buf_putc(&s->text, '(');
	for (size_t i = 0; i < n->n; i++) {
		size_t before = s->text.len;
		if (emitted)
			corm_buf_puts(&s->text, n->kind == NODE_AND ? " AND " : " OR ");
		bool w;
		int r = compile_where(s, be, n->children[i], &w);
		if (r != WHERE_SQL) {
			s->text.len = before;
			if (s->text.ptr)
				s->text.ptr[before] = '\0';
			if (r == WHERE_NOTHING)
				empty_needed--;
			else
				full_needed--;
		} else {
			emitted++;
		}
		if (empty_needed == 0 || full_needed == 0)
			break;
	}
	int result = WHERE_SQL;
	if (empty_needed == 0)
		result = n->negated ? WHERE_EVERYTHING : WHERE_NOTHING;
	else if (full_needed == 0 || emitted == 0)
		result = n->negated ? WHERE_NOTHING : WHERE_EVERYTHING;
	if (result != WHERE_SQL) {
		s->text.len = mark;
		if (s->text.ptr)
			s->text.ptr[mark] = '\0';
		return result;
	}
	if (s->text.oom) {
		s->oom = true;
		return WHERE_SQL;
	}
	if (emitted == 1 && !n->negated) {
		/* one condition needs no parentheses: drop the '(' we opened */
		memmove(s->text.ptr + open, s->text.ptr + open + 1, s->text.len - open - 1);
		s->text.len--;
		s->text.ptr[s->text.len] = '\0';
		*wrapped = false;
		return WHERE_SQL;
	}
	corm_buf_putc(&s->text, ')');
	*wrapped = true;
	return WHERE_SQL;
}

/* " WHERE ..." or nothing; WHERE_NOTHING when no row can match. */
static int where_clause(corm_sql *s, const corm_backend *be, const corm_query *q)
{
	if (q->empty)
		return WHERE_NOTHING;
	if (!q->where || q->where->n == 0)
		return WHERE_SQL;
	size_t mark = s->text.len;
	corm_buf_puts(&s->text, " WHERE ");
	bool w;
	int r = compile_where(s, be, q->where, &w);
	if (r != WHERE_SQL) {
		s->text.len = mark;
		if (s->text.ptr)
			s->text.ptr[mark] = '\0';
	}
	return r == WHERE_EVERYTHING ? WHERE_SQL : r;
}

static void limit_clause(corm_buf *b, const corm_backend *be, int64_t low, int64_t high)
{
	if (high >= 0) {
		corm_buf_puts(b, " LIMIT ");
		corm_buf_int(b, high - low);
	} else if (low > 0 && be->no_limit) {
		corm_buf_puts(b, " LIMIT ");
		corm_buf_puts(b, be->no_limit);
	}
	if (low > 0) {
		corm_buf_puts(b, " OFFSET ");
		corm_buf_int(b, low);
	}
}

/* A model's full select list: the same for every query, so its connection keeps it. */
static void model_columns(corm_sql *s, const corm_backend *be, const corm_meta *meta)
{
	uint64_t key = corm__memo_key(meta->serial, CORM_MEMO_SELECT_LIST, 0);
	size_t len, at = s->text.len;
	const char *text = s->db ? corm__memo_get(s->db, key, &len) : NULL;
	if (text) {
		corm_buf_put(&s->text, text, len);
		return;
	}
	corm__sql_select_list(&s->text, be, meta);
	if (s->db && !s->text.oom)
		corm__memo_put(s->db, key, s->text.ptr + at, s->text.len - at);
}

static void select_columns(corm_sql *s, const corm_backend *be, const corm_query *q)
{
	if (q->mode == SELECT_MODEL) {
		model_columns(s, be, q->meta);
		return;
	}
	for (size_t i = 0; i < q->nv; i++) {
		if (i)
			corm_buf_puts(&s->text, ", ");
		corm__sql_column(&s->text, be, q->vfields[i]);
	}
}

/* On failure the SQL is emptied. */
static int finish(corm_sql *s, corm_err *err)
{
	if (s->oom || s->text.oom) {
		corm__sql_reset(s);
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	}
	return CORM_OK;
}

int corm__compile_select(const corm_backend *be, const corm_query *q, corm_compile_kind kind,
                         corm_sql *s, corm_err *err)
{
	corm__sql_reset(s);
	bool sliced = q->low > 0 || q->high >= 0;
	bool subquery = kind == COMPILE_COUNT && (sliced || q->distinct);
	int64_t low = q->low, high = q->high;
	if (kind == COMPILE_EXISTS)
		high = high >= 0 && high < low + 1 ? high : low + 1;
	if (kind == COMPILE_COUNT) {
		corm_buf_puts(&s->text, "SELECT COUNT(*) AS ");
		be->quote_name(&s->text, "__count");
	}
	if (kind != COMPILE_COUNT || subquery) {
		if (subquery)
			corm_buf_puts(&s->text, " FROM (");
		corm_buf_puts(&s->text, "SELECT ");
		if (q->distinct)
			corm_buf_puts(&s->text, "DISTINCT ");
		if (kind == COMPILE_EXISTS && !q->distinct) {
			corm_buf_puts(&s->text, "(1) AS ");
			be->quote_name(&s->text, "a");
		} else
			select_columns(s, be, q);
	}
	corm_buf_puts(&s->text, " FROM ");
	be->quote_name(&s->text, q->meta->table);
	int r = where_clause(s, be, q);
	if (r == WHERE_NOTHING) {
		bool oom = s->oom || s->text.oom;
		corm__sql_reset(s);
		return oom ? corm__err_set(err, CORM_ENOMEM, "out of memory") : CORM_EMPTY_RESULT;
	}
	if (kind == COMPILE_ROWS || (subquery && sliced)) {
		corm_order *order = q->order, *made = NULL;
		size_t norder = q->norder;
		/* an explicit order_by() is used as it is; only Meta.ordering or reverse() make one
		 */
		if (!q->order_set || q->reversed) {
			if (corm__effective_order(q, &made, &norder)) {
				corm__sql_reset(s);
				return corm__err_set(err, CORM_ENOMEM, "out of memory");
			}
			order = made;
		}
		for (size_t i = 0; i < norder; i++) {
			corm_buf_puts(&s->text, i ? ", " : " ORDER BY ");
			if (!order[i].field) {
				corm_buf_printf(&s->text, "%s ASC", be->random_sql);
				continue;
			}
			bool modifier = be->features.supports_order_by_nulls_modifier;
			if (order[i].nulls && !modifier) {
				/* Django's emulation: sort on the NULL test first */
				corm__sql_column(&s->text, be, order[i].field);
				corm_buf_puts(&s->text, order[i].nulls == CORM_NULLS_LAST
				                                ? " IS NULL, "
				                                : " IS NOT NULL, ");
			}
			corm__sql_column(&s->text, be, order[i].field);
			corm_buf_puts(&s->text, order[i].desc ? " DESC" : " ASC");
			if (order[i].nulls && modifier)
				corm_buf_puts(&s->text, order[i].nulls == CORM_NULLS_LAST
				                                ? " NULLS LAST"
				                                : " NULLS FIRST");
		}
		corm__free(made);
	}
	if (kind != COMPILE_COUNT || subquery)
		limit_clause(&s->text, be, low, high);
	if (q->for_update && kind == COMPILE_ROWS && be->features.has_select_for_update) {
		corm_buf_puts(&s->text, " FOR UPDATE");
		if (q->lock_flags & CORM_LOCK_OF_SELF) {
			corm_buf_puts(&s->text, " OF ");
			be->quote_name(&s->text, q->meta->table);
		}
		if (q->lock_flags & CORM_LOCK_NOWAIT)
			corm_buf_puts(&s->text, " NOWAIT");
		else if (q->lock_flags & CORM_LOCK_SKIP_LOCKED)
			corm_buf_puts(&s->text, " SKIP LOCKED");
	}
	if (subquery)
		corm_buf_puts(&s->text, ") subquery");
	return finish(s, err);
}

int corm__compile_update(const corm_backend *be, const corm_query *q, bool borrow,
                         const corm_set_item *sets, size_t n, corm_sql *s, corm_err *err)
{
	corm__sql_reset(s);
	s->borrow = borrow;
	corm_buf_puts(&s->text, "UPDATE ");
	be->quote_name(&s->text, q->meta->table);
	corm_buf_puts(&s->text, " SET ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&s->text, ", ");
		be->quote_name(&s->text, sets[i].field->column);
		corm_buf_puts(&s->text, " = ");
		if (sets[i].value.type == CORM_TYPE_EXPR)
			compile_expr(s, be, sets[i].value.u.expr);
		else
			corm__sql_param(s, be, &sets[i].value);
	}
	if (where_clause(s, be, q) == WHERE_NOTHING) {
		corm__sql_reset(s);
		return CORM_EMPTY_RESULT;
	}
	return finish(s, err);
}

int corm__compile_delete(const corm_backend *be, const corm_query *q, corm_sql *s, corm_err *err)
{
	corm__sql_reset(s);
	corm_buf_puts(&s->text, "DELETE FROM ");
	be->quote_name(&s->text, q->meta->table);
	if (where_clause(s, be, q) == WHERE_NOTHING) {
		corm__sql_reset(s);
		return CORM_EMPTY_RESULT;
	}
	return finish(s, err);
}

void corm__compile_insert(const corm_backend *be, const corm_meta *meta, const corm_set_item *cols,
                          size_t n, bool returning, corm_sql *s)
{
	corm__sql_reset(s);
	s->borrow = true; /* the values are the instance's, alive until the statement ran */
	corm_buf_puts(&s->text, "INSERT INTO ");
	be->quote_name(&s->text, meta->table);
	if (n == 0) {
		corm_buf_puts(&s->text, " DEFAULT VALUES");
	} else {
		corm_buf_puts(&s->text, " (");
		for (size_t i = 0; i < n; i++) {
			if (i)
				corm_buf_puts(&s->text, ", ");
			be->quote_name(&s->text, cols[i].field->column);
		}
		corm_buf_puts(&s->text, ") VALUES (");
		for (size_t i = 0; i < n; i++) {
			if (i)
				corm_buf_puts(&s->text, ", ");
			corm__sql_param(s, be, &cols[i].value);
		}
		corm_buf_putc(&s->text, ')');
	}
	if (returning) {
		corm_buf_puts(&s->text, " RETURNING ");
		be->quote_name(&s->text, meta->pk->column);
	}
}

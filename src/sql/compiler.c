/* Query tree -> SQL. Every value becomes a bound parameter; identifiers come from metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/compiler.h"
#include "util/alloc.h"

enum { WHERE_SQL = 0, WHERE_NOTHING = 1, WHERE_EVERYTHING = 2 };

/*
 * Terms of one AND/OR node are written flat, but in groups of this many
 * within parentheses: SQLite refuses expressions nested more than 1000 deep,
 * and it counts every term of a flat `a OR b OR c` chain as one level.
 */
#define TERMS_PER_GROUP 500

static void fail(corm_compiler *c, int code, const char *fmt, const char *a, const char *b)
{
	if (c->error)
		return;
	c->error = code;
	corm__err_set(c->err, code, fmt, a, b);
}

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

/* A table alias the resolver made ("T3"): written bare, as Django's quote_name_unless_alias
 * does (a table of that very name would be quoted by its own reference). */
static bool generated_alias(const char *name)
{
	if (name[0] != 'T' || !name[1])
		return false;
	for (const char *p = name + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static void alias_name(corm_buf *b, const corm_backend *be, const char *alias)
{
	if (generated_alias(alias))
		corm_buf_puts(b, alias);
	else
		be->quote_name(b, alias);
}

static void quoted_column(corm_buf *b, const corm_backend *be, const char *alias,
                          const corm_fmeta *fm)
{
	alias_name(b, be, alias);
	corm_buf_putc(b, '.');
	be->quote_name(b, fm->column);
}

void corm__sql_select_list(corm_buf *b, const corm_backend *be, const corm_meta *meta,
                           const char *alias)
{
	for (size_t i = 0; i < meta->nfields; i++) {
		if (i)
			corm_buf_puts(b, ", ");
		quoted_column(b, be, alias, &meta->fields[i]);
	}
}

/* ---- the backend's SQL for lookups and transforms, found by name once per connection ---- */

static const char absent; /* the backend has no SQL for it */

static const void *find_sql(const void *table, size_t entry_size, const char *name)
{
	for (const char *p = table; p && *(const char *const *)p; p += entry_size)
		if (!strcmp(*(const char *const *)p, name))
			return p;
	return &absent;
}

static const corm_lookup_sql *lookup_sql(corm_compiler *c, const corm_lookup_def *def)
{
	const void **slot = &c->cache->lookup_sql[corm__lookup_id(def)];
	if (!*slot)
		*slot = find_sql(c->be->lookups, sizeof(corm_lookup_sql), def->name);
	if (*slot == &absent) {
		fail(c, CORM_ENOTSUP, "The '%s' lookup is not supported by the %s backend.",
		     def->name, c->be->vendor);
		return NULL;
	}
	return *slot;
}

static const corm_transform_sql *transform_sql(corm_compiler *c, const corm_transform_def *def)
{
	const void **slot = &c->cache->transform_sql[corm__transform_id(def)];
	if (!*slot)
		*slot = find_sql(c->be->transforms, sizeof(corm_transform_sql), def->name);
	if (*slot == &absent) {
		fail(c, CORM_ENOTSUP, "The '%s' transform is not supported by the %s backend.",
		     def->name, c->be->vendor);
		return NULL;
	}
	return *slot;
}

/*
 * Writes a backend template: each %s is replaced by emit(), %t by the column
 * type of `field`, "%%" by '%'.
 */
static void apply_template(corm_compiler *c, const char *tmpl, const corm_fmeta *field,
                           void (*emit)(corm_compiler *, const void *), const void *ctx)
{
	corm_buf *b = &c->s->text;
	const char *run = tmpl;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] != '%' || !p[1])
			continue;
		corm_buf_put(b, run, (size_t)(p - run));
		if (p[1] == 's')
			emit(c, ctx);
		else if (p[1] == 't' && field)
			(c->be->cast_type ? c->be->cast_type : c->be->data_type)(
			        b, field->kind, field->max_length, field->decl->max_digits,
			        field->decl->decimal_places);
		else
			corm_buf_putc(b, p[1]);
		p++;
		run = p + 1;
	}
	corm_buf_puts(b, run);
}

/* ---- expressions: one compile function per node kind ---- */

static void compile_col(corm_compiler *c, const corm_expr *e)
{
	const corm_col *col = (const corm_col *)e;
	quoted_column(&c->s->text, c->be, corm__alias_name(c->q, col->alias), e->field);
}

static void compile_value(corm_compiler *c, const corm_expr *e)
{
	corm__sql_param(c->s, c->be, &((const corm_value_expr *)e)->value);
}

static void compile_unresolved(corm_compiler *c, const corm_expr *e)
{
	fail(c, CORM_EINVAL, "%s('%s') was not resolved against a query.", e->cls->name,
	     ((const corm_fref *)e)->path);
}

static void compile_combined(corm_compiler *c, const corm_expr *e)
{
	static const char *const ops[] = {
	        [CORM_OP_ADD] = " + ", [CORM_OP_SUB] = " - ", [CORM_OP_MUL] = " * ",
	        [CORM_OP_DIV] = " / ", [CORM_OP_MOD] = " % ",
	};
	corm_buf_putc(&c->s->text, '(');
	corm__compile_expr(c, e->args[0]);
	corm_buf_puts(&c->s->text, ops[((const corm_combined *)e)->op]);
	corm__compile_expr(c, e->args[1]);
	corm_buf_putc(&c->s->text, ')');
}

static void emit_expr(corm_compiler *c, const void *e)
{
	corm__compile_expr(c, e);
}

static void compile_transform(corm_compiler *c, const corm_expr *e)
{
	const corm_transform_sql *t = transform_sql(c, ((const corm_transform_expr *)e)->def);
	if (!t)
		return;
	corm_type arg = e->args[0]->type;
	const char *tmpl = arg == CORM_TYPE_DATE && t->date_sql   ? t->date_sql
	                   : arg == CORM_TYPE_TIME && t->time_sql ? t->time_sql
	                                                          : t->sql;
	apply_template(c, tmpl, e->field, emit_expr, e->args[0]);
}

static void (*const compile_kind[CORM_EXPR_KIND_COUNT_])(corm_compiler *, const corm_expr *) = {
        [CORM_EXPR_COL] = compile_col,
        [CORM_EXPR_VALUE] = compile_value,
        [CORM_EXPR_F] = compile_unresolved,
        [CORM_EXPR_COMBINED] = compile_combined,
        [CORM_EXPR_TRANSFORM] = compile_transform,
};

void corm__compile_expr(corm_compiler *c, const corm_expr *e)
{
	compile_kind[e->cls->kind](c, e);
}

/* ---- WHERE ---- */

/* Django's prep_for_like_query plus the wildcards a lookup needs. */
static char *like_value(const char *v, unsigned flags, char esc)
{
	corm_buf b = CORM_BUF_INIT;
	if (flags & CORM_LOOKUP_F_WILD_BEFORE)
		corm_buf_putc(&b, '%');
	const char *run = v;
	for (const char *p = v; *p; p++) {
		if (*p == esc || *p == '%' || *p == '_') {
			corm_buf_put(&b, run, (size_t)(p - run));
			corm_buf_putc(&b, esc);
			run = p;
		}
	}
	corm_buf_puts(&b, run);
	if (flags & CORM_LOOKUP_F_WILD_AFTER)
		corm_buf_putc(&b, '%');
	return corm_buf_detach(&b);
}

/* jansson's output, in corm's memory (jansson may use another allocator). */
static char *json_text(const json_t *j)
{
	size_t len = json_dumpb(j, NULL, 0, JSON_COMPACT);
	char *out = len ? corm__alloc(len + 1) : NULL;
	if (!out)
		return NULL;
	json_dumpb(j, out, len, JSON_COMPACT);
	out[len] = '\0';
	return out;
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
	char *text = arr ? json_text(arr) : NULL;
	json_decref(arr);
	return text;
}

/* The column under a chain of transforms (what exclude()'s IS NOT NULL tests). */
static const corm_expr *base_col(const corm_expr *e)
{
	while (e->nargs && !corm__expr_is(e, &corm__col_class))
		e = e->args[0];
	return e;
}

/* Django's YearLookup: year__gt=2020 compares the column with the year's bounds (an index can
 * be used). */
static bool is_year_bounds(const corm_where *n)
{
	const corm_expr *l = n->lhs;
	return corm__expr_is(l, &corm__transform_class) &&
	       ((const corm_transform_expr *)l)->def == &corm__transform_year &&
	       corm__expr_is(l->args[0], &corm__col_class) && n->rhs.type == CORM_TYPE_INT &&
	       (n->lookup == &corm__lookup_exact || (n->lookup->flags & CORM_LOOKUP_F_COMPARISON));
}

static int year_bounds(corm_compiler *c, const corm_where *n)
{
	corm_sql *s = c->s;
	const corm_expr *col = n->lhs->args[0];
	int64_t y = n->rhs.u.i;
	if (y < 1 || y > 9999) {
		/* no such year can be stored: nothing matches exact/lt/gt the way bounds would */
		corm__compile_expr(c, col);
		corm_buf_puts(&s->text, " IS NULL AND ");
		corm__compile_expr(c, col);
		corm_buf_puts(&s->text, " IS NOT NULL");
		return WHERE_SQL;
	}
	corm_value lo, hi;
	if (col->type == CORM_TYPE_DATE) {
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
	corm__compile_expr(c, col);
	const char *name = n->lookup->name;
	if (n->lookup == &corm__lookup_exact) {
		corm_buf_puts(&s->text, " BETWEEN ");
		corm__sql_param(s, c->be, &lo);
		corm_buf_puts(&s->text, " AND ");
		corm__sql_param(s, c->be, &hi);
	} else if (!strcmp(name, "gt")) {
		corm_buf_puts(&s->text, " > ");
		corm__sql_param(s, c->be, &hi);
	} else if (!strcmp(name, "gte")) {
		corm_buf_puts(&s->text, " >= ");
		corm__sql_param(s, c->be, &lo);
	} else if (!strcmp(name, "lt")) {
		corm_buf_puts(&s->text, " < ");
		corm__sql_param(s, c->be, &lo);
	} else {
		corm_buf_puts(&s->text, " <= ");
		corm__sql_param(s, c->be, &hi);
	}
	return WHERE_SQL;
}

/* What %s of a lookup's operator stands for: the right-hand side. */
typedef struct rhs_ctx {
	const corm_value *value;
	char *owned_text; /* a LIKE pattern made from the value */
} rhs_ctx;

static void emit_rhs(corm_compiler *c, const void *p)
{
	rhs_ctx *r = (rhs_ctx *)p;
	if (r->value->type == CORM_TYPE_EXPR)
		corm__compile_expr(c, r->value->u.expr);
	else if (r->owned_text) {
		param_owned_text(c->s, c->be, r->owned_text);
		r->owned_text = NULL;
	} else
		corm__sql_param(c->s, c->be, r->value);
}

static void compile_in(corm_compiler *c, const corm_where *n, int *result)
{
	corm_sql *s = c->s;
	size_t len = n->rhs.u.list.len;
	const corm_value *items = n->rhs.u.list.items;
	if (len == 0) {
		*result = WHERE_NOTHING; /* Django raises EmptyResultSet: no query at all */
		return;
	}
	if (c->be->in_json_sql && c->cache->features->supports_in_json &&
	    len > (size_t)c->cache->features->max_query_params / 4) {
		/* beyond the parameter limit: one JSON array parameter */
		corm_buf_putc(&s->text, ' ');
		static const corm_value none = {CORM_TYPE_NULL, {0}};
		rhs_ctx r = {&none, json_list(items, len)};
		if (!r.owned_text)
			s->oom = true;
		else
			apply_template(c, c->be->in_json_sql, n->lhs->field, emit_rhs, &r);
		corm__free(r.owned_text);
		return;
	}
	corm_buf_puts(&s->text, " IN (");
	for (size_t i = 0; i < len; i++) {
		if (i)
			corm_buf_puts(&s->text, ", ");
		corm__sql_param(s, c->be, &items[i]);
	}
	corm_buf_putc(&s->text, ')');
}

static int compile_leaf(corm_compiler *c, const corm_where *n)
{
	corm_sql *s = c->s;
	const corm_value *rhs = &n->rhs;
	const corm_lookup_def *lookup = n->lookup;
	if (is_year_bounds(n))
		return year_bounds(c, n);
	int result = WHERE_SQL;
	switch (lookup->rhs) {
	case CORM_RHS_BOOL:
		corm__compile_expr(c, n->lhs);
		corm_buf_puts(&s->text, rhs->u.b ? " IS NULL" : " IS NOT NULL");
		break;
	case CORM_RHS_LIST:
		corm__compile_expr(c, n->lhs);
		compile_in(c, n, &result);
		break;
	case CORM_RHS_PAIR: {
		const corm_value *items = rhs->u.list.items;
		corm__compile_expr(c, n->lhs);
		corm_buf_puts(&s->text, " BETWEEN ");
		corm__sql_param(s, c->be, &items[0]);
		corm_buf_puts(&s->text, " AND ");
		corm__sql_param(s, c->be, &items[1]);
		break;
	}
	case CORM_RHS_VALUE: {
		if (lookup == &corm__lookup_exact && rhs->type == CORM_TYPE_BOOL &&
		    corm__expr_is(n->lhs, &corm__col_class) &&
		    c->cache->features->supports_boolean_expr_in_where) {
			/* the column alone (or NOT column) is the condition */
			if (!rhs->u.b)
				corm_buf_puts(&s->text, "NOT ");
			corm__compile_expr(c, n->lhs);
			break;
		}
		const corm_lookup_sql *sql = lookup_sql(c, lookup);
		if (!sql)
			break;
		bool expr = rhs->type == CORM_TYPE_EXPR;
		if (sql->lhs)
			apply_template(c, sql->lhs, n->lhs->field, emit_expr, n->lhs);
		else
			corm__compile_expr(c, n->lhs);
		rhs_ctx r = {rhs, NULL};
		if (!expr && rhs->type == CORM_TYPE_TEXT &&
		    (lookup->flags & CORM_LOOKUP_F_PATTERN) &&
		    !(r.owned_text = like_value(rhs->u.text, lookup->flags, c->be->like_escape)))
			s->oom = true;
		corm_buf_putc(&s->text, ' ');
		apply_template(c, expr && sql->expr_op ? sql->expr_op : sql->op, n->lhs->field,
		               emit_rhs, &r);
		corm__free(r.owned_text);
		break;
	}
	}
	if (n->add_not_null && result == WHERE_SQL) {
		corm_buf_puts(&s->text, " AND ");
		corm__compile_expr(c, base_col(n->lhs));
		corm_buf_puts(&s->text, " IS NOT NULL");
	}
	if (n->add_rhs_not_null && result == WHERE_SQL) {
		corm_buf_puts(&s->text, " AND ");
		corm__compile_expr(c, rhs->u.expr);
		corm_buf_puts(&s->text, " IS NOT NULL");
	}
	return result;
}

static void truncate_to(corm_sql *s, size_t mark)
{
	s->text.len = mark;
	if (s->text.ptr)
		s->text.ptr[mark] = '\0';
}

/* Django's WhereNode.as_sql, with its EmptyResultSet / match-everything arithmetic. */
static int compile_where(corm_compiler *c, const corm_where *n)
{
	corm_sql *s = c->s;
	if (n->kind == WHERE_LEAF) {
		size_t mark = s->text.len;
		if (n->negated)
			corm_buf_puts(&s->text, "NOT (");
		int r = compile_leaf(c, n);
		if (r != WHERE_SQL) {
			truncate_to(s, mark);
			return n->negated ? (r == WHERE_NOTHING ? WHERE_EVERYTHING : WHERE_NOTHING)
			                  : r;
		}
		if (n->negated)
			corm_buf_putc(&s->text, ')');
		return WHERE_SQL;
	}
	if (n->n == 0)
		return WHERE_EVERYTHING; /* Q() and ~Q() alike: Django's WhereNode gives '' */
	size_t full_needed = n->kind == WHERE_AND ? n->n : 1;
	size_t empty_needed = n->kind == WHERE_AND ? 1 : n->n;
	const char *conn = n->kind == WHERE_AND ? " AND " : " OR ";
	size_t mark = s->text.len, emitted = 0;
	if (n->negated)
		corm_buf_puts(&s->text, "NOT ");
	size_t open = s->text.len;
	corm_buf_putc(&s->text, '(');
	bool grouped = n->n > TERMS_PER_GROUP;
	if (grouped)
		corm_buf_putc(&s->text, '(');
	for (size_t i = 0; i < n->n; i++) {
		size_t before = s->text.len;
		if (emitted) {
			if (grouped && emitted % TERMS_PER_GROUP == 0) {
				corm_buf_putc(&s->text, ')');
				corm_buf_puts(&s->text, conn);
				corm_buf_putc(&s->text, '(');
			} else {
				corm_buf_puts(&s->text, conn);
			}
		}
		int r = compile_where(c, n->children[i]);
		if (r != WHERE_SQL) {
			truncate_to(s, before);
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
		truncate_to(s, mark);
		return result;
	}
	if (s->text.oom) {
		s->oom = true;
		return WHERE_SQL;
	}
	if (grouped)
		corm_buf_putc(&s->text, ')');
	if (emitted == 1 && !n->negated && !grouped) {
		/* one condition needs no parentheses: drop the '(' we opened */
		memmove(s->text.ptr + open, s->text.ptr + open + 1, s->text.len - open - 1);
		truncate_to(s, s->text.len - 1);
		return WHERE_SQL;
	}
	corm_buf_putc(&s->text, ')');
	return WHERE_SQL;
}

/* " WHERE ..." or nothing; WHERE_NOTHING when no row can match. */
static int where_clause(corm_compiler *c, const corm_where *where, bool empty)
{
	if (empty)
		return WHERE_NOTHING;
	if (!where || where->n == 0)
		return WHERE_SQL;
	size_t mark = c->s->text.len;
	corm_buf_puts(&c->s->text, " WHERE ");
	int r = compile_where(c, where);
	if (r != WHERE_SQL)
		truncate_to(c->s, mark);
	return r == WHERE_EVERYTHING ? WHERE_SQL : r;
}

/* ---- SELECT ---- */

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

/* A model's full select list under its table name: the same for every query, so the
 * connection keeps it. */
static void model_columns(corm_compiler *c, const corm_meta *meta, const char *alias)
{
	corm_sql *s = c->s;
	bool memo = alias == meta->table;
	uint64_t key = corm__memo_key(meta->serial, CORM_MEMO_SELECT_LIST, 0);
	size_t len, at = s->text.len;
	const char *text = memo ? corm__memo_get(c->cache, key, &len) : NULL;
	if (text) {
		corm_buf_put(&s->text, text, len);
		return;
	}
	corm__sql_select_list(&s->text, c->be, meta, alias);
	if (memo && !s->text.oom)
		corm__memo_put(c->cache, key, s->text.ptr + at, s->text.len - at);
}

static void select_columns(corm_compiler *c, const corm_query *q, bool related)
{
	if (q->mode == SELECT_MODEL) {
		model_columns(c, q->meta, corm__alias_name(q, 0));
		for (size_t i = 0; related && i < q->nrelated; i++) {
			const corm_alias *a = &q->aliases[q->related[i].alias];
			corm_buf_puts(&c->s->text, ", ");
			corm__sql_select_list(&c->s->text, c->be, a->meta, a->name);
		}
		return;
	}
	for (size_t i = 0; i < q->nvalues; i++) {
		if (i)
			corm_buf_puts(&c->s->text, ", ");
		corm__compile_expr(c, q->values[i].expr);
	}
}

/* FROM base [INNER JOIN / LEFT OUTER JOIN t [alias] ON (parent.fk = alias.pk)]... */
static void from_clause(corm_compiler *c, const corm_query *q)
{
	corm_buf *b = &c->s->text;
	corm_buf_puts(b, " FROM ");
	c->be->quote_name(b, q->meta->table);
	for (size_t i = 1; i < q->naliases; i++) {
		const corm_alias *a = &q->aliases[i];
		corm_buf_puts(b, a->join == CORM_JOIN_LEFT ? " LEFT OUTER JOIN " : " INNER JOIN ");
		c->be->quote_name(b, a->meta->table);
		if (strcmp(a->name, a->meta->table)) {
			corm_buf_putc(b, ' ');
			alias_name(b, c->be, a->name);
		}
		corm_buf_puts(b, " ON (");
		quoted_column(b, c->be, q->aliases[a->parent].name, a->from_field);
		corm_buf_puts(b, " = ");
		quoted_column(b, c->be, a->name, a->to_field);
		corm_buf_putc(b, ')');
	}
}

static void order_clause(corm_compiler *c, const corm_order *order, size_t norder)
{
	corm_buf *b = &c->s->text;
	bool modifier = c->cache->features->supports_order_by_nulls_modifier;
	for (size_t i = 0; i < norder; i++) {
		corm_buf_puts(b, i ? ", " : " ORDER BY ");
		const corm_expr *e = corm__order_expr(&order[i]);
		if (!e) {
			corm_buf_printf(b, "%s ASC", c->be->random_sql);
			continue;
		}
		if (order[i].nulls && !modifier) {
			/* Django's emulation: sort on the NULL test first */
			corm__compile_expr(c, e);
			corm_buf_puts(b, order[i].nulls == CORM_NULLS_LAST ? " IS NULL, "
			                                                   : " IS NOT NULL, ");
		}
		corm__compile_expr(c, e);
		corm_buf_puts(b, order[i].desc ? " DESC" : " ASC");
		if (order[i].nulls && modifier)
			corm_buf_puts(b, order[i].nulls == CORM_NULLS_LAST ? " NULLS LAST"
			                                                   : " NULLS FIRST");
	}
}

/* On failure the SQL is emptied. */
static int finish(corm_compiler *c)
{
	if (c->error) {
		corm__sql_reset(c->s);
		return c->error;
	}
	if (c->s->oom || c->s->text.oom) {
		corm__sql_reset(c->s);
		return corm__err_set(c->err, CORM_ENOMEM, "out of memory");
	}
	return CORM_OK;
}

static void compiler_init(corm_compiler *c, const corm_backend *be, corm_sql_cache *cache,
                          const corm_query *q, corm_sql *s, corm_err *err)
{
	*c = (corm_compiler){s, be, cache, q, err, CORM_OK};
	corm__sql_reset(s);
}

/*
 * ---- the shape cache ----
 *
 * A SELECT's text depends on its query's shape, not on the values it binds:
 * get(pk=1) and get(pk=2) are one text. The shape is written as words (the
 * meta's serial, the kind of statement, the select list, each WHERE node and
 * leaf by field and lookup, the ordering, the limits); a query whose shape is
 * remembered gets the text back and only its values walked into parameters,
 * without compiling. Only the shapes whose text cannot depend on a value are
 * taken: the base table alone (no joins, no select_related), plain columns on
 * the left, a value, a pair (range) or isnull on the right, no pattern
 * lookups (their parameter is made from the value), no `in` (the list's
 * length is in the text). Everything else compiles as before.
 */
#define SHAPE_WORDS 96

typedef struct shape_key {
	uint64_t w[SHAPE_WORDS];
	size_t n;
	bool ok;
} shape_key;

static void put_word(shape_key *k, uint64_t v)
{
	if (k->n < SHAPE_WORDS)
		k->w[k->n++] = v;
	else
		k->ok = false;
}

/* The field of a plain column of the base table, or NULL. */
static const corm_fmeta *base_field(const corm_expr *e)
{
	return e && corm__expr_is(e, &corm__col_class) && ((const corm_col *)e)->alias == 0
	               ? e->field
	               : NULL;
}

static bool plain_value(const corm_value *v)
{
	return v->type != CORM_TYPE_EXPR && v->type != CORM_TYPE_LIST &&
	       v->type != CORM_TYPE_OBJECT;
}

/* The two values of a range's right-hand side. */
static const corm_value *pair_items(const corm_value *v)
{
	return v->u.list.items;
}

static void shape_where(shape_key *k, const corm_where *n)
{
	if (!k->ok)
		return;
	put_word(k, (uint64_t)n->kind | (uint64_t)n->negated << 8 | (uint64_t)n->n << 16);
	if (n->kind != WHERE_LEAF) {
		if (n->n == 0) { /* Q(): the compiler leaves it out, with what it may cut */
			k->ok = false;
			return;
		}
		for (size_t i = 0; k->ok && i < n->n; i++)
			shape_where(k, n->children[i]);
		return;
	}
	const corm_fmeta *f = base_field(n->lhs);
	const corm_lookup_def *l = n->lookup;
	const corm_value *rhs = &n->rhs;
	uint64_t extra = 0;
	if (!f || (l->flags & CORM_LOOKUP_F_PATTERN) || n->add_rhs_not_null) {
		k->ok = false;
		return;
	}
	switch (l->rhs) {
	case CORM_RHS_VALUE:
		if (!plain_value(rhs))
			k->ok = false;
		else if (rhs->type == CORM_TYPE_BOOL) /* exact=True may be the column alone */
			extra = 1 + (uint64_t)rhs->u.b;
		break;
	case CORM_RHS_BOOL:
		extra = 1 + (uint64_t)rhs->u.b;
		break;
	case CORM_RHS_PAIR:
		if (rhs->type != CORM_TYPE_LIST || rhs->u.list.len != 2 ||
		    !plain_value(&pair_items(rhs)[0]) || !plain_value(&pair_items(rhs)[1]))
			k->ok = false;
		else
			extra = (uint64_t)pair_items(rhs)[0].type << 2 |
			        (uint64_t)pair_items(rhs)[1].type << 10;
		break;
	default:
		k->ok = false;
		break;
	}
	put_word(k, (uint64_t)(uintptr_t)f);
	put_word(k, (uint64_t)(uintptr_t)l);
	put_word(k, (uint64_t)rhs->type | extra << 8 | (uint64_t)n->add_not_null << 40);
}

/* The shape of a SELECT of `kind` over q; k->ok false when it is not one the cache takes. */
static void select_shape(shape_key *k, const corm_query *q, corm_compile_kind kind)
{
	k->n = 0;
	k->ok = !q->empty && q->naliases <= 1 && !q->nrelated && !q->nannotations &&
	        !q->ngroup_by && !q->having;
	if (!k->ok)
		return;
	put_word(k, q->meta->serial);
	put_word(k, (uint64_t)kind | (uint64_t)q->mode << 4 | (uint64_t)q->distinct << 8 |
	                    (uint64_t)q->for_update << 9 | (uint64_t)q->order_set << 10 |
	                    (uint64_t)q->reversed << 11 | (uint64_t)q->lock_flags << 16);
	put_word(k, (uint64_t)q->low);
	put_word(k, (uint64_t)q->high);
	if (q->mode != SELECT_MODEL) {
		put_word(k, q->nvalues);
		for (size_t i = 0; k->ok && i < q->nvalues; i++) {
			const corm_fmeta *f = base_field(q->values[i].expr);
			if (!f)
				k->ok = false;
			put_word(k, (uint64_t)(uintptr_t)f);
		}
	}
	put_word(k, q->norder);
	for (size_t i = 0; k->ok && i < q->norder; i++) {
		const corm_expr *e = corm__order_expr(&q->order[i]);
		const corm_fmeta *f = e ? base_field(e) : NULL;
		if (e && !f)
			k->ok = false;
		put_word(k, (uint64_t)(uintptr_t)f);
		put_word(k, (uint64_t)q->order[i].desc | (uint64_t)q->order[i].nulls << 1);
	}
	if (q->where && q->where->n)
		shape_where(k, q->where);
	else
		put_word(k, UINT64_MAX);
}

static uint64_t shape_hash(const shape_key *k)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < k->n; i++) {
		h ^= k->w[i];
		h *= 0x100000001b3u;
		h ^= h >> 29;
	}
	return h;
}

/* Whether a leaf written as the column alone (exact=True/False): no parameter. */
static bool column_alone(const corm_compiler *c, const corm_where *n)
{
	return n->lookup == &corm__lookup_exact && n->rhs.type == CORM_TYPE_BOOL &&
	       c->cache->features->supports_boolean_expr_in_where;
}

/* A parameter whose placeholder the remembered text holds already: copied as corm__sql_param
 * copies it. */
static void shape_param(corm_sql *s, const corm_value *v)
{
	corm_value copy = *v;
	if (!s->borrow && corm__value_copy(&copy, v)) {
		s->oom = true;
		return;
	}
	corm__sql_push(s, copy, !s->borrow);
}

/* The values of a shaped WHERE tree as parameters, in the order compile_leaf binds them. */
static void shape_params(corm_compiler *c, const corm_where *n)
{
	if (n->kind != WHERE_LEAF) {
		for (size_t i = 0; i < n->n; i++)
			shape_params(c, n->children[i]);
		return;
	}
	if (n->lookup->rhs == CORM_RHS_VALUE && !column_alone(c, n)) {
		shape_param(c->s, &n->rhs);
	} else if (n->lookup->rhs == CORM_RHS_PAIR) {
		shape_param(c->s, &pair_items(&n->rhs)[0]);
		shape_param(c->s, &pair_items(&n->rhs)[1]);
	}
}

static bool same_param(const corm_value *a, const corm_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CORM_TYPE_TEXT:
		return !strcmp(a->u.text, b->u.text);
	case CORM_TYPE_INT:
		return a->u.i == b->u.i;
	default:
		return true;
	}
}

/* Whether the compiled parameters are, one for one, what shape_params makes from the tree. */
static bool params_match(const corm_compiler *c, const corm_where *n, size_t *at)
{
	if (n->kind != WHERE_LEAF) {
		for (size_t i = 0; i < n->n; i++)
			if (!params_match(c, n->children[i], at))
				return false;
		return true;
	}
	const corm_sql *s = c->s;
	if (n->lookup->rhs == CORM_RHS_VALUE && !column_alone(c, n))
		return *at < s->n && same_param(&s->params[(*at)++], &n->rhs);
	if (n->lookup->rhs == CORM_RHS_PAIR)
		return *at + 1 < s->n && same_param(&s->params[*at], &pair_items(&n->rhs)[0]) &&
		       same_param(&s->params[*at + 1], &pair_items(&n->rhs)[1]) && (*at += 2);
	return true;
}

static int compile_select(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                          corm_compile_kind kind, corm_sql *s, corm_err *err);

int corm__compile_select(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         corm_compile_kind kind, corm_sql *s, corm_err *err)
{
	shape_key k;
	select_shape(&k, q, kind);
	uint64_t hash = k.ok ? shape_hash(&k) : 0;
	const corm_shape_entry *hit = k.ok ? corm__shape_get(cache, hash, k.w, k.n) : NULL;
	if (hit) {
		corm_compiler c;
		compiler_init(&c, be, cache, q, s, err);
		corm_buf_put(&s->text, hit->sql, hit->len);
		if (q->where && q->where->n)
			shape_params(&c, q->where);
		return finish(&c);
	}
	int rc = compile_select(be, cache, q, kind, s, err);
	if (rc == CORM_OK && k.ok) {
		corm_compiler c = {s, be, cache, q, err, CORM_OK};
		size_t at = 0;
		if ((!q->where || !q->where->n || params_match(&c, q->where, &at)) && at == s->n)
			corm__shape_put(cache, hash, k.w, k.n, s->text.ptr, s->text.len);
	}
	return rc;
}

static int compile_select(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                          corm_compile_kind kind, corm_sql *s, corm_err *err)
{
	corm_compiler c;
	compiler_init(&c, be, cache, q, s, err);
	bool sliced = q->low > 0 || q->high >= 0;
	bool subquery = kind == COMPILE_COUNT && (sliced || q->distinct);
	int64_t low = q->low, high = q->high;
	if (kind == COMPILE_EXISTS)
		high = high >= 0 && high <= low ? high : low < INT64_MAX ? low + 1 : low;
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
			/* a count's subquery leaves select_related out, as Django does (two "id"
			 * columns in a derived table are an error on MariaDB) */
			select_columns(&c, q, kind == COMPILE_ROWS);
	}
	from_clause(&c, q);
	int r = where_clause(&c, q->where, q->empty);
	if (r == WHERE_NOTHING && !c.error) {
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
			if (corm__effective_order((corm_query *)q, &made, &norder)) {
				corm__sql_reset(s);
				return corm__err_set(err, CORM_ENOMEM, "out of memory");
			}
			order = made;
		}
		order_clause(&c, order, norder);
		corm__order_free(made, norder);
	}
	if (kind != COMPILE_COUNT || subquery)
		limit_clause(&s->text, be, low, high);
	if (q->for_update && kind == COMPILE_ROWS && cache->features->has_select_for_update) {
		corm_buf_puts(&s->text, " FOR UPDATE");
		if (q->lock_flags & CORM_LOCK_OF_SELF) {
			corm_buf_puts(&s->text, " OF ");
			be->quote_name(&s->text, corm__alias_name(q, 0));
		}
		if (q->lock_flags & CORM_LOCK_NOWAIT)
			corm_buf_puts(&s->text, " NOWAIT");
		else if (q->lock_flags & CORM_LOCK_SKIP_LOCKED)
			corm_buf_puts(&s->text, " SKIP LOCKED");
	}
	if (subquery)
		corm_buf_puts(&s->text, ") subquery");
	return finish(&c);
}

/* UPDATE and DELETE read one table; a condition across a relation needs Django's pk__in
 * subquery (or, on MySQL, the pks fetched first), which the relations work brings. */
static int single_table(corm_compiler *c, const corm_query *q, const char *what)
{
	if (q->naliases > 1) {
		fail(c, CORM_ENOTSUP,
		     "%s() across relations (a filter on '%s') is not supported yet.", what,
		     q->aliases[1].meta->label);
		return c->error;
	}
	return CORM_OK;
}

int corm__compile_update(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         bool borrow, const corm_set_item *sets, size_t n, corm_sql *s,
                         corm_err *err)
{
	corm_compiler c;
	compiler_init(&c, be, cache, q, s, err);
	if (single_table(&c, q, "update"))
		return finish(&c);
	s->borrow = borrow;
	corm_buf_puts(&s->text, "UPDATE ");
	c.be->quote_name(&s->text, q->meta->table);
	corm_buf_puts(&s->text, " SET ");
	for (size_t i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&s->text, ", ");
		c.be->quote_name(&s->text, sets[i].field->column);
		corm_buf_puts(&s->text, " = ");
		if (sets[i].value.type == CORM_TYPE_EXPR)
			corm__compile_expr(&c, sets[i].value.u.expr);
		else
			corm__sql_param(s, c.be, &sets[i].value);
	}
	if (where_clause(&c, q->where, q->empty) == WHERE_NOTHING && !c.error) {
		corm__sql_reset(s);
		return CORM_EMPTY_RESULT;
	}
	return finish(&c);
}

int corm__compile_delete(const corm_backend *be, corm_sql_cache *cache, const corm_query *q,
                         corm_sql *s, corm_err *err)
{
	corm_compiler c;
	compiler_init(&c, be, cache, q, s, err);
	if (single_table(&c, q, "delete"))
		return finish(&c);
	corm_buf_puts(&s->text, "DELETE FROM ");
	c.be->quote_name(&s->text, q->meta->table);
	if (where_clause(&c, q->where, q->empty) == WHERE_NOTHING && !c.error) {
		corm__sql_reset(s);
		return CORM_EMPTY_RESULT;
	}
	return finish(&c);
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

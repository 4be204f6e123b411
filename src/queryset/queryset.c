/*
 * QuerySets (Django's db/models/query.py): lazy, chainable, cached. Builders
 * change the query tree; evaluation compiles it and decodes rows.
 */
#include <stdio.h>
#include <string.h>

#include "queryset/decode.h"
#include "queryset/queryset.h"
#include "sql/compiler.h"
#include "util/alloc.h"

/* ---- errors ---- */

/* Records a sticky error on the QuerySet and the connection. */
static int qs_fail(corm_qs *qs, int code, const char *msg)
{
	if (!qs->error) {
		qs->error = code;
		corm_buf_clear(&qs->errmsg);
		corm_buf_puts(&qs->errmsg, msg ? msg : "out of memory");
	}
	corm__db_error(qs->db, qs->error, "%s",
	               corm_buf_cstr(&qs->errmsg) ? corm_buf_cstr(&qs->errmsg) : "out of memory");
	return qs->error;
}

static int qs_fail_err(corm_qs *qs, corm_err *err)
{
	int rc = qs_fail(qs, err->code, corm_buf_cstr(&err->msg));
	corm__err_free(err);
	return rc;
}

/* The sticky error, re-reported on the connection; CORM_OK when none. */
static int qs_check(corm_qs *qs)
{
	if (!qs)
		return CORM_EINVAL;
	if (qs->db->closed)
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "the QuerySet's connection was closed (corm_close): free the "
		                      "QuerySet before closing its connection");
	corm__db_ok(qs->db);
	return qs->error ? qs_fail(qs, qs->error, NULL) : CORM_OK;
}

/* ---- result cache ---- */

/*
 * Cached results are carved out of blocks, so that fetching 100,000 rows
 * costs a few allocations, like an array of structs, instead of one per row.
 * Blocks double from 2 KiB to 64 KiB: a page of 20 rows takes one small
 * block, and only what is carved is zeroed (a zeroed 64 KiB block cost a
 * 20-row page a fifth of its time). Instances handed out by corm_next are
 * borrowed, so nobody but the QuerySet frees them.
 */
typedef struct corm_block {
	struct corm_block *next;
	size_t used, size;
	_Alignas(16) char data[];
} corm_block;

#define BLOCK_FIRST (2 * 1024)
#define BLOCK_MAX   (64 * 1024)

/* How many rows a slice lets through ([:20] -> 20), or -1 when the QuerySet is not sliced. */
static int64_t slice_rows(const corm_qs *qs)
{
	return qs->query.high >= 0 ? qs->query.high - qs->query.low : -1;
}

static void *block_take(corm_qs *qs, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	corm_block *b = qs->blocks;
	if (!b || b->size - b->used < size) {
		size_t cap = b ? (b->size < BLOCK_MAX ? b->size * 2 : BLOCK_MAX) : BLOCK_FIRST;
		/* a slice says how many rows can come: [:20] takes one block of 20 */
		int64_t most = slice_rows(qs);
		if (!b && most > 0 && (uint64_t)most * size < BLOCK_MAX)
			cap = (size_t)most * size;
		if (cap < size)
			cap = size;
		b = corm__alloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->size = cap;
		b->used = 0;
		b->next = qs->blocks;
		qs->blocks = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	return memset(p, 0, size);
}

static void free_blocks(corm_qs *qs)
{
	while (qs->blocks) {
		corm_block *next = qs->blocks->next;
		corm__free(qs->blocks);
		qs->blocks = next;
	}
}

/* Frees a row's cell payloads, and its cell array unless it lives in a block. */
static void free_row(corm_row *r, bool own_cells)
{
	for (size_t i = 0; r->cells && i < r->n; i++)
		corm__value_free(&r->cells[i]);
	if (own_cells)
		corm__free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

static void stop_stream(corm_qs *qs)
{
	corm__stmt_close(&qs->stream);
	qs->streaming = false;
	corm__free_instance(qs->current);
	qs->current = NULL;
	corm__free(qs->text_slots);
	qs->text_slots = NULL;
	free_row(&qs->current_row, true);
}

static void drop_cache(corm_qs *qs)
{
	stop_stream(qs);
	for (size_t i = 0; qs->items && i < qs->len; i++)
		corm__members_clear(qs->query.meta, qs->items[i]);
	for (size_t i = 0; i < qs->ncells; i++)
		if (qs->cells[i].type >= CORM_TYPE_TEXT) /* NULL, numbers, booleans own nothing */
			corm__value_free(&qs->cells[i]);
	free_blocks(qs);
	corm__free(qs->items);
	corm__free(qs->rows);
	corm__free(qs->cells);
	qs->items = NULL;
	qs->rows = NULL;
	qs->cells = NULL;
	qs->len = qs->cap = qs->pos = qs->ncells = qs->cells_cap = 0;
	qs->evaluated = false;
	corm_buf_clear(&qs->sql);
	for (size_t i = 0; i < qs->nparams; i++)
		corm__value_free(&qs->params[i]);
	corm__free(qs->params);
	qs->params = NULL;
	qs->nparams = 0;
}

/* Every builder starts here: honours the sticky error and drops stale results. */
static int begin_change(corm_qs *qs)
{
	int rc = qs_check(qs);
	if (rc)
		return rc;
	drop_cache(qs);
	return CORM_OK;
}

/* ---- life cycle ---- */

corm_qs *corm_objects(corm_db *db, const corm_model *model)
{
	if (!db)
		return NULL;
	corm__db_ok(db);
	if (db->closed) {
		corm__db_error(db, CORM_EINVAL,
		               "corm_objects: the connection was closed (corm_close)");
		return NULL;
	}
	const corm_meta *meta = corm__meta(model);
	if (!meta && corm__meta_pending(model)) {
		corm__db_error(db, CORM_EINVAL, "corm_objects: %s.%s: " CORM__NOT_READY,
		               model->app_label, model->name);
		return NULL;
	}
	if (!meta) {
		corm__db_error(db, CORM_EINVAL,
		               "corm_objects: model %s is not registered (corm_registry_add)",
		               model && model->name ? model->name : "(NULL)");
		return NULL;
	}
	corm_qs *qs = corm__calloc(1, sizeof *qs);
	if (!qs) {
		corm__db_error(db, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	qs->db = db;
	corm__db_retain(db);
	corm__query_init(&qs->query, meta);
	return qs;
}

void corm_qs_free(corm_qs *qs)
{
	if (!qs)
		return;
	corm_db *db = qs->db;
	drop_cache(qs);
	corm__query_clear(&qs->query);
	corm_buf_free(&qs->errmsg);
	corm_buf_free(&qs->sql);
	corm__free(qs->names);
	corm__free(qs);
	corm__db_release(db); /* last: a closed connection is freed with its last QuerySet */
}

/* qs->names: the values() cell names, views of the select items' names (rows point at it). */
static int make_names(corm_qs *qs)
{
	corm__free(qs->names);
	qs->names = NULL;
	if (!qs->query.nvalues)
		return CORM_OK;
	qs->names = corm__calloc(qs->query.nvalues, sizeof(char *));
	if (!qs->names)
		return CORM_ENOMEM;
	for (size_t i = 0; i < qs->query.nvalues; i++)
		qs->names[i] = qs->query.values[i].name;
	return CORM_OK;
}

corm_qs *corm_qs_clone(const corm_qs *src)
{
	if (!src)
		return NULL;
	corm_qs *qs = corm__calloc(1, sizeof *qs);
	if (!qs)
		return NULL;
	qs->db = src->db;
	corm__db_retain(qs->db);
	qs->error = src->error;
	corm_buf_puts(&qs->errmsg, corm_buf_cstr((corm_buf *)&src->errmsg)
	                                   ? corm_buf_cstr((corm_buf *)&src->errmsg)
	                                   : "");
	qs->chunk_size = src->chunk_size;
	int rc = corm__query_copy(&qs->query, &src->query);
	if (!rc)
		rc = make_names(qs);
	if (rc || qs->errmsg.oom) {
		corm_qs_free(qs);
		return NULL;
	}
	return qs;
}

/* ---- builders ---- */

/*
 * "slug='x', view_count__gt=5": the conditions of a query, written only when
 * a get() fails (formatting values on every filter() would cost every query).
 */
/* "author__username": the path of a Col, from the joins its alias hangs from. */
static void describe_alias(corm_buf *b, const corm_query *q, int alias)
{
	if (alias <= 0 || (size_t)alias >= q->naliases)
		return;
	describe_alias(b, q, q->aliases[alias].parent);
	const corm_alias *a = &q->aliases[alias];
	corm_buf_printf(b, "%s__", a->rel ? a->rel->query_name : a->from_field->name);
}

static void describe_expr(corm_buf *b, const corm_query *q, const corm_expr *e)
{
	if (corm__expr_is(e, &corm__transform_class)) {
		describe_expr(b, q, e->args[0]);
		corm_buf_printf(b, "__%s", ((const corm_transform_expr *)e)->def->name);
	} else if (corm__expr_is(e, &corm__col_class)) {
		describe_alias(b, q, ((const corm_col *)e)->alias);
		corm_buf_puts(b, e->field->name);
	} else {
		corm_buf_puts(b, e->cls->name);
	}
}

static void describe(corm_buf *b, const corm_query *q, const corm_where *n)
{
	if (n->kind != WHERE_LEAF) {
		for (size_t i = 0; i < n->n; i++)
			describe(b, q, n->children[i]);
		return;
	}
	if (b->len)
		corm_buf_puts(b, ", ");
	if (n->negated)
		corm_buf_puts(b, "NOT ");
	describe_expr(b, q, n->lhs);
	if (n->lookup != &corm__lookup_exact)
		corm_buf_printf(b, "__%s", n->lookup->name);
	corm_buf_putc(b, '=');
	corm__value_display(b, &n->rhs);
}

static int add_filters(corm_qs *qs, corm_q *const *list, size_t n, bool negate)
{
	int rc = begin_change(qs);
	if (!rc && !list && n)
		rc = qs_fail(qs, CORM_EINVAL, "filter/exclude: the list of Q objects is NULL");
	for (size_t i = 0; !rc && i < n; i++)
		if (!list[i])
			rc = qs_fail(qs, CORM_ENOMEM,
			             "out of memory (a Q object could not be built)");
	corm_q *combined = NULL;
	if (!rc && negate && n > 1) {
		/* exclude(a, b) is NOT (a AND b) */
		combined = corm_q_and_n(list, n);
		list = &combined;
		n = 1;
		if (!combined)
			return qs_fail(qs, CORM_ENOMEM, "out of memory");
	}
	corm__query_begin_call(&qs->query);
	for (size_t i = 0; !rc && i < n; i++) {
		corm_err err = {0, CORM_BUF_INIT};
		rc = corm__query_add_q(&qs->query, list[i], negate, &err);
		if (rc)
			rc = qs_fail_err(qs, &err);
	}
	if (combined)
		corm_q_free(combined);
	else
		for (size_t i = 0; list && i < n; i++)
			corm_q_free(list[i]);
	return rc;
}

int corm_filter_n(corm_qs *qs, corm_q *const *list, size_t n)
{
	if (!qs) {
		for (size_t i = 0; list && i < n; i++)
			corm_q_free(list[i]);
		return CORM_EINVAL;
	}
	return add_filters(qs, list, n, false);
}

int corm_exclude_n(corm_qs *qs, corm_q *const *list, size_t n)
{
	if (!qs) {
		for (size_t i = 0; list && i < n; i++)
			corm_q_free(list[i]);
		return CORM_EINVAL;
	}
	return add_filters(qs, list, n, true);
}

int corm_order_by_n(corm_qs *qs, const char *const *names, size_t n)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	if (n == 1 && names && !names[0])
		n = 0; /* corm_order_by(qs, NULL) clears */
	if (n && !names)
		return qs_fail(qs, CORM_EINVAL, "order_by: the list of names is NULL");
	corm_order *order = n ? corm__calloc(n, sizeof *order) : NULL;
	if (n && !order)
		return qs_fail(qs, CORM_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		corm_err err = {0, CORM_BUF_INIT};
		if (corm__resolve_order(&qs->query, names[i], &order[i], &err)) {
			corm__order_free(order, i);
			return qs_fail_err(qs, &err);
		}
	}
	corm__order_free(qs->query.order, qs->query.norder);
	qs->query.order = order;
	qs->query.norder = n;
	qs->query.order_set = true;
	qs->query.reversed = false;
	return CORM_OK;
}

int corm_order_by_nulls(corm_qs *qs, const char *name, corm_nulls nulls)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	if (nulls != CORM_NULLS_DEFAULT && nulls != CORM_NULLS_FIRST && nulls != CORM_NULLS_LAST)
		return qs_fail(qs, CORM_EINVAL,
		               "order_by_nulls: nulls must be CORM_NULLS_DEFAULT, CORM_NULLS_FIRST "
		               "or CORM_NULLS_LAST");
	corm_order term;
	corm_err err = {0, CORM_BUF_INIT};
	if (corm__resolve_order(&qs->query, name, &term, &err))
		return qs_fail_err(qs, &err);
	if (!corm__order_expr(&term))
		return qs_fail(qs, CORM_EINVAL, "order_by('?') cannot place NULLs");
	term.nulls = nulls;
	if (!qs->query.order_set) {
		corm__order_free(qs->query.order, qs->query.norder);
		qs->query.order = NULL;
		qs->query.norder = 0;
	}
	size_t n = qs->query.norder;
	corm_order *order = corm__realloc(qs->query.order, (n + 1) * sizeof *order);
	if (!order) {
		corm_expr_free(term.expr);
		return qs_fail(qs, CORM_ENOMEM, "out of memory");
	}
	order[n] = term;
	qs->query.order = order;
	qs->query.norder = n + 1;
	qs->query.order_set = true;
	return CORM_OK;
}

int corm_reverse(corm_qs *qs)
{
	int rc = begin_change(qs);
	if (!rc)
		qs->query.reversed = !qs->query.reversed;
	return rc;
}

int corm_distinct(corm_qs *qs)
{
	int rc = begin_change(qs);
	if (!rc)
		qs->query.distinct = true;
	return rc;
}

int corm_none(corm_qs *qs)
{
	int rc = begin_change(qs);
	if (!rc)
		qs->query.empty = true;
	return rc;
}

int corm_slice(corm_qs *qs, int64_t start, int64_t stop)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	corm_err err = {0, CORM_BUF_INIT};
	if (corm__query_set_limits(&qs->query, start, stop, &err))
		return qs_fail_err(qs, &err);
	return CORM_OK;
}

static int set_values(corm_qs *qs, corm_select_mode mode, bool flat, const char *const *names,
                      size_t n)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	if (n == 1 && names && !names[0])
		n = 0;
	if (n && !names)
		return qs_fail(qs, CORM_EINVAL, "values: the list of names is NULL");
	if (flat && n != 1)
		return qs_fail(
		        qs, CORM_EINVAL,
		        "'flat' is not valid when values_list is called with more than one field.");
	corm_query *q = &qs->query;
	const corm_meta *meta = q->meta;
	size_t count = n ? n : meta->nfields;
	corm_select_item *items = corm__calloc(count, sizeof *items);
	if (!items)
		return qs_fail(qs, CORM_ENOMEM, "out of memory");
	corm_err err = {0, CORM_BUF_INIT};
	for (size_t i = 0; !rc && i < count; i++) {
		const char *name = n ? names[i] : meta->fields[i].attname;
		if (!name)
			rc = corm__err_set(&err, CORM_EINVAL, "values: field name %zu is NULL", i);
		else if (!(items[i].name = corm__strdup(name)))
			rc = corm__err_set(&err, CORM_ENOMEM, "out of memory");
		else
			rc = corm__query_resolve_name(q, name, strlen(name), &items[i].expr, &err);
		if (!rc && ((corm_col *)items[i].expr)->alias > 0)
			items[i].maybe_null =
			        q->aliases[((corm_col *)items[i].expr)->alias].nullable;
	}
	if (rc) {
		for (size_t i = 0; i < count; i++) {
			corm_expr_free(items[i].expr);
			corm__free(items[i].name);
		}
		corm__free(items);
		return qs_fail_err(qs, &err);
	}
	for (size_t i = 0; i < q->nvalues; i++) {
		corm_expr_free(q->values[i].expr);
		corm__free(q->values[i].name);
	}
	corm__free(q->values);
	q->values = items;
	q->nvalues = count;
	q->mode = mode;
	q->flat = flat;
	if (make_names(qs))
		return qs_fail(qs, CORM_ENOMEM, "out of memory");
	return CORM_OK;
}

int corm_values_n(corm_qs *qs, const char *const *names, size_t n)
{
	return set_values(qs, SELECT_VALUES, false, names, n);
}

int corm_values_list_n(corm_qs *qs, bool flat, const char *const *names, size_t n)
{
	return set_values(qs, SELECT_VALUES_LIST, flat, names, n);
}

/* select_related() without names: every non-null ForeignKey, followed to Django's depth of 5. */
static int follow_non_null(corm_qs *qs, const corm_meta *meta, corm_buf *path, int depth,
                           corm_err *err)
{
	for (size_t i = 0; depth < 5 && i < meta->nfields; i++) {
		const corm_fmeta *fm = &meta->fields[i];
		if (fm->kind != CORM_FIELD_FK || fm->nullable)
			continue;
		size_t at = path->len;
		corm_buf_printf(path, "%s%s", at ? "__" : "", fm->name);
		int rc = path->oom ? corm__err_set(err, CORM_ENOMEM, "out of memory")
		                   : corm__query_select_related(&qs->query, path->ptr, err);
		if (!rc)
			rc = follow_non_null(qs, fm->related, path, depth + 1, err);
		path->len = at;
		if (path->ptr)
			path->ptr[at] = '\0';
		if (rc)
			return rc;
	}
	return CORM_OK;
}

int corm_select_related_n(corm_qs *qs, const char *const *names, size_t n)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	if (n && !names)
		return qs_fail(qs, CORM_EINVAL, "select_related: the list of names is NULL");
	corm_err err = {0, CORM_BUF_INIT};
	if (n == 1 && !names[0]) { /* select_related(None): forget them */
		qs->query.nrelated = 0;
		return CORM_OK;
	}
	if (n == 0) {
		corm_buf path = CORM_BUF_INIT;
		rc = follow_non_null(qs, qs->query.meta, &path, 0, &err);
		corm_buf_free(&path);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = corm__query_select_related(&qs->query, names[i], &err);
	return rc ? qs_fail_err(qs, &err) : CORM_OK;
}

int corm_iterator(corm_qs *qs, size_t chunk_size)
{
	int rc = begin_change(qs);
	if (!rc)
		qs->chunk_size = chunk_size ? chunk_size : 2000;
	return rc;
}

int corm_select_for_update(corm_qs *qs, unsigned flags)
{
	int rc = begin_change(qs);
	if (rc)
		return rc;
	if ((flags & CORM_LOCK_NOWAIT) && (flags & CORM_LOCK_SKIP_LOCKED))
		return qs_fail(qs, CORM_EINVAL,
		               "The nowait option cannot be used with skip_locked.");
	const corm_features *f = &qs->db->features;
	if (f->has_select_for_update) {
		if ((flags & CORM_LOCK_NOWAIT) && !f->has_select_for_update_nowait)
			return qs_fail(qs, CORM_ENOTSUP,
			               "NOWAIT is not supported on this database backend.");
		if ((flags & CORM_LOCK_SKIP_LOCKED) && !f->has_select_for_update_skip_locked)
			return qs_fail(qs, CORM_ENOTSUP,
			               "SKIP LOCKED is not supported on this database backend.");
		if ((flags & CORM_LOCK_OF_SELF) && !f->has_select_for_update_of)
			return qs_fail(qs, CORM_ENOTSUP,
			               "FOR UPDATE OF is not supported on this database backend.");
	}
	qs->query.for_update = true;
	qs->query.lock_flags = flags;
	return CORM_OK;
}

/* ---- evaluation ---- */

/* Compiles and opens the statement; CORM_EMPTY_RESULT when nothing can match. */
static int open_query(corm_qs *qs, const corm_query *q, corm_compile_kind kind, corm_stmt *st)
{
	/* Django raises TransactionManagementError here, at evaluation */
	if (q->for_update && kind == COMPILE_ROWS && qs->db->features.has_select_for_update &&
	    corm_atomic_depth(qs->db) == 0)
		return corm__db_error(qs->db, CORM_ETXN,
		                      "select_for_update cannot be used outside of a transaction.");
	corm_sql local, *sql = corm__sql_acquire(qs->db, &local);
	corm_err err = {0, CORM_BUF_INIT};
	int rc = corm__compile_select(qs->db->be, &qs->db->sqlc, q, kind, sql, &err);
	if (rc && rc != CORM_EMPTY_RESULT) {
		rc = corm__db_take(qs->db, &err);
		corm__err_free(&err);
	} else if (!rc) {
		rc = corm__stmt_open(qs->db, sql->text.ptr, sql->text.len, sql->params, sql->n,
		                     false, st);
	}
	corm__sql_release(qs->db, sql);
	return rc;
}

/* Where a fetched instance goes: the cache's blocks, the iterator's reused one, or the caller. */
typedef enum { INTO_CACHE, INTO_STREAM, INTO_CALLER } fetch_into;

/* Reads the current row's values() cells; on failure none of them is left allocated. */
static int read_values(corm_qs *qs, corm_stmt *st, corm_value *cells)
{
	for (size_t i = 0; i < qs->query.nvalues; i++) {
		const corm_select_item *v = &qs->query.values[i];
		int rc = corm__decode_value(st, (int)i, v->expr->field, v->maybe_null, &cells[i]);
		if (rc) {
			while (i--)
				corm__value_free(&cells[i]);
			return rc;
		}
	}
	return CORM_OK;
}

/*
 * values()/values_list(): every row's cells go into one array, as a
 * hand-written loop appends to an array of values; the rows handed out are
 * views into it, made once the last row is in. CORM_DONE or an error.
 */
static int fetch_all_rows(corm_qs *qs, corm_stmt *st)
{
	size_t nv = qs->query.nvalues;
	int rc;
	while ((rc = corm__stmt_step(st)) == CORM_ROW) {
		if (qs->ncells + nv > qs->cells_cap) {
			size_t cap = qs->cells_cap ? qs->cells_cap * 2 : 64 * nv;
			corm_value *p = corm__realloc(qs->cells, cap * sizeof *p);
			if (!p)
				return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
			qs->cells = p;
			qs->cells_cap = cap;
		}
		rc = read_values(qs, st, &qs->cells[qs->ncells]);
		if (rc)
			return rc;
		qs->ncells += nv;
		qs->len++;
	}
	if (rc != CORM_DONE || qs->len == 0)
		return rc;
	qs->rows = corm__alloc(qs->len * sizeof *qs->rows);
	if (!qs->rows)
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	for (size_t i = 0; i < qs->len; i++)
		qs->rows[i] = (corm_row){nv, (const char *const *)qs->names, &qs->cells[i * nv]};
	return CORM_DONE;
}

static int cache_push(corm_qs *qs, void *item)
{
	if (qs->len == qs->cap) {
		int64_t most = slice_rows(qs);
		size_t cap = qs->cap ? qs->cap * 2 : most > 0 && most < 1024 ? (size_t)most : 16;
		void **p = corm__realloc(qs->items, cap * sizeof *p);
		if (!p)
			return CORM_ENOMEM;
		qs->items = p;
		qs->cap = cap;
	}
	qs->items[qs->len++] = item;
	return CORM_OK;
}

/*
 * select_related(): each related model's columns follow the base model's, in
 * the plan's order; an instance is made for each one whose row is there (a
 * LEFT OUTER JOIN that found nothing leaves the primary key NULL: no object,
 * never a zeroed struct) and cached in its parent's ForeignKey, which owns it.
 */
static int decode_related(corm_qs *qs, corm_stmt *st, void *base)
{
	const corm_query *q = &qs->query;
	void *small[8],
	        **holder = q->nrelated <= 8 ? small : corm__calloc(q->nrelated, sizeof *holder);
	if (!holder)
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	int col = (int)q->meta->nfields, rc = CORM_OK;
	for (size_t i = 0; i < q->nrelated; i++) {
		const corm_related_select *r = &q->related[i];
		const corm_meta *meta = q->aliases[r->alias].meta;
		void *parent = r->parent < 0 ? base : holder[r->parent];
		holder[i] = NULL;
		const char *pk = NULL;
		size_t len;
		if (parent && !rc)
			rc = qs->db->be->column_text(st->s, col + meta->pk->index, &pk, &len);
		if (parent && !rc && pk) {
			void *obj = corm__alloc_instance(meta);
			rc = obj ? corm__decode_instance(st, meta, obj, NULL, col)
			         : corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
			if (rc) {
				corm__free_instance(obj);
			} else {
				corm_fk *fk = (corm_fk *)((char *)parent + r->fk->decl->offset);
				corm__free_instance(fk->obj);
				((corm_obj *)obj)->state |=
				        CORM_STATE_BORROWED; /* the parent owns it */
				fk->obj = obj;
				holder[i] = obj;
			}
		}
		col += (int)meta->nfields;
	}
	if (holder != small)
		corm__free(holder);
	return rc;
}

/* Reads the next row of st into an instance placed as `into` says. CORM_ROW, CORM_DONE or error. */
static int fetch_one(corm_qs *qs, corm_stmt *st, void **item, fetch_into into)
{
	int rc = corm__stmt_step(st);
	if (rc != CORM_ROW)
		return rc;
	const corm_meta *meta = qs->query.meta;
	void *inst;
	corm_text_slot *slots = NULL;
	if (into == INTO_STREAM && *item) {
		inst = *item; /* valid only until the next row: reuse it */
		slots = qs->text_slots;
	} else if (into == INTO_CACHE) {
		inst = block_take(qs, meta->model->size);
		if (inst) {
			((corm_obj *)inst)->model = meta->model;
			((corm_obj *)inst)->meta = meta;
		}
	} else {
		inst = corm__alloc_instance(meta);
	}
	if (!inst)
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	rc = corm__decode_instance(st, meta, inst, slots, 0);
	if (!rc && qs->query.nrelated)
		rc = decode_related(qs, st, inst);
	if (rc) {
		if (into == INTO_CACHE) {
			corm__members_clear(meta, inst);
			return rc;
		}
		corm__free_instance(inst);
		if (into == INTO_STREAM) {
			*item = NULL; /* the next row starts from a fresh instance */
			memset(qs->text_slots, 0, meta->nfields * sizeof *qs->text_slots);
		}
		return rc;
	}
	if (into != INTO_CALLER) /* the QuerySet's: corm_free refuses it */
		((corm_obj *)inst)->state |= CORM_STATE_BORROWED;
	*item = inst;
	return CORM_ROW;
}

/* Evaluates the whole QuerySet into the cache (Django's _fetch_all). */
static int fetch_all(corm_qs *qs)
{
	int rc = qs_check(qs);
	if (rc || qs->evaluated)
		return rc;
	corm_stmt st;
	rc = open_query(qs, &qs->query, COMPILE_ROWS, &st);
	if (rc == CORM_EMPTY_RESULT) {
		qs->evaluated = true;
		return CORM_OK;
	}
	if (rc)
		return rc;
	if (qs->query.mode != SELECT_MODEL)
		rc = fetch_all_rows(qs, &st);
	else
		for (;;) {
			void *item = NULL;
			rc = fetch_one(qs, &st, &item, INTO_CACHE);
			if (rc != CORM_ROW)
				break;
			if (cache_push(qs, item)) {
				corm__members_clear(qs->query.meta, item);
				rc = corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
				break;
			}
		}
	corm__stmt_close(&st);
	if (rc != CORM_DONE) {
		drop_cache(qs);
		return rc;
	}
	qs->evaluated = true;
	qs->pos = 0;
	return CORM_OK;
}

/* The iterator's next values() row, in the one row it reuses. */
static int stream_row(corm_qs *qs)
{
	int rc = corm__stmt_step(&qs->stream);
	if (rc != CORM_ROW)
		return rc;
	corm_row *r = &qs->current_row;
	for (size_t i = 0; i < r->n; i++)
		corm__value_free(&r->cells[i]);
	r->n = 0;
	if (!r->cells) {
		r->cells = corm__calloc(qs->query.nvalues, sizeof *r->cells);
		if (!r->cells)
			return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
		r->names = (const char *const *)qs->names;
	}
	rc = read_values(qs, &qs->stream, r->cells);
	if (rc)
		return rc;
	r->n = qs->query.nvalues;
	return CORM_ROW;
}

/* iterator(): one row at a time, nothing cached. */
static int stream_next(corm_qs *qs, void **item)
{
	if (!qs->streaming) {
		int rc = open_query(qs, &qs->query, COMPILE_ROWS, &qs->stream);
		if (rc == CORM_EMPTY_RESULT)
			return CORM_DONE;
		if (rc)
			return rc;
		/* chunk_size rows per round trip where the backend can (a server-side cursor) */
		const corm_backend *be = qs->db->be;
		corm_driver_error e = {0};
		if (be->stream && be->stream(qs->stream.s, qs->chunk_size, &e)) {
			corm__stmt_close(&qs->stream);
			rc = corm__db_error(qs->db, e.code ? e.code : CORM_EBACKEND, "%s",
			                    e.message);
			qs->db->native_err = e.native;
			return rc;
		}
		if (qs->query.mode == SELECT_MODEL && !qs->text_slots) {
			qs->text_slots =
			        corm__calloc(qs->query.meta->nfields, sizeof *qs->text_slots);
			if (!qs->text_slots) {
				corm__stmt_close(&qs->stream);
				return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
			}
		}
		qs->streaming = true;
	}
	int rc = qs->query.mode == SELECT_MODEL ? fetch_one(qs, &qs->stream, item, INTO_STREAM)
	                                        : stream_row(qs);
	if (rc != CORM_ROW) {
		corm__stmt_close(&qs->stream);
		qs->streaming = false;
	}
	return rc;
}

static int next_any(corm_qs *qs, void **item, const corm_row **row)
{
	int rc = qs_check(qs);
	if (rc)
		return rc;
	bool want_rows = row != NULL;
	if (want_rows != (qs->query.mode != SELECT_MODEL))
		return corm__db_error(
		        qs->db, CORM_EINVAL,
		        want_rows ? "corm_next_row: call corm_values() or corm_values_list() first"
		                  : "corm_next: this QuerySet returns rows (values()); use "
		                    "corm_next_row");
	if (qs->chunk_size && !qs->evaluated) {
		rc = stream_next(qs, item ? &qs->current : NULL);
		if (rc == CORM_ROW) {
			if (item)
				*item = qs->current;
			if (row)
				*row = &qs->current_row;
		}
		return rc;
	}
	if (!qs->evaluated && (rc = fetch_all(qs)))
		return rc;
	if (qs->pos >= qs->len) {
		qs->pos = 0;
		return CORM_DONE;
	}
	if (item)
		*item = qs->items[qs->pos];
	if (row)
		*row = &qs->rows[qs->pos];
	qs->pos++;
	return CORM_ROW;
}

int(corm_next)(corm_qs *qs, void *out)
{
	/* the next cached instance of an evaluated QuerySet, or the next row of a running
	 * iterator: next_any's answer without the checks that cannot fail here (no sticky
	 * error, connection open, model mode) */
	if (qs && out && !qs->error && !qs->db->closed && qs->query.mode == SELECT_MODEL) {
		if (qs->evaluated && qs->pos < qs->len) {
			corm__db_ok(qs->db);
			*(void **)out = qs->items[qs->pos++];
			return CORM_ROW;
		}
		if (!qs->evaluated && qs->streaming) { /* stream_next, its statement open */
			corm__db_ok(qs->db);
			int rc = fetch_one(qs, &qs->stream, &qs->current, INTO_STREAM);
			if (rc != CORM_ROW) {
				corm__stmt_close(&qs->stream);
				qs->streaming = false;
			}
			*(void **)out = rc == CORM_ROW ? qs->current : NULL;
			return rc;
		}
	}
	if (!qs || !out)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_next: out is NULL")
		          : CORM_EINVAL;
	void *item = NULL;
	int rc = next_any(qs, &item, NULL);
	*(void **)out = rc == CORM_ROW ? item : NULL;
	return rc;
}

int corm_next_row(corm_qs *qs, const corm_row **row)
{
	if (!qs || !row)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_next_row: row is NULL")
		          : CORM_EINVAL;
	*row = NULL;
	return next_any(qs, NULL, row);
}

int corm_next_value(corm_qs *qs, const corm_value **value)
{
	if (!qs || !value)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_next_value: value is NULL")
		          : CORM_EINVAL;
	/* the next cached value of an evaluated flat values_list, as next_any gives it */
	if (qs->evaluated && qs->pos < qs->len && !qs->error && !qs->db->closed &&
	    qs->query.mode == SELECT_VALUES_LIST && qs->query.flat) {
		corm__db_ok(qs->db);
		*value = &qs->rows[qs->pos++].cells[0];
		return CORM_ROW;
	}
	*value = NULL;
	if (!qs->error && (qs->query.mode != SELECT_VALUES_LIST || !qs->query.flat))
		return corm__db_error(
		        qs->db, CORM_EINVAL,
		        "corm_next_value: call corm_values_list() with flat=true first");
	const corm_row *row = NULL;
	int rc = next_any(qs, NULL, &row); /* the sticky error, if any, comes from here */
	if (rc == CORM_ROW)
		*value = &row->cells[0];
	return rc;
}

int corm_len(corm_qs *qs, size_t *n)
{
	if (!qs || !n)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_len: n is NULL")
		          : CORM_EINVAL;
	int rc = fetch_all(qs);
	*n = rc ? 0 : qs->len;
	return rc;
}

/* Runs a one-row query (count / exists / get-style); *rows gets the stepped count. */
static int scalar_query(corm_qs *qs, const corm_query *q, corm_compile_kind kind, int64_t *value)
{
	corm_stmt st;
	int rc = open_query(qs, q, kind, &st);
	if (rc == CORM_EMPTY_RESULT) {
		*value = 0;
		return CORM_OK;
	}
	if (rc)
		return rc;
	rc = corm__stmt_step(&st);
	if (rc == CORM_ROW) {
		corm_value v;
		qs->db->be->column(st.s, 0, CORM_TYPE_INT, &v);
		*value = kind == COMPILE_EXISTS ? 1 : v.u.i;
		rc = CORM_OK;
	} else if (rc == CORM_DONE) {
		*value = 0;
		rc = CORM_OK;
	}
	corm__stmt_close(&st);
	return rc;
}

int corm_count(corm_qs *qs, int64_t *n)
{
	if (!qs || !n)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_count: n is NULL")
		          : CORM_EINVAL;
	*n = 0;
	int rc = qs_check(qs);
	if (rc)
		return rc;
	if (qs->evaluated) {
		*n = (int64_t)qs->len;
		return CORM_OK;
	}
	return scalar_query(qs, &qs->query, COMPILE_COUNT, n);
}

int corm_exists(corm_qs *qs, bool *exists)
{
	if (!qs || !exists)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_exists: exists is NULL")
		          : CORM_EINVAL;
	*exists = false;
	int rc = qs_check(qs);
	if (rc)
		return rc;
	if (qs->evaluated) {
		*exists = qs->len > 0;
		return CORM_OK;
	}
	int64_t v = 0;
	rc = scalar_query(qs, &qs->query, COMPILE_EXISTS, &v);
	*exists = rc == CORM_OK && v != 0;
	return rc;
}

/* Runs `q` and hands the first instance to the caller; *found says whether there was one; *total
 * counts rows. */
static int run_for_instances(corm_qs *qs, const corm_query *q, void **out, size_t *total)
{
	corm_stmt st;
	*out = NULL;
	*total = 0;
	int rc = open_query(qs, q, COMPILE_ROWS, &st);
	if (rc == CORM_EMPTY_RESULT)
		return CORM_OK;
	if (rc)
		return rc;
	for (;;) {
		void *item = NULL;
		rc = fetch_one(qs, &st, &item, INTO_CALLER);
		if (rc != CORM_ROW)
			break;
		if (!*out)
			*out = item;
		else
			corm_free(item);
		(*total)++;
	}
	corm__stmt_close(&st);
	if (rc != CORM_DONE) {
		corm_free(*out);
		*out = NULL;
		return rc;
	}
	return CORM_OK;
}

static int model_mode_only(corm_qs *qs, const char *fn)
{
	if (qs->query.mode != SELECT_MODEL)
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "%s: not available after values(); use corm_next_row", fn);
	return CORM_OK;
}

int(corm_at)(corm_qs *qs, int64_t i, void *out)
{
	if (!qs || !out)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_at: out is NULL")
		          : CORM_EINVAL;
	*(void **)out = NULL;
	int rc = qs_check(qs);
	if (!rc)
		rc = model_mode_only(qs, "corm_at");
	if (rc)
		return rc;
	if (i < 0)
		return corm__db_error(qs->db, CORM_EINVAL, "Negative indexing is not supported.");
	if (qs->evaluated) {
		if ((uint64_t)i >= qs->len)
			return corm__db_error(qs->db, CORM_ENOTFOUND, "%s index %lld out of range",
			                      qs->query.meta->model->name, (long long)i);
		rc = corm_clone(qs->items[i], out);
		return rc ? corm__db_error(qs->db, rc, "out of memory") : CORM_OK;
	}
	/* qs[i] is qs[i:i+1]; an offset past INT64_MAX rows is past the end of any table */
	if (i > INT64_MAX - 1 - qs->query.low)
		return corm__db_error(qs->db, CORM_ENOTFOUND, "%s index %lld out of range",
		                      qs->query.meta->model->name, (long long)i);
	corm_query q;
	if (corm__query_copy(&q, &qs->query)) {
		corm__query_clear(&q);
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	}
	int64_t low = q.low + i;
	if (q.high >= 0 && low >= q.high) {
		corm__query_clear(&q);
		return corm__db_error(qs->db, CORM_ENOTFOUND, "%s index %lld out of range",
		                      qs->query.meta->model->name, (long long)i);
	}
	q.low = low;
	q.high = low + 1;
	size_t total;
	void *item;
	rc = run_for_instances(qs, &q, &item, &total);
	corm__query_clear(&q);
	if (rc)
		return rc;
	if (!item)
		return corm__db_error(qs->db, CORM_ENOTFOUND, "%s index %lld out of range",
		                      qs->query.meta->model->name, (long long)i);
	*(void **)out = item;
	return CORM_OK;
}

#define MAX_GET_RESULTS 21

int(corm_get)(corm_qs *qs, void *out, corm_q *extra)
{
	if (!qs || !out) {
		corm_q_free(extra);
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_get: out is NULL")
		          : CORM_EINVAL;
	}
	*(void **)out = NULL;
	if (!extra)
		return corm__db_error(qs->db, CORM_ENOMEM,
		                      "out of memory (corm_get's Q object could not be built)");
	/* a copy of the query, not of the QuerySet: get() caches nothing */
	int rc = qs_check(qs);
	if (!rc)
		rc = model_mode_only(qs, "corm_get");
	corm_query q;
	if (!rc && corm__query_copy(&q, &qs->query)) {
		corm__query_clear(&q);
		rc = corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	} else if (!rc) {
		corm_err err = {0, CORM_BUF_INIT};
		corm__query_begin_call(&q); /* get(**kwargs) is filter(**kwargs).get() */
		if (corm__query_add_q(&q, extra, false, &err)) {
			rc = corm__db_take(qs->db, &err);
			corm__query_clear(&q);
		}
		corm__err_free(&err);
	}
	corm_q_free(extra);
	if (rc)
		return rc;
	/* Django's get(): no ordering, at most 21 rows fetched, unless sliced */
	if (q.low == 0 && q.high < 0) {
		corm__order_free(q.order, q.norder);
		q.order = NULL;
		q.order_set = true;
		q.norder = 0;
		q.high = MAX_GET_RESULTS;
	}
	void *item;
	size_t total;
	rc = run_for_instances(qs, &q, &item, &total);
	const char *name = qs->query.meta->model->name;
	corm_buf desc = CORM_BUF_INIT;
	if (!rc && total != 1 && q.where)
		describe(&desc, &q, q.where);
	if (!rc && total == 0) {
		rc = corm__db_error(
		        qs->db, CORM_ENOTFOUND, "%s matching query does not exist (%s).", name,
		        desc.len && corm_buf_cstr(&desc) ? corm_buf_cstr(&desc) : "no conditions");
	} else if (!rc && total > 1) {
		corm_free(item);
		if (total >= MAX_GET_RESULTS)
			rc = corm__db_error(
			        qs->db, CORM_EMULTIPLE,
			        "get() returned more than one %s -- it returned more than %d! (%s)",
			        name, MAX_GET_RESULTS - 1,
			        desc.len && corm_buf_cstr(&desc) ? corm_buf_cstr(&desc)
			                                         : "no conditions");
		else
			rc = corm__db_error(
			        qs->db, CORM_EMULTIPLE,
			        "get() returned more than one %s -- it returned %zu! (%s)", name,
			        total,
			        desc.len && corm_buf_cstr(&desc) ? corm_buf_cstr(&desc)
			                                         : "no conditions");
	} else if (!rc) {
		*(void **)out = item;
	}
	corm_buf_free(&desc);
	corm__query_clear(&q);
	return rc;
}

static int first_or_last(corm_qs *qs, void *out, bool last)
{
	if (!qs || !out)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_first/corm_last: out is NULL")
		          : CORM_EINVAL;
	*(void **)out = NULL;
	int rc = qs_check(qs);
	if (!rc)
		rc = model_mode_only(qs, last ? "corm_last" : "corm_first");
	if (rc)
		return rc;
	corm_query q;
	if (corm__query_copy(&q, &qs->query)) {
		corm__query_clear(&q);
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	}
	corm_order *order;
	size_t n;
	rc = corm__effective_order(&q, &order, &n);
	corm__order_free(order, n);
	if (!rc && n == 0) {
		/* unordered: order by pk, as Django does */
		corm__order_free(q.order, q.norder);
		q.norder = 0;
		q.order = corm__calloc(1, sizeof(corm_order));
		corm_expr *pk = q.order ? corm__col_new(0, q.meta->pk) : NULL;
		if (!pk)
			rc = CORM_ENOMEM;
		else {
			q.order[0] = (corm_order){.expr = pk};
			q.norder = 1;
			q.order_set = true;
			q.reversed = false;
		}
	}
	if (rc) {
		corm__query_clear(&q);
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	}
	if (last)
		q.reversed = !q.reversed;
	if (last && (q.low || q.high >= 0)) {
		corm__query_clear(&q);
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "Cannot reverse a query once a slice has been taken.");
	}
	q.high = q.high >= 0 && q.high <= q.low ? q.high : q.low < INT64_MAX ? q.low + 1 : q.low;
	size_t total;
	rc = run_for_instances(qs, &q, (void **)out, &total);
	corm__query_clear(&q);
	return rc;
}

int(corm_first)(corm_qs *qs, void *out)
{
	return first_or_last(qs, out, false);
}
int(corm_last)(corm_qs *qs, void *out)
{
	return first_or_last(qs, out, true);
}

/* ---- writes ---- */

int corm_update(corm_qs *qs, const corm_kw *kwargs, int64_t *rows)
{
	if (rows)
		*rows = 0;
	size_t n = 0;
	while (kwargs && kwargs[n].name)
		n++;
	/* the expressions handed to us are ours from here, whatever happens */
	corm_set_item *sets = corm__calloc(n ? n : 1, sizeof *sets);
	for (size_t i = 0; i < n; i++)
		if (kwargs[i].value.type == CORM_TYPE_EXPR) {
			if (sets)
				sets[i].value = kwargs[i].value;
			else
				corm_expr_free(kwargs[i].value.u.expr);
		}
	int rc = qs_check(qs);
	/* F() values may join: the joins are the update's, not the QuerySet's */
	size_t joins_before = qs ? qs->query.naliases : 0;
	if (!rc && !sets)
		rc = corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	if (!rc && (qs->query.low || qs->query.high >= 0))
		rc = corm__db_error(qs->db, CORM_EINVAL,
		                    "Cannot update a query once a slice has been taken.");
	if (!rc && n == 0)
		rc = corm__db_error(qs->db, CORM_EINVAL, "update() needs at least one field");
	corm_err err = {0, CORM_BUF_INIT};
	for (size_t i = 0; !rc && i < n; i++) {
		const corm_fmeta *fm = corm__meta_field(qs->query.meta, kwargs[i].name);
		if (!fm) {
			rc = corm__db_error(
			        qs->db, CORM_EFIELD,
			        "Cannot resolve keyword '%s' into field of %s. Choices are: %s",
			        kwargs[i].name, qs->query.meta->label,
			        qs->query.meta->field_choices);
			break;
		}
		sets[i].field = fm;
		if (sets[i].value.type == CORM_TYPE_EXPR) {
			rc = corm__query_resolve_expr(&qs->query, &sets[i].value.u.expr, &err);
		} else {
			corm_value tmp;
			rc = corm__coerce(fm, &kwargs[i].value, &tmp, &err);
			if (!rc &&
			    (rc = corm__value_check(fm, &tmp, qs->db->be->vendor, true, &err)))
				corm__value_clear(&tmp);
			if (!rc) {
				rc = corm__value_copy(&sets[i].value, &tmp)
				             ? corm__err_set(&err, CORM_ENOMEM, "out of memory")
				             : CORM_OK;
				corm__value_clear(&tmp);
			}
		}
		if (rc)
			corm__db_take(qs->db, &err);
	}
	corm__err_free(&err);
	if (!rc) {
		corm_sql local, *sql = corm__sql_acquire(qs->db, &local);
		corm_err cerr = {0, CORM_BUF_INIT};
		rc = corm__compile_update(qs->db->be, &qs->db->sqlc, &qs->query, false, sets, n,
		                          sql, &cerr);
		if (rc == CORM_EMPTY_RESULT)
			rc = CORM_OK;
		else if (rc)
			corm__db_take(qs->db, &cerr);
		else
			rc = corm__exec(qs->db, sql->text.ptr, sql->params, sql->n, rows);
		corm__sql_release(qs->db, sql);
		corm__err_free(&cerr);
		drop_cache(qs);
	}
	for (size_t i = 0; sets && i < n; i++)
		corm__value_free(&sets[i].value);
	corm__free(sets);
	if (qs)
		corm__query_drop_aliases(&qs->query, joins_before);
	return rc;
}

int corm_qs_delete(corm_qs *qs, int64_t *rows)
{
	if (rows)
		*rows = 0;
	int rc = qs_check(qs);
	if (rc)
		return rc;
	if (qs->query.low || qs->query.high >= 0)
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "Cannot use 'limit' or 'offset' with delete().");
	if (qs->query.distinct)
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "Cannot call delete() after .distinct().");
	if (qs->query.mode != SELECT_MODEL)
		return corm__db_error(qs->db, CORM_EINVAL,
		                      "Cannot call delete() after .values() or .values_list()");
	corm_sql local, *sql = corm__sql_acquire(qs->db, &local);
	corm_err err = {0, CORM_BUF_INIT};
	rc = corm__compile_delete(qs->db->be, &qs->db->sqlc, &qs->query, sql, &err);
	if (rc == CORM_EMPTY_RESULT) {
		rc = CORM_OK;
	} else if (rc) {
		rc = corm__db_take(qs->db, &err);
		corm__err_free(&err);
	} else {
		rc = corm__exec(qs->db, sql->text.ptr, sql->params, sql->n, rows);
		drop_cache(qs);
	}
	corm__sql_release(qs->db, sql);
	return rc;
}

/* ---- SQL text ---- */

int corm_qs_sql(corm_qs *qs, const char **sql_out, const corm_value **params, size_t *nparams)
{
	if (!qs || !sql_out)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_qs_sql: sql is NULL")
		          : CORM_EINVAL;
	int rc = qs_check(qs);
	if (rc)
		return rc;
	corm_sql sql;
	corm__sql_init(&sql); /* its parameters are kept by qs: not the connection's */
	corm_err err = {0, CORM_BUF_INIT};
	rc = corm__compile_select(qs->db->be, &qs->db->sqlc, &qs->query, COMPILE_ROWS, &sql, &err);
	if (rc) {
		corm__sql_free(&sql);
		if (rc == CORM_EMPTY_RESULT)
			return corm__db_error(
			        qs->db, CORM_ENOTFOUND,
			        "EmptyResultSet: this QuerySet matches nothing and runs no SQL");
		rc = corm__db_take(qs->db, &err);
		corm__err_free(&err);
		return rc;
	}
	corm_buf_clear(&qs->sql);
	corm_buf_put(&qs->sql, sql.text.ptr, sql.text.len);
	for (size_t i = 0; i < qs->nparams; i++)
		corm__value_free(&qs->params[i]);
	corm__free(qs->params);
	qs->params = sql.params;
	qs->nparams = sql.n;
	sql.params = NULL;
	sql.n = 0;
	corm__sql_free(&sql);
	if (qs->sql.oom)
		return corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
	*sql_out = corm_buf_cstr(&qs->sql);
	if (params)
		*params = qs->params;
	if (nparams)
		*nparams = qs->nparams;
	return CORM_OK;
}

int corm_qs_str(corm_qs *qs, char **out)
{
	if (!qs || !out)
		return qs ? corm__db_error(qs->db, CORM_EINVAL, "corm_qs_str: out is NULL")
		          : CORM_EINVAL;
	*out = NULL;
	const char *sql;
	const corm_value *params;
	size_t n;
	int rc = corm_qs_sql(qs, &sql, &params, &n);
	if (rc)
		return rc;
	/* placeholders are '?' or '$n'; replace each in order, skipping quoted text */
	corm_buf b = CORM_BUF_INIT;
	size_t k = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			corm_buf_putc(&b, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			corm_buf_putc(&b, *p);
		} else if ((*p == '?' || (*p == '$' && p[1] >= '0' && p[1] <= '9')) && k < n) {
			corm__value_sql_literal(&b, qs->db->be, &params[k++]);
			if (*p == '$')
				while (p[1] >= '0' && p[1] <= '9')
					p++;
		} else {
			corm_buf_putc(&b, *p);
		}
	}
	*out = corm_buf_detach(&b);
	return *out ? CORM_OK : corm__db_error(qs->db, CORM_ENOMEM, "out of memory");
}

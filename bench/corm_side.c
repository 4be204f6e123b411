/*
 * The corm side: each workload written as a corm user writes it, the way the
 * Django code it mirrors reads (a new QuerySet per query, as
 * Post.objects.filter(...) builds one).
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static int fail(corm_db *db, const char *what, int rc)
{
	fprintf(stderr, "corm_bench: corm side: %s: %s (%s)\n", what, corm_errmsg(db),
	        corm_err_name(rc));
	return -1;
}

#define CHECK(call, what)                                                                          \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ < 0)                                                                       \
			return fail(db, what, rc_);                                                \
	} while (0)

static void digest_instance(digest *d, const Post *p)
{
	digest_post(d, p->obj.id, p->title, p->slug, p->body, p->author.id, p->category.id,
	            corm_is_null(p, &p->category), p->view_count, p->is_active, p->created_at.us);
}

/* Runs every row of qs through the digest; CORM_DONE expected at the end. */
static int digest_all(corm_db *db, corm_qs *qs, digest *d, first_page *fp, const char *what)
{
	Post *p;
	int rc;
	while ((rc = corm_next(qs, &p)) == CORM_ROW) {
		if (fp && fp->n < PAGE_SIZE)
			snprintf(fp->titles[fp->n++], BENCH_TITLE_MAX, "%s", p->title);
		digest_instance(d, p);
	}
	return rc == CORM_DONE ? 0 : fail(db, what, rc);
}

static int w_insert_single(corm_db *db, const work_args *a, digest *d)
{
	CHECK(corm_atomic_begin(db), "atomic_begin");
	for (int64_t i = 0; i < a->sz->inserts; i++) {
		const post_in *r = &a->inserts[i];
		Post *p;
		int rc = corm_create(
		        db, &Post_model, &p,
		        CORM_KWARGS(CORM_KW("title", r->title), CORM_KW("slug", r->slug),
		                    CORM_KW("body", r->body), CORM_KW("author_id", r->author_id),
		                    CORM_KW("category_id", r->category_id
		                                                   ? corm_v_int(r->category_id)
		                                                   : corm_v_null()),
		                    CORM_KW("view_count", r->view_count),
		                    CORM_KW("is_active", r->is_active),
		                    CORM_KW("created_at", (corm_datetime){r->created_us})));
		if (rc) {
			fail(db, "create", rc);
			corm_atomic_rollback(db);
			return -1;
		}
		d->extra[0] += corm_pk(p); /* the pk the database assigned */
		d->rows++;
		corm_free(p);
	}
	CHECK(corm_atomic_commit(db), "atomic_commit");
	return 0;
}

static int w_fetch_all(corm_db *db, const char *what, corm_model *model, size_t chunk, digest *d)
{
	corm_qs *qs = corm_objects(db, model);
	if (!qs)
		return fail(db, "objects", corm_errcode(db));
	int rc = chunk ? corm_iterator(qs, chunk) : CORM_OK;
	int out = rc ? fail(db, "iterator", rc) : digest_all(db, qs, d, NULL, what);
	corm_qs_free(qs);
	return out;
}

static int w_values_list(corm_db *db, digest *d)
{
	corm_qs *qs = corm_objects(db, &Post_model);
	if (!qs)
		return fail(db, "objects", corm_errcode(db));
	int rc = corm_values_list(qs, true, "view_count");
	const corm_value *v;
	if (!rc)
		while ((rc = corm_next_value(qs, &v)) == CORM_ROW) {
			d->rows++;
			d->sum_view += v->u.i;
		}
	corm_qs_free(qs);
	return rc == CORM_DONE ? 0 : fail(db, "values_list", rc);
}

static int w_get_pk(corm_db *db, const work_args *a, digest *d)
{
	for (int64_t i = 0; i < a->sz->gets; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		if (!qs)
			return fail(db, "objects", corm_errcode(db));
		Post *p;
		int rc = corm_get(qs, &p, CORM_Q("pk", a->get_ids[i]));
		corm_qs_free(qs);
		if (rc)
			return fail(db, "get", rc);
		digest_instance(d, p);
		corm_free(p);
	}
	return 0;
}

static int w_filter_page(corm_db *db, const work_args *a, digest *d, first_page *fp)
{
	for (int64_t i = 0; i < a->sz->pages; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		if (!qs)
			return fail(db, "objects", corm_errcode(db));
		corm_filter(qs, CORM_Q("is_active", true), CORM_Q("view_count__gt", i));
		corm_order_by(qs, "-created_at");
		corm_slice(qs, 0, PAGE_SIZE);
		int rc = digest_all(db, qs, d, i == 0 ? fp : NULL, "filter_page");
		corm_qs_free(qs);
		if (rc)
			return rc;
	}
	return 0;
}

static int w_count_exists(corm_db *db, const work_args *a, digest *d)
{
	for (int64_t i = 0; i < a->sz->counts; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		if (!qs)
			return fail(db, "objects", corm_errcode(db));
		corm_datetime lo = {a->window_start[i]},
		              hi = {a->window_start[i] + a->window_len_us};
		corm_filter(qs, CORM_Q("is_active", true), CORM_Q("created_at__gte", lo),
		            CORM_Q("created_at__lt", hi));
		int64_t n = 0;
		bool exists = false;
		int rc = corm_count(qs, &n);
		if (!rc)
			rc = corm_exists(qs, &exists);
		corm_qs_free(qs);
		if (rc)
			return fail(db, "count/exists", rc);
		d->rows++;
		d->extra[0] += n;
		d->extra[1] += exists;
	}
	return 0;
}

static int w_update_f(corm_db *db, const work_args *a, digest *d)
{
	for (int64_t i = 0; i < a->sz->updates; i++) {
		corm_qs *qs = corm_objects(db, &Post_model);
		if (!qs)
			return fail(db, "objects", corm_errcode(db));
		int64_t rows = 0;
		int rc = corm_filter(qs, CORM_Q("is_active", true));
		if (!rc)
			rc = corm_update(qs,
			                 CORM_KWARGS(CORM_KW("view_count",
			                                     CORM_F_ADD(corm_f("view_count"), 1))),
			                 &rows);
		corm_qs_free(qs);
		if (rc)
			return fail(db, "update", rc);
		d->rows++;
		d->extra[0] += rows;
	}
	return 0;
}

int corm_workload(corm_db *db, workload_id w, const work_args *a, digest *d, first_page *fp)
{
	switch (w) {
	case W_INSERT_SINGLE:
		return w_insert_single(db, a, d);
	case W_FETCH_ALL:
		return w_fetch_all(db, "fetch_all", &Post_model, 0, d);
	case W_VALUES_LIST:
		return w_values_list(db, d);
	case W_GET_PK:
		return w_get_pk(db, a, d);
	case W_FILTER_PAGE:
		return w_filter_page(db, a, d, fp);
	case W_COUNT_EXISTS:
		return w_count_exists(db, a, d);
	case W_UPDATE_F:
		return w_update_f(db, a, d);
	case W_ITERATE_1M:
		return w_fetch_all(db, "iterate_1m", &StreamPost_model, (size_t)a->sz->chunk_size,
		                   d);
	default:
		return -1;
	}
}

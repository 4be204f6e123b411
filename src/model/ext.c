/* The per-instance extension (model/ext.h): annotations, related caches, deferred fields. */
#include <string.h>

#include "model/ext.h"
#include "model/instance.h"
#include "util/alloc.h"

static corm_obj_ext *ext_of(void *inst)
{
	corm_obj *o = inst;
	if (!o->_ext)
		o->_ext = corm__calloc(1, sizeof *o->_ext);
	return o->_ext;
}

static void related_clear(corm_ext_related *r)
{
	corm__free_instance(r->one);
	for (size_t i = 0; i < r->nmany; i++)
		corm__free_instance(r->many[i]);
	corm__free(r->many);
	r->one = NULL;
	r->many = NULL;
	r->nmany = 0;
}

static void free_list(void **many, size_t n)
{
	for (size_t i = 0; i < n; i++)
		corm__free_instance(many[i]);
	corm__free(many);
}

int corm__ext_annotate(void *inst, const char *name, const corm_value *v)
{
	if (!inst || !name || !v)
		return CORM_EINVAL;
	const corm_value *old = corm__ext_annotation(inst, name);
	corm_value copy;
	if (corm__value_copy(&copy, v))
		return CORM_ENOMEM;
	if (old) { /* replaced in place: the order of names stays */
		corm__value_free((corm_value *)old);
		*(corm_value *)old = copy;
		return CORM_OK;
	}
	corm_obj_ext *e = ext_of(inst);
	char *dup = e ? corm__strdup(name) : NULL;
	char **names =
	        dup ? corm__realloc(e->annotation_names, (e->nannotations + 1) * sizeof *names)
	            : NULL;
	if (names)
		e->annotation_names = names;
	corm_value *values =
	        names ? corm__realloc(e->annotations, (e->nannotations + 1) * sizeof *values)
	              : NULL;
	if (!values) {
		corm__free(dup);
		corm__value_free(&copy);
		return CORM_ENOMEM;
	}
	e->annotations = values;
	names[e->nannotations] = dup;
	values[e->nannotations++] = copy;
	return CORM_OK;
}

const corm_value *corm__ext_annotation(const void *inst, const char *name)
{
	const corm_obj_ext *e = inst ? ((const corm_obj *)inst)->_ext : NULL;
	for (size_t i = 0; e && name && i < e->nannotations; i++)
		if (!strcmp(e->annotation_names[i], name))
			return &e->annotations[i];
	return NULL;
}

int corm__ext_cache(void *inst, const corm_relmeta *rel, void *one, void **many, size_t n)
{
	if (!inst || !rel) {
		corm__free_instance(one);
		free_list(many, n);
		return CORM_EINVAL;
	}
	corm_ext_related *r = (corm_ext_related *)corm__ext_cached(inst, rel);
	corm_obj_ext *e = r ? ((corm_obj *)inst)->_ext : ext_of(inst);
	if (!r && e) {
		corm_ext_related *p = corm__realloc(e->related, (e->nrelated + 1) * sizeof *p);
		if (p) {
			e->related = p;
			r = &p[e->nrelated++];
			*r = (corm_ext_related){rel, NULL, NULL, 0};
		}
	}
	if (!r) {
		corm__free_instance(one);
		free_list(many, n);
		return CORM_ENOMEM;
	}
	related_clear(r);
	r->one = one;
	r->many = many;
	r->nmany = n;
	/* lent out: the caller reads them, this instance frees them */
	if (one)
		((corm_obj *)one)->state |= CORM_STATE_BORROWED;
	for (size_t i = 0; i < n; i++)
		((corm_obj *)many[i])->state |= CORM_STATE_BORROWED;
	return CORM_OK;
}

const corm_ext_related *corm__ext_cached(const void *inst, const corm_relmeta *rel)
{
	const corm_obj_ext *e = inst ? ((const corm_obj *)inst)->_ext : NULL;
	for (size_t i = 0; e && i < e->nrelated; i++)
		if (e->related[i].rel == rel)
			return &e->related[i];
	return NULL;
}

int corm__ext_set_deferred(void *inst, uint64_t mask)
{
	corm_obj_ext *e = inst ? ext_of(inst) : NULL;
	if (!e)
		return inst ? CORM_ENOMEM : CORM_EINVAL;
	e->deferred |= mask;
	return CORM_OK;
}

bool corm__ext_is_deferred(const void *inst, int i)
{
	const corm_obj_ext *e = inst ? ((const corm_obj *)inst)->_ext : NULL;
	return e && i >= 0 && i < 64 && (e->deferred >> i & 1);
}

/* A copy of a list of instances, each marked borrowed by its new owner. */
static int copy_list(void *const *from, size_t n, void ***out)
{
	*out = NULL;
	if (!n)
		return CORM_OK;
	void **list = corm__calloc(n, sizeof *list);
	if (!list)
		return CORM_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (corm_clone(from[i], &list[i])) {
			free_list(list, i);
			return CORM_ENOMEM;
		}
	*out = list;
	return CORM_OK;
}

int corm__ext_copy(const corm_obj_ext *src, corm_obj_ext **out)
{
	*out = NULL;
	if (!src)
		return CORM_OK;
	corm_obj_ext *e = corm__calloc(1, sizeof *e);
	if (!e)
		return CORM_ENOMEM;
	e->deferred = src->deferred;
	size_t n = src->nannotations;
	if (n) {
		e->annotation_names = corm__calloc(n, sizeof *e->annotation_names);
		e->annotations = corm__calloc(n, sizeof *e->annotations);
		if (!e->annotation_names || !e->annotations)
			goto oom;
		for (; e->nannotations < n; e->nannotations++) {
			size_t i = e->nannotations;
			e->annotation_names[i] = corm__strdup(src->annotation_names[i]);
			if (!e->annotation_names[i])
				goto oom;
			if (corm__value_copy(&e->annotations[i], &src->annotations[i])) {
				corm__free(e->annotation_names[i]);
				goto oom;
			}
		}
	}
	if (src->nrelated && !(e->related = corm__calloc(src->nrelated, sizeof *e->related)))
		goto oom;
	for (; e->nrelated < src->nrelated; e->nrelated++) {
		const corm_ext_related *from = &src->related[e->nrelated];
		corm_ext_related *to = &e->related[e->nrelated];
		to->rel = from->rel;
		if (from->one && corm_clone(from->one, &to->one))
			goto oom;
		if (copy_list(from->many, from->nmany, &to->many)) {
			corm__free_instance(to->one);
			to->one = NULL;
			goto oom;
		}
		to->nmany = from->nmany;
		if (to->one)
			((corm_obj *)to->one)->state |= CORM_STATE_BORROWED;
		for (size_t i = 0; i < to->nmany; i++)
			((corm_obj *)to->many[i])->state |= CORM_STATE_BORROWED;
	}
	*out = e;
	return CORM_OK;
oom:
	corm__ext_free(e);
	return CORM_ENOMEM;
}

void corm__ext_free(corm_obj_ext *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nannotations; i++) {
		corm__free(e->annotation_names[i]);
		corm__value_free(&e->annotations[i]);
	}
	corm__free(e->annotation_names);
	corm__free(e->annotations);
	for (size_t i = 0; i < e->nrelated; i++)
		related_clear(&e->related[i]);
	corm__free(e->related);
	corm__free(e);
}

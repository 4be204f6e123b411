/*
 * What an instance carries beyond its struct's members (corm_obj._ext), made on
 * first use and owned by the instance: annotate()'s values, the related objects
 * a reverse one-to-one accessor or prefetch_related loaded, and which fields
 * defer()/only() left unloaded. The QuerySet layer fills it; corm_free frees it
 * and corm_clone copies it.
 */
#ifndef CORM_MODEL_EXT_H
#define CORM_MODEL_EXT_H

#include "model/meta.h"

/* One reverse relation's loaded objects: a one-to-one's object, or a prefetched list. */
typedef struct corm_ext_related {
	const corm_relmeta *rel;
	void *one;   /* owned, CORM_STATE_BORROWED; NULL: the relation holds no object */
	void **many; /* owned instances, each CORM_STATE_BORROWED */
	size_t nmany;
} corm_ext_related;

struct corm_obj_ext {
	/* annotate(): values by name, in the order they were set (owned deep copies) */
	char **annotation_names;
	corm_value *annotations;
	size_t nannotations;
	corm_ext_related *related;
	size_t nrelated;
	/* defer()/only(): bit i set: field i was not loaded (fields 0..63) */
	uint64_t deferred;
};

/*
 * Sets annotation `name` of the instance to a deep copy of v (replacing an earlier
 * value of that name). CORM_ENOMEM (the instance is unchanged), CORM_EINVAL (NULL).
 */
int corm__ext_annotate(void *inst, const char *name, const corm_value *v);
/* The annotation named `name`, borrowed from the instance, or NULL. */
const corm_value *corm__ext_annotation(const void *inst, const char *name);
/*
 * Caches the loaded objects of reverse relation rel: `one` (a one-to-one's object, or
 * NULL for none) or the `n` instances of `many` (the array and the instances are taken
 * over, also on failure). Replaces what was cached for rel. CORM_ENOMEM, CORM_EINVAL.
 */
int corm__ext_cache(void *inst, const corm_relmeta *rel, void *one, void **many, size_t n);
/* What is cached for rel, borrowed, or NULL when nothing was loaded. */
const corm_ext_related *corm__ext_cached(const void *inst, const corm_relmeta *rel);
/* Marks the fields of `mask` (bit i: field i) as not loaded. CORM_ENOMEM. */
int corm__ext_set_deferred(void *inst, uint64_t mask);
/* Whether field index i was left unloaded by defer()/only(). */
bool corm__ext_is_deferred(const void *inst, int i);
/* A deep copy of src's extension into *out (NULL for none). CORM_ENOMEM. */
int corm__ext_copy(const struct corm_obj_ext *src, struct corm_obj_ext **out);
/* Frees an extension and everything it owns. NULL is a no-op. */
void corm__ext_free(struct corm_obj_ext *ext);

#endif

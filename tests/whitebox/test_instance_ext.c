/*
 * The instance extension (src/model/ext.h, corm_obj._ext): annotations, related
 * caches and deferred flags live with the instance, are copied by corm_clone,
 * freed with it and with each reused row, and survive no allocation failure
 * half-made. White-box: linked with a static build of the library (the functions
 * are internal until the expressions and loading features use them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corm/instance.h"
#include "corm/model.h"
#include "model/ext.h"
#include "model/instance.h"
#include "util/alloc.h"

typedef struct Tag {
	corm_obj obj;
	char *name;
} Tag;

typedef struct Item {
	corm_obj obj;
	char *title;
	corm_fk tag;
} Item;

static const corm_field tag_fields[] = {CORM_CHAR(Tag, name, .max_length = 20)};
static const corm_model Tag_model = CORM_MODEL(Tag, "wb", tag_fields);
static const corm_field item_fields[] = {
        CORM_CHAR(Item, title, .max_length = 20),
        CORM_FK(Item, tag, &Tag_model, CORM_CASCADE, .related_name = "items"),
};
static const corm_model Item_model = CORM_MODEL(Item, "wb", item_fields);

static long budget = -1; /* allocations left; -1 = unlimited */

static void *limited_malloc(size_t size, void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return malloc(size);
}

static void *limited_realloc(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	return realloc(ptr, size);
}

static void plain_free(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static const corm_allocator limited = {limited_malloc, limited_realloc, plain_free, NULL};

static int setup(void **state)
{
	corm_registry *reg;
	if (corm_registry_new(&reg) || corm_registry_add(reg, &Tag_model) ||
	    corm_registry_add(reg, &Item_model) || corm_registry_ready(reg))
		return -1;
	*state = reg;
	return 0;
}

static int teardown(void **state)
{
	corm_registry_free(*state);
	return 0;
}

static const corm_relmeta *items_rel(void)
{
	const corm_meta *tag = corm__meta(&Tag_model);
	assert_int_equal(tag->nrelated, 1);
	return &tag->related_objects[0];
}

static Item *item(const char *title)
{
	Item *it = NULL;
	assert_int_equal(corm_new(&Item_model, &it), CORM_OK);
	assert_int_equal(corm_set_str(&it->title, title), CORM_OK);
	return it;
}

/* A tag with two annotations, its two items cached as a prefetched list, a deferred field. */
static int decorate(Tag *t)
{
	int rc = corm__ext_annotate(t, "n_items", &(corm_value){CORM_TYPE_INT, {.i = 2}});
	if (!rc)
		rc = corm__ext_annotate(t, "label", &(corm_value){CORM_TYPE_TEXT, {.text = "hot"}});
	void **many = rc ? NULL : corm__calloc(2, sizeof *many);
	if (!rc && !many)
		rc = CORM_ENOMEM;
	if (!rc) {
		many[0] = corm__alloc_instance(corm__meta(&Item_model));
		many[1] = corm__alloc_instance(corm__meta(&Item_model));
		if (!many[0] || !many[1]) {
			corm__free_instance(many[0]);
			corm__free_instance(many[1]);
			corm__free(many);
			rc = CORM_ENOMEM;
		} else
			rc = corm__ext_cache(t, items_rel(), NULL, many, 2);
	}
	if (!rc)
		rc = corm__ext_set_deferred(t, 1u << 1);
	return rc;
}

static void test_annotations_caches_and_copies(void **state)
{
	(void)state;
	Tag *t = NULL;
	assert_int_equal(corm_new(&Tag_model, &t), CORM_OK);
	assert_null(t->obj._ext); /* nothing until a feature attaches something */
	assert_null(corm__ext_annotation(t, "n_items"));
	assert_null(corm__ext_cached(t, items_rel()));
	assert_int_equal(decorate(t), CORM_OK);
	assert_int_equal(corm__ext_annotation(t, "n_items")->u.i, 2);
	assert_string_equal(corm__ext_annotation(t, "label")->u.text, "hot");
	/* a value of the same name replaces the old one, keeping the order */
	assert_int_equal(corm__ext_annotate(t, "n_items", &(corm_value){CORM_TYPE_INT, {.i = 5}}),
	                 CORM_OK);
	assert_int_equal(t->obj._ext->nannotations, 2);
	assert_string_equal(t->obj._ext->annotation_names[0], "n_items");
	assert_int_equal(corm__ext_annotation(t, "n_items")->u.i, 5);
	const corm_ext_related *r = corm__ext_cached(t, items_rel());
	assert_non_null(r);
	assert_int_equal(r->nmany, 2);
	/* lent out: the tag frees them */
	corm_free(r->many[0]);
	assert_int_equal(corm_error_last()->code, CORM_EINVAL);
	assert_true(corm__ext_is_deferred(t, 1));
	assert_false(corm__ext_is_deferred(t, 0));

	/* a copy owns copies of everything */
	Tag *c = NULL;
	assert_int_equal(corm_clone(t, &c), CORM_OK);
	assert_ptr_not_equal(c->obj._ext, t->obj._ext);
	assert_string_equal(corm__ext_annotation(c, "label")->u.text, "hot");
	assert_ptr_not_equal(corm__ext_annotation(c, "label")->u.text,
	                     corm__ext_annotation(t, "label")->u.text);
	const corm_ext_related *cr = corm__ext_cached(c, items_rel());
	assert_int_equal(cr->nmany, 2);
	assert_ptr_not_equal(cr->many[0], r->many[0]);
	assert_true(corm__ext_is_deferred(c, 1));
	/* caching again replaces (and frees) the old list; a one-to-one object instead */
	Item *one = item("only");
	assert_int_equal(corm__ext_cache(c, items_rel(), one, NULL, 0), CORM_OK);
	cr = corm__ext_cached(c, items_rel());
	assert_ptr_equal(cr->one, one);
	assert_int_equal(cr->nmany, 0);
	corm_free(t);
	corm_free(c); /* ASan: nothing leaks, nothing is freed twice */
}

/* A row reused by the iterator (members cleared) loses the previous row's extension. */
static void test_cleared_with_the_members(void **state)
{
	(void)state;
	Tag *t = NULL;
	assert_int_equal(corm_new(&Tag_model, &t), CORM_OK);
	assert_int_equal(decorate(t), CORM_OK);
	corm__members_clear_owning(corm__meta(&Tag_model), t);
	assert_null(t->obj._ext);
	assert_null(corm__ext_annotation(t, "n_items"));
	corm_free(t);
}

/* Every allocation failing in turn: CORM_ENOMEM, the instance still whole, nothing leaked. */
static void test_out_of_memory(void **state)
{
	(void)state;
	int seen_oom = 0;
	for (long n = 0; n < 200; n++) {
		Tag *t = NULL;
		assert_int_equal(corm_new(&Tag_model, &t), CORM_OK);
		corm_set_allocator(&limited);
		budget = n;
		int rc = decorate(t);
		Tag *c = NULL;
		if (!rc)
			rc = corm_clone(t, &c);
		budget = -1;
		corm_set_allocator(NULL);
		if (rc) {
			assert_int_equal(rc, CORM_ENOMEM);
			assert_null(c);
			seen_oom++;
		}
		corm_free(c);
		corm_free(t);
		if (!rc) {
			assert_true(seen_oom > 5);
			return;
		}
	}
	fail_msg("the workflow never succeeded within 200 allocations");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_annotations_caches_and_copies),
	        cmocka_unit_test(test_cleared_with_the_members),
	        cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

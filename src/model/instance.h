/* Instances in memory, for the layers above (decoding, persistence). */
#ifndef CORM_MODEL_INSTANCE_H
#define CORM_MODEL_INSTANCE_H

#include "model/meta.h"

/* Allocates an instance with obj.model set and nothing else (no defaults). NULL on OOM. */
void *corm__alloc_instance(const corm_meta *meta);
/* Frees an instance and what it owns, borrowed or not (for the owners of borrowed ones). */
void corm__free_instance(void *inst);
/* The compiled metadata of an instance's model, or NULL (not an instance of a registered model).
 */
const corm_meta *corm__instance_meta(const void *inst);
/*
 * A new instance with every default applied, except to the fields whose bit
 * is set in `given` (fields 0..63). CORM_ENOMEM or a default_fn's error.
 */
int corm__new_instance(const corm_meta *meta, uint64_t given, void **out);
/* Whether the instance's primary key holds a value (an integer key: not 0; others: not NULL). */
bool corm__pk_is_set(const void *inst);
/* "blog.Post has no field named 'x'. Choices are: ..." (CORM_EFIELD). */
int corm__no_such_field(const corm_meta *meta, const char *name, corm_err *err);
/* Sets field fm (or the field named `name`) from a user value; err gets the message. */
int corm__set_field_meta(void *inst, const corm_fmeta *fm, const corm_value *value, corm_err *err);
int corm__set_field(void *inst, const char *name, const corm_value *value, corm_err *err);

#endif

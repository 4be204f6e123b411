/* Related managers (Django's fields/related_descriptors.py): the reverse side of a ForeignKey. */
#include <string.h>

#include "db/db.h"
#include "model/instance.h"
#include "queryset/queryset.h"

corm_qs *corm_related_qs(corm_db *db, const void *inst, const char *accessor)
{
	if (!db)
		return NULL;
	corm__db_ok(db);
	const corm_meta *meta = corm__instance_meta(inst);
	if (!meta || !accessor) {
		corm__db_error(db, CORM_EINVAL,
		               accessor ? "corm_related_qs: the instance is NULL or not of a "
		                          "registered model"
		                        : "corm_related_qs: the accessor name is NULL");
		return NULL;
	}
	const corm_relmeta *rel = NULL;
	for (size_t i = 0; i < meta->nrelated && !rel; i++)
		if (!meta->related_objects[i].hidden &&
		    !strcmp(meta->related_objects[i].accessor_name, accessor))
			rel = &meta->related_objects[i];
	if (!rel) {
		corm__db_error(db, CORM_EFIELD, "'%s' object has no attribute '%s'",
		               meta->model->name, accessor);
		return NULL;
	}
	if (!corm__pk_is_set(inst)) {
		corm__db_error(db, CORM_EINVAL,
		               "'%s' instance needs to have a primary key value before this "
		               "relationship can be used.",
		               meta->model->name);
		return NULL;
	}
	corm_qs *qs = corm_objects(db, rel->model->model);
	corm_value key;
	corm_pk_value(inst, &key);
	if (qs && corm_filter(qs, corm_q_new(rel->field->name, key))) {
		corm_qs_free(qs);
		return NULL;
	}
	return qs;
}

/* The correct forms of everything the other snippets get wrong. */
/* expect: OK */
#include "model.h"

int use(corm_db *db, corm_qs *qs, Post *author)
{
	int64_t ids[3] = {1, 2, 3};
	Post *p = NULL;
	int rc = corm_filter(qs, CORM_Q("id__in", corm_v_int_list(ids, 3)),
	                     CORM_Q("id__in", CORM_IN_INTS(1, 2)), CORM_Q("title", "x"),
	                     CORM_Q("author", CORM_OBJ(author)), CORM_Q("author", corm_v_null()));
	rc = rc ? rc : corm_next(qs, &p);
	rc = rc ? rc : corm_get(qs, &p, CORM_Q("pk", 1));
	rc = rc ? rc : corm_at(qs, 0, &p);
	rc = rc ? rc : corm_first(qs, &p);
	rc = rc ? rc : corm_new(&Post_model, &p);
	rc = rc ? rc
	        : corm_create(db, &Post_model, NULL,
	                      CORM_KWARGS(CORM_KW("author", CORM_OBJ(author))));
	rc = rc ? rc : corm_create(db, &Post_model, &p, CORM_NO_KWARGS);
	return rc;
}

/* A model instance passes through CORM_OBJ, never as a bare pointer. */
/* expect: parameter 1 is incomplete|CORM_V_takes_no_such_type */
#include "model.h"

int use(corm_db *db, Post *author)
{
	return corm_create(db, &Post_model, NULL, CORM_KWARGS(CORM_KW("author", author)));
}

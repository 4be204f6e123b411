/* CORM_V of a pointer type it does not list: never read as a model instance. */
/* expect: parameter 1 is incomplete|CORM_V_takes_no_such_type */
#include "model.h"

corm_value use(void *x)
{
	return CORM_V(x);
}

/* An array of ids decays to int64_t : not a value (use corm_v_int_list). */
/* expect: parameter 1 is incomplete|CORM_V_takes_no_such_type */
#include "model.h"

corm_q *use(void)
{
	int64_t ids[3] = {1, 2, 3};
	return CORM_Q("id__in", ids);
}

/* The out parameter is the address of a pointer: passing the pointer does not compile. */
/* expect: type mismatch in conditional|incompatible operand types */
#include "model.h"

int use(corm_db *db, corm_qs *qs)
{
	Post *p = NULL;
	(void)db;
	return corm_last(qs, p);
}

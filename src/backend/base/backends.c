#include <string.h>

#include "backend/base/backends.h"

const corm_backend *corm__backend_for(const char *scheme)
{
	if (strcmp(scheme, "sqlite") == 0)
		return &corm__sqlite_backend;
	return NULL;
}

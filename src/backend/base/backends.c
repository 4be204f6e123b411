#include <string.h>

#include "backend/base/backends.h"

const corm_backend *corm__backend_for(const char *scheme)
{
	if (strcmp(scheme, "sqlite") == 0)
		return &corm__sqlite_backend;
	if (strcmp(scheme, "mysql") == 0)
		return &corm__mysql_backend;
	if (strcmp(scheme, "postgresql") == 0)
		return &corm__postgres_backend;
	return NULL;
}

#include <stdio.h>
#include <string.h>

#include "backend/base/backends.h"

/* Set by CMakeLists.txt from CORM_WITH_POSTGRES / CORM_WITH_MYSQL (default ON). */
#ifndef CORM_WITH_POSTGRES
#define CORM_WITH_POSTGRES 1
#endif
#ifndef CORM_WITH_MYSQL
#define CORM_WITH_MYSQL 1
#endif

/*
 * A backend left out of the build (-DCORM_WITH_POSTGRES=OFF, -DCORM_WITH_MYSQL=OFF) is
 * still found by its scheme, as a table whose open() fails: corm_open then returns
 * CORM_ENOTSUP with a message that names the missing backend and the option, instead of
 * the "unknown scheme" a typo gets. Nothing but open() is ever called on it (a connection
 * that failed to open has no conn).
 */
#if !CORM_WITH_POSTGRES || !CORM_WITH_MYSQL
static int not_built(corm_driver_error *err, const char *what, const char *option)
{
	err->code = CORM_ENOTSUP;
	err->native = 0;
	snprintf(err->message, sizeof err->message,
	         "backend not built: this corm was built without %s (%s=OFF)", what, option);
	return CORM_ENOTSUP;
}
#endif

#if !CORM_WITH_POSTGRES
static int postgres_not_built(void **conn, const corm_url *url, corm_driver_error *err)
{
	(void)url;
	*conn = NULL;
	return not_built(err, "PostgreSQL", "CORM_WITH_POSTGRES");
}

static const corm_backend postgres_not_built_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "postgresql",
        .open = postgres_not_built,
};
#endif

#if !CORM_WITH_MYSQL
static int mysql_not_built(void **conn, const corm_url *url, corm_driver_error *err)
{
	(void)url;
	*conn = NULL;
	return not_built(err, "MariaDB/MySQL", "CORM_WITH_MYSQL");
}

static const corm_backend mysql_not_built_backend = {
        .abi = CORM_BACKEND_ABI,
        .vendor = "mysql",
        .open = mysql_not_built,
};
#endif

const corm_backend *corm__backend_for(const char *scheme)
{
	if (strcmp(scheme, "sqlite") == 0)
		return &corm__sqlite_backend;
#if CORM_WITH_MYSQL
	if (strcmp(scheme, "mysql") == 0)
		return &corm__mysql_backend;
#else
	if (strcmp(scheme, "mysql") == 0)
		return &mysql_not_built_backend;
#endif
#if CORM_WITH_POSTGRES
	if (strcmp(scheme, "postgresql") == 0)
		return &corm__postgres_backend;
#else
	if (strcmp(scheme, "postgresql") == 0)
		return &postgres_not_built_backend;
#endif
	return NULL;
}

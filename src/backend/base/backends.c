#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backend/base/backends.h"
#include "util/error.h"

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
	return corm__backend_registered(scheme);
}

/* ---- backends registered by the program (corm_backend_register) ---- */

static pthread_mutex_t registered_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char scheme[16];
	const corm_backend *be;
} registered[CORM_MAX_REGISTERED_BACKENDS];
static size_t nregistered;

static const char *const builtin_schemes[] = {"sqlite", "postgres", "postgresql", "pgsql",
                                              "mysql",  "mysql2",   "mariadb"};

/* The registered backend of a lowercase scheme, or NULL. Called with the lock held. */
static const corm_backend *find_registered(const char *scheme)
{
	for (size_t i = 0; i < nregistered; i++)
		if (strcmp(registered[i].scheme, scheme) == 0)
			return registered[i].be;
	return NULL;
}

const corm_backend *corm__backend_registered(const char *scheme)
{
	pthread_mutex_lock(&registered_lock);
	const corm_backend *be = find_registered(scheme);
	pthread_mutex_unlock(&registered_lock);
	return be;
}

/* The first function or table corm calls or reads without checking that `be` lacks, or NULL.
 */
static const char *missing_member(const corm_backend *be)
{
	const struct {
		bool present;
		const char *name;
	} members[] = {
#define MEMBER(m) {be->m != NULL, #m}
	        MEMBER(open),        MEMBER(close),        MEMBER(prepare),
	        MEMBER(bind),        MEMBER(step),         MEMBER(column),
	        MEMBER(column_text), MEMBER(column_count), MEMBER(reset),
	        MEMBER(finalize),    MEMBER(changes),      MEMBER(last_insert_id),
	        MEMBER(quote_name),  MEMBER(placeholder),  MEMBER(data_type),
	        MEMBER(features),    MEMBER(lookups),      MEMBER(transforms),
	        MEMBER(random_sql),  MEMBER(schema),
#undef MEMBER
	};
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
		if (!members[i].present)
			return members[i].name;
	return NULL;
}

int corm_backend_register(const corm_backend *be, const char *scheme)
{
	if (!be || !scheme)
		return corm__last_error(CORM_EINVAL, "corm_backend_register: %s is NULL",
		                        be ? "scheme" : "the backend");
	/* the version first: past `abi` and `vendor` (first in every ABI), another ABI's table may
	 * be laid out differently */
	const char *vendor = be->vendor && *be->vendor ? be->vendor : NULL;
	if (be->abi != CORM_BACKEND_ABI)
		return corm__last_error(CORM_EINVAL,
		                        "backend '%.64s' implements corm backend ABI %d, this corm "
		                        "needs %d",
		                        vendor ? vendor : scheme, be->abi, CORM_BACKEND_ABI);
	if (!vendor)
		return corm__last_error(CORM_EINVAL,
		                        "backend for scheme '%.15s' has no vendor name", scheme);
	char lower[16];
	size_t n = strlen(scheme);
	bool ok = n > 0 && n < sizeof lower;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)scheme[i];
		ok = isalnum(c) || c == '+';
		lower[i] = (char)tolower(c);
	}
	if (!ok)
		return corm__last_error(CORM_EINVAL,
		                        "backend '%s': scheme '%.40s' must be 1 to 15 letters, "
		                        "digits or '+'",
		                        vendor, scheme);
	lower[n] = '\0';
	for (size_t i = 0; i < sizeof builtin_schemes / sizeof builtin_schemes[0]; i++)
		if (strcmp(lower, builtin_schemes[i]) == 0)
			return corm__last_error(CORM_EINVAL,
			                        "backend '%s': scheme '%s' belongs to a built-in "
			                        "backend",
			                        vendor, lower);
	const char *missing = missing_member(be);
	if (missing)
		return corm__last_error(CORM_EINVAL, "backend '%s' has no %s", vendor, missing);
	pthread_mutex_lock(&registered_lock);
	const corm_backend *taken = find_registered(lower);
	int rc = CORM_OK;
	if (taken && taken != be)
		rc = corm__last_error(CORM_EINVAL,
		                      "backend '%s': scheme '%s' is taken by backend '%s'", vendor,
		                      lower, taken->vendor);
	else if (!taken && nregistered == CORM_MAX_REGISTERED_BACKENDS)
		rc = corm__last_error(CORM_EINVAL,
		                      "backend '%s': %d backends are registered already, the most "
		                      "corm keeps",
		                      vendor, CORM_MAX_REGISTERED_BACKENDS);
	else if (!taken) {
		memcpy(registered[nregistered].scheme, lower, n + 1);
		registered[nregistered].be = be;
		nregistered++;
	}
	pthread_mutex_unlock(&registered_lock);
	return rc;
}

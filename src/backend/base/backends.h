/* The backends built into this corm, found by URL scheme. */
#ifndef CORM_BACKEND_BACKENDS_H
#define CORM_BACKEND_BACKENDS_H

#include "corm/sys/backend.h"

extern const corm_backend corm__sqlite_backend;
extern const corm_backend corm__mysql_backend;
extern const corm_backend corm__postgres_backend;

/* The backend for a URL scheme (canonical: "postgresql"; or one a program registered), or
 * NULL when there is none. */
const corm_backend *corm__backend_for(const char *scheme);
/* The backend a program registered for a lowercase scheme (corm_backend_register), or NULL. */
const corm_backend *corm__backend_registered(const char *scheme);

#endif

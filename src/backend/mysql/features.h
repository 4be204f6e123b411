/* What a MariaDB or MySQL server can do, from the version it reports. */
#ifndef CORM_BACKEND_MYSQL_FEATURES_H
#define CORM_BACKEND_MYSQL_FEATURES_H

#include "corm/sys/backend.h"

/*
 * Fills *out from the server's version text as mysql_get_server_info gives it
 * ("10.11.6-MariaDB-0+deb12u1", "5.5.5-10.4.32-MariaDB", "8.0.36"): MariaDB
 * from 10.5 has INSERT ... RETURNING, from 10.6 SKIP LOCKED and JSON_TABLE;
 * MySQL has no RETURNING, and SKIP LOCKED, NOWAIT and FOR UPDATE OF from 8.0.1.
 * A text it cannot read (NULL too) counts as version 0: only what every
 * supported server has. Never fails.
 */
void corm__mysql_server_features(const char *server_info, corm_features *out);

#endif

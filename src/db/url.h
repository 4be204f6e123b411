/* Parsing dj-database-url style URLs. */
#ifndef CORM_DB_URL_H
#define CORM_DB_URL_H

#include "corm/sys/backend.h"
#include "model/meta.h"

/* Parses `text` into *url (owned; corm__url_free). CORM_EURL with a message that never repeats the
 * password, CORM_ENOMEM. */
int corm__url_parse(corm_url *url, const char *text, corm_err *err);
void corm__url_free(corm_url *url);

#endif

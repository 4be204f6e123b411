/* Decoding the text form drivers return for dates, decimals, UUIDs and JSON: shared by every
 * backend. */
#ifndef CORM_BACKEND_TEXT_VALUE_H
#define CORM_BACKEND_TEXT_VALUE_H

#include "corm/types.h"

/*
 * Reads `text` (len bytes, NUL-terminated) as `want`: DECIMAL, DATE (a
 * timestamp's date part too), DATETIME, TIME, UUID or JSON (new payloads owned
 * by the caller), TEXT (borrowed). CORM_EBACKEND when the text is not of that
 * type, CORM_ENOMEM, CORM_ENOTSUP for any other `want`.
 */
int corm__value_from_text(corm_type want, const char *text, size_t len, corm_value *out);

#endif

/*
 * Column types as data (Django's DatabaseWrapper.data_types): each backend
 * lists one template per field kind, and one formatter writes them.
 */
#ifndef CORM_BACKEND_DATA_TYPES_H
#define CORM_BACKEND_DATA_TYPES_H

#include "corm/model.h"

struct corm_buf;

/* The length of a per-kind table: every corm_field_kind is an index below it. Entry 0 (no
 * kind has that number) is the type of a kind the table leaves NULL. */
#define CORM__FIELD_KIND_COUNT (CORM_FIELD_GENERIC_IP + 1)

/*
 * Writes the template of `kind` in `types` (CORM__FIELD_KIND_COUNT entries) to
 * b, with Django's placeholders: "%(max_length)s", "%(max_digits)s",
 * "%(decimal_places)s" become the numbers given, "%%" a '%'. A kind out of
 * range or NULL in the table is written as entry 0; `fallback` (another table,
 * or NULL) is asked first when `types` has NULL for the kind (a cast type
 * table falls back to the data types).
 */
void corm__format_data_type(struct corm_buf *b, const char *const *types,
                            const char *const *fallback, int kind, int max_length, int max_digits,
                            int decimal_places);

#endif

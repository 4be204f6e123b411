/* The row decoder: driver row -> model struct, with no per-row name lookups. */
#ifndef CORM_QUERYSET_DECODE_H
#define CORM_QUERYSET_DECODE_H

#include "db/db.h"
#include "model/instance.h"
#include "model/meta.h"

/* What the iterator knows of its reused instance's text buffers: a field's buffer and its size. */
typedef struct corm_text_slot {
	char *ptr;
	size_t cap;
} corm_text_slot;

/*
 * Fills `inst` (allocated, zeroed, obj.model set) from the current row,
 * columns in meta field order from column `first_col` on (the select plan:
 * the base model's columns first, then each select_related model's). With `slots` (one per field,
 * zeroed for a fresh instance), inst is instead the iterator's instance holding the previous row:
 * it is reset, and each text is copied into the buffer the field already owns when it fits, as a
 * hand-written loop reuses its buffers.
 */
int corm__decode_instance(corm_stmt *st, const corm_meta *meta, void *inst, corm_text_slot *slots,
                          int first_col);
/* Reads column `col` as field fm's type into a deep-copied value. */
/* `maybe_null`: the column is read through a nullable join (NULL although the field is NOT NULL).
 */
int corm__decode_value(corm_stmt *st, int col, const corm_fmeta *fm, bool maybe_null,
                       corm_value *out);

#endif

/* The row decoder: driver row -> model struct, with no per-row name lookups. */
#ifndef CORM_QUERY_DECODE_H
#define CORM_QUERY_DECODE_H

#include "db/db.h"
#include "model/meta.h"

/* Fills `inst` (allocated, zeroed, obj.model set) from the current row, columns in meta field
 * order. */
int corm__decode_instance(corm_stmt *st, const corm_meta *meta, void *inst);
/* Allocates an instance with obj.model set and nothing else (no defaults). */
void *corm__alloc_instance(const corm_meta *meta);
/* Frees what an instance's members own and zeroes the instance, keeping obj.model (for reuse). */
void corm__instance_reset(void *inst);
/* Reads column `col` as field fm's type into a deep-copied value. */
int corm__decode_value(corm_stmt *st, int col, const corm_fmeta *fm, corm_value *out);

#endif

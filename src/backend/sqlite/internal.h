/*
 * What the files of the SQLite backend share: base.c (connection and driver, the backend
 * table) takes these from operations.c, features.c and schema.c.
 */
#ifndef CORM_BACKEND_SQLITE_INTERNAL_H
#define CORM_BACKEND_SQLITE_INTERNAL_H

#include "corm/sys/backend.h"

struct corm_buf;

/* ---- operations.c ---- */
#define CORM__SQ_LIKE_ESCAPE '\\'
void corm__sq_quote_name(struct corm_buf *b, const char *name);
void corm__sq_placeholder(struct corm_buf *b, int n);
extern const corm_lookup_sql corm__sq_lookups[];
extern const corm_transform_sql corm__sq_transforms[];
extern const char corm__sq_in_json_sql[], corm__sq_random_sql[], corm__sq_no_limit[];

/* ---- features.c ---- */
int corm__sq_features(void *conn, corm_features *f, corm_driver_error *err);

/* ---- schema.c ---- */
void corm__sq_data_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                        int decimal_places);
const char *corm__sq_check_sql(int kind);
extern const char corm__sq_auto_suffix[], corm__sq_deferrable_sql[];

extern const corm_schema_templates corm__sq_schema;

/* ---- introspection.c ---- */
int corm__sq_introspect_tables(void *conn, struct corm_name_list *out, corm_driver_error *err);
int corm__sq_introspect_table(void *conn, const char *table, struct corm_table_desc *out,
                              corm_driver_error *err);

#endif

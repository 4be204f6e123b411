/*
 * What the files of the PostgreSQL backend share: base.c (connection and driver, the
 * backend table) takes these from operations.c, features.c and schema.c.
 */
#ifndef CORM_BACKEND_POSTGRES_INTERNAL_H
#define CORM_BACKEND_POSTGRES_INTERNAL_H

#include <libpq-fe.h>

#include "corm/sys/backend.h"

struct corm_buf;

/* ---- base.c ---- */
/* The libpq connection of an open backend connection. */
PGconn *corm__pg_handle(void *conn);

/* ---- operations.c ---- */
#define CORM__PG_LIKE_ESCAPE '\\'
void corm__pg_quote_name(struct corm_buf *b, const char *name);
void corm__pg_placeholder(struct corm_buf *b, int n);
void corm__pg_cast_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                        int decimal_places);
extern const corm_lookup_sql corm__pg_lookups[];
extern const corm_transform_sql corm__pg_transforms[];
extern const char corm__pg_in_json_sql[], corm__pg_random_sql[];
extern const char corm__pg_bytes_literal_start[], corm__pg_bytes_literal_end[];

/* ---- features.c ---- */
int corm__pg_features(void *conn, corm_features *f, corm_driver_error *err);

/* ---- schema.c ---- */
extern const char *const corm__pg_data_types[];
void corm__pg_data_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                        int decimal_places);
const char *corm__pg_check_sql(int kind);
extern const char corm__pg_deferrable_sql[];

extern const corm_schema_templates corm__pg_schema;

/* ---- introspection.c ---- */
int corm__pg_introspect_tables(void *conn, struct corm_name_list *out, corm_driver_error *err);
int corm__pg_introspect_table(void *conn, const char *table, struct corm_table_desc *out,
                              corm_driver_error *err);

#endif

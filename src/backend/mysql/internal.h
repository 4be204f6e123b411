/*
 * What the files of the MariaDB/MySQL backend share: base.c (connection and driver, the
 * backend table) takes these from operations.c, features.c and schema.c.
 */
#ifndef CORM_BACKEND_MYSQL_INTERNAL_H
#define CORM_BACKEND_MYSQL_INTERNAL_H

#include <stddef.h>

#include "backend/mysql/features.h"
#include "corm/sys/backend.h"

struct corm_buf;

/* ---- base.c ---- */
/* The version text of the server behind an open connection (mysql_get_server_info). */
const char *corm__my_server_info(void *conn);

/* ---- operations.c ---- */
#define CORM__MY_LIKE_ESCAPE '\\' /* LIKE's default escape character in MariaDB */
void corm__my_quote_name(struct corm_buf *b, const char *name);
void corm__my_quote_value(struct corm_buf *b, const char *text, size_t len);
void corm__my_placeholder(struct corm_buf *b, int n);
void corm__my_cast_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                        int decimal_places);
extern const corm_lookup_sql corm__my_lookups[];
extern const corm_transform_sql corm__my_transforms[];
extern const char corm__my_in_json_sql[], corm__my_random_sql[], corm__my_no_limit[];

/* ---- features.c ---- */
int corm__my_features(void *conn, corm_features *out, corm_driver_error *err);

/* ---- schema.c ---- */
void corm__my_data_type(struct corm_buf *b, int kind, int max_length, int max_digits,
                        int decimal_places);
const char *corm__my_check_sql(int kind);
extern const char corm__my_deferrable_sql[];

extern const corm_schema_templates corm__my_schema;

/* ---- introspection.c ---- */
int corm__my_introspect_tables(void *conn, struct corm_name_list *out, corm_driver_error *err);
int corm__my_introspect_table(void *conn, const char *table, struct corm_table_desc *out,
                              corm_driver_error *err);

#endif

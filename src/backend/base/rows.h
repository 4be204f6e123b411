/* Running a catalogue query through a backend's own driver functions (introspection). */
#ifndef CORM_BACKEND_BASE_ROWS_H
#define CORM_BACKEND_BASE_ROWS_H

#include "corm/sys/backend.h"

/* Called per row with the row's columns as text (NULL for SQL NULL); a non-zero return
 * stops the query and is returned. */
typedef int (*corm__row_fn)(void *ctx, const char *const *cols, int ncols);

/*
 * Prepares `sql` on conn through be's driver, binds the text `params`, and calls fn for
 * every row (at most 16 columns are passed). CORM_OK, fn's code, or the driver's error in
 * err (CORM_ENOMEM too).
 */
int corm__be_rows(const corm_backend *be, void *conn, const char *sql, const char *const *params,
                  int nparams, corm__row_fn fn, void *ctx, corm_driver_error *err);

/* Sets err to CORM_ENOMEM "out of memory" and returns it. */
int corm__be_oom(corm_driver_error *err);

#endif

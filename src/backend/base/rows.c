/* Catalogue queries through a backend's own driver functions (see rows.h). */
#include <stdio.h>
#include <string.h>

#include "backend/base/rows.h"
#include "util/alloc.h"

int corm__be_oom(corm_driver_error *err)
{
	err->code = CORM_ENOMEM;
	err->native = 0;
	strcpy(err->message, "out of memory");
	return CORM_ENOMEM;
}

int corm__be_rows(const corm_backend *be, void *conn, const char *sql, const char *const *params,
                  int nparams, corm__row_fn fn, void *ctx, corm_driver_error *err)
{
	void *stmt = NULL;
	int rc = be->prepare(conn, sql, strlen(sql), &stmt, err);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < nparams; i++) {
		corm_value v = corm_v_text(params[i]);
		rc = be->bind(stmt, i, &v, true, err);
	}
	/* the texts live in the driver's row buffer until the next step: copied per row */
	char *copies[16];
	while (!rc) {
		rc = be->step(stmt, err);
		if (rc == CORM_DONE) {
			rc = CORM_OK;
			break;
		}
		if (rc != CORM_ROW)
			break;
		rc = CORM_OK;
		int n = be->column_count(stmt);
		if (n > 16)
			n = 16;
		int made = 0;
		for (; !rc && made < n; made++) {
			const char *text;
			size_t len;
			copies[made] = NULL;
			rc = be->column_text(stmt, made, &text, &len);
			if (rc == CORM_ENOMEM ||
			    (!rc && text && !(copies[made] = corm__strndup(text, len))))
				rc = corm__be_oom(err);
			else if (rc) {
				err->code = rc;
				err->native = 0;
				snprintf(err->message, sizeof err->message,
				         "introspection: cannot read column %d of a catalogue row",
				         made);
			}
		}
		if (!rc)
			rc = fn(ctx, (const char *const *)copies, n);
		for (int i = 0; i < made; i++)
			corm__free(copies[i]);
	}
	be->finalize(stmt);
	return rc;
}

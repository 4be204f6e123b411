/*
 * Error state below every other layer: the message builder (corm_err) that
 * handles carry, and the calling thread's last error (corm_error_last).
 */
#ifndef CORM_UTIL_ERROR_H
#define CORM_UTIL_ERROR_H

#include "corm/common.h"
#include "util/buf.h"

/* A code and a message being built; handles keep one, calls fill a local one. */
typedef struct corm_err {
	int code;
	corm_buf msg;
} corm_err;

/* Sets err (code + printf message); returns code. A NULL err is allowed (nothing kept). */
int corm__err_set(corm_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void corm__err_free(corm_err *err);

/*
 * Records code and a printf message as the calling thread's last error;
 * returns code. Never allocates: the message is cut at a UTF-8 character
 * boundary to fit CORM_ERROR_MESSAGE_MAX.
 */
int corm__last_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a ready message (NULL reads "out of memory"). */
int corm__last_error_str(int code, const char *msg);
/*
 * Records code with err's message (its text; "out of memory" if building it
 * failed; the code's sentence if none was built). Returns code.
 */
int corm__last_error_from(int code, const corm_err *err);

#endif

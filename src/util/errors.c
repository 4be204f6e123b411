/*
 * Result codes (names and sentences from CORM_ERRNO_MAP), message builders,
 * and the per-thread last error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

const char *corm_err_name(int code)
{
	switch (code) {
#define CORM__ERRNO_NAME(name, value, sentence)                                                    \
	case CORM_##name:                                                                          \
		return "CORM_" #name;
		CORM_ERRNO_MAP(CORM__ERRNO_NAME)
#undef CORM__ERRNO_NAME
	}
	return "CORM_UNKNOWN";
}

const char *corm_strerror(int code)
{
	switch (code) {
#define CORM__ERRNO_SENTENCE(name, value, sentence)                                                \
	case CORM_##name:                                                                          \
		return sentence;
		CORM_ERRNO_MAP(CORM__ERRNO_SENTENCE)
#undef CORM__ERRNO_SENTENCE
	}
	return "unknown result code";
}

int corm__err_set(corm_err *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	corm_buf_clear(&err->msg);
	va_list ap;
	va_start(ap, fmt);
	corm_buf_vprintf(&err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void corm__err_free(corm_err *err)
{
	if (err)
		corm_buf_free(&err->msg);
}

/* ---- the calling thread's last error ---- */

/*
 * Fixed-size storage per thread: recording an error cannot fail and leaves
 * nothing to free at thread exit.
 */
static _Thread_local struct {
	corm_error pub;
	char msg[CORM_ERROR_MESSAGE_MAX];
} last;

/* Cuts s (of `len` bytes, possibly more than fit) to fit the buffer without splitting a UTF-8
 * character. */
static void fit_utf8(char *s, size_t len)
{
	size_t cap = CORM_ERROR_MESSAGE_MAX - 1;
	if (len <= cap) {
		s[len] = '\0';
		return;
	}
	/* the last kept byte is s[cap - 1]: find where its character starts */
	size_t start = cap - 1;
	while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
		start--;
	unsigned char lead = (unsigned char)s[start];
	size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	s[start + need <= cap ? start + need : start] = '\0';
}

static int set_last(int code, const char *fmt, va_list ap)
{
	int n = vsnprintf(last.msg, sizeof last.msg, fmt, ap);
	if (n < 0)
		snprintf(last.msg, sizeof last.msg, "%s", corm_strerror(code));
	else
		fit_utf8(last.msg, (size_t)n);
	last.pub.code = code;
	return code;
}

int corm__last_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_last(code, fmt, ap);
	va_end(ap);
	return code;
}

int corm__last_error_str(int code, const char *msg)
{
	size_t n = msg ? strlen(msg) : 0;
	if (!msg)
		msg = "out of memory", n = strlen(msg);
	size_t keep = n < sizeof last.msg ? n : sizeof last.msg - 1;
	memmove(last.msg, msg, keep); /* msg may be the last message itself */
	fit_utf8(last.msg, n);
	last.pub.code = code;
	return code;
}

int corm__last_error_from(int code, const corm_err *err)
{
	const char *msg = corm_buf_cstr((corm_buf *)&err->msg);
	if (msg && !*msg) /* a failure that built no message: say what the code means */
		msg = corm_strerror(code);
	return corm__last_error_str(code, msg);
}

const corm_error *corm_error_last(void)
{
	last.pub.message = last.pub.code == CORM_OK ? "no error" : last.msg;
	return &last.pub;
}

void corm_error_clear(void)
{
	last.pub.code = CORM_OK;
	last.msg[0] = '\0';
}

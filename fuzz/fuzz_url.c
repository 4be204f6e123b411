/*
 * Database URLs (src/db/url.c: corm__url_parse), what corm_open and corm_pool_new read.
 * Property: CORM_OK with every part set as documented, or CORM_EURL with a message;
 * nothing leaks either way.
 */
#include "db/url.h"
#include "util/error.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	corm_url url;
	memset(&url, 0, sizeof url);
	corm_err err = {0};
	int rc = corm__url_parse(&url, text, &err);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EURL, "corm__url_parse: not CORM_OK nor CORM_EURL");
	if (rc == CORM_OK) {
		FUZZ_CHECK(url.scheme != NULL, "a parsed URL has a scheme");
		FUZZ_CHECK(url.port >= 0 && url.port <= 65535, "a parsed URL's port is 0..65535");
		if (url.options)
			for (char **p = url.options; *p; p += 2)
				FUZZ_CHECK(p[1] != NULL, "options come in key, value pairs");
	} else {
		FUZZ_CHECK(err.code == CORM_EURL && err.msg.len > 0,
		           "CORM_EURL comes with a message");
		/* the message never repeats a password: the seeds' is "pw!s3cr3t" ('!' cannot be
		 * in a scheme, the one part of the URL a message quotes) */
		FUZZ_CHECK(!memmem(err.msg.ptr, err.msg.len, "pw!s3cr3t", 9),
		           "an error message repeats the password");
	}
	corm__url_free(&url);
	corm__err_free(&err);
	free(text);
	return 0;
}

/*
 * JSON as the backends read it back: jansson through corm__json_loadb (corm's allocator,
 * its out-of-memory report) with the flags of src/backend/base/text_value.c
 * (JSON_DECODE_ANY | JSON_ALLOW_NUL). Properties: a value or NULL without *oom; an accepted
 * value dumped by corm__json_dumps (as corm binds JSON) loads back to an equal value.
 */
#include "util/alloc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool oom = true;
	json_t *j =
	        corm__json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &oom);
	FUZZ_CHECK(!oom, "corm__json_loadb reports out of memory");
	if (j) {
		size_t len;
		char *text = corm__json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT, &len);
		FUZZ_CHECK(text != NULL, "corm__json_dumps");
		json_t *j2 = corm__json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &oom);
		FUZZ_CHECK(j2 != NULL, "json: the dumped text loads");
		FUZZ_CHECK(json_equal(j, j2), "json: load -> dump -> load changes the value");
		json_decref(j2);
		corm__free(text);
		json_decref(j);
	}
	return 0;
}

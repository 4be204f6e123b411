/*
 * Decimals (corm_decimal_parse), as every backend's NUMERIC text comes back.
 * Properties: CORM_OK or CORM_EINVAL only; an accepted decimal's plain text
 * (corm_decimal_to_string) parses back to an equal decimal whose text is the same, and
 * keeps the scale when it was not negative ("12.50" stays "12.50"). The round trip is skipped
 * past 10000 digits of scale either way: "1e999999" is a million characters of text, and
 * printing and reading it back for every such input would slow the fuzzer a hundredfold.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	corm_decimal *d = NULL, *d2 = NULL;
	int rc = corm_decimal_parse(&d, text);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EINVAL, "corm_decimal_parse: not OK nor EINVAL");
	FUZZ_CHECK((rc == CORM_OK) == (d != NULL), "*out is set exactly on success");
	if (rc == CORM_OK && corm_decimal_scale(d) >= -10000 && corm_decimal_scale(d) <= 10000) {
		char *s = corm_decimal_to_string(d);
		FUZZ_CHECK(s != NULL, "corm_decimal_to_string");
		FUZZ_CHECK(corm_decimal_parse(&d2, s) == CORM_OK, "a decimal's text parses");
		FUZZ_CHECK(corm_decimal_cmp(d, d2) == 0,
		           "decimal: parse -> format -> parse changes the value");
		if (corm_decimal_scale(d) >= 0)
			FUZZ_CHECK(corm_decimal_scale(d2) == corm_decimal_scale(d),
			           "decimal: parse -> format -> parse changes the scale");
		char *s2 = corm_decimal_to_string(d2);
		FUZZ_CHECK(s2 != NULL && !strcmp(s, s2), "decimal: the text is not stable");
		corm_mem_free(s2);
		corm_mem_free(s);
	}
	corm_decimal_free(d2);
	corm_decimal_free(d);
	free(text);
	return 0;
}

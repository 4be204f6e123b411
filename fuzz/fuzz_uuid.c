/*
 * UUIDs (corm_uuid_parse): PostgreSQL's uuid text, the char(32) hex of SQLite and MariaDB.
 * The input is not NUL-terminated. Properties: CORM_OK or CORM_EINVAL only; an accepted
 * UUID's dashed text and its 32 hex digits both parse back to the same 16 bytes.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	corm_uuid u, u2;
	int rc = corm_uuid_parse(&u, (const char *)data, size);
	FUZZ_CHECK(rc == CORM_OK || rc == CORM_EINVAL, "corm_uuid_parse: not OK nor EINVAL");
	if (rc == CORM_OK) {
		char dashed[CORM_UUID_STRLEN], hex[33];
		FUZZ_CHECK(corm_uuid_format(u, dashed) == 36 && strlen(dashed) == 36,
		           "corm_uuid_format gives 36 characters");
		FUZZ_CHECK(corm_uuid_parse(&u2, dashed, 36) == CORM_OK, "a UUID's text parses");
		FUZZ_CHECK(!memcmp(u.bytes, u2.bytes, 16),
		           "uuid: parse -> format -> parse changes it");
		FUZZ_CHECK(corm_uuid_hex(u, hex) == 32 && strlen(hex) == 32,
		           "corm_uuid_hex gives 32 digits");
		FUZZ_CHECK(corm_uuid_parse(&u2, hex, 32) == CORM_OK, "a UUID's hex parses");
		FUZZ_CHECK(!memcmp(u.bytes, u2.bytes, 16),
		           "uuid: parse -> hex -> parse changes it");
	}
	return 0;
}

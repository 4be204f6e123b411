/*
 * types/uuid.c - UUID generation (libuuid), parsing and formatting.
 */
#include <string.h>

#include <uuid/uuid.h>

#include "corm/types.h"
#include "util/hex.h"

static const char hex_digits[] = "0123456789abcdef";

/* Dashes of the canonical 8-4-4-4-12 form sit at these offsets. */
static bool is_dash_position(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

CORM_EXTERN(corm_uuid) corm_uuid4(void)
{
	corm_uuid u;
	uuid_t raw;

	uuid_generate_random(raw);
	memcpy(u.bytes, raw, sizeof(u.bytes));
	return u;
}

CORM_EXTERN(int) corm_uuid_parse(corm_uuid *out, const char *text, size_t len)
{
	corm_uuid u;
	size_t nibble = 0;
	bool dashed = len == 36;

	if (!out || !text || (len != 32 && !dashed))
		return CORM_EINVAL;
	for (size_t i = 0; i < len; i++) {
		int v;

		/* Dashes are accepted only in the canonical places, and required there. */
		if (dashed && is_dash_position(i)) {
			if (text[i] != '-')
				return CORM_EINVAL;
			continue;
		}
		v = corm__hex_value(text[i]);
		if (v < 0)
			return CORM_EINVAL;
		if (nibble % 2 == 0)
			u.bytes[nibble / 2] = (uint8_t)(v << 4);
		else
			u.bytes[nibble / 2] |= (uint8_t)v;
		nibble++;
	}
	*out = u;
	return CORM_OK;
}

/* Writes the two lower-case hex digits of a byte. */
static char *put_byte(char *p, uint8_t b)
{
	*p++ = hex_digits[b >> 4];
	*p++ = hex_digits[b & 0x0f];
	return p;
}

CORM_EXTERN(size_t) corm_uuid_format(corm_uuid u, char buf[CORM_UUID_STRLEN])
{
	char *p = buf;

	for (size_t i = 0; i < 16; i++) {
		/* Dashes precede bytes 4, 6, 8 and 10: 8-4-4-4-12 hex digits. */
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p = put_byte(p, u.bytes[i]);
	}
	*p = '\0';
	return 36;
}

CORM_EXTERN(size_t) corm_uuid_hex(corm_uuid u, char buf[33])
{
	char *p = buf;

	for (size_t i = 0; i < 16; i++)
		p = put_byte(p, u.bytes[i]);
	*p = '\0';
	return 32;
}

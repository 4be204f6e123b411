/* Hex digits: the one reader for UUIDs, PostgreSQL's bytea and percent-encoded URLs. */
#ifndef CORM_UTIL_HEX_H
#define CORM_UTIL_HEX_H

/* The value of one ASCII hex digit in either case, or -1. */
static inline int corm__hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif

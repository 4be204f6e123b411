/* IPv4/IPv6 address syntax, as Python's ipaddress module and Django accept it. */
#include "model/validators/validators.h"

/* ---- IP addresses (Python's ipaddress module) -------------------------- */

/* IPv4Address(s), plus the leading-zero ban of Python 3.9.5+ and Django. */
bool corm__ipv4_ok(const uint32_t *c, size_t n)
{
	size_t i = 0;
	int parts = 0;
	for (;;) {
		size_t start = i;
		unsigned val = 0;
		while (i < n && c[i] != '.') {
			if (!corm__is_digit(c[i]) || i - start >= 3)
				return false;
			val = val * 10 + (c[i] - '0');
			i++;
		}
		size_t len = i - start;
		if (len == 0 || (len > 1 && c[start] == '0') || val > 255)
			return false;
		if (++parts > 4)
			return false;
		if (i == n)
			break;
		i++; /* the dot */
	}
	return parts == 4;
}

typedef struct hextet {
	size_t start, len;
	bool synthetic; /* half of an embedded IPv4 address, already checked */
} hextet;

static bool hextet_ok(const uint32_t *c, const hextet *h)
{
	if (h->synthetic)
		return true;
	if (h->len == 0 || h->len > 4)
		return false;
	for (size_t i = 0; i < h->len; i++)
		if (!corm__is_hex(c[h->start + i]))
			return false;
	return true;
}

/* IPv6Address(s) (ipaddress._BaseV6._ip_int_from_string), scope id allowed. */
bool corm__ipv6_ok(const uint32_t *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i] == '%') {
			/* "addr%scope": the scope must be non-empty and hold no other '%' */
			if (i + 1 == n)
				return false;
			for (size_t j = i + 1; j < n; j++)
				if (c[j] == '%')
					return false;
			n = i;
			break;
		}
	if (n == 0)
		return false;
	hextet parts[10];
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || c[i] == ':') {
			if (np == 9)
				return false; /* more than 8 colons */
			parts[np++] = (hextet){start, i - start, false};
			start = i + 1;
		}
	if (np < 3)
		return false;
	hextet *last = &parts[np - 1];
	bool dotted = false;
	for (size_t i = 0; i < last->len; i++)
		dotted |= c[last->start + i] == '.';
	if (dotted) {
		if (!corm__ipv4_ok(c + last->start, last->len))
			return false;
		if (np == 9)
			return false;
		parts[np - 1] = (hextet){0, 0, true};
		parts[np++] = (hextet){0, 0, true};
	}
	size_t skip = 0;
	bool has_skip = false;
	for (size_t i = 1; i + 1 < np; i++)
		if (parts[i].len == 0 && !parts[i].synthetic) {
			if (has_skip)
				return false;
			has_skip = true;
			skip = i;
		}
	size_t hi, lo;
	if (has_skip) {
		hi = skip;
		lo = np - skip - 1;
		if (parts[0].len == 0 && !parts[0].synthetic && --hi)
			return false;
		if (parts[np - 1].len == 0 && !parts[np - 1].synthetic && --lo)
			return false;
		if (hi + lo >= 8)
			return false;
	} else {
		if (np != 8)
			return false;
		hi = np;
		lo = 0;
	}
	for (size_t i = 0; i < hi; i++)
		if (!hextet_ok(c, &parts[i]))
			return false;
	for (size_t i = np - lo; i < np; i++)
		if (!hextet_ok(c, &parts[i]))
			return false;
	return true;
}

/* django.utils.ipv6.is_valid_ipv6_address: at most 39 characters. */
bool corm__django_ipv6_ok(const uint32_t *c, size_t n)
{
	return n <= 39 && corm__ipv6_ok(c, n);
}

/* IPv4/IPv6 address syntax, as Python's ipaddress module and Django accept it. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

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

/* ---- GenericIPAddressField's stored form (django.utils.ipv6.clean_ipv6_address) ---- */

bool corm__ip_clean(const corm_fmeta *fm, const char *text, char out[46])
{
	if (!text || !strchr(text, ':'))
		return false;
	size_t n;
	uint32_t *cp = corm__cp_decode(text, &n);
	if (!cp)
		return false;
	bool ok = corm__ipv6_ok(cp, n);
	corm__free(cp);
	/* int(IPv6Address(s)) drops a scope id ("fe80::1%eth0") */
	size_t len = strcspn(text, "%");
	char buf[64];
	if (!ok || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	uint8_t a[16];
	if (inet_pton(AF_INET6, buf, a) != 1)
		return false;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!memcmp(a, mapped, sizeof mapped)) {
		snprintf(out, 46, "%s%u.%u.%u.%u", fm->decl->unpack_ipv4 ? "" : "::ffff:", a[12],
		         a[13], a[14], a[15]);
		return true;
	}
	/* str(IPv6Address): hextets in lower-case hex, the first longest run of two or more
	 * zero hextets written "::" (ipaddress._compress_hextets) */
	unsigned h[8];
	for (int i = 0; i < 8; i++)
		h[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		if (h[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !h[j])
			j++;
		if (j - i > best_len)
			best = i, best_len = j - i;
		i = j;
	}
	if (best_len < 2)
		best = -1;
	size_t o = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o += (size_t)snprintf(out + o, 46 - o, "::");
			i += best_len - 1;
			continue;
		}
		if (i && !(best >= 0 && i == best + best_len))
			out[o++] = ':';
		o += (size_t)snprintf(out + o, 46 - o, "%x", h[i]);
	}
	out[o] = '\0';
	return true;
}

void corm__ip_from_db(char *text)
{
	/* PostgreSQL's inet keeps a netmask: a host's /32 or /128 is not part of the address */
	char *slash = text ? strrchr(text, '/') : NULL;
	if (slash && (!strcmp(slash, strchr(text, ':') ? "/128" : "/32")))
		*slash = '\0';
}

/* django.core.validators.URLValidator (schemes http, https, ftp, ftps). */
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

/* ---- URLValidator ------------------------------------------------------- */

/* URLValidator.ul: '\u00a1-\uffff'. */
static bool url_ul(uint32_t c)
{
	return c >= 0xA1 && c <= 0xFFFF;
}

/*
 * The regex, followed piece by piece:
 *   ^(?:[a-z0-9.+-]*)://  (?:[^\s:@/]+(?::[^\s:@/]*)?@)?
 *   (?:ipv4|\[[0-9a-f:.]+\]|hostname domain* tld|localhost)
 *   (?::\d{2,5})?  (?:[/?#][^\s]*)?  \Z            (re.IGNORECASE)
 * Labels cannot contain the '.', ':', '/', '?' or '#' that must follow them,
 * so each label matches only its full run and the search stays linear.
 */
typedef struct url_in {
	const uint32_t *c;
	size_t n;
} url_in;

static bool url_path_tail(const url_in *u, size_t p)
{
	if (p == u->n)
		return true;
	if (u->c[p] != '/' && u->c[p] != '?' && u->c[p] != '#')
		return false;
	for (size_t i = p + 1; i < u->n; i++)
		if (corm__py_space(u->c[i]))
			return false;
	return true;
}

/* (?::\d{2,5})?(?:[/?#][^\s]*)?\Z */
static bool url_tail(const url_in *u, size_t p)
{
	if (p < u->n && u->c[p] == ':') {
		size_t k = p + 1;
		while (k < u->n && corm__is_digit(u->c[k]))
			k++;
		return k - p - 1 >= 2 && k - p - 1 <= 5 && url_path_tail(u, k);
	}
	return url_path_tail(u, p);
}

/* End positions of one ipv4 octet alternative: 0|25[0-5]|2[0-4]\d|1\d?\d?|[1-9]\d? */
static int url_octet_ends(const url_in *u, size_t p, size_t ends[4])
{
	const uint32_t *c = u->c;
	size_t n = u->n;
	int k = 0;
	size_t digits = 0;
	while (digits < 3 && p + digits < n && corm__is_digit(c[p + digits]))
		digits++;
	if (digits == 0)
		return 0;
	ends[k++] = p + 1; /* "0", "1", "[1-9]" */
	if (c[p] != '0' && digits >= 2)
		ends[k++] = p + 2; /* "1\d", "[1-9]\d" */
	if (digits == 3 && ((c[p] == '1') || (c[p] == '2' && c[p + 1] <= '4') ||
	                    (c[p] == '2' && c[p + 1] == '5' && c[p + 2] <= '5')))
		ends[k++] = p + 3;
	return k;
}

static bool url_ipv4_from(const url_in *u, size_t p, int octet)
{
	size_t ends[4];
	int k = url_octet_ends(u, p, ends);
	for (int i = 0; i < k; i++) {
		size_t e = ends[i];
		if (octet == 3) {
			if (url_tail(u, e))
				return true;
		} else if (e < u->n && u->c[e] == '.' && url_ipv4_from(u, e + 1, octet + 1)) {
			return true;
		}
	}
	return false;
}

static bool url_host_char(uint32_t c)
{
	return corm__alnum_ci(c) || url_ul(c);
}

/* A hostname/domain label at p: [a-z¡-￿0-9] run with inner '-', 1..63 long. */
static bool url_label(const url_in *u, size_t p, size_t *end)
{
	size_t i = p;
	while (i < u->n && (url_host_char(u->c[i]) || u->c[i] == '-'))
		i++;
	if (i == p || i - p > 63 || u->c[p] == '-' || u->c[i - 1] == '-')
		return false;
	*end = i;
	return true;
}

/* tld_re after its dot: (?!-)(?:[a-z¡-￿-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\.? then the tail */
static bool url_tld(const url_in *u, size_t p)
{
	const uint32_t *c = u->c;
	size_t n = u->n, ends[2], k = 0, i = p;
	while (i < n && (corm__alpha_ci(c[i]) || url_ul(c[i]) || c[i] == '-'))
		i++;
	if (i - p >= 2 && i - p <= 63 && c[p] != '-' && c[i - 1] != '-')
		ends[k++] = i;
	if (p + 4 < n && corm__eq_ascii_ci(c + p, 4, "xn--")) {
		i = p + 4;
		while (i < n && corm__alnum_ci(c[i]))
			i++;
		if (i - p - 4 >= 1 && i - p - 4 <= 59)
			ends[k++] = i;
	}
	for (size_t j = 0; j < k; j++) {
		size_t e = ends[j];
		if (e < n && c[e] == '.' && url_tail(u, e + 1))
			return true;
		if (url_tail(u, e))
			return true;
	}
	return false;
}

/* After a label: domain_re's (?:\.label)* then tld_re. */
static bool url_host_rest(const url_in *u, size_t p)
{
	while (p < u->n && u->c[p] == '.') {
		if (url_tld(u, p + 1))
			return true;
		size_t e;
		if (!url_label(u, p + 1, &e))
			return false;
		p = e;
	}
	return false;
}

static bool url_host(const url_in *u, size_t p)
{
	const uint32_t *c = u->c;
	size_t n = u->n, e;
	if (url_ipv4_from(u, p, 0))
		return true;
	if (p < n && c[p] == '[') {
		size_t i = p + 1;
		while (i < n && (corm__is_hex(c[i]) || c[i] == ':' || c[i] == '.'))
			i++;
		if (i > p + 1 && i < n && c[i] == ']' && url_tail(u, i + 1))
			return true;
	}
	if (url_label(u, p, &e) && url_host_rest(u, e))
		return true;
	return p + 9 <= n && corm__eq_ascii_ci(c + p, 9, "localhost") && url_tail(u, p + 9);
}

static bool url_userinfo_char(uint32_t c)
{
	return !corm__py_space(c) && c != ':' && c != '@' && c != '/';
}

static bool url_regex(const uint32_t *c, size_t n)
{
	url_in u = {c, n};
	size_t p = 0;
	while (p < n && (corm__alnum_ci(c[p]) || c[p] == '.' || c[p] == '+' || c[p] == '-'))
		p++;
	if (p + 3 > n || c[p] != ':' || c[p + 1] != '/' || c[p + 2] != '/')
		return false;
	p += 3;
	size_t j = p;
	while (j < n && url_userinfo_char(c[j]))
		j++;
	if (j > p && j < n) {
		size_t host = 0;
		if (c[j] == '@') {
			host = j + 1;
		} else if (c[j] == ':') {
			size_t k = j + 1;
			while (k < n && url_userinfo_char(c[k]))
				k++;
			if (k < n && c[k] == '@')
				host = k + 1;
		}
		if (host && url_host(&u, host))
			return true;
	}
	return url_host(&u, p);
}

/* Python's ipaddress.ip_address() accepts it as IPv6 but not IPv4 (urlsplit's bracket check). */
static bool url_bracketed_host_ok(const uint32_t *c, size_t n)
{
	if (n > 0 && c[0] == 'v') {
		/* \Av[a-fA-F0-9]+\..+\Z */
		size_t i = 1;
		while (i < n && corm__is_hex(c[i]))
			i++;
		return i > 1 && i + 1 < n && c[i] == '.';
	}
	return !corm__ipv4_ok(c, n) && corm__ipv6_ok(c, n);
}

static size_t find_cp(const uint32_t *c, size_t from, size_t to, uint32_t ch)
{
	for (size_t i = from; i < to; i++)
		if (c[i] == ch)
			return i;
	return to;
}

static size_t rfind_cp(const uint32_t *c, size_t from, size_t to, uint32_t ch)
{
	for (size_t i = to; i > from; i--)
		if (c[i - 1] == ch)
			return i - 1;
	return to;
}

/*
 * Where ^\[(.+)\](?::\d{2,5})?$ puts the closing bracket in the netloc
 * c[ns..ne) (.+ is greedy, so a final ']' wins over a port), or 0.
 */
static size_t url_bracket_content_end(const uint32_t *c, size_t ns, size_t ne)
{
	if (ne - ns < 3 || c[ns] != '[')
		return 0;
	if (c[ne - 1] == ']')
		return ne - 1;
	size_t k = ne;
	while (k > ns && corm__is_digit(c[k - 1]))
		k--;
	if (ne - k < 2 || ne - k > 5 || k < ns + 4 || c[k - 1] != ':' || c[k - 2] != ']')
		return 0;
	return k - 2;
}

static bool url_scheme_ok(const uint32_t *c, size_t n)
{
	static const char *const schemes[] = {"http", "https", "ftp", "ftps"};
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (corm__eq_ascii_ci(c, n, schemes[i]))
			return true;
	return false;
}

/* Returns 1 (valid), 0 (invalid) or CORM_ENOMEM. */
int corm__url_valid(const char *value)
{
	if (corm__cp_count(value) > 2048 || strpbrk(value, "\t\r\n"))
		return 0;
	size_t n;
	uint32_t *c = corm__cp_decode(value, &n);
	if (!c)
		return CORM_ENOMEM;
	int rc = 0;
	/* scheme = value.split('://')[0].lower() */
	size_t sep = n;
	for (size_t i = 0; i + 3 <= n; i++)
		if (c[i] == ':' && c[i + 1] == '/' && c[i + 2] == '/') {
			sep = i;
			break;
		}
	if (sep == n || !url_scheme_ok(c, sep))
		goto out;

	/* urlsplit(): the netloc, and the ValueErrors it raises for brackets */
	size_t ns = sep + 3, ne = ns;
	while (ne < n && c[ne] != '/' && c[ne] != '?' && c[ne] != '#')
		ne++;
	bool open = find_cp(c, ns, ne, '[') < ne, close = find_cp(c, ns, ne, ']') < ne;
	if (open != close)
		goto out;
	size_t at = rfind_cp(c, ns, ne, '@');
	size_t hs = at < ne ? at + 1 : ns; /* netloc.rpartition('@')[2] */
	size_t ob = find_cp(c, hs, ne, '['), host_s, host_e;
	if (ob < ne) {
		host_s = ob + 1;
		host_e = find_cp(c, host_s, ne, ']');
	} else {
		host_s = hs;
		host_e = find_cp(c, hs, ne, ':');
	}
	if (open) {
		if (ob < ne &&
		    (ob != hs || (host_e < ne && host_e + 1 < ne && c[host_e + 1] != ':')))
			goto out;
		if (!url_bracketed_host_ok(c + host_s, host_e - host_s))
			goto out;
	}

	if (url_regex(c, n)) {
		/* ^\[(.+)\](?::\d{2,5})?$ on the netloc: check the IPv6 address */
		size_t ce = url_bracket_content_end(c, ns, ne);
		if (ce && !corm__django_ipv6_ok(c + ns + 1, ce - ns - 1))
			goto out;
	} else {
		if (corm__all_ascii(c + ns, ne - ns))
			goto out;
		/* an IDN host: retry with the punycode of the netloc */
		uint32_t *ace, *url2;
		size_t an;
		rc = corm__idna_encode(c + ns, ne - ns, &ace, &an);
		if (rc != 1)
			goto out;
		size_t n2 = ns + an + (n - ne);
		url2 = corm__alloc(n2 * sizeof(uint32_t));
		if (!url2) {
			corm__free(ace);
			rc = CORM_ENOMEM;
			goto out;
		}
		memcpy(url2, c, ns * sizeof(uint32_t));
		memcpy(url2 + ns, ace, an * sizeof(uint32_t));
		memcpy(url2 + ns + an, c + ne, (n - ne) * sizeof(uint32_t));
		bool ok = url_regex(url2, n2);
		corm__free(ace);
		corm__free(url2);
		rc = 0;
		if (!ok)
			goto out;
	}
	/* hostname: present and at most 253 characters */
	rc = host_e > host_s && host_e - host_s <= 253;
out:
	corm__free(c);
	return rc;
}

/* django.core.validators.EmailValidator. */
#include <string.h>

#include "model/validators/validators.h"
#include "util/alloc.h"

/* ---- EmailValidator ----------------------------------------------------- */

/* dot-atom characters: [-!#$%&'*+/=?^_`{}|~0-9A-Z] with IGNORECASE. */
static bool email_atext(uint32_t c)
{
	return corm__alnum_ci(c) || (c < 0x80 && c && strchr("-!#$%&'*+/=?^_`{}|~", (int)c));
}

/* Ranges of the quoted-string alternative; IGNORECASE adds İ ı ſ K. */
static bool email_qtext(uint32_t c)
{
	return (c >= 1 && c <= 8) || c == 11 || c == 12 || (c >= 14 && c <= 31) || c == '!' ||
	       (c >= '#' && c <= '[') || (c >= ']' && c <= 0x7F) || corm__alpha_ci(c);
}

static bool email_qpair(uint32_t c)
{
	return (c >= 1 && c <= 9) || c == 11 || c == 12 || (c >= 14 && c <= 0x7F) ||
	       corm__alpha_ci(c);
}

static bool email_user_ok(const uint32_t *c, size_t n)
{
	/* dot-atom: atext+ ( "." atext+ )* */
	bool ok = n > 0;
	size_t run = 0;
	for (size_t i = 0; ok && i < n; i++) {
		if (c[i] == '.') {
			ok = run > 0;
			run = 0;
		} else if (email_atext(c[i])) {
			run++;
		} else {
			ok = false;
		}
	}
	if (ok && run > 0)
		return true;
	/* quoted-string: '"' ( qtext | '\' qpair )* '"' */
	if (n < 2 || c[0] != '"' || c[n - 1] != '"')
		return false;
	for (size_t i = 1; i < n - 1; i++) {
		if (c[i] == '\\') {
			if (i + 1 >= n - 1 || !email_qpair(c[i + 1]))
				return false;
			i++;
		} else if (!email_qtext(c[i])) {
			return false;
		}
	}
	return true;
}

/* domain_regex: ((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z */
static bool email_domain_regex(const uint32_t *c, size_t n)
{
	size_t start = 0, labels = 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i] == '.') {
			size_t len = i - start;
			if (len < 1 || len > 63 || !corm__alnum_ci(c[start]) ||
			    !corm__alnum_ci(c[i - 1]))
				return false;
			labels++;
			start = i + 1;
		} else if (!corm__alnum_ci(c[i]) && c[i] != '-') {
			return false;
		}
	}
	size_t tld = n - start;
	return labels > 0 && tld >= 2 && tld <= 63 && c[n - 1] != '-';
}

static bool email_domain_ok(const uint32_t *c, size_t n)
{
	if (email_domain_regex(c, n))
		return true;
	/* literal_regex: \[([A-f0-9:.]+)\]\Z with IGNORECASE, then an IP address */
	if (n < 3 || c[0] != '[' || c[n - 1] != ']')
		return false;
	for (size_t i = 1; i < n - 1; i++)
		if (!(corm__alpha_ci(c[i]) || corm__is_digit(c[i]) || c[i] == ':' || c[i] == '.' ||
		      (c[i] >= '[' && c[i] <= '`')))
			return false;
	return corm__ipv4_ok(c + 1, n - 2) || corm__django_ipv6_ok(c + 1, n - 2);
}

/* Returns 1 (valid), 0 (invalid) or CORM_ENOMEM. */
int corm__email_valid(const char *value)
{
	size_t n;
	if (!*value || !strchr(value, '@') || corm__cp_count(value) > 320)
		return 0;
	uint32_t *c = corm__cp_decode(value, &n);
	if (!c)
		return CORM_ENOMEM;
	size_t at = n;
	while (c[at - 1] != '@')
		at--;
	const uint32_t *dom = c + at;
	size_t dn = n - at;
	int rc = 0;
	if (!email_user_ok(c, at - 1))
		goto out;
	/* domain_allowlist = ['localhost'], compared case-sensitively */
	if (corm__eq_ascii(dom, dn, "localhost") || email_domain_ok(dom, dn)) {
		rc = 1;
		goto out;
	}
	/* an IDN domain: retry with its punycode (an ASCII one encodes to itself) */
	if (!corm__all_ascii(dom, dn)) {
		uint32_t *ace;
		size_t an;
		rc = corm__idna_encode(dom, dn, &ace, &an);
		if (rc == 1) {
			rc = email_domain_ok(ace, an);
			corm__free(ace);
		}
	}
out:
	corm__free(c);
	return rc;
}

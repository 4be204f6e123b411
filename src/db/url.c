/*
 * dj-database-url conventions: scheme://user:password@host:port/name?k=v,
 * with every part percent-decoded, and sqlite:///relative, sqlite:////abs,
 * sqlite://:memory:. Parts are only ever handed to drivers as parameters,
 * never pasted into SQL.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backend/base/backends.h"
#include "db/url.h"
#include "util/alloc.h"
#include "util/hex.h"

/* Percent-decodes s[0..n); NULL and *bad set for malformed escapes or an embedded NUL. */
static char *decode(const char *s, size_t n, bool *bad)
{
	char *out = corm__alloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? corm__hex_value(s[i + 1]) : -1;
			int lo = hi >= 0 ? corm__hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				corm__free(out);
				*bad = true;
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

void corm__url_free(corm_url *url)
{
	corm__free(url->scheme);
	corm__free(url->user);
	corm__free(url->password);
	corm__free(url->host);
	corm__free(url->name);
	corm__free(url->path);
	if (url->options)
		for (char **p = url->options; *p; p++)
			corm__free(*p);
	corm__free(url->options);
	memset(url, 0, sizeof *url);
}

static int part(char **dst, const char *s, size_t n, const char *what, corm_err *err)
{
	bool bad = false;
	*dst = decode(s, n, &bad);
	if (bad)
		return corm__err_set(err, CORM_EURL,
		                     "malformed database URL: bad percent-escape in the %s", what);
	return *dst ? CORM_OK : corm__err_set(err, CORM_ENOMEM, "out of memory");
}

static int parse_query(corm_url *url, const char *q, corm_err *err)
{
	size_t n = 1;
	for (const char *p = q; *p; p++)
		n += *p == '&';
	url->options = corm__calloc(2 * n + 1, sizeof(char *));
	if (!url->options)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	size_t k = 0;
	while (*q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);
		if (!eq || eq == q)
			return corm__err_set(
			        err, CORM_EURL,
			        "malformed database URL: query option without key=value");
		int rc = part(&url->options[k], q, (size_t)(eq - q), "query", err);
		if (!rc)
			rc = part(&url->options[k + 1], eq + 1, len - (size_t)(eq - q) - 1, "query",
			          err);
		k += 2;
		if (rc)
			return rc;
		q += len + (amp ? 1 : 0);
	}
	return CORM_OK;
}

int corm__url_parse(corm_url *url, const char *text, corm_err *err)
{
	memset(url, 0, sizeof *url);
	const char *sep = strstr(text, "://");
	if (!sep || sep == text)
		return corm__err_set(err, CORM_EURL,
		                     "malformed database URL: expected scheme://...");
	for (const char *p = text; p < sep; p++)
		if (!isalnum((unsigned char)*p) && *p != '+')
			return corm__err_set(err, CORM_EURL,
			                     "malformed database URL: invalid scheme");
	char scheme[16];
	size_t slen = (size_t)(sep - text);
	if (slen >= sizeof scheme)
		return corm__err_set(err, CORM_EURL, "malformed database URL: unknown scheme");
	for (size_t i = 0; i < slen; i++)
		scheme[i] = (char)tolower((unsigned char)text[i]);
	scheme[slen] = '\0';
	const char *canon;
	if (!strcmp(scheme, "sqlite"))
		canon = "sqlite";
	else if (!strcmp(scheme, "postgres") || !strcmp(scheme, "postgresql") ||
	         !strcmp(scheme, "pgsql"))
		canon = "postgresql";
	else if (!strcmp(scheme, "mysql") || !strcmp(scheme, "mysql2") ||
	         !strcmp(scheme, "mariadb"))
		canon = "mysql";
	else if (corm__backend_registered(scheme)) /* corm_backend_register */
		canon = scheme;
	else
		return corm__err_set(err, CORM_EURL,
		                     "malformed database URL: unknown scheme '%s' (expected "
		                     "sqlite, postgres or mysql)",
		                     scheme);
	url->scheme = corm__strdup(canon);
	if (!url->scheme)
		return corm__err_set(err, CORM_ENOMEM, "out of memory");
	const char *rest = sep + 3;
	int rc;
	if (!strcmp(canon, "sqlite")) {
		/* sqlite:// and sqlite://:memory: are in-memory; sqlite:///x is the relative path x
		 */
		if (!*rest || !strcmp(rest, ":memory:") || !strcmp(rest, "/:memory:"))
			return part(&url->path, ":memory:", 8, "path", err);
		if (*rest != '/')
			return corm__err_set(
			        err, CORM_EURL,
			        "malformed database URL: sqlite URLs are sqlite:///relative.db, "
			        "sqlite:////absolute.db or sqlite://:memory:");
		rest++;
		if (!*rest)
			return corm__err_set(err, CORM_EURL,
			                     "malformed database URL: sqlite URL has no path");
		return part(&url->path, rest, strlen(rest), "path", err);
	}
	const char *q = strchr(rest, '?');
	size_t authlen = strcspn(rest, "/?");
	const char *at = NULL;
	for (const char *p = rest; p < rest + authlen; p++)
		if (*p == '@')
			at = p; /* the last '@': passwords may contain an encoded or raw '@' */
	const char *hostpart = rest;
	if (at) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));
		size_t ulen = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
		if ((rc = part(&url->user, rest, ulen, "user name", err)))
			return rc;
		if (colon && (rc = part(&url->password, colon + 1, (size_t)(at - colon - 1),
		                        "password", err)))
			return rc;
		hostpart = at + 1;
	}
	size_t hlen = (size_t)(rest + authlen - hostpart);
	const char *portsep = NULL;
	if (hlen && hostpart[0] == '[') { /* [::1]:5432 */
		const char *close = memchr(hostpart, ']', hlen);
		if (!close)
			return corm__err_set(err, CORM_EURL,
			                     "malformed database URL: unclosed '[' in host");
		if ((rc = part(&url->host, hostpart + 1, (size_t)(close - hostpart - 1), "host",
		               err)))
			return rc;
		if (close + 1 < hostpart + hlen) {
			if (close[1] != ':')
				return corm__err_set(
				        err, CORM_EURL,
				        "malformed database URL: junk after ']' in host");
			portsep = close + 1;
		}
	} else {
		portsep = memchr(hostpart, ':', hlen);
		size_t n = portsep ? (size_t)(portsep - hostpart) : hlen;
		if ((rc = part(&url->host, hostpart, n, "host", err)))
			return rc;
	}
	for (const char *p = url->host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_:%/", *p))
			return corm__err_set(err, CORM_EURL,
			                     "malformed database URL: invalid character in host");
	if (portsep) {
		const char *p = portsep + 1, *end = hostpart + hlen;
		if (p == end)
			return corm__err_set(err, CORM_EURL, "malformed database URL: empty port");
		long port = 0;
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p) || (port = port * 10 + (*p - '0')) > 65535)
				return corm__err_set(err, CORM_EURL,
				                     "malformed database URL: port must be a "
				                     "number from 1 to 65535");
		}
		if (port == 0)
			return corm__err_set(
			        err, CORM_EURL,
			        "malformed database URL: port must be a number from 1 to 65535");
		url->port = (int)port;
	}
	const char *name = rest + authlen;
	if (*name == '/') {
		name++;
		size_t nlen = q ? (size_t)(q - name) : strlen(name);
		if ((rc = part(&url->name, name, nlen, "database name", err)))
			return rc;
	}
	if (q && (rc = parse_query(url, q + 1, err)))
		return rc;
	return CORM_OK;
}

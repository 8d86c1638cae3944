/*
 * http_url.c -- endpoint/proxy URLs and NO_PROXY matching (see cpj_http.h).
 */
#include "inner.h"

static int
prefix(const char *s, const char *pre)
{
	size_t n = strlen(pre);

	return cpj_strnlen(s, n) >= n && cpj_strieq(s, n, pre);
}

static int
is_host_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int
is_ip6_byte(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
	    || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* Decimal port 1..65535 from s[0..n). */
static int
parse_port(const char *s, size_t n, uint16_t *out)
{
	uint64_t v;

	if (n > 5 || cpj_parse_u64(s, n, 65535, &v) != 0 || v == 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* see cpj_http.h */
int
cpj_http_url_parse(cpj_http_url *u, const char *url, int default_tls)
{
	const char *s, *h, *e;
	size_t hl, i;
	int tls;
	uint16_t port;

	if (u == NULL || url == NULL)
		return CPJ_ERR_PARAM;
	if (prefix(url, "https://")) {
		tls = 1;
		s = url + 8;
	} else if (prefix(url, "http://")) {
		tls = 0;
		s = url + 7;
	} else {
		if (default_tls < 0 || strstr(url, "://") != NULL)
			return CPJ_ERR_NET_URL;
		tls = default_tls != 0;
		s = url;
	}
	/* The authority ends at '/' or the end; no user info. */
	for (e = s; *e != '\0' && *e != '/'; e++) {
		if (*e == '@')
			return CPJ_ERR_UNSUPPORTED;
	}
	if (*e == '/' && e[1] != '\0')
		return CPJ_ERR_NET_URL;

	if (*s == '[') {
		h = s + 1;
		for (hl = 0; h + hl < e && h[hl] != ']'; hl++) {
			if (!is_ip6_byte((unsigned char)h[hl]))
				return CPJ_ERR_NET_URL;
		}
		if (h + hl == e)
			return CPJ_ERR_NET_URL;
		s = h + hl + 1;
	} else {
		h = s;
		for (hl = 0; h + hl < e && h[hl] != ':'; hl++) {
			if (!is_host_byte((unsigned char)h[hl]))
				return CPJ_ERR_NET_URL;
		}
		s = h + hl;
	}
	if (hl == 0 || hl > CPJ_HOST_MAX)
		return CPJ_ERR_NET_URL;
	port = tls ? 443 : 80;
	if (s < e) {
		if (*s != ':' || parse_port(s + 1, (size_t)(e - s - 1), &port) != 0)
			return CPJ_ERR_NET_URL;
	}
	u->tls = tls;
	u->port = port;
	for (i = 0; i < hl; i++)
		u->host[i] = h[i];
	u->host[hl] = '\0';
	return CPJ_OK;
}

/* One NO_PROXY entry e[0..el) against host:port. */
static int
entry_match(const char *e, size_t el, const char *host, size_t hl,
	uint16_t port)
{
	size_t i, colons = 0, last = 0;
	uint16_t eport = 0;

	if (el == 1 && e[0] == '*')
		return 1;
	if (e[0] == '[') {
		for (i = 1; i < el && e[i] != ']'; i++)
			;
		if (i == el)
			return 0;
		if (i + 1 < el) {
			if (e[i + 1] != ':' || parse_port(e + i + 2,
			    el - i - 2, &eport) != 0)
				return 0;
		}
		e++;
		el = i - 1;
	} else {
		for (i = 0; i < el; i++) {
			if (e[i] == ':') {
				colons++;
				last = i;
			}
		}
		/* One colon: host:port; more: a bare IPv6 address. */
		if (colons == 1) {
			if (parse_port(e + last + 1, el - last - 1, &eport) != 0)
				return 0;
			el = last;
		}
	}
	if (eport != 0 && eport != port)
		return 0;
	if (el >= 2 && e[0] == '*' && e[1] == '.') {
		e += 2;
		el -= 2;
	} else if (el >= 1 && e[0] == '.') {
		e++;
		el--;
	}
	if (el == 0)
		return 0;
	/* the host, or its end after a '.' (NUL-terminated either way) */
	if (hl == el)
		return cpj_strieq(e, el, host);
	return hl > el && host[hl - el - 1] == '.'
	    && cpj_strieq(e, el, host + hl - el);
}

/* see cpj_http.h */
int
cpj_http_no_proxy_match(const char *no_proxy, const char *host,
	uint16_t port)
{
	const char *s;
	size_t hl;

	if (no_proxy == NULL || host == NULL)
		return 0;
	hl = strlen(host);
	s = no_proxy;
	while (*s != '\0') {
		const char *b, *e;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		b = s;
		while (*s != '\0' && *s != ',')
			s++;
		e = s;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b && entry_match(b, (size_t)(e - b), host, hl, port))
			return 1;
	}
	return 0;
}

/*
 * fuzz_url.c -- endpoint and proxy settings from the environment:
 * cpj_http_url_parse (AWS_ENDPOINT_URL, HTTPS_PROXY) and
 * cpj_http_no_proxy_match (NO_PROXY).
 *
 * Input: byte 0 options (bits 0-1 default_tls: -1, 0, 1; bit 2 the URL's
 * own host is matched), byte 1 and 2 the port, then "URL\nNO_PROXY\nHOST"
 * (each NUL-terminated in a heap block of its size). A parsed URL must
 * have a port of 1..65535, a terminated host of the allowed bytes, and
 * parse again from its own parts to the same result; the result of the
 * NO_PROXY match is 0 or 1, and "*" always matches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_url: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static char *
part(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (nl != NULL);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p, *end = data + size;
	char *url = NULL, *np = NULL, *host = NULL;
	cpj_http_url u, v;
	uint16_t port;
	int dtls, rc, m;

	if (size < 3)
		return 0;
	dtls = (int)(data[0] & 3) - 1;
	if (dtls > 1)
		dtls = 1;
	port = (uint16_t)(data[1] << 8 | data[2]);
	p = data + 3;
	url = part(&p, end);
	np = part(&p, end);
	host = part(&p, end);
	if (url == NULL || np == NULL || host == NULL)
		goto out;

	memset(&u, 0x5a, sizeof u);
	rc = cpj_http_url_parse(&u, url, dtls);
	if (rc == 0) {
		char again[CPJ_HOST_MAX + 32];
		const char *c;

		if (u.port == 0 || (u.tls != 0 && u.tls != 1))
			FAIL("port or scheme");
		if (memchr(u.host, 0, sizeof u.host) == NULL || u.host[0] == '\0')
			FAIL("host not terminated or empty");
		for (c = u.host; *c != '\0'; c++) {
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
			    || (*c >= '0' && *c <= '9') || strchr("-._:", *c)
			    || (*c == '%' && strchr(u.host, ':') != NULL)))
				FAIL("host byte");
		}
		/* its own parts parse to the same */
		snprintf(again, sizeof again, "%s://%s%s%s:%u",
		    u.tls ? "https" : "http", strchr(u.host, ':') ? "[" : "",
		    u.host, strchr(u.host, ':') ? "]" : "", (unsigned)u.port);
		memset(&v, 0, sizeof v);
		if (cpj_http_url_parse(&v, again, -1) != 0 || v.tls != u.tls
		    || v.port != u.port || strcmp(v.host, u.host) != 0)
			FAIL("parts do not parse again");
	} else {
		unsigned char same[sizeof u];

		memset(same, 0x5a, sizeof same);
		if (memcmp(&u, same, sizeof u) != 0)
			FAIL("result changed on error");
	}

	m = cpj_http_no_proxy_match(np, host, port);
	if (m != 0 && m != 1)
		FAIL("match not 0 or 1");
	if ((data[0] & 4) && rc == 0) {
		m = cpj_http_no_proxy_match(np, u.host, u.port);
		if (m != 0 && m != 1)
			FAIL("match not 0 or 1");
		if (cpj_http_no_proxy_match("*", u.host, u.port) != 1)
			FAIL("* does not match");
	}
out:
	free(url);
	free(np);
	free(host);
	return 0;
}

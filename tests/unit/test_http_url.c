/*
 * test_http_url.c -- endpoint/proxy URL parsing and NO_PROXY matching.
 */
#include <string.h>

#include "harness.h"
#include "inner.h"

static int
url_good(void)
{
	static const struct {
		const char *url;
		int def, tls;
		const char *host;
		unsigned port;
	} cases[] = {
		{ "https://codepipeline.us-east-1.amazonaws.com", -1, 1,
		    "codepipeline.us-east-1.amazonaws.com", 443 },
		{ "https://codepipeline.us-east-1.amazonaws.com/", -1, 1,
		    "codepipeline.us-east-1.amazonaws.com", 443 },
		{ "HTTPS://Example.COM:8443", -1, 1, "Example.COM", 8443 },
		{ "http://127.0.0.1:4566", -1, 0, "127.0.0.1", 4566 },
		{ "http://localhost", -1, 0, "localhost", 80 },
		{ "http://[::1]:8080/", -1, 0, "::1", 8080 },
		{ "https://[2001:db8::1]", -1, 1, "2001:db8::1", 443 },
		{ "proxy.corp:3128", 0, 0, "proxy.corp", 3128 },
		{ "proxy.corp", 0, 0, "proxy.corp", 80 },
		{ "http://my_host-1.example:1", -1, 0, "my_host-1.example", 1 },
		{ "http://h:65535", -1, 0, "h", 65535 },
	};
	cpj_http_url u;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		memset(&u, 0x55, sizeof u);
		if (cpj_http_url_parse(&u, cases[i].url, cases[i].def) != 0
		    || u.tls != cases[i].tls || u.port != cases[i].port
		    || strcmp(u.host, cases[i].host) != 0) {
			fprintf(stderr, "url %s\n", cases[i].url);
			return __LINE__;
		}
	}
	return 0;
}

static int
url_bad(void)
{
	static const struct {
		const char *url;
		int def, err;
	} cases[] = {
		{ "codepipeline.amazonaws.com", -1, CPJ_ERR_NET_URL },
		{ "ftp://host", 0, CPJ_ERR_NET_URL },
		{ "https://", -1, CPJ_ERR_NET_URL },
		{ "https://:443", -1, CPJ_ERR_NET_URL },
		{ "https://host:", -1, CPJ_ERR_NET_URL },
		{ "https://host:0", -1, CPJ_ERR_NET_URL },
		{ "https://host:65536", -1, CPJ_ERR_NET_URL },
		{ "https://host:123456", -1, CPJ_ERR_NET_URL },
		{ "https://host:44a", -1, CPJ_ERR_NET_URL },
		{ "https://host/path", -1, CPJ_ERR_NET_URL },
		{ "https://host?x=1", -1, CPJ_ERR_NET_URL },
		{ "https://host#f", -1, CPJ_ERR_NET_URL },
		{ "https://ho st", -1, CPJ_ERR_NET_URL },
		{ "https://host\r\n", -1, CPJ_ERR_NET_URL },
		{ "https://[::1", -1, CPJ_ERR_NET_URL },
		{ "https://[::1]x", -1, CPJ_ERR_NET_URL },
		{ "https://[zz::1]", -1, CPJ_ERR_NET_URL },
		{ "https://[]", -1, CPJ_ERR_NET_URL },
		{ "https://user:pw@host", -1, CPJ_ERR_UNSUPPORTED },
		{ "http://user@proxy:3128", 0, CPJ_ERR_UNSUPPORTED },
	};
	cpj_http_url u;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		memset(&u, 0x55, sizeof u);
		if (cpj_http_url_parse(&u, cases[i].url, cases[i].def)
		    != cases[i].err || u.port != 0x5555) {
			fprintf(stderr, "url %s\n", cases[i].url);
			return __LINE__;
		}
	}
	CHECK_EQ(cpj_http_url_parse(NULL, "http://h", 0), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_url_parse(&u, NULL, 0), CPJ_ERR_PARAM);
	return 0;
}

static int
url_host_length(void)
{
	char url[CPJ_HOST_MAX + 32];
	cpj_http_url u;

	memcpy(url, "https://", 8);
	memset(url + 8, 'a', CPJ_HOST_MAX);
	url[8 + CPJ_HOST_MAX] = '\0';
	CHECK_EQ(cpj_http_url_parse(&u, url, -1), 0);
	CHECK_EQ(strlen(u.host), CPJ_HOST_MAX);
	url[8 + CPJ_HOST_MAX] = 'a';
	url[9 + CPJ_HOST_MAX] = '\0';
	CHECK_EQ(cpj_http_url_parse(&u, url, -1), CPJ_ERR_NET_URL);
	return 0;
}

static int
no_proxy(void)
{
	static const struct {
		const char *list, *host;
		unsigned port;
		int match;
	} cases[] = {
		{ NULL, "example.com", 443, 0 },
		{ "", "example.com", 443, 0 },
		{ "*", "anything.example", 443, 1 },
		{ " * ", "anything.example", 443, 1 },
		{ "*.", "example.com", 443, 0 },
		/* exact */
		{ "example.com", "example.com", 443, 1 },
		{ "example.com", "example.org", 443, 0 },
		/* case */
		{ "EXAMPLE.com", "example.COM", 443, 1 },
		/* suffix forms */
		{ ".example.com", "a.example.com", 443, 1 },
		{ ".example.com", "a.b.example.com", 443, 1 },
		{ ".example.com", "example.com", 443, 1 },
		{ "*.example.com", "a.example.com", 443, 1 },
		{ "example.com", "a.example.com", 443, 1 },
		{ "example.com", "badexample.com", 443, 0 },
		{ ".example.com", "badexample.com", 443, 0 },
		{ "a.example.com", "example.com", 443, 0 },
		/* lists, spaces */
		{ "localhost, 127.0.0.1 ,.internal", "svc.internal", 443, 1 },
		{ "localhost,127.0.0.1", "127.0.0.1", 4566, 1 },
		{ "localhost,,127.0.0.1,", "10.0.0.1", 443, 0 },
		{ "localhost", "localhost.evil.com", 443, 0 },
		/* ports */
		{ "example.com:443", "example.com", 443, 1 },
		{ "example.com:443", "example.com", 8443, 0 },
		{ ".example.com:8443", "s3.example.com", 8443, 1 },
		{ "example.com:x", "example.com", 443, 0 },
		/* IP addresses, IPv6 */
		{ "10.0.0.1", "10.0.0.1", 80, 1 },
		{ "10.0.0.1", "10.0.0.12", 80, 0 },
		{ "::1", "::1", 80, 1 },
		{ "[::1]", "::1", 80, 1 },
		{ "[::1]:8080", "::1", 8080, 1 },
		{ "[::1]:8080", "::1", 80, 0 },
		{ "2001:db8::1", "2001:db8::2", 80, 0 },
		/* a bare "." or empty entry matches nothing */
		{ ".", "example.com", 443, 0 },
		{ " , ", "example.com", 443, 0 },
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		if (cpj_http_no_proxy_match(cases[i].list, cases[i].host,
		    (uint16_t)cases[i].port) != cases[i].match) {
			fprintf(stderr, "no_proxy [%s] host %s:%u\n",
			    cases[i].list ? cases[i].list : "(null)",
			    cases[i].host, cases[i].port);
			return __LINE__;
		}
	}
	return 0;
}

int
main(void)
{
	RUN(url_good);
	RUN(url_bad);
	RUN(url_host_length);
	RUN(no_proxy);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

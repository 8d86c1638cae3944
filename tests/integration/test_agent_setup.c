/*
 * test_agent_setup.c -- the agent's set-up (src/agent/setup.c,
 * setup_profile.c) and the container provider's plain-http host check
 * (src/agent/creds_container.c), linked from the agent's objects:
 *
 *  - setup_url_safe() masks the user information of any URL;
 *  - a proxy or endpoint URL with a password that the library refuses is
 *    printed masked by setup_http_client(), setup_s3() and the chain;
 *  - the environment, endpoint and proxy look-ups;
 *  - creds_http_host_class() accepts only strict IPv4/IPv6 literals of
 *    loopback and the ECS/EKS agents (wrapped, octal, hex, short,
 *    overlong, leading-zero and trailing-junk forms refused), and
 *    "localhost" only when it resolves to loopback;
 *  - a refused host costs no lookup: getaddrinfo() is interposed here and
 *    counts its calls.
 */
#define _GNU_SOURCE 1   /* RTLD_NEXT */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "agent/agent.h"
#include "agent/creds_prov.h"

#define PASSWORD "SeCrEtPaSsWoRd"

/* ---- getaddrinfo(), counted; "localhost" may be made to resolve to a
 *      documentation address ------------------------------------------ */

static int lookups;
static int localhost_elsewhere;   /* answer 192.0.2.1 for "localhost" */

/* Linked with -Wl,--wrap=getaddrinfo (tests/tests.mk): every lookup of
 * the agent's and the library's code comes here, in static builds too. */
int __real_getaddrinfo(const char *node, const char *service,
	const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
	const struct addrinfo *hints, struct addrinfo **res);

int
__wrap_getaddrinfo(const char *node, const char *service,
	const struct addrinfo *hints, struct addrinfo **res)
{
	lookups++;
	if (localhost_elsewhere && node != NULL
	    && strcmp(node, "localhost") == 0)
		node = "192.0.2.1";
	return __real_getaddrinfo(node, service, hints, res);
}

/* ---- stderr, captured ------------------------------------------------- */

static char captured[16384];
static FILE *cap_file;
static int cap_saved = -1;

static void
cap_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(2);
	if (cap_file != NULL)
		dup2(fileno(cap_file), 2);
}

static const char *
cap_end(void)
{
	size_t n = 0;

	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	captured[0] = '\0';
	if (cap_file != NULL) {
		rewind(cap_file);
		n = fread(captured, 1, sizeof captured - 1, cap_file);
		fclose(cap_file);
	}
	captured[n] = '\0';
	fputs(captured, stderr);        /* for the log */
	return captured;
}

static void
clean_env(void)
{
	static const char *const vars[] = {
		"HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "CPJOB_IOT_ENDPOINT",
	};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("HOME", "/nonexistent-cpjob-test-home", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent-cpjob-test-home/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE",
	    "/nonexistent-cpjob-test-home/credentials", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* ---- setup_url_safe() ------------------------------------------------- */

static int
url_safe_masks(void)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "http://user:" PASSWORD "@proxy.example:3128",
		  "http://user:***@proxy.example:3128" },
		{ "HTTP://user:" PASSWORD "@proxy.example",
		  "HTTP://user:***@proxy.example" },
		{ "http://user:p@ss" PASSWORD "@host:8080/",
		  "http://user:***@host:8080/" },
		{ "http://" PASSWORD "@host", "http://***@host" },
		{ "user:" PASSWORD "@proxy:3128", "user:***@proxy:3128" },
		{ "https://u:" PASSWORD "@h/p@x?q=@", "https://u:***@h/***@x?***@" },
		/* malformed: user information wherever it stands */
		{ "proxy.example/a://b:" PASSWORD "@c", "proxy.example/a://b:***@c" },
		{ "u:" PASSWORD "@host/x://y", "u:***@host/x://y" },
		{ "http://h/" PASSWORD "@x", "http://h/***@x" },
		{ "http://u:" PASSWORD "@h?x", "http://u:***@h?x" },
		{ "http://u:" PASSWORD "@[::1]:3128", "http://u:***@[::1]:3128" },
		{ "http://proxy:3128", "http://proxy:3128" },
		{ "http://host/path@x", "http://host/***@x" },
		{ "proxy", "proxy" },
		{ "http://h\x1b[2J\n", "http://h?[2J?" },
		{ "", "" },
	};
	char out[SETUP_URL_PRINT_MAX];
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(t); i++) {
		setup_url_safe(t[i].in, out, sizeof out);
		if (strcmp(out, t[i].out) != 0) {
			fprintf(stderr, "url_safe '%s' -> '%s', want '%s'\n",
			    t[i].in, out, t[i].out);
			return __LINE__;
		}
	}
	CHECK(strcmp(setup_url_safe(NULL, out, sizeof out), "") == 0);
	/* cut short: never the password, and "..." at the end */
	setup_url_safe("http://user:" PASSWORD "@host.example", out, 16);
	CHECK(strlen(out) == 15 && strstr(out, "Se") == NULL);
	CHECK(strcmp(out + 12, "...") == 0);
	setup_url_safe("http://user:" PASSWORD "@host.example", out, 3);
	CHECK(strlen(out) == 2);
	return 0;
}

/* ---- the proxy and endpoint URLs in messages ------------------------- */

static int
refused_proxy_masked(void)
{
	static const char *const proxies[] = {
		"http://user:" PASSWORD "@127.0.0.1:3128", /* credentials */
		"https://user:" PASSWORD "@proxy.example:3128", /* https */
		"http://user:" PASSWORD "@proxy.example:99999", /* bad port */
		"user:" PASSWORD "@proxy.example:0",
	};
	static cpj_tls_context tls;
	static cpj_http_client http;
	struct setup_client o;
	const char *err;
	size_t i;
	int rc;

	clean_env();
	memset(&o, 0, sizeof o);
	o.who = "test";
	o.anchors = setup_trust(NULL);
	o.flags = SETUP_PROXY;
	CHECK(o.anchors != NULL);
	for (i = 0; i < CPJ_ARRAY_LEN(proxies); i++) {
		setenv("HTTPS_PROXY", proxies[i], 1);
		cap_begin();
		rc = setup_http_client(&http, &tls, "https://example.com", &o);
		err = cap_end();
		cpj_http_client_close(&http);
		CHECK_EQ(rc, CPJ_ERR_AGENT_CONFIG);
		CHECK(strstr(err, "HTTPS_PROXY '") != NULL);
		CHECK(strstr(err, ":***@") != NULL);
		CHECK(strstr(err, PASSWORD) == NULL);
	}
	/* https_proxy (lower case) is the same */
	unsetenv("HTTPS_PROXY");
	setenv("https_proxy", proxies[0], 1);
	cap_begin();
	rc = setup_http_client(&http, &tls, "https://example.com", &o);
	err = cap_end();
	CHECK_EQ(rc, CPJ_ERR_AGENT_CONFIG);
	CHECK(strstr(err, "user:***@") != NULL && strstr(err, PASSWORD) == NULL);
	/* an endpoint URL with a password */
	unsetenv("https_proxy");
	cap_begin();
	rc = setup_http_client(&http, &tls, "https://user:" PASSWORD
	    "@example.com", &o);
	err = cap_end();
	CHECK_EQ(rc, CPJ_ERR_AGENT_CONFIG);
	CHECK(strstr(err, "user:***@example.com") != NULL);
	CHECK(strstr(err, PASSWORD) == NULL);
	clean_env();
	return 0;
}

static int
s3_endpoint_masked(void)
{
	static cpj_tls_context tls;
	static cpj_http_client http;
	static cpj_s3_context s3;
	static unsigned char work[8192];
	struct setup_client o;
	const char *err;

	clean_env();
	memset(&o, 0, sizeof o);
	o.anchors = setup_trust(NULL);
	CHECK_EQ(setup_http_client(&http, &tls, NULL, &o), 0);
	CHECK_EQ(cpj_s3_init(&s3, &http, "us-east-1", work, sizeof work), 0);
	cap_begin();
	CHECK_EQ(setup_s3(&s3, "https://k:" PASSWORD "@s3.example", 0), -1);
	err = cap_end();
	CHECK(strstr(err, "k:***@s3.example") != NULL);
	CHECK(strstr(err, PASSWORD) == NULL);
	CHECK_EQ(setup_s3(&s3, NULL, 0), 0);
	cpj_s3_clear(&s3);
	return 0;
}

/* The chain's container provider: a FULL_URI with a password. */
static int
container_uri_masked(void)
{
	static cpj_creds c;
	const char *err;
	int rc;

	clean_env();
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://user:" PASSWORD "@127.0.0.1:1/creds", 1);
	lookups = 0;
	cap_begin();
	rc = creds_chain_load(&c, NULL, 0, NULL, 0);
	err = cap_end();
	CHECK_EQ(rc, CPJ_ERR_AGENT_CONFIG);
	CHECK(strstr(err, "user:***@127.0.0.1") != NULL);
	CHECK(strstr(err, PASSWORD) == NULL);
	CHECK_EQ(lookups, 0);
	clean_env();
	return 0;
}

/* ---- environment, endpoint, proxy ------------------------------------- */

static int
env_endpoint_proxy(void)
{
	struct setup_proxy p;

	clean_env();
	setenv("CPJOB_TEST_EMPTY", "", 1);
	CHECK(setup_env("CPJOB_TEST_EMPTY") == NULL);
	CHECK(setup_env("CPJOB_TEST_UNSET_XYZ") == NULL);
	setenv("CPJOB_TEST_EMPTY", "v", 1);
	CHECK(strcmp(setup_env("CPJOB_TEST_EMPTY"), "v") == 0);
	CHECK(setup_endpoint(NULL, "AWS_ENDPOINT_URL_S3") == NULL);
	setenv("AWS_ENDPOINT_URL", "http://all", 1);
	CHECK(strcmp(setup_endpoint(NULL, "AWS_ENDPOINT_URL_S3"),
	    "http://all") == 0);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3", 1);
	CHECK(strcmp(setup_endpoint(NULL, "AWS_ENDPOINT_URL_S3"),
	    "http://s3") == 0);
	CHECK(strcmp(setup_endpoint("http://opt", "AWS_ENDPOINT_URL_S3"),
	    "http://opt") == 0);
	CHECK(strcmp(setup_endpoint(NULL, NULL), "http://all") == 0);
	setup_proxy(&p);
	CHECK(p.url == NULL && p.no_proxy == NULL);
	setenv("https_proxy", "http://lower", 1);
	setenv("no_proxy", "lower", 1);
	setup_proxy(&p);
	CHECK(strcmp(p.url, "http://lower") == 0
	    && strcmp(p.no_proxy, "lower") == 0);
	setenv("HTTPS_PROXY", "http://upper", 1);
	setenv("NO_PROXY", "upper", 1);
	setup_proxy(&p);
	CHECK(strcmp(p.url, "http://upper") == 0
	    && strcmp(p.no_proxy, "upper") == 0);
	unsetenv("CPJOB_TEST_EMPTY");
	clean_env();
	return 0;
}

/* ---- the container provider's plain-http hosts ------------------------ */

static int
host_class_strict(void)
{
	static const struct {
		const char *host;
		int want;
	} t[] = {
		{ "127.0.0.1", CREDS_HOST_LOOPBACK },
		{ "127.1.2.3", CREDS_HOST_LOOPBACK },
		{ "127.255.255.254", CREDS_HOST_LOOPBACK },
		{ "127.0.0.0", CREDS_HOST_LOOPBACK },
		{ "::1", CREDS_HOST_LOOPBACK },
		{ "[::1]", CREDS_HOST_LOOPBACK },
		{ "0:0:0:0:0:0:0:1", CREDS_HOST_LOOPBACK },
		{ "169.254.170.2", CREDS_HOST_ECS },
		{ "169.254.170.23", CREDS_HOST_ECS },
		{ "fd00:ec2::23", CREDS_HOST_ECS },
		{ "[FD00:EC2::23]", CREDS_HOST_ECS },
		{ "localhost", CREDS_HOST_LOCALHOST },
		{ "LocalHost", CREDS_HOST_LOCALHOST },
		/* wrapped: read as 127.0.0.1 by a 32-bit %u */
		{ "127.0.0.4294967297", CREDS_HOST_REFUSED },
		{ "127.4294967296.0.1", CREDS_HOST_REFUSED },
		/* octal and hex, as inet_aton() reads them */
		{ "0177.0.0.1", CREDS_HOST_REFUSED },
		{ "0x7f.0.0.1", CREDS_HOST_REFUSED },
		{ "0X7F.0.0.1", CREDS_HOST_REFUSED },
		{ "0x7f000001", CREDS_HOST_REFUSED },
		{ "2130706433", CREDS_HOST_REFUSED },
		/* short and overlong */
		{ "127.1", CREDS_HOST_REFUSED },
		{ "127.0.1", CREDS_HOST_REFUSED },
		{ "127.0.0.1.5", CREDS_HOST_REFUSED },
		{ "127.0.0.1.", CREDS_HOST_REFUSED },
		/* leading zeros */
		{ "127.0.0.01", CREDS_HOST_REFUSED },
		{ "127.00.0.1", CREDS_HOST_REFUSED },
		{ "0127.0.0.1", CREDS_HOST_REFUSED },
		{ "169.254.170.02", CREDS_HOST_REFUSED },
		{ "169.254.170.023", CREDS_HOST_REFUSED },
		/* out of range, empty parts, junk */
		{ "127.0.0.256", CREDS_HOST_REFUSED },
		{ "127.0.0.", CREDS_HOST_REFUSED },
		{ ".127.0.0.1", CREDS_HOST_REFUSED },
		{ "127..0.1", CREDS_HOST_REFUSED },
		{ "127.0.0.1x", CREDS_HOST_REFUSED },
		{ "127.0.0.1 ", CREDS_HOST_REFUSED },
		{ " 127.0.0.1", CREDS_HOST_REFUSED },
		{ "127.0.0.1:80", CREDS_HOST_REFUSED },
		{ "127.0.0.1\n", CREDS_HOST_REFUSED },
		{ "+127.0.0.1", CREDS_HOST_REFUSED },
		{ "-127.0.0.1", CREDS_HOST_REFUSED },
		{ "", CREDS_HOST_REFUSED },
		/* IPv6 forms that are not ::1 or fd00:ec2::23 */
		{ "::ffff:127.0.0.1", CREDS_HOST_REFUSED },
		{ "::127.0.0.1", CREDS_HOST_REFUSED },
		{ "::2", CREDS_HOST_REFUSED },
		{ "::", CREDS_HOST_REFUSED },
		{ "::1%lo", CREDS_HOST_REFUSED },
		{ "[::1]x", CREDS_HOST_REFUSED },
		{ "[::1", CREDS_HOST_REFUSED },
		{ "::1]", CREDS_HOST_REFUSED },
		{ "[127.0.0.1]", CREDS_HOST_REFUSED },
		{ "[localhost]", CREDS_HOST_REFUSED },
		{ "fd00:ec2::254", CREDS_HOST_REFUSED },
		{ "fd00:ec2::23:0", CREDS_HOST_REFUSED },
		{ "1::1::1", CREDS_HOST_REFUSED },
		/* other addresses and names */
		{ "169.254.169.254", CREDS_HOST_REFUSED },
		{ "169.254.170.3", CREDS_HOST_REFUSED },
		{ "10.0.0.1", CREDS_HOST_REFUSED },
		{ "0.0.0.0", CREDS_HOST_REFUSED },
		{ "example.com", CREDS_HOST_REFUSED },
		{ "localhost.", CREDS_HOST_REFUSED },
		{ "localhost.localdomain", CREDS_HOST_REFUSED },
		{ "127.0.0.1.nip.io", CREDS_HOST_REFUSED },
		{ "ip6-localhost", CREDS_HOST_REFUSED },
	};
	size_t i;

	CHECK_EQ(creds_http_host_class(NULL), CREDS_HOST_REFUSED);
	for (i = 0; i < CPJ_ARRAY_LEN(t); i++) {
		int got = creds_http_host_class(t[i].host);

		if (got != t[i].want) {
			fprintf(stderr, "host '%s': class %d, want %d\n",
			    t[i].host, got, t[i].want);
			return __LINE__;
		}
	}
	return 0;
}

static int
refused_without_lookup(void)
{
	static const char *const hosts[] = {
		"127.0.0.4294967297", "0177.0.0.1", "0x7f.0.0.1", "127.1",
		"127.0.0.1.5", "127.0.0.01", "example.com", "::ffff:127.0.0.1",
	};
	char why[512];
	size_t i;

	lookups = 0;
	for (i = 0; i < CPJ_ARRAY_LEN(hosts); i++) {
		why[0] = '\0';
		CHECK_EQ(creds_http_host_ok(hosts[i], why, sizeof why), 0);
		CHECK(strstr(why, hosts[i]) != NULL);
		CHECK(strstr(why, "no other name is looked up") != NULL);
	}
	CHECK_EQ(creds_http_host_ok("127.0.0.1", why, sizeof why), 1);
	CHECK_EQ(creds_http_host_ok("::1", why, sizeof why), 1);
	CHECK_EQ(creds_http_host_ok("169.254.170.23", why, sizeof why), 1);
	CHECK_EQ(lookups, 0);
	return 0;
}

static int
localhost_resolved(void)
{
	char why[512];

	lookups = 0;
	localhost_elsewhere = 0;
	/* the test machine's /etc/hosts maps localhost to loopback */
	CHECK_EQ(creds_http_host_ok("localhost", why, sizeof why), 1);
	CHECK_EQ(lookups, 1);
	localhost_elsewhere = 1;
	why[0] = '\0';
	CHECK_EQ(creds_http_host_ok("localhost", why, sizeof why), 0);
	CHECK(strstr(why, "not loopback") != NULL);
	localhost_elsewhere = 0;
	return 0;
}

/* Through the chain: a wrapped address is refused before any lookup or
 * connection, with a message that says why. */
static int
chain_refuses_wrapped(void)
{
	static const char *const uris[] = {
		"http://127.0.0.4294967297/v2/credentials",
		"http://0x7f.0.0.1:8080/creds",
		"http://0177.0.0.1/creds",
		"http://127.1/creds",
		"http://[::ffff:127.0.0.1]/creds",
		"http://attacker.example/creds",
	};
	static cpj_creds c;
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < CPJ_ARRAY_LEN(uris); i++) {
		clean_env();
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uris[i], 1);
		setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", PASSWORD, 1);
		lookups = 0;
		cap_begin();
		rc = creds_chain_load(&c, NULL, 0, NULL, 0);
		err = cap_end();
		CHECK_EQ(rc, CPJ_ERR_AGENT_CONFIG);
		CHECK_EQ(lookups, 0);
		CHECK(strstr(err, "plain http only goes to a loopback") != NULL);
		CHECK(strstr(err, PASSWORD) == NULL);
	}
	clean_env();
	return 0;
}

int
main(void)
{
	RUN(url_safe_masks);
	RUN(refused_proxy_masked);
	RUN(s3_endpoint_masked);
	RUN(container_uri_masked);
	RUN(env_endpoint_proxy);
	RUN(host_class_strict);
	RUN(refused_without_lookup);
	RUN(localhost_resolved);
	RUN(chain_refuses_wrapped);
	creds_chain_cleanup();
	return H_EXIT();
}

/*
 * test_s3.c -- the S3 pieces that need no network: virtual-hostable
 * buckets, key encoding, endpoint/Host/target selection (API digest 8.4),
 * the streaming XML error scanner (hostile input included), the error
 * mapping and the SHA-256 source helper.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "util/sha256_int.h"
#include "mock/mock_port.h"

static cpj_http_client cli;
static cpj_s3_context s3;
static unsigned char work[8192];

/* ---- buckets and keys ---------------------------------------------------- */

static int
virtual_hostable(void)
{
	static const struct {
		const char *b;
		int ok;
	} t[] = {
		{ "codepipeline-us-east-1-123456789012", 1 },
		{ "abc", 1 },
		{ "a1-b2", 1 },
		{ "1234", 1 },
		{ "ab", 0 },
		{ "", 0 },
		{ "My-Bucket", 0 },
		{ "my.bucket", 0 },
		{ "192.168.1.1", 0 },
		{ "-abc", 0 },
		{ "abc-", 0 },
		{ "a_b", 0 },
		{ "a b", 0 },
		{ "abc/", 0 },
	};
	char b64[65];
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(t); i++) {
		if (cpj_s3_bucket_virtual_hostable(t[i].b) != t[i].ok) {
			fprintf(stderr, "bucket '%s'\n", t[i].b);
			CHECK(0);
		}
	}
	CHECK_EQ(cpj_s3_bucket_virtual_hostable(NULL), 0);
	memset(b64, 'a', sizeof b64);
	b64[63] = '\0';
	CHECK_EQ(cpj_s3_bucket_virtual_hostable(b64), 1);
	b64[63] = 'a';
	b64[64] = '\0';
	CHECK_EQ(cpj_s3_bucket_virtual_hostable(b64), 0);
	return 0;
}

static int
key_encoding(void)
{
	static char big[CPJ_S3_KEY_MAX + 2];
	static char out[4 * CPJ_S3_KEY_MAX];
	char small[8];

	/* API digest 8.1 / captured request 10 */
	CHECK_EQ(cpj_s3_key_encode("Build Output/AbC+dEf~G", out, sizeof out), 26);
	CHECK_EQ(strcmp(out, "Build%20Output/AbC%2BdEf~G"), 0);
	CHECK(cpj_s3_key_encode("a/\xc3\xa9 \x01%?#=&:@!*'()", out,
	    sizeof out) > 0);
	CHECK_EQ(strcmp(out, "a/%C3%A9%20%01%25%3F%23%3D%26%3A%40%21%2A%27%28%29"), 0);
	CHECK(cpj_s3_key_encode("//x/./../y", out, sizeof out) > 0);
	CHECK_EQ(strcmp(out, "//x/./../y"), 0);
	CHECK_EQ(cpj_s3_key_encode("AZaz09-._~", out, sizeof out), 10);
	CHECK_EQ(strcmp(out, "AZaz09-._~"), 0);
	/* limits */
	CHECK_EQ(cpj_s3_key_encode("", out, sizeof out), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_key_encode(NULL, out, sizeof out), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_key_encode("a", NULL, 4), CPJ_ERR_PARAM);
	memset(big, ' ', sizeof big);
	big[CPJ_S3_KEY_MAX] = '\0';
	CHECK_EQ(cpj_s3_key_encode(big, out, sizeof out), 3 * CPJ_S3_KEY_MAX);
	big[CPJ_S3_KEY_MAX] = ' ';
	big[CPJ_S3_KEY_MAX + 1] = '\0';
	CHECK_EQ(cpj_s3_key_encode(big, out, sizeof out), CPJ_ERR_PARAM);
	/* never cut: exact fit works, one byte less fails and leaves "" */
	CHECK_EQ(cpj_s3_key_encode("ab c", small, 7), 6);
	CHECK_EQ(strcmp(small, "ab%20c"), 0);
	CHECK_EQ(cpj_s3_key_encode("ab c", small, 6), CPJ_ERR_NOSPACE);
	CHECK_EQ(small[0], '\0');
	return 0;
}

/* ---- endpoints -------------------------------------------------------------- */

static int
setup(const char *region)
{
	mock_port_reset();
	cpj_http_client_init(&cli, NULL);
	return cpj_s3_init(&s3, &cli, region, work, sizeof work);
}

/* Locate bucket/key and compare URL, Host and target. */
static int
loc_is(const char *bucket, const char *key, const char *url,
	const char *host, const char *target)
{
	cpj_s3_location loc;
	char t[512];
	int n = cpj_s3_locate(&s3, bucket, key, &loc, t, sizeof t);

	if (n < 0 || (size_t)n != strlen(t) || strcmp(loc.url, url) != 0
	    || strcmp(loc.host, host) != 0 || strcmp(t, target) != 0) {
		fprintf(stderr, "locate %s/%s: %d url=%s host=%s target=%s\n",
		    bucket, key, n, loc.url, loc.host, t);
		return 0;
	}
	return 1;
}

static int
aws_endpoints(void)
{
	const char *b = "codepipeline-us-east-1-123";

	CHECK_EQ(setup("us-east-1"), 0);
	/* DNS-compatible bucket, standard */
	CHECK(loc_is(b, "p/a b", "https://codepipeline-us-east-1-123.s3.us-east-1.amazonaws.com",
	    "codepipeline-us-east-1-123.s3.us-east-1.amazonaws.com", "/p/a%20b"));
	/* not virtual-hostable: path style */
	CHECK(loc_is("my.dotted.bucket", "k", "https://s3.us-east-1.amazonaws.com",
	    "s3.us-east-1.amazonaws.com", "/my.dotted.bucket/k"));
	CHECK(loc_is("Legacy_Bucket", "k", "https://s3.us-east-1.amazonaws.com",
	    "s3.us-east-1.amazonaws.com", "/Legacy_Bucket/k"));
	/* FIPS, dual-stack, both */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_FIPS), 0);
	CHECK(loc_is(b, "k", "https://codepipeline-us-east-1-123.s3-fips.us-east-1.amazonaws.com",
	    "codepipeline-us-east-1-123.s3-fips.us-east-1.amazonaws.com", "/k"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_DUALSTACK), 0);
	CHECK(loc_is(b, "k", "https://codepipeline-us-east-1-123.s3.dualstack.us-east-1.amazonaws.com",
	    "codepipeline-us-east-1-123.s3.dualstack.us-east-1.amazonaws.com", "/k"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_FIPS | CPJ_S3_DUALSTACK), 0);
	CHECK(loc_is(b, "k", "https://codepipeline-us-east-1-123.s3-fips.dualstack.us-east-1.amazonaws.com",
	    "codepipeline-us-east-1-123.s3-fips.dualstack.us-east-1.amazonaws.com", "/k"));
	/* forced path style */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_PATH_STYLE), 0);
	CHECK(loc_is(b, "k", "https://s3.us-east-1.amazonaws.com",
	    "s3.us-east-1.amazonaws.com", "/codepipeline-us-east-1-123/k"));
	/* China, dual-stack */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, 0), 0);
	CHECK_EQ(cpj_s3_set_region(&s3, "cn-north-1"), 0);
	CHECK(loc_is("bkt", "k", "https://bkt.s3.cn-north-1.amazonaws.com.cn",
	    "bkt.s3.cn-north-1.amazonaws.com.cn", "/k"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_DUALSTACK), 0);
	CHECK(loc_is("bkt", "k", "https://bkt.s3.dualstack.cn-north-1.amazonaws.com.cn",
	    "bkt.s3.dualstack.cn-north-1.amazonaws.com.cn", "/k"));
	/* GovCloud, FIPS */
	CHECK_EQ(cpj_s3_set_region(&s3, "us-gov-west-1"), 0);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, 0), 0);
	CHECK(loc_is("bkt", "k", "https://bkt.s3.us-gov-west-1.amazonaws.com",
	    "bkt.s3.us-gov-west-1.amazonaws.com", "/k"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_FIPS), 0);
	CHECK(loc_is("bkt", "k", "https://bkt.s3-fips.us-gov-west-1.amazonaws.com",
	    "bkt.s3-fips.us-gov-west-1.amazonaws.com", "/k"));
	/* region checks */
	CHECK_EQ(cpj_s3_set_region(&s3, "US-EAST-1"), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_set_region(&s3, ""), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_set_region(&s3, "a.b"), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_set_region(&s3, "x234567890123456789012345678901"), CPJ_ERR_PARAM);
	CHECK_EQ(strcmp(s3.region, "us-gov-west-1"), 0);
	CHECK_EQ(cpj_s3_init(&s3, &cli, "bad region", work, sizeof work), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_init(&s3, &cli, "us-east-1", work, 1024), CPJ_ERR_PARAM);
	return 0;
}

static int
override_endpoints(void)
{
	char t[64];
	cpj_s3_location loc;
	static char longhost[300];

	CHECK_EQ(setup("us-east-1"), 0);
	/* IP endpoint: path style (captured requests 8-11) */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://127.0.0.1:42389", 0), 0);
	CHECK(loc_is("codepipeline-us-east-1-123", "edge-pipeline/Build Output/AbC+dEf~G",
	    "http://127.0.0.1:42389", "127.0.0.1:42389",
	    "/codepipeline-us-east-1-123/edge-pipeline/Build%20Output/AbC%2BdEf~G"));
	/* virtual asked, but an IP cannot carry a bucket */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://127.0.0.1:9000/", CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK(loc_is("bkt", "k", "http://127.0.0.1:9000", "127.0.0.1:9000", "/bkt/k"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://[::1]:9000", CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK(loc_is("bkt", "k", "http://[::1]:9000", "[::1]:9000", "/bkt/k"));
	/* host name: path style by default, virtual when asked */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://localhost:4566", 0), 0);
	CHECK(loc_is("bkt", "a/b", "http://localhost:4566", "localhost:4566", "/bkt/a/b"));
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://localhost:4566", CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK(loc_is("bkt", "a/b", "http://localhost:4566", "bkt.localhost:4566", "/a/b"));
	CHECK(loc_is("my.bucket", "a", "http://localhost:4566", "localhost:4566", "/my.bucket/a"));
	/* default ports are left out of Host */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://minio.example:80", CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK(loc_is("bkt", "k", "http://minio.example", "bkt.minio.example", "/k"));
	/* a too long virtual host falls back to path style */
	memcpy(longhost, "http://", 7);
	memset(longhost + 7, 'h', 250);
	memcpy(longhost + 257, ".x", 3);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, longhost, CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK(cpj_s3_locate(&s3, "bkt", "k", &loc, t, sizeof t) > 0);
	CHECK_EQ(loc.virtual_hosted, 0);
	CHECK_EQ(strcmp(t, "/bkt/k"), 0);
	/* a bad endpoint leaves the old one */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://localhost:4566", CPJ_S3_VIRTUAL_HOSTED), 0);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "ftp://x", 0), CPJ_ERR_NET_URL);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://x/path", 0), CPJ_ERR_NET_URL);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "https://x", 0), CPJ_ERR_UNSUPPORTED); /* no TLS */
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, CPJ_S3_PATH_STYLE | CPJ_S3_VIRTUAL_HOSTED), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, NULL, 0x100), CPJ_ERR_PARAM);
	CHECK(loc_is("bkt", "k", "http://localhost:4566", "bkt.localhost:4566", "/k"));
	/* bucket and key checks; target never cut */
	CHECK_EQ(cpj_s3_locate(&s3, "", "k", &loc, t, sizeof t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_locate(&s3, "a/b", "k", &loc, t, sizeof t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_locate(&s3, "a%b", "k", &loc, t, sizeof t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_locate(&s3, "bkt", "", &loc, t, sizeof t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_locate(&s3, NULL, "k", &loc, t, sizeof t), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_locate(&s3, "bkt", "k", &loc, t, 2), CPJ_ERR_NOSPACE);
	CHECK_EQ(t[0], '\0');
	memset(longhost, 'b', 256);
	longhost[256] = '\0';
	CHECK_EQ(cpj_s3_locate(&s3, longhost, "k", &loc, t, sizeof t), CPJ_ERR_PARAM);
	longhost[255] = '\0';
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://localhost:4566", 0), 0);
	{
		static char bt[600];

		CHECK_EQ(cpj_s3_locate(&s3, longhost, "k", &loc, bt, sizeof bt), 258);
	}
	return 0;
}

/* ---- the XML scanner ------------------------------------------------------------ */

static cpj_s3_xml xs;

/* Scan `doc` whole, then again one byte at a time and in 7-byte pieces;
 * the three results must agree. Returns cpj_s3_xml_found(). */
static int
scan(const char *doc, size_t len)
{
	static cpj_s3_xml a, b;
	size_t i;

	cpj_s3_xml_init(&xs);
	cpj_s3_xml_feed(&xs, doc, len);
	cpj_s3_xml_init(&a);
	for (i = 0; i < len; i++)
		cpj_s3_xml_feed(&a, doc + i, 1);
	cpj_s3_xml_init(&b);
	for (i = 0; i < len; i += 7)
		cpj_s3_xml_feed(&b, doc + i, len - i < 7 ? len - i : 7);
	cpj_s3_xml_feed(&b, doc, 0);
	if (strcmp(a.code, xs.code) != 0 || strcmp(a.message, xs.message) != 0
	    || strcmp(a.region, xs.region) != 0
	    || strcmp(a.request_id, xs.request_id) != 0
	    || strcmp(b.code, xs.code) != 0 || strcmp(b.message, xs.message) != 0
	    || strcmp(b.region, xs.region) != 0 || a.message_cut != xs.message_cut
	    || a.root != xs.root || b.root != xs.root) {
		fprintf(stderr, "split scans disagree on: %.80s\n", doc);
		return -1;
	}
	return cpj_s3_xml_found(&xs);
}

#define SCAN(s) scan((s), strlen(s))

static int
xml_basic(void)
{
	static const char nosuchkey[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
	    "<Key>edge-pipeline/missing</Key><RequestId>EXAMPLEREQID0001</RequestId>"
	    "<HostId>EXAMPLEHOSTID</HostId></Error>";

	CHECK_EQ(SCAN(nosuchkey), 1);
	CHECK_EQ(strcmp(xs.code, "NoSuchKey"), 0);
	CHECK_EQ(strcmp(xs.message, "The specified key does not exist."), 0);
	CHECK_EQ(strcmp(xs.request_id, "EXAMPLEREQID0001"), 0);
	CHECK_EQ(xs.region[0], '\0');
	CHECK_EQ(xs.message_cut, 0);
	/* region, prolog with comment, BOM, white space, attributes */
	CHECK_EQ(SCAN("\xef\xbb\xbf <!-- hi > there --> <!DOCTYPE x>\r\n"
	    "<Error xmlns=\"http://s3/\" a='>'>\n  <Code> AuthorizationHeaderMalformed </Code>\n"
	    "  <Message>the region &apos;us-east-1&apos; is wrong; expecting &quot;eu-west-1&quot;</Message>\n"
	    "  <Region>eu-west-1</Region>\n</Error>trailing <junk"), 1);
	CHECK_EQ(strcmp(xs.code, "AuthorizationHeaderMalformed"), 0);
	CHECK_EQ(strcmp(xs.message, "the region 'us-east-1' is wrong; expecting \"eu-west-1\""), 0);
	CHECK_EQ(strcmp(xs.region, "eu-west-1"), 0);
	/* entities: named, decimal, hex (to UTF-8), unknown and malformed kept */
	CHECK_EQ(SCAN("<Error><Code>X</Code><Message>a&lt;b&gt;c&amp;d &#233;&#x1F600; "
	    "&foo; &#xD800; &#0; &#x110000; &toolongentityname; & x</Message></Error>"), 1);
	CHECK_EQ(strcmp(xs.message, "a<b>c&d \xc3\xa9\xf0\x9f\x98\x80 &foo; &#xD800; "
	    "&#0; &#x110000; &toolongentityname; & x"), 0);
	/* control bytes become spaces; &#10; too */
	CHECK_EQ(SCAN("<Error><Code>X</Code><Message>a\tb\x1b[31mc&#10;d</Message></Error>"), 1);
	CHECK_EQ(strcmp(xs.message, "a b [31mc d"), 0);
	/* self-closing root, empty input, text only */
	CHECK_EQ(SCAN("<Error/>"), 0);
	CHECK_EQ(xs.root, 1);
	CHECK_EQ(scan("", 0), 0);
	CHECK_EQ(SCAN("Service Unavailable"), 0);
	CHECK_EQ(xs.root, 0);
	CHECK_EQ(SCAN("{\"__type\":\"x\"}"), 0);
	return 0;
}

static int
xml_hostile(void)
{
	static char big[200000];
	size_t n, i;

	/* a root other than Error keeps nothing */
	CHECK_EQ(SCAN("<Foo><Code>X</Code></Foo>"), 0);
	CHECK_EQ(xs.code[0], '\0');
	CHECK_EQ(SCAN("hello<Error><Code>X</Code></Error>"), 0);
	/* only direct children of the root count */
	CHECK_EQ(SCAN("<Error><Details><Code>Inner</Code></Details><Code>Outer</Code></Error>"), 1);
	CHECK_EQ(strcmp(xs.code, "Outer"), 0);
	/* an element inside a field: not kept */
	CHECK_EQ(SCAN("<Error><Code>A<b>B</b>C</Code></Error>"), 0);
	CHECK_EQ(SCAN("<Error><Code>A<br/>C</Code></Error>"), 0);
	CHECK_EQ(SCAN("<Error><Code>A<!-- x -->C</Code><Message><![CDATA[x]]></Message></Error>"), 0);
	CHECK_EQ(xs.message[0], '\0');
	/* mismatched end tag, self-closing field */
	CHECK_EQ(SCAN("<Error><Code>X</Cod></Error>"), 0);
	CHECK_EQ(SCAN("<Error><Code/><Message/></Error>"), 0);
	/* the first complete occurrence wins */
	CHECK_EQ(SCAN("<Error><Code>First</Code><Code>Second</Code></Error>"), 1);
	CHECK_EQ(strcmp(xs.code, "First"), 0);
	/* a code too long or with odd bytes is not kept (never cut) */
	n = (size_t)sprintf(big, "<Error><Code>");
	memset(big + n, 'A', CPJ_S3_CODE_MAX + 1);
	n += CPJ_S3_CODE_MAX + 1;
	n += (size_t)sprintf(big + n, "</Code></Error>");
	CHECK_EQ(scan(big, n), 0);
	CHECK_EQ(SCAN("<Error><Code>No Such</Code></Error>"), 0);
	CHECK_EQ(SCAN("<Error><Code>a&lt;b</Code></Error>"), 0);
	CHECK_EQ(SCAN("<Error><Code>Ok</Code><Region>EU-WEST-1</Region><RequestId>a b</RequestId></Error>"), 1);
	CHECK_EQ(xs.region[0], '\0');
	CHECK_EQ(xs.request_id[0], '\0');
	CHECK_EQ(SCAN("<Error><Code>Ok</Code><Region>-x</Region></Error>"), 1);
	CHECK_EQ(xs.region[0], '\0');
	/* a huge message is cut at a UTF-8 boundary, flagged */
	n = (size_t)sprintf(big, "<Error><Code>Big</Code><Message>x");
	for (i = 0; i < 50000; i++) {
		memcpy(big + n, "\xc3\xa9", 2);
		n += 2;
	}
	n += (size_t)sprintf(big + n, "</Message><Region>us-west-2</Region></Error>");
	CHECK_EQ(scan(big, n), 1);
	CHECK_EQ(xs.message_cut, 1);
	CHECK_EQ(strlen(xs.message), CPJ_S3_MESSAGE_MAX - 1);
	CHECK_EQ((unsigned char)xs.message[strlen(xs.message) - 1], 0xa9);
	CHECK_EQ(strcmp(xs.region, "us-west-2"), 0);
	/* truncated bodies keep only what completed */
	CHECK_EQ(SCAN("<Error><Code>NoSuchKey</Code><Message>The spec"), 1);
	CHECK_EQ(xs.message[0], '\0');
	CHECK_EQ(SCAN("<Error><Code>NoSuch"), 0);
	CHECK_EQ(SCAN("<Error><Co"), 0);
	CHECK_EQ(SCAN("<Error><Code>X</Code><Message>a &am"), 1);
	CHECK_EQ(SCAN("<Error attr=\"never closed><Code>X</Code></Error>"), 0);
	/* deep nesting costs nothing and keeps the scan correct */
	n = (size_t)sprintf(big, "<Error>");
	for (i = 0; i < 20000; i++)
		n += (size_t)sprintf(big + n, "<a>");
	n += (size_t)sprintf(big + n, "<Code>Deep</Code>");
	for (i = 0; i < 20000; i++)
		n += (size_t)sprintf(big + n, "</a>");
	n += (size_t)sprintf(big + n, "<Code>Top</Code></Error>");
	CHECK_EQ(scan(big, n), 1);
	CHECK_EQ(strcmp(xs.code, "Top"), 0);
	/* random bytes never crash, and a stray end tag stops the scan */
	srand(7);
	for (i = 0; i < sizeof big; i++)
		big[i] = (char)(rand() & 0xff);
	(void)scan(big, sizeof big);
	for (i = 0; i < sizeof big; i++)
		big[i] = "<>/!?&;#xE-\"'rCode"[rand() % 18];
	(void)scan(big, sizeof big);
	CHECK_EQ(SCAN("</Error><Error><Code>X</Code></Error>"), 0);
	/* NULL and zero-length feeds are harmless */
	cpj_s3_xml_init(&xs);
	cpj_s3_xml_feed(&xs, NULL, 5);
	cpj_s3_xml_feed(NULL, "x", 1);
	CHECK_EQ(cpj_s3_xml_found(&xs), 0);
	return 0;
}

/* ---- error mapping ------------------------------------------------------- */

static int
error_map(void)
{
	static const struct {
		const char *code;
		int status, err;
	} t[] = {
		{ "NoSuchKey", 404, CPJ_ERR_S3_NOT_FOUND },
		{ "NoSuchBucket", 404, CPJ_ERR_S3_NOT_FOUND },
		{ "AccessDenied", 403, CPJ_ERR_S3_ACCESS_DENIED },
		{ "SignatureDoesNotMatch", 403, CPJ_ERR_API_SIGNATURE },
		{ "ExpiredToken", 400, CPJ_ERR_API_EXPIRED_TOKEN },
		{ "InvalidToken", 400, CPJ_ERR_API_EXPIRED_TOKEN },
		{ "InvalidAccessKeyId", 403, CPJ_ERR_API_UNRECOGNIZED_CLIENT },
		{ "RequestTimeTooSkewed", 403, CPJ_ERR_API_CLOCK_SKEW },
		{ "SlowDown", 503, CPJ_ERR_API_THROTTLED },
		{ "Throttling", 400, CPJ_ERR_API_THROTTLED },
		{ "InternalError", 500, CPJ_ERR_API_SERVER },
		{ "RequestTimeout", 400, CPJ_ERR_API_SERVER },
		{ "BadDigest", 400, CPJ_ERR_S3_INTEGRITY },
		{ "XAmzContentSHA256Mismatch", 400, CPJ_ERR_S3_INTEGRITY },
		{ "PermanentRedirect", 301, CPJ_ERR_S3_ERROR },
		{ "InvalidArgument", 400, CPJ_ERR_S3_ERROR },
		{ "SomethingNew", 503, CPJ_ERR_API_SERVER },
		{ "", 404, CPJ_ERR_S3_NOT_FOUND },
		{ "", 403, CPJ_ERR_S3_ACCESS_DENIED },
		{ "", 429, CPJ_ERR_API_THROTTLED },
		{ "", 502, CPJ_ERR_API_SERVER },
		{ "", 400, CPJ_ERR_S3_ERROR },
		{ NULL, 301, CPJ_ERR_S3_ERROR },
	};
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(t); i++) {
		int e = cpj_s3_error_map(t[i].code, t[i].status);

		if (e != t[i].err) {
			fprintf(stderr, "%s %d -> %d\n", t[i].code, t[i].status, e);
			CHECK(0);
		}
	}
	CHECK(cpj_aws_error_retryable(cpj_s3_error_map("SlowDown", 503), 503));
	CHECK(!cpj_aws_error_retryable(cpj_s3_error_map("NoSuchKey", 404), 404));
	CHECK(strcmp(cpj_strerror(CPJ_ERR_S3_INTEGRITY), "unknown error") != 0);
	return 0;
}

/* ---- SHA-256 of a source --------------------------------------------------- */

struct msrc {
	const char *p;
	size_t len, pos, max;
	int fail;
};

static int
msrc_read(void *ctx, unsigned char *buf, size_t len)
{
	struct msrc *m = ctx;
	size_t n = m->len - m->pos;

	if (m->fail)
		return CPJ_ERR_IO - 100;
	if (n > len)
		n = len;
	if (n > m->max)
		n = m->max;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (int)n;
}

static int
sha256_source(void)
{
	struct msrc m = { "abcdefghij", 10, 0, 3, 0 };
	unsigned char buf[4];
	char hex[CPJ_SIGV4_HEX_SIZE];

	CHECK_EQ(cpj_s3_sha256_source(msrc_read, &m, 3, buf, 2, hex), 0);
	CHECK_EQ(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), 0);
	CHECK_EQ(m.pos, 3);
	m.pos = 0;
	CHECK_EQ(cpj_s3_sha256_source(msrc_read, &m, 0, buf, 2, hex), 0);
	CHECK_EQ(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), 0);
	/* the source ends early: an error, no hash */
	CHECK_EQ(cpj_s3_sha256_source(msrc_read, &m, 11, buf, sizeof buf, hex), CPJ_ERR_IO);
	CHECK_EQ(hex[0], '\0');
	m.pos = 0;
	m.fail = 1;
	CHECK_EQ(cpj_s3_sha256_source(msrc_read, &m, 5, buf, sizeof buf, hex), CPJ_ERR_IO - 100);
	CHECK_EQ(cpj_s3_sha256_source(NULL, &m, 5, buf, sizeof buf, hex), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_sha256_source(msrc_read, &m, 5, buf, 0, hex), CPJ_ERR_PARAM);
	return 0;
}

/* A source of `left` bytes of 'a', at most `max` at a time. */
struct asrc {
	size_t left, max;
};

static int
asrc_read(void *ctx, unsigned char *buf, size_t len)
{
	struct asrc *a = ctx;
	size_t n = len < a->max ? len : a->max;

	if (n > a->left)
		n = a->left;
	memset(buf, 'a', n);
	a->left -= n;
	return (int)n;
}

/*
 * FIPS 180-2's million 'a', in pieces that cut blocks anywhere: with the
 * CPU's SHA instructions where it has them, then with BearSSL's code.
 */
static int
sha256_source_blocks(void)
{
	static unsigned char buf[4099];
	static const size_t max[] = { 1, 63, 64, 65, 1000, 4099 };
	char hex[CPJ_SIGV4_HEX_SIZE];
	size_t i;
	int hw;

	for (hw = 1; hw >= 0; hw--) {
		cpj_sha256_hw_allow(hw);
		for (i = 0; i < sizeof max / sizeof max[0]; i++) {
			struct asrc a;

			a.left = 1000000;
			a.max = max[i];
			CHECK_EQ(cpj_s3_sha256_source(asrc_read, &a, 1000000,
			    buf, sizeof buf, hex), 0);
			CHECK_EQ(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
			    "f1809a48a497200e046d39ccc7112cd0"), 0);
		}
	}
	cpj_sha256_hw_allow(1);
	return 0;
}

static int
context_size(void)
{
	printf("sizeof(cpj_s3_context) = %u, sizeof(cpj_s3_xml) = %u\n",
	    (unsigned)sizeof(cpj_s3_context), (unsigned)sizeof(cpj_s3_xml));
	/* the figure documented in cpj_s3.h (x86-64, default limits) */
	if (sizeof(void *) == 8 && CPJ_SIGV4_TOKEN_MAX == 8192
	    && CPJ_HOST_MAX == 253 && CPJ_S3_MESSAGE_MAX == 256)
		CHECK(sizeof(cpj_s3_context) <= 5184);
	return 0;
}

int
main(void)
{
	RUN(virtual_hostable);
	RUN(key_encoding);
	RUN(aws_endpoints);
	RUN(override_endpoints);
	RUN(xml_basic);
	RUN(xml_hostile);
	RUN(error_map);
	RUN(sha256_source);
	RUN(sha256_source_blocks);
	RUN(context_size);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

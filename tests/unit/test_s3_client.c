/*
 * test_s3_client.c -- the S3 client over the mock port (plain HTTP to an
 * endpoint override): the captured aws CLI signatures, streamed GET and
 * PUT, MD5/ETag checks, cut transfers, retries with and without
 * rewind/restart, clock skew, region redirects, host switching and
 * keep-alive, progress, limits and hostile answers.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "FwoGZXIvYXdzEXAMPLE//////////wEaDEXAMPLETOKEN+/="
#define BUCKET "codepipeline-us-east-1-123"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HELLO_MD5 "5d41402abc4b2a76b9719d911017c592"
#define HELLO_SHA "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

#define CLOSE "Connection: close\r\n"
#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" \
	"ETag: \"" HELLO_MD5 "\"\r\nx-amz-request-id: REQ1\r\n" \
	"x-amz-id-2: HOSTID1\r\n\r\nhello"
#define PUT_OK "HTTP/1.1 200 OK\r\n" CLOSE "Content-Length: 0\r\nETag: \"" HELLO_MD5 "\"\r\n\r\n"
#define SLOWDOWN "HTTP/1.1 503 Slow Down\r\n" CLOSE "Content-Length: 87\r\n\r\n" \
	"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"

static cpj_http_client cli;
static cpj_s3_context s3;
static unsigned char work[4096];
static cpj_creds creds;

/* ---- sinks and sources -------------------------------------------------------- */

static struct {
	char data[65536];
	size_t len;
	int fail;
	unsigned restarts, calls;
} sk;

static int
sink(void *ctx, const unsigned char *d, size_t len)
{
	(void)ctx;
	sk.calls++;
	if (sk.fail)
		return CPJ_ERR_IO;
	if (len > sizeof sk.data - sk.len)
		return CPJ_ERR_NOSPACE;
	memcpy(sk.data + sk.len, d, len);
	sk.len += len;
	return 0;
}

static int
sink_restart(void *ctx)
{
	(void)ctx;
	sk.restarts++;
	sk.len = 0;
	return 0;
}

static struct {
	const char *p;
	size_t len, pos;
	unsigned rewinds;
} src;

static int
src_read(void *ctx, unsigned char *buf, size_t len)
{
	size_t n = src.len - src.pos;

	(void)ctx;
	if (n > len)
		n = len;
	if (n > 3)
		n = 3;          /* small pieces */
	if (n > 0)
		memcpy(buf, src.p + src.pos, n);
	src.pos += n;
	return (int)n;
}

static int
src_rewind(void *ctx)
{
	(void)ctx;
	src.rewinds++;
	src.pos = 0;
	return 0;
}

static struct {
	uint64_t done[64], total[64];
	unsigned n;
	int cancel_at;
} pr;

static int
on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (pr.n < 64) {
		pr.done[pr.n] = done;
		pr.total[pr.n] = total;
	}
	pr.n++;
	return pr.cancel_at != 0 && (int)pr.n == pr.cancel_at
	    ? CPJ_ERR_CANCELLED : 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static int
setup(const char *endpoint, unsigned flags)
{
	mock_port_reset();
	memset(&sk, 0, sizeof sk);
	memset(&src, 0, sizeof src);
	memset(&pr, 0, sizeof pr);
	cpj_http_client_init(&cli, NULL);
	cpj_http_client_set_timeouts(&cli, 1000, 2000, 5000);
	if (cpj_s3_init(&s3, &cli, "us-east-1", work, sizeof work) < 0
	    || cpj_s3_set_endpoint(&s3, endpoint, flags) < 0
	    || cpj_creds_set(&creds, AKID, SECRET, TOKEN, 0) < 0
	    || cpj_s3_set_credentials(&s3, &creds) < 0)
		return -1;
	return 0;
}

static int
get(const char *bucket, const char *key, int with_restart)
{
	cpj_s3_get_options o;

	memset(&o, 0, sizeof o);
	o.sink = sink;
	if (with_restart)
		o.restart = sink_restart;
	return cpj_s3_get_object(&s3, bucket, key, &o);
}

static int
sent_has(int conn, const char *needle)
{
	size_t len, nl = strlen(needle), i;
	const unsigned char *s = mock_port_sent(conn, &len);

	for (i = 0; s != NULL && i + nl <= len; i++) {
		if (memcmp(s + i, needle, nl) == 0)
			return 1;
	}
	return 0;
}

static int
sent_count(int conn, const char *needle)
{
	size_t len, nl = strlen(needle), i;
	const unsigned char *s = mock_port_sent(conn, &len);
	int n = 0;

	for (i = 0; s != NULL && i + nl <= len; i++) {
		if (memcmp(s + i, needle, nl) == 0)
			n++;
	}
	return n;
}

static int
add(const char *reply)
{
	return mock_port_add_conn(reply, strlen(reply));
}

/* ---- tests ------------------------------------------------------------------ */

/* Captured requests 10 and 11: the aws CLI's GetObject with a session
 * token, path style to an IP endpoint; same canonical request, so the
 * same signature. */
static int
captured_get_signatures(void)
{
	static const char r404[] = "HTTP/1.1 404 Not Found\r\n"
	    "x-amzn-RequestId: 00000000-aaaa-bbbb-cccc-000000000011\r\n"
	    "Content-Length: 229\r\nConnection: close\r\n"
	    "Date: Sat, 28 Nov 2026 12:01:12 GMT\r\nContent-Type: application/xml\r\n"
	    "x-amz-request-id: EXAMPLEREQID0001\r\nx-amz-id-2: EXAMPLEHOSTID\r\n\r\n"
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
	    "<Key>edge-pipeline/missing</Key><RequestId>EXAMPLEREQID0001</RequestId>"
	    "<HostId>EXAMPLEHOSTID</HostId></Error>";
	static const char r200[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 5\r\nConnection: close\r\nDate: Sat, 28 Nov 2026 12:01:12 GMT\r\n"
	    "ETag: \"" HELLO_MD5 "\"\r\nx-amz-server-side-encryption: aws:kms\r\n\r\nhello";

	CHECK_EQ(setup("http://127.0.0.1:42389", 0), 0);
	CHECK_EQ(add(r200), 0);
	CHECK_EQ(add(r404), 1);
	mock_port_set_time_unix(1795867272);    /* 2026-11-28T12:01:12Z */
	CHECK_EQ(get(BUCKET, "edge-pipeline/Build Output/AbC+dEf~G", 0), 0);
	CHECK(sent_has(0, "GET /codepipeline-us-east-1-123/edge-pipeline/Build%20Output/AbC%2BdEf~G HTTP/1.1\r\n"
	    "Host: 127.0.0.1:42389\r\n"));
	CHECK(sent_has(0, "\r\nX-Amz-Date: 20261128T120112Z\r\n"));
	CHECK(sent_has(0, "\r\nX-Amz-Security-Token: " TOKEN "\r\n"));
	CHECK(sent_has(0, "\r\nX-Amz-Content-SHA256: " EMPTY_SHA "\r\n"));
	CHECK(sent_has(0, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/s3/aws4_request, "
	    "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "
	    "Signature=33a1b1ec41f9a8aad8f62c1a58e14c2e428501e6b623cc195811d9b7e41a4f0b\r\n"));
	CHECK(!sent_has(0, "Content-Length"));
	CHECK_EQ(sk.len, 5);
	CHECK_EQ(memcmp(sk.data, "hello", 5), 0);
	CHECK_EQ(s3.size, 5);
	CHECK_EQ(strcmp(s3.sse, "aws:kms"), 0);
	CHECK_EQ(s3.etag_checked, 0);     /* SSE-KMS: the ETag is no MD5 */
	CHECK_EQ(s3.http_status, 200);

	mock_port_set_time_unix(1795867272);
	CHECK_EQ(get(BUCKET, "edge-pipeline/missing", 0), CPJ_ERR_S3_NOT_FOUND);
	CHECK(sent_has(1, "Signature=3e406bf2195ab4d9b9e356ea5c2f0f6465d41b42f653211298e83e43d967d07b\r\n"));
	CHECK_EQ(s3.err, CPJ_ERR_S3_NOT_FOUND);
	CHECK_EQ(s3.http_status, 404);
	CHECK_EQ(strcmp(s3.error.code, "NoSuchKey"), 0);
	CHECK_EQ(strcmp(s3.error.message, "The specified key does not exist."), 0);
	CHECK_EQ(strcmp(s3.request_id, "00000000-aaaa-bbbb-cccc-000000000011"), 0);
	CHECK_EQ(strcmp(s3.error.request_id, "EXAMPLEREQID0001"), 0);
	CHECK_EQ(strcmp(s3.host_id, "EXAMPLEHOSTID"), 0);
	CHECK_EQ(s3.attempts, 2);
	CHECK_EQ(s3.retries, 0);
	CHECK_EQ(sk.len, 5);            /* an error body never reaches the sink */
	/* the Authorization value is wiped after use */
	CHECK_EQ(s3.auth[0], '\0');
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
get_etag_checks(void)
{
	static const char bad[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "ETag: \"00000000000000000000000000000000\"\r\n\r\nhello";
	static const char multi[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "ETag: \"00000000000000000000000000000000-2\"\r\n\r\nhello";
	static const char upper[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "ETag: \"5D41402ABC4B2A76B9719D911017C592\"\r\n\r\nhello";
	static const char ssec[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "x-amz-server-side-encryption-customer-algorithm: AES256\r\n"
	    "ETag: \"00000000000000000000000000000000\"\r\n\r\nhello";
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "ETag: \"" HELLO_MD5 "\"\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n";

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(add(OK_HELLO), 0);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 1);
	CHECK_EQ(strcmp(s3.etag, "\"" HELLO_MD5 "\""), 0);
	CHECK_EQ(strcmp(s3.request_id, "REQ1"), 0);
	CHECK_EQ(strcmp(s3.host_id, "HOSTID1"), 0);
	/* corrupted data: an error, never success */
	add(bad);
	mock_port_set_chunk(0);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_INTEGRITY);
	CHECK_EQ(s3.etag_checked, 1);
	CHECK_EQ(s3.size, 0);
	/* multipart and SSE-C ETags are not MD5s; upper-case hex is */
	add(multi);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 0);
	add(ssec);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 0);
	add(upper);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 1);
	add(chunked);
	sk.len = 0;
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 1);
	CHECK_EQ(sk.len, 5);
	/* the check can be turned off */
	add(bad);
	s3.verify_md5 = 0;
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag_checked, 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
get_cut_transfer(void)
{
	static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello";
	static const char full[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld";

	/* without a restart callback: the error, after one attempt */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(cut);
	add(full);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_HTTP_TRUNCATED);
	CHECK_EQ(s3.attempts, 1);
	CHECK_EQ(s3.size, 0);
	CHECK_EQ(mock_port_connects(), 1);
	/* with it: restarted and retried on a fresh connection */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(cut);
	add(full);
	CHECK_EQ(get("bkt", "k", 1), 0);
	CHECK_EQ(sk.restarts, 1);
	CHECK_EQ(sk.len, 10);
	CHECK_EQ(memcmp(sk.data, "helloworld", 10), 0);
	CHECK_EQ(s3.retries, 1);
	CHECK_EQ(mock_port_sleeps(), 1);
	/* cut every time: the error after max_attempts */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(cut);
	add(cut);
	add(cut);
	add(full);
	CHECK_EQ(get("bkt", "k", 1), CPJ_ERR_HTTP_TRUNCATED);
	CHECK_EQ(s3.attempts, 3);
	CHECK_EQ(mock_port_connects(), 3);
	/* a reset in the middle of the body */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(full);
	mock_port_fault_at(0, strlen(full) - 3, CPJ_ERR_NET_RESET);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_NET_RESET);
	/* the sink's own error is returned and never retried */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(full);
	add(full);
	sk.fail = 1;
	CHECK_EQ(get("bkt", "k", 1), CPJ_ERR_IO);
	CHECK_EQ(s3.attempts, 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
get_retries(void)
{
	static const char e500[] = "HTTP/1.1 500 Internal Server Error\r\n" CLOSE
	    "Content-Length: 0\r\n\r\n";
	static const char expired[] = "HTTP/1.1 400 Bad Request\r\n" CLOSE
	    "Content-Length: 90\r\n\r\n"
	    "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>";

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(SLOWDOWN);
	add(SLOWDOWN);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.retries, 2);
	CHECK_EQ(s3.attempts, 3);
	CHECK_EQ(mock_port_sleeps(), 2);
	CHECK(mock_port_slept_ms() < 1000 + 2000);
	CHECK_EQ(sk.len, 5);
	/* gives up after max_attempts with the last error's details */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(e500);
	add(e500);
	add(SLOWDOWN);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_API_THROTTLED);
	CHECK_EQ(s3.attempts, 3);
	CHECK_EQ(mock_port_connects(), 3);
	CHECK_EQ(s3.http_status, 503);
	CHECK_EQ(strcmp(s3.error.code, "SlowDown"), 0);
	CHECK_EQ(strcmp(s3.error.message, "Please reduce your request rate."), 0);
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	s3.max_attempts = 1;
	add(e500);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_API_SERVER);
	CHECK_EQ(s3.error.code[0], '\0');
	/* connection failures before any answer are retried */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	mock_port_fail_connect(CPJ_ERR_NET_REFUSED);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.retries, 1);
	/* an expired token is not retried */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(expired);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_API_EXPIRED_TOKEN);
	CHECK_EQ(s3.attempts, 1);
	CHECK_EQ(strcmp(s3.error.code, "ExpiredToken"), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A slow answer is not clock skew: the Date of an answer that took 6
 * minutes to arrive (here one byte every 4 s) is compared with the device
 * clock when it came, not when the request left (which would learn 320 s
 * and sign later requests 5 minutes off). */
static int
slow_answer_is_not_skew(void)
{
	/* 80 bytes at 4 s each: the Date says when the last one came */
	static const char slow[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Date: Sun, 30 Aug 2015 12:41:20 GMT\r\n\r\nhello";

	CHECK_EQ(sizeof slow - 1, 80);
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	cpj_http_client_set_timeouts(&cli, 1000, 10000, 600000);
	mock_port_set_time_unix(1440938160);      /* 2015-08-30T12:36:00Z */
	CHECK_EQ(add(slow), 0);
	mock_port_trickle(0, 4000);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK(cpj_port_time_unix() >= 1440938160 + 316);
	CHECK(s3.skew > -5 && s3.skew < 5);
	return 0;
}

/* Nor is a slow body: the head (and its Date, stamped as the server sent
 * it) arrives at once, then 100 body bytes at 3 s each: the 300 s after
 * the Date are the download, not skew. */
static int
slow_body_is_not_skew(void)
{
	static char slow[512];
	int n, head;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	cpj_http_client_set_timeouts(&cli, 1000, 10000, 600000);
	mock_port_set_time_unix(1440938160);      /* 2015-08-30T12:36:00Z */
	head = snprintf(slow, sizeof slow, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	    "Date: Sun, 30 Aug 2015 12:36:00 GMT\r\n\r\n");
	memset(slow + head, 'b', 100);
	n = head + 100;
	CHECK_EQ(mock_port_add_conn(slow, (size_t)n), 0);
	mock_port_trickle_from(0, (size_t)head, 3000);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK(cpj_port_time_unix() >= 1440938160 + 297);
	CHECK_EQ(sk.len, 100);
	CHECK(s3.skew > -5 && s3.skew < 5);
	return 0;
}

static int
clock_skew(void)
{
	/* the mock's clock is 2015-08-30T12:36:00Z; the service says a day later */
	static const char skewed[] = "HTTP/1.1 403 Forbidden\r\n" CLOSE
	    "Date: Mon, 31 Aug 2015 12:36:00 GMT\r\nContent-Length: 141\r\n\r\n"
	    "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the "
	    "request time and the current time is too large.</Message></Error>";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Date: Mon, 31 Aug 2015 12:36:01 GMT\r\n\r\nhello";

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(skewed);
	add(ok);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.resigns, 1);
	CHECK_EQ(s3.retries, 0);
	CHECK(s3.skew >= 86400 - 2 && s3.skew <= 86400 + 2);
	CHECK(sent_has(0, "X-Amz-Date: 20150830T"));
	CHECK(sent_has(1, "X-Amz-Date: 20150831T"));
	CHECK_EQ(mock_port_sleeps(), 0);
	/* only once per call: a second skew answer is the error */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(skewed);
	add(skewed);
	add(ok);
	s3.skew = 0;
	mock_port_set_time_unix(1440938160 - 86400);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_API_CLOCK_SKEW);
	CHECK_EQ(s3.resigns, 1);
	CHECK_EQ(strcmp(s3.error.code, "RequestTimeTooSkewed"), 0);
	return 0;
}

static int
region_redirect(void)
{
	static const char wrong[] = "HTTP/1.1 400 Bad Request\r\n" CLOSE
	    "Content-Length: 194\r\n\r\n"
	    "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization "
	    "header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
	    "</Message><Region>eu-west-1</Region></Error>";
	static const char moved[] = "HTTP/1.1 301 Moved Permanently\r\n" CLOSE
	    "x-amz-bucket-region: ap-south-1\r\nContent-Length: 0\r\n\r\n";

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(wrong);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.redirects, 1);
	CHECK_EQ(strcmp(s3.region, "eu-west-1"), 0);
	CHECK(sent_has(0, "/us-east-1/s3/aws4_request"));
	CHECK(sent_has(1, "/eu-west-1/s3/aws4_request"));
	/* 301 with the header; the region stays for later calls */
	add(moved);
	add(OK_HELLO);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(strcmp(s3.region, "ap-south-1"), 0);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK(sent_has(3, "/ap-south-1/s3/aws4_request") || sent_has(4, "/ap-south-1/s3/aws4_request"));
	CHECK_EQ(s3.redirects, 2);
	/* a redirect without a region, or to the same region: the error */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add("HTTP/1.1 301 Moved Permanently\r\n" CLOSE "Content-Length: 0\r\n\r\n");
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_ERROR);
	add("HTTP/1.1 301 Moved Permanently\r\n" CLOSE
	    "x-amz-bucket-region: us-east-1\r\nContent-Length: 0\r\n\r\n");
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_ERROR);
	add("HTTP/1.1 301 Moved Permanently\r\n" CLOSE
	    "x-amz-bucket-region: EVIL/../x\r\nContent-Length: 0\r\n\r\n");
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_ERROR);
	CHECK_EQ(strcmp(s3.region, "us-east-1"), 0);
	CHECK_EQ(s3.redirects, 0);
	return 0;
}

static int
hosts_and_keep_alive(void)
{
	static const char two[] = OK_HELLO OK_HELLO;

	/* virtual-hosted over an override: its host and port, bucket Host */
	CHECK_EQ(setup("http://localhost:4566", CPJ_S3_VIRTUAL_HOSTED), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(mock_port_add_conn(two, strlen(two)), 0);
	CHECK_EQ(get("bkt-one", "a b", 0), 0);
	CHECK_EQ(get("bkt-two", "c", 0), 0);
	CHECK_EQ(strcmp(mock_port_host(0), "localhost"), 0);
	CHECK_EQ(mock_port_port(0), 4566);
	CHECK_EQ(mock_port_connects(), 1);      /* same origin: kept alive */
	CHECK(sent_has(0, "GET /a%20b HTTP/1.1\r\nHost: bkt-one.localhost:4566\r\n"));
	CHECK(sent_has(0, "GET /c HTTP/1.1\r\nHost: bkt-two.localhost:4566\r\n"));
	CHECK_EQ(cli.reuses, 1);
	/* a different origin closes the connection and opens a new one */
	CHECK_EQ(mock_port_add_conn(two, strlen(two)), 1);
	CHECK_EQ(cpj_s3_set_endpoint(&s3, "http://other.test:9000", 0), 0);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(mock_port_closes(), 1);
	CHECK_EQ(strcmp(mock_port_host(1), "other.test"), 0);
	CHECK(sent_has(1, "GET /bkt/k HTTP/1.1\r\nHost: other.test:9000\r\n"));
	/* and back on the same origin it is reused */
	CHECK_EQ(get("bkt", "k2", 0), 0);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(sent_count(1, "GET /bkt/"), 2);
	/* a client pointed elsewhere by its owner is re-pointed */
	CHECK_EQ(cpj_http_client_set_url(&cli, "http://elsewhere.test"), 0);
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(strcmp(mock_port_host(2), "other.test"), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* An answer cut after "200 OK" of a PUT (the object is stored, the answer
 * lost): a memory body is resent, since PUT is idempotent. */
static int
put_answer_cut_after_status(void)
{
	cpj_s3_put_options o;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
	add(PUT_OK);
	memset(&o, 0, sizeof o);
	o.body = "hello";
	o.body_len = 5;
	o.sse = "AES256";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK_EQ(s3.retries, 1);
	CHECK(sent_has(1, "\r\nContent-Length: 5\r\n\r\nhello"));
	/* a cut 503 answer is retried as well */
	add("HTTP/1.1 503 Slow Down\r\nContent-Length: 100\r\n\r\n<Error>");
	add(PUT_OK);
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	return 0;
}

static int
put_memory(void)
{
	static const char ok_kms[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "ETag: \"ffffffffffffffffffffffffffffffff\"\r\n"
	    "x-amz-server-side-encryption: aws:kms\r\n\r\n";
	cpj_s3_put_options o;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(ok_kms);
	memset(&o, 0, sizeof o);
	o.body = "hello";
	o.body_len = 5;
	o.sse = "aws:kms";
	o.kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/1234abcd";
	o.content_type = "application/zip";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "out/report.zip", &o), 0);
	CHECK(sent_has(0, "PUT /bkt/out/report.zip HTTP/1.1\r\nHost: s3.test:9000\r\n"));
	CHECK(sent_has(0, "\r\nContent-Type: application/zip\r\n"));
	CHECK(sent_has(0, "\r\nx-amz-server-side-encryption: aws:kms\r\n"));
	CHECK(sent_has(0, "\r\nx-amz-server-side-encryption-aws-kms-key-id: arn:aws:kms:us-east-1:123456789012:key/1234abcd\r\n"));
	CHECK(sent_has(0, "\r\nX-Amz-Content-SHA256: " HELLO_SHA "\r\n"));
	CHECK(sent_has(0, "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;"
	    "x-amz-security-token;x-amz-server-side-encryption;"
	    "x-amz-server-side-encryption-aws-kms-key-id, Signature="));
	CHECK(sent_has(0, "\r\nContent-Length: 5\r\n\r\nhello"));
	CHECK_EQ(strcmp(s3.etag, "\"ffffffffffffffffffffffffffffffff\""), 0);
	CHECK_EQ(strcmp(s3.sse, "aws:kms"), 0);
	CHECK_EQ(s3.etag_checked, 0);
	CHECK_EQ(s3.size, 5);
	/* without SSE-KMS the ETag is checked: a wrong one is an error */
	add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "ETag: \"ffffffffffffffffffffffffffffffff\"\r\n\r\n");
	o.sse = "AES256";
	o.kms_key_id = NULL;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_S3_INTEGRITY);
	add(PUT_OK);
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK_EQ(s3.etag_checked, 1);
	/* an empty object */
	add("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nETag: \"d41d8cd98f00b204e9800998ecf8427e\"\r\n\r\n");
	o.body = "";
	o.body_len = 0;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "empty", &o), 0);
	CHECK_EQ(s3.etag_checked, 1);
	CHECK(sent_has(3, "\r\nContent-Length: 0\r\n\r\n"));
	CHECK(sent_has(3, "X-Amz-Content-SHA256: " EMPTY_SHA));
	/* memory bodies are always retryable */
	add(SLOWDOWN);
	add(PUT_OK);
	o.body = "hello";
	o.body_len = 5;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK_EQ(s3.retries, 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
put_streamed(void)
{
	cpj_s3_put_options o;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(PUT_OK);
	src.p = "hello";
	src.len = 5;
	memset(&o, 0, sizeof o);
	o.read = src_read;
	o.length = 5;
	o.payload = CPJ_S3_PAYLOAD_UNSIGNED;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK(sent_has(0, "\r\nX-Amz-Content-SHA256: UNSIGNED-PAYLOAD\r\n"));
	CHECK(sent_has(0, "\r\nContent-Length: 5\r\n\r\nhello"));
	CHECK_EQ(s3.etag_checked, 1);
	CHECK_EQ(s3.size, 5);
	/* a pre-computed hash */
	add(PUT_OK);
	src.pos = 0;
	o.payload = CPJ_S3_PAYLOAD_SHA256;
	o.sha256_hex = HELLO_SHA;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK(sent_has(1, "\r\nX-Amz-Content-SHA256: " HELLO_SHA "\r\n"));
	/* a source that cannot be rewound is not retried */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(SLOWDOWN);
	add(PUT_OK);
	src.p = "hello";
	src.len = 5;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_API_THROTTLED);
	CHECK_EQ(s3.retries, 0);
	/* with a rewind it is */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(SLOWDOWN);
	add(PUT_OK);
	src.p = "hello";
	src.len = 5;
	o.rewind = src_rewind;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), 0);
	CHECK_EQ(src.rewinds, 1);
	CHECK_EQ(s3.retries, 1);
	CHECK(sent_has(1, "\r\nContent-Length: 5\r\n\r\nhello"));
	/* a source that ends early fails the request */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	add(PUT_OK);
	src.p = "hel";
	src.len = 3;
	o.rewind = NULL;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_HTTP_REQUEST);
	/* the service rejects the body's hash */
	add("HTTP/1.1 400 Bad Request\r\n" CLOSE "Content-Length: 65\r\n\r\n"
	    "<Error><Code>XAmzContentSHA256Mismatch</Code><Message/></Error>  ");
	src.p = "hellp";
	src.len = 5;
	src.pos = 0;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_S3_INTEGRITY);
	CHECK_EQ(s3.http_status, 400);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
put_params(void)
{
	cpj_s3_put_options o;
	static const char *const bad_sha[] = {
		NULL, "", HELLO_MD5,
		"2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98240",
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b982g",
	};
	size_t i;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	memset(&o, 0, sizeof o);
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.body = "x";
	o.body_len = 1;
	o.read = src_read;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.body = NULL;
	o.payload = 7;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.payload = CPJ_S3_PAYLOAD_SHA256;
	for (i = 0; i < CPJ_ARRAY_LEN(bad_sha); i++) {
		o.sha256_hex = bad_sha[i];
		CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	}
	o.payload = CPJ_S3_PAYLOAD_UNSIGNED;
	o.length = CPJ_S3_PUT_MAX + 1;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.length = 1;
	o.sse = "aws:kms:dsse";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.sse = "AES256";
	o.kms_key_id = "key";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.sse = "aws:kms";
	o.kms_key_id = "key with space";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.kms_key_id = "key\r\nX-Evil: 1";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	o.kms_key_id = "key";
	o.content_type = "text/plain\r\nX: y";
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &o), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", NULL), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_put_object(NULL, "bkt", "k", &o), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_s3_get_object(&s3, "bkt", "k", NULL), CPJ_ERR_PARAM);
	CHECK_EQ(get("b/x", "k", 0), CPJ_ERR_PARAM);
	CHECK_EQ(get("bkt", "", 0), CPJ_ERR_PARAM);
	CHECK_EQ(mock_port_connects(), 0);     /* nothing was sent */
	return 0;
}

static int
limits_and_hostile(void)
{
	static char key[CPJ_S3_KEY_MAX + 1];
	static char huge[100000];
	static char big[20000];
	cpj_s3_get_options o;
	size_t n;

	/* no credentials: nothing is sent */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	cpj_s3_clear(&s3);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(mock_port_connects(), 0);
	memset(&creds, 0, sizeof creds);
	memcpy(creds.akid, "bad id", 7);
	memcpy(creds.secret, SECRET, sizeof SECRET);
	CHECK_EQ(cpj_s3_set_credentials(&s3, &creds), CPJ_ERR_SIGV4_CREDS);
	CHECK_EQ(cpj_s3_set_credentials(&s3, NULL), CPJ_ERR_PARAM);
	/* the work buffer must hold the target and the head */
	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	memset(key, ' ', CPJ_S3_KEY_MAX);
	CHECK_EQ(get("bkt", key, 0), CPJ_ERR_NOSPACE);
	CHECK_EQ(mock_port_connects(), 0);
	/* max_size: refused from Content-Length, before any byte */
	add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhelloworld");
	memset(&o, 0, sizeof o);
	o.sink = sink;
	o.max_size = 9;
	CHECK_EQ(cpj_s3_get_object(&s3, "bkt", "k", &o), CPJ_ERR_HTTP_BODY_TOO_LARGE);
	CHECK_EQ(sk.calls, 0);
	/* and counted for a chunked body */
	add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");
	CHECK_EQ(cpj_s3_get_object(&s3, "bkt", "k", &o), CPJ_ERR_HTTP_BODY_TOO_LARGE);
	CHECK_EQ(sk.len, 5);
	/* a huge error body: the code is read, the rest is dropped */
	n = (size_t)sprintf(huge, "HTTP/1.1 403 Forbidden\r\nContent-Length: %u\r\n\r\n"
	    "<Error><Code>AccessDenied</Code><Message>no</Message>",
	    (unsigned)(sizeof huge - 200));
	memset(huge + n, ' ', sizeof huge - n);
	mock_port_add_conn(huge, sizeof huge);
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_ACCESS_DENIED);
	CHECK_EQ(strcmp(s3.error.code, "AccessDenied"), 0);
	CHECK(mock_port_recv_offset(4) < sizeof huge);
	/* garbage instead of XML: mapped by status */
	add("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n\x01\x02<<>>&&;");
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_NOT_FOUND);
	CHECK_EQ(s3.error.code[0], '\0');
	/* a GET answered with 206 or 204 is not the object */
	add("HTTP/1.1 204 No Content\r\n\r\n");
	CHECK_EQ(get("bkt", "k", 0), CPJ_ERR_S3_ERROR);
	/* a body longer than announced: the HTTP layer's error */
	add("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nhello");
	CHECK(get("bkt", "k", 0) < 0);
	/* an overlong ETag is not kept and not checked */
	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"");
	memset(big + n, 'a', 200);
	n += 200;
	n += (size_t)sprintf(big + n, "\"\r\n\r\nhello");
	add(big);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(s3.etag[0], '\0');
	CHECK_EQ(s3.etag_checked, 0);
	/* request_ms applies to the call only */
	s3.request_ms = 123456;
	add(OK_HELLO);
	CHECK_EQ(get("bkt", "k", 0), 0);
	CHECK_EQ(cli.request_ms, 5000);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
progress_reports(void)
{
	static char reply[20000];
	cpj_s3_get_options o;
	cpj_s3_put_options po;
	size_t n;

	CHECK_EQ(setup("http://s3.test:9000", 0), 0);
	n = (size_t)sprintf(reply, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n");
	memset(reply + n, 'z', 10000);
	mock_port_add_conn(reply, n + 10000);
	memset(&o, 0, sizeof o);
	o.sink = sink;
	o.progress = on_progress;
	o.progress_step = 4096;
	mock_port_set_chunk(512);
	CHECK_EQ(cpj_s3_get_object(&s3, "bkt", "k", &o), 0);
	/* at most once per step, and at the end */
	CHECK_EQ(pr.n, 3);
	CHECK(pr.done[0] >= 4096 && pr.done[0] < 4096 + 512);
	CHECK(pr.done[1] >= 8192 && pr.done[1] < 8192 + 512);
	CHECK_EQ(pr.done[2], 10000);
	mock_port_set_chunk(0);
	CHECK_EQ(pr.total[2], 10000);
	CHECK_EQ(s3.size, 10000);
	/* cancelled by the callback */
	memset(&pr, 0, sizeof pr);
	sk.len = 0;
	pr.cancel_at = 2;
	mock_port_add_conn(reply, n + 10000);
	CHECK_EQ(cpj_s3_get_object(&s3, "bkt", "k", &o), CPJ_ERR_CANCELLED);
	CHECK_EQ(s3.attempts, 2);
	/* uploads report too, and once at the end when exact */
	memset(&pr, 0, sizeof pr);
	add(PUT_OK);
	src.p = "hello";
	src.len = 5;
	memset(&po, 0, sizeof po);
	po.read = src_read;
	po.length = 5;
	po.progress = on_progress;
	po.progress_step = 5;
	CHECK_EQ(cpj_s3_put_object(&s3, "bkt", "k", &po), 0);
	CHECK_EQ(pr.n, 1);
	CHECK_EQ(pr.done[0], 5);
	CHECK_EQ(pr.total[0], 5);
	return 0;
}

int
main(void)
{
	RUN(captured_get_signatures);
	RUN(get_etag_checks);
	RUN(get_cut_transfer);
	RUN(get_retries);
	RUN(clock_skew);
	RUN(slow_answer_is_not_skew);
	RUN(slow_body_is_not_skew);
	RUN(region_redirect);
	RUN(hosts_and_keep_alive);
	RUN(put_memory);
	RUN(put_answer_cut_after_status);
	RUN(put_streamed);
	RUN(put_params);
	RUN(limits_and_hostile);
	RUN(progress_reports);
	cpj_s3_clear(&s3);
	cpj_http_client_close(&cli);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

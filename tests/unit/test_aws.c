/*
 * test_aws.c -- the AWS request core (src/aws/aws_call.c) over the mock
 * port, with hooks of its own: the signed headers it sends, which
 * failures it retries (and only when the service can replay), the one
 * re-sign after a clock-skew error, the redirect hook, and the limits.
 */
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

#define T0 1440938160   /* mock wall clock: 2015-08-30T12:36:00Z */
#define R200 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
#define R301 "HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n"
#define R503 "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"
/* a day ahead of the mock clock */
#define R403_SKEW "HTTP/1.1 403 Forbidden\r\n" \
	"Date: Mon, 31 Aug 2015 12:36:00 GMT\r\nContent-Length: 0\r\n\r\n"
/* two days ahead */
#define R403_SKEW2 "HTTP/1.1 403 Forbidden\r\n" \
	"Date: Tue, 01 Sep 2015 12:36:00 GMT\r\nContent-Length: 0\r\n\r\n"

static cpj_http_client http;
static cpj_sigv4_context sig;
static cpj_http_response resp;
static unsigned char work[4096];
static char auth[512];
static int64_t skew;
static uint32_t attempts, retries, resigns, redirects;

/* What the hooks do, set by each test. */
static struct {
	size_t nheaders;
	int replay_cut, replay_answer, skew_error, redirect_left;
	int prepared, answered, done, failed, redirect_calls;
} h;

static const cpj_sigv4_header extra[4] = {
	{ "Content-Type", "text/plain" },
	{ "X-Amz-Target", "Svc.Op" },
	{ "x-amz-meta-a", "1" },
	{ "x-amz-meta-b", "2" },
};

static int
prepare(void *ctx, cpj_aws_req *r)
{
	(void)ctx;
	h.prepared++;
	r->method = "POST";
	r->target = "/";
	r->headers = extra;
	r->nheaders = h.nheaders;
	r->payload = CPJ_SIGV4_PAYLOAD_BODY;
	r->body = "{}";
	r->body_len = 2;
	r->work = work;
	r->work_len = sizeof work;
	return 0;
}

static int
answered(void *ctx, int rc)
{
	(void)ctx;
	h.answered++;
	return rc;
}

static int
replayable(void *ctx, int answer)
{
	(void)ctx;
	return answer ? h.replay_answer : h.replay_cut;
}

static int
done(void *ctx)
{
	(void)ctx;
	h.done++;
	return 7;
}

static int
failed(void *ctx, int *skewed)
{
	(void)ctx;
	h.failed++;
	*skewed = h.skew_error;
	return cpj_aws_error_code("", 0, resp.status);
}

static int
redirect(void *ctx)
{
	(void)ctx;
	h.redirect_calls++;
	if (h.redirect_left == 0)
		return 0;
	h.redirect_left--;
	return 1;
}

static const cpj_aws_hooks hooks = {
	prepare, answered, replayable, done, failed, redirect
};
static const cpj_aws_hooks hooks_min = {
	prepare, NULL, replayable, NULL, failed, NULL
};

static int
run(const cpj_aws_hooks *hk, int with_redirects)
{
	cpj_aws_call c;

	memset(&c, 0, sizeof c);
	c.hooks = hk;
	c.label = "Op";
	c.http = &http;
	c.sig = &sig;
	c.auth = auth;
	c.auth_cap = sizeof auth;
	c.resp = &resp;
	c.skew = &skew;
	c.max_attempts = 3;
	c.backoff_cap_ms = 20000;
	c.attempts = &attempts;
	c.retries = &retries;
	c.resigns = &resigns;
	c.redirects = with_redirects ? &redirects : NULL;
	return cpj_aws_call_run(&c);
}

static void
setup(void)
{
	mock_port_reset();
	mock_port_set_time_unix(T0);
	cpj_http_client_init(&http, NULL);
	(void)cpj_http_client_set_url(&http, "http://svc.us-east-1.amazonaws.com");
	(void)cpj_sigv4_init(&sig, "us-east-1", "svc", 0);
	(void)cpj_sigv4_set_credentials(&sig, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok");
	memset(&h, 0, sizeof h);
	h.nheaders = 2;
	h.replay_cut = 1;
	h.replay_answer = 1;
	skew = 0;
	attempts = retries = resigns = redirects = 0;
}

/* Number of times `needle` occurs in the bytes sent on `conn`. */
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

/* The headers in their order: the service's, date, token, Authorization
 * (no payload hash unless asked); Host and the service's are signed. */
static int
signed_headers_sent(void)
{
	size_t len;
	const char *s;

	setup();
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(run(&hooks, 1), 7);
	CHECK_EQ(h.done, 1);
	CHECK_EQ(attempts, 1);
	s = (const char *)mock_port_sent(0, &len);
	CHECK(s != NULL);
	CHECK(strstr(s, "Host: svc.us-east-1.amazonaws.com\r\n"
	    "User-Agent: ") != NULL);
	CHECK(strstr(s, "Content-Type: text/plain\r\nX-Amz-Target: Svc.Op\r\n"
	    "X-Amz-Date: 20150830T123600Z\r\nX-Amz-Security-Token: tok\r\n"
	    "Authorization: AWS4-HMAC-SHA256 ") != NULL);
	CHECK(strstr(s, "SignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token;x-amz-target, ") != NULL);
	CHECK_EQ(sent_count(0, "X-Amz-Content-SHA256"), 0);
	/* the Authorization value is wiped after the exchange */
	CHECK_EQ(auth[0], '\0');
	/* a fourth service header is refused before anything is sent */
	setup();
	h.nheaders = 4;
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_PARAM);
	CHECK_EQ(mock_port_connects(), 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A cut answer is sent again only when the service can replay it. */
static int
transport_retry_needs_replay(void)
{
	setup();
	mock_port_fail_connect(CPJ_ERR_NET_REFUSED);
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_NET_REFUSED);
	CHECK_EQ(attempts, 3);
	CHECK_EQ(retries, 2);
	CHECK_EQ(h.answered, 3);

	setup();
	h.replay_cut = 0;
	mock_port_fail_connect(CPJ_ERR_NET_REFUSED);
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_NET_REFUSED);
	CHECK_EQ(attempts, 1);
	CHECK_EQ(retries, 0);
	CHECK_EQ(mock_port_sleeps(), 0);
	return 0;
}

/* 503: retried with backoff up to max_attempts; not when the service
 * says the request cannot be sent again. */
static int
server_error_retries(void)
{
	setup();
	CHECK_EQ(mock_port_add_conn(R503, strlen(R503)), 0);
	CHECK_EQ(mock_port_add_conn(R503, strlen(R503)), 1);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 2);
	CHECK_EQ(run(&hooks_min, 0), 0);
	CHECK_EQ(attempts, 3);
	CHECK_EQ(retries, 2);
	CHECK_EQ(h.failed, 2);
	CHECK_EQ(mock_port_sleeps(), 2);

	setup();
	h.replay_answer = 0;
	CHECK_EQ(mock_port_add_conn(R503, strlen(R503)), 0);
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_API_SERVER);
	CHECK_EQ(attempts, 1);
	CHECK_EQ(h.redirect_calls, 0);
	return 0;
}

/* A clock-skew error learns the Date's offset and re-signs once, not
 * counted as a retry; a second one (another offset) is the answer. */
static int
skew_resign_once(void)
{
	setup();
	h.skew_error = 1;
	CHECK_EQ(mock_port_add_conn(R403_SKEW, strlen(R403_SKEW)), 0);
	CHECK_EQ(mock_port_add_conn(R403_SKEW2, strlen(R403_SKEW2)), 1);
	CHECK_EQ(mock_port_add_conn(R403_SKEW2, strlen(R403_SKEW2)), 2);
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_API_ACCESS_DENIED);
	CHECK_EQ(attempts, 2);
	CHECK_EQ(resigns, 1);
	CHECK_EQ(retries, 0);
	CHECK_EQ(skew, 86400);
	CHECK_EQ(sent_count(0, "X-Amz-Date: 20150830T123600Z"), 1);
	CHECK_EQ(sent_count(1, "X-Amz-Date: 20150831T123600Z"), 1);
	/* the same answer without the skew flag is not re-signed */
	setup();
	CHECK_EQ(mock_port_add_conn(R403_SKEW, strlen(R403_SKEW)), 0);
	CHECK_EQ(run(&hooks, 1), CPJ_ERR_API_ACCESS_DENIED);
	CHECK_EQ(resigns, 0);
	CHECK_EQ(skew, 0);
	return 0;
}

/* The redirect hook sends again at once, without a retry or a sleep;
 * without a counter (CodePipeline) nothing is counted. */
static int
redirect_hook(void)
{
	setup();
	h.redirect_left = 1;
	CHECK_EQ(mock_port_add_conn(R301, strlen(R301)), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 1);
	CHECK_EQ(run(&hooks, 1), 7);
	CHECK_EQ(redirects, 1);
	CHECK_EQ(retries, 0);
	CHECK_EQ(attempts, 2);
	CHECK_EQ(mock_port_sleeps(), 0);

	setup();
	h.redirect_left = 1;
	CHECK_EQ(mock_port_add_conn(R301, strlen(R301)), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 1);
	CHECK_EQ(run(&hooks, 0), 7);
	CHECK_EQ(redirects, 0);
	CHECK_EQ(attempts, 2);
	return 0;
}

/* JSON error answers: the bare code, the message cut at a UTF-8
 * boundary, the x-amzn-ErrorType fallback; the skew rule. */
static int
json_error_answers(void)
{
	static char body[256];
	cpj_http_response r;
	char code[8], msg[8];
	int cut = 5, rc;

	cpj_http_response_init(&r);
	r.status = 400;
	strcpy(body, "{\"__type\":\"com.amazon#ThrottlingException\","
	    "\"message\":\"abcd\\u00e9\\u00e9\"}");
	rc = cpj_aws_json_error(body, strlen(body), 0, &r, code, sizeof code,
	    msg, sizeof msg, &cut);
	CHECK_EQ(rc, CPJ_ERR_API_THROTTLED);
	CHECK_EQ(strcmp(code, "Throttl"), 0);   /* cut to fit */
	/* "abcd" and two 2-byte characters: 7 bytes fit, not half of one */
	CHECK_EQ(strcmp(msg, "abcd\xc3\xa9"), 0);
	CHECK_EQ(cut, 1);
	/* no body to read: the header's code; no message, cut left alone */
	r.status = 500;
	strcpy(r.error_type, "Foo:http://internal.amazon.com/");
	r.present |= CPJ_HTTP_F_ERROR_TYPE;
	cut = 5;
	rc = cpj_aws_json_error(body, 0, 0, &r, code, sizeof code, msg,
	    sizeof msg, &cut);
	CHECK_EQ(rc, CPJ_ERR_API_SERVER);
	CHECK_EQ(strcmp(code, "Foo"), 0);
	CHECK_EQ(msg[0], '\0');
	CHECK_EQ(cut, 5);
	CHECK(cpj_aws_is_skew_error(CPJ_ERR_API_CLOCK_SKEW, "", ""));
	CHECK(cpj_aws_is_skew_error(CPJ_ERR_API_UNKNOWN,
	    "RequestTimeTooSkewed", ""));
	CHECK(cpj_aws_is_skew_error(CPJ_ERR_API_SIGNATURE, "",
	    "Signature expired: 20150830T123600Z is now earlier"));
	CHECK(!cpj_aws_is_skew_error(CPJ_ERR_API_SIGNATURE, "",
	    "The request signature we calculated does not match"));
	return 0;
}

/* HTTP dates, the skew threshold, the backoff's caps. */
static int
dates_skew_backoff(void)
{
	cpj_http_response r;
	int64_t t, sk = 0;
	uint64_t before;
	unsigned a;

	CHECK_EQ(cpj_http_date_parse("Sun, 30 Aug 2015 12:36:00 GMT", &t), 0);
	CHECK_EQ(t, T0);
	CHECK_EQ(cpj_http_date_parse("Sun, 30 Aug 2015 12:36:00 UTC", &t),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_date_parse("Sun, 30 Foo 2015 12:36:00 GMT", &t),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_date_parse("Sun, 30 Aug 2015 24:36:00 GMT", &t),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_date_parse("Sun, 30 Aug 1969 12:36:00 GMT", &t),
	    CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_date_parse("Sun, 30 Aug 2015 12:36:00 GM", &t),
	    CPJ_ERR_PARAM);
	/* the offset is adopted past the threshold only, measured when the
	 * Date arrived */
	cpj_http_response_init(&r);
	strcpy(r.date, "Sun, 30 Aug 2015 12:40:00 GMT");
	r.present |= CPJ_HTTP_F_DATE;
	CHECK_EQ(cpj_skew_learn(&r, T0, 240, &sk), 0);
	CHECK_EQ(sk, 0);
	CHECK_EQ(cpj_skew_learn(&r, T0 - 1, 240, &sk), 1);
	CHECK_EQ(sk, 241);
	r.date_at = T0;
	CHECK_EQ(cpj_skew_learn(&r, T0 - 1000, 0, &sk), 1);
	CHECK_EQ(sk, 240);
	r.present = 0;
	CHECK_EQ(cpj_skew_learn(&r, 0, 0, &sk), 0);
	/* full jitter below min(2^(attempt-1) s, cap) */
	mock_port_reset();
	for (a = 1; a <= 8; a++) {
		before = mock_port_slept_ms();
		cpj_retry_backoff(a, 5000);
		CHECK(mock_port_slept_ms() - before
		    < (a >= 4 ? 5000u : 1000u << (a - 1)));
	}
	CHECK_EQ(mock_port_sleeps(), 8);
	CHECK(cpj_retry_transport_retryable(CPJ_ERR_TIMEOUT));
	CHECK(cpj_retry_transport_retryable(CPJ_ERR_HTTP_TRUNCATED));
	CHECK(!cpj_retry_transport_retryable(CPJ_ERR_NET_URL));
	CHECK(!cpj_retry_transport_retryable(CPJ_ERR_PARAM));
	return 0;
}

int
main(void)
{
	RUN(signed_headers_sent);
	RUN(transport_retry_needs_replay);
	RUN(server_error_retries);
	RUN(skew_resign_once);
	RUN(redirect_hook);
	RUN(json_error_answers);
	RUN(dates_skew_backoff);
	return H_EXIT();
}

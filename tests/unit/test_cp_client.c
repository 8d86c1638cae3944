/*
 * test_cp_client.c -- the CodePipeline client over the mock port: request
 * bytes, signing, AWS error bodies, standard retries with backoff, the
 * clock-skew re-sign, local validation, and truncated answers.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

#define T0 1440938160   /* mock wall clock: 2015-08-30T12:36:00Z */

static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char work[16384];
static cpj_jobs_parser jp;
static char window[8192];
static cpj_json_tok toks[256];
static cpj_job jobs[4];
static char storage[16384];
static cpj_cp_jobs_buf jb = { &jp, window, sizeof window, toks, 256, jobs, 4,
	storage, sizeof storage };
static const cpj_cp_action_type at = { "Deploy", "Custom", "EdgeDeploy", "1" };
static const char job_id[] = "11111111-2222-3333-4444-555555555555";

static void
setup(void)
{
	mock_port_reset();
	cpj_http_client_init(&http, NULL);
	(void)cpj_http_client_set_url(&http,
	    "http://codepipeline.us-east-1.amazonaws.com");
	(void)cpj_creds_set(&creds, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok", 0);
	(void)cpj_cp_init(&cp, &http, "us-east-1", work, sizeof work);
	(void)cpj_cp_set_credentials(&cp, &creds);
}

/* The whole request bytes of connection `conn`, NUL-terminated copy. */
static const char *
sent(int conn)
{
	static char buf[8192];
	size_t n;
	const unsigned char *p = mock_port_sent(conn, &n);

	if (p == NULL || n >= sizeof buf)
		return "";
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/*
 * A response: status line and headers (each ending in CRLF), then
 * Content-Length computed from `body`. Eight rotating buffers, so a test
 * can script several connections.
 */
static const char *
reply(const char *head, const char *body, size_t *len)
{
	static char bufs[8][8192];
	static unsigned next;
	char *b = bufs[next++ % 8];
	cpj_buf w;

	cpj_buf_init(&w, b, sizeof bufs[0]);
	cpj_buf_puts(&w, head);
	cpj_buf_puts(&w, "Connection: close\r\nContent-Length: ");
	cpj_buf_put_u64(&w, strlen(body));
	cpj_buf_puts(&w, "\r\n\r\n");
	cpj_buf_puts(&w, body);
	*len = w.len;
	return cpj_buf_ok(&w) == 0 ? b : "";
}

/* Script one connection answering with `head` + `body`. */
static void
conn(const char *head, const char *body)
{
	size_t n;
	const char *r = reply(head, body, &n);

	mock_port_add_conn(r, n);
}

#define H200 "HTTP/1.1 200 OK\r\nx-amzn-RequestId: rid-1\r\n"
#define H400 "HTTP/1.1 400 Bad Request\r\n"

static const char poll_ok[] =
    "{\"jobs\":[{\"id\":\"11111111-2222-3333-4444-555555555555\","
    "\"nonce\":\"3\",\"accountId\":\"123456789012\"}]}";

static int
poll_request_and_job(void)
{
	const char *req;
	int n;

	setup();
	mock_port_set_chunk(7);
	conn(H200, poll_ok);
	n = cpj_cp_poll_for_jobs(&cp, &at, 2, "Fleet", "line-a", &jb);
	CHECK_EQ(n, 1);
	CHECK(jobs[0].err == 0);
	CHECK(strcmp(jobs[0].id.p, job_id) == 0);
	CHECK(strcmp(jobs[0].nonce.p, "3") == 0);
	req = sent(0);
	CHECK(strncmp(req, "POST / HTTP/1.1\r\n", 17) == 0);
	CHECK(strstr(req, "\r\nHost: codepipeline.us-east-1.amazonaws.com\r\n") != NULL);
	CHECK(strstr(req, "\r\nX-Amz-Target: CodePipeline_20150709.PollForJobs\r\n") != NULL);
	CHECK(strstr(req, "\r\nContent-Type: application/x-amz-json-1.1\r\n") != NULL);
	CHECK(strstr(req, "\r\nX-Amz-Date: 20150830T123600Z\r\n") != NULL);
	CHECK(strstr(req, "\r\nX-Amz-Security-Token: tok\r\n") != NULL);
	CHECK(strstr(req, "Credential=AKIDEXAMPLE/20150830/us-east-1/codepipeline/"
	    "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token;x-amz-target, Signature=") != NULL);
	CHECK(strstr(req, "\r\n\r\n{\"actionTypeId\":{\"category\":\"Deploy\","
	    "\"owner\":\"Custom\",\"provider\":\"EdgeDeploy\",\"version\":\"1\"},"
	    "\"maxBatchSize\":2,\"queryParam\":{\"Fleet\":\"line-a\"}}") != NULL);
	/* one request, one send: head and body written together */
	CHECK_EQ(mock_port_send_calls(0), 1);
	/* the secret never reaches the wire */
	CHECK(strstr(req, "wJalrXUtnFEMI") == NULL);
	return 0;
}

static const char err_nonce[] =
    "{\"__type\":\"com.amazonaws.codepipeline#InvalidNonceException\","
    "\"Message\":\"The nonce was specified in...\"}";

static int
error_body_namespaced(void)
{
	char status[16];

	setup();
	conn(H400 "x-amzn-RequestId: rid-42\r\n", err_nonce);
	CHECK_EQ(cpj_cp_acknowledge_job(&cp, job_id, "3", NULL, status,
	    sizeof status), CPJ_ERR_API_INVALID_NONCE);
	CHECK(strcmp(cp.code, "InvalidNonceException") == 0);
	CHECK(strcmp(cp.message, "The nonce was specified in...") == 0);
	CHECK(strcmp(cp.request_id, "rid-42") == 0);
	CHECK_EQ(cp.http_status, 400);
	CHECK_EQ(mock_port_connects(), 1);      /* not retried */
	return 0;
}


static int
error_type_header_fallback(void)
{
	setup();
	conn(H400 "x-amzn-ErrorType: JobNotFoundException:"
	    "http://internal.amazon.com/coral/com.amazonaws.codepipeline/\r\n",
	    "not json!");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_JOB_NOT_FOUND);
	CHECK(strcmp(cp.code, "JobNotFoundException") == 0);
	return 0;
}

static char big_err[7000];

/* big_err: n bytes, `head` then x's to the closing "} */
static void
big_body(const char *head, size_t n)
{
	size_t h = strlen(head);

	memcpy(big_err, head, h);
	memset(big_err + h, 'x', n - h - 2);
	memcpy(big_err + n - 2, "\"}", 3);
}

static int
error_body_oversized(void)
{
	size_t i;

	/* the body does not fit the buffer: its code and the start of its
	   message are read all the same, the message marked as cut */
	setup();
	big_body("{\"__type\":\"ValidationException\",\"message\":\"", 6000);
	conn(H400 "x-amzn-ErrorType: ThrottlingException\r\n", big_err);
	CHECK_EQ(cpj_cp_get_job_details(&cp, job_id, NULL, &jb),
	    CPJ_ERR_API_VALIDATION);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK(strcmp(cp.code, "ValidationException") == 0);
	CHECK_EQ(strlen(cp.message), CPJ_CP_MESSAGE_MAX);
	CHECK_EQ(strspn(cp.message, "x"), CPJ_CP_MESSAGE_MAX);
	CHECK_EQ(cp.message_cut, 1);
	/* the cut falls in a message shorter than the one kept, after an
	   escape whose half would be left: the whole characters before it */
	setup();
	big_body("{\"__type\":\"a#JobNotFoundException\",\"x\":\"", 3000);
	/* "Message" begins 200 bytes before the cut; 180 y's, then an
	   escaped pair that the cut splits after 7 of its 12 bytes */
	i = CPJ_CP_ERRBODY_MAX - 200;
	memcpy(big_err + i, "\",\"Message\":\"", 13);
	memset(big_err + i + 13, 'y', 180);
	memcpy(big_err + CPJ_CP_ERRBODY_MAX - 7, "\\ud83d\\ude00", 12);
	conn(H400, big_err);
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_JOB_NOT_FOUND);
	CHECK(strcmp(cp.code, "JobNotFoundException") == 0);
	CHECK_EQ(strlen(cp.message), 180);
	CHECK_EQ(cp.message_cut, 1);
	/* the code after the cut: the header's, with the message */
	setup();
	big_body("{\"message\":\"", 3000);
	memcpy(big_err + 2990, "\",\"__type\":\"", 12);
	conn(H400 "x-amzn-ErrorType: JobNotFoundException:http://x/\r\n",
	    big_err);
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_JOB_NOT_FOUND);
	CHECK(strcmp(cp.code, "JobNotFoundException") == 0);
	CHECK_EQ(strspn(cp.message, "x"), CPJ_CP_MESSAGE_MAX);
	CHECK_EQ(cp.message_cut, 1);
	/* not JSON: the header only */
	setup();
	memset(big_err, '<', 3000);
	big_err[3000] = '\0';
	conn(H400 "x-amzn-ErrorType: JobNotFoundException\r\n", big_err);
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_JOB_NOT_FOUND);
	CHECK_EQ(cp.message[0], '\0');
	return 0;
}

static const char throttled[] =
    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";

static int
throttling_retried_with_backoff(void)
{
	setup();
	conn(H400, throttled);
	conn(H400, throttled);
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ(mock_port_connects(), 3);
	CHECK_EQ(cp.attempts, 3);
	CHECK_EQ(cp.retries, 2);
	CHECK_EQ(mock_port_sleeps(), 2);
	/* full jitter: below 1 s, then below 2 s */
	CHECK(mock_port_slept_ms() < 3000);
	return 0;
}


static int
server_errors_give_up(void)
{
	setup();
	conn("HTTP/1.1 503 Service Unavailable\r\n", "");
	conn("HTTP/1.1 503 Service Unavailable\r\n", "");
	conn("HTTP/1.1 503 Service Unavailable\r\n", "");
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_SERVER);
	CHECK_EQ(mock_port_connects(), 3);
	CHECK_EQ(cp.http_status, 503);
	return 0;
}

static int
connection_refused_retried(void)
{
	setup();
	mock_port_fail_connect(CPJ_ERR_NET_REFUSED);
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ(cp.retries, 1);
	return 0;
}

/* The device clock is a day behind: the service's Date is 2015-08-31. */
#define HDATE H400 "Date: Mon, 31 Aug 2015 12:36:00 GMT\r\n"
static const char expired[] =
    "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature expired: "
    "20150830T123600Z is now earlier than 20150831T123100Z (20150831T123600Z "
    "- 5 min.)\"}";

static int
clock_skew_resign(void)
{
	setup();
	conn(HDATE, expired);
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ(cp.resigns, 1);
	CHECK_EQ(cp.retries, 0);
	CHECK_EQ(cp.skew, 86400);
	CHECK(strstr(sent(0), "X-Amz-Date: 20150830T123600Z") != NULL);
	CHECK(strstr(sent(1), "X-Amz-Date: 20150831T123600Z") != NULL);
	CHECK(strstr(sent(1), "Credential=AKIDEXAMPLE/20150831/") != NULL);
	/* a second skew error is not re-signed again: no loop */
	conn(HDATE, expired);
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL),
	    CPJ_ERR_API_SIGNATURE);
	return 0;
}

static int
validated_before_sending(void)
{
	cpj_cp_failure f = { "JobFailed", "", NULL };
	cpj_cp_success s;
	cpj_cp_kv ov = { "k", "v" };
	char status[16];

	setup();
	CHECK_EQ(cpj_cp_acknowledge_job(&cp, "JOB", "3", NULL, status,
	    sizeof status), CPJ_ERR_PARAM);
	CHECK(strstr(cp.message, "jobId") != NULL);
	CHECK_EQ(cpj_cp_put_job_failure(&cp, job_id, NULL, &f), CPJ_ERR_PARAM);
	CHECK(strstr(cp.message, "failureDetails.message") != NULL);
	cpj_cp_success_init(&s);
	s.continuation_token = "t";
	s.output_variables = &ov;
	s.output_variables_count = 1;
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, &s), CPJ_ERR_PARAM);
	CHECK(strstr(cp.message, "outputVariables") != NULL);
	cpj_cp_success_init(&s);
	s.percent_complete = 101;
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, &s), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_poll_for_jobs(&cp, &at, 0, NULL, NULL, &jb), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_cp_poll_for_jobs(&cp, &at, 1, "Fleet", "bad value", &jb),
	    CPJ_ERR_PARAM);
	CHECK(strstr(cp.message, "queryParam value") != NULL);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

static const char truncated_poll[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"
    "{\"jobs\":[{\"id\":\"11111111-2222-3333-4444-555555555555\",\"nonce\":\"3\"}";

static int
truncated_answer_is_an_error(void)
{
	int n;

	setup();
	mock_port_add_conn(truncated_poll, sizeof truncated_poll - 1);
	n = cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb);
	CHECK(n < 0);
	/* the status was 200: the poll is not repeated (jobs were dispatched) */
	CHECK_EQ(mock_port_connects(), 1);
	return 0;
}


static int
invalid_json_is_an_error(void)
{
	setup();
	conn(H200, "{\"jobs\":[}");
	CHECK(cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb) < 0);
	return 0;
}

static int
signing_key_cached_across_calls(void)
{
	setup();
	conn(H200, "{}");
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	/* the signing key was derived once for both requests */
	CHECK_EQ(cp.sig.derivations, 1);
	return 0;
}

/*
 * A PutJobSuccessResult larger than the work buffer is streamed: written
 * again for its hash and for each piece. Its bytes on the wire, head and
 * signature included, are those of the same call through a work buffer it
 * fits in, whatever the buffer's size; a send that fails part way is
 * sent again whole.
 */
#define BIG_VARS 20
static char big_vals[BIG_VARS][2900];
static char big_keys[BIG_VARS][16];
static unsigned char big_work[128 * 1024];
static unsigned char ref_req[MOCK_PORT_SENT_MAX];

static size_t
put_big(unsigned char *w, size_t wlen, int fail_first)
{
	cpj_cp_kv kv[BIG_VARS];
	cpj_cp_success s;
	int i, c = fail_first ? 1 : 0;
	size_t n;
	const unsigned char *p;

	setup();
	(void)cpj_cp_init(&cp, &http, "us-east-1", w, wlen);
	(void)cpj_cp_set_credentials(&cp, &creds);
	for (i = 0; i < BIG_VARS; i++) {
		kv[i].key = big_keys[i];
		kv[i].value = big_vals[i];
	}
	cpj_cp_success_init(&s);
	s.summary = "deployed \"line\" \xc3\xa9";
	s.output_variables = kv;
	s.output_variables_count = BIG_VARS;
	if (fail_first) {
		conn(H200, "{}");
		mock_port_send_fault_at(0, 30000, CPJ_ERR_NET_RESET);
	}
	conn(H200, "{}");
	if (cpj_cp_put_job_success(&cp, job_id, NULL, &s) != 0)
		return 0;
	p = mock_port_sent(c, &n);
	if (p == NULL || n != mock_port_sent_total(c))
		return 0;
	if (fail_first && mock_port_connects() != 2)
		return 0;
	return n;
}

static int
large_body_streamed(void)
{
	static const size_t sizes[] = { 2048, 3001, 16384, 40000 };
	const unsigned char *p;
	size_t ref, n, i, k;

	for (i = 0; i < BIG_VARS; i++) {
		(void)snprintf(big_keys[i], sizeof big_keys[i], "Var%u",
		    (unsigned)i);
		/* the first values plain (written whole where they fit), the
		 * others with escapes */
		for (k = 0; k + 1 < sizeof big_vals[i]; k++)
			big_vals[i][k] = (char)(i < 3 ? 'a' + (int)((k + i) % 26)
			    : k % 61 == 7 ? '"' : k % 89 == 3 ? '\n'
			    : 'a' + (int)((k + i) % 26));
		big_vals[i][k] = '\0';
	}
	ref = put_big(big_work, sizeof big_work, 0);
	CHECK(ref > 58000);
	p = mock_port_sent(0, &n);
	memcpy(ref_req, p, n);
	CHECK(strstr((const char *)ref_req, "\r\nContent-Length: ") != NULL);
	for (i = 0; i < CPJ_ARRAY_LEN(sizes); i++) {
		n = put_big(work, sizes[i] < sizeof work ? sizes[i] : sizeof work, 0);
		if (sizes[i] > sizeof work)
			n = put_big(big_work, sizes[i], 0);
		CHECK_EQ(n, ref);
		p = mock_port_sent(0, &n);
		CHECK(memcmp(p, ref_req, ref) == 0);
	}
	/* cut after 30,000 bytes: sent again, whole and the same */
	n = put_big(work, sizeof work, 1);
	CHECK_EQ(n, ref);
	p = mock_port_sent(1, &n);
	CHECK(memcmp(p, ref_req, ref) == 0);
	return 0;
}

int
main(void)
{
	RUN(poll_request_and_job);
	RUN(error_body_namespaced);
	RUN(error_type_header_fallback);
	RUN(error_body_oversized);
	RUN(throttling_retried_with_backoff);
	RUN(server_errors_give_up);
	RUN(connection_refused_retried);
	RUN(clock_skew_resign);
	RUN(validated_before_sending);
	RUN(truncated_answer_is_an_error);
	RUN(invalid_json_is_an_error);
	RUN(signing_key_cached_across_calls);
	RUN(large_body_streamed);
	cpj_creds_clear(&creds);
	return H_EXIT();
}

/*
 * test_faults_cp.c -- the fault matrix rows that the module tests do not
 * cover, over the mock port (instant and deterministic: its clock only
 * moves when the client waits):
 *
 * - a server that answers one byte every half second, with the default
 *   timeouts: the whole-request deadline (CPJ_TIMEOUT_MS, 30 s) ends the
 *   exchange, however steady the trickle; through the CodePipeline client
 *   the three attempts are bounded by 3 deadlines plus the backoff;
 * - a connection reset before the headers, after the headers and in the
 *   middle of the body of a PollForJobs answer; the same for GetJobDetails,
 *   which is asked again, with what the cut attempt had read wiped;
 * - a stalled server (accepts, never answers);
 * - a throttling storm: every attempt of 20 calls throttled, each call
 *   ends in CPJ_ERR_API_THROTTLED after 3 attempts with capped backoff;
 *   the next call succeeds;
 * - 500s on every attempt, then recovery;
 * - a device clock one day ahead (the service says "Signature not yet
 *   current"): learnt from Date, one re-sign;
 * - a body longer than its Content-Length: the job is parsed, the surplus
 *   is dropped with the connection;
 * - one-byte reads of a whole poll answer.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

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

static char bufs[16][4096];

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

/* Script connection with head + Content-Length + body (+ extra after). */
static int
conn_x(const char *head, const char *body, const char *extra, size_t *hlen)
{
	static unsigned next;
	char *b = bufs[next++ % 16];
	int n;

	n = snprintf(b, sizeof bufs[0], "%sContent-Length: %zu\r\n\r\n",
	    head, strlen(body));
	if (hlen != NULL)
		*hlen = (size_t)n;
	n += snprintf(b + n, sizeof bufs[0] - (size_t)n, "%s%s", body,
	    extra != NULL ? extra : "");
	return mock_port_add_conn(b, (size_t)n);
}

static int
conn(const char *head, const char *body)
{
	return conn_x(head, body, NULL, NULL);
}

#define H200 "HTTP/1.1 200 OK\r\nx-amzn-RequestId: rid-1\r\n"
#define H400 "HTTP/1.1 400 Bad Request\r\n"
#define H500 "HTTP/1.1 500 Internal Server Error\r\n"

static const char poll_ok[] =
    "{\"jobs\":[{\"id\":\"11111111-2222-3333-4444-555555555555\","
    "\"nonce\":\"3\",\"accountId\":\"123456789012\"}]}";
static const char throttled[] =
    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
static const char internal[] =
    "{\"__type\":\"InternalFailure\",\"message\":\"oops\"}";

static int
poll(void)
{
	return cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb);
}

/* one byte every 500 ms, default timeouts: stopped by the 30 s deadline */
static int
trickle_http_default_deadline(void)
{
	static char big[8192];
	static unsigned char w[2048];
	cpj_http_request r;
	cpj_http_response resp;
	uint32_t t0, el;
	int n;

	mock_port_reset();
	cpj_http_client_init(&http, NULL);
	CHECK_EQ(cpj_http_client_set_url(&http, "http://example.com"), 0);
	n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
	    4000);
	memset(big + n, 'b', 4000);
	CHECK_EQ(mock_port_add_conn(big, (size_t)n + 4000), 0);
	mock_port_trickle(0, 500);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.target = "/";
	cpj_http_response_init(&resp);
	t0 = cpj_port_time_ms();
	CHECK_EQ(cpj_http_client_exchange(&http, &r, &resp, w, sizeof w),
	    CPJ_ERR_TIMEOUT);
	el = cpj_port_time_ms() - t0;
	CHECK(el <= CPJ_TIMEOUT_MS);
	CHECK(el >= CPJ_TIMEOUT_MS - 500);
	/* about 60 bytes arrived: the trickle never extended the deadline */
	CHECK(mock_port_recv_offset(0) <= CPJ_TIMEOUT_MS / 500 + 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* the same through the CodePipeline client: every attempt trickles */
static int
trickle_poll_bounded(void)
{
	static char big[3][8192];
	uint32_t t0, el;
	int i, n;

	setup();
	for (i = 0; i < 3; i++) {
		n = snprintf(big[i], sizeof big[i], H200
		    "Content-Length: %d\r\n\r\n", 4000);
		memset(big[i] + n, ' ', 4000);
		CHECK_EQ(mock_port_add_conn(big[i], (size_t)n + 4000), i);
		mock_port_trickle(i, 500);
	}
	t0 = cpj_port_time_ms();
	n = poll();
	el = cpj_port_time_ms() - t0;
	fprintf(stderr, "trickle poll: %d (%s) after %u ms, %u connects\n",
	    n, cpj_strerror(n), el, mock_port_connects());
	CHECK_EQ(n, CPJ_ERR_TIMEOUT);
	/* the 200's head had come: jobs may have been dispatched, so the
	 * poll is not sent again; one deadline in all */
	CHECK_EQ(mock_port_connects(), 1);
	CHECK(el <= CPJ_TIMEOUT_MS);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* reset after `off` bytes of a poll answer; 0: before any byte */
static int
reset_at(size_t off_from_body, int before_headers, int *rc, unsigned *connects)
{
	size_t hlen;

	setup();
	conn_x(H200, poll_ok, NULL, &hlen);
	mock_port_fault_at(0, before_headers ? 0 : hlen + off_from_body,
	    CPJ_ERR_NET_RESET);
	conn(H200, poll_ok);
	*rc = poll();
	*connects = mock_port_connects();
	fprintf(stderr, "reset at %s+%zu: %d (%s), %u connects\n",
	    before_headers ? "0" : "head", off_from_body, *rc,
	    cpj_strerror(*rc), *connects);
	return 0;
}

static int
reset_before_headers_retried(void)
{
	int rc;
	unsigned c;

	reset_at(0, 1, &rc, &c);
	/* nothing of the answer arrived: the poll is sent again */
	CHECK_EQ(rc, 1);
	CHECK_EQ(c, 2);
	CHECK(strcmp(jobs[0].id.p, job_id) == 0);
	return 0;
}

static int
reset_after_headers_is_an_error(void)
{
	int rc;
	unsigned c;

	/* a 200 came: jobs may have been dispatched, the poll is not
	 * repeated (the job comes back after the dispatch timeout) */
	reset_at(0, 0, &rc, &c);
	CHECK(rc < 0);
	CHECK_EQ(c, 1);
	return 0;
}

static int
reset_mid_body_is_an_error(void)
{
	int rc;
	unsigned c;

	reset_at(20, 0, &rc, &c);
	CHECK(rc < 0);
	CHECK_EQ(c, 1);
	return 0;
}

/* GetJobDetails changes nothing: an answer reset after its headers, or in
 * its body, is asked for again (as botocore does); a 200 cut twice
 * ends in the error after the attempts. */
static int
details_reset_retried(void)
{
	static const char details_ok[] =
	    "{\"jobDetails\":{\"id\":\"11111111-2222-3333-4444-555555555555\","
	    "\"accountId\":\"123456789012\"}}";
	size_t hlen;
	int rc;

	setup();
	conn_x(H200, details_ok, NULL, &hlen);
	mock_port_fault_at(0, hlen, CPJ_ERR_NET_RESET);
	conn_x(H200, details_ok, NULL, &hlen);
	mock_port_fault_at(1, hlen + 10, CPJ_ERR_NET_RESET);
	conn(H200, details_ok);
	rc = cpj_cp_get_job_details(&cp, job_id, NULL, &jb);
	CHECK_EQ(rc, 1);
	CHECK_EQ(mock_port_connects(), 3);
	CHECK(strcmp(jobs[0].id.p, job_id) == 0);
	CHECK_EQ(cp.retries, 2);
	/* every attempt cut: the transport error, after max_attempts */
	setup();
	for (rc = 0; rc < 4; rc++) {
		conn_x(H200, details_ok, NULL, &hlen);
		mock_port_fault_at(rc, hlen + 5, CPJ_ERR_NET_RESET);
	}
	rc = cpj_cp_get_job_details(&cp, job_id, NULL, &jb);
	CHECK(rc < 0);
	CHECK_EQ(mock_port_connects(), cp.max_attempts);
	return 0;
}

/* A secret that an attempt cut after its job's object (strings stored)
 * or inside it (bytes in the window) had read is wiped before the next
 * attempt: a shorter answer would not overwrite it. */
static int
retry_wipes_cut_attempt(void)
{
	static const char secret_job[] =
	    "{\"jobDetails\":{\"id\":\"11111111-2222-3333-4444-555555555555\","
	    "\"data\":{\"artifactCredentials\":{\"accessKeyId\":\"AKIAEXAMPLE\","
	    "\"secretAccessKey\":\"SeCrEtSeCrEtSeCrEtSeCrEt\",\"sessionToken\":"
	    "\"ToKeNToKeNToKeN\"}},\"accountId\":\"123456789012\"}}";
	static const char short_job[] =
	    "{\"jobDetails\":{\"id\":\"11111111-2222-3333-4444-555555555555\"}}";
	size_t hlen, cut;
	int rc;

	for (cut = 1; cut <= 2; cut++) {    /* after, inside the job */
		setup();
		memset(storage, 0, sizeof storage);
		memset(window, 0, sizeof window);
		conn_x(H200, secret_job, NULL, &hlen);
		mock_port_fault_at(0, hlen + sizeof secret_job - 1 - cut,
		    CPJ_ERR_NET_RESET);
		conn(H200, short_job);
		rc = cpj_cp_get_job_details(&cp, job_id, NULL, &jb);
		CHECK_EQ(rc, 1);
		CHECK_EQ(mock_port_connects(), 2);
		CHECK(!h_contains(storage, sizeof storage, "SeCrEt"));
		CHECK(!h_contains(storage, sizeof storage, "ToKeN"));
		CHECK(!h_contains(window, sizeof window, "SeCrEt"));
		CHECK(!h_contains(window, sizeof window, "ToKeN"));
		cpj_job_wipe(&jobs[0]);
	}
	return 0;
}

static int
stalled_server_times_out(void)
{
	uint32_t t0, el;
	int n, i;

	setup();
	for (i = 0; i < 3; i++) {
		conn(H200, poll_ok);
		mock_port_stall_at(i, 0);
	}
	t0 = cpj_port_time_ms();
	n = poll();
	el = cpj_port_time_ms() - t0;
	fprintf(stderr, "stalled: %d (%s) after %u ms, %u connects\n", n,
	    cpj_strerror(n), el, mock_port_connects());
	CHECK_EQ(n, CPJ_ERR_TIMEOUT);
	CHECK(el <= 3 * CPJ_TIMEOUT_MS + 2 * 20000);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
throttling_storm(void)
{
	int call, i, n;
	uint64_t slept;

	setup();
	for (call = 0; call < 5; call++) {
		mock_port_reset();
		cpj_http_client_close(&http);
		for (i = 0; i < 3; i++)
			conn(H400, throttled);
		n = poll();
		CHECK_EQ(n, CPJ_ERR_API_THROTTLED);
		CHECK_EQ(mock_port_connects() + 0u, 3u);
		slept = mock_port_slept_ms();
		/* two backoffs, full jitter capped at 20 s */
		CHECK(mock_port_sleeps() <= 2);
		CHECK(slept <= 2 * 20000);
	}
	/* the storm passes: the next call goes through */
	mock_port_reset();
	cpj_http_client_close(&http);
	conn(H200, poll_ok);
	CHECK_EQ(poll(), 1);
	return 0;
}

static int
server_errors_then_recovery(void)
{
	int i;

	setup();
	for (i = 0; i < 3; i++)
		conn(H500, internal);
	CHECK(cpj_cp_put_job_success(&cp, job_id, NULL, NULL) < 0);
	CHECK_EQ(cp.http_status, 500);
	CHECK_EQ(mock_port_connects(), 3);
	/* two 500s then a 200: a success */
	mock_port_reset();
	cpj_http_client_close(&http);
	conn(H500, internal);
	conn(H500, internal);
	conn(H200, "{}");
	i = (int)cp.retries;
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ((int)cp.retries - i, 2);
	return 0;
}

/* The device clock is a day ahead: the service's Date is 2015-08-29. */
#define HDATE H400 "Date: Sat, 29 Aug 2015 12:36:00 GMT\r\n"
static const char not_yet[] =
    "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature not yet "
    "current: 20150830T123600Z is still later than 20150829T124100Z "
    "(20150829T123600Z + 5 min.)\"}";

static char sent_buf[8192];

static const char *
sent(int c)
{
	size_t n;
	const unsigned char *p = mock_port_sent(c, &n);

	if (p == NULL || n >= sizeof sent_buf)
		return "";
	memcpy(sent_buf, p, n);
	sent_buf[n] = '\0';
	return sent_buf;
}

static int
clock_day_ahead_resign(void)
{
	setup();
	conn(HDATE, not_yet);
	conn(H200, "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, NULL), 0);
	CHECK_EQ(cp.resigns, 1);
	CHECK_EQ(cp.skew, -86400);
	CHECK(strstr(sent(1), "X-Amz-Date: 20150829T123600Z") != NULL);
	return 0;
}

static int
body_longer_than_announced(void)
{
	setup();
	conn_x(H200, poll_ok, "{\"jobs\":[]}garbage", NULL);
	conn(H200, poll_ok);
	CHECK_EQ(poll(), 1);
	CHECK(strcmp(jobs[0].id.p, job_id) == 0);
	/* the surplus is never read as the next answer */
	CHECK_EQ(poll(), 1);
	CHECK_EQ(mock_port_connects(), 2);
	return 0;
}

static int
one_byte_reads(void)
{
	setup();
	mock_port_set_chunk(1);
	conn(H200, poll_ok);
	CHECK_EQ(poll(), 1);
	CHECK(strcmp(jobs[0].nonce.p, "3") == 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

int
main(void)
{
	RUN(trickle_http_default_deadline);
	RUN(trickle_poll_bounded);
	RUN(reset_before_headers_retried);
	RUN(reset_after_headers_is_an_error);
	RUN(reset_mid_body_is_an_error);
	RUN(details_reset_retried);
	RUN(retry_wipes_cut_attempt);
	RUN(stalled_server_times_out);
	RUN(throttling_storm);
	RUN(server_errors_then_recovery);
	RUN(clock_day_ahead_resign);
	RUN(body_longer_than_announced);
	RUN(one_byte_reads);
	cpj_http_client_close(&http);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

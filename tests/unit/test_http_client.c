/*
 * test_http_client.c -- the keep-alive client over the mock port:
 * connection reuse, reconnects, the one retry, timeouts, proxy tunnels.
 */
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

static cpj_http_client cli;
static unsigned char work[2048];

#define R200 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
#define R201 "HTTP/1.1 201 OK\r\nContent-Length: 2\r\n\r\nok"
#define TUNNEL_OK "HTTP/1.1 200 Connection established\r\n\r\n"

static int
setup(const char *url)
{
	mock_port_reset();
	cpj_http_client_init(&cli, NULL);
	cpj_http_client_set_timeouts(&cli, 1000, 2000, 5000);
	return cpj_http_client_set_url(&cli, url);
}

static int
get(const char *target, cpj_http_response *resp)
{
	cpj_http_request r;

	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.target = target;
	cpj_http_response_init(resp);
	return cpj_http_client_exchange(&cli, &r, resp, work, sizeof work);
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

static int
sent_starts(int conn, const char *prefix)
{
	size_t len;
	const unsigned char *s = mock_port_sent(conn, &len);

	return s != NULL && len >= strlen(prefix)
	    && memcmp(s, prefix, strlen(prefix)) == 0;
}

static int
keep_alive_reuse(void)
{
	cpj_http_response resp;

	CHECK_EQ(setup("http://example.com:8080"), 0);
	/* the server answers each request when it comes: one byte per
	 * recv keeps the second response unread until it is asked for */
	CHECK_EQ(mock_port_add_conn(R200 R201, strlen(R200 R201)), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(get("/one", &resp), 0);
	CHECK_EQ(resp.status, 200);
	CHECK_EQ(resp.keep_alive, 1);
	CHECK_EQ(get("/two", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK_EQ(cli.connects, 1);
	CHECK_EQ(cli.requests, 2);
	CHECK_EQ(cli.reuses, 1);
	CHECK_EQ(cli.retries, 0);
	CHECK(sent_starts(0, "GET /one HTTP/1.1\r\nHost: example.com:8080\r\n"));
	CHECK_EQ(sent_count(0, "GET /two HTTP/1.1\r\n"), 1);
	CHECK_EQ(strcmp(mock_port_host(0), "example.com"), 0);
	CHECK_EQ(mock_port_port(0), 8080);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
one_send_per_request(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	static const cpj_http_header h[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
	};

	CHECK_EQ(setup("http://127.0.0.1:4566"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	memset(&r, 0, sizeof r);
	r.method = "POST";
	r.target = "/";
	r.headers = h;
	r.nheaders = 2;
	r.body = "{\"actionTypeId\":{}}";
	r.body_len = strlen(r.body);
	cpj_http_response_init(&resp);
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, sizeof work), 0);
	CHECK_EQ(mock_port_send_calls(0), 1);
	CHECK(sent_starts(0, "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\n"));
	CHECK_EQ(sent_count(0, "\r\n\r\n{\"actionTypeId\":{}}"), 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
host_header_default_port(void)
{
	cpj_http_response resp;

	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(get("/", &resp), 0);
	CHECK(sent_starts(0, "GET / HTTP/1.1\r\nHost: example.com\r\n"));
	CHECK_EQ(mock_port_port(0), 80);

	CHECK_EQ(setup("http://[::1]:8080"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(get("/", &resp), 0);
	CHECK(sent_starts(0, "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n"));
	CHECK_EQ(strcmp(mock_port_host(0), "::1"), 0);

	/* https needs a TLS context */
	CHECK_EQ(setup("https://example.com"), CPJ_ERR_UNSUPPORTED);
	CHECK_EQ(get("/", &resp), CPJ_ERR_STATE);
	CHECK_EQ(setup("example.com"), CPJ_ERR_NET_URL);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

static int
reconnect_after_idle_close(void)
{
	cpj_http_response resp;

	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	mock_port_close_when_idle(0);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(resp.keep_alive, 1);
	/* idle longer than a fresh connection is trusted: the socket is
	   asked before the request */
	mock_port_advance_ms(CPJ_NET_FRESH_MS);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 2);
	/* nothing was sent on the dead connection: no retry needed */
	CHECK_EQ(sent_count(0, "GET /b"), 0);
	CHECK_EQ(sent_count(1, "GET /b"), 1);
	CHECK_EQ(cli.retries, 0);
	CHECK_EQ(cli.reuses, 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
fresh_closed_connection_retried(void)
{
	cpj_http_response resp;

	/* closed by the server right after its answer: within
	   CPJ_NET_FRESH_MS the socket is not asked, the request fails on
	   the dead connection and goes once more on a new one */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	mock_port_close_when_idle(0);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(sent_count(0, "GET /b"), 1);
	CHECK_EQ(sent_count(1, "GET /b"), 1);
	CHECK_EQ(cli.retries, 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
retry_once_on_dead_reused(void)
{
	cpj_http_response resp;

	/* the server closed right as the second request went out */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(sent_count(0, "GET /b"), 1);
	CHECK_EQ(sent_count(1, "GET /b"), 1);
	CHECK_EQ(cli.retries, 1);
	CHECK_EQ(cli.requests, 3);

	/* a reset instead of EOF: the same */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	mock_port_fault_at(0, strlen(R200), CPJ_ERR_NET_RESET);
	CHECK_EQ(get("/a", &resp), 0);
	/* the fault makes the idle check fail: reconnect, not retry */
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(mock_port_connects(), 2);

	/* only once: the fresh connection dies too */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(mock_port_add_conn("", 0), 1);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 2);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(get("/b", &resp), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(cli.retries, 1);
	/* the next request starts over on a new connection */
	CHECK_EQ(get("/c", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 3);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
src_read(void *ctx, unsigned char *b, size_t len)
{
	(void)ctx;
	memset(b, 'x', len);
	return (int)len;
}

/* A PUT of 100 bytes from `read` (and `rewind`) on the kept-alive
 * connection of a GET that conn 0 answered, conn 1 scripted `second`. */
static int
put_on_reused(cpj_http_body_source read, int (*rewind)(void *),
	const char *second, cpj_http_response *resp)
{
	cpj_http_request r;
	int rc;

	if ((rc = setup("http://example.com")) < 0
	    || (rc = mock_port_add_conn(R200, strlen(R200))) < 0
	    || (rc = mock_port_add_conn(second, strlen(second))) < 0
	    || (rc = get("/a", resp)) < 0)
		return rc;
	memset(&r, 0, sizeof r);
	r.method = "PUT";
	r.target = "/obj";
	r.body_read = read;
	r.body_rewind = rewind;
	r.content_length = 100;
	return cpj_http_client_exchange(&cli, &r, resp, work, sizeof work);
}

static int
no_retry_cases(void)
{
	cpj_http_response resp;
	static const char partial[] = R200 "HTTP/1.1 2";

	/* part of a response arrived: not retried */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(partial, strlen(partial)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	mock_port_set_chunk(1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(get("/b", &resp), CPJ_ERR_HTTP_TRUNCATED);
	CHECK_EQ(mock_port_connects(), 1);

	/* a streamed body that cannot start over is not sent twice */
	CHECK_EQ(put_on_reused(src_read, NULL, R201, &resp),
	    CPJ_ERR_NET_CLOSED);
	CHECK_EQ(mock_port_connects(), 1);

	/* a fresh connection that fails is not retried */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn("", 0), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	CHECK_EQ(get("/a", &resp), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

/* A source of "0123456789..." that can start over. */
static size_t rw_at;
static unsigned rw_rewinds;

static int
src_digits(void *ctx, unsigned char *b, size_t len)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)('0' + (rw_at + i) % 10);
	rw_at += len;
	return (int)len;
}

static int
src_digits_rewind(void *ctx)
{
	(void)ctx;
	rw_at = 0;
	rw_rewinds++;
	return 0;
}

static int
rewindable_source_retried(void)
{
	cpj_http_response resp;
	static const char body[] = "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789" "01234567890123456789";

	/* the kept-alive connection died as the request went out: a source
	 * that can start over is sent again whole, like a memory body */
	rw_at = 0;
	rw_rewinds = 0;
	CHECK_EQ(put_on_reused(src_digits, src_digits_rewind, R201, &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(cli.retries, 1);
	CHECK_EQ(rw_rewinds, 1);
	CHECK_EQ(sent_count(0, body), 1);
	CHECK_EQ(sent_count(1, body), 1);

	/* only once: the fresh connection dies too */
	rw_at = 0;
	rw_rewinds = 0;
	CHECK_EQ(put_on_reused(src_digits, src_digits_rewind, "", &resp),
	    CPJ_ERR_NET_CLOSED);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(rw_rewinds, 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
close_and_surplus(void)
{
	cpj_http_response resp;
	static const char closing[] =
	    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
	static const char longer[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 Evil\r\n"
	    "Content-Length: 0\r\n\r\n";

	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(closing, strlen(closing)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(resp.keep_alive, 0);
	CHECK_EQ(mock_port_closes(), 1);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(cli.retries, 0);

	/* a body longer than announced: the surplus never reaches the
	 * next request, which goes on a new connection */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(longer, strlen(longer)), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(resp.status, 200);
	CHECK_EQ(resp.keep_alive, 0);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(sent_count(0, "GET /b"), 0);

	/* a malformed response closes the connection */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
	    38), 0);
	CHECK_EQ(mock_port_add_conn(R201, strlen(R201)), 1);
	CHECK_EQ(get("/a", &resp), CPJ_ERR_HTTP_CONTENT_LENGTH);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
bad_request_no_connect(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	cpj_http_header h = { "X-A", "1\r\nX-Injected: 2" };

	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.target = "/";
	r.headers = &h;
	r.nheaders = 1;
	cpj_http_response_init(&resp);
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, sizeof work),
	    CPJ_ERR_HTTP_REQUEST);
	CHECK_EQ(mock_port_connects(), 0);
	/* the head does not fit the work buffer */
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, 8),
	    CPJ_ERR_HTTP_REQUEST);
	r.nheaders = 0;
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, 8),
	    CPJ_ERR_NOSPACE);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

static int
connect_failures(void)
{
	cpj_http_response resp;
	uint32_t t0;

	CHECK_EQ(setup("http://example.com"), 0);
	mock_port_fail_connect(CPJ_ERR_TIMEOUT);
	t0 = cpj_port_time_ms();
	CHECK_EQ(get("/", &resp), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_last_connect_timeout(), 1000);
	CHECK((uint32_t)(cpj_port_time_ms() - t0) <= 1000);
	CHECK_EQ(mock_port_connects(), 0);

	/* no scripted connection: refused */
	CHECK_EQ(get("/", &resp), CPJ_ERR_NET_REFUSED);
	mock_port_fail_connect(CPJ_ERR_NET_RESOLVE);
	CHECK_EQ(get("/", &resp), CPJ_ERR_NET_RESOLVE);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
idle_timeout(void)
{
	cpj_http_response resp;
	uint32_t t0, el;

	/* the server stalls after the headers */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	mock_port_stall_at(0, strlen(R200) - 2);
	t0 = cpj_port_time_ms();
	CHECK_EQ(get("/", &resp), CPJ_ERR_TIMEOUT);
	el = cpj_port_time_ms() - t0;
	CHECK(el >= 2000);	/* one idle period, */
	CHECK(el < 5000);	/* well before the request deadline */
	CHECK_EQ(mock_port_last_timeout(0), 2000);
	CHECK_EQ(cli.conn_open, 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
request_deadline_trickle(void)
{
	static char big[4096];
	cpj_http_response resp;
	uint32_t t0, el;
	int n;

	/* one byte every 10 ms, never idle long: only the whole-request
	 * deadline (5000 ms) stops it */
	n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
	    3000);
	memset(big + n, 'b', 3000);
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(big, (size_t)n + 3000), 0);
	mock_port_trickle(0, 10);
	t0 = cpj_port_time_ms();
	CHECK_EQ(get("/", &resp), CPJ_ERR_TIMEOUT);
	el = cpj_port_time_ms() - t0;
	CHECK(el <= 5000);
	CHECK(el >= 5000 - 10);
	CHECK(resp.body_bytes < 3000);
	CHECK_EQ(mock_port_misuse(), 0);

	/* the deadline covers the next request afresh */
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 1);
	CHECK_EQ(get("/", &resp), 0);
	return 0;
}

/* req->request_ms replaces the client's deadline for that exchange only. */
static int
request_deadline_per_call(void)
{
	static char big[4096];
	cpj_http_response resp;
	cpj_http_request r;
	uint32_t t0, el;
	int n;

	n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n",
	    700);
	memset(big + n, 'b', 700);
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.target = "/";
	/* shorter: 1500 ms ends a 10 ms/byte trickle the client would wait
	 * 5000 ms for */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(mock_port_add_conn(big, (size_t)n + 700), 0);
	mock_port_trickle(0, 10);
	r.request_ms = 1500;
	cpj_http_response_init(&resp);
	t0 = cpj_port_time_ms();
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, sizeof work),
	    CPJ_ERR_TIMEOUT);
	el = cpj_port_time_ms() - t0;
	CHECK(el <= 1500);
	CHECK(el >= 1500 - 10);
	/* longer: 9000 ms lets the same answer (about 7.5 s) finish */
	CHECK_EQ(mock_port_add_conn(big, (size_t)n + 700), 1);
	mock_port_trickle(1, 10);
	r.request_ms = 9000;
	cpj_http_response_init(&resp);
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, sizeof work),
	    0);
	CHECK_EQ(resp.body_bytes, 700);
	/* 0: the client's 5000 ms again */
	CHECK_EQ(mock_port_add_conn(big, (size_t)n + 700), 2);
	mock_port_trickle(2, 10);
	r.request_ms = 0;
	cpj_http_response_init(&resp);
	CHECK_EQ(cpj_http_client_exchange(&cli, &r, &resp, work, sizeof work),
	    CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
proxy_connect(void)
{
	cpj_http_response resp;
	static const char reply[] = TUNNEL_OK R200 R201;

	CHECK_EQ(setup("http://example.com:8080"), 0);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "http://proxy.corp:3128/",
	    "localhost,.internal"), 0);
	CHECK_EQ(mock_port_add_conn(reply, strlen(reply)), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(resp.status, 200);
	CHECK_EQ(get("/b", &resp), 0);
	CHECK_EQ(resp.status, 201);
	CHECK_EQ(mock_port_connects(), 1);
	CHECK_EQ(strcmp(mock_port_host(0), "proxy.corp"), 0);
	CHECK_EQ(mock_port_port(0), 3128);
	CHECK(sent_starts(0, "CONNECT example.com:8080 HTTP/1.1\r\n"
	    "Host: example.com:8080\r\nUser-Agent: " CPJ_USER_AGENT "\r\n\r\n"
	    "GET /a HTTP/1.1\r\nHost: example.com:8080\r\n"));
	CHECK_EQ(sent_count(0, "CONNECT"), 1);

	/* default port: CONNECT always names it, Host does not */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "proxy.corp", NULL), 0);
	CHECK_EQ(mock_port_add_conn(reply, strlen(reply)), 0);
	mock_port_set_chunk(1);
	CHECK_EQ(get("/a", &resp), 0);
	CHECK_EQ(mock_port_port(0), 80);
	CHECK(sent_starts(0, "CONNECT example.com:80 HTTP/1.1\r\n"
	    "Host: example.com:80\r\n"));
	CHECK_EQ(sent_count(0, "GET /a HTTP/1.1\r\nHost: example.com\r\n"), 1);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
proxy_refusals(void)
{
	static const struct {
		const char *reply;
		size_t chunk;
		int status;
	} cases[] = {
		{ "HTTP/1.1 407 Proxy Authentication Required\r\n"
		    "Proxy-Authenticate: Basic realm=\"x\"\r\n"
		    "Content-Length: 6\r\n\r\ndenied", 0, 407 },
		{ "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 0, 403 },
		{ "HTTP/1.0 502 Bad Gateway\r\n\r\n", 0, 502 },
		/* talks before the tunnel is used */
		{ TUNNEL_OK "HTTP/1.1 200 OK\r\n\r\n", 0, 200 },
		/* closes, or answers garbage */
		{ "", 0, 0 },
		{ "SSH-2.0-OpenSSH\r\n", 0, 0 },
	};
	cpj_http_response resp;
	size_t i;

	for (i = 0; i < CPJ_ARRAY_LEN(cases); i++) {
		CHECK_EQ(setup("http://example.com"), 0);
		CHECK_EQ(cpj_http_client_set_proxy(&cli, "proxy:3128", ""), 0);
		CHECK_EQ(mock_port_add_conn(cases[i].reply,
		    strlen(cases[i].reply)), 0);
		mock_port_set_chunk(cases[i].chunk);
		if (get("/", &resp) != CPJ_ERR_NET_PROXY) {
			fprintf(stderr, "proxy case %zu\n", i);
			return __LINE__;
		}
		CHECK_EQ(resp.status, cases[i].status);
		CHECK_EQ(cli.conn_open, 0);
		CHECK_EQ(sent_count(0, "GET"), 0);
	}
	/* the proxy stalls: the timeout passes through */
	CHECK_EQ(setup("http://example.com"), 0);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "proxy:3128", ""), 0);
	CHECK_EQ(mock_port_add_conn(TUNNEL_OK, strlen(TUNNEL_OK)), 0);
	mock_port_stall_at(0, 5);
	CHECK_EQ(get("/", &resp), CPJ_ERR_TIMEOUT);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
proxy_settings(void)
{
	cpj_http_response resp;

	/* NO_PROXY exempts the endpoint: direct connection */
	CHECK_EQ(setup("http://svc.internal:8080"), 0);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "http://proxy:3128",
	    "localhost, .INTERNAL"), 0);
	CHECK_EQ(mock_port_add_conn(R200, strlen(R200)), 0);
	CHECK_EQ(get("/", &resp), 0);
	CHECK_EQ(strcmp(mock_port_host(0), "svc.internal"), 0);
	CHECK(sent_starts(0, "GET / HTTP/1.1\r\n"));

	CHECK_EQ(cpj_http_client_set_proxy(&cli, "https://proxy:3128", NULL),
	    CPJ_ERR_UNSUPPORTED);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "http://u:p@proxy:3128", NULL),
	    CPJ_ERR_UNSUPPORTED);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "http://proxy:99999", NULL),
	    CPJ_ERR_NET_URL);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, NULL, NULL), 0);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "", "*"), 0);
	CHECK_EQ(cli.use_proxy, 0);

	/* set_url clears the proxy; set_proxy needs a URL */
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "proxy:1", NULL), 0);
	CHECK_EQ(cli.use_proxy, 1);
	CHECK_EQ(cpj_http_client_set_url(&cli, "http://example.com"), 0);
	CHECK_EQ(cli.use_proxy, 0);
	cpj_http_client_init(&cli, NULL);
	CHECK_EQ(cpj_http_client_set_proxy(&cli, "proxy:1", NULL),
	    CPJ_ERR_STATE);
	return 0;
}

int
main(void)
{
	RUN(keep_alive_reuse);
	RUN(one_send_per_request);
	RUN(host_header_default_port);
	RUN(reconnect_after_idle_close);
	RUN(fresh_closed_connection_retried);
	RUN(retry_once_on_dead_reused);
	RUN(no_retry_cases);
	RUN(rewindable_source_retried);
	RUN(close_and_surplus);
	RUN(bad_request_no_connect);
	RUN(connect_failures);
	RUN(idle_timeout);
	RUN(request_deadline_trickle);
	RUN(request_deadline_per_call);
	RUN(proxy_connect);
	RUN(proxy_refusals);
	RUN(proxy_settings);
	cpj_http_client_close(&cli);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

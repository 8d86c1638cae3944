/*
 * test_http_req.c -- the request writer and the send side of
 * cpj_http_roundtrip over the scripted transport.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_transport.h"

#define UA "User-Agent: " CPJ_USER_AGENT "\r\n"

static unsigned char buf[4096];
static mock_tr mt;
static cpj_http_parser parser;

static const char ok_reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void
req_init(cpj_http_request *r, const char *method, const char *target)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->target = target;
	r->host = "example.com";
}

/* Writes and compares with the expected bytes exactly. */
static int
written_is(const cpj_http_request *r, const char *want, int want_rc)
{
	size_t n;
	int rc = cpj_http_request_write(r, buf, sizeof buf, &n);

	CHECK_EQ(rc, want_rc);
	if (n != strlen(want) || memcmp(buf, want, n) != 0) {
		fprintf(stderr, "got [%.*s]\nwant [%s]\n", (int)n, buf, want);
		return __LINE__;
	}
	return 0;
}

static int
write_get(void)
{
	cpj_http_request r;

	req_init(&r, "GET", "/path/a%20b?x=1&y=2");
	return written_is(&r, "GET /path/a%20b?x=1&y=2 HTTP/1.1\r\n"
	    "Host: example.com\r\n" UA "\r\n", 1);
}

static int
write_head_delete_no_length(void)
{
	cpj_http_request r;
	int rc;

	req_init(&r, "HEAD", "/k");
	rc = written_is(&r, "HEAD /k HTTP/1.1\r\nHost: example.com\r\n" UA
	    "\r\n", 1);
	if (rc != 0)
		return rc;
	req_init(&r, "DELETE", "/k");
	return written_is(&r, "DELETE /k HTTP/1.1\r\nHost: example.com\r\n" UA
	    "\r\n", 1);
}

static int
write_post_body_and_headers(void)
{
	cpj_http_request r;
	static const cpj_http_header h[] = {
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
		{ "X-Amz-Date", "20150830T123600Z" },
		{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20150830/"
		    "us-east-1/codepipeline/aws4_request, SignedHeaders=host, "
		    "Signature=abc" },
	};

	req_init(&r, "POST", "/");
	r.headers = h;
	r.nheaders = CPJ_ARRAY_LEN(h);
	r.body = "{\"a\":1}";
	r.body_len = 7;
	return written_is(&r, "POST / HTTP/1.1\r\nHost: example.com\r\n" UA
	    "Content-Type: application/x-amz-json-1.1\r\n"
	    "X-Amz-Target: CodePipeline_20150709.PollForJobs\r\n"
	    "X-Amz-Date: 20150830T123600Z\r\n"
	    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/"
	    "us-east-1/codepipeline/aws4_request, SignedHeaders=host, "
	    "Signature=abc\r\n"
	    "Content-Length: 7\r\n\r\n{\"a\":1}", 1);
}

static int
write_post_empty(void)
{
	cpj_http_request r;

	req_init(&r, "PUT", "/obj");
	return written_is(&r, "PUT /obj HTTP/1.1\r\nHost: example.com\r\n" UA
	    "Content-Length: 0\r\n\r\n", 1);
}

static int
write_caller_overrides(void)
{
	cpj_http_request r;
	static const cpj_http_header h[] = {
		{ "host", "other.example:8443" },
		{ "USER-AGENT", "me/1" },
		{ "content-length", "3" },
	};

	req_init(&r, "POST", "/");
	r.headers = h;
	r.nheaders = 3;
	r.body = "abc";
	r.body_len = 3;
	return written_is(&r, "POST / HTTP/1.1\r\nhost: other.example:8443\r\n"
	    "USER-AGENT: me/1\r\ncontent-length: 3\r\n\r\nabc", 1);
}

static int
write_rejects(void)
{
	static const struct {
		const char *method, *target, *host, *name, *value;
	} bad[] = {
		{ "G ET", "/", "h", NULL, NULL },
		{ "", "/", "h", NULL, NULL },
		{ "GET\r\n", "/", "h", NULL, NULL },
		{ "GET", "/a b", "h", NULL, NULL },
		{ "GET", "/a\r\nX: y", "h", NULL, NULL },
		{ "GET", "", "h", NULL, NULL },
		{ "GET", "/\x7f", "h", NULL, NULL },
		{ "GET", "/\xc3\xa9", "h", NULL, NULL },
		{ "GET", "/", "h\r\nX: 1", NULL, NULL },
		{ "GET", "/", "", NULL, NULL },
		{ "GET", "/", "h", "X-A", "a\r\nInjected: 1" },
		{ "GET", "/", "h", "X-A", "a\rb" },
		{ "GET", "/", "h", "X-A", "a\nb" },
		{ "GET", "/", "h", "X-A", "a\x01" },
		{ "GET", "/", "h", "X-A", "a\x7f" },
		{ "GET", "/", "h", "X A", "v" },
		{ "GET", "/", "h", "X:A", "v" },
		{ "GET", "/", "h", "X\r\nA", "v" },
		{ "GET", "/", "h", "", "v" },
		{ "GET", "/", "h", "Transfer-Encoding", "chunked" },
		{ "GET", "/", "h", "Content-Length", "1" },
		{ "GET", "/", "h", "Content-Length", "x" },
	};
	cpj_http_request r;
	cpj_http_header h;
	size_t i, n;

	for (i = 0; i < CPJ_ARRAY_LEN(bad); i++) {
		req_init(&r, bad[i].method, bad[i].target);
		r.host = bad[i].host;
		if (bad[i].name != NULL) {
			h.name = bad[i].name;
			h.value = bad[i].value;
			r.headers = &h;
			r.nheaders = 1;
		}
		n = 99;
		if (cpj_http_request_write(&r, buf, sizeof buf, &n)
		    != CPJ_ERR_HTTP_REQUEST || n != 0) {
			fprintf(stderr, "case %zu accepted\n", i);
			return __LINE__;
		}
		/* refused before the room is looked at: the same when the
		 * head does not fit */
		n = 99;
		if (cpj_http_request_write(&r, buf, 10, &n)
		    != CPJ_ERR_HTTP_REQUEST || n != 0) {
			fprintf(stderr, "case %zu: not refused in 10 bytes\n",
			    i);
			return __LINE__;
		}
	}
	/* a NULL value, a NULL host */
	req_init(&r, "GET", "/");
	h.name = "X";
	h.value = NULL;
	r.headers = &h;
	r.nheaders = 1;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n),
	    CPJ_ERR_HTTP_REQUEST);
	req_init(&r, "GET", "/");
	r.host = NULL;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n),
	    CPJ_ERR_HTTP_REQUEST);
	/* tabs and obs-text are fine in values */
	req_init(&r, "GET", "/");
	h.value = "a\tb \xc3\xa9";
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), 1);
	return 0;
}

static int
body_source_shorter(void *ctx, unsigned char *b, size_t len);

static int
write_params(void)
{
	cpj_http_request r;
	size_t n;

	req_init(&r, "POST", "/");
	r.body = "x";
	r.body_len = 1;
	r.body_read = body_source_shorter;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), CPJ_ERR_PARAM);
	req_init(&r, "POST", "/");
	r.body_len = 1;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), CPJ_ERR_PARAM);
	req_init(&r, "POST", "/");
	r.nheaders = 1;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_http_request_write(NULL, buf, sizeof buf, &n),
	    CPJ_ERR_PARAM);
	return 0;
}

/* The head must fit, with one spare byte; a body that does not fit is
 * left for a second send. */
static int
write_sizes(void)
{
	cpj_http_request r;
	size_t n, head;

	req_init(&r, "GET", "/");
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &head), 1);
	CHECK_EQ(cpj_http_request_write(&r, buf, head + 1, &n), 1);
	CHECK_EQ(n, head);
	CHECK_EQ(cpj_http_request_write(&r, buf, head, &n), CPJ_ERR_NOSPACE);
	CHECK_EQ(cpj_http_request_write(&r, buf, 10, &n), CPJ_ERR_NOSPACE);
	/* with header fields: every size short of head + 1 is too small,
	 * whichever line it ends in, and nothing is written past it */
	{
		static const cpj_http_header h[2] = {
			{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
			{ "Content-Type", "application/x-amz-json-1.1" },
		};
		size_t k;

		r.headers = h;
		r.nheaders = 2;
		CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &head), 1);
		for (k = 0; k <= head; k++) {
			memset(buf, 0xA5, sizeof buf);
			CHECK_EQ(cpj_http_request_write(&r, buf, k, &n),
			    CPJ_ERR_NOSPACE);
			CHECK_EQ(buf[k], 0xA5);         /* nothing past k */
		}
		CHECK_EQ(cpj_http_request_write(&r, buf, head + 1, &n), 1);
		CHECK_EQ(n, head);
		CHECK(memcmp(buf + head - 4 - 26, "application/x-amz-json-1.1"
		    "\r\n\r\n", 30) == 0);
	}

	req_init(&r, "POST", "/");
	r.body = "0123456789";
	r.body_len = 10;
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), 1);
	head = n - 10;
	/* exactly fits: the body needs no NUL */
	CHECK_EQ(cpj_http_request_write(&r, buf, head + 10, &n), 1);
	CHECK_EQ(n, head + 10);
	CHECK_EQ(cpj_http_request_write(&r, buf, head + 9, &n), 0);
	CHECK_EQ(n, head);
	return 0;
}

/* ---- roundtrip: the send side ------------------------------------- */

static int
rt(const cpj_http_request *r, cpj_http_response *resp, size_t work_len)
{
	cpj_transport tr;

	mock_tr_transport(&mt, &tr);
	cpj_http_response_init(resp);
	return cpj_http_roundtrip(&tr, r, &parser, resp, buf, work_len);
}

static int
one_send_per_request(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	size_t n;

	req_init(&r, "POST", "/");
	r.body = "{\"maxBatchSize\":1}";
	r.body_len = strlen(r.body);
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, sizeof buf), 0);
	CHECK_EQ(resp.status, 200);
	CHECK_EQ(mt.send_calls, 1);
	/* what was sent is exactly what the writer produces */
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), 1);
	CHECK_EQ(mt.sent_len, n);
	CHECK(memcmp(mt.sent, buf, n) == 0);
	CHECK_EQ(mt.send_sizes[0], n);
	return 0;
}

static int
memory_body_too_large(void)
{
	static unsigned char big[20000];
	cpj_http_request r;
	cpj_http_response resp;
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7);
	req_init(&r, "PUT", "/big");
	r.body = big;
	r.body_len = sizeof big;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, 512), 0);
	/* the head, then the body from the caller's memory in one call */
	CHECK_EQ(mt.send_calls, 2);
	CHECK_EQ(mt.send_sizes[1], sizeof big);
	CHECK_EQ(mt.sent_len, mt.send_sizes[0] + sizeof big);
	CHECK(memcmp(mt.sent + mt.send_sizes[0], big, sizeof big) == 0);
	return 0;
}

struct src {
	size_t total, pos, max_piece;
	unsigned calls;
	int fail_at_call;
};

static int
body_source(void *ctx, unsigned char *b, size_t len)
{
	struct src *s = ctx;
	size_t n = len, i;

	s->calls++;
	if (s->fail_at_call != 0 && (int)s->calls == s->fail_at_call)
		return CPJ_ERR_IO;
	if (n > s->total - s->pos)
		n = s->total - s->pos;
	if (s->max_piece != 0 && n > s->max_piece)
		n = s->max_piece;
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)('a' + (s->pos + i) % 26);
	s->pos += n;
	return (int)n;
}

static int
body_source_shorter(void *ctx, unsigned char *b, size_t len)
{
	return body_source(ctx, b, len);
}

static int
streamed_body(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	struct src s;
	size_t head, i, total = 10000, work = 1024;

	memset(&s, 0, sizeof s);
	s.total = total;
	s.max_piece = 300;	/* the source gives less than asked */
	req_init(&r, "PUT", "/obj");
	r.body_read = body_source;
	r.body_ctx = &s;
	r.content_length = total;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, work), 0);
	CHECK_EQ(resp.status, 200);
	head = mt.sent_len - total;
	CHECK(memcmp(mt.sent, "PUT /obj HTTP/1.1\r\n", 19) == 0);
	CHECK(head > 27 && memcmp(mt.sent + head - 27,
	    "\r\nContent-Length: 10000\r\n\r\n", 27) == 0);
	for (i = 0; i < total; i++)
		CHECK_EQ(mt.sent[head + i], 'a' + i % 26);
	/* full pieces of the work buffer, the first with the head */
	CHECK_EQ(mt.send_calls, (head + total + work - 1) / work);
	for (i = 0; i + 1 < mt.send_calls; i++)
		CHECK_EQ(mt.send_sizes[i], work);
	return 0;
}

static int
streamed_body_errors(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	struct src s;

	/* the source ends early: the request is broken */
	memset(&s, 0, sizeof s);
	s.total = 100;
	req_init(&r, "PUT", "/obj");
	r.body_read = body_source_shorter;
	r.body_ctx = &s;
	r.content_length = 101;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, 1024), CPJ_ERR_HTTP_REQUEST);
	CHECK_EQ(mt.recv_calls, 0);

	/* a source error passes through */
	memset(&s, 0, sizeof s);
	s.total = 5000;
	s.fail_at_call = 3;
	r.body_read = body_source;
	r.content_length = 5000;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, 1024), CPJ_ERR_IO);

	/* empty streamed body: the head alone, one send */
	memset(&s, 0, sizeof s);
	r.content_length = 0;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, 1024), 0);
	CHECK_EQ(s.calls, 0);
	CHECK_EQ(mt.send_calls, 1);
	return 0;
}

static int
bad_request_sends_nothing(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	cpj_http_header h = { "X-Bad", "a\r\nb" };

	req_init(&r, "GET", "/");
	r.headers = &h;
	r.nheaders = 1;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_HTTP_REQUEST);
	CHECK_EQ(mt.send_calls, 0);
	CHECK_EQ(mt.recv_calls, 0);
	CHECK_EQ(parser.in_bytes, 0);
	return 0;
}

static int
short_writes_and_zero_reads(void)
{
	cpj_http_request r;
	cpj_http_response resp;
	size_t n;

	req_init(&r, "POST", "/");
	r.body = "hello";
	r.body_len = 5;
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	mock_tr_set_send_max(&mt, 3);
	mock_tr_zero_recvs(&mt, 10);
	CHECK_EQ(rt(&r, &resp, sizeof buf), 0);
	CHECK_EQ(cpj_http_request_write(&r, buf, sizeof buf, &n), 1);
	CHECK_EQ(mt.sent_len, n);
	CHECK(memcmp(mt.sent, buf, n) == 0);
	CHECK_EQ(resp.status, 200);

	/* a transport that never moves anything: bounded, then timeout */
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	mock_tr_zero_recvs(&mt, 1000);
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_TIMEOUT);
	CHECK(mt.recv_calls < 100);
	return 0;
}

static int
transport_errors(void)
{
	cpj_http_request r;
	cpj_http_response resp;

	req_init(&r, "GET", "/");
	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	mock_tr_fault_send(&mt, 10, CPJ_ERR_NET_RESET);
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_NET_RESET);
	CHECK_EQ(mt.recv_calls, 0);

	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	mock_tr_fault_recv(&mt, 5, CPJ_ERR_NET_RESET);
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_NET_RESET);
	CHECK_EQ(parser.in_bytes, 5);

	mock_tr_init(&mt, ok_reply, strlen(ok_reply));
	mock_tr_fault_recv(&mt, 0, CPJ_ERR_TIMEOUT);
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_TIMEOUT);

	/* a reply of 0 bytes: closed before any response byte */
	mock_tr_init(&mt, NULL, 0);
	CHECK_EQ(rt(&r, &resp, sizeof buf), CPJ_ERR_NET_CLOSED);
	CHECK_EQ(resp.keep_alive, 0);

	/* argument checks */
	CHECK_EQ(cpj_http_roundtrip(NULL, &r, &parser, &resp, buf, 1),
	    CPJ_ERR_PARAM);
	return 0;
}

/*
 * The byte classes (http_chars.c) against their definitions, for every
 * byte value at every place of a run longer than two words, so that the
 * word-at-a-time path and the byte tail both meet it.
 */
static int
byte_classes(void)
{
	static const char tchars[] = "!#$%&'*+-.^_`|~";
	char s[21];
	unsigned c;
	size_t at, stop;

	for (c = 0; c < 256; c++) {
		int field = c == '\t' || (c >= 0x20 && c != 0x7f);
		int token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
		    || (c >= 'A' && c <= 'Z')
		    || (c != 0 && strchr(tchars, (int)c) != NULL);

		for (at = 0; at < sizeof s; at++) {
			memset(s, 'a', sizeof s);
			s[at] = (char)c;
			CHECK_EQ(cpj_http_field_span(s, sizeof s),
			    field ? sizeof s : at);
			CHECK_EQ(cpj_http_token_span(s, sizeof s),
			    token ? sizeof s : at);
			/* the bound is kept: nothing read at or past n */
			CHECK_EQ(cpj_http_field_span(s, at), at);
			/* then a ':' further on: the name ends at the first
			 * byte that is not a tchar, whatever came before */
			for (stop = at + 1; stop < sizeof s; stop++) {
				memset(s, 'a', sizeof s);
				s[at] = (char)c;
				s[stop] = ':';
				CHECK_EQ(cpj_http_token_span(s, sizeof s),
				    token ? stop : at);
			}
		}
	}
	CHECK_EQ(cpj_http_field_span("\t \x7e\x80\xff", 5), 5);
	/* field bytes that the word test flags too (HTAB, 0x80..0x9f,
	 * 0xff), several to a word, then a control byte or DEL at `at` */
	for (at = 0; at < sizeof s; at++) {
		size_t k;

		for (k = 0; k < sizeof s; k++)
			s[k] = "\t\x80\x9f\xff\x85"[k % 5];
		s[at] = (char)(at % 2 ? 0x7f : 0x1f);
		CHECK_EQ(cpj_http_field_span(s, sizeof s), at);
		s[at] = '\xff';
		CHECK_EQ(cpj_http_field_span(s, sizeof s), sizeof s);
	}
	CHECK_EQ(cpj_http_field_span("", 0), 0);
	return 0;
}

int
main(void)
{
	RUN(byte_classes);
	RUN(write_get);
	RUN(write_head_delete_no_length);
	RUN(write_post_body_and_headers);
	RUN(write_post_empty);
	RUN(write_caller_overrides);
	RUN(write_rejects);
	RUN(write_params);
	RUN(write_sizes);
	RUN(one_send_per_request);
	RUN(memory_body_too_large);
	RUN(streamed_body);
	RUN(streamed_body_errors);
	RUN(bad_request_sends_nothing);
	RUN(short_writes_and_zero_reads);
	RUN(transport_errors);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

/*
 * test_cp_stream.c -- differential test of the streamed CodePipeline
 * bodies (cp_client.c, the draining cpj_buf of buf.c): random results
 * (output variables with escapes, control bytes and UTF-8 of every
 * length; failure results), random session tokens and work buffers
 * chosen around the boundaries (the memory/streamed threshold, a body
 * exactly one piece, a multiple of the buffer, one byte more or less, the
 * minimum buffer, no room for a memory body at all), random send sizes.
 * Each request must be byte for byte, head and signature included, the
 * one sent from a buffer it fits in; with a transport fault part way, an
 * error answer or a clock-skew re-sign, the request sent again carries
 * the same body and length.
 *
 * The seed is fixed (CPJ_TEST_SEED in the environment overrides it);
 * a failure prints the seed and the case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "mock/mock_port.h"

#define T0 1440938160           /* the mock's wall clock after a reset */
#define CASES 250               /* random results */
#define SIZES 5                 /* work buffers per result */
#define BODY_MAX 56000          /* request under MOCK_PORT_SENT_MAX */
#define VARS_MAX 40
#define HEAD_ROOM 1024          /* as cp_client.c */
#define WORK_MIN 2048           /* cpj_cp_init()'s minimum */

static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char ref_work[128 * 1024];
static unsigned char work[128 * 1024];
static unsigned char ref_req[MOCK_PORT_SENT_MAX];
static size_t ref_len, ref_body;        /* whole request, its body */

/* the random result */
static char pool[96 * 1024];
static size_t pool_len;
static cpj_cp_kv kv[VARS_MAX];
static cpj_cp_success succ;
static cpj_cp_failure fail;
static int is_failure;
static char token[CPJ_CREDS_TOKEN_MAX + 1];
static const char job_id[] = "11111111-2222-3333-4444-555555555555";

/* what the cases covered (checked at the end: none may be vacuous) */
static unsigned n_mem, n_streamed, n_exact, n_multiple, n_min, n_nomem,
    n_nohead, n_fault, n_error, n_skew;

static uint64_t rng;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* uniform in [lo, hi] */
static size_t
between(size_t lo, size_t hi)
{
	return lo + (size_t)(rnd() % (uint32_t)(hi - lo + 1));
}

/* Append code point c as UTF-8 to the pool. */
static void
put_utf8(uint32_t c)
{
	char *p = pool + pool_len;

	if (c < 0x80) {
		p[0] = (char)c;
		pool_len += 1;
	} else if (c < 0x800) {
		p[0] = (char)(0xC0 | (c >> 6));
		p[1] = (char)(0x80 | (c & 0x3F));
		pool_len += 2;
	} else if (c < 0x10000) {
		p[0] = (char)(0xE0 | (c >> 12));
		p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (char)(0x80 | (c & 0x3F));
		pool_len += 3;
	} else {
		p[0] = (char)(0xF0 | (c >> 18));
		p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		p[3] = (char)(0x80 | (c & 0x3F));
		pool_len += 4;
	}
}

/*
 * A random string into the pool of about `budget` bytes once in JSON
 * (escapes counted); returns it. Mostly plain text in runs, with quotes,
 * backslashes, named and \u00XX escapes and 2-, 3- and 4-byte UTF-8.
 */
static const char *
rand_text(size_t budget, int plain)
{
	const char *s = pool + pool_len;
	size_t json = 0;

	while (json < budget && pool_len + 8 < sizeof pool) {
		uint32_t r = rnd() % 100, c;

		if (!plain && r < 3) {
			/* a long plain run: one append as large as the
			 * stage of a streamed body (128 bytes) or more */
			size_t k, len = rnd() % 2 ? between(126, 130)
			    : between(1, 600);

			if (pool_len + len + 8 >= sizeof pool)
				break;
			for (k = 0; k < len; k++)
				pool[pool_len++] = (char)('A' + rnd() % 26);
			json += len;
		} else if (plain || r < 70) {
			c = 'a' + rnd() % 26;
			if (!plain && rnd() % 8 == 0)
				c = ' ' + rnd() % 95;   /* any printable */
			if (c == '"' || c == '\\')
				c = 'q';
			put_utf8(c);
			json += 1;
		} else if (r < 76) {
			put_utf8(rnd() % 2 ? '"' : '\\');
			json += 2;
		} else if (r < 82) {
			static const char named[] = "\n\t\r\b\f";

			put_utf8((uint32_t)named[rnd() % 5]);
			json += 2;
		} else if (r < 85) {
			do
				c = 1 + rnd() % 31;
			while (strchr("\n\t\r\b\f", (int)c) != NULL);
			put_utf8(c);                    /* \u00XX */
			json += 6;
		} else if (r < 90) {
			put_utf8(0x80 + rnd() % (0x800 - 0x80));
			json += 2;
		} else if (r < 96) {
			do
				c = 0x800 + rnd() % (0x10000 - 0x800);
			while (c >= 0xD800 && c < 0xE000);
			put_utf8(c);
			json += 3;
		} else {
			put_utf8(0x10000 + rnd() % (0x110000 - 0x10000));
			json += 4;
		}
	}
	pool[pool_len++] = '\0';
	return s;
}

/* A random result of about `target` JSON bytes and a random token. */
static void
rand_result(size_t target)
{
	size_t n, i, per, tl;

	pool_len = 0;
	is_failure = rnd() % 8 == 0;
	if (is_failure) {
		fail.type = rnd() % 2 ? "JobFailed" : "ConfigurationError";
		/* 1..5000 characters: a UTF-8 character counts once */
		fail.message = rand_text(between(1, 4000), 0);
		fail.external_execution_id = rnd() % 2 ? NULL
		    : rand_text(between(1, 1000), 0);
	} else {
		cpj_cp_success_init(&succ);
		if (rnd() % 2)
			succ.summary = rand_text(between(1, 1500), 0);
		if (rnd() % 3 == 0)
			succ.external_execution_id = rand_text(between(1, 1000),
			    0);
		if (rnd() % 3 == 0)
			succ.percent_complete = (int)between(0, 100);
		n = between(0, VARS_MAX);
		per = n > 0 ? target / n : 0;
		for (i = 0; i < n; i++) {
			char *k = pool + pool_len;
			size_t v = between(0, 2 * per);

			pool_len += (size_t)sprintf(k, "v%u_", (unsigned)i);
			(void)rand_text(between(0, 20), 1);
			kv[i].key = k;
			/* the values together about `target` */
			if (v > target)
				v = target;
			target -= v;
			kv[i].value = rand_text(v, 0);
		}
		succ.output_variables = n > 0 ? kv : NULL;
		succ.output_variables_count = n;
	}
	/* no token, a short one, or up to the longest */
	token[0] = '\0';
	tl = rnd() % 3 == 0 ? 0 : rnd() % 2 ? between(1, 200)
	    : between(1, CPJ_CREDS_TOKEN_MAX);
	for (i = 0; i < tl; i++)
		token[i] = (char)('A' + rnd() % 26);
	token[tl] = '\0';
}

/* The answers, scripted one connection each. */
static char replies[8][512];
static unsigned next_reply;

static void
answer(const char *status, const char *extra, const char *body)
{
	char *b = replies[next_reply++ % 8];
	int n = snprintf(b, sizeof replies[0], "HTTP/1.1 %s\r\n%s"
	    "x-amzn-RequestId: rid\r\nContent-Length: %u\r\n\r\n%s", status,
	    extra, (unsigned)strlen(body), body);

	(void)mock_port_add_conn(b, (size_t)n);
}

/* The body of a captured request: its offset, or 0 without one. */
static size_t
body_at(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

/* A work size for the case: one of the boundaries, or random. */
static size_t
pick_size(size_t tl)
{
	size_t head = ref_len - ref_body, body = ref_body, w, k;

	switch (rnd() % 9) {
	case 0:
		n_min++;
		return WORK_MIN;
	case 1:         /* the hash pass: one piece, its end exactly */
		n_exact++;
		return body + between(0, 2) - 1;
	case 2:         /* the hash pass: a multiple */
		k = between(2, 9);
		w = body / k;
		if (body % k == 0)
			n_multiple++;
		return w + (rnd() % 4 == 0);
	case 3:         /* the send: head and body a multiple, or one more */
		k = between(1, 9);
		w = (head + body) / k;
		if ((head + body) % k == 0)
			n_multiple++;
		return w + (rnd() % 4 == 0);
	case 4:         /* the threshold of a memory body */
		return body + HEAD_ROOM + tl + between(0, 3) - 1;
	case 5:         /* a token that leaves no room for a memory body */
		n_nomem++;
		return HEAD_ROOM + tl + between(0, 1200);
	default:
		return between(WORK_MIN, 24000);
	}
}

/* What can go wrong on the first attempt. */
enum { PLAIN, FAULT, ERROR, SKEW };

/* Send the result through w[0..wlen), the first attempt going `what`
 * way (FAULT: cut after `cut` bytes sent); returns the call's result. */
static int
run(unsigned char *w, size_t wlen, int what, size_t cut, size_t send_max)
{
	int rc;

	mock_port_reset();
	next_reply = 0;
	cpj_http_client_init(&http, NULL);
	(void)cpj_http_client_set_url(&http,
	    "http://codepipeline.us-east-1.amazonaws.com");
	rc = cpj_creds_set(&creds, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token, 0);
	if (rc < 0 || (rc = cpj_cp_init(&cp, &http, "us-east-1", w, wlen)) < 0
	    || (rc = cpj_cp_set_credentials(&cp, &creds)) < 0)
		return rc;
	cp.backoff_cap_ms = 1;
	if (what == FAULT) {
		answer("200 OK", "", "{}");
		mock_port_send_fault_at(0, cut, CPJ_ERR_NET_RESET);
	} else if (what == ERROR) {
		answer("500 Internal Server Error", "",
		    "{\"__type\":\"InternalError\",\"message\":\"x\"}");
	} else if (what == SKEW) {
		/* the server's clock a day ahead: re-signed at once */
		answer("400 Bad Request",
		    "Date: Mon, 31 Aug 2015 12:36:00 GMT\r\n",
		    "{\"__type\":\"InvalidSignatureException\","
		    "\"message\":\"Signature expired: 20150830T123600Z "
		    "is now earlier than 20150831T123100Z "
		    "(20150831T123600Z - 5 min.)\"}");
	}
	answer("200 OK", "", "{}");
	if (send_max > 0)
		mock_port_set_send_max(send_max);
	return is_failure ? cpj_cp_put_job_failure(&cp, job_id, NULL, &fail)
	    : cpj_cp_put_job_success(&cp, job_id, NULL, &succ);
}

/* One work size: the request equals the reference (a retry: its body and
 * length do, its date and signature may not). Returns 0 or the line. */
static int
one(size_t wlen, size_t tl, int what)
{
	const unsigned char *p;
	size_t n, at, cap;
	int rc, c = what == PLAIN ? 0 : 1;

	if (wlen < WORK_MIN)
		wlen = WORK_MIN;
	if (wlen > sizeof work)
		wlen = sizeof work;
	cap = wlen > HEAD_ROOM + tl ? wlen - HEAD_ROOM - tl : 0;
	rc = run(work, wlen, what, between(1, ref_len - 1),
	    rnd() % 2 ? between(1, 9000) : 0);
	if (rc == CPJ_ERR_NOSPACE && wlen <= ref_len - ref_body) {
		/* the head with its token does not fit: nothing sent */
		n_nohead++;
		CHECK_EQ(mock_port_connects(), 0);
		return 0;
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(mock_port_misuse(), 0);
	if (ref_body + 1 > cap)
		n_streamed++;
	else
		n_mem++;
	n_fault += what == FAULT;
	n_error += what == ERROR;
	n_skew += what == SKEW;
	CHECK_EQ(mock_port_connects(), (unsigned)c + 1);
	p = mock_port_sent(c, &n);
	CHECK(p != NULL);
	CHECK_EQ(n, mock_port_sent_total(c));
	/* the first attempt, or one sent again at once after a fault: the
	 * same date, so the same bytes */
	if (what == PLAIN || what == FAULT) {
		CHECK_EQ(n, ref_len);
		CHECK(memcmp(p, ref_req, ref_len) == 0);
	}
	at = body_at(p, n);
	CHECK(at > 0);
	CHECK_EQ(n - at, ref_body);
	CHECK(memcmp(p + at, ref_req + ref_len - ref_body, ref_body) == 0);
	return 0;
}

static int
differential(void)
{
	const char *env = getenv("CPJ_TEST_SEED");
	uint64_t seed = env != NULL ? strtoull(env, NULL, 0) : 20261207;
	unsigned i, j;

	rng = seed * 2654435761u + 1;
	for (i = 0; i < CASES; i++) {
		const unsigned char *p;
		size_t n, tl, target;

		/* bodies up to BODY_MAX, most around a few buffers */
		target = rnd() % 3 == 0 ? between(0, 3000)
		    : between(0, BODY_MAX * 3 / 4);
		rand_result(target);
		tl = strlen(token);
		/* the reference: from a buffer the body fits in */
		if (run(ref_work, sizeof ref_work, PLAIN, 0, 0) != 0) {
			fprintf(stderr, "seed %llu case %u: reference failed\n",
			    (unsigned long long)seed, i);
			CHECK(0);
		}
		p = mock_port_sent(0, &n);
		CHECK(p != NULL && n == mock_port_sent_total(0));
		CHECK(n < sizeof ref_req);
		memcpy(ref_req, p, n);
		ref_len = n;
		n = body_at(p, n);
		CHECK(n > 0);
		ref_body = ref_len - n;
		for (j = 0; j < SIZES; j++) {
			uint32_t r = rnd() % 16;
			int what = r < 11 ? PLAIN : r < 13 ? FAULT : r < 15
			    ? ERROR : SKEW;
			size_t w = pick_size(tl);
			int line = one(w, tl, what);

			if (line != 0) {
				fprintf(stderr, "seed %llu case %u size %u "
				    "(body %u, token %u, kind %d)\n",
				    (unsigned long long)seed, i, (unsigned)w,
				    (unsigned)ref_body, (unsigned)tl, what);
				return line;
			}
		}
	}
	printf("# %u memory, %u streamed (%u one piece, %u multiples, %u "
	    "minimum, %u no memory room, %u head too large); %u faults, %u "
	    "error answers, %u re-signs\n", n_mem, n_streamed, n_exact,
	    n_multiple, n_min, n_nomem, n_nohead, n_fault, n_error, n_skew);
	CHECK(n_mem > 0 && n_streamed > 0 && n_exact > 0 && n_multiple > 0
	    && n_min > 0 && n_nomem > 0 && n_nohead > 0);
	CHECK(n_fault > 0 && n_error > 0 && n_skew > 0);
	return 0;
}

/*
 * A kept-alive connection found closed when a streamed body goes out: the
 * HTTP layer starts the body over and sends it again at once on a new
 * connection, as it does a memory body (no retry of the call, no backoff).
 */
static int
stale_keepalive_streamed(void)
{
	const unsigned char *p;
	size_t n, i;

	rng = 7;
	is_failure = 0;
	pool_len = 0;
	cpj_cp_success_init(&succ);
	for (i = 0; i < 8; i++) {
		kv[i].key = rand_text(8, 1);
		kv[i].value = rand_text(2500, 0);
	}
	succ.output_variables = kv;
	succ.output_variables_count = 8;
	token[0] = '\0';
	CHECK_EQ(run(ref_work, sizeof ref_work, PLAIN, 0, 0), 0);
	p = mock_port_sent(0, &n);
	CHECK(p != NULL && n > 20000 && n < sizeof ref_req);
	memcpy(ref_req, p, n);
	ref_len = n;

	/* the first call is answered and the connection kept; the server
	 * then closes it as the streamed request goes out */
	CHECK_EQ(run(work, 4096, PLAIN, 0, 0), 0);
	cp.max_attempts = 1;
	answer("200 OK", "", "{}");
	CHECK_EQ(cpj_cp_put_job_success(&cp, job_id, NULL, &succ), 0);
	CHECK_EQ(mock_port_connects(), 2);
	CHECK_EQ(http.retries, 1);
	CHECK_EQ(cp.retries, 0);
	CHECK_EQ(mock_port_sleeps(), 0);
	p = mock_port_sent(1, &n);
	CHECK_EQ(n, ref_len);
	CHECK(memcmp(p, ref_req, ref_len) == 0);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

int
main(void)
{
	/* the retries' warnings are expected: errors only */
	cpj_log_set_level(1);
	RUN(differential);
	RUN(stale_keepalive_streamed);
	cpj_creds_clear(&creds);
	return H_EXIT();
}

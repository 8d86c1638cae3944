/*
 * bench_sigv4.c -- SigV4 signing speed against its SHA-256/HMAC floor.
 *
 * The request is a typical PollForJobs call (POST /, Content-Type,
 * Host, X-Amz-Target, a 150-byte JSON body, a session token) signed with
 * the signing key cached. The floor is the hashing such a signature cannot
 * avoid, done with BearSSL directly on precomputed strings: SHA-256 of the
 * body, SHA-256 of the canonical request, and one HMAC-SHA256 of the
 * string to sign from a ready HMAC key state. Times are process CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), at least 0.5 s per figure. Signing and
 * floor run in 50 interleaved slices each (about 12 ms per slice), so
 * that a change of machine load affects both alike.
 *
 * It also measures the stack a signing call uses, by running it on a
 * painted thread stack.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpj.h"

#define MIN_SECONDS 0.5         /* CPU time per figure, at least */
#define SLICES 50               /* interleaved slices per figure */

static const char akid[] = "ASIAQEXAMPLE7DEVICE1";
static const char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/* the session token of the aws-c-auth suite (336 bytes) */
static const char token[] =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTw"
    "dQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi"
    "/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5V"
    "SXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPk"
    "UL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabI"
    "Qwj2ICCR/oLxBA==";
static const char body[] =
    "{\"actionTypeId\":{\"category\":\"Build\",\"owner\":\"Custom\","
    "\"provider\":\"cpjob-device\",\"version\":\"1\"},\"maxBatchSize\":1,"
    "\"queryParam\":{\"fleet\":\"edge-gateways-eu\"}}";
static const cpj_sigv4_header headers[] = {
	{ "Content-Type", "application/x-amz-json-1.1" },
	{ "Host", "codepipeline.us-east-1.amazonaws.com" },
	{ "X-Amz-Target", "CodePipeline_20150709.PollForJobs" },
};

static cpj_sigv4_context ctx;
static cpj_sigv4_request req;
static cpj_sigv4_result res;
static char auth[1024], creq[4096], sts[512];
static volatile unsigned sink;

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Iterations of fn that take at least `seconds`. */
static unsigned long
calibrate(void (*fn)(void), double seconds)
{
	unsigned long n = 16, i;
	double t0, dt;

	for (;;) {
		t0 = cpu_now();
		for (i = 0; i < n; i++)
			fn();
		dt = cpu_now() - t0;
		if (dt >= seconds)
			return n;
		n = dt > 0.002 ? (unsigned long)((double)n * seconds * 1.2 / dt) + 1
		    : n * 8;
	}
}

/* CPU seconds for n calls of fn. */
static double
timed(void (*fn)(void), unsigned long n)
{
	unsigned long i;
	double t0;

	t0 = cpu_now();
	for (i = 0; i < n; i++)
		fn();
	return cpu_now() - t0;
}

static void
do_sign(void)
{
	if (cpj_sigv4_sign(&ctx, &req, &res, auth, sizeof auth) <= 0)
		abort();
	sink += (unsigned char)res.signature[0];
}

static void
do_sign_derive(void)
{
	cpj_sigv4_set_credentials(&ctx, akid, secret, token);
	do_sign();
}

/* ---- the floor --------------------------------------------------------- */

static br_hmac_key_context kc;
static size_t creq_len, sts_len;

static void
do_floor(void)
{
	br_sha256_context sha;
	br_hmac_context hc;
	unsigned char d[32];

	br_sha256_init(&sha);
	br_sha256_update(&sha, body, sizeof body - 1);
	br_sha256_out(&sha, d);
	br_sha256_init(&sha);
	br_sha256_update(&sha, creq, creq_len);
	br_sha256_out(&sha, d);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, sts, sts_len);
	br_hmac_out(&hc, d);
	sink += d[0];
}

static void
floor_setup(char *sig_hex)
{
	static const char *const parts[] = {
		"20240115", "us-east-1", "codepipeline", "aws4_request"
	};
	br_hmac_context hc;
	unsigned char k[64];
	size_t i;

	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, sizeof secret - 1);
	br_hmac_key_init(&kc, &br_sha256_vtable, k, 4 + sizeof secret - 1);
	for (i = 0; i < 4; i++) {
		br_hmac_init(&hc, &kc, 0);
		br_hmac_update(&hc, parts[i], strlen(parts[i]));
		br_hmac_out(&hc, k);
		br_hmac_key_init(&kc, &br_sha256_vtable, k, 32);
	}
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, sts, sts_len);
	br_hmac_out(&hc, k);
	for (i = 0; i < 32; i++)
		snprintf(sig_hex + 2 * i, 3, "%02x", k[i]);
}

/* ---- stack use --------------------------------------------------------- */

#define STACK_SIZE (256 * 1024)
#define PAINT 0xA5

static unsigned char stack_mem[STACK_SIZE] __attribute__((aligned(4096)));
static int presign_mode, derive_mode;
static char qbuf[2048];

static void __attribute__((noinline))
nothing(void)
{
	sink++;
}

static void __attribute__((noinline))
sign_once(void)
{
	if (derive_mode)
		cpj_sigv4_set_credentials(&ctx, akid, secret, token);
	if (presign_mode)
		sink += (unsigned)cpj_sigv4_presign(&ctx, &req, &res, qbuf,
		    sizeof qbuf);
	else
		sink += (unsigned)cpj_sigv4_sign(&ctx, &req, &res, auth,
		    sizeof auth);
}

static void *
thread_main(void *arg)
{
	((void (*)(void))arg)();
	return NULL;
}

/* Bytes of the painted stack a thread running fn touched. */
static long
stack_used(void (*fn)(void))
{
	pthread_attr_t attr;
	pthread_t t;
	size_t i;
	union {
		void (*fn)(void);
		void *p;
	} u;

	memset(stack_mem, PAINT, sizeof stack_mem);
	u.p = NULL;
	u.fn = fn;
	if (pthread_attr_init(&attr) != 0
	    || pthread_attr_setstack(&attr, stack_mem, sizeof stack_mem) != 0
	    || pthread_create(&t, &attr, thread_main, u.p) != 0)
		return -1;
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
	for (i = 0; i < sizeof stack_mem && stack_mem[i] == PAINT; i++)
		;
	return (long)(sizeof stack_mem - i);
}

int
main(void)
{
	char sig[65];
	double r_sign, r_floor, r_derive;
	long s0, s_sign, s_pre, s_der;
	unsigned long n_sign, n_floor, n_derive;
	double t_sign, t_floor;
	int i;

	if (cpj_sigv4_init(&ctx, "us-east-1", "codepipeline", 0) != 0
	    || cpj_sigv4_set_credentials(&ctx, akid, secret, token) != 0)
		return 1;
	req.method = "POST";
	req.path = "/";
	req.headers = headers;
	req.header_count = sizeof headers / sizeof headers[0];
	req.payload = CPJ_SIGV4_PAYLOAD_BODY;
	req.body = body;
	req.body_len = sizeof body - 1;
	req.amz_date = "20240115T093000Z";
	req.expires = 900;

	/* precomputed strings for the floor, and a cross-check */
	res.canonical_request = creq;
	res.canonical_request_size = sizeof creq;
	res.string_to_sign = sts;
	res.string_to_sign_size = sizeof sts;
	if (cpj_sigv4_sign(&ctx, &req, &res, auth, sizeof auth) <= 0)
		return 1;
	creq_len = strlen(creq);
	sts_len = strlen(sts);
	floor_setup(sig);
	if (strcmp(sig, res.signature) != 0) {
		fprintf(stderr, "bench_sigv4: floor signature differs\n");
		return 1;
	}
	res.canonical_request = NULL;
	res.string_to_sign = NULL;

	n_sign = calibrate(do_sign, MIN_SECONDS / SLICES);
	n_floor = calibrate(do_floor, MIN_SECONDS / SLICES);
	t_sign = t_floor = 0;
	for (i = 0; i < SLICES; i++) {
		t_sign += timed(do_sign, n_sign);
		t_floor += timed(do_floor, n_floor);
	}
	r_sign = (double)n_sign * SLICES / t_sign;
	r_floor = (double)n_floor * SLICES / t_floor;
	n_derive = calibrate(do_sign_derive, MIN_SECONDS);
	r_derive = (double)n_derive / timed(do_sign_derive, n_derive);
	if (ctx.derivations < 2)
		return 1;

	cpj_sigv4_set_credentials(&ctx, akid, secret, token);
	sign_once();                    /* the key is cached from here on */
	s0 = stack_used(nothing);
	s_sign = stack_used(sign_once);
	presign_mode = 1;
	s_pre = stack_used(sign_once);
	presign_mode = 0;
	derive_mode = 1;
	s_der = stack_used(sign_once);

	printf("sigv4: PollForJobs, body %zu B, session token %zu B, "
	    "canonical request %zu B, string to sign %zu B\n",
	    sizeof body - 1, sizeof token - 1, creq_len, sts_len);
	printf("sigv4: cpj_sigv4_sign, key cached: %.0f signatures/s "
	    "(%.2f us each)\n", r_sign, 1e6 / r_sign);
	printf("sigv4: floor (SHA-256 body + SHA-256 canonical request + "
	    "HMAC string to sign): %.0f/s (%.2f us each)\n",
	    r_floor, 1e6 / r_floor);
	printf("sigv4: ratio sign/floor = %.2f (goal <= 1.5; %.2f s and %.2f s "
	    "of CPU time)\n", r_floor / r_sign, t_sign, t_floor);
	printf("sigv4: cpj_sigv4_sign deriving the key each call: "
	    "%.0f signatures/s (%.2f us each)\n", r_derive, 1e6 / r_derive);
	printf("sigv4: stack: cpj_sigv4_sign %ld B, cpj_sigv4_presign %ld B, "
	    "cpj_sigv4_sign deriving the key %ld B (painted thread stack, "
	    "baseline %ld B removed)\n", s_sign - s0, s_pre - s0, s_der - s0, s0);
	printf("sigv4: sizeof(cpj_sigv4_context) = %zu B\n", sizeof ctx);
	cpj_sigv4_clear(&ctx);
	return 0;
}

/*
 * test_run_log.c -- the agent log's secret matcher (src/agent/run_log.c,
 * compiled in here): whole short secrets, runs of 16 bytes or more of a
 * longer one (a session token cut by a service message's buffer), the
 * end of a secret cut by the text's start, lines continuing a cut one,
 * and run_secrets_mask() against a brute-force model on random text.
 *
 * The log's output goes to run_write_all(), which this file replaces to
 * capture it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "agent/run.h"
/* the library's log sink belongs to the real port, not the mock one */
#undef CPJ_PORT_LOG_SINK
#include "agent/run_log.c"
#include "agent/fmt.c"
#include "agent/fmt_time.c"

static char cap[16384];
static size_t ncap;

int
run_write_all(int fd, const void *buf, size_t len)
{
	(void)fd;
	if (len > sizeof cap - 1 - ncap)
		len = sizeof cap - 1 - ncap;
	memcpy(cap + ncap, buf, len);
	ncap += len;
	cap[ncap] = '\0';
	return 0;
}

static void
cap_reset(void)
{
	ncap = 0;
	cap[0] = '\0';
}

static void
forget_all(void)
{
	int i;

	for (i = 0; i < SECRETS_MAX; i++)
		secrets[i] = NULL;
}

/* 1 if s holds `min` or more consecutive bytes of secret[0..n). */
static int
holds_run(const char *s, const char *secret, size_t n, size_t min)
{
	size_t ls = strlen(s), i, j;

	for (i = 0; i + min <= ls; i++) {
		for (j = 0; j + min <= n; j++) {
			if (memcmp(s + i, secret + j, min) == 0)
				return 1;
		}
	}
	return 0;
}

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
fill_b64(char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = a[rnd() % 64];
	p[n] = '\0';
}

/* An InvalidSignatureException message quoting the canonical request,
 * cut by the library's 512-byte message buffer 100 bytes into the token:
 * the token's start must not reach the log. */
static int
token_start_in_service_message(void)
{
	static char token[901], msg[512];
	const char *head = "The request signature we calculated does not "
	    "match the signature you provided. The Canonical String for "
	    "this request should have been 'POST / content-type:"
	    "application/x-amz-json-1.1 host:127.0.0.1 x-amz-date:"
	    "20250102T030405Z x-amz-security-token:";
	size_t h = strlen(head);

	forget_all();
	fill_b64(token, 900);
	run_log_init(RUN_LOG_DEBUG, 0);
	run_log_secret(token);
	CHECK(h + 100 < sizeof msg);
	memcpy(msg, head, h);
	memcpy(msg + h, token, 100);
	msg[h + 100] = '\0';
	cap_reset();
	run_log(RUN_LOG_ERROR, "PollForJobs: InvalidSignatureException: %s",
	    msg);
	CHECK(strstr(cap, "x-amz-security-token:[redacted]\n") != NULL);
	CHECK(!holds_run(cap, token, 900, 16));
	/* and its end, and a middle, 16 bytes each */
	cap_reset();
	run_log(RUN_LOG_INFO, "a %.16s b %.16s c", token + 884, token + 400);
	CHECK(strstr(cap, "a [redacted] b [redacted] c\n") != NULL);
	/* 15 bytes of it are not a match: the rule is 16 */
	cap_reset();
	run_log(RUN_LOG_INFO, "a %.15s b", token + 10);
	CHECK(strstr(cap, "[redacted]") == NULL);
	/* the failure message's mask follows the same rule */
	memcpy(msg, "stderr: ", 8);
	memcpy(msg + 8, token + 300, 40);
	memcpy(msg + 48, " end", 5);
	run_secrets_mask(msg, strlen(msg));
	CHECK(strcmp(msg, "stderr: **************************************** "
	    "end") == 0);
	forget_all();
	return 0;
}

/* A secret shorter than 16 bytes: masked whole, not in part. */
static int
short_secret_whole_only(void)
{
	static char pw[] = "pw-7f3a9c1e";
	char t[64];

	forget_all();
	run_log_init(RUN_LOG_DEBUG, 0);
	run_log_secret(pw);
	cap_reset();
	run_log(RUN_LOG_INFO, "x%sy %.8s", pw, pw);
	CHECK(strstr(cap, "x[redacted]y pw-7f3a9\n") != NULL);
	snprintf(t, sizeof t, "%s|%s", pw + 3, pw);
	/* the end of it at the start (a tail cut by the buffer's start) */
	run_secrets_mask(t, strlen(t));
	CHECK(strcmp(t, "********|***********") == 0);
	forget_all();
	return 0;
}

/* A secret of several lines is matched a line at a time. */
static int
multi_line_secret(void)
{
	static char pem[] = "-----BEGIN KEY-----\n"
	    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
	    "-----END KEY-----";

	forget_all();
	run_log_init(RUN_LOG_DEBUG, 0);
	run_log_secret(pem);
	cap_reset();
	run_log(RUN_LOG_INFO, "key: zj4p4WGeKLs1Pt8Qu| MIIBOgIBAAJBAKj34Gkx");
	CHECK(strstr(cap, "key: [redacted]| [redacted]\n") != NULL);
	forget_all();
	return 0;
}

/* A line cut from a longer one: the bytes on each side of the cut are
 * matched, not shown. */
static int
relayed_lines(void)
{
	static char s20[] = "Zq7-Shrt-Secret-20b!";
	static char s9[] = "Zq7-abcde";

	forget_all();
	run_log_init(RUN_LOG_DEBUG, 0);
	run_log_secret(s20);
	run_log_secret(s9);
	/* the end of s20 after a cut: 4 bytes, found with the 15 before */
	cap_reset();
	run_log_relayed(RUN_LOG_INFO, "stdout", "xxxxxZq7-Shrt-S", 15,
	    "ecret-20b! tail", 15, NULL, 0, 0);
	CHECK(strstr(cap, "handler stdout: [redacted] tail\n") != NULL);
	/* its start before a cut: 5 bytes, found with the 15 after */
	cap_reset();
	run_log_relayed(RUN_LOG_INFO, "stderr", NULL, 0, "abc Zq7-S", 9,
	    "hrt-Secret-20b!", 15, 1);
	CHECK(strstr(cap, "handler stderr: abc [redacted] [...]\n") != NULL);
	/* no more: the start of a secret the next bytes do not go on with
	 * is not one; nothing of the context is shown */
	cap_reset();
	run_log_relayed(RUN_LOG_INFO, "stderr", "Zq7-abcdexxxxxx", 15,
	    "abc Zq7-S", 9, "hrt-Sekret-20b!", 15, 1);
	CHECK(strstr(cap, "handler stderr: abc Zq7-S [...]\n") != NULL);
	/* 9-byte s9 split 5 + 4: found whole across the context */
	cap_reset();
	run_log_relayed(RUN_LOG_INFO, "stdout", "xxxxxxxxxxZq7-a", 15,
	    "bcde.", 5, NULL, 0, 0);
	CHECK(strstr(cap, "handler stdout: [redacted].\n") != NULL);
	/* a 1-byte piece on each side, the context full of it */
	cap_reset();
	run_log_relayed(RUN_LOG_INFO, "stdout", "Zq7-Shrt-Secret", 15,
	    "-", 1, "20b!", 4, 1);
	CHECK(strstr(cap, "handler stdout: [redacted] [...]\n") != NULL);
	forget_all();
	return 0;
}

/*
 * The model: byte i is masked when a whole piece shorter than 16 covers
 * it, or a 16-byte window covering it occurs in a longer piece, or t
 * starts with the last k bytes of a piece (4 <= k < min(16, piece)).
 */
static void
model(const char *t, size_t len, const char *const *sec, int ns,
	unsigned char *m)
{
	int s;
	size_t i, j, k;

	memset(m, 0, len);
	for (s = 0; s < ns; s++) {
		const char *p = sec[s];
		size_t n = strlen(p);

		for (k = 4; k < 16 && k < n && k <= len; k++) {
			if (memcmp(t, p + n - k, k) == 0)
				memset(m, 1, k);
		}
		if (n < 16) {
			for (i = 0; i + n <= len; i++) {
				if (memcmp(t + i, p, n) == 0)
					memset(m + i, 1, n);
			}
			continue;
		}
		for (i = 0; i + 16 <= len; i++) {
			for (j = 0; j + 16 <= n; j++) {
				if (memcmp(t + i, p + j, 16) == 0) {
					memset(m + i, 1, 16);
					break;
				}
			}
		}
	}
}

/* Random text over a small alphabet (many repeated grams, partial
 * matches everywhere) with copies and pieces of the secrets in it; also
 * longer than one matcher window (TEXT_MAX). In half of the rounds the
 * secrets hold a byte ('Z') the text never does, and the pieces copied
 * stop short of it: the matcher skips the grams of bytes the text lacks. */
static int
mask_matches_model(void)
{
	static char t[9000], orig[9000];
	static unsigned char m[9000];
	static char sec[5][1200];
	const char *sp[5];
	static const size_t lens[5] = { 4, 9, 16, 40, 1100 };
	int round, s;
	size_t i, j;

	for (round = 0; round < 500; round++) {
		size_t len = round % 10 == 0 ? 4000 + rnd() % 5000
		    : rnd() % 700;
		unsigned abc = 2 + rnd() % 3, tabc = 2 + rnd() % 3,
		    zed = round % 2 ? 2 + rnd() % 20 : 0;

		forget_all();
		for (s = 0; s < 5; s++) {
			for (i = 0; i < lens[s]; i++)
				sec[s][i] = zed != 0 && rnd() % zed == 0 ? 'Z'
				    : (char)('a' + rnd() % abc);
			sec[s][lens[s]] = '\0';
			sp[s] = sec[s];
			run_log_secret(sec[s]);
		}
		for (i = 0; i < len; i++)
			t[i] = (char)('a' + rnd() % tabc);
		/* pieces of secrets anywhere, across window edges too */
		for (i = 0; i < 8 && len > 0; i++) {
			size_t at = i == 0 && len > TEXT_MAX ? TEXT_MAX - 20
			    + rnd() % 40 : rnd() % len;
			const char *p = sec[rnd() % 5];
			size_t n = strlen(p), off = rnd() % n,
			    k = 1 + rnd() % (n - off);

			if (k > len - at)
				k = len - at;
			for (j = 0; j < k && p[off + j] != 'Z'; j++)
				t[at + j] = p[off + j];
		}
		memcpy(orig, t, len);
		model(orig, len, sp, 5, m);
		run_secrets_mask(t, len);
		for (i = 0; i < len; i++) {
			if ((t[i] == '*') != (m[i] != 0)) {
				fprintf(stderr, "round %d len %zu: byte %zu: "
				    "mask %d model %d\n", round, len, i,
				    t[i] == '*', m[i]);
				return __LINE__;
			}
			if (t[i] != '*' && t[i] != orig[i])
				return __LINE__;
		}
	}
	forget_all();
	return 0;
}

/* The worst text for a gram index: one byte repeated, as are the
 * secrets; and secrets of several KB: each log line stays cheap. */
static int
matcher_cost_bounded(void)
{
	static char big[16][1001], line[1001];
	clock_t c0;
	double s;
	int i;

	forget_all();
	for (i = 0; i < 16; i++) {
		if (i < 2) {
			memset(big[i], 'A', 1000);
			big[i][1000] = '\0';
		} else {
			fill_b64(big[i], 1000);
		}
		run_log_secret(big[i]);
	}
	run_log_init(RUN_LOG_DEBUG, 0);
	memset(line, 'A', 1000);
	line[1000] = '\0';
	c0 = clock();
	for (i = 0; i < 2000; i++) {
		cap_reset();
		run_log(RUN_LOG_INFO, "%s", i % 2 ? "a short line" : line);
	}
	s = (double)(clock() - c0) / CLOCKS_PER_SEC;
	fprintf(stderr, "2000 lines against 16 KB of secrets: %.3f s\n", s);
	CHECK(strstr(cap, "info: a short line\n") != NULL);
	/* about 0.1 s with the sanitizers; O(line * secrets) would be 100
	 * times that */
	CHECK(s < 5.0);
	forget_all();
	return 0;
}

int
main(void)
{
	RUN(token_start_in_service_message);
	RUN(short_secret_whole_only);
	RUN(multi_line_secret);
	RUN(relayed_lines);
	RUN(mask_matches_model);
	RUN(matcher_cost_bounded);
	return H_EXIT();
}

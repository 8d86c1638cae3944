/*
 * bench_cycle.c -- the library's job-worker cycle, measured in process.
 *
 *   bench_cycle --endpoint URL --ca-bundle PEM [--region R]
 *               [--provider P] [--category C] [--cycles N] [--warmup W]
 *   credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN)
 *
 * One CodePipeline client (cpj_cp_context over a cpj_http_client over a
 * cpj_tls_context, trust anchors from the PEM bundle) runs W warm-up
 * cycles, then N timed cycles, all over one keep-alive TLS connection. A
 * cycle is PollForJobs (maxBatchSize 1) of the action type, which must
 * return a job; AcknowledgeJob with its nonce; PutJobSuccessResult. The
 * endpoint (tests/emulator) must have at least W + N jobs of that type
 * queued.
 *
 * Prints one JSON object on stdout: cycles, cpu_ns_per_cycle (process CPU
 * time, CLOCK_PROCESS_CPUTIME_ID, around the N cycles), wall_ns_per_cycle
 * (CLOCK_MONOTONIC; includes the server's time), connects (must be 1),
 * requests, and the sizes of the contexts. Exits 1 on any failure, with
 * the library's error on stderr. Run by tests/bench/run_bench.py, also
 * under valgrind's callgrind and the LD_PRELOAD allocation counter
 * (tests/bench/alloc_count.c), with N and 2N cycles: the difference is
 * the cost of N cycles without the setup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpj.h"

#define WORK_SIZE     (16 * 1024)
#define JOB_STORAGE   (32 * 1024)
#define ANCHOR_SLOTS  8
#define ANCHOR_ARENA  8192

static cpj_tls_anchors anchors;
static br_x509_trust_anchor anchor_slots[ANCHOR_SLOTS];
static unsigned char anchor_arena[ANCHOR_ARENA];
static cpj_tls_context tls;
static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char work[WORK_SIZE];

static cpj_jobs_parser jparser;
static char jwindow[CPJ_JOB_WINDOW];
static cpj_json_tok jtokens[CPJ_JSON_TOKENS_MAX];
static cpj_job jjobs[1];
static char jstorage[JOB_STORAGE];

static const char *opt_endpoint, *opt_ca, *opt_region = "us-east-1";
static const char *opt_provider = "EdgeDeploy", *opt_category = "Deploy";

static int64_t
ns_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
fail(const char *what, int rc)
{
	fprintf(stderr, "bench_cycle: %s: %s", what, cpj_strerror(rc));
	if (cp.code[0] != '\0')
		fprintf(stderr, " (%s: %s)", cp.code, cp.message);
	fprintf(stderr, "\n");
	return 1;
}

static int
load_anchors(const char *path)
{
	unsigned char buf[2048];
	int rc, fd;

	rc = cpj_tls_anchors_init(&anchors, anchor_slots, ANCHOR_SLOTS,
	    anchor_arena, sizeof anchor_arena, 0);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "bench_cycle: %s: %s\n", path, strerror(errno));
		return CPJ_ERR_TLS_ANCHORS;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((rc = cpj_tls_anchors_add_pem(&anchors, buf, (size_t)r)) < 0)
			break;
	}
	close(fd);
	rc = cpj_tls_anchors_finish(&anchors);
	return rc < 0 ? rc : 0;
}

/* One poll + acknowledge + success cycle. */
static int
cycle(const cpj_cp_jobs_buf *jb, const cpj_cp_action_type *at)
{
	char job_id[128], nonce[128], status[32];
	cpj_cp_success s;
	int rc;

	rc = cpj_cp_poll_for_jobs(&cp, at, 1, NULL, NULL, jb);
	if (rc < 0)
		return fail("PollForJobs", rc);
	if (rc == 0) {
		fprintf(stderr, "bench_cycle: PollForJobs returned no job "
		    "(queue more jobs)\n");
		return 1;
	}
	if (jjobs[0].err < 0 || jjobs[0].id.len >= sizeof job_id
	    || jjobs[0].nonce.len >= sizeof nonce)
		return fail("PollForJobs job", jjobs[0].err < 0 ? jjobs[0].err
		    : CPJ_ERR_JSON_JOB_TOO_LARGE);
	memcpy(job_id, jjobs[0].id.p, jjobs[0].id.len);
	job_id[jjobs[0].id.len] = '\0';
	memcpy(nonce, jjobs[0].nonce.p, jjobs[0].nonce.len);
	nonce[jjobs[0].nonce.len] = '\0';
	rc = cpj_cp_acknowledge_job(&cp, job_id, nonce, NULL, status,
	    sizeof status);
	if (rc < 0)
		return fail("AcknowledgeJob", rc);
	cpj_cp_success_init(&s);
	rc = cpj_cp_put_job_success(&cp, job_id, NULL, &s);
	if (rc < 0)
		return fail("PutJobSuccessResult", rc);
	return 0;
}

static long
arg_num(const char *s, const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 10000000) {
		fprintf(stderr, "bench_cycle: %s: not a count: %s\n", name, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	cpj_cp_action_type at;
	cpj_cp_jobs_buf jb;
	long cycles = 200, warmup = 1, i;
	int64_t c0, c1, w0, w1;
	int rc;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL) {
			fprintf(stderr, "bench_cycle: %s needs a value\n", o);
			return 2;
		}
		if (strcmp(o, "--endpoint") == 0)
			opt_endpoint = v;
		else if (strcmp(o, "--ca-bundle") == 0)
			opt_ca = v;
		else if (strcmp(o, "--region") == 0)
			opt_region = v;
		else if (strcmp(o, "--provider") == 0)
			opt_provider = v;
		else if (strcmp(o, "--category") == 0)
			opt_category = v;
		else if (strcmp(o, "--cycles") == 0)
			cycles = arg_num(v, o);
		else if (strcmp(o, "--warmup") == 0)
			warmup = arg_num(v, o);
		else {
			fprintf(stderr, "bench_cycle: unknown option %s\n", o);
			return 2;
		}
		i++;
	}
	if (opt_endpoint == NULL || akid == NULL || secret == NULL) {
		fprintf(stderr, "usage: bench_cycle --endpoint URL [--ca-bundle PEM] "
		    "[--region R] [--provider P] [--category C] [--cycles N] "
		    "[--warmup W]\n  with AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY set\n");
		return 2;
	}
	if (token != NULL && token[0] == '\0')
		token = NULL;

	if (opt_ca != NULL) {
		if ((rc = load_anchors(opt_ca)) < 0)
			return fail("CA bundle", rc);
	} else if ((rc = cpj_tls_anchors_init(&anchors, anchor_slots,
	    ANCHOR_SLOTS, anchor_arena, sizeof anchor_arena, 1)) < 0) {
		return fail("trust anchors", rc);
	}
	if ((rc = cpj_tls_init(&tls, &anchors)) < 0)
		return fail("TLS", rc);
	cpj_http_client_init(&http, &tls);
	if ((rc = cpj_http_client_set_url(&http, opt_endpoint)) < 0)
		return fail("endpoint", rc);
	if ((rc = cpj_cp_init(&cp, &http, opt_region, work, sizeof work)) < 0)
		return fail("cpj_cp_init", rc);
	if ((rc = cpj_creds_set(&creds, akid, secret, token, 0)) < 0)
		return fail("credentials", rc);
	if ((rc = cpj_cp_set_credentials(&cp, &creds)) < 0)
		return fail("credentials", rc);

	jb.parser = &jparser;
	jb.window = jwindow;
	jb.window_len = sizeof jwindow;
	jb.tokens = jtokens;
	jb.ntokens = (unsigned)(sizeof jtokens / sizeof jtokens[0]);
	jb.jobs = jjobs;
	jb.max_jobs = 1;
	jb.storage = jstorage;
	jb.storage_len = sizeof jstorage;
	at.category = opt_category;
	at.owner = "Custom";
	at.provider = opt_provider;
	at.version = "1";

	/* warm-up: connect, TLS handshake, signing key */
	for (i = 0; i < warmup; i++)
		if (cycle(&jb, &at) != 0)
			return 1;
	c0 = ns_now(CLOCK_PROCESS_CPUTIME_ID);
	w0 = ns_now(CLOCK_MONOTONIC);
	for (i = 0; i < cycles; i++)
		if (cycle(&jb, &at) != 0)
			return 1;
	w1 = ns_now(CLOCK_MONOTONIC);
	c1 = ns_now(CLOCK_PROCESS_CPUTIME_ID);

	printf("{\"cycles\": %ld, \"warmup\": %ld, \"cpu_ns_per_cycle\": %.0f, "
	    "\"wall_ns_per_cycle\": %.0f, \"connects\": %lu, \"requests\": %lu, "
	    "\"reuses\": %lu, \"attempts\": %lu, \"retries\": %lu, "
	    "\"ram_contexts\": %lu, \"ram_buffers\": %lu}\n",
	    cycles, warmup,
	    cycles > 0 ? (double)(c1 - c0) / (double)cycles : 0.0,
	    cycles > 0 ? (double)(w1 - w0) / (double)cycles : 0.0,
	    (unsigned long)http.connects, (unsigned long)http.requests,
	    (unsigned long)http.reuses, (unsigned long)cp.attempts,
	    (unsigned long)cp.retries,
	    (unsigned long)(sizeof cp + sizeof http + sizeof tls + sizeof creds
	    + sizeof anchors),
	    (unsigned long)(sizeof work + sizeof jparser + sizeof jwindow
	    + sizeof jtokens + sizeof jjobs + sizeof jstorage));

	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	cpj_http_client_close(&http);
	cpj_job_wipe(&jjobs[0]);
	return 0;
}

/*
 * bench_parse.c -- throughput and RAM of the streaming job parser.
 *
 * A PollForJobs body with N copies of the first job of
 * tests/data/api/poll_response_example.json (compacted, as the service
 * sends it) is read
 *  - by the streaming parser (cpj_jobs.h), fed in 4096-byte pieces and in
 *    one piece: validation, window copy, jsmn per job, mapping, unescaping;
 *  - by raw jsmn (cpj_json_tokenize: strict, parent links) over the whole
 *    body in one buffer with a token array for the whole body: tokens only.
 * Both run in the same process on the same bytes. RAM is sizeof-based: the
 * parser's state + window + tokens, against the body plus its tokens that
 * whole-document jsmn needs.
 *
 * Reads the example relative to $CPJ_TOP (default "."). Prints figures;
 * exits non-zero only when something fails to parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpj.h"
#include "cp/cp_int.h"
#include "json/json_int.h"

#define MAX_JOBS 100
#define BODY_MAX (MAX_JOBS * 4096 + 64)
#define SLICE    4096
#define RAW_TOKS (MAX_JOBS * 200)

static char src[16384];
static char job[8192];
static size_t job_len;
static char body[BODY_MAX];
static char win[CPJ_JOB_WINDOW];
static cpj_json_tok toks[CPJ_JSON_TOKENS_MAX];
static cpj_json_tok raw_toks[RAW_TOKS];
static cpj_job jobs[MAX_JOBS];
static char store[MAX_JOBS * SLICE];
static cpj_jobs_parser parser;

static double
now(void)
{
	struct timespec ts;

	/* CPU time of this thread: other processes' load counts less */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Drop whitespace outside strings. */
static size_t
compact(char *s, size_t n)
{
	size_t i, o = 0;
	int in_str = 0, esc = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
			continue;
		}
		s[o++] = c;
	}
	return o;
}

static int
load_job(void)
{
	char path[1024];
	const char *top = getenv("CPJ_TOP");
	cpj_json_tok t[512];
	FILE *f;
	size_t n;
	int nt, arr;

	snprintf(path, sizeof path, "%s/tests/data/api/poll_response_example.json",
	    top != NULL ? top : ".");
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "bench_parse: cannot open %s\n", path);
		return -1;
	}
	n = fread(src, 1, sizeof src, f);
	fclose(f);
	n = compact(src, n);
	nt = cpj_json_parse(src, n, t, 512);
	if (nt < 0)
		return -1;
	arr = cpj_json_member(src, t, nt, 0, "jobs");
	if (arr < 0 || t[arr].size < 1)
		return -1;
	job_len = (size_t)(t[arr + 1].end - t[arr + 1].start);
	if (job_len >= sizeof job)
		return -1;
	memcpy(job, src + t[arr + 1].start, job_len);
	return 0;
}

static size_t
make_body(int njobs)
{
	size_t len = 0;
	int i;

	memcpy(body, "{\"jobs\":[", 9);
	len = 9;
	for (i = 0; i < njobs; i++) {
		if (i > 0)
			body[len++] = ',';
		memcpy(body + len, job, job_len);
		len += job_len;
	}
	memcpy(body + len, "]}", 2);
	return len + 2;
}

static int
stream_once(size_t len, size_t piece, int njobs)
{
	size_t off, n;
	int r, i;

	r = cpj_jobs_parser_init(&parser, CPJ_JOBS_POLL, win, sizeof win, toks,
	    CPJ_JSON_TOKENS_MAX, jobs, MAX_JOBS, store, sizeof store);
	if (r < 0)
		return r;
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		r = cpj_jobs_parser_feed(&parser, body + off, n);
		if (r < 0)
			return r;
	}
	r = cpj_jobs_parser_finish(&parser);
	if (r != njobs)
		return r < 0 ? r : -1000;
	for (i = 0; i < r; i++) {
		if (jobs[i].err != 0)
			return jobs[i].err;
	}
	return 0;
}

/* MB/s of fn over about `secs` seconds. */
static double
rate_stream(size_t len, size_t piece, int njobs, double secs)
{
	double t0 = now(), t;
	long reps = 0;

	do {
		if (stream_once(len, piece, njobs) != 0)
			return -1;
		reps++;
		t = now() - t0;
	} while (t < secs);
	return (double)len * (double)reps / t / 1e6;
}

static double
rate_jsmn(size_t len, int ntok, double secs)
{
	double t0 = now(), t;
	long reps = 0;

	do {
		if (cpj_json_tokenize(body, len, raw_toks, RAW_TOKS) != ntok)
			return -1;
		reps++;
		t = now() - t0;
	} while (t < secs);
	return (double)len * (double)reps / t / 1e6;
}

static double
rate_validate(size_t len, int ntok, double secs)
{
	double t0 = now(), t;
	long reps = 0;

	do {
		if (cpj_json_parse(body, len, raw_toks, RAW_TOKS) != ntok)
			return -1;
		reps++;
		t = now() - t0;
	} while (t < secs);
	return (double)len * (double)reps / t / 1e6;
}

/* The larger rate; a failure (< 0) sticks. */
static double
best(double a, double b)
{
	if (a < 0 || b < 0)
		return -1;
	return a > b ? a : b;
}

int
main(void)
{
	static const int counts[] = { 1, 10, 100 };
	size_t parser_ram = sizeof(cpj_jobs_parser) + sizeof win + sizeof toks;
	size_t i;
	int bad = 0;

	if (load_job() != 0) {
		fprintf(stderr, "bench_parse: cannot read the example job\n");
		return 1;
	}
	printf("bench_parse: PollForJobs body of N jobs, each the example's first "
	    "job compacted (%zu bytes)\n", job_len);
	printf("  stream = cpj_jobs_parser (validate + window + jsmn per job + "
	    "map + unescape)\n");
	printf("  jsmn   = raw jsmn over the whole body (tokens only, no "
	    "validation, no mapping)\n");
	printf("%5s %8s %12s %12s %10s %12s %6s %11s %11s\n", "jobs", "bytes",
	    "stream/4096", "stream/all", "jsmn", "parse+valid", "ratio",
	    "parser RAM", "jsmn RAM");
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		size_t len = make_body(counts[i]);
		int ntok = cpj_json_tokenize(body, len, NULL, 0);
		double s4k, sall, raw, val;
		size_t jsmn_ram;
		int round;

		if (ntok <= 0 || ntok > RAW_TOKS) {
			printf("tokenize failed: %d\n", ntok);
			return 1;
		}
		ntok = cpj_json_tokenize(body, len, raw_toks, RAW_TOKS);
		jsmn_ram = len + (size_t)ntok * sizeof(cpj_json_tok);
		/* best of 5 interleaved rounds of 0.1 s each: machine noise */
		s4k = sall = raw = val = 0;
		for (round = 0; round < 5; round++) {
			s4k = best(s4k, rate_stream(len, 4096, counts[i], 0.1));
			sall = best(sall, rate_stream(len, len, counts[i], 0.1));
			raw = best(raw, rate_jsmn(len, ntok, 0.1));
			val = best(val, rate_validate(len, ntok, 0.1));
		}
		if (s4k < 0 || sall < 0 || raw < 0 || val < 0)
			bad = 1;
		printf("%5d %8zu %10.1f MB/s %8.1f MB/s %5.1f MB/s %7.1f MB/s %5.2f %11zu %11zu\n",
		    counts[i], len, s4k, sall, raw, val, s4k / raw, parser_ram,
		    jsmn_ram);
	}
	printf("parser RAM = sizeof(cpj_jobs_parser) %zu + window %zu + tokens "
	    "%zu x %zu = %zu bytes for 1 and for 100 jobs\n",
	    sizeof(cpj_jobs_parser), sizeof win, (size_t)CPJ_JSON_TOKENS_MAX,
	    sizeof(cpj_json_tok), parser_ram);
	printf("caller's job slots: sizeof(cpj_job) %zu + string storage per "
	    "job (here %d)\n", sizeof(cpj_job), SLICE);
	if (bad) {
		printf("bench_parse: a parse failed\n");
		return 1;
	}
	return 0;
}

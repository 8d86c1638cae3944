/*
 * test_job_noalloc.c -- one whole job through the library with an
 * allocation counter: PollForJobs, AcknowledgeJob, GetJobDetails, S3
 * GetObject into memory, S3 PutObject from memory (signed body) and
 * streamed (UNSIGNED-PAYLOAD), PutJobSuccessResult with output
 * variables. No malloc, calloc, realloc or free may happen between the
 * markers.
 *
 * Driven by tests/scripts/test_agent_noalloc.py, which starts the
 * emulator, queues the job and sets:
 *   CPJ_NOALLOC_ENDPOINT  https://127.0.0.1:PORT (an IP address: the TLS
 *                         layer matches it against the certificate)
 *   CPJ_NOALLOC_CA        the emulator's CA file
 *   CPJ_NOALLOC_AKID, CPJ_NOALLOC_SECRET   the worker's credentials
 *   CPJ_NOALLOC_PROVIDER  the job's action provider
 *   CPJ_NOALLOC_WARMUP    a provider with no job (the setup's poll)
 *   CPJ_NOALLOC_BUCKET, CPJ_NOALLOC_WARMUP_KEY  an object for the setup's
 *                         S3 request
 * Run without them (as tests/run.sh does), it says so and exits 0: the
 * driver runs it.
 *
 * The setup opens both connections (CodePipeline and S3) before the
 * counter starts: the POSIX port's getaddrinfo() allocates inside the C
 * library, once per connection. The test also checks that the job
 * itself opened no connection, so no resolver ran while counting.
 *
 * Counting: in the plain build this program defines malloc and friends
 * (they interpose the C library's, whose __libc_* entry points they call);
 * under AddressSanitizer, which owns malloc, it installs the sanitizer's
 * allocation hooks instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpj.h"
#include "cpj_s3.h"
#include "harness.h"

static volatile int counting;
static volatile unsigned long allocs;

#if defined(__SANITIZE_ADDRESS__)
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *));

static void
on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	if (counting)
		allocs++;
}

static void
on_free(const volatile void *p)
{
	(void)p;
}

static void
counter_setup(void)
{
	(void)__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);

void *
malloc(size_t n)
{
	if (counting)
		allocs++;
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	if (counting)
		allocs++;
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	if (counting)
		allocs++;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	if (counting)
		allocs++;
	*out = __libc_memalign(align, n);
	return *out != NULL ? 0 : 12;
}

static void
counter_setup(void)
{
}
#endif

/* ---- what the job uses: all static ---------------------------------- */

static cpj_tls_anchors anchors;
static br_x509_trust_anchor slots[8];
static unsigned char arena[4096];
static cpj_tls_context cp_tls, s3_tls;
static cpj_http_client cp_http, s3_http;
static cpj_cp_context cp;
static cpj_s3_context s3;
static cpj_creds worker;
static unsigned char cp_work[32768];
static unsigned char s3_work[16384];
static cpj_jobs_parser parser;
static char window[CPJ_JOB_WINDOW];
static cpj_json_tok tokens[CPJ_JSON_TOKENS_MAX];
static cpj_job jobs[1];
static char storage[CPJ_JOB_WINDOW];
static cpj_cp_jobs_buf jb;
static char file[16384];
static unsigned char got[65536];
static size_t got_len;
static cpj_creds art;    /* the job's artifact credentials */
static char job_id[64], bucket[256], in_key[1100], out_key[1100];
static char kms[512];
static const unsigned char *src_p;
static size_t src_left;

static int
sink(void *ctx, const unsigned char *d, size_t n)
{
	(void)ctx;
	if (n > sizeof got - got_len)
		return CPJ_ERR_NOSPACE;
	memcpy(got + got_len, d, n);
	got_len += n;
	return 0;
}

static int
discard(void *ctx, const unsigned char *d, size_t n)
{
	(void)ctx;
	(void)d;
	(void)n;
	return 0;
}

static int
source(void *ctx, unsigned char *b, size_t n)
{
	(void)ctx;
	if (n > src_left)
		n = src_left;
	memcpy(b, src_p, n);
	src_p += n;
	src_left -= n;
	return (int)n;
}

static int
copy(char *dst, size_t cap, const cpj_job_str *s)
{
	if (s->len >= cap)
		return -1;
	memcpy(dst, s->p, s->len + 1);
	return 0;
}

static const char *
need(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static int
setup(void)
{
	cpj_cp_action_type at;
	cpj_s3_get_options g;
	FILE *f;
	size_t n;
	int rc;

	CHECK(cpj_tls_anchors_init(&anchors, slots, 8, arena, sizeof arena,
	    0) == 0);
	f = fopen(need("CPJ_NOALLOC_CA"), "rb");
	CHECK(f != NULL);
	n = fread(file, 1, sizeof file, f);
	fclose(f);
	CHECK(cpj_tls_anchors_add_pem(&anchors, file, n) == 0);
	CHECK(cpj_tls_anchors_finish(&anchors) > 0);
	CHECK(cpj_tls_init(&cp_tls, &anchors) == 0);
	CHECK(cpj_tls_init(&s3_tls, &anchors) == 0);
	cpj_http_client_init(&cp_http, &cp_tls);
	cpj_http_client_init(&s3_http, &s3_tls);
	CHECK(cpj_http_client_set_url(&cp_http, need("CPJ_NOALLOC_ENDPOINT"))
	    == 0);
	CHECK(cpj_cp_init(&cp, &cp_http, "us-east-1", cp_work,
	    sizeof cp_work) == 0);
	CHECK(cpj_creds_set(&worker, need("CPJ_NOALLOC_AKID"),
	    need("CPJ_NOALLOC_SECRET"), NULL, 0) == 0);
	CHECK(cpj_cp_set_credentials(&cp, &worker) == 0);
	CHECK(cpj_s3_init(&s3, &s3_http, "us-east-1", s3_work,
	    sizeof s3_work) == 0);
	CHECK(cpj_s3_set_endpoint(&s3, need("CPJ_NOALLOC_ENDPOINT"),
	    CPJ_S3_PATH_STYLE) == 0);
	jb.parser = &parser;
	jb.window = window;
	jb.window_len = sizeof window;
	jb.tokens = tokens;
	jb.ntokens = CPJ_JSON_TOKENS_MAX;
	jb.jobs = jobs;
	jb.max_jobs = 1;
	jb.storage = storage;
	jb.storage_len = sizeof storage;

	/* warm up: one request on each connection (getaddrinfo, TLS) */
	at.category = "Deploy";
	at.owner = "Custom";
	at.provider = need("CPJ_NOALLOC_WARMUP");
	at.version = "1";
	rc = cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb);
	CHECK_EQ(rc, 0);
	CHECK(cpj_s3_set_credentials(&s3, &worker) == 0);
	memset(&g, 0, sizeof g);
	g.sink = discard;
	rc = cpj_s3_get_object(&s3, need("CPJ_NOALLOC_BUCKET"),
	    need("CPJ_NOALLOC_WARMUP_KEY"), &g);
	CHECK_EQ(rc, 0);
	return 0;
}

static uint32_t cp_connects, s3_connects;

/* The job; counted. */
static int
job(void)
{
	cpj_cp_action_type at;
	cpj_s3_get_options g;
	cpj_s3_put_options p;
	cpj_cp_success s;
	cpj_cp_kv vars[2];
	char status[32], size[32];
	int rc;

	cp_connects = cp_http.connects;
	s3_connects = s3_http.connects;
	at.category = "Deploy";
	at.owner = "Custom";
	at.provider = need("CPJ_NOALLOC_PROVIDER");
	at.version = "1";
	rc = cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb);
	CHECK_EQ(rc, 1);
	CHECK_EQ(jobs[0].err, 0);
	CHECK(copy(job_id, sizeof job_id, &jobs[0].id) == 0);
	rc = cpj_cp_acknowledge_job(&cp, job_id, jobs[0].nonce.p, NULL,
	    status, sizeof status);
	CHECK_EQ(rc, 0);
	CHECK(strcmp(status, "InProgress") == 0);
	rc = cpj_cp_get_job_details(&cp, job_id, NULL, &jb);
	CHECK_EQ(rc, 1);
	CHECK(jobs[0].data.input_artifacts_count == 1);
	CHECK(jobs[0].data.output_artifacts_count == 2);
	CHECK(copy(art.akid, sizeof art.akid,
	    &jobs[0].data.artifact_credentials.access_key_id) == 0);
	CHECK(copy(art.secret, sizeof art.secret,
	    &jobs[0].data.artifact_credentials.secret_access_key) == 0);
	CHECK(copy(art.token, sizeof art.token,
	    &jobs[0].data.artifact_credentials.session_token) == 0);
	CHECK(copy(bucket, sizeof bucket, &jobs[0].data.input_artifacts[0]
	    .location.s3_location.bucket_name) == 0);
	CHECK(copy(in_key, sizeof in_key, &jobs[0].data.input_artifacts[0]
	    .location.s3_location.object_key) == 0);
	CHECK(copy(kms, sizeof kms, &jobs[0].data.encryption_key.id) == 0);
	CHECK(cpj_s3_set_credentials(&s3, &art) == 0);

	memset(&g, 0, sizeof g);
	g.sink = sink;
	got_len = 0;
	rc = cpj_s3_get_object(&s3, bucket, in_key, &g);
	CHECK_EQ(rc, 0);
	CHECK(got_len > 0);

	/* output 1: memory body, SHA-256 signed */
	CHECK(copy(out_key, sizeof out_key, &jobs[0].data.output_artifacts[0]
	    .location.s3_location.object_key) == 0);
	memset(&p, 0, sizeof p);
	p.body = got;
	p.body_len = got_len;
	p.sse = "aws:kms";
	p.kms_key_id = kms;
	rc = cpj_s3_put_object(&s3, bucket, out_key, &p);
	CHECK_EQ(rc, 0);
	/* output 2: streamed, UNSIGNED-PAYLOAD */
	CHECK(copy(out_key, sizeof out_key, &jobs[0].data.output_artifacts[1]
	    .location.s3_location.object_key) == 0);
	memset(&p, 0, sizeof p);
	src_p = got;
	src_left = got_len;
	p.read = source;
	p.length = got_len;
	p.payload = CPJ_S3_PAYLOAD_UNSIGNED;
	p.sse = "aws:kms";
	p.kms_key_id = kms;
	rc = cpj_s3_put_object(&s3, bucket, out_key, &p);
	CHECK_EQ(rc, 0);

	snprintf(size, sizeof size, "%lu", (unsigned long)got_len);
	cpj_cp_success_init(&s);
	s.summary = "no allocation";
	s.percent_complete = 100;
	vars[0].key = "Bytes";
	vars[0].value = size;
	vars[1].key = "Mode";
	vars[1].value = "noalloc";
	s.output_variables = vars;
	s.output_variables_count = 2;
	rc = cpj_cp_put_job_success(&cp, job_id, NULL, &s);
	CHECK_EQ(rc, 0);
	cpj_s3_clear(&s3);
	cpj_job_wipe(&jobs[0]);
	return 0;
}

int
main(void)
{
	int rc;

	if (need("CPJ_NOALLOC_ENDPOINT") == NULL) {
		printf("SKIP test_job_noalloc: run by "
		    "tests/scripts/test_agent_noalloc.py (needs the emulator)\n");
		return 0;
	}
	counter_setup();
	rc = setup();
	h_report("job_noalloc_setup", rc);
	if (rc != 0)
		return 1;
	counting = 1;
	rc = job();
	counting = 0;
	h_report("job_noalloc_job_completed", rc);
	printf("allocations during the job: %lu; new connections: %u "
	    "(CodePipeline) + %u (S3)\n", allocs,
	    (unsigned)(cp_http.connects - cp_connects),
	    (unsigned)(s3_http.connects - s3_connects));
	h_report("job_noalloc_no_new_connection",
	    cp_http.connects == cp_connects && s3_http.connects == s3_connects
	    ? 0 : __LINE__);
	h_report("job_noalloc_zero_allocations", allocs == 0 ? 0 : __LINE__);
	cpj_cp_clear(&cp);
	cpj_creds_clear(&worker);
	cpj_http_client_close(&cp_http);
	cpj_http_client_close(&s3_http);
	return H_EXIT();
}

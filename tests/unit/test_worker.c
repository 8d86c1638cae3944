/*
 * test_worker.c -- the worker facade (cpj_worker.h) over the mock port:
 * configuration checks, the regional endpoint, CA bundles from a file and
 * from memory in the caller's store, poll / acknowledge / details /
 * success / failure requests, the credentials provider and its refresh,
 * close wiping secrets, and the library's run-time log level. Prints
 * sizeof(cpj_worker) (the RAM figure of cpj_worker.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "cpj_worker.h"
#include "mock/mock_port.h"

#define T0 1440938160   /* mock wall clock: 2015-08-30T12:36:00Z */
#define JOB "11111111-2222-3333-4444-555555555555"

static cpj_worker w;
static cpj_creds creds;
static unsigned char store[CPJ_WORKER_CA_STORE(8) + 16];
static unsigned fetches;
static int64_t fetch_expires;

static int
provider(void *arg, cpj_creds *out)
{
	fetches++;
	if (arg != NULL)
		return CPJ_ERR_CREDS_REFUSED;
	return cpj_creds_set(out, "AKIDPROVIDED", "provided-secret", "tok",
	    fetch_expires);
}

static void
base(cpj_worker_config *c)
{
	memset(c, 0, sizeof *c);
	c->region = "us-east-1";
	c->endpoint_url = "http://codepipeline.us-east-1.amazonaws.com";
	c->creds = &creds;
	c->action.category = "Deploy";
	c->action.provider = "EdgeDeploy";
}

static void
setup(void)
{
	mock_port_reset();
	mock_port_set_time_unix(T0);
	fetches = 0;
	fetch_expires = 0;
	(void)cpj_creds_set(&creds, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL, 0);
}

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

static void
conn(const char *status, const char *body)
{
	static char bufs[8][4096];
	static unsigned next;
	char *b = bufs[next++ % 8];
	int n;

	n = snprintf(b, sizeof bufs[0], "HTTP/1.1 %s\r\nConnection: close\r\n"
	    "Content-Length: %u\r\n\r\n%s", status, (unsigned)strlen(body),
	    body);
	mock_port_add_conn(b, (size_t)n);
}

static int
config_checks(void)
{
	cpj_worker_config c;

	setup();
	CHECK_EQ(cpj_worker_init(NULL, NULL), CPJ_ERR_PARAM);
	CHECK_EQ(cpj_worker_init(&w, NULL), CPJ_ERR_PARAM);
	base(&c);
	c.region = NULL;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.creds = NULL;                 /* no credentials */
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.creds_fn = provider;          /* both */
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.action.provider = NULL;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.action.provider = "ThisProviderNameIsFarTooLongForTheWorker";
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.max_jobs = CPJ_WORKER_JOBS + 1;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.ca_pem = "x";                 /* a bundle needs a store */
	c.ca_pem_len = 1;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	base(&c);
	c.endpoint_url = "ftp://example.com";
	CHECK(cpj_worker_init(&w, &c) < 0);
	cpj_worker_close(&w);           /* harmless after a failed init */
	cpj_worker_close(&w);
	/* calls on a worker that is not set up */
	CHECK_EQ(cpj_worker_acknowledge(&w, NULL), CPJ_ERR_STATE);
	CHECK_EQ(cpj_worker_success(&w, JOB, NULL), CPJ_ERR_STATE);
	CHECK_EQ(mock_port_connects(), 0);
	return 0;
}

static int
regional_endpoint(void)
{
	cpj_worker_config c;

	setup();
	base(&c);
	c.endpoint_url = NULL;
	c.region = "cn-north-1";
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK(strcmp(w.http.authority,
	    "codepipeline.cn-north-1.amazonaws.com.cn") == 0);
	cpj_worker_close(&w);
	c.region = "Not A Region";
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	return 0;
}

/* Read a PEM file of the fuzz corpus (relative to $CPJ_TOP). */
static size_t
corpus(const char *name, char *buf, size_t cap)
{
	char path[512];
	const char *top = getenv("CPJ_TOP");
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/pem/%s",
	    top != NULL ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static int
ca_bundles(void)
{
	static char pem[8192];
	char path[512];
	const char *top = getenv("CPJ_TOP");
	cpj_worker_config c;
	size_t n = corpus("bundle", pem, sizeof pem);

	CHECK(n > 0);
	setup();
	/* in memory, the store not aligned */
	base(&c);
	c.ca_pem = pem;
	c.ca_pem_len = n;
	c.ca_store = store + 1;
	c.ca_store_len = sizeof store - 1;
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK(cpj_tls_anchors_ready(&w.anchors));
	CHECK_EQ(w.anchors.count, 2);   /* the 2 CAs (not the leaf), no built-in */
	cpj_worker_close(&w);
	/* a store of one anchor is too small */
	c.ca_store_len = CPJ_WORKER_CA_STORE(1) + 16;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_TLS_ANCHORS);
	c.ca_store_len = 8;             /* not even one slot */
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_PARAM);
	/* no CA certificate in it */
	c.ca_pem = "no certificate here\n";
	c.ca_pem_len = strlen(c.ca_pem);
	c.ca_store_len = sizeof store - 1;
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_TLS_ANCHORS);
	/* from a file */
	base(&c);
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/pem/bundle",
	    top != NULL ? top : ".");
	c.ca_file = path;
	c.ca_store = store;
	c.ca_store_len = sizeof store;
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK_EQ(w.anchors.count, 2);
	cpj_worker_close(&w);
	c.ca_file = "/nonexistent/ca.pem";
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_IO);
	/* no bundle: the compiled-in anchors */
	base(&c);
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK_EQ(w.anchors.count, CPJ_TLS_BUILTIN_ANCHORS);
	cpj_worker_close(&w);
	return 0;
}

static int
calls(void)
{
	cpj_worker_config c;
	const cpj_job *jobs, *job;
	cpj_cp_success s;

	setup();
	base(&c);
	c.max_jobs = 1;
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK_EQ(cpj_worker_poll(&w, NULL), CPJ_ERR_PARAM);
	conn("200 OK", "{\"jobs\":[{\"id\":\"" JOB "\",\"nonce\":\"3\","
	    "\"accountId\":\"123456789012\"}]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 1);
	CHECK(strcmp(jobs[0].id.p, JOB) == 0);
	CHECK(strstr(sent(0), "X-Amz-Target: CodePipeline_20150709."
	    "PollForJobs\r\n") != NULL);
	CHECK(strstr(sent(0), "\"actionTypeId\":{\"category\":\"Deploy\","
	    "\"owner\":\"Custom\",\"provider\":\"EdgeDeploy\",\"version\":"
	    "\"1\"},\"maxBatchSize\":1") != NULL);
	conn("200 OK", "{\"status\":\"InProgress\"}");
	CHECK_EQ(cpj_worker_acknowledge(&w, &jobs[0]), 0);
	CHECK(strstr(sent(1), "{\"jobId\":\"" JOB "\",\"nonce\":\"3\"}")
	    != NULL);
	conn("200 OK", "{\"status\":\"Dispatched\"}");
	CHECK_EQ(cpj_worker_acknowledge(&w, &jobs[0]), 1);
	CHECK(strcmp(w.status, "Dispatched") == 0);
	/* details: the id may point into the jobs it replaces */
	conn("200 OK", "{\"jobDetails\":{\"id\":\"" JOB "\","
	    "\"accountId\":\"123456789012\"}}");
	CHECK_EQ(cpj_worker_get_details(&w, jobs[0].id.p, &job), 1);
	CHECK(job == &w.jobs[0] && strcmp(job->id.p, JOB) == 0);
	CHECK(strstr(sent(3), "{\"jobId\":\"" JOB "\"}") != NULL);
	conn("200 OK", "{}");
	CHECK_EQ(cpj_worker_success(&w, JOB, NULL), 0);
	CHECK(strstr(sent(4), "PutJobSuccessResult") != NULL);
	cpj_cp_success_init(&s);
	s.summary = "done";
	conn("200 OK", "{}");
	CHECK_EQ(cpj_worker_success(&w, JOB, &s), 0);
	CHECK(strstr(sent(5), "\"summary\":\"done\"") != NULL);
	conn("200 OK", "{}");
	CHECK_EQ(cpj_worker_failure(&w, JOB, NULL, "broke"), 0);
	CHECK(strstr(sent(6), "{\"jobId\":\"" JOB "\",\"failureDetails\":"
	    "{\"type\":\"JobFailed\",\"message\":\"broke\"}}") != NULL);
	/* an AWS error keeps its details in w.cp */
	conn("400 Bad Request", "{\"__type\":\"InvalidNonceException\","
	    "\"message\":\"nope\"}");
	CHECK_EQ(cpj_worker_failure(&w, JOB, "ConfigurationError", "x"),
	    CPJ_ERR_API_INVALID_NONCE);
	CHECK(strcmp(w.cp.code, "InvalidNonceException") == 0);
	cpj_worker_close(&w);
	CHECK_EQ(cpj_worker_poll(&w, &jobs), CPJ_ERR_STATE);
	CHECK(jobs == NULL);
	CHECK_EQ(mock_port_misuse(), 0);
	return 0;
}

static int
credentials_provider(void)
{
	static const char zero[sizeof(cpj_creds)];
	cpj_worker_config c;
	const cpj_job *jobs;
	const char *expired = "{\"__type\":\"ExpiredTokenException\","
	    "\"message\":\"expired\"}";

	setup();
	base(&c);
	c.creds = NULL;
	c.creds_fn = provider;
	c.creds_arg = &fetches;         /* non-NULL: the provider refuses */
	CHECK_EQ(cpj_worker_init(&w, &c), CPJ_ERR_CREDS_REFUSED);
	c.creds_arg = NULL;
	fetch_expires = T0 + 3600;
	fetches = 0;
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	CHECK_EQ(fetches, 1);
	conn("200 OK", "{\"jobs\":[]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 0);
	CHECK_EQ(fetches, 1);
	CHECK(strstr(sent(0), "Credential=AKIDPROVIDED/") != NULL);
	/* 5 minutes before expiry: fetched again before the call */
	mock_port_set_time_unix(T0 + 3600 - 300);
	conn("200 OK", "{\"jobs\":[]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 0);
	CHECK_EQ(fetches, 2);
	/* an expired token: fetched again and sent once more, only once */
	mock_port_set_time_unix(T0);
	fetch_expires = 0;
	conn("400 Bad Request", expired);
	conn("200 OK", "{\"jobs\":[]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 0);
	CHECK_EQ(fetches, 3);
	conn("400 Bad Request", expired);
	conn("400 Bad Request", expired);
	conn("200 OK", "{\"jobs\":[]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), CPJ_ERR_API_EXPIRED_TOKEN);
	CHECK_EQ(fetches, 4);
	CHECK_EQ(mock_port_connects(), 6);
	/* a refresh that fails is tried again before the next call */
	mock_port_set_time_unix(T0 + 7200);
	fetch_expires = T0 + 3600;      /* keeps handing out stale ones */
	w.creds.expires = T0;
	w.creds_arg = &fetches;         /* the provider refuses */
	CHECK_EQ(cpj_worker_poll(&w, &jobs), CPJ_ERR_CREDS_REFUSED);
	CHECK_EQ(fetches, 5);
	CHECK(!cpj_creds_present(&w.creds));
	w.creds_arg = NULL;
	fetch_expires = 0;
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 0);
	CHECK_EQ(fetches, 6);
	CHECK_EQ(mock_port_connects(), 7);
	cpj_worker_close(&w);
	CHECK(memcmp(&w.creds, zero, sizeof zero) == 0);
	return 0;
}

static int
close_wipes(void)
{
	cpj_worker_config c;
	const cpj_job *jobs;

	setup();
	base(&c);
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	conn("200 OK", "{\"jobs\":[{\"id\":\"" JOB "\",\"nonce\":\"3\","
	    "\"data\":{\"artifactCredentials\":{\"accessKeyId\":\"AKIDJOB\","
	    "\"secretAccessKey\":\"JOBSECRETKEY\",\"sessionToken\":\"t\"}}}]}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), 1);
	CHECK(strcmp(jobs[0].data.artifact_credentials.secret_access_key.p,
	    "JOBSECRETKEY") == 0);
	cpj_worker_close(&w);
	/* storage, window, tokens: nowhere in the worker */
	CHECK(!h_contains(&w, sizeof w, "JOBSECRETKEY"));
	return 0;
}

/*
 * A poll whose 200 is cut inside a job, after its artifact credentials
 * (long strings wait at the end of the token array while a job streams
 * in): the call fails, its parse ends with it, and close leaves the
 * secrets nowhere in the worker.
 */
static int
cut_poll_wipes(void)
{
	static char reply[4096];
	cpj_worker_config c;
	const cpj_job *jobs;
	int n;

	setup();
	base(&c);
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	n = snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 400\r\n\r\n{\"jobs\":[{\"id\":\"" JOB "\","
	    "\"nonce\":\"3\",\"data\":{\"artifactCredentials\":{"
	    "\"accessKeyId\":\"AKIDJOB\",\"secretAccessKey\":"
	    "\"JOBSECRETKEYJOBSECRETKEYJOBSECRETKEY42\",\"sessionToken\":"
	    "\"JOBSESSIONTOKENJOBSESSIONTOKENJOBSESSION\"},\"pipelineContext\":"
	    "{\"pipelineName\":\"p\"");
	CHECK(n > 0 && (size_t)n < sizeof reply);
	mock_port_add_conn(reply, (size_t)n);
	mock_port_fault_at(0, (size_t)n, CPJ_ERR_NET_RESET);
	CHECK(cpj_worker_poll(&w, &jobs) < 0);
	/* the parse ended with the call: the job's window and the token
	   array are clean (the raw bytes in the work buffer go at close) */
	CHECK(!h_contains(w.tokens, sizeof w.tokens, "JOBSECRETKEYJOBSECRETKEY"));
	CHECK(!h_contains(w.tokens, sizeof w.tokens, "JOBSESSIONTOKENJOBSESSION"));
	CHECK(!h_contains(w.window, sizeof w.window, "JOBSECRETKEYJOBSECRETKEY"));
	CHECK(!h_contains(w.window, sizeof w.window, "JOBSESSIONTOKENJOBSESSION"));
	cpj_worker_close(&w);
	CHECK(!h_contains(&w, sizeof w, "JOBSECRETKEYJOBSECRETKEY"));
	CHECK(!h_contains(&w, sizeof w, "JOBSESSIONTOKENJOBSESSION"));
	return 0;
}

/* The library's lines below warnings appear only when asked for. */
static int
log_level(void)
{
	cpj_worker_config c;
	const cpj_job *jobs;

	setup();
	base(&c);
	CHECK_EQ(cpj_worker_init(&w, &c), 0);
	conn("400 Bad Request", "{\"__type\":\"ValidationException\"}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), CPJ_ERR_API_VALIDATION);
	CHECK(!mock_port_log_contains("HTTP 400"));     /* an info line */
	cpj_log_set_level(3);
	conn("400 Bad Request", "{\"__type\":\"ValidationException\"}");
	CHECK_EQ(cpj_worker_poll(&w, &jobs), CPJ_ERR_API_VALIDATION);
	CHECK(mock_port_log_contains("HTTP 400"));
	cpj_log_set_level(99);          /* clamped to 4 */
	CHECK_EQ(cpj_log_level(), 4);
	cpj_log_set_level(-1);
	CHECK_EQ(cpj_log_level(), 0);
	cpj_log_set_level(2);
	cpj_worker_close(&w);
	return 0;
}

int
main(void)
{
	printf("sizeof(cpj_worker) = %u (TLS %u, CodePipeline %u, HTTP %u, "
	    "tokens %u, job slots %u, credentials %u, anchor store %u)\n",
	    (unsigned)sizeof(cpj_worker), (unsigned)sizeof(cpj_tls_context),
	    (unsigned)sizeof(cpj_cp_context), (unsigned)sizeof(cpj_http_client),
	    (unsigned)sizeof w.tokens, (unsigned)sizeof w.jobs,
	    (unsigned)sizeof(cpj_creds), (unsigned)sizeof(cpj_tls_anchors));
	printf("CPJ_WORKER_CA_STORE_SYSTEM = %u\n",
	    (unsigned)CPJ_WORKER_CA_STORE_SYSTEM);
	RUN(config_checks);
	RUN(regional_endpoint);
	RUN(ca_bundles);
	RUN(calls);
	RUN(credentials_provider);
	RUN(close_wipes);
	RUN(cut_poll_wipes);
	RUN(log_level);
	return H_EXIT();
}

/*
 * ex_worker.c -- a complete job worker: poll, acknowledge, work, report.
 *
 * Environment: CPJ_ENDPOINT, CPJ_CA_FILE, CPJ_PROVIDER, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY as for ex_poll_once.c; CPJ_MAX_JOBS (stop after
 * that many jobs) and CPJ_EXIT_WHEN_IDLE (stop after a poll that found
 * none) for tests. A job whose configuration has Outcome=fail is
 * reported as failed; every other one succeeds. Static buffers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpj.h"

#define IDLE_MS 20000

static br_x509_trust_anchor slots[4];
static unsigned char arena[2048], work[16384];
static char pem[4096], window[CPJ_JOB_WINDOW], storage[CPJ_JOB_WINDOW];
static cpj_tls_anchors anchors;
static cpj_tls_context tls;
static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static cpj_jobs_parser parser;
static cpj_json_tok tokens[CPJ_JSON_TOKENS_MAX];
static cpj_job job;

/* The device's work; returns NULL on success, else why it failed. */
static const char *
do_work(const cpj_job *j)
{
	size_t i;

	for (i = 0; i < j->data.configuration_count; i++)
		if (strcmp(j->data.configuration[i].key.p, "Outcome") == 0 &&
		    strcmp(j->data.configuration[i].value.p, "fail") == 0)
			return "the device refused the deployment";
	return NULL;
}

/* Acknowledge a polled job, work it and report the outcome. */
static int
handle(const cpj_job *j)
{
	cpj_cp_success ok;
	cpj_cp_failure bad;
	const char *why;
	char status[32];
	int rc;

	rc = cpj_cp_acknowledge_job(&cp, j->id.p, j->nonce.p, NULL, status,
	    sizeof status);
	if (rc != 0)
		return rc;
	if (strcmp(status, "InProgress") != 0) {
		printf("job %s: %s, skipped\n", j->id.p, status);
		return 0;               /* taken by another worker, or gone */
	}
	if ((why = do_work(j)) == NULL) {
		cpj_cp_success_init(&ok);
		ok.summary = "deployed";
		rc = cpj_cp_put_job_success(&cp, j->id.p, NULL, &ok);
	} else {
		bad.type = "JobFailed";
		bad.message = why;
		bad.external_execution_id = NULL;
		rc = cpj_cp_put_job_failure(&cp, j->id.p, NULL, &bad);
	}
	if (rc == 0)
		printf("job %s: %s\n", j->id.p,
		    why == NULL ? "succeeded" : "failed");
	return rc;
}

static int
setup(void)
{
	const char *ca = getenv("CPJ_CA_FILE");
	FILE *f;
	size_t n;
	int rc;

	if (ca == NULL || (f = fopen(ca, "rb")) == NULL)
		return CPJ_ERR_IO;
	n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	if ((rc = cpj_tls_anchors_init(&anchors, slots, 4, arena, sizeof arena,
	    0)) != 0 || (rc = cpj_tls_anchors_add_pem(&anchors, pem, n)) != 0 ||
	    (rc = cpj_tls_anchors_finish(&anchors)) < 0 ||
	    (rc = cpj_tls_init(&tls, &anchors)) != 0)
		return rc;
	if ((rc = cpj_http_client_set_url(&http, getenv("CPJ_ENDPOINT")))
	    != 0 ||
	    (rc = cpj_cp_init(&cp, &http, "us-east-1", work, sizeof work))
	    != 0 ||
	    (rc = cpj_creds_set(&creds, getenv("AWS_ACCESS_KEY_ID"),
	    getenv("AWS_SECRET_ACCESS_KEY"), NULL, 0)) != 0)
		return rc;
	return cpj_cp_set_credentials(&cp, &creds);
}

int
main(void)
{
	cpj_cp_action_type at = { "Deploy", "Custom", getenv("CPJ_PROVIDER"),
	    "1" };
	cpj_cp_jobs_buf jb = { &parser, window, sizeof window, tokens,
	    CPJ_JSON_TOKENS_MAX, &job, 1, storage, sizeof storage };
	const char *s = getenv("CPJ_MAX_JOBS");
	int idle_exit = getenv("CPJ_EXIT_WHEN_IDLE") != NULL, rc, err;
	long max_jobs, done = 0;

	max_jobs = s != NULL ? strtol(s, NULL, 10) : 0;
	cpj_http_client_init(&http, &tls);      /* no system call */
	if ((rc = setup()) != 0)
		goto out;
	while (max_jobs <= 0 || done < max_jobs) {
		rc = cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb);
		if (rc < 0)
			fprintf(stderr, "poll: %s %s\n", cpj_strerror(rc),
			    cp.code);
		if (rc == 1) {
			/* a job left unreported times out on the service */
			if ((err = job.err) == 0)
				err = handle(&job);
			if (err != 0)
				fprintf(stderr, "job %s: %s %s\n", job.id.p,
				    cpj_strerror(err), cp.code);
			cpj_job_wipe(&job);
			done++;
			continue;
		}
		if (idle_exit)
			break;
		cpj_port_sleep_ms(IDLE_MS);     /* idle, or a failed poll */
	}
out:
	printf("%ld job(s) handled\n", done);
	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	cpj_http_client_close(&http);
	return rc < 0;
}

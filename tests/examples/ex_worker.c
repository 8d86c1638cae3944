/*
 * ex_worker.c -- a complete job worker: poll, acknowledge, work, report.
 *
 * Environment as for ex_poll_once.c (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, CPJ_PROVIDER, CPJ_ENDPOINT, AWS_CA_BUNDLE);
 * CPJ_MAX_JOBS (stop after that many jobs) and CPJ_EXIT_WHEN_IDLE (stop
 * after a poll that found none) for tests. A job whose configuration has
 * Outcome=fail is reported as failed; every other one succeeds. Static
 * buffers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpj_worker.h"

#define IDLE_S 20

static cpj_worker w;
static cpj_creds creds;
static unsigned char ca_store[CPJ_WORKER_CA_STORE(4) + 16];

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
	const char *why;
	int rc;

	if ((rc = cpj_worker_acknowledge(&w, j)) != 0) {
		if (rc == 1)            /* taken by another worker, or gone */
			printf("job %s: %s, skipped\n", j->id.p, w.status);
		return rc < 0 ? rc : 0;
	}
	if ((why = do_work(j)) == NULL)
		rc = cpj_worker_success(&w, j->id.p, NULL);
	else
		rc = cpj_worker_failure(&w, j->id.p, "JobFailed", why);
	if (rc == 0)
		printf("job %s: %s\n", j->id.p,
		    why == NULL ? "succeeded" : "failed");
	return rc;
}

int
main(void)
{
	cpj_worker_config cfg = { 0 };
	const cpj_job *jobs;
	const char *s = getenv("CPJ_MAX_JOBS");
	int idle_exit = getenv("CPJ_EXIT_WHEN_IDLE") != NULL, rc, err;
	long max_jobs, done = 0;

	max_jobs = s != NULL ? strtol(s, NULL, 10) : 0;
	cfg.region = "us-east-1";
	cfg.endpoint_url = getenv("CPJ_ENDPOINT");
	cfg.creds = &creds;
	cfg.action.category = "Deploy";
	cfg.action.provider = getenv("CPJ_PROVIDER");
	cfg.max_jobs = 1;
	cfg.ca_file = getenv("AWS_CA_BUNDLE");
	cfg.ca_store = ca_store;
	cfg.ca_store_len = sizeof ca_store;
	if ((rc = cpj_creds_set(&creds, getenv("AWS_ACCESS_KEY_ID"),
	    getenv("AWS_SECRET_ACCESS_KEY"), NULL, 0)) != 0 ||
	    (rc = cpj_worker_init(&w, &cfg)) != 0)
		goto out;
	while (max_jobs <= 0 || done < max_jobs) {
		rc = cpj_worker_poll(&w, &jobs);
		if (rc < 0)
			fprintf(stderr, "poll: %s %s\n", cpj_strerror(rc),
			    w.cp.code);
		if (rc == 1) {
			/* a job left unreported times out on the service */
			if ((err = jobs[0].err) == 0)
				err = handle(&jobs[0]);
			if (err != 0)
				fprintf(stderr, "job %s: %s %s\n", jobs[0].id.p,
				    cpj_strerror(err), w.cp.code);
			done++;
			continue;
		}
		if (idle_exit)
			break;
		sleep(IDLE_S);          /* idle, or a failed poll */
	}
out:
	printf("%ld job(s) handled\n", done);
	cpj_worker_close(&w);
	cpj_creds_clear(&creds);
	return rc < 0;
}

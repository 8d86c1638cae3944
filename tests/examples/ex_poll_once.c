/*
 * ex_poll_once.c -- poll CodePipeline once and print the jobs.
 *
 * Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, CPJ_PROVIDER (a
 * Custom Deploy action, version 1); CPJ_ENDPOINT (https://host[:port];
 * unset: the us-east-1 endpoint) and AWS_CA_BUNDLE (a PEM bundle, up to a
 * whole system one; unset: the compiled-in Amazon roots). Every buffer is
 * static; nothing is allocated.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpj_worker.h"

static cpj_worker w;
static cpj_creds creds;
static unsigned char ca_store[CPJ_WORKER_CA_STORE_SYSTEM];

int
main(void)
{
	cpj_worker_config cfg = { 0 };
	const cpj_job *jobs;
	int i, rc;

	cfg.region = "us-east-1";
	cfg.endpoint_url = getenv("CPJ_ENDPOINT");
	cfg.creds = &creds;
	cfg.action.category = "Deploy";
	cfg.action.provider = getenv("CPJ_PROVIDER");
	cfg.ca_file = getenv("AWS_CA_BUNDLE");
	cfg.ca_store = ca_store;
	cfg.ca_store_len = sizeof ca_store;
	if ((rc = cpj_creds_set(&creds, getenv("AWS_ACCESS_KEY_ID"),
	    getenv("AWS_SECRET_ACCESS_KEY"), NULL, 0)) == 0 &&
	    (rc = cpj_worker_init(&w, &cfg)) == 0)
		rc = cpj_worker_poll(&w, &jobs);
	for (i = 0; i < rc; i++) {
		if (jobs[i].err != 0)
			printf("job %s: unreadable (%s)\n", jobs[i].id.p,
			    jobs[i].err_field);
		else
			printf("job %s: pipeline %s, %u input artifact(s)\n",
			    jobs[i].id.p,
			    jobs[i].data.pipeline_context.pipeline_name.p,
			    (unsigned)jobs[i].data.input_artifacts_count);
	}
	if (rc < 0)
		fprintf(stderr, "error: %s %s\n", cpj_strerror(rc), w.cp.code);
	else
		printf("%d job(s)\n", rc);
	cpj_worker_close(&w);
	cpj_creds_clear(&creds);
	return rc < 0;
}

/*
 * ex_poll_once.c -- poll CodePipeline once and print the jobs.
 *
 * Environment: CPJ_ENDPOINT (https://host[:port]), CPJ_CA_FILE (PEM),
 * CPJ_PROVIDER (a Custom Deploy action, version 1), AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY. Every buffer is static; nothing is allocated.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpj.h"

#define MAX_JOBS 2

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
static cpj_job jobs[MAX_JOBS];

int
main(void)
{
	cpj_cp_action_type at = { "Deploy", "Custom", getenv("CPJ_PROVIDER"),
	    "1" };
	cpj_cp_jobs_buf jb = { &parser, window, sizeof window, tokens,
	    CPJ_JSON_TOKENS_MAX, jobs, MAX_JOBS, storage, sizeof storage };
	const char *ca = getenv("CPJ_CA_FILE");
	FILE *f;
	size_t n;
	int i, rc;

	cpj_http_client_init(&http, &tls);      /* no system call */
	if (ca == NULL || (f = fopen(ca, "rb")) == NULL)
		return 1;
	n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	if ((rc = cpj_tls_anchors_init(&anchors, slots, 4, arena, sizeof arena,
	    0)) != 0 ||
	    (rc = cpj_tls_anchors_add_pem(&anchors, pem, n)) != 0 ||
	    (rc = cpj_tls_anchors_finish(&anchors)) < 0 ||
	    (rc = cpj_tls_init(&tls, &anchors)) != 0)
		goto out;
	if ((rc = cpj_http_client_set_url(&http, getenv("CPJ_ENDPOINT")))
	    != 0 ||
	    (rc = cpj_cp_init(&cp, &http, "us-east-1", work, sizeof work))
	    != 0 ||
	    (rc = cpj_creds_set(&creds, getenv("AWS_ACCESS_KEY_ID"),
	    getenv("AWS_SECRET_ACCESS_KEY"), NULL, 0)) != 0 ||
	    (rc = cpj_cp_set_credentials(&cp, &creds)) != 0)
		goto out;
	rc = cpj_cp_poll_for_jobs(&cp, &at, MAX_JOBS, NULL, NULL, &jb);
	for (i = 0; i < rc; i++) {
		if (jobs[i].err != 0)
			printf("job %s: unreadable (%s)\n", jobs[i].id.p,
			    jobs[i].err_field);
		else
			printf("job %s: pipeline %s, %u input artifact(s)\n",
			    jobs[i].id.p,
			    jobs[i].data.pipeline_context.pipeline_name.p,
			    (unsigned)jobs[i].data.input_artifacts_count);
		cpj_job_wipe(&jobs[i]);
	}
out:
	if (rc < 0)
		fprintf(stderr, "error: %s %s\n", cpj_strerror(rc), cp.code);
	else
		printf("%d job(s)\n", rc);
	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	cpj_http_client_close(&http);
	return rc < 0;
}

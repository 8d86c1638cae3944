/*
 * ex_fetch_artifact.c -- download a job's input artifact from S3 into a
 * caller-supplied sink, with the job's own artifactCredentials.
 *
 * Polls one job (a real worker acknowledges it first: ex_worker.c) and
 * streams each of its input artifacts through a sink that counts the
 * bytes and hashes them with SHA-256; nothing is stored. A device would
 * write them to flash in the same sink. The S3 endpoint is CPJ_ENDPOINT
 * too (the emulator serves both; on AWS leave the endpoint NULL).
 *
 * Environment as for ex_poll_once.c. Static buffers only.
 */
#include <stdio.h>
#include <stdlib.h>

#include <bearssl.h>

#include "cpj.h"

static br_x509_trust_anchor slots[4];
static unsigned char arena[2048], cp_work[16384], s3_work[16384];
static char pem[4096], window[CPJ_JOB_WINDOW], storage[CPJ_JOB_WINDOW];
static cpj_tls_anchors anchors;
static cpj_tls_context cp_tls, s3_tls;
static cpj_http_client cp_http, s3_http;
static cpj_cp_context cp;
static cpj_s3_context s3;
static cpj_creds creds, acreds;
static cpj_jobs_parser parser;
static cpj_json_tok tokens[CPJ_JSON_TOKENS_MAX];
static cpj_job job;

/* The caller's sink: sees the body piece by piece, as it arrives. */
struct digest {
	br_sha256_context sha;
	unsigned long bytes;
};

static int
digest_sink(void *ctx, const unsigned char *data, size_t len)
{
	struct digest *d = ctx;

	br_sha256_update(&d->sha, data, len);
	d->bytes += len;
	return 0;
}

/* A retried download starts again from its first byte. */
static int
digest_restart(void *ctx)
{
	struct digest *d = ctx;

	br_sha256_init(&d->sha);
	d->bytes = 0;
	return 0;
}

static int
fetch(const cpj_job_artifact *a)
{
	const cpj_job_s3_location *loc = &a->location.s3_location;
	cpj_s3_get_options o = { 0 };
	struct digest d;
	unsigned char hash[32];
	int i, rc;

	(void)digest_restart(&d);
	o.sink = digest_sink;
	o.sink_ctx = &d;
	o.restart = digest_restart;
	rc = cpj_s3_get_object(&s3, loc->bucket_name.p, loc->object_key.p, &o);
	if (rc != 0) {
		fprintf(stderr, "%s: %s %s\n", a->name.p, cpj_strerror(rc),
		    s3.error.code);
		return rc;
	}
	br_sha256_out(&d.sha, hash);
	printf("%s: %lu bytes, sha256 ", a->name.p, d.bytes);
	for (i = 0; i < 32; i++)
		printf("%02x", hash[i]);
	printf("\n");
	return 0;
}

static int
setup(void)
{
	const char *ca = getenv("CPJ_CA_FILE"), *url = getenv("CPJ_ENDPOINT");
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
	    (rc = cpj_tls_init(&cp_tls, &anchors)) != 0 ||
	    (rc = cpj_tls_init(&s3_tls, &anchors)) != 0)
		return rc;
	if ((rc = cpj_http_client_set_url(&cp_http, url)) != 0 ||
	    (rc = cpj_cp_init(&cp, &cp_http, "us-east-1", cp_work,
	    sizeof cp_work)) != 0 ||
	    (rc = cpj_s3_init(&s3, &s3_http, "us-east-1", s3_work,
	    sizeof s3_work)) != 0 ||
	    (rc = cpj_s3_set_endpoint(&s3, url, CPJ_S3_PATH_STYLE)) != 0 ||
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
	const cpj_job_credentials *ac = &job.data.artifact_credentials;
	size_t i;
	int rc;

	cpj_http_client_init(&cp_http, &cp_tls);        /* no system call */
	cpj_http_client_init(&s3_http, &s3_tls);
	if ((rc = setup()) != 0 ||
	    (rc = cpj_cp_poll_for_jobs(&cp, &at, 1, NULL, NULL, &jb)) <= 0) {
		if (rc == 0)
			printf("no job\n");
		goto out;
	}
	if ((rc = job.err) != 0)
		goto wipe;
	/* borrowed by s3 until cpj_s3_clear() */
	rc = cpj_creds_set(&acreds, ac->access_key_id.p,
	    ac->secret_access_key.p, ac->session_token.p, 0);
	if (rc == 0)
		rc = cpj_s3_set_credentials(&s3, &acreds);
	for (i = 0; rc == 0 && i < job.data.input_artifacts_count; i++)
		rc = fetch(&job.data.input_artifacts[i]);
	cpj_s3_clear(&s3);
	cpj_creds_clear(&acreds);
wipe:
	cpj_job_wipe(&job);
out:
	if (rc < 0)
		fprintf(stderr, "error: %s\n", cpj_strerror(rc));
	cpj_cp_clear(&cp);
	cpj_creds_clear(&creds);
	cpj_http_client_close(&cp_http);
	cpj_http_client_close(&s3_http);
	return rc < 0;
}

/*
 * run_artifacts.c -- a job's artifacts: checked, downloaded into in/
 * before the handler runs, uploaded from out/ after it, with the job's
 * artifact credentials fetched again (GetJobDetails) when they are old
 * or S3 says they expired. Each confirmed upload is recorded in the
 * state file, so that a restart uploads only what is not confirmed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "run.h"

/* GetJobDetails (fresh artifact credentials) */
static cpj_jobs_parser dparser;
static cpj_job djob;
static char *dstorage;  /* CPJ_JOB_WINDOW bytes of the arena */
static cpj_cp_jobs_buf dbuf;

/* see run.h */
void
run_artifacts_init(const cpj_cp_jobs_buf *poll_buf)
{
	/* the window and tokens are only used while a response is parsed:
	 * GetJobDetails shares the poll's */
	dbuf.parser = &dparser;
	dbuf.window = poll_buf->window;
	dbuf.window_len = poll_buf->window_len;
	dbuf.tokens = poll_buf->tokens;
	dbuf.ntokens = poll_buf->ntokens;
	dbuf.jobs = &djob;
	dbuf.max_jobs = 1;
	if (dstorage == NULL)
		dstorage = agent_arena_take(CPJ_JOB_WINDOW);
	dbuf.storage = dstorage;
	dbuf.storage_len = CPJ_JOB_WINDOW;
}

/* The region of the pipeline's ARN (arn:aws:codepipeline:REGION:...),
 * where its artifact store is, else the agent's. */
static void
job_region(const cpj_job *job, char *out, size_t cap)
{
	const char *p = job->data.pipeline_context.pipeline_arn.p, *e;
	int field;
	size_t n, k;

	for (field = 0; field < 3 && p != NULL; field++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	e = p != NULL ? strchr(p, ':') : NULL;
	n = e != NULL ? (size_t)(e - p) : 0;
	for (k = 0; k < n && n <= 30 && n < cap; k++) {
		if (!((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0'
		    && p[k] <= '9') || p[k] == '-'))
			break;
	}
	if (n == 0 || k < n) {
		fmt_snprintf(out, cap, "%s", cli_region());
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

static int
artifact_name_ok(const cpj_job_str *n)
{
	size_t i;

	if (n->len == 0 || n->len > 100)
		return 0;
	for (i = 0; i < n->len; i++) {
		char c = n->p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
		    || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

struct details_arg {
	const char *id;
	const cpj_cp_jobs_buf *into;
};

static int
details_op(cpj_cp_context *cp, void *arg)
{
	const struct details_arg *a = arg;

	return cpj_cp_get_job_details(cp, a->id, NULL, a->into);
}

/* see run.h */
const cpj_job *
run_job_details(struct run_job *j, const cpj_cp_jobs_buf *into, int *gone,
	int *retry)
{
	struct details_arg a;
	const cpj_job *job = &into->jobs[0];
	int rc;

	a.id = j->st.job_id;
	a.into = into;
	*gone = *retry = 0;
	rc = run_cp_call(details_op, &a);
	if (rc == 1 && (job->err < 0 || strcmp(job->id.p, j->st.job_id) != 0))
		rc = CPJ_ERR_API_RESPONSE;
	else if (rc == 0)
		rc = CPJ_ERR_API_RESPONSE;
	if (rc < 0) {
		char why[sizeof j->err - 32];

		run_cp_error(rc, why, sizeof why);
		fmt_snprintf(j->err, sizeof j->err, "GetJobDetails: %s", why);
		*gone = rc == CPJ_ERR_API_JOB_NOT_FOUND;
		*retry = !*gone && cpj_aws_error_retryable(rc,
		    cli_cp()->http_status);
		cpj_job_wipe(&into->jobs[0]);
		return NULL;
	}
	return job;
}

/* Fresh artifact credentials from GetJobDetails. 0 or -1 (message in
 * j->err). */
static int
refresh_credentials(struct run_job *j)
{
	const cpj_job *job;
	int gone, retry, rc;

	LOG_I("job %s: fetching fresh artifact credentials (GetJobDetails)",
	    j->st.job_id);
	job = run_job_details(j, &dbuf, &gone, &retry);
	if (job == NULL)
		return -1;
	rc = (job->flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS)
	    ? run_s3_credentials(job) : CPJ_ERR_JSON_MISSING;
	cpj_job_wipe(&djob);
	if (rc < 0) {
		fmt_snprintf(j->err, sizeof j->err, "GetJobDetails: %s",
		    cpj_strerror(rc));
		return -1;
	}
	j->data_ms = run_now_ms();
	j->creds_stale = 0;
	return 0;
}

static int
credentials_due(const struct run_job *j)
{
	return j->creds_stale || run_now_ms() - j->data_ms
	    > (uint64_t)run_config()->refresh_after_s * 1000u;
}

/* see run.h */
int
run_artifacts_check(struct run_job *j, struct run_report *r)
{
	const cpj_job *job = j->job;
	const cpj_job_data *d = &job->data;
	size_t i;
	int rc, k;

	job_region(job, j->region, sizeof j->region);
	for (k = 0; k < 2; k++) {       /* the inputs, then the outputs */
		const cpj_job_artifact *a = k ? d->output_artifacts
		    : d->input_artifacts;
		size_t n = k ? d->output_artifacts_count
		    : d->input_artifacts_count;

		for (i = 0; i < n; i++) {
			if (!artifact_name_ok(&a[i].name)) {
				run_fail(j, r, "ConfigurationError", "%s "
				    "artifact name '%s' is not 1..100 of "
				    "[A-Za-z0-9_-]", k ? "output" : "input",
				    a[i].name.p);
				return -1;
			}
		}
	}
	if (d->output_artifacts_count > RUN_OUTPUTS_MAX) {
		run_fail(j, r, "ConfigurationError", "the job has %u output "
		    "artifacts; at most %u are supported",
		    (unsigned)d->output_artifacts_count,
		    (unsigned)RUN_OUTPUTS_MAX);
		return -1;
	}
	if (d->input_artifacts_count + d->output_artifacts_count == 0)
		return 0;
	if (!(job->flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS)) {
		run_fail(j, r, "ConfigurationError", "the job has artifacts "
		    "but no artifactCredentials");
		return -1;
	}
	rc = run_s3_credentials(job);
	if (rc < 0) {
		run_fail(j, r, "JobFailed", "artifact credentials: %s",
		    cpj_strerror(rc));
		return -1;
	}
	return 0;
}

/* Move one artifact: download (`kms` unused) or upload. Fresh artifact
 * credentials first when they are old, and once more when S3 says they
 * expired. 0, -1 with the failure in `r`, or 1 when a stop interrupted
 * it. */
static int
transfer(struct run_job *j, struct run_report *r, const cpj_job_artifact *a,
	int upload, const char *kms)
{
	const char *dir = upload ? "output" : "input";
	char label[160];
	int rc, again = 0;

	if (!a->location.s3_location_present || (a->location.type.len > 0
	    && strcmp(a->location.type.p, "S3") != 0)) {
		run_fail(j, r, "ConfigurationError", "%s artifact %s has no S3 "
		    "location", dir, a->name.p);
		return -1;
	}
	fmt_snprintf(label, sizeof label, "%s %s", upload ? "upload" : "download",
	    a->name.p);
	for (;;) {
		if (credentials_due(j) && refresh_credentials(j) < 0) {
			run_fail(j, r, "JobFailed", "%s artifact %s: %s", dir,
			    a->name.p, j->err);
			return -1;
		}
		if (upload)
			rc = run_s3_put(j->region, &a->location.s3_location,
			    j->outfd, a->name.p, kms, label, j->err,
			    sizeof j->err);
		else
			rc = run_s3_get(j->region, &a->location.s3_location,
			    j->infd, a->name.p, label, j->err, sizeof j->err);
		if (rc < 0 && run_s3_expired(rc) && !again) {
			again = 1;
			j->creds_stale = 1;     /* fetch them, then again */
			continue;
		}
		break;
	}
	if (rc == CPJ_ERR_CANCELLED && run_stopping())
		return 1;               /* resumed at the next start */
	if (rc < 0) {
		run_fail(j, r, rc == CPJ_ERR_S3_ACCESS_DENIED ? "PermissionError"
		    : "JobFailed", "%s artifact %s: %s", dir, a->name.p, j->err);
		return -1;
	}
	return 0;
}

/* see run.h */
int
run_download(struct run_job *j, struct run_report *r)
{
	const cpj_job_data *d = &j->job->data;
	size_t i;
	int rc;

	for (i = 0; i < d->input_artifacts_count; i++) {
		rc = transfer(j, r, &d->input_artifacts[i], 0, NULL);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* see run.h */
int
run_upload(struct run_job *j, struct run_report *r)
{
	const cpj_job_data *d = &j->job->data;
	const char *kms = d->encryption_key.id.len > 0
	    ? d->encryption_key.id.p : NULL;
	size_t i;
	int rc;

	for (i = 0; i < d->output_artifacts_count; i++) {
		if (j->st.uploaded & ((uint32_t)1 << i)) {
			LOG_I("job %s: output artifact %s was uploaded before "
			    "the restart", j->st.job_id,
			    d->output_artifacts[i].name.p);
			continue;
		}
		rc = transfer(j, r, &d->output_artifacts[i], 1, kms);
		if (rc != 0)
			return rc;
		j->st.uploaded |= (uint32_t)1 << i;
		(void)run_state_write(run_config()->state_abs, &j->st);
	}
	return 0;
}

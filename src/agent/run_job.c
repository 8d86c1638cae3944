/*
 * run_job.c -- the phases of one job, from its acknowledgement to its
 * report, and what a restart does with a job left in flight.
 *
 *   acking -> acked -> downloading -> handler -> uploading -> reporting
 *
 * Each phase is recorded in the state file before it starts; the
 * handler's outcome is recorded before the first upload, so that a
 * restart never runs a handler twice for one acknowledgement nor loses
 * an outcome:
 *
 *   acking, acked, downloading  resumed: acknowledged again (same nonce)
 *                               where needed, GetJobDetails for fresh
 *                               data and artifact credentials, inputs
 *                               downloaded again, the handler run
 *   handler                     reported as failed, or as success with
 *                               the continuation token the handler left
 *   uploading                   the outputs not yet confirmed uploaded
 *                               again, then the recorded outcome sent
 *   reporting                   the recorded outcome sent (again)
 *
 * A job is finished when CodePipeline took its report, or answered that
 * it is no longer in progress (already reported, timed out): then its
 * work directory and the state file go. A report that cannot be
 * delivered waits in run_report.c's pending directory instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define RESULT_NAME "result"
#define ACK_TRIES   4

static int
set_phase(struct run_job *j, int phase)
{
	j->st.phase = phase;
	j->st.since = (int64_t)time(NULL);
	return run_state_write(run_config()->state_abs, &j->st);
}

static void
close_dirs(struct run_job *j)
{
	if (j->infd >= 0)
		close(j->infd);
	if (j->outfd >= 0)
		close(j->outfd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	j->infd = j->outfd = j->dirfd = -1;
}

/* Open the job's directory with in/ and out/; `fresh`: made anew, empty,
 * with tmp/ too. 0, or -1 with the failure in `r`. */
static int
open_dirs(struct run_job *j, int fresh, struct run_report *r)
{
	int wfd, e;

	fmt_snprintf(j->dir, sizeof j->dir, "%s/%s", run_config()->work_dir_abs,
	    j->st.job_id);
	wfd = open(run_config()->work_dir_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0)
		goto fail;
	if (fresh) {
		(void)run_rm_jobdir(wfd, j->st.job_id);
		if (mkdirat(wfd, j->st.job_id, 0700) != 0) {
			e = errno;
			close(wfd);
			errno = e;
			goto fail;
		}
	}
	j->dirfd = openat(wfd, j->st.job_id, O_RDONLY | O_DIRECTORY
	    | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	close(wfd);
	errno = e;
	if (j->dirfd < 0 || (fresh && (mkdirat(j->dirfd, "in", 0700) != 0
	    || mkdirat(j->dirfd, "out", 0700) != 0
	    || mkdirat(j->dirfd, "tmp", 0700) != 0)))
		goto fail;
	j->infd = openat(j->dirfd, "in", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	j->outfd = openat(j->dirfd, "out", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (j->infd < 0 || j->outfd < 0)
		goto fail;
	return 0;
fail:
	run_fail(j, r, "JobFailed", "work directory %s: %s", j->dir,
	    strerror(errno));
	LOG_E("%s", j->msg);
	close_dirs(j);
	return -1;
}

/* The work directory and the state file go; the job is over. */
static void
cleanup(struct run_job *j)
{
	int wfd;

	close_dirs(j);
	wfd = open(run_config()->work_dir_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd >= 0) {
		/* after a crash too: run_rm_jobdir zeroes what secret/
		 * holds before the whole directory goes */
		if (run_rm_jobdir(wfd, j->st.job_id) != 0)
			LOG_W("work directory %s/%s: not all removed: %s",
			    run_config()->work_dir_abs, j->st.job_id,
			    strerror(errno));
		close(wfd);
	}
	(void)run_state_clear(run_config()->state_abs);
	run_s3_clear();
	j->st.job_id[0] = '\0';
}

/* Record the outcome, then upload the outputs not confirmed yet. 0 (the
 * outcome in r), or 1 when a stop interrupted the upload. */
static int
upload(struct run_job *j, struct run_report *r)
{
	struct run_report keep = *r;
	int rc;

	j->st.report = *r;
	(void)set_phase(j, PHASE_UPLOADING);
	rc = run_upload(j, r);
	if (rc == 0)
		*r = keep;
	return rc > 0;
}

/* Everything between the acknowledgement and the report, on fresh data
 * (j->job). 0 with the outcome in r, or 1 when a stop interrupted a
 * transfer (the job stays in flight and resumes at the next start). */
static int
work(struct run_job *j, struct run_report *r)
{
	const cpj_job_data *d = &j->job->data;
	int rc;

	run_report_init(r, REPORT_FAILURE);
	if (open_dirs(j, 1, r) < 0 || run_artifacts_check(j, r) < 0)
		return 0;
	/* before any transfer: a job whose fields do not make a valid
	 * environment fails at once (run_outcome() builds it again after
	 * the downloads: its bytes and a credential refresh's share the
	 * arena) */
	if (run_env_build(j, r) < 0)
		return 0;
	run_env_wipe();
	if (d->input_artifacts_count > 0) {
		(void)set_phase(j, PHASE_DOWNLOADING);
		rc = run_download(j, r);
		if (rc != 0)
			return rc > 0;
	}
	run_outcome(j, r);
	run_secrets_wipe(j);    /* (done already, whatever happened) */
	if (r->kind == REPORT_SUCCESS && r->continuation_token == NULL
	    && d->output_artifacts_count > 0)
		return upload(j, r);
	return 0;
}

/* Send the outcome and finish the job. 0 done (delivered or pending),
 * 1 still in flight in the state file. */
static int
finish(struct run_job *j, struct run_report *r)
{
	int rc = run_report_finish(j, r);

	j->job = NULL;
	if (rc == 2) {
		close_dirs(j);
		return 1;
	}
	cleanup(j);
	return 0;
}

/* Work the job j->job (secrets noted for the log), then finish it. */
static int
work_and_finish(struct run_job *j)
{
	struct run_report r;
	int rc;

	run_secrets_note(j->job);
	rc = work(j, &r);
	/* the job's data (and so the values) go with its buffer */
	run_secrets_forget();
	if (rc != 0) {
		LOG_W("job %s: interrupted in phase %s; it resumes at the next "
		    "start", j->st.job_id, run_phase_name(j->st.phase));
		j->job = NULL;
		close_dirs(j);
		return 1;
	}
	return finish(j, &r);
}

struct ack_arg {
	const char *id, *nonce;
	char status[32];
};

static int
ack_op(cpj_cp_context *cp, void *arg)
{
	struct ack_arg *a = arg;

	return cpj_cp_acknowledge_job(cp, a->id, a->nonce, NULL, a->status,
	    sizeof a->status);
}

/* AcknowledgeJob, tried ACK_TRIES times. 1 acknowledged (InProgress),
 * 0 not ours (the state file is cleared), -1 failed (try later). */
static int
acknowledge(struct run_job *j)
{
	struct ack_arg a;
	int rc = 0, tries;

	a.id = j->st.job_id;
	a.nonce = j->st.nonce;
	for (tries = 0; tries < ACK_TRIES; tries++) {
		rc = run_cp_call(ack_op, &a);
		if (rc == 0 || rc == CPJ_ERR_API_INVALID_NONCE
		    || rc == CPJ_ERR_API_JOB_NOT_FOUND || run_stopping())
			break;
		run_cp_error(rc, j->err, sizeof j->err);
		LOG_W("job %s: AcknowledgeJob: %s; retrying", j->st.job_id,
		    j->err);
		if (tries + 1 < ACK_TRIES && run_sleep_ms(run_backoff_ms(2000,
		    (unsigned)tries, 16000)))
			break;
	}
	if (rc == CPJ_ERR_API_INVALID_NONCE || rc == CPJ_ERR_API_JOB_NOT_FOUND) {
		LOG_W("job %s: AcknowledgeJob: %s: skipped", j->st.job_id,
		    cli_cp()->code);
		(void)run_state_clear(run_config()->state_abs);
		return 0;
	}
	if (rc < 0) {
		run_cp_error(rc, j->err, sizeof j->err);
		LOG_E("job %s: AcknowledgeJob failed: %s", j->st.job_id, j->err);
		return -1;
	}
	if (strcmp(a.status, "InProgress") != 0) {
		LOG_W("job %s: status %s after AcknowledgeJob: skipped",
		    j->st.job_id, a.status);
		(void)run_state_clear(run_config()->state_abs);
		return 0;
	}
	return 1;
}

/* The failure of a job the parser could not read whole: the field and
 * why (cpj_jobs.h: err_field, err_detail, err_key). */
static void
unreadable(struct run_job *j, const cpj_job *job, struct run_report *r)
{
	const char *why = job->err_detail != NULL ? job->err_detail
	    : cpj_strerror(job->err);

	if (job->err_key != NULL)
		run_fail(j, r, "ConfigurationError", "configuration value %s "
		    "%s%s", job->err_key, why, job->err == CPJ_ERR_JSON_ESCAPE
		    ? ", which a handler's environment cannot hold" : "");
	else
		run_fail(j, r, "ConfigurationError", "the job cannot be handed "
		    "to a handler: %s: %s", job->err_field != NULL
		    ? job->err_field : "job", why);
}

/* see run.h */
int
run_job(struct run_job *j, cpj_job *job, uint64_t polled_ms)
{
	struct run_report r;
	int rc;

	/* (an id or nonce with U+0000, CPJ_JOB_F_HAS_NUL, is no C string) */
	if (job->id.len == 0 || strlen(job->id.p) != job->id.len
	    || cpj_cp_check_job_id(job->id.p) < 0) {
		LOG_E("a job without a valid id was ignored (%s)", job->err < 0
		    ? cpj_strerror(job->err) : "malformed id");
		return 0;
	}
	if (job->nonce.len == 0 || job->nonce.len >= sizeof j->st.nonce
	    || strlen(job->nonce.p) != job->nonce.len) {
		LOG_E("job %s: its nonce could not be read (%s%s%s), so it "
		    "cannot be acknowledged", job->id.p, job->err < 0
		    && job->err_field != NULL ? job->err_field : "", job->err < 0
		    && job->err_field != NULL ? ": " : "", job->err < 0
		    ? cpj_strerror(job->err) : "absent, not a string, or over "
		    "50 bytes");
		return 0;
	}
	memset(&j->st, 0, sizeof j->st);
	fmt_snprintf(j->st.job_id, sizeof j->st.job_id, "%s", job->id.p);
	fmt_snprintf(j->st.nonce, sizeof j->st.nonce, "%s", job->nonce.p);
	j->data_ms = polled_ms;
	j->creds_stale = 0;
	if (set_phase(j, PHASE_ACKING) < 0) {
		LOG_E("job %s: not acknowledged: the state file cannot be "
		    "written", j->st.job_id);
		return 0;       /* (nothing in flight: the job times out) */
	}
	rc = acknowledge(j);
	if (rc <= 0)
		return rc < 0;  /* failed: run_recover() goes on with it */
	(void)set_phase(j, PHASE_ACKED);
	if (job->err < 0) {
		unreadable(j, job, &r);
		LOG_E("job %s: acknowledged, and failed: %s", j->st.job_id,
		    j->msg);
		return finish(j, &r);
	}
	LOG_I("job %s: acknowledged (pipeline %s, stage %s, action %s%s)",
	    j->st.job_id, job->data.pipeline_context.pipeline_name.p,
	    job->data.pipeline_context.stage.name.p,
	    job->data.pipeline_context.action.name.p,
	    job->data.continuation_token.len > 0 ? ", continued" : "");
	j->job = job;
	return work_and_finish(j);
}

/* Fresh data for the job in flight (GetJobDetails into jb's first
 * slot). The job, or NULL: then *rc says what recovery returns (and the
 * job may have been failed or dropped). */
static const cpj_job *
fresh_data(struct run_job *j, const cpj_cp_jobs_buf *jb, int *rc)
{
	struct run_report r;
	const cpj_job *job;
	int gone, retry;

	job = run_job_details(j, jb, &gone, &retry);
	if (job != NULL) {
		j->data_ms = run_now_ms();
		j->creds_stale = 0;
		return job;
	}
	LOG_W("job %s: %s", j->st.job_id, j->err);
	if (gone) {
		LOG_W("job %s: CodePipeline no longer knows it: dropped",
		    j->st.job_id);
		cleanup(j);
		*rc = 0;
	} else if (retry) {
		*rc = 1;
	} else {
		run_fail(j, &r, "JobFailed", "the agent restarted and could not "
		    "resume the job: %s", j->err);
		*rc = finish(j, &r);
	}
	return NULL;
}

/* A restart during the handler: failed, unless the handler left a
 * continuation token. */
static void
handler_interrupted(struct run_job *j, struct run_report *r, int startup)
{
	struct run_report res;

	j->dirfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (j->dirfd >= 0 && run_result_read(j->dirfd, RESULT_NAME, &res,
	    j->err, sizeof j->err) > 0 && res.continuation_token != NULL) {
		*r = res;
		r->kind = REPORT_SUCCESS;
		r->nvars = 0;
		r->failure_type = NULL;
		r->message = NULL;
		LOG_W("job %s: the handler left a continuation token: the job "
		    "continues", j->st.job_id);
		return;
	}
	run_fail(j, r, "JobFailed", "%s during the handler (phase handler); "
	    "the job did not complete", startup ? "agent restarted"
	    : "agent lost contact with CodePipeline");
}

/* see run.h */
int
run_recover(struct run_job *j, const cpj_cp_jobs_buf *jb, int startup)
{
	struct run_report r;
	const cpj_job *job;
	int rc;

	rc = run_state_read(run_config()->state_abs, &j->st);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		char aside[RUN_PATH_MAX + 16];

		fmt_snprintf(aside, sizeof aside, "%s.damaged", run_config()->state_abs);
		LOG_E("state file %s unusable: moved to %s", run_config()->state_abs,
		    aside);
		if (rename(run_config()->state_abs, aside) != 0)
			(void)run_state_clear(run_config()->state_abs);
		return 0;
	}
	if (startup)
		LOG_W("job %s was in flight (phase %s) when the agent stopped",
		    j->st.job_id, run_phase_name(j->st.phase));
	run_handler_kill_stale(&j->st);
	j->st.handler_pid = 0;
	fmt_snprintf(j->dir, sizeof j->dir, "%s/%s", run_config()->work_dir_abs,
	    j->st.job_id);
	switch (j->st.phase) {
	case PHASE_REPORTING:
		r = j->st.report;
		return finish(j, &r);
	case PHASE_HANDLER:
		handler_interrupted(j, &r, startup);
		return finish(j, &r);
	case PHASE_UPLOADING:
		if (j->st.report.kind == 0) {
			/* (a state file of an older agent: no outcome) */
			run_fail(j, &r, "JobFailed", "agent restarted during the "
			    "upload of its output artifacts; the job did not "
			    "complete");
			return finish(j, &r);
		}
		LOG_I("job %s: resuming the upload of its output artifacts",
		    j->st.job_id);
		rc = 1;
		if ((job = fresh_data(j, jb, &rc)) == NULL)
			return rc;
		j->job = job;
		r = j->st.report;
		if (open_dirs(j, 0, &r) == 0 && run_artifacts_check(j, &r) == 0
		    && upload(j, &r) != 0) {
			j->job = NULL;
			close_dirs(j);
			return 1;
		}
		return finish(j, &r);
	default:
		break;
	}
	if (j->st.phase == PHASE_ACKING) {
		LOG_I("job %s: acknowledging it again", j->st.job_id);
		rc = acknowledge(j);
		if (rc <= 0)
			return rc < 0;
		(void)set_phase(j, PHASE_ACKED);
	}
	LOG_I("job %s: resuming it (fresh data, inputs downloaded again)",
	    j->st.job_id);
	rc = 1;
	if ((job = fresh_data(j, jb, &rc)) == NULL)
		return rc;
	j->job = job;
	return work_and_finish(j);
}

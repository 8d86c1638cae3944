/*
 * run_report.c -- a job's report to CodePipeline, and the reports that
 * wait for delivery.
 *
 * The outcome is recorded in the state file before it is sent. A report
 * that cannot be delivered (network, throttling, a service error) moves
 * to its own file, <state file>.pending/<job id>, in the state file's
 * format, and is sent again with a backoff of its own while the worker
 * goes on polling and working other jobs: it never blocks the loop. At
 * most RUN_PENDING_MAX wait; the loop polls no new job while they are
 * that many. A report the service answers with InvalidJobStateException
 * or JobNotFoundException arrived before (or the job timed out): it is
 * delivered as far as the worker can tell, and so is never sent twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

#define SENT     0
#define PENDING  1
#define REFUSED  2

#define PENDING_BASE_MS   1000u
#define PENDING_CAP_MS  300000u

struct pending {
	char id[40];
	unsigned errors;
	uint64_t next_ms;
};

static struct pending pend[RUN_PENDING_MAX];
static int npend;
static struct run_job pj;       /* a pending report being sent */

struct report_arg {
	const char *id;
	const struct run_report *r;
};

static int
report_op(cpj_cp_context *cp, void *arg)
{
	const struct report_arg *a = arg;
	const struct run_report *r = a->r;

	if (r->kind == REPORT_SUCCESS) {
		cpj_cp_success s;

		cpj_cp_success_init(&s);
		s.continuation_token = r->continuation_token;
		s.summary = r->summary;
		s.external_execution_id = r->external_execution_id;
		s.percent_complete = r->percent_complete;
		if (r->nvars > 0) {
			s.output_variables = r->vars;
			s.output_variables_count = r->nvars;
		}
		return cpj_cp_put_job_success(cp, a->id, NULL, &s);
	} else {
		cpj_cp_failure f;

		f.type = r->failure_type != NULL ? r->failure_type
		    : "JobFailed";
		f.message = r->message != NULL ? r->message : "job failed";
		f.external_execution_id = r->external_execution_id;
		return cpj_cp_put_job_failure(cp, a->id, NULL, &f);
	}
}

/* Send once (with a credential refresh if they were refused). SENT,
 * PENDING, or REFUSED (the refusal in j->err). */
static int
send_report(struct run_job *j, const struct run_report *r)
{
	struct report_arg a;
	const char *id = j->st.job_id;
	int rc;

	a.id = id;
	a.r = r;
	rc = run_cp_call(report_op, &a);
	if (rc == 0) {
		if (r->kind == REPORT_SUCCESS)
			LOG_I("job %s: reported success%s", id,
			    r->continuation_token != NULL
			    ? " with a continuation token" : "");
		else
			LOG_I("job %s: reported failure (%s): %s", id,
			    r->failure_type != NULL ? r->failure_type
			    : "JobFailed", r->message);
		return SENT;
	}
	run_cp_error(rc, j->err, sizeof j->err);
	if (rc == CPJ_ERR_API_INVALID_JOB_STATE
	    || rc == CPJ_ERR_API_JOB_NOT_FOUND) {
		LOG_W("job %s: %s: no longer in progress (already reported, or "
		    "timed out)", id, cli_cp()->code[0] != '\0'
		    ? cli_cp()->code : cpj_strerror(rc));
		return SENT;
	}
	if (rc == CPJ_ERR_PARAM || rc == CPJ_ERR_API_VALIDATION
	    || rc == CPJ_ERR_API_OUTPUT_VARIABLES_SIZE) {
		LOG_E("job %s: the report was refused: %s", id, j->err);
		return REFUSED;
	}
	LOG_W("job %s: report not delivered: %s", id, j->err);
	return PENDING;
}

/* Send `r`; a refused report becomes a failure that says why, sent
 * once. SENT or PENDING. */
static int
send_or_explain(struct run_job *j, struct run_report *r)
{
	int rc = send_report(j, r);

	if (rc == REFUSED) {
		char why[sizeof j->err];

		fmt_snprintf(why, sizeof why, "%s", j->err);
		run_fail(j, r, "JobFailed", "the job's %s report was refused: "
		    "%s", r->kind == REPORT_SUCCESS ? "success" : "failure",
		    why);
		j->st.report = *r;
		rc = send_report(j, r);
		if (rc == REFUSED) {
			LOG_E("job %s: giving up on its report", j->st.job_id);
			rc = SENT;
		}
	}
	return rc;
}

static void
pending_path(const char *id, char *out, size_t cap)
{
	if (id != NULL)
		fmt_snprintf(out, cap, "%s.pending/%s", run_config()->state_abs, id);
	else
		fmt_snprintf(out, cap, "%s.pending", run_config()->state_abs);
}

static void
pending_add(const char *id, unsigned errors)
{
	struct pending *p = &pend[npend++];

	fmt_snprintf(p->id, sizeof p->id, "%s", id);
	p->errors = errors;
	p->next_ms = run_now_ms() + run_backoff_ms(PENDING_BASE_MS, errors,
	    PENDING_CAP_MS);
}

/* Move the job's report from the state file to the pending directory.
 * 0, or -1 when it stays in the state file (no room, or no write). */
static int
park(struct run_job *j)
{
	char path[RUN_PATH_MAX + 64];

	if (npend >= RUN_PENDING_MAX)
		return -1;
	pending_path(NULL, path, sizeof path);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		LOG_E("pending reports %s: %s", path, strerror(errno));
		return -1;
	}
	pending_path(j->st.job_id, path, sizeof path);
	if (run_state_write(path, &j->st) < 0)
		return -1;
	if (run_state_clear(run_config()->state_abs) < 0) {
		/* two records of one report: the pending one goes */
		(void)run_state_clear(path);
		return -1;
	}
	pending_add(j->st.job_id, 1);
	LOG_W("job %s: its report waits for delivery (%d pending); the "
	    "worker goes on", j->st.job_id, npend);
	return 0;
}

/* see run.h */
int
run_report_finish(struct run_job *j, struct run_report *r)
{
	int rc;

	j->st.report = *r;
	j->st.handler_pid = 0;
	j->st.phase = PHASE_REPORTING;
	if (run_state_write(run_config()->state_abs, &j->st) < 0)
		LOG_E("job %s: the report could not be recorded; sending it "
		    "anyway", j->st.job_id);
	rc = send_or_explain(j, r);
	if (rc == SENT)
		return 0;
	if (park(j) < 0) {
		LOG_W("job %s: its report stays in the state file", j->st.job_id);
		return 2;
	}
	return 1;
}

/* One entry of the pending directory: a report to deliver? */
static int
pending_one(void *arg, const char *name)
{
	(void)arg;
	if (cpj_cp_check_job_id(name) < 0)
		return 0;       /* ".", "..", temporary files */
	pending_add(name, 0);
	LOG_W("job %s: its report is still to be delivered", name);
	return npend >= RUN_PENDING_MAX;
}

/* see run.h */
void
run_pending_load(void)
{
	char path[RUN_PATH_MAX + 64];
	int fd;

	npend = 0;
	pending_path(NULL, path, sizeof path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)run_dir_each(fd, pending_one, NULL);
	close(fd);
}

/* Send the pending report of pend[i]: 1 when it is gone. */
static int
send_pending(struct pending *p)
{
	char path[RUN_PATH_MAX + 64];
	struct run_report r;
	int rc;

	pending_path(p->id, path, sizeof path);
	rc = run_state_read(path, &pj.st);
	if (rc == 0)
		return 1;
	if (rc < 0 || strcmp(pj.st.job_id, p->id) != 0) {
		LOG_E("pending report %s is unusable: removed", path);
		(void)run_state_clear(path);
		return 1;
	}
	r = pj.st.report;
	if (pj.st.phase != PHASE_REPORTING || r.kind == 0)
		run_fail(&pj, &r, "JobFailed", "the agent's record of this "
		    "job's report was damaged; the job's outcome is unknown");
	rc = send_or_explain(&pj, &r);
	if (rc == SENT) {
		(void)run_state_clear(path);
		return 1;
	}
	p->errors++;
	p->next_ms = run_now_ms() + run_backoff_ms(PENDING_BASE_MS,
	    p->errors, PENDING_CAP_MS);
	return 0;
}

/* see run.h */
int
run_pending_send(void)
{
	int i = 0;

	while (i < npend && !run_stopping()) {
		if (run_now_ms() >= pend[i].next_ms && send_pending(&pend[i])) {
			pend[i] = pend[--npend];
			continue;
		}
		i++;
	}
	return npend;
}

/* see run.h */
int
run_pending_count(void)
{
	return npend;
}

/* see run.h */
uint64_t
run_pending_wait_ms(void)
{
	uint64_t now = run_now_ms(), w = UINT64_MAX;
	int i;

	for (i = 0; i < npend; i++) {
		uint64_t d = pend[i].next_ms > now ? pend[i].next_ms - now : 0;

		if (d < w)
			w = d;
	}
	return w;
}

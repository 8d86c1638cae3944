/*
 * run_outcome.c -- the handler of one job: its secret files, its run
 * (run_handler.c supervises the process) and the outcome it leads to,
 * from its exit status, its result file and the outputs it wrote
 * (docs/handler.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define RESULT_NAME "result"

static struct run_handler hr;

static const char *
sig_name(int sig)
{
	/* strsignal() may format unknown numbers into the heap */
	switch (sig) {
	case SIGHUP:
		return " (SIGHUP)";
	case SIGINT:
		return " (SIGINT)";
	case SIGABRT:
		return " (SIGABRT)";
	case SIGKILL:
		return " (SIGKILL)";
	case SIGSEGV:
		return " (SIGSEGV)";
	case SIGTERM:
		return " (SIGTERM)";
	default:
		return "";
	}
}

/* The last RUN_TAIL_MAX bytes of stderr, trimmed, from a character
 * boundary. */
static const char *
tail_text(struct run_handler *h)
{
	char *t = h->tail;
	size_t n = h->tail_len;

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'
	    || t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	t[n] = '\0';
	if (n > RUN_TAIL_MAX) {
		t += n - RUN_TAIL_MAX;
		n = RUN_TAIL_MAX;
		while (n > 0 && ((unsigned char)*t & 0xc0) == 0x80) {
			t++;
			n--;
		}
	}
	while (*t == '\n' || *t == '\r' || *t == ' ' || *t == '\t')
		t++;
	return t;
}

/* see run.h */
void
run_outcome(struct run_job *j, struct run_report *r)
{
	const cpj_job *job = j->job;
	const cpj_job_data *d = &job->data;
	struct run_report res;
	const char *tail;
	size_t i;
	int rr;

	if (run_env_build(j, r) < 0)
		return;
	j->st.handler_pid = 0;
	j->st.phase = PHASE_HANDLER;
	j->st.since = (int64_t)time(NULL);
	(void)run_state_write(run_config()->state_abs, &j->st);
	if (run_secrets_write(j, r) < 0) {
		run_env_wipe();
		return;
	}
	LOG_I("job %s: running handler %s", job->id.p, run_config()->exec_abs);
	if (run_handler_start(&hr, run_config()->exec_abs, run_env_vars(), j->dir)
	    < 0) {
		run_env_wipe();
		run_secrets_wipe(j);
		run_fail(j, r, "ConfigurationError", "handler %s could not be "
		    "started: %s", run_config()->exec_abs, strerror(hr.spawn_errno));
		LOG_E("%s", j->msg);
		return;
	}
	/* the configuration may hold secrets: the handler has them now */
	run_env_wipe();
	j->st.handler_pid = hr.pid;
	if (run_proc_start(hr.pid, &j->st.handler_start) != 0
	    || run_boot_id(j->st.boot_id, sizeof j->st.boot_id) != 0)
		j->st.handler_pid = 0;
	if (j->st.handler_pid != 0)
		(void)run_state_write(run_config()->state_abs, &j->st);
	run_handler_wait(&hr, run_config()->timeout_s, run_config()->kill_grace_s);
	j->st.handler_pid = 0;
	/* the handler and its group are gone: so go the secret files */
	run_secrets_wipe(j);
	tail = tail_text(&hr);
	/* the failure message quotes stderr: whole buffer, so that a value
	 * cut by the tail's start is masked too */
	run_secrets_mask(hr.tail, (size_t)(tail - hr.tail) + strlen(tail));
	if (hr.signal == 0)
		LOG_I("job %s: handler exited with status %d after %llu ms",
		    job->id.p, hr.status, (unsigned long long)hr.ms);
	else
		LOG_I("job %s: handler killed by signal %d after %llu ms",
		    job->id.p, hr.signal, (unsigned long long)hr.ms);

	rr = run_result_read(j->dirfd, RESULT_NAME, &res, j->err,
	    sizeof j->err);
	if (hr.stopped) {
		if (rr > 0 && res.continuation_token != NULL) {
			*r = res;
			r->nvars = 0;
			LOG_W("job %s: stopped; the handler left a continuation "
			    "token, so the job continues later", job->id.p);
			return;
		}
		run_fail(j, r, "JobFailed", "agent stopped while the handler "
		    "ran (%llu s)", (unsigned long long)(hr.ms / 1000));
		return;
	}
	if (hr.timed_out) {
		run_fail(j, r, "JobFailed", "handler timed out after %u s%s%s",
		    (unsigned)run_config()->timeout_s, tail[0] != '\0' ? ": " : "",
		    tail);
		return;
	}
	if (rr < 0 && hr.signal == 0 && hr.status == 0) {
		run_fail(j, r, "JobFailed", "%s", j->err);
		return;
	}
	if (rr < 0)
		LOG_W("job %s: %s (ignored: the handler failed)", job->id.p,
		    j->err);
	if (hr.signal != 0 || hr.status != 0) {
		char what[64];

		if (hr.signal != 0)
			fmt_snprintf(what, sizeof what, "killed by signal %d%s",
			    hr.signal, sig_name(hr.signal));
		else
			fmt_snprintf(what, sizeof what, "exited with status %d",
			    hr.status);
		if (rr > 0 && res.message != NULL) {
			/* checked (1..5000, UTF-8) and kept in the result
			 * buffer: used as it is, never cut */
			run_report_init(r, REPORT_FAILURE);
			r->failure_type = "JobFailed";
			r->message = res.message;
		} else
			run_fail(j, r, "JobFailed", "handler %s%s%s", what,
			    tail[0] != '\0' ? ": " : "", tail);
		if (rr > 0 && res.failure_type != NULL)
			r->failure_type = res.failure_type;
		if (rr > 0)
			r->external_execution_id = res.external_execution_id;
		return;
	}
	if (rr > 0)
		*r = res;
	else
		run_report_init(r, REPORT_SUCCESS);
	r->kind = REPORT_SUCCESS;
	r->failure_type = NULL;
	r->message = NULL;
	if (r->continuation_token != NULL)
		return;         /* outputs come with the final success */
	for (i = 0; i < d->output_artifacts_count; i++) {
		const char *n = d->output_artifacts[i].name.p;
		struct stat sb;

		if (fstatat(j->outfd, n, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			run_fail(j, r, "JobFailed", "output artifact %s "
			    "missing: the handler did not write %s/out/%s",
			    n, j->dir, n);
			return;
		}
		if (!S_ISREG(sb.st_mode)) {
			run_fail(j, r, "JobFailed", "output artifact %s is not "
			    "a regular file", n);
			return;
		}
	}
}

/*
 * cmd_run.c -- `cpjob run`: the job worker a device runs under systemd.
 *
 *   poll -> acknowledge -> work directory -> download the input artifacts
 *   -> handler -> upload the output artifacts -> report
 *
 * This file holds the start-up and the polling loop. The agent's run_*
 * files each hold one concern (docs/agent.md, "The agent's sources"): run_opts.c the
 * settings, run_clock.c time, backoff and signals, run_wcreds.c the
 * worker's credentials, run_job.c a job's phases and recovery,
 * run_env.c, run_secrets.c, run_artifacts.c and run_outcome.c what a
 * job needs, run_report.c its report, run_state.c the state file,
 * run_handler.c the handler's process, run_s3.c S3, run_log.c the log,
 * run_notify.c what systemd is told (readiness, status, watchdog).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "creds_chain.h"
#include "harden.h"
#include "setup.h"

#define BACKOFF_CAP_MS 300000u   /* longest wait after errors */

static struct run_job job_in_flight;

/* stdin, stdout and stderr open, so that no file lands on them */
static void
std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int n = open("/dev/null", O_RDWR);

			if (n >= 0 && n != fd) {
				(void)dup2(n, fd);
				close(n);
			}
		}
	}
}

/* This process's peak resident set (VmHWM), KiB; -1 if unknown.
 * (getrusage's ru_maxrss also counts the image before execve.) */
static long
peak_rss_kib(void)
{
	static char b[8192];
	long n = run_read_file_at(AT_FDCWD, "/proc/self/status", b, sizeof b);
	const char *p = n > 0 ? strstr(b, "\nVmHWM:") : NULL;

	return p != NULL ? strtol(p + 7, NULL, 10) : -1;
}

/* The idle interval with +-20 % jitter. */
static uint64_t
idle_ms(void)
{
	uint64_t base = run_config()->poll_interval_ms;
	uint64_t span = base * 4 / 10;

	return base - base / 5 + (span > 0 ? run_random32() % (span + 1) : 0);
}

/* After `errors` failures in a row. */
static uint64_t
backoff_ms(unsigned errors)
{
	uint64_t base = run_config()->poll_interval_ms < 1000 ? 1000
	    : run_config()->poll_interval_ms;

	return run_backoff_ms(base, errors, BACKOFF_CAP_MS);
}

/* Sleep `ms`, or less when a pending report falls due first. 1 when a
 * stop was asked for. */
static int
nap(uint64_t ms)
{
	uint64_t due = run_pending_wait_ms();

	return run_sleep_ms(due < ms ? due : ms);
}

/* STATUS= for `systemctl status`: what the loop does next, and the
 * reports that wait for delivery. */
static void
tell(const char *doing, uint64_t next_ms)
{
	int n = run_pending_count();

	if (n > 0)
		run_notify_status("%s (next try in %llu s); %d report(s) "
		    "pending delivery", doing,
		    (unsigned long long)((next_ms + 999) / 1000), n);
	else
		run_notify_status("%s (next try in %llu s)", doing,
		    (unsigned long long)((next_ms + 999) / 1000));
}

struct poll_arg {
	const cpj_cp_jobs_buf *jb;
	unsigned batch;
};

static int
poll_op(cpj_cp_context *cp, void *arg)
{
	const struct poll_arg *a = arg;

	return cpj_cp_poll_for_jobs(cp, &run_config()->at, a->batch,
	    run_config()->query_key, run_config()->query_value, a->jb);
}

/* Go on with the job in flight; its GetJobDetails data goes after. */
static int
recover(const cpj_cp_jobs_buf *jb, int startup)
{
	int rc = run_recover(&job_in_flight, jb, startup);

	cpj_job_wipe(&jb->jobs[0]);
	return rc;
}

/* A poll that failed with `n`: log it; 1 when the worker should give up
 * (--once and --exit-when-idle on an error no retry can mend). */
static int
poll_failed(int n, uint64_t delay)
{
	cpj_cp_context *cp = cli_cp();
	char why[600];

	run_cp_error(n, why, sizeof why);
	if (n == CPJ_ERR_API_THROTTLED)
		LOG_W("PollForJobs: throttled (%s); next poll in %llu s",
		    cp->code, (unsigned long long)(delay / 1000));
	else
		LOG_E("PollForJobs: %s; next poll in %llu s", why,
		    (unsigned long long)(delay / 1000));
	if ((run_config()->exit_when_idle || run_config()->once)
	    && !cpj_aws_error_retryable(n, cp->http_status)
	    && ((n <= CPJ_ERR_API_THROTTLED && n > CPJ_ERR_S3_NOT_FOUND)
	    || n == CPJ_ERR_PARAM)) {
		/* a script waits for no one to fix this */
		LOG_E("giving up (--%s)", run_config()->exit_when_idle
		    ? "exit-when-idle" : "once");
		return 1;
	}
	return 0;
}

/* With --once or --exit-when-idle, 1 (logged) when the worker has been
 * waiting on the service since `since` (0: it is not) for longer than
 * --give-up-after; `what` says on what. Without them, never. */
static int
out_of_time(uint64_t since, const char *what)
{
	const struct run_cfg *c = run_config();
	char url[300];

	if (!(c->once || c->exit_when_idle) || since == 0
	    || run_now_ms() - since < (uint64_t)c->give_up_s * 1000u)
		return 0;
	LOG_E("giving up after %u s (--give-up-after): %s, endpoint %s",
	    (unsigned)c->give_up_s, what, cli_endpoint(url, sizeof url));
	return 1;
}

/* `d`, or less when --give-up-after ends first (bounded runs). */
static uint64_t
bounded(uint64_t since, uint64_t d)
{
	const struct run_cfg *c = run_config();
	uint64_t end = since + (uint64_t)c->give_up_s * 1000u, now;

	if (!(c->once || c->exit_when_idle))
		return d;
	now = run_now_ms();
	return now >= end ? 0 : (end - now < d ? end - now : d);
}

/* The polling loop. Returns the exit status. */
static int
loop(const cpj_cp_jobs_buf *jb)
{
	struct poll_arg pa;
	unsigned errors = 0, flight_errors = 0;
	int inflight, handled = 0, status = CPJ_EXIT_OK;
	uint64_t failing = 0, waiting = 0; /* since when (0: not) */
	char why[600];

	run_pending_load();
	run_notify_status("started: polling for %s", run_config()->at.provider);
	run_notify_ready();
	inflight = recover(jb, 1);
	run_sweep(run_config()->work_dir_abs, inflight
	    ? job_in_flight.st.job_id : NULL);
	pa.jb = jb;
	while (!run_stopping()) {
		uint64_t polled, d;
		int n, i;

		run_notify_tick();
		if (run_pending_send() == 0 && !inflight)
			waiting = 0;
		if (inflight || (run_config()->once && handled > 0)
		    || run_pending_count() >= RUN_PENDING_MAX) {
			/* no new job: the job in flight first, or deliver what
			 * waits, then go on */
			if (!inflight && run_pending_count() == 0)
				break;
			if (waiting == 0)
				waiting = run_now_ms();
			if (out_of_time(waiting, inflight ? "the job in flight "
			    "could not go on (it does at the next start)"
			    : "reports could not be delivered (they are sent "
			    "at the next start)")) {
				status = CPJ_EXIT_FAIL;
				break;
			}
			d = bounded(waiting, inflight
			    ? backoff_ms(flight_errors++) : BACKOFF_CAP_MS);
			if (inflight) {
				fmt_snprintf(why, sizeof why, "backing off: job %s "
				    "in flight could not go on",
				    job_in_flight.st.job_id);
				tell(why, d);
			} else {
				tell("waiting to deliver reports", d);
			}
			if (nap(d))
				break;
			if (inflight)
				inflight = recover(jb, 0);
			continue;
		}
		flight_errors = 0;
		pa.batch = run_config()->once ? 1 : run_config()->max_batch;
		polled = run_now_ms();
		n = run_cp_call(poll_op, &pa);
		if (n < 0) {
			char doing[sizeof why + 64];

			d = backoff_ms(errors++);
			if (failing == 0)
				failing = polled;
			run_cp_error(n, why, sizeof why);
			if (poll_failed(n, d) || out_of_time(failing, why)) {
				status = CPJ_EXIT_FAIL;
				break;
			}
			d = bounded(failing, d);
			fmt_snprintf(doing, sizeof doing, "backing off after error: "
			    "PollForJobs: %s", why);
			tell(doing, d);
			if (nap(d))
				break;
			continue;
		}
		errors = 0;
		failing = 0;
		if (n == 0) {
			LOG_D("no job");
			if (run_config()->exit_when_idle && run_pending_count() == 0) {
				LOG_I("no job waiting: exiting (--exit-when-idle)");
				break;
			}
			if (waiting == 0 && run_pending_count() > 0)
				waiting = run_now_ms();
			if (out_of_time(waiting, "reports could not be delivered "
			    "(they are sent at the next start)")) {
				status = CPJ_EXIT_FAIL;
				break;
			}
			d = waiting != 0 ? bounded(waiting, idle_ms()) : idle_ms();
			tell("idle: no job waiting", d);
			if (nap(d))
				break;
			continue;
		}
		LOG_D("%d job(s) polled", n);
		for (i = 0; i < n; i++) {
			if (!run_stopping() && !inflight
			    && run_pending_count() < RUN_PENDING_MAX) {
				inflight = run_job(&job_in_flight, &jb->jobs[i],
				    polled);
				handled++;
			}
			cpj_job_wipe(&jb->jobs[i]);
		}
	}
	run_notify_stopping();
	if (run_pending_count() > 0)
		LOG_W("%d report(s) still to be delivered: sent at the next "
		    "start", run_pending_count());
	LOG_I("%s; %d job(s) handled, peak RSS %ld KiB", run_stopping()
	    ? "stopped by signal" : "exiting", handled, peak_rss_kib());
	return status;
}

/* see agent.h */
int
cpj_cmd_run(int argc, char **argv)
{
	const cpj_cp_jobs_buf *jb;
	char source[48];
	int rc;

	if (run_harden() < 0)
		return CPJ_EXIT_FAIL;
	std_fds();
	rc = run_options(argc, argv);
	if (rc != 0) {
		if (rc < 0)
			fmt_eprintf("Try 'cpjob run --help'.\n");
		return rc > 0 ? CPJ_EXIT_OK : CPJ_EXIT_USAGE;
	}
	rc = run_resolve();
	if (rc < 0)
		return rc == -1 ? CPJ_EXIT_USAGE : CPJ_EXIT_FAIL;
	if (run_state_lock(run_config()->state_abs) < 0)
		return CPJ_EXIT_FAIL;
	run_log_init(run_config()->log_level, run_config()->use_syslog);
	run_notify_init();
	if (cli_setup(&run_config()->g) < 0)
		return CPJ_EXIT_FAIL;
	/* cli_setup() follows --debug; the worker follows --log-level */
	run_log_init(run_config()->log_level, run_config()->use_syslog);
	creds_chain_set_debug(run_config()->g.debug);
	rc = creds_chain_load(cli_creds(), run_config()->g.profile,
	    run_config()->g.profile != NULL, source, sizeof source);
	if (rc < 0) {
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	run_log_secret(cli_creds()->secret);
	run_log_secret(cli_creds()->token);
	if ((rc = cpj_cp_set_credentials(cli_cp(), cli_creds())) < 0) {
		setup_msg(NULL, "credentials: %s", cpj_strerror(rc));
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	if (run_s3_setup() < 0) {
		cli_cleanup();
		return CPJ_EXIT_FAIL;
	}
	run_signals();
	jb = cli_jobs_buf(run_config()->max_batch);
	run_artifacts_init(jb);
	run_result_init();
	job_in_flight.dirfd = job_in_flight.infd = job_in_flight.outfd = -1;
	LOG_I("cpjob %s: polling for %s/%s/%s/%s in %s (credentials: %s), "
	    "handler %s, work directory %s", CPJ_VERSION_STRING,
	    run_config()->at.category, run_config()->at.owner, run_config()->at.provider,
	    run_config()->at.version, cli_region(), source, run_config()->exec_abs,
	    run_config()->work_dir_abs);
	rc = loop(jb);
	run_s3_clear();
	cli_cleanup();
	creds_chain_cleanup();
	return rc;
}

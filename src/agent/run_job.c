/*
 * run_job.c -- one job from its acknowledgement to its report, and the
 * report of a job that a previous run left in flight.
 *
 *   acking -> acked -> downloading -> handler -> uploading -> reporting
 *
 * Each phase is recorded in the state file before it starts; the report
 * (outcome and every field) is recorded before it is sent, so that it can
 * be sent again, unchanged, after a crash. A job is finished when
 * CodePipeline took its report, or answered that it is no longer in
 * progress (already reported, timed out): then its work directory and
 * the state file go.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define RESULT_NAME "result"
#define REPORT_BACKOFF_MAX_MS 60000u

static struct run_state st;
static char msg[RUN_TAIL_MAX * 2 + 512];
static char err[1024];
static char jobdir[RUN_PATH_MAX + 64];
static int jobfd = -1, infd = -1, outfd = -1;
static uint64_t data_ms;        /* when the job's credentials were read */
static int at_start;            /* recovering at start-up */

/* GetJobDetails (fresh artifact credentials) */
static cpj_jobs_parser dparser;
static cpj_job djob;
static char dstorage[CPJ_JOB_WINDOW];
static cpj_cp_jobs_buf dbuf;

/* the handler's environment */
static char envbuf[RUN_ENV_MAX];
static char *envp[RUN_ENV_VARS + 1];
static size_t env_used;
static int env_n;

/*
 * Secret configuration properties (--secret-config). Each one the job
 * has reaches the handler as a file, secret/<SUFFIX> in the job's
 * directory (mode 0600, in a 0700 directory; SUFFIX as for its
 * variable), named by CPJOB_CONFIG_<SUFFIX>_FILE, never in the
 * environment; its value is redacted from the log while the job lasts.
 * The files are written just before the handler starts; when it has
 * ended (whatever the outcome) each is overwritten with zeros through
 * the descriptor it was written with (whatever the handler did to its
 * name), fsync'd and unlinked, and secret/ removed, before anything is
 * uploaded or reported. After a crash in between, the job's directory
 * is removed at recovery (finish -> cleanup_job) or by the sweep at
 * start, both through run_rm_jobdir(), which zeroes secret/ first.
 */
struct secret {
	const char *value;      /* the job's own (valid while it is worked) */
	size_t len;
	char name[RUN_SECRET_KEY_MAX + 1]; /* file name: the variable suffix */
	int fd;                 /* open from the write to the wipe */
};

static struct secret secrets[RUN_SECRET_KEYS];
static unsigned nsecrets;
static int secretfd = -1;
static int secret_dir_made;

/* see run.h */
void
run_job_init(const cpj_cp_jobs_buf *poll_buf)
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
	dbuf.storage = dstorage;
	dbuf.storage_len = sizeof dstorage;
}

static void
close_dirs(void)
{
	if (infd >= 0)
		close(infd);
	if (outfd >= 0)
		close(outfd);
	if (jobfd >= 0)
		close(jobfd);
	infd = outfd = jobfd = -1;
}

static int
set_phase(int phase)
{
	st.phase = phase;
	st.since = (int64_t)time(NULL);
	return run_state_write(&st);
}

static void
fail_report(struct run_report *r, const char *type, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void
fail_report(struct run_report *r, const char *type, const char *fmt, ...)
{
	va_list ap;

	run_report_init(r, REPORT_FAILURE);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	run_message_clean(msg);
	if (msg[0] == '\0')
		snprintf(msg, sizeof msg, "job failed");
	r->failure_type = type;
	r->message = msg;
}

/* The region of the pipeline's ARN (arn:aws:codepipeline:REGION:...),
 * where its artifact store is, else the agent's. */
static const char *
job_region(const cpj_job *job, char *out, size_t cap)
{
	const char *p = job->data.pipeline_context.pipeline_arn.p, *e;
	int field;
	size_t n;

	for (field = 0; field < 3 && p != NULL; field++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return cli_region();
	e = strchr(p, ':');
	n = e != NULL ? (size_t)(e - p) : 0;
	if (n == 0 || n > 30 || n >= cap)
		return cli_region();
	memcpy(out, p, n);
	out[n] = '\0';
	for (p = out; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
		    || *p == '-'))
			return cli_region();
	}
	return out;
}

/* ---- the handler's environment -------------------------------------- */

/* A character of a variable name made from a key: upper-cased, other
 * than [A-Z0-9] as '_' (env_add, and the secret files' names). */
static char
var_char(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return c;
	return '_';
}

/* Add NAME+SUFFIX=value; SUFFIX through var_char().
 * 0, -1 (no room), -2 (the name is there already). */
static int
env_add(const char *name, const char *suffix, const char *value)
{
	size_t start = env_used, nlen, vlen = strlen(value);
	int i;

	if (env_n >= RUN_ENV_VARS)
		return -1;
	nlen = strlen(name) + (suffix != NULL ? strlen(suffix) : 0);
	if (env_used + nlen + vlen + 2 > sizeof envbuf)
		return -1;
	memcpy(envbuf + env_used, name, strlen(name));
	env_used += strlen(name);
	for (; suffix != NULL && *suffix != '\0'; suffix++)
		envbuf[env_used++] = var_char(*suffix);
	envbuf[env_used++] = '=';
	for (i = 0; i < env_n; i++) {
		if (strncmp(envp[i], envbuf + start, nlen + 1) == 0) {
			envbuf[env_used - 1] = '\0';
			snprintf(err, sizeof err, "%s", envbuf + start);
			env_used = start;
			return -2;
		}
	}
	memcpy(envbuf + env_used, value, vlen + 1);
	env_used += vlen + 1;
	envp[env_n++] = envbuf + start;
	envp[env_n] = NULL;
	return 0;
}

/* The variable suffix of `key` (as env_add makes it). */
static void
var_suffix(const char *key, char *out, size_t cap)
{
	size_t i;

	for (i = 0; key[i] != '\0' && i + 1 < cap; i++)
		out[i] = var_char(key[i]);
	out[i] = '\0';
}

/* 1 if --secret-config names `key` (exactly). */
static int
secret_key(const cpj_job_str *key)
{
	unsigned i;

	for (i = 0; i < run_cfg.nsecret_keys; i++) {
		if (strlen(run_cfg.secret_keys[i]) == key->len
		    && memcmp(run_cfg.secret_keys[i], key->p, key->len) == 0)
			return 1;
	}
	return 0;
}

/* Note the job's secret configuration properties, and redact their
 * values from the log until secrets_forget(). */
static void
secrets_note(const cpj_job *job)
{
	const cpj_job_data *d = &job->data;
	size_t i;

	nsecrets = 0;
	for (i = 0; i < d->configuration_count
	    && nsecrets < RUN_SECRET_KEYS; i++) {
		const cpj_job_config_entry *c = &d->configuration[i];
		struct secret *s;

		if (!secret_key(&c->key))
			continue;
		s = &secrets[nsecrets++];
		s->value = c->value.p;
		s->len = c->value.len;
		s->fd = -1;
		var_suffix(c->key.p, s->name, sizeof s->name);
		/* (values under 4 bytes are not redacted: the agent never
		 * logs one; the handler should not print it) */
		run_log_secret(s->value);
	}
}

static void
secrets_forget(void)
{
	unsigned i;

	for (i = 0; i < nsecrets; i++)
		run_log_forget(secrets[i].value);
	nsecrets = 0;
}

/* Zero, fsync and unlink the secret files, remove secret/. Does nothing
 * the second time. */
static void
secrets_wipe(void)
{
	unsigned i;
	int failed = 0, e = 0;

	for (i = 0; i < nsecrets; i++) {
		struct secret *s = &secrets[i];

		if (s->fd < 0)
			continue;
		if (run_zero_fd(s->fd, s->len) != 0) {
			failed = 1;
			e = errno;
		}
		close(s->fd);
		s->fd = -1;
		if (secretfd >= 0 && unlinkat(secretfd, s->name, 0) != 0
		    && errno != ENOENT) {
			failed = 1;
			e = errno;
		}
	}
	if (secretfd >= 0) {
		close(secretfd);
		secretfd = -1;
	}
	if (secret_dir_made && jobfd >= 0) {
		/* and whatever the handler left in secret/ */
		if (run_scrub_dir_at(jobfd, RUN_SECRET_DIR) != 0) {
			failed = 1;
			e = errno;
		}
		(void)fsync(jobfd);
	}
	secret_dir_made = 0;
	if (failed)
		LOG_W("job %s: %s/%s: not all wiped and removed: %s",
		    st.job_id, jobdir, RUN_SECRET_DIR, strerror(e));
}

/* Write the secret files (just before the handler starts). 0, or -1
 * with the failure in `r` (and nothing left behind). */
static int
secrets_write(struct run_report *r)
{
	const char *what = "";
	unsigned i;

	if (nsecrets == 0)
		return 0;
	if (mkdirat(jobfd, RUN_SECRET_DIR, 0700) != 0)
		goto fail;
	secret_dir_made = 1;
	secretfd = openat(jobfd, RUN_SECRET_DIR, O_RDONLY | O_DIRECTORY
	    | O_NOFOLLOW | O_CLOEXEC);
	if (secretfd < 0 || fchmod(secretfd, 0700) != 0)
		goto fail;      /* (0700 whatever the umask) */
	for (i = 0; i < nsecrets; i++) {
		struct secret *s = &secrets[i];

		what = s->name;
		s->fd = openat(secretfd, s->name, O_CREAT | O_EXCL | O_WRONLY
		    | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s->fd < 0 || fchmod(s->fd, 0600) != 0
		    || run_write_all(s->fd, s->value, s->len) != 0)
			goto fail;
		LOG_D("job %s: configuration property passed as the file "
		    "%s/%s/%s", st.job_id, jobdir, RUN_SECRET_DIR, s->name);
	}
	return 0;
fail:
	{
		int e = errno;

		secrets_wipe();
		fail_report(r, "JobFailed", "secret configuration file "
		    "%s/%s%s%s: %s", jobdir, RUN_SECRET_DIR, what[0] != '\0'
		    ? "/" : "", what, strerror(e));
	}
	LOG_E("%s", msg);
	return -1;
}

static int
env_str(const char *name, const cpj_job_str *s)
{
	if (!cpj_job_str_present(s))
		return 0;
	return env_add(name, NULL, s->p);
}

/* Space-separated names of artifacts, into `out`. */
static void
names(const cpj_job_artifact *a, size_t n, char *out, size_t cap)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(out + used, cap - used, "%s%s",
		    i > 0 ? " " : "", a[i].name.p);

		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

/* 0, or -1 with the failure in `r`. */
static int
build_env(const cpj_job *job, struct run_report *r)
{
	const cpj_job_data *d = &job->data;
	const cpj_job_pipeline_context *pc = &d->pipeline_context;
	char path[RUN_PATH_MAX * 2], list[1024];
	const char *v;
	size_t i;
	int rc = 0;

	env_n = 0;
	env_used = 0;
	envp[0] = NULL;
	v = getenv("PATH");
	rc |= env_add("PATH", NULL, v != NULL && v[0] != '\0' ? v
	    : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if ((v = getenv("HOME")) != NULL)
		rc |= env_add("HOME", NULL, v);
	if ((v = getenv("LANG")) != NULL)
		rc |= env_add("LANG", NULL, v);
	snprintf(path, sizeof path, "%s/tmp", jobdir);
	rc |= env_add("TMPDIR", NULL, path);
	rc |= env_add("CPJOB_JOB_ID", NULL, job->id.p);
	rc |= env_str("CPJOB_ACCOUNT_ID", &job->account_id);
	rc |= env_str("CPJOB_PIPELINE_NAME", &pc->pipeline_name);
	rc |= env_str("CPJOB_PIPELINE_ARN", &pc->pipeline_arn);
	rc |= env_str("CPJOB_PIPELINE_EXECUTION_ID", &pc->pipeline_execution_id);
	rc |= env_str("CPJOB_STAGE_NAME", &pc->stage.name);
	rc |= env_str("CPJOB_ACTION_NAME", &pc->action.name);
	rc |= env_str("CPJOB_ACTION_EXECUTION_ID", &pc->action.action_execution_id);
	rc |= env_str("CPJOB_ACTION_CATEGORY", &d->action_type_id.category);
	rc |= env_str("CPJOB_ACTION_PROVIDER", &d->action_type_id.provider);
	rc |= env_str("CPJOB_ACTION_VERSION", &d->action_type_id.version);
	if (d->continuation_token.len > 0)
		rc |= env_add("CPJOB_CONTINUATION_TOKEN", NULL,
		    d->continuation_token.p);
	if (rc != 0)
		goto over;
	for (i = 0; i < d->configuration_count; i++) {
		const cpj_job_config_entry *c = &d->configuration[i];

		if (secret_key(&c->key)) {
			/* the file's path, not the value (see secrets_note) */
			char suffix[RUN_SECRET_KEY_MAX + 8];

			var_suffix(c->key.p, suffix, RUN_SECRET_KEY_MAX + 1);
			snprintf(path, sizeof path, "%s/%s/%s", jobdir,
			    RUN_SECRET_DIR, suffix);
			memcpy(suffix + strlen(suffix), "_FILE", 6);
			rc = env_add("CPJOB_CONFIG_", suffix, path);
		} else {
			rc = env_add("CPJOB_CONFIG_", c->key.p, c->value.p);
		}
		if (rc == -2) {
			fail_report(r, "ConfigurationError", "configuration "
			    "key '%s' gives the variable %s, which another "
			    "key gives too", d->configuration[i].key.p, err);
			return -1;
		}
		if (rc < 0)
			goto over;
	}
	snprintf(path, sizeof path, "%s/in", jobdir);
	rc = env_add("CPJOB_INPUT_DIR", NULL, path);
	names(d->input_artifacts, d->input_artifacts_count, list, sizeof list);
	rc |= env_add("CPJOB_INPUT_NAMES", NULL, list);
	for (i = 0; rc == 0 && i < d->input_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->input_artifacts[i];

		snprintf(path, sizeof path, "%s/in/%s", jobdir, a->name.p);
		rc = env_add("CPJOB_INPUT_", a->name.p, path);
		if (rc == 0 && a->revision.len > 0)
			rc = env_add("CPJOB_REVISION_", a->name.p,
			    a->revision.p);
	}
	if (rc == 0) {
		snprintf(path, sizeof path, "%s/out", jobdir);
		rc = env_add("CPJOB_OUTPUT_DIR", NULL, path);
		names(d->output_artifacts, d->output_artifacts_count, list,
		    sizeof list);
		if (rc == 0)
			rc = env_add("CPJOB_OUTPUT_NAMES", NULL, list);
	}
	for (i = 0; rc == 0 && i < d->output_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->output_artifacts[i];

		snprintf(path, sizeof path, "%s/out/%s", jobdir, a->name.p);
		rc = env_add("CPJOB_OUTPUT_", a->name.p, path);
	}
	if (rc == -2) {
		fail_report(r, "ConfigurationError", "artifact names give the "
		    "variable %s twice", err);
		return -1;
	}
	snprintf(path, sizeof path, "%s/%s", jobdir, RESULT_NAME);
	if (rc == 0)
		rc = env_add("CPJOB_RESULT_FILE", NULL, path);
	if (rc == 0)
		rc = env_add("CPJOB_WORK_DIR", NULL, jobdir);
	snprintf(path, sizeof path, "%u", (unsigned)run_cfg.timeout_s);
	if (rc == 0)
		rc = env_add("CPJOB_TIMEOUT", NULL, path);
	if (rc == 0)
		return 0;
over:
	fail_report(r, "ConfigurationError", "the job's fields do not fit the "
	    "handler's environment (%u bytes, %u variables)",
	    (unsigned)sizeof envbuf, (unsigned)RUN_ENV_VARS);
	return -1;
}

/* ---- artifacts ------------------------------------------------------ */

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

/* Fresh artifact credentials from GetJobDetails. 0 or -1 (message in
 * err). */
static int
refresh_credentials(const char *job_id)
{
	cpj_cp_context *cp = cli_cp();
	int rc;

	LOG_I("job %s: fetching fresh artifact credentials (GetJobDetails)",
	    job_id);
	rc = cpj_cp_get_job_details(cp, job_id, NULL, &dbuf);
	if (rc == 1 && (djob.err < 0 || strcmp(djob.id.p, job_id) != 0))
		rc = CPJ_ERR_API_RESPONSE;
	if (rc == 1 && !(djob.flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS))
		rc = CPJ_ERR_JSON_MISSING;
	if (rc == 1)
		rc = run_s3_credentials(&djob);
	else if (rc == 0)
		rc = CPJ_ERR_API_RESPONSE;
	cpj_job_wipe(&djob);
	if (rc < 0) {
		snprintf(err, sizeof err, "GetJobDetails: %s%s%s",
		    cp->code[0] != '\0' ? cp->code : cpj_strerror(rc),
		    cp->message[0] != '\0' ? ": " : "", cp->message);
		return -1;
	}
	data_ms = run_now_ms();
	return 0;
}

static int
credentials_due(void)
{
	return run_now_ms() - data_ms > (uint64_t)run_cfg.refresh_after_s
	    * 1000u;
}

/* Download every input artifact into in/. 0 or -1 (failure in r). */
static int
download(const cpj_job *job, const char *region, struct run_report *r)
{
	const cpj_job_data *d = &job->data;
	char label[160];
	size_t i;

	for (i = 0; i < d->input_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->input_artifacts[i];
		int rc, again = 0;

		if (!a->location.s3_location_present || (a->location.type.len
		    > 0 && strcmp(a->location.type.p, "S3") != 0)) {
			fail_report(r, "ConfigurationError", "input artifact "
			    "%s has no S3 location", a->name.p);
			return -1;
		}
		snprintf(label, sizeof label, "download %s", a->name.p);
		for (;;) {
			if (credentials_due() && refresh_credentials(job->id.p)
			    < 0) {
				fail_report(r, "JobFailed", "input artifact "
				    "%s: %s", a->name.p, err);
				return -1;
			}
			rc = run_s3_get(region, &a->location.s3_location, infd,
			    a->name.p, label, err, sizeof err);
			if (rc < 0 && run_s3_expired(rc) && !again) {
				again = 1;
				data_ms = 0;    /* refresh, then again */
				continue;
			}
			break;
		}
		if (rc == CPJ_ERR_CANCELLED && run_stop) {
			fail_report(r, "JobFailed", "agent stopped during the "
			    "download of input artifact %s", a->name.p);
			return -1;
		}
		if (rc < 0) {
			fail_report(r, rc == CPJ_ERR_S3_ACCESS_DENIED
			    ? "PermissionError" : "JobFailed", "input "
			    "artifact %s: %s", a->name.p, err);
			return -1;
		}
	}
	return 0;
}

/* Upload every output artifact from out/. 0 or -1 (failure in r). */
static int
upload(const cpj_job *job, const char *region, struct run_report *r)
{
	const cpj_job_data *d = &job->data;
	const char *kms = d->encryption_key.id.len > 0
	    ? d->encryption_key.id.p : NULL;
	char label[160];
	size_t i;

	for (i = 0; i < d->output_artifacts_count; i++) {
		const cpj_job_artifact *a = &d->output_artifacts[i];
		int rc, again = 0;

		if (!a->location.s3_location_present || (a->location.type.len
		    > 0 && strcmp(a->location.type.p, "S3") != 0)) {
			fail_report(r, "ConfigurationError", "output artifact "
			    "%s has no S3 location", a->name.p);
			return -1;
		}
		snprintf(label, sizeof label, "upload %s", a->name.p);
		for (;;) {
			if (credentials_due() && refresh_credentials(job->id.p)
			    < 0) {
				fail_report(r, "JobFailed", "output artifact "
				    "%s: %s", a->name.p, err);
				return -1;
			}
			rc = run_s3_put(region, &a->location.s3_location,
			    outfd, a->name.p, kms, label, err, sizeof err);
			if (rc < 0 && run_s3_expired(rc) && !again) {
				again = 1;
				data_ms = 0;
				continue;
			}
			break;
		}
		if (rc == CPJ_ERR_CANCELLED && run_stop) {
			fail_report(r, "JobFailed", "agent stopped during the "
			    "upload of output artifact %s", a->name.p);
			return -1;
		}
		if (rc < 0) {
			fail_report(r, rc == CPJ_ERR_S3_ACCESS_DENIED
			    ? "PermissionError" : "JobFailed", "output "
			    "artifact %s: %s", a->name.p, err);
			return -1;
		}
	}
	return 0;
}

/* ---- the handler ---------------------------------------------------- */

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

static struct run_handler hr;

/* Run the handler; decide the outcome in r. */
static void
handle(const cpj_job *job, const char *region, struct run_report *r)
{
	const cpj_job_data *d = &job->data;
	struct run_report res;
	const char *tail;
	size_t i;
	int rr;

	st.handler_pid = 0;
	(void)set_phase(PHASE_HANDLER);
	if (secrets_write(r) < 0) {
		cpj_wipe(envbuf, env_used);
		return;
	}
	LOG_I("job %s: running handler %s", job->id.p, run_cfg.exec_abs);
	if (run_handler_start(&hr, run_cfg.exec_abs, envp, jobdir) < 0) {
		cpj_wipe(envbuf, env_used);
		secrets_wipe();
		fail_report(r, "ConfigurationError", "handler %s could not be "
		    "started: %s", run_cfg.exec_abs, strerror(hr.spawn_errno));
		LOG_E("%s", msg);
		return;
	}
	/* the configuration may hold secrets: the handler has them now */
	cpj_wipe(envbuf, env_used);
	st.handler_pid = hr.pid;
	if (run_proc_start(hr.pid, &st.handler_start) != 0
	    || run_boot_id(st.boot_id, sizeof st.boot_id) != 0)
		st.handler_pid = 0;
	if (st.handler_pid != 0)
		(void)run_state_write(&st);
	run_handler_wait(&hr, run_cfg.timeout_s, run_cfg.kill_grace_s);
	st.handler_pid = 0;
	/* the handler and its group are gone: so go the secret files */
	secrets_wipe();
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

	rr = run_result_read(jobfd, RESULT_NAME, &res, err, sizeof err);
	if (hr.stopped) {
		if (rr > 0 && res.continuation_token != NULL) {
			*r = res;
			r->nvars = 0;
			LOG_W("job %s: stopped; the handler left a continuation "
			    "token, so the job continues later", job->id.p);
			return;
		}
		fail_report(r, "JobFailed", "agent stopped while the handler "
		    "ran (%llu s)", (unsigned long long)(hr.ms / 1000));
		return;
	}
	if (hr.timed_out) {
		fail_report(r, "JobFailed", "handler timed out after %u s%s%s",
		    (unsigned)run_cfg.timeout_s, tail[0] != '\0' ? ": " : "",
		    tail);
		return;
	}
	if (rr < 0 && hr.signal == 0 && hr.status == 0) {
		fail_report(r, "JobFailed", "%s", err);
		return;
	}
	if (rr < 0)
		LOG_W("job %s: %s (ignored: the handler failed)", job->id.p,
		    err);
	if (hr.signal != 0 || hr.status != 0) {
		char what[64];

		if (hr.signal != 0)
			snprintf(what, sizeof what, "killed by signal %d%s",
			    hr.signal, sig_name(hr.signal));
		else
			snprintf(what, sizeof what, "exited with status %d",
			    hr.status);
		if (rr > 0 && res.message != NULL) {
			/* checked (1..5000, UTF-8) and kept in the result
			 * buffer: used as it is, never cut */
			run_report_init(r, REPORT_FAILURE);
			r->failure_type = "JobFailed";
			r->message = res.message;
		} else
			fail_report(r, "JobFailed", "handler %s%s%s", what,
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

		if (fstatat(outfd, n, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			fail_report(r, "JobFailed", "output artifact %s "
			    "missing: the handler did not write %s/out/%s",
			    n, jobdir, n);
			return;
		}
		if (!S_ISREG(sb.st_mode)) {
			fail_report(r, "JobFailed", "output artifact %s is not "
			    "a regular file", n);
			return;
		}
	}
	if (d->output_artifacts_count > 0) {
		struct run_report keep = *r;

		(void)set_phase(PHASE_UPLOADING);
		if (upload(job, region, r) < 0)
			return;
		*r = keep;
	}
}

/* Make the job's directory (empty) with in/, out/, tmp/. */
static int
make_dirs(const char *id, struct run_report *r)
{
	int wfd;

	snprintf(jobdir, sizeof jobdir, "%s/%s", run_cfg.work_dir_abs, id);
	wfd = open(run_cfg.work_dir_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd < 0)
		goto fail;
	(void)run_rm_jobdir(wfd, id);
	if (mkdirat(wfd, id, 0700) != 0) {
		close(wfd);
		goto fail;
	}
	jobfd = openat(wfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	close(wfd);
	if (jobfd < 0 || mkdirat(jobfd, "in", 0700) != 0
	    || mkdirat(jobfd, "out", 0700) != 0
	    || mkdirat(jobfd, "tmp", 0700) != 0)
		goto fail;
	infd = openat(jobfd, "in", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	outfd = openat(jobfd, "out", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (infd < 0 || outfd < 0)
		goto fail;
	return 0;
fail:
	fail_report(r, "JobFailed", "work directory %s: %s", jobdir,
	    strerror(errno));
	LOG_E("%s", msg);
	close_dirs();
	return -1;
}

/* Everything between the acknowledgement and the report. */
static void
work(const cpj_job *job, struct run_report *r)
{
	const cpj_job_data *d = &job->data;
	char region_buf[32];
	const char *region = job_region(job, region_buf, sizeof region_buf);
	size_t i;

	if (make_dirs(job->id.p, r) < 0)
		return;
	for (i = 0; i < d->input_artifacts_count; i++) {
		if (!artifact_name_ok(&d->input_artifacts[i].name)) {
			fail_report(r, "ConfigurationError", "input artifact "
			    "name '%s' is not 1..100 of [A-Za-z0-9_-]",
			    d->input_artifacts[i].name.p);
			return;
		}
	}
	for (i = 0; i < d->output_artifacts_count; i++) {
		if (!artifact_name_ok(&d->output_artifacts[i].name)) {
			fail_report(r, "ConfigurationError", "output artifact "
			    "name '%s' is not 1..100 of [A-Za-z0-9_-]",
			    d->output_artifacts[i].name.p);
			return;
		}
	}
	if (d->input_artifacts_count + d->output_artifacts_count > 0) {
		int rc;

		if (!(job->flags & CPJ_JOB_F_ARTIFACT_CREDENTIALS)) {
			fail_report(r, "ConfigurationError", "the job has "
			    "artifacts but no artifactCredentials");
			return;
		}
		rc = run_s3_credentials(job);
		if (rc < 0) {
			fail_report(r, "JobFailed", "artifact credentials: %s",
			    cpj_strerror(rc));
			return;
		}
	}
	/* before any transfer: a job whose fields do not make a valid
	 * environment fails at once */
	if (build_env(job, r) < 0)
		return;
	if (d->input_artifacts_count > 0) {
		(void)set_phase(PHASE_DOWNLOADING);
		if (download(job, region, r) < 0) {
			cpj_wipe(envbuf, env_used);
			return;
		}
	}
	handle(job, region, r);
	secrets_wipe();         /* (done already, whatever handle() did) */
}

/* ---- reports -------------------------------------------------------- */

#define SENT     0
#define PENDING  1
#define REFUSED  2

static int
send_report(const char *id, const struct run_report *r)
{
	cpj_cp_context *cp = cli_cp();
	int rc;

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
		rc = cpj_cp_put_job_success(cp, id, NULL, &s);
	} else {
		cpj_cp_failure f;

		f.type = r->failure_type != NULL ? r->failure_type
		    : "JobFailed";
		f.message = r->message != NULL ? r->message : "job failed";
		f.external_execution_id = r->external_execution_id;
		rc = cpj_cp_put_job_failure(cp, id, NULL, &f);
	}
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
	if (rc == CPJ_ERR_API_INVALID_JOB_STATE
	    || rc == CPJ_ERR_API_JOB_NOT_FOUND) {
		LOG_W("job %s: %s: no longer in progress (already reported, or "
		    "timed out)", id, cp->code[0] != '\0' ? cp->code
		    : cpj_strerror(rc));
		return SENT;
	}
	if (rc == CPJ_ERR_PARAM || rc == CPJ_ERR_API_VALIDATION
	    || rc == CPJ_ERR_API_OUTPUT_VARIABLES_SIZE) {
		snprintf(err, sizeof err, "%s%s%s", cp->code[0] != '\0'
		    ? cp->code : cpj_strerror(rc), cp->message[0] != '\0'
		    ? ": " : "", cp->message);
		LOG_E("job %s: the report was refused: %s", id, err);
		return REFUSED;
	}
	LOG_W("job %s: report not delivered: %s%s%s", id, cp->code[0] != '\0'
	    ? cp->code : cpj_strerror(rc), cp->message[0] != '\0' ? ": " : "",
	    cp->message);
	return PENDING;
}

static void
cleanup_job(const char *id)
{
	int wfd;

	close_dirs();
	wfd = open(run_cfg.work_dir_abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (wfd >= 0) {
		/* after a crash too: run_rm_jobdir zeroes what secret/
		 * holds before the whole directory goes */
		if (run_rm_jobdir(wfd, id) != 0)
			LOG_W("work directory %s/%s: not all removed: %s",
			    run_cfg.work_dir_abs, id, strerror(errno));
		close(wfd);
	}
	(void)run_state_clear();
	run_s3_clear();
	st.job_id[0] = '\0';
}

/* see run.h */
const char *
run_job_in_flight(void)
{
	return st.job_id[0] != '\0' ? st.job_id : NULL;
}

/* Record the report, send it (retrying with backoff while it cannot be
 * delivered, unless a stop was asked for), and finish the job.
 * Returns 0 (finished) or 1 (still pending in the state file). */
static int
finish(struct run_report *r)
{
	uint32_t delay = 1000;
	int refused = 0, rc;

	for (;;) {
		st.report = *r;
		st.handler_pid = 0;
		if (set_phase(PHASE_REPORTING) < 0)
			LOG_E("job %s: the report could not be recorded; "
			    "sending it anyway", st.job_id);
		rc = send_report(st.job_id, r);
		if (rc == SENT)
			break;
		if (rc == REFUSED) {
			if (refused++ > 0) {
				LOG_E("job %s: giving up on its report", st.job_id);
				break;
			}
			/* a report CodePipeline refuses becomes a failure
			 * that says why (err holds the refusal) */
			{
				char why[sizeof err];

				snprintf(why, sizeof why, "%s", err);
				fail_report(r, "JobFailed", "the job's %s report "
				    "was refused: %s", r->kind
				    == REPORT_SUCCESS ? "success" : "failure",
				    why);
			}
			continue;
		}
		if (run_stop) {
			LOG_W("job %s: stopping with its report pending; it is "
			    "sent at the next start", st.job_id);
			close_dirs();
			return 1;
		}
		if (run_sleep_ms(delay))
			continue;       /* one more try before stopping */
		delay = delay * 2 > REPORT_BACKOFF_MAX_MS
		    ? REPORT_BACKOFF_MAX_MS : delay * 2;
	}
	cleanup_job(st.job_id);
	return 0;
}

/* see run.h */
int
run_job(cpj_job *job, uint64_t polled_ms)
{
	cpj_cp_context *cp = cli_cp();
	struct run_report r;
	char status[32];
	int rc = 0, tries;

	if (job->err < 0) {
		LOG_E("job %s could not be read (%s: %s); it is left to time "
		    "out", job->id.len > 0 ? job->id.p : "(no id)",
		    job->err_field != NULL ? job->err_field : "?",
		    cpj_strerror(job->err));
		return 0;
	}
	if (cpj_cp_check_job_id(job->id.p) < 0 || job->nonce.len == 0
	    || job->nonce.len >= sizeof st.nonce) {
		LOG_E("a job with an invalid id or nonce was ignored");
		return 0;
	}
	memset(&st, 0, sizeof st);
	snprintf(st.job_id, sizeof st.job_id, "%s", job->id.p);
	snprintf(st.nonce, sizeof st.nonce, "%s", job->nonce.p);
	data_ms = polled_ms;
	if (set_phase(PHASE_ACKING) < 0) {
		LOG_E("job %s: not acknowledged: the state file cannot be "
		    "written", st.job_id);
		return 1;
	}
	for (tries = 0; tries < 4; tries++) {
		rc = cpj_cp_acknowledge_job(cp, st.job_id, st.nonce, NULL,
		    status, sizeof status);
		if (rc == 0 || rc == CPJ_ERR_API_INVALID_NONCE
		    || rc == CPJ_ERR_API_JOB_NOT_FOUND || run_stop)
			break;
		LOG_W("job %s: AcknowledgeJob: %s; retrying", st.job_id,
		    cp->code[0] != '\0' ? cp->code : cpj_strerror(rc));
		if (run_sleep_ms(1000u << tries))
			break;
	}
	if (rc == CPJ_ERR_API_INVALID_NONCE || rc == CPJ_ERR_API_JOB_NOT_FOUND) {
		LOG_W("job %s: AcknowledgeJob: %s: skipped", st.job_id,
		    cp->code);
		(void)run_state_clear();
		return 0;
	}
	if (rc < 0) {
		LOG_E("job %s: AcknowledgeJob failed: %s", st.job_id,
		    cpj_strerror(rc));
		return 1;       /* reported as failed by run_recover() */
	}
	if (strcmp(status, "InProgress") != 0) {
		LOG_W("job %s: status %s after AcknowledgeJob: skipped",
		    st.job_id, status);
		(void)run_state_clear();
		return 0;
	}
	LOG_I("job %s: acknowledged (pipeline %s, stage %s, action %s%s)",
	    st.job_id, job->data.pipeline_context.pipeline_name.p,
	    job->data.pipeline_context.stage.name.p,
	    job->data.pipeline_context.action.name.p,
	    job->data.continuation_token.len > 0 ? ", continued" : "");
	(void)set_phase(PHASE_ACKED);
	run_report_init(&r, REPORT_FAILURE);
	secrets_note(job);
	work(job, &r);
	rc = finish(&r);
	/* the job's data (and so the values) go with the poll's buffer */
	secrets_forget();
	return rc;
}

static const char *
phase_text(int phase)
{
	switch (phase) {
	case PHASE_ACKING:
		return "its acknowledgement";
	case PHASE_ACKED:
		return "its preparation";
	case PHASE_DOWNLOADING:
		return "the download of its input artifacts (phase downloading)";
	case PHASE_HANDLER:
		return "the handler (phase handler)";
	case PHASE_UPLOADING:
		return "the upload of its output artifacts (phase uploading)";
	default:
		return "its report";
	}
}

/* see run.h */
int
run_recover(int startup)
{
	struct run_report r, res;
	int rc;

	at_start = startup;
	rc = run_state_read(&st);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		char aside[RUN_PATH_MAX + 16];

		snprintf(aside, sizeof aside, "%s.damaged", run_cfg.state_abs);
		LOG_E("state file %s unusable: moved to %s", run_cfg.state_abs,
		    aside);
		if (rename(run_cfg.state_abs, aside) != 0)
			(void)run_state_clear();
		return 0;
	}
	if (at_start)
		LOG_W("job %s was in flight (phase %s) when the agent stopped: "
		    "reporting it", st.job_id, run_phase_name(st.phase));
	run_handler_kill_stale(&st);
	st.handler_pid = 0;
	snprintf(jobdir, sizeof jobdir, "%s/%s", run_cfg.work_dir_abs,
	    st.job_id);
	if (st.phase == PHASE_REPORTING) {
		r = st.report;
	} else {
		const char *what = at_start ? "agent restarted" : "agent lost "
		    "contact with CodePipeline";

		jobfd = open(jobdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
		    | O_CLOEXEC);
		if (jobfd >= 0 && run_result_read(jobfd, RESULT_NAME, &res,
		    err, sizeof err) > 0 && res.continuation_token != NULL) {
			r = res;
			r.kind = REPORT_SUCCESS;
			r.nvars = 0;
			r.failure_type = NULL;
			r.message = NULL;
			LOG_W("job %s: the handler left a continuation token: "
			    "the job continues", st.job_id);
		} else {
			fail_report(&r, "JobFailed", "%s during %s; the job "
			    "did not complete", what, phase_text(st.phase));
		}
	}
	return finish(&r);
}

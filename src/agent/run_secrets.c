/*
 * run_secrets.c -- secret configuration properties (--secret-config):
 * passed to the handler as files, never in its environment or the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

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
 * is removed at recovery (run_job.c, cleanup) or by the sweep at
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

/* Note the job's secret configuration properties, and redact their
 * values from the log until secrets_forget(). */
void
run_secrets_note(const cpj_job *job)
{
	const cpj_job_data *d = &job->data;
	size_t i;

	nsecrets = 0;
	for (i = 0; i < d->configuration_count
	    && nsecrets < RUN_SECRET_KEYS; i++) {
		const cpj_job_config_entry *c = &d->configuration[i];
		struct secret *s;

		if (!run_secret_key(&c->key))
			continue;
		s = &secrets[nsecrets++];
		s->value = c->value.p;
		s->len = c->value.len;
		s->fd = -1;
		run_var_suffix(c->key.p, s->name, sizeof s->name);
		/* (values under 4 bytes are not redacted: the agent never
		 * logs one; the handler should not print it) */
		run_log_secret(s->value);
	}
}

/* see run.h */
void
run_secrets_forget(void)
{
	unsigned i;

	for (i = 0; i < nsecrets; i++)
		run_log_forget(secrets[i].value);
	nsecrets = 0;
}

/* Zero, fsync and unlink the secret files, remove secret/. Does nothing
 * the second time. */
void
run_secrets_wipe(struct run_job *j)
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
	if (secret_dir_made && j->dirfd >= 0) {
		/* and whatever the handler left in secret/ */
		if (run_scrub_dir_at(j->dirfd, RUN_SECRET_DIR) != 0) {
			failed = 1;
			e = errno;
		}
		(void)fsync(j->dirfd);
	}
	secret_dir_made = 0;
	if (failed)
		LOG_W("job %s: %s/%s: not all wiped and removed: %s",
		    j->st.job_id, j->dir, RUN_SECRET_DIR, strerror(e));
}

/* Write the secret files (just before the handler starts). 0, or -1
 * with the failure in `r` (and nothing left behind). */
int
run_secrets_write(struct run_job *j, struct run_report *r)
{
	const char *what = "";
	unsigned i;

	if (nsecrets == 0)
		return 0;
	if (mkdirat(j->dirfd, RUN_SECRET_DIR, 0700) != 0)
		goto fail;
	secret_dir_made = 1;
	secretfd = openat(j->dirfd, RUN_SECRET_DIR, O_RDONLY | O_DIRECTORY
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
		    "%s/%s/%s", j->st.job_id, j->dir, RUN_SECRET_DIR, s->name);
	}
	return 0;
fail:
	{
		int e = errno;

		run_secrets_wipe(j);
		run_fail(j, r, "JobFailed", "secret configuration file "
		    "%s/%s%s%s: %s", j->dir, RUN_SECRET_DIR, what[0] != '\0'
		    ? "/" : "", what, strerror(e));
	}
	LOG_E("%s", j->msg);
	return -1;
}

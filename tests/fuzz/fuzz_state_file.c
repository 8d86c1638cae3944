/*
 * fuzz_state_file.c -- the agent's state file, the job in flight
 * (run_state_read() in src/agent/run_state.c), read back after a crash
 * (the pending reports' files have the same format).
 *
 * The input is the file: it is written to "state" in a private temporary
 * directory (mkdtemp under $TMPDIR or /tmp, removed at exit), which
 * state_path names, and read by run_state_read(). A file is
 * present, so the answer is 1 (a job) or -1 (unusable), never 0; one not
 * starting with "cpjob-state 1\n" is -1. A job it returns has a
 * well-formed job id, job id, nonce and boot id NUL-terminated within
 * their arrays, a known phase, a handler pid of 0 or above 1, a
 * percentage of -1..100, at most RUN_VARS_MAX output variables and
 * readable strings. The recorded phase and report are taken only from a
 * whole file, one with an "end" line and no NUL byte before it (the
 * writer never writes one: a torn write leaves zeros), and a recorded
 * report has its outcome; any other file that names a job gives phase
 * handler and an empty report (the job is reported as failed, never
 * resumed). A job read
 * is then written back with run_state_write() and read again: the same
 * state must come back (inputs up to RUN_RESULT_MAX bytes). That write
 * fsyncs the file and its directory: point TMPDIR at a tmpfs (e.g.
 * /dev/shm) for long runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_state_file: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define HEADER "cpjob-state 1\n"

static char tmpdir[512];
static char state_path[RUN_PATH_MAX];   /* the state file */

static void
cleanup(void)
{
	char p[RUN_PATH_MAX + 16];

	if (tmpdir[0] == '\0')
		return;
	(void)unlink(state_path);
	snprintf(p, sizeof p, "%s.tmp", state_path);
	(void)unlink(p);
	(void)rmdir(tmpdir);
}

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return;
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof tmpdir, "%s/cpj-fuzz-XXXXXX", t)
	    >= sizeof tmpdir || mkdtemp(tmpdir) == NULL)
		FAIL("no temporary directory");
	if ((size_t)snprintf(state_path, sizeof state_path,
	    "%s/state", tmpdir) >= sizeof state_path)
		FAIL("temporary directory name too long");
	run_log_init(0, 0);     /* no log lines */
	atexit(cleanup);
}

static void
write_file(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int fd;

	fd = open(state_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd < 0)
		FAIL("cannot write the state file");
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			FAIL("cannot write the state file");
		off += (size_t)w;
	}
	close(fd);
}

/* Whole: after the header, a line of exactly "end", and no NUL byte
 * before it. */
static int
whole(const uint8_t *data, size_t size)
{
	size_t p = sizeof HEADER - 1;

	if (size < p || memcmp(data, HEADER, p) != 0)
		return 0;
	while (p < size) {
		const uint8_t *nl = memchr(data + p, '\n', size - p);
		size_t n;

		if (nl == NULL)
			return 0;
		n = (size_t)(nl - (data + p));
		if (memchr(data + p, 0, n) != NULL)
			return 0;
		if (n == 3 && memcmp(data + p, "end", 3) == 0)
			return 1;
		p += n + 1;
	}
	return 0;
}

static void
terminated(const char *s, size_t cap)
{
	if (memchr(s, 0, cap) == NULL)
		FAIL("field not NUL-terminated within its array");
}

static int
report_empty(const struct run_report *r)
{
	return r->kind == 0 && r->failure_type == NULL && r->message == NULL
	    && r->summary == NULL && r->external_execution_id == NULL
	    && r->continuation_token == NULL && r->percent_complete == -1
	    && r->nvars == 0;
}

/* strlen() each string: ASan reports a read past its buffer. */
static size_t
readable(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

static void
check_state(const struct run_state *st, const uint8_t *data, size_t size)
{
	const struct run_report *r = &st->report;
	size_t i, sum = 0;

	terminated(st->job_id, sizeof st->job_id);
	terminated(st->nonce, sizeof st->nonce);
	terminated(st->boot_id, sizeof st->boot_id);
	if (cpj_cp_check_job_id(st->job_id) != 0)
		FAIL("job id accepted but not well-formed");
	if (st->phase < PHASE_ACKING || st->phase > PHASE_REPORTING)
		FAIL("phase out of range");
	if (st->handler_pid != 0 && st->handler_pid <= 1)
		FAIL("handler pid");
	if (r->percent_complete < -1 || r->percent_complete > 100)
		FAIL("percent_complete");
	if (r->nvars > RUN_VARS_MAX)
		FAIL("too many output variables");
	sum += readable(r->failure_type) + readable(r->message)
	    + readable(r->summary) + readable(r->external_execution_id)
	    + readable(r->continuation_token);
	for (i = 0; i < r->nvars; i++) {
		if (r->vars[i].key == NULL || r->vars[i].value == NULL)
			FAIL("output variable without name or value");
		sum += readable(r->vars[i].key) + readable(r->vars[i].value);
	}
	if (sum > 2 * size + 16)
		FAIL("strings longer than the file");
	if (st->phase == PHASE_REPORTING && r->kind != REPORT_SUCCESS
	    && r->kind != REPORT_FAILURE)
		FAIL("report recorded without its outcome");
	if (!whole(data, size)
	    && (st->phase != PHASE_HANDLER || !report_empty(r)
	    || st->uploaded != 0 || st->handler_pid != 0))
		FAIL("state taken from a file that is not whole");
}

/* A deep copy of a state read (its strings live in the reader's buffer,
 * which the next read overwrites). */
struct copy {
	struct run_state st;
	char *str[5];
	char *key[RUN_VARS_MAX], *val[RUN_VARS_MAX];
};

static char *
dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

static void
copy_state(struct copy *c, const struct run_state *st)
{
	struct run_report *r = &c->st.report;
	size_t i;

	c->st = *st;
	c->str[0] = dup_or_null(st->report.failure_type);
	c->str[1] = dup_or_null(st->report.message);
	c->str[2] = dup_or_null(st->report.summary);
	c->str[3] = dup_or_null(st->report.external_execution_id);
	c->str[4] = dup_or_null(st->report.continuation_token);
	r->failure_type = c->str[0];
	r->message = c->str[1];
	r->summary = c->str[2];
	r->external_execution_id = c->str[3];
	r->continuation_token = c->str[4];
	for (i = 0; i < st->report.nvars; i++) {
		c->key[i] = dup_or_null(st->report.vars[i].key);
		c->val[i] = dup_or_null(st->report.vars[i].value);
		r->vars[i].key = c->key[i];
		r->vars[i].value = c->val[i];
	}
}

static void
free_copy(struct copy *c)
{
	size_t i;

	for (i = 0; i < 5; i++)
		free(c->str[i]);
	for (i = 0; i < c->st.report.nvars; i++) {
		free(c->key[i]);
		free(c->val[i]);
	}
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* What run_state_write() records of `a` came back as `b`. */
static void
compare(const struct run_state *a, const struct run_state *b)
{
	const struct run_report *ra = &a->report, *rb = &b->report;
	size_t i;

	if (strcmp(a->job_id, b->job_id) != 0 || strcmp(a->nonce, b->nonce) != 0
	    || a->phase != b->phase || a->since != b->since
	    || a->handler_pid != b->handler_pid)
		FAIL("state written and read back differs");
	if (a->handler_pid > 0 && (a->handler_start != b->handler_start
	    || strcmp(a->boot_id, b->boot_id) != 0))
		FAIL("handler written and read back differs");
	if (a->uploaded != b->uploaded)
		FAIL("uploads written and read back differ");
	if (a->phase < PHASE_UPLOADING || ra->kind == 0)
		return;
	if (ra->kind != rb->kind
	    || !same_str(ra->failure_type, rb->failure_type)
	    || !same_str(ra->message, rb->message)
	    || !same_str(ra->summary, rb->summary)
	    || !same_str(ra->external_execution_id, rb->external_execution_id)
	    || !same_str(ra->continuation_token, rb->continuation_token)
	    || ra->percent_complete != rb->percent_complete
	    || ra->nvars != rb->nvars)
		FAIL("report written and read back differs");
	for (i = 0; i < ra->nvars; i++) {
		if (strcmp(ra->vars[i].key, rb->vars[i].key) != 0
		    || strcmp(ra->vars[i].value, rb->vars[i].value) != 0)
			FAIL("output variable written and read back differs");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_state st, again;
	static struct copy c;
	int rc;

	setup();
	write_file(data, size);
	memset(&st, 0x5a, sizeof st);
	rc = run_state_read(state_path, &st);
	if (rc == 0)
		FAIL("a state file present read as none");
	if (rc != 1 && rc != -1)
		FAIL("result");
	if (rc == 1 && (size < sizeof HEADER - 1
	    || memcmp(data, HEADER, sizeof HEADER - 1) != 0))
		FAIL("a file without the header accepted");
	if (rc != 1)
		return 0;
	check_state(&st, data, size);
	if (size > RUN_RESULT_MAX)
		return 0;

	/* Written back and read again: the same state. */
	copy_state(&c, &st);
	if (run_state_write(state_path, &c.st) != 0)
		FAIL("cannot write the state back");
	memset(&again, 0x5a, sizeof again);
	if (run_state_read(state_path, &again) != 1)
		FAIL("state written back not read");
	compare(&c.st, &again);
	free_copy(&c);
	return 0;
}

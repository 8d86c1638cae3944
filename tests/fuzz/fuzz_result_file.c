/*
 * fuzz_result_file.c -- the handler's result file (run_result_read() in
 * src/agent/run_result.c) and run_message_clean().
 *
 * The input is the file: it is written to "result" in a private
 * temporary directory (mkdtemp under $TMPDIR or /tmp, removed at exit)
 * and read back by run_result_read(), which takes a directory and a
 * name. A report it accepts must hold what the handler contract promises
 * (lengths, percent, names of output variables, no variables with a
 * continuation token); a rejection must come with a message. The input
 * is also cleaned as a failure message: the result is valid UTF-8 of at
 * most RUN_MESSAGE_MAX UTF-16 units without control characters other
 * than newline and tab.
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
	fprintf(stderr, "fuzz_result_file: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static char tmpdir[512];
static int dirfd_ = -1;

static void
cleanup(void)
{
	if (dirfd_ >= 0) {
		(void)unlinkat(dirfd_, "result", 0);
		close(dirfd_);
		dirfd_ = -1;
	}
	if (tmpdir[0] != '\0')
		(void)rmdir(tmpdir);
}

static int
dir(void)
{
	const char *t = getenv("TMPDIR");

	if (dirfd_ >= 0)
		return dirfd_;
	if (t == NULL || *t == '\0')
		t = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof tmpdir, "%s/cpj-fuzz-XXXXXX", t)
	    >= sizeof tmpdir || mkdtemp(tmpdir) == NULL)
		FAIL("no temporary directory");
	dirfd_ = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0)
		FAIL("temporary directory");
	atexit(cleanup);
	return dirfd_;
}

/* UTF-16 units of valid UTF-8. */
static size_t
units(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80)
			n += c >= 0xf0 ? 2 : 1;
	}
	return n;
}

static void
text(const char *s, size_t min, size_t max)
{
	size_t u;

	if (s == NULL)
		return;
	u = units(s);
	if (u < min || u > max || !run_utf8_valid(s, strlen(s)))
		FAIL("value outside its limits");
}

static void
check_report(const struct run_report *r)
{
	size_t i, k, bytes = 0;

	text(r->summary, 1, 2048);
	text(r->external_execution_id, 1, 1500);
	text(r->continuation_token, 1, 2048);
	text(r->message, 1, RUN_MESSAGE_MAX);
	if (r->failure_type != NULL
	    && cpj_cp_check_enum(r->failure_type, CPJ_CP_ENUM_FAILURE_TYPE) != 0)
		FAIL("failure_type not a FailureType");
	if (r->percent_complete < -1 || r->percent_complete > 100)
		FAIL("percent_complete");
	if (r->nvars > RUN_VARS_MAX)
		FAIL("too many output variables");
	if (r->nvars > 0 && r->continuation_token != NULL)
		FAIL("variables with a continuation token");
	for (i = 0; i < r->nvars; i++) {
		const char *c = r->vars[i].key;

		if (*c == '\0')
			FAIL("empty variable name");
		for (; *c != '\0'; c++) {
			if (strchr("@-_", *c) == NULL && !(*c >= '0' && *c <= '9')
			    && !(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z'))
				FAIL("variable name byte");
		}
		for (k = 0; k < i; k++) {
			if (strcmp(r->vars[k].key, r->vars[i].key) == 0)
				FAIL("variable name twice");
		}
		for (c = r->vars[i].value; *c != '\0'; c++) {
			if ((unsigned char)*c < 0x20 && *c != '\t')
				FAIL("control byte in a value");
		}
		bytes += strlen(r->vars[i].key) + strlen(r->vars[i].value);
	}
	if (bytes > RUN_VARS_BYTES)
		FAIL("variables over their quota");
}

static void
message(const uint8_t *data, size_t size)
{
	char *m = malloc(size + 1);
	const unsigned char *p;

	if (m == NULL)
		return;
	memcpy(m, data, size);
	m[size] = '\0';
	run_message_clean(m);
	if (!run_utf8_valid(m, strlen(m)) || units(m) > RUN_MESSAGE_MAX)
		FAIL("cleaned message invalid or too long");
	for (p = (const unsigned char *)m; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			FAIL("control character left in the message");
	}
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_report r;
	char err[512];
	size_t off = 0;
	int fd, rc;

	fd = openat(dir(), "result", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd < 0)
		FAIL("cannot write the result file");
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			FAIL("cannot write the result file");
		off += (size_t)w;
	}
	close(fd);

	memset(err, 0x5a, sizeof err);
	rc = run_result_read(dir(), "result", &r, err, sizeof err);
	if (rc == 1) {
		check_report(&r);
	} else if (rc == -1) {
		if (memchr(err, 0, sizeof err) == NULL || err[0] == '\0')
			FAIL("rejection without a message");
	} else {
		FAIL("result neither read nor rejected");
	}
	message(data, size);
	return 0;
}

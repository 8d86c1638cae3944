/*
 * test_run_state.c -- the agent's state file (src/agent/run_state.c,
 * linked from the agent's objects): written and read back whole when its
 * report is large and escaped (the file is read 4 KiB at a time and
 * decoded as it comes, so escapes cross the pieces), an escape cut
 * exactly at a piece's end, a bad escape (that line ignored), a torn
 * file (a NUL byte: the job is kept, its report dropped), no header, and
 * a decoded report larger than the reader holds (refused, not cut).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "agent/run.h"

#define JOB "11111111-2222-3333-4444-555555555555"

static char dir[64], path[128];
static char vals[RUN_VARS_MAX][600];
static char keys[RUN_VARS_MAX][32];
static char text[300000];

static int
put_file(const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (fwrite(s, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static size_t
get_file(char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* 100 variables of 590 bytes where every byte needs an escape, half of
 * them four bytes (\xHH): the file is ~150 KB, the report ~59 KB. */
static int
big_report_round_trip(void)
{
	struct run_state st, back;
	size_t i, j, n;

	memset(&st, 0, sizeof st);
	snprintf(st.job_id, sizeof st.job_id, "%s", JOB);
	snprintf(st.nonce, sizeof st.nonce, "%s", "n-1");
	st.phase = PHASE_REPORTING;
	st.since = 1700000000;
	run_report_init(&st.report, REPORT_SUCCESS);
	st.report.summary = "line one\nline\ttwo \\ three";
	st.report.continuation_token = "tok";
	for (i = 0; i < RUN_VARS_MAX; i++) {
		for (j = 0; j < sizeof vals[i] - 10; j++)
			vals[i][j] = (j & 1) ? '\\' : (char)(1 + (i + j) % 30);
		vals[i][j] = '\0';
		snprintf(keys[i], sizeof keys[i], "Var_%zu", i);
		st.report.vars[i].key = keys[i];
		st.report.vars[i].value = vals[i];
	}
	st.report.nvars = RUN_VARS_MAX;
	CHECK_EQ(run_state_write(path, &st), 0);
	n = get_file(text, sizeof text);
	CHECK(n > 140000);
	CHECK_EQ(run_state_read(path, &back), 1);
	CHECK(strcmp(back.job_id, JOB) == 0);
	CHECK(strcmp(back.nonce, "n-1") == 0);
	CHECK_EQ(back.phase, PHASE_REPORTING);
	CHECK_EQ(back.since, 1700000000);
	CHECK_EQ(back.report.kind, REPORT_SUCCESS);
	CHECK(strcmp(back.report.summary, st.report.summary) == 0);
	CHECK(strcmp(back.report.continuation_token, "tok") == 0);
	CHECK_EQ(back.report.nvars, RUN_VARS_MAX);
	for (i = 0; i < RUN_VARS_MAX; i++) {
		CHECK(strcmp(back.report.vars[i].key, keys[i]) == 0);
		CHECK(strcmp(back.report.vars[i].value, vals[i]) == 0);
	}
	return 0;
}

/* Build "cpjob-state 1", the job, "summary=" with filler so that the
 * escape `esc` starts `at` bytes before the 4,096-byte mark, "end". */
static int
escape_at(const char *esc, size_t at, const char *want)
{
	struct run_state st;
	size_t n, fill;
	const char *summary;

	n = (size_t)snprintf(text, sizeof text, "cpjob-state 1\njob_id=%s\n"
	    "phase=reporting\nreport=success\nsummary=", JOB);
	fill = 4096 - at - n;
	memset(text + n, 'a', fill);
	n += fill;
	n += (size_t)snprintf(text + n, sizeof text - n, "%s\nend\n", esc);
	CHECK_EQ(put_file(text, n), 0);
	CHECK_EQ(run_state_read(path, &st), 1);
	CHECK_EQ(st.phase, PHASE_REPORTING);
	summary = st.report.summary;
	if (want == NULL) {
		CHECK(summary == NULL);
		return 0;
	}
	CHECK(summary != NULL);
	CHECK_EQ(strlen(summary), fill + strlen(want));
	CHECK(strcmp(summary + fill, want) == 0);
	return 0;
}

static int
escapes_across_pieces(void)
{
	size_t at;
	int rc;

	for (at = 1; at <= 4; at++) {
		if ((rc = escape_at("\\x41z", at, "Az")) != 0)
			return rc;
		if ((rc = escape_at("\\nz", at, "\nz")) != 0)
			return rc;
		if ((rc = escape_at("\\\\z", at, "\\z")) != 0)
			return rc;
	}
	/* bad escapes: the line is ignored, the rest is read */
	for (at = 1; at <= 3; at++) {
		if ((rc = escape_at("\\q", at, NULL)) != 0)
			return rc;
		if ((rc = escape_at("\\x00", at, NULL)) != 0)
			return rc;
		if ((rc = escape_at("\\x4", at, NULL)) != 0)
			return rc;
	}
	return 0;
}

static int
damaged_files(void)
{
	static const char torn[] = "cpjob-state 1\njob_id=" JOB "\nphase=reporting\n"
	    "report=success\nsumm\0\0\0\nend\n";
	static const char noend[] = "cpjob-state 1\njob_id=" JOB "\nphase=acked\n"
	    "report=success\nsummary=x";
	static const char other[] = "cpjob-state 2\njob_id=" JOB "\nend\n";
	static const char keyed[] = "cpjob-state 1=x\njob_id=" JOB "\nend\n";
	struct run_state st;

	CHECK_EQ(put_file(torn, sizeof torn - 1), 0);
	CHECK_EQ(run_state_read(path, &st), 1);
	CHECK(strcmp(st.job_id, JOB) == 0);
	CHECK_EQ(st.phase, PHASE_HANDLER);      /* failed, never resumed */
	CHECK_EQ(st.report.kind, 0);
	CHECK_EQ(put_file(noend, sizeof noend - 1), 0);
	CHECK_EQ(run_state_read(path, &st), 1);
	CHECK_EQ(st.phase, PHASE_HANDLER);
	CHECK(st.report.summary == NULL);
	CHECK_EQ(put_file(other, sizeof other - 1), 0);
	CHECK_EQ(run_state_read(path, &st), -1);
	CHECK_EQ(put_file(keyed, sizeof keyed - 1), 0);
	CHECK_EQ(run_state_read(path, &st), -1);
	CHECK_EQ(put_file("", 0), 0);
	CHECK_EQ(run_state_read(path, &st), -1);
	CHECK_EQ(unlink(path), 0);
	CHECK_EQ(run_state_read(path, &st), 0);
	return 0;
}

/* A state file with n output variables of 1,000 bytes each. */
static int
vars_file(size_t n_vars)
{
	size_t n, i;

	n = (size_t)snprintf(text, sizeof text, "cpjob-state 1\njob_id=%s\n"
	    "phase=reporting\nreport=success\n", JOB);
	for (i = 0; i < n_vars; i++) {
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "output_variable.V%zu=", i);
		memset(text + n, 'v', 1000);
		n += 1000;
		text[n++] = '\n';
	}
	n += (size_t)snprintf(text + n, sizeof text - n, "end\n");
	return put_file(text, n);
}

/* 100 variables of 1,000 bytes decode to more than the reader holds (the
 * writer never makes such a file): refused whole; 60 fit. */
static int
too_large_refused(void)
{
	struct run_state st;

	CHECK_EQ(vars_file(RUN_VARS_MAX), 0);
	CHECK_EQ(run_state_read(path, &st), -1);
	CHECK_EQ(vars_file(60), 0);
	CHECK_EQ(run_state_read(path, &st), 1);
	CHECK_EQ(st.report.nvars, 60);
	CHECK_EQ(strlen(st.report.vars[59].value), 1000);
	return 0;
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/cpjstXXXXXX",
	    t != NULL && strlen(t) < 40 ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/state", dir);
	RUN(big_report_round_trip);
	RUN(escapes_across_pieces);
	RUN(damaged_files);
	RUN(too_large_refused);
	(void)unlink(path);
	(void)rmdir(dir);
	return H_EXIT();
}

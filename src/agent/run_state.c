/*
 * run_state.c -- the state file: the one job in flight, so that a job
 * the worker acknowledged is reported even after a crash, power loss or
 * kill -9.
 *
 * Format (text, one `key=value` per line, values escaped with \\, \n,
 * \r, \t and \xHH):
 *
 *     cpjob-state 1
 *     job_id=<uuid>
 *     nonce=<nonce>
 *     phase=acking|acked|downloading|handler|uploading|reporting
 *     since=<unix seconds>
 *     handler_pid=<pid>          (while a handler runs)
 *     handler_start=<ticks>      its start time in /proc/<pid>/stat
 *     boot_id=<uuid>             the boot it runs in
 *     uploaded=<bits>            output artifacts confirmed uploaded (bit i)
 *     report=success|failure     (phases uploading and reporting: the
 *                                handler's outcome, recorded before the
 *                                first upload)
 *     failure_type=, message=, summary=, external_execution_id=,
 *     percent_complete=, continuation_token=, output_variable.NAME=
 *     end
 *
 * Written to <file>.tmp, fsync'd, renamed over the file, and the
 * directory fsync'd, so a reader sees the old or the new state, whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inner.h"
#include "run.h"
#include "arena.h"
#include "setup.h"

/*
 * What a state file holds once decoded: the report's strings, which all
 * come from the handler's result file (at most RUN_RESULT_MAX bytes, keys
 * and values) except a failure message the agent writes itself (at most
 * RUN_MESSAGE_MAX UTF-16 units, 3 bytes of UTF-8 each at most), the
 * "output_variable." before each variable's name, and the line being
 * decoded (the fixed fields are short). The file is read a piece at a
 * time and decoded as it comes: escaped, it may be four times as large.
 */
#define VALS_MAX (RUN_RESULT_MAX + 3 * RUN_MESSAGE_MAX + 17 * RUN_VARS_MAX \
	+ 4096)

static char *vbuf;    /* VALS_MAX bytes of the arena */
static char wbuf[8192];
static size_t wlen;
static int wfd = -1;
static int werr;
static int lock_fd = -1;

static const char *const phases[] = {
	"acking", "acked", "downloading", "handler", "uploading", "reporting"
};

/* see run.h */
const char *
run_phase_name(int phase)
{
	if (phase < 0 || phase > PHASE_REPORTING)
		return "unknown";
	return phases[phase];
}

static void
wflush(void)
{
	if (!werr && run_write_all(wfd, wbuf, wlen) != 0)
		werr = errno != 0 ? errno : EIO;
	wlen = 0;
}

static void
wputc(char c)
{
	if (wlen == sizeof wbuf)
		wflush();
	wbuf[wlen++] = c;
}

static void
wputs(const char *s)
{
	while (*s != '\0')
		wputc(*s++);
}

static void
wvalue(const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\') {
			wputs("\\\\");
		} else if (c == '\n') {
			wputs("\\n");
		} else if (c == '\r') {
			wputs("\\r");
		} else if (c == '\t') {
			wputs("\\t");
		} else if (c < 0x20 || c == 0x7f) {
			wputs("\\x");
			wputc(hex[c >> 4]);
			wputc(hex[c & 15]);
		} else {
			wputc((char)c);
		}
	}
}

static void
wkv(const char *k, const char *v)
{
	if (v == NULL)
		return;
	wputs(k);
	wputc('=');
	wvalue(v);
	wputc('\n');
}

static void
wnum(const char *k, long long v)
{
	char t[32];

	fmt_snprintf(t, sizeof t, "%lld", v);
	wkv(k, t);
}

/* see run.h */
int
run_state_write(const char *path, const struct run_state *st)
{
	char tmp[RUN_PATH_MAX + 8], dir[RUN_PATH_MAX], *slash;
	const struct run_report *r = &st->report;
	size_t i;

	fmt_snprintf(tmp, sizeof tmp, "%s.tmp", path);
	wfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (wfd < 0) {
		LOG_E("state file %s: %s", tmp, strerror(errno));
		return -1;
	}
	wlen = 0;
	werr = 0;
	wputs("cpjob-state 1\n");
	wkv("job_id", st->job_id);
	wkv("nonce", st->nonce);
	wkv("phase", run_phase_name(st->phase));
	wnum("since", (long long)st->since);
	if (st->handler_pid > 0) {
		wnum("handler_pid", st->handler_pid);
		wnum("handler_start", (long long)st->handler_start);
		wkv("boot_id", st->boot_id);
	}
	if (st->uploaded != 0)
		wnum("uploaded", (long long)st->uploaded);
	if (st->phase >= PHASE_UPLOADING && r->kind != 0) {
		wkv("report", r->kind == REPORT_SUCCESS ? "success"
		    : "failure");
		wkv("failure_type", r->failure_type);
		wkv("message", r->message);
		wkv("summary", r->summary);
		wkv("external_execution_id", r->external_execution_id);
		if (r->percent_complete >= 0)
			wnum("percent_complete", r->percent_complete);
		wkv("continuation_token", r->continuation_token);
		for (i = 0; i < r->nvars; i++) {
			wputs("output_variable.");
			wputs(r->vars[i].key);
			wputc('=');
			wvalue(r->vars[i].value);
			wputc('\n');
		}
	}
	wputs("end\n");
	wflush();
	if (!werr && fsync(wfd) != 0)
		werr = errno;
	if (close(wfd) != 0 && !werr)
		werr = errno;
	wfd = -1;
	if (werr) {
		LOG_E("state file %s: %s", tmp, strerror(werr));
		(void)unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		LOG_E("state file %s: rename: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	fmt_snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if (run_fsync_dir(dir) != 0)
			LOG_W("state directory %s: fsync: %s", dir,
			    strerror(errno));
	}
	LOG_D("state: job %s phase %s", st->job_id, run_phase_name(st->phase));
	if (strcmp(path, run_config()->state_abs) == 0)
		run_notify_status("working job %s in phase %s", st->job_id,
		    run_phase_name(st->phase));
	return 0;
}

/* see run.h */
int
run_state_clear(const char *path)
{
	char dir[RUN_PATH_MAX], *slash;

	if (unlink(path) != 0 && errno != ENOENT) {
		LOG_E("state file %s: %s", path, strerror(errno));
		return -1;
	}
	fmt_snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		(void)run_fsync_dir(dir);
	}
	return 0;
}

/* The decoder of a state file's lines (run_state_read): each line goes
 * into vbuf from `line`, its key NUL-terminated at the '=', its value
 * unescaped after it. */
enum { D_KEY, D_VAL, D_ESC, D_HEX1, D_HEX2 };

struct dec {
	size_t line;        /* where the line being decoded starts */
	size_t pos;         /* next free byte */
	size_t val;         /* its value, when has_val */
	int st;             /* D_* */
	int hex;            /* the first digit of \xHH */
	int has_val;
	int bad;            /* a bad escape: the line is ignored */
	int nul;            /* a NUL byte (never written: a torn write) */
};

static void
dec_line(struct dec *d)
{
	d->pos = d->line;
	d->st = D_KEY;
	d->has_val = d->bad = d->nul = 0;
}

/* Take one byte: 0 more to come, 1 a line is complete (NUL-terminated),
 * -1 it does not fit. */
static int
dec_byte(struct dec *d, unsigned char c)
{
	int h;

	if (c == '\n') {
		if (d->st != D_KEY && d->st != D_VAL)
			d->bad = 1;     /* an escape cut by the line's end */
		vbuf[d->pos] = '\0';
		return 1;
	}
	if (c == '\0') {
		d->nul = 1;
		return 0;
	}
	if (d->bad || d->nul)
		return 0;
	if (d->pos >= VALS_MAX - 1)
		return -1;
	switch (d->st) {
	case D_KEY:
		if (c == '=') {
			c = '\0';
			d->val = d->pos + 1;
			d->has_val = 1;
			d->st = D_VAL;
		}
		break;
	case D_VAL:
		if (c == '\\') {
			d->st = D_ESC;
			return 0;
		}
		break;
	case D_ESC:
		d->st = D_VAL;
		if (c == 'x') {
			d->st = D_HEX1;
			return 0;
		}
		c = c == '\\' ? '\\' : c == 'n' ? '\n' : c == 'r' ? '\r'
		    : c == 't' ? '\t' : 0;
		if (c == 0)
			d->bad = 1;
		break;
	case D_HEX1:
		d->hex = cpj_hexval(c);
		d->st = D_HEX2;
		if (d->hex < 0)
			d->bad = 1;
		return 0;
	default:        /* D_HEX2 */
		h = cpj_hexval(c);
		d->st = D_VAL;
		if (h < 0 || (d->hex == 0 && h == 0)) {
			d->bad = 1;
			return 0;
		}
		c = (unsigned char)(d->hex * 16 + h);
		break;
	}
	if (!d->bad)
		vbuf[d->pos++] = (char)c;
	return 0;
}

static int
parse_ll(const char *s, long long *out)
{
	char *e;

	errno = 0;
	*out = strtoll(s, &e, 10);
	return (errno != 0 || e == s || *e != '\0') ? -1 : 0;
}

/* One key=value line of the state: 1 when `val` stays pointed to (a
 * string of the report), else 0. */
static int
state_field(struct run_state *st, int *kind, const char *k, char *val)
{
	struct run_report *r = &st->report;
	const char **str;
	long long v;
	unsigned max;
	int i;

	if (strcmp(k, "job_id") == 0) {
		fmt_snprintf(st->job_id, sizeof st->job_id, "%s", val);
	} else if (strcmp(k, "nonce") == 0) {
		fmt_snprintf(st->nonce, sizeof st->nonce, "%s", val);
	} else if (strcmp(k, "phase") == 0) {
		for (i = 0; i <= PHASE_REPORTING; i++) {
			if (strcmp(val, phases[i]) == 0)
				st->phase = i;
		}
	} else if (strcmp(k, "since") == 0 && parse_ll(val, &v) == 0) {
		st->since = (int64_t)v;
	} else if (strcmp(k, "handler_pid") == 0
	    && parse_ll(val, &v) == 0 && v > 1) {
		st->handler_pid = (long)v;
	} else if (strcmp(k, "handler_start") == 0
	    && parse_ll(val, &v) == 0 && v >= 0) {
		st->handler_start = (unsigned long long)v;
	} else if (strcmp(k, "uploaded") == 0
	    && parse_ll(val, &v) == 0 && v >= 0 && v <= 0xffffffffLL) {
		st->uploaded = (uint32_t)v;
	} else if (strcmp(k, "boot_id") == 0) {
		fmt_snprintf(st->boot_id, sizeof st->boot_id, "%s", val);
	} else if (strcmp(k, "report") == 0) {
		*kind = strcmp(val, "success") == 0 ? REPORT_SUCCESS
		    : strcmp(val, "failure") == 0 ? REPORT_FAILURE : 0;
	} else if (strcmp(k, "percent_complete") == 0
	    && parse_ll(val, &v) == 0 && v >= 0 && v <= 100) {
		r->percent_complete = (int)v;
	} else if ((str = run_report_str(r, k, &max)) != NULL) {
		*str = val;
		return 1;
	} else if (strncmp(k, "output_variable.", 16) == 0
	    && r->nvars < RUN_VARS_MAX) {
		r->vars[r->nvars].key = k + 16;
		r->vars[r->nvars].value = val;
		r->nvars++;
		return 1;
	}
	return 0;
}

/* Decode the file's lines up to "end": 0, or -1 (errno; E2BIG when the
 * decoded report does not fit). The flags say what was seen. */
static int
state_lines(int fd, struct run_state *st, int *kind, int *have_end,
    int *torn, int *header)
{
	unsigned char chunk[4096];
	struct dec d;
	ssize_t n, i;

	memset(&d, 0, sizeof d);
	while (!*have_end) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		for (i = 0; i < n && !*have_end; i++) {
			int r = dec_byte(&d, chunk[i]);
			const char *k = vbuf + d.line;

			if (r < 0) {
				errno = E2BIG;
				return -1;
			}
			if (r == 0)
				continue;
			if (!*header) {
				/* the first line names the format */
				if (d.nul || d.has_val
				    || strcmp(k, "cpjob-state 1") != 0)
					return 0;
				*header = 1;
			} else if (d.nul) {
				*torn = 1;
			} else if (!d.has_val) {
				*have_end = strcmp(k, "end") == 0;
			} else if (!d.bad && state_field(st, kind, k,
			    vbuf + d.val)) {
				d.line = d.pos + 1;
			}
			dec_line(&d);
		}
	}
	return 0;
}

/* see run.h */
int
run_state_read(const char *path, struct run_state *st)
{
	struct run_report *r = &st->report;
	int have_end = 0, kind = 0, torn = 0, header = 0, fd, rc, e;

	memset(st, 0, sizeof *st);
	run_report_init(r, 0);
	st->phase = -1;
	if (vbuf == NULL)
		vbuf = agent_arena_take(VALS_MAX);
	fd = run_open_file_at(AT_FDCWD, path);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		LOG_E("state file %s: %s", path, strerror(errno));
		return -1;
	}
	rc = state_lines(fd, st, &kind, &have_end, &torn, &header);
	e = errno;
	close(fd);
	if (rc < 0) {
		LOG_E("state file %s: %s", path, e == E2BIG ? "too large"
		    : strerror(e));
		return -1;
	}
	if (!header) {
		LOG_E("state file %s: not a cpjob state file",
		    path);
		return -1;
	}
	if (cpj_cp_check_job_id(st->job_id) < 0) {
		LOG_E("state file %s: no valid job id", path);
		return -1;
	}
	r->kind = kind;
	if (!have_end || torn || st->phase < 0
	    || (st->phase == PHASE_REPORTING && kind == 0)) {
		/* damaged, but names a job: where it was is unknown, so it is
		 * reported as failed (never resumed: its handler may have
		 * run) */
		LOG_W("state file %s is damaged; job %s is failed",
		    path, st->job_id);
		st->phase = PHASE_HANDLER;
		st->handler_pid = 0;
		st->uploaded = 0;
		run_report_init(r, 0);
	}
	return 1;
}

/* see run.h */
int
run_state_lock(const char *state_path)
{
	char path[RUN_PATH_MAX + 8];

	fmt_snprintf(path, sizeof path, "%s.lock", state_path);
	lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock_fd < 0) {
		fmt_eprintf("cpjob run: state file (--state-file) lock %s: "
		    "%s\n", path, strerror(errno));
		return -1;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		setup_msg(NULL, "%s is in use by another cpjob run "
		    "(lock %s)", state_path, path);
		close(lock_fd);
		lock_fd = -1;
		return -1;
	}
	return 0;
}

/* One read of the file at path into b, NUL-terminated: 0, or -1 when
 * nothing was read. */
static int
read_once(const char *path, char *b, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, b, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	b[n] = '\0';
	return 0;
}

/* see run.h */
int
run_boot_id(char *out, size_t cap)
{
	char b[64];
	long n = run_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id",
	    b, sizeof b);
	char *nl;

	/* not a regular file on some kernels: read it plainly */
	if (n <= 0 && read_once("/proc/sys/kernel/random/boot_id", b,
	    sizeof b) < 0)
		return -1;
	nl = strchr(b, '\n');
	if (nl != NULL)
		*nl = '\0';
	fmt_snprintf(out, cap, "%s", b);
	return 0;
}

/* see run.h */
int
run_proc_start(long pid, unsigned long long *start)
{
	char path[64], b[1024], *p;
	int field;

	fmt_snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (read_once(path, b, sizeof b) < 0)
		return -1;
	p = strrchr(b, ')');    /* the command name may hold anything */
	if (p == NULL)
		return -1;
	/* field 3 (state) follows ") "; starttime is field 22 */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

/*
 * run_result.c -- the handler's result file and the report it leads to.
 *
 * The result file is `key=value` lines (see docs/handler.md): at most
 * RUN_RESULT_MAX bytes of UTF-8, '#' comments, blank lines ignored,
 * spaces and tabs around keys and values trimmed. Every value is checked
 * against the service model's limits here, so that a bad value becomes a
 * failure report that names it, never a rejected call.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "arena.h"

static char *buf;     /* RUN_RESULT_MAX + 1 bytes of the arena */

/* see run.h */
void
run_result_init(void)
{
	if (buf == NULL)
		buf = agent_arena_take(RUN_RESULT_MAX + 1);
}

/* see run.h */
void
run_report_init(struct run_report *r, int kind)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
	r->percent_complete = -1;
}

/* see run.h */
const char **
run_report_str(struct run_report *r, const char *k, unsigned *max)
{
	static const unsigned char off[] = {
		offsetof(struct run_report, failure_type),
		offsetof(struct run_report, message),
		offsetof(struct run_report, summary),
		offsetof(struct run_report, external_execution_id),
		offsetof(struct run_report, continuation_token),
	};
	/* the model's maximum lengths (failure_type: an enum) */
	static const unsigned short lim[] = { 0, RUN_MESSAGE_MAX, 2048, 1500,
		2048 };
	int i = fmt_pick(k, "failure_type\0message\0summary\0"
	    "external_execution_id\0continuation_token\0");

	if (i < 0)
		return NULL;
	*max = lim[i];
	return (const char **)(void *)((char *)r + off[i]);
}

static int
var_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
		    || (c >= 'A' && c <= 'Z') || c == '@' || c == '-'
		    || c == '_'))
			return 0;
	}
	return 1;
}

static char *
trim(char *s, char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

static int
fail(char *err, size_t cap, const char *fmt, const char *a, long line)
{
	char what[96];

	fmt_snprintf(what, sizeof what, "%.80s", a != NULL ? a : "");
	fmt_snprintf(err, cap, "result file line %ld: ", line);
	fmt_snprintf(err + strlen(err), cap - strlen(err), fmt, what);
	return -1;
}

/* see run.h */
int
run_result_read(int dirfd, const char *name, struct run_report *r,
	char *err, size_t errcap)
{
	char *p, *end;
	const char **str;
	long len, line = 0;
	size_t var_bytes = 0, i;
	unsigned max;

	run_report_init(r, REPORT_SUCCESS);
	run_result_init();
	len = run_read_file_at(dirfd, name, buf, RUN_RESULT_MAX + 1);
	if (len == -2) {
		fmt_snprintf(err, errcap, "result file larger than %u bytes",
		    (unsigned)RUN_RESULT_MAX);
		return -1;
	}
	if (len < 0) {
		if (errno == ENOENT)
			return 0;
		fmt_snprintf(err, errcap, "result file unreadable: %s",
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (!run_utf8_valid(buf, (size_t)len)) {
		fmt_snprintf(err, errcap, "result file is not valid UTF-8 text");
		return -1;
	}
	p = buf;
	end = buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl != NULL ? nl : end;
		char *eq, *k, *v, *c;

		line++;
		eq = memchr(p, '=', (size_t)(le - p));
		k = trim(p, eq != NULL ? eq : le);
		p = le + (nl != NULL);
		if (*k == '\0' && eq == NULL)
			continue;
		if (*k == '#')
			continue;
		if (eq == NULL)
			return fail(err, errcap, "'%s' is not key=value", k,
			    line);
		v = trim(eq + 1, le);
		for (c = v; *c != '\0'; c++) {
			if ((unsigned char)*c < 0x20 && *c != '\t')
				return fail(err, errcap, "%s: control "
				    "character in the value", k, line);
		}
		if ((str = run_report_str(r, k, &max)) != NULL) {
			if (max == 0 && cpj_cp_check_enum(v,
			    CPJ_CP_ENUM_FAILURE_TYPE) < 0) {
				fmt_snprintf(err, errcap, "result file line "
				    "%ld: failure_type '%.80s' is not a "
				    "FailureType (%s)", line, v,
				    CLI_FAILURE_TYPES);
				return -1;
			}
			if (max != 0 && cpj_cp_check_len(v, 1, max) < 0) {
				fmt_snprintf(err, errcap, "result file line "
				    "%ld: %s must be 1..%u characters", line, k,
				    max);
				return -1;
			}
			*str = v;
		} else if (strcmp(k, "percent_complete") == 0) {
			long n = 0;

			for (c = v; *c >= '0' && *c <= '9' && n <= 100; c++)
				n = n * 10 + (*c - '0');
			if (c == v || *c != '\0' || n > 100)
				return fail(err, errcap, "%s must be an integer "
				    "0..100", k, line);
			r->percent_complete = (int)n;
		} else if (strncmp(k, "output_variable.", 16) == 0) {
			const char *vn = k + 16;

			if (!var_name_ok(vn))
				return fail(err, errcap, "output variable name "
				    "'%s' must be 1 or more of [A-Za-z0-9@_-]",
				    vn, line);
			for (i = 0; i < r->nvars; i++) {
				if (strcmp(r->vars[i].key, vn) == 0)
					break;
			}
			if (i == r->nvars) {
				if (r->nvars == RUN_VARS_MAX)
					return fail(err, errcap, "more than %s "
					    "output variables", "100", line);
				r->nvars++;
			} else {
				var_bytes -= strlen(r->vars[i].key)
				    + strlen(r->vars[i].value);
			}
			r->vars[i].key = vn;
			r->vars[i].value = v;
			var_bytes += strlen(vn) + strlen(v);
			if (var_bytes > RUN_VARS_BYTES)
				return fail(err, errcap, "output variables "
				    "exceed %s bytes in all", "122880", line);
		} else {
			return fail(err, errcap, "unknown key '%s'", k, line);
		}
	}
	if (r->continuation_token != NULL && r->nvars > 0) {
		fmt_snprintf(err, errcap, "result file: output variables cannot "
		    "be combined with a continuation_token");
		return -1;
	}
	return 1;
}

/* see run.h */
void
run_message_clean(char *m)
{
	unsigned char *p = (unsigned char *)m;
	size_t i = 0, units = 0, cut = 0;

	while (p[i] != '\0') {
		unsigned c = p[i];
		size_t n = fmt_utf8_seq(m + i, SIZE_MAX);

		if (n == 0) {
			p[i] = '?';
			n = 1;
		} else if (n == 1 && (c < 0x20 || c == 0x7f) && c != '\n'
		    && c != '\t') {
			p[i] = ' ';
		}
		units += n == 4 ? 2 : 1;
		if (units > RUN_MESSAGE_MAX) {
			p[cut] = '\0';
			return;
		}
		i += n;
		cut = i;
	}
}

/* see run.h */
void
run_fail(struct run_job *j, struct run_report *r, const char *type,
	const char *fmt, ...)
{
	va_list ap;

	run_report_init(r, REPORT_FAILURE);
	va_start(ap, fmt);
	fmt_vsnprintf(j->msg, sizeof j->msg, fmt, ap);
	va_end(ap);
	/* it may quote a service's answer or a path: no piece of a secret
	 * goes to CodePipeline either */
	run_secrets_mask(j->msg, strlen(j->msg));
	run_message_clean(j->msg);
	if (j->msg[0] == '\0')
		fmt_snprintf(j->msg, sizeof j->msg, "job failed");
	r->failure_type = type;
	r->message = j->msg;
}

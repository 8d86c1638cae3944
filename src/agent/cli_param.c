/*
 * cli_param.c -- parameter values as the aws CLI reads them: file://
 * parameter files, JSON (with Python's json messages: what was expected,
 * line and column) or the shorthand, into typed pairs (struct cli_kv).
 * The checks of the values are cli_check.c's.
 *
 * Static storage only; one command per process.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "arena.h"
#include "cli.h"
#include "jmespath.h"

#define FILE_MAX (64 * 1024)

/* see cli.h */
const char *
cli_paramfile(const char *opt, const char *arg)
{
	char *file;
	size_t n = 0;
	int fd, e = 0;

	if (strncmp(arg, "file://", 7) != 0)
		return arg;
	file = agent_arena_scoped(FILE_MAX);    /* the caller's scope */
	fd = open(arg + 7, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		e = errno;
	while (fd >= 0 && n < FILE_MAX - 1) {
		ssize_t r = read(fd, file + n, FILE_MAX - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			e = errno;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (e == 0 && n == FILE_MAX - 1)
		e = EFBIG;
	if (e != 0) {
		if (opt != NULL) {
			cli_param_err(opt);
			fmt_eprintf("Unable to load paramfile %s: [Errno %d] "
			    "%s: '%s'\n", arg, e, strerror(e), arg + 7);
		}
		return NULL;
	}
	file[n] = '\0';
	if (strlen(file) != n) {
		if (opt != NULL) {
			cli_param_err(opt);
			fmt_eprintf("Unable to load paramfile %s: it holds a "
			    "NUL byte\n", arg);
		}
		return NULL;
	}
	return file;
}

/* ---- JSON, as Python's json module reads it ----------------------- */

struct jr {
	const char *s;
	size_t i;
	char *st;           /* store */
	size_t cap, used;
	const char *msg;    /* the first error */
	size_t at;
};

static int
fail(struct jr *p, const char *msg, size_t at)
{
	if (p->msg == NULL) {
		p->msg = msg;
		p->at = at;
	}
	return -1;
}

static void
ws(struct jr *p)
{
	while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n'
	    || p->s[p->i] == '\r')
		p->i++;
}

static int
put(struct jr *p, const char *b, size_t n)
{
	if (n + 1 > p->cap - p->used)
		return fail(p, "value too long", p->i);
	memcpy(p->st + p->used, b, n);
	p->used += n;
	p->st[p->used] = '\0';
	return 0;
}

static int
term(struct jr *p)
{
	if (p->used + 1 >= p->cap)
		return fail(p, "value too long", p->i);
	p->st[p->used++] = '\0';
	p->st[p->used] = '\0';
	return 0;
}

static int
put_utf8(struct jr *p, unsigned c)
{
	unsigned char b[4];

	return put(p, (const char *)b, cpj_utf8_put(b, c));
}

/* A string at p->i ('"'), unescaped into the store; q: a Python repr
 * ('...') instead. */
static int
jstring(struct jr *p, int q)
{
	size_t start = p->i++, from = p->used, len;

	for (;;) {
		unsigned char c = (unsigned char)p->s[p->i];

		if (c == '\0')
			return fail(p, "Unterminated string starting at", start);
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "Invalid control character at", p->i);
		if (c != '\\') {
			if (put(p, (const char *)&p->s[p->i], 1) < 0)
				return -1;
			p->i++;
			continue;
		}
		c = (unsigned char)p->s[p->i + 1];
		if (c == 'u') {
			unsigned v;
			int n = cpj_json_u_escape(p->s, SIZE_MAX, p->i, &v);

			if (n < 0)
				return fail(p, "Invalid \\uXXXX escape", p->i + 1);
			if (v == 0)
				return fail(p, "\\u0000 is not accepted", p->i);
			p->i += (size_t)n;
			if (put_utf8(p, v) < 0)
				return -1;
			continue;
		}
		{
			static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
			const char *e = c != '\0' ? strchr(esc, (int)c) : NULL;

			while (e != NULL && (e - esc) % 2 != 0)
				e = strchr(e + 1, (int)c);
			if (e == NULL)
				return fail(p, "Invalid \\escape", p->i);
			if (put(p, e + 1, 1) < 0)
				return -1;
			p->i += 2;
		}
	}
	p->i++;
	if (!q)
		return 0;
	len = jp_py_repr(p->st + p->used + 1, p->cap - p->used - 1,
	    p->st + from, p->used - from);
	if (len + 1 >= p->cap - p->used)
		return fail(p, "value too long", p->i);
	memmove(p->st + from, p->st + p->used + 1, len + 1);
	p->used = from + len;
	return 0;
}

/* A number as Python's json reads it: its repr into the store; 'i' or
 * 'd'. */
static int
jnumber(struct jr *p)
{
	const char *s = p->s + p->i, *e = s;
	int fl = 0;

	if (*e == '-')
		e++;
	if (*e == '0')
		e++;
	else if (*e >= '1' && *e <= '9')
		while (*e >= '0' && *e <= '9')
			e++;
	else
		return fail(p, "Expecting value", p->i);
	if (e[0] == '.' && e[1] >= '0' && e[1] <= '9') {
		fl = 1;
		for (e++; *e >= '0' && *e <= '9'; e++)
			;
	}
	if ((*e == 'e' || *e == 'E') && ((e[1] >= '0' && e[1] <= '9')
	    || ((e[1] == '+' || e[1] == '-') && e[2] >= '0' && e[2] <= '9'))) {
		fl = 1;
		for (e += 2; *e >= '0' && *e <= '9'; e++)
			;
	}
	p->i += (size_t)(e - s);
	if (fl) {       /* Python's repr of the float: 1e5 is 100000.0 */
		char t[40];
		double d = fmt_strtod(s, NULL);

		if (isinf(d))
			fmt_snprintf(t, sizeof t, "%sinf", d < 0 ? "-" : "");
		else
			fmt_pyfloat(d, t, sizeof t);
		return put(p, t, strlen(t)) < 0 ? -1 : 'd';
	}
	if (e - s == 2 && *s == '-' && s[1] == '0')
		s++;            /* -0 is the int 0 */
	return put(p, s, (size_t)(e - s)) < 0 ? -1 : 'i';
}

static int jvalue(struct jr *p, int depth);

/* An array or object in Python's repr (nested values). */
static int
jcontainer(struct jr *p, int depth)
{
	int obj = p->s[p->i] == '{';
	int first = 1;

	p->i++;
	if (put(p, obj ? "OrderedDict(" : "[", obj ? 12 : 1) < 0)
		return -1;
	ws(p);
	if (p->s[p->i] == (obj ? '}' : ']')) {
		p->i++;
		return put(p, obj ? ")" : "]", 1) < 0 ? -1 : (obj ? 'o' : 'a');
	}
	if (obj && put(p, "[", 1) < 0)
		return -1;
	for (;;) {
		if (!first && put(p, ", ", 2) < 0)
			return -1;
		first = 0;
		if (obj) {
			ws(p);
			if (p->s[p->i] != '"')
				return fail(p, "Expecting property name enclosed "
				    "in double quotes", p->i);
			if (put(p, "(", 1) < 0 || jstring(p, 1) < 0)
				return -1;
			ws(p);
			if (p->s[p->i] != ':')
				return fail(p, "Expecting ':' delimiter", p->i);
			p->i++;
			if (put(p, ", ", 2) < 0)
				return -1;
		}
		if (jvalue(p, depth + 1) < 0)
			return -1;
		if (obj && put(p, ")", 1) < 0)
			return -1;
		ws(p);
		if (p->s[p->i] == (obj ? '}' : ']'))
			break;
		if (p->s[p->i] != ',')
			return fail(p, "Expecting ',' delimiter", p->i);
		p->i++;
	}
	p->i++;
	return put(p, obj ? "])" : "]", obj ? 2 : 1) < 0 ? -1 : (obj ? 'o' : 'a');
}

/* A value in Python's repr; returns its kind: s i d b z a o. */
static int
jvalue(struct jr *p, int depth)
{
	static const struct { const char *w; const char *r; char k; } lit[] = {
		{ "true", "True", 'b' }, { "false", "False", 'b' },
		{ "null", "None", 'z' },
	};
	size_t k;

	ws(p);
	if (depth > 32)
		return fail(p, "nested too deeply", p->i);
	if (p->s[p->i] == '"')
		return jstring(p, 1) < 0 ? -1 : 's';
	if (p->s[p->i] == '{' || p->s[p->i] == '[')
		return jcontainer(p, depth);
	for (k = 0; k < sizeof lit / sizeof lit[0]; k++) {
		size_t n = strlen(lit[k].w);

		if (strncmp(p->s + p->i, lit[k].w, n) == 0) {
			p->i += n;
			return put(p, lit[k].r, strlen(lit[k].r)) < 0 ? -1 : lit[k].k;
		}
	}
	return jnumber(p);
}

/* The top-level object: members into kv (strings unescaped, other values
 * in Python's repr, kinds in kv[].type). */
static int
jobject(struct jr *p, struct cli_kv *kv, int max)
{
	int n = 0;

	ws(p);
	if (p->s[p->i] != '{')
		return fail(p, "Expecting value", p->i);
	p->i++;
	ws(p);
	if (p->s[p->i] == '}') {
		p->i++;
		return 0;
	}
	for (;;) {
		int t;

		ws(p);
		if (p->s[p->i] != '"')
			return fail(p, "Expecting property name enclosed in "
			    "double quotes", p->i);
		if (n >= max)
			return fail(p, "too many members", p->i);
		kv[n].key = p->st + p->used;
		if (jstring(p, 0) < 0 || term(p) < 0)
			return -1;
		ws(p);
		if (p->s[p->i] != ':')
			return fail(p, "Expecting ':' delimiter", p->i);
		p->i++;
		ws(p);
		kv[n].value = p->st + p->used;
		if (p->s[p->i] == '"') {
			if (jstring(p, 0) < 0)
				return -1;
			t = 's';
		} else if ((t = jvalue(p, 1)) < 0)
			return -1;
		if (term(p) < 0)
			return -1;
		kv[n++].type = (char)t;
		ws(p);
		if (p->s[p->i] == '}')
			break;
		if (p->s[p->i] != ',')
			return fail(p, "Expecting ',' delimiter", p->i);
		p->i++;
	}
	p->i++;
	return n;
}

/* see cli.h */
int
cli_json_kv(const char *opt, const char *s, struct cli_kv *kv, int max,
	char *store, size_t store_len, size_t *usedp)
{
	struct jr p;
	int n;

	memset(&p, 0, sizeof p);
	p.s = s;
	p.st = store;
	p.cap = store_len;
	if (store_len == 0)
		return -1;
	store[0] = '\0';
	n = jobject(&p, kv, max);
	if (n >= 0) {
		ws(&p);
		if (p.s[p.i] != '\0')
			n = fail(&p, "Extra data", p.i);
	}
	if (n < 0) {
		if (opt != NULL) {
			size_t k, line = 1, col = 1, ch = 0;

			for (k = 0; k < p.at && s[k] != '\0'; k++) {
				if (((unsigned char)s[k] & 0xc0) == 0x80)
					continue;
				ch++;
				col++;
				if (s[k] == '\n') {
					line++;
					col = 1;
				}
			}
			cli_param_err(opt);
			fmt_eprintf("Invalid JSON: %s: line %zu column %zu "
			    "(char %zu)\nJSON received: %s\n", p.msg, line, col,
			    ch, s);
		}
		return -1;
	}
	*usedp = p.used;
	return n;
}

/* see cli.h */
void
cli_param_err(const char *opt)
{
	fmt_eprintf("\nError parsing parameter '%s': ", opt);
}

/* see cli.h */
int
cli_param_kv(const char *opt, const char *arg, struct cli_kv *kv, int max,
	char *store, size_t store_len, size_t *usedp)
{
	size_t mark = agent_arena_mark();
	const char *s = cli_paramfile(opt, arg), *t;
	int n = -1;

	if (s == NULL) {
		agent_arena_release(mark);
		return -1;
	}
	for (t = s; *t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'; t++)
		;
	if (*t == '{')
		n = cli_json_kv(opt, s, kv, max, store, store_len, usedp);
	else if (*t != '[')
		n = cli_shorthand_kv(opt, s, kv, max, store, store_len, usedp);
	else if (opt != NULL) {
		cli_param_err(opt);
		fmt_eprintf("Invalid JSON:\n%s\n", s);
	}
	agent_arena_release(mark);      /* the pairs are in `store` */
	return n;
}

/* see cli.h */
int
cli_kv_arg(const char *arg, struct cli_kv *kv, int max, char *store,
	size_t store_len, size_t *usedp)
{
	return cli_param_kv(NULL, arg, kv, max, store, store_len, usedp);
}

/*
 * cli_check.c -- the checks botocore's ParamValidator makes before
 * sending, with its messages ("Parameter validation failed:" and one line
 * per problem), over the typed pairs of cli_param.c and a table of the
 * service model's structures (struct cli_shape); and the checks the aws
 * CLI leaves to the service (enum values, maxima), in the same form.
 *
 * Static storage only; one command per process.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "cli.h"

#define ERRS_MAX 4096

static char errs[ERRS_MAX];
static size_t errs_len;
static int errs_n;

/* see cli.h */
void
cli_perr(const char *fmt, ...)
{
	va_list ap;
	int r;

	if (errs_len + 1 >= sizeof errs)
		return;
	va_start(ap, fmt);
	r = fmt_vsnprintf(errs + errs_len, sizeof errs - errs_len, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	errs_len += (size_t)r;
	if (errs_len >= sizeof errs - 1)
		errs_len = sizeof errs - 2;
	errs[errs_len++] = '\n';
	errs[errs_len] = '\0';
	errs_n++;
}

/* see cli.h */
int
cli_perr_flush(void)
{
	int n = errs_n;

	if (n > 0)
		fmt_eprintf("\nParameter validation failed:\n%s%s", errs, "");
	errs_len = 0;
	errs_n = 0;
	errs[0] = '\0';
	return n;
}

static const char *
pytype(char t)
{
	/* the classes of "idbzalom", then str */
	static const char names[] = "<class 'int'>\0<class 'float'>\0"
	    "<class 'bool'>\0<class 'NoneType'>\0<class 'list'>\0"
	    "<class 'list'>\0<class 'collections.OrderedDict'>\0"
	    "<class 'dict'>\0<class 'str'>";
	static const char kinds[] = "idbzalom";
	const char *k = t != '\0' ? strchr(kinds, t) : NULL;

	return fmt_nth(names, k != NULL ? (int)(k - kinds) : 8);
}

static int
is_enum(const char *v, const char *list)
{
	size_t n = strlen(v);

	while (*list != '\0') {
		const char *e = strchr(list, ',');
		size_t l = e != NULL ? (size_t)(e - list) : strlen(list);

		if (l == n && strncmp(list, v, n) == 0)
			return 1;
		list += l;
		while (*list == ',' || *list == ' ')
			list++;
	}
	return 0;
}

/* see cli.h */
void
cli_check_len(const char *name, const char *v, unsigned min)
{
	if (v != NULL && fmt_codepoints(v, strlen(v)) < min)
		cli_perr("Invalid length for parameter %s, value: %zu, valid min "
		    "length: %u", name, fmt_codepoints(v, strlen(v)), min);
}

/* see cli.h */
long
cli_check_int(const char *name, const char *v, long min, long max)
{
	char d[32];
	const char *s = v + fmt_span(v, " \t\n\r\v\f", 1);
	size_t n = 0, any = 0;
	int neg = *s == '-';
	long x;

	s += *s == '-' || *s == '+';
	for (; *s >= '0' && *s <= '9'; s += 1 + (s[1] == '_' && s[2] >= '0'
	    && s[2] <= '9')) {          /* Python's int(): 1_000 too */
		any = 1;
		if ((n > 0 || *s != '0') && n < sizeof d - 2)
			d[n++] = *s;
	}
	s += fmt_span(s, " \t\n\r\v\f", 1);
	if (!any || *s != '\0') {
		cli_perr("invalid literal for int() with base 10: '%s'", v);
		return min - 1;
	}
	if (n == 0)
		d[n++] = '0';
	d[n] = '\0';
	x = n > 18 ? (neg ? min - 1 : max + 1) : strtol(d, NULL, 10) * (neg
	    ? -1 : 1);
	if (x < min || x > max)
		cli_perr("Invalid value for parameter %s, value: %s%s, valid %s "
		    "value: %ld", name, neg && *d != '0' ? "-" : "", d,
		    x < min ? "min" : "max", x < min ? min : max);
	return x;
}

/* see cli.h */
int
cli_timestamp(const char *s, int64_t *out)
{
	char b[32];
	size_t n = strlen(s);

	if (n > 0 && fmt_span(s, "0123456789.", 1) == n && strchr(s, '.')
	    == strrchr(s, '.')) {
		*out = (int64_t)strtoll(s, NULL, 10);   /* epoch seconds */
		return 0;
	}
	if (n == 10 || n == 19) {       /* a date, or no zone: UTC */
		fmt_snprintf(b, sizeof b, "%s%s", s, n == 10 ? "T00:00:00Z" : "Z");
		s = b;
		n = strlen(b);
	}
	return cpj_creds_parse_time(s, n, out) == 0 ? 0 : -1;
}

/* The type of member `name` is not one of `valid`. */
static void
bad_type(const char *name, const struct cli_kv *v, const char *valid)
{
	cli_perr("Invalid type for parameter %s, value: %s, type: %s, "
	    "valid types: %s", name, v->value, pytype(v->type), valid);
}

static void
check_member(const char *pn, const struct cli_shape *m, const struct cli_kv *v)
{
	char name[128];
	int str = v->type == 's' || v->type == 'h';

	fmt_snprintf(name, sizeof name, "%s.%s", pn, m->name);
	if (m->type == 't') {
		int64_t t;

		if (v->type == 'i' || v->type == 'd' || (str
		    && cli_timestamp(v->value, &t) == 0))
			return;
		bad_type(name, v, "<class 'datetime.datetime'>, "
		    "timestamp-string");
	} else if (m->type == 'i') {
		if (v->type == 'h' || v->type == 'i')
			cli_check_int(name, v->value, m->min, m->max);
		else if (v->type == 'l' || v->type == 'm')  /* the aws CLI: 255 */
			cli_perr("int() argument must be a string, a bytes-like "
			    "object or a real number, not '%s'", v->type == 'l'
			    ? "list" : "dict");
		else    /* a bool the aws CLI sends as JSON true/false: the
			   library writes integers only, so refused here */
			bad_type(name, v, pytype('i'));
	} else if (!str) {
		bad_type(name, v, pytype('\0'));
	} else {
		cli_check_len(name, v->value, m->min);
		if (m->enums != NULL && !is_enum(v->value, m->enums))
			cli_perr("Invalid value for parameter %s, value: %s, "
			    "valid values: %s", name, v->value, m->enums);
	}
}

/* see cli.h */
void
cli_check_struct(const char *pn, const struct cli_shape *m,
	const struct cli_kv *kv, int n)
{
	const struct cli_shape *s;
	int i;

	for (s = m; s->name != NULL; s++) {
		for (i = 0; s->req && i < n; i++) {
			if (strcmp(kv[i].key, s->name) == 0)
				break;
		}
		if (s->req && i == n)
			cli_perr("Missing required parameter in %s: \"%s\"", pn,
			    s->name);
	}
	for (i = 0; i < n; i++) {
		for (s = m; s->name != NULL; s++) {
			if (strcmp(kv[i].key, s->name) == 0)
				break;
		}
		if (s->name == NULL) {
			char list[160];
			size_t l = 0;

			for (s = m; s->name != NULL && l < sizeof list; s++)
				l += (size_t)fmt_snprintf(list + l, sizeof list - l,
				    "%s%s", s == m ? "" : ", ", s->name);
			cli_perr("Unknown parameter in %s: \"%s\", must be one "
			    "of: %s", pn, kv[i].key, list);
		}
	}
	for (i = 0; i < n; i++) {
		for (s = m; s->name != NULL; s++) {
			if (strcmp(kv[i].key, s->name) == 0) {
				check_member(pn, s, &kv[i]);
				break;
			}
		}
	}
}

/* see cli.h */
void
cli_check_map(const char *pn, const struct cli_kv *kv, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (kv[i].type != 's' && kv[i].type != 'h')
			cli_perr("Invalid type for parameter %s.%s, value: %s, "
			    "type: %s, valid types: <class 'str'>", pn, kv[i].key,
			    kv[i].value, pytype(kv[i].type));
	}
}

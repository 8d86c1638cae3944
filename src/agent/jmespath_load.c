/*
 * jmespath_load.c -- a JSON document (the command's answer, or a `literal`
 * of the expression) into values, in one pass over its text: the
 * library's validating scanner (cpj_json_scan, the rules of
 * cpj_json_parse) reports where each value and member name begins and
 * ends, and each gets its cell as it comes (a container's cells are
 * linked as they come, consecutive when its elements are scalars). No
 * token array: the only bounds are the cells (JP_CELLS_MAX) and the
 * scanner's depth (CPJ_JSON_DEPTH_MAX), each failing with a message.
 * Strings are decoded in place in the command's answer (jp_load) and
 * copied to jp->s from a literal (jp_import). Python's json keeps \u0000
 * and lone surrogates: so does this.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpj_err.h"
#include "jmespath.h"

struct rd {
	struct jp *jp;
	const char *text;
	char *inplace;            /* text, writable (jp_load); NULL: copy */
	struct jp_list st[CPJ_JSON_DEPTH_MAX];   /* the containers being read */
	int nst;
	struct jp_val *root;
	struct jp_val *dst;       /* the value being read */
	size_t start;             /* its first byte (strings: after '"') */
	int number;               /* a number began and has not ended */
};

/* Decode the validated JSON string text in[0..len) into out (which may
 * be in: the output is never longer): its length. \u0000 and lone
 * surrogates are kept (as Python's json does). */
static size_t
unescape(const char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned u = '?';
		const char *e;
		int k;

		if (in[i] != '\\') {
			out[o++] = in[i];
			continue;
		}
		if (in[++i] != 'u') {   /* \" \\ \/ \b \f \n \r \t */
			e = strchr(JSON_ESC_AS, in[i]);
			out[o++] = e != NULL ? JSON_ESC[e - JSON_ESC_AS] : in[i];
			continue;
		}
		/* the scanner checked the 4 hex digits */
		k = cpj_json_u_escape(in, len, i - 1, &u);
		if (k > 0)
			i += (size_t)k - 2;
		o += cpj_utf8_put((unsigned char *)out + o, u);
	}
	return o;
}

/* The string text[a..b) (still escaped) as offset *p and length *n. */
static int
string(struct rd *r, size_t a, size_t b, uint32_t *p, uint32_t *n)
{
	struct jp *jp = r->jp;

	if (r->inplace != NULL) {
		*p = (uint32_t)a;
		*n = (uint32_t)unescape(r->text + a, b - a, r->inplace + a);
		return 0;
	}
	if (jp_room(jp, b - a + 1) < 0)
		return -1;
	*p = JP_OWN | jp->ns;
	*n = (uint32_t)unescape(r->text + a, b - a, jp->s + jp->ns);
	jp->s[jp->ns + *n] = '\0';
	jp->ns += *n + 1;
	return 0;
}

/* A number, text s[0..len), validated. */
static int
number(struct jp *jp, const char *s, size_t len, struct jp_val *v)
{
	char num[64];
	int64_t i = 0;
	double d = 0;
	size_t k;
	int isint = 1;

	if (len >= sizeof num)
		return jp_fail(jp, "number too long");
	memcpy(num, s, len);
	num[len] = '\0';
	for (k = 0; k < len; k++)
		if (num[k] == '.' || num[k] == 'e' || num[k] == 'E')
			isint = 0;
	if (isint) {
		errno = 0;
		i = strtoll(num, NULL, 10);
		if (errno == ERANGE)
			return jp_fail(jp, "integer out of range: %s", num);
	} else {
		d = fmt_strtod(num, NULL);
	}
	jp_set_num(v, isint, i, d);
	return 0;
}

/* A key given twice in an object: the first place, the last value (a
 * Python dict, as json.loads builds it). */
static void
dedupe(struct jp *jp, struct jp_val *v)
{
	uint32_t c, d, prev;

	for (prev = v->n ? v->p : 0, c = prev ? jp->cells[prev].next : 0;
	    c != 0; c = jp->cells[c].next) {
		d = jp_find(jp, v, jp_at(jp, jp->cells[c].kp), jp->cells[c].kn);
		if (d == c) {
			prev = c;
			continue;
		}
		jp->cells[d].v = jp->cells[c].v;
		jp->cells[prev].next = jp->cells[c].next;
		v->n--;
		v->flat = 0;
	}
}

/* A new element or member of the innermost container: its cell. */
static int
element(struct rd *r, uint32_t *c)
{
	static const struct jp_val none;
	struct jp *jp = r->jp;

	if (jp->ncells >= JP_CELLS_MAX)
		return jp_fail(jp, r->inplace != NULL ? "output too large for "
		    "--query and --output text (over %u values)"
		    : "literal too large (over %u values)",
		    (unsigned)JP_CELLS_MAX);
	*c = jp_push(jp, &r->st[r->nst - 1], &none, 0, 0);
	return 0;
}

/* A value or member name began; n bytes are consumed. */
static int
begin(struct rd *r, const cpj_json_scanner *s, size_t n)
{
	uint32_t c;

	if (s->ev_key) {
		r->start = n;
		return 0;
	}
	if (r->nst == 0)
		r->dst = r->root;
	else if (r->st[r->nst - 1].v->t == JP_ARR) {
		if (element(r, &c) < 0)
			return -1;
		r->dst = &r->jp->cells[c].v;
	}       /* else the member's cell, from its name */
	memset(r->dst, 0, sizeof *r->dst);
	switch (s->ev_type) {
	case CPJ_JSON_OBJECT:
	case CPJ_JSON_ARRAY:
		jp_list(&r->st[r->nst++], r->dst, s->ev_type
		    == CPJ_JSON_OBJECT ? JP_OBJ : JP_ARR);
		return 0;
	case CPJ_JSON_STRING:
		r->dst->t = JP_STR;
		r->start = n;
		return 0;
	default:
		r->start = n - 1;
		r->dst->t = s->ev_char == 't' ? JP_TRUE : s->ev_char == 'f'
		    ? JP_FALSE : s->ev_char == 'n' ? JP_NULL : JP_NUM;
		r->number = r->dst->t == JP_NUM;
		return 0;
	}
}

/* A value or member name ended; n bytes are consumed. */
static int
end(struct rd *r, const cpj_json_scanner *s, size_t n)
{
	struct jp *jp = r->jp;
	uint32_t c;

	if (s->ev_key) {
		if (element(r, &c) < 0)
			return -1;
		r->dst = &jp->cells[c].v;
		return string(r, r->start, n - 1, &jp->cells[c].kp,
		    &jp->cells[c].kn);
	}
	switch (s->ev_type) {
	case CPJ_JSON_OBJECT:
	case CPJ_JSON_ARRAY:
		r->nst--;
		if (r->st[r->nst].v->t == JP_OBJ)
			dedupe(jp, r->st[r->nst].v);
		return 0;
	case CPJ_JSON_STRING:
		return string(r, r->start, n - 1, &r->dst->p, &r->dst->n);
	default:
		if (!r->number)
			return 0;
		r->number = 0;
		return number(jp, r->text + r->start, n - r->start, r->dst);
	}
}

static int
import(struct jp *jp, const char *text, char *inplace, size_t len,
    struct jp_val *out)
{
	cpj_json_scanner s;
	struct rd r;
	size_t n = 0;
	int rc = 0;

	memset(&r, 0, sizeof r);
	r.jp = jp;
	r.text = text;
	r.inplace = inplace;
	r.root = out;
	memset(out, 0, sizeof *out);
	if (len >= JP_OWN)
		return jp_fail(jp, "document too large");
	cpj_json_scan_init(&s, CPJ_JSON_DEPTH_MAX);
	while (n < len && rc == 0) {
		n += cpj_json_scan(&s, text + n, len - n);
		if (s.ev == CPJ_JSON_EV_BEGIN)
			rc = begin(&r, &s, n);
		else if (s.ev == CPJ_JSON_EV_END)
			rc = end(&r, &s, n);
		else if (s.ev == CPJ_JSON_EV_ERROR)
			break;
	}
	if (rc < 0)
		return -1;
	rc = cpj_json_scan_finish(&s);
	if (rc == CPJ_ERR_JSON_DEPTH)
		return jp_fail(jp, "JSON nested too deeply (over %d levels)",
		    CPJ_JSON_DEPTH_MAX);
	if (rc < 0)
		return jp_fail(jp, "invalid JSON");
	if (r.number) {                 /* a bare number ends the text */
		while (len > r.start && strchr(" \t\r\n", text[len - 1])
		    != NULL)
			len--;
		return number(jp, text + r.start, len - r.start, out);
	}
	return 0;
}

/* see jmespath.h */
int
jp_import(struct jp *jp, const char *text, size_t len, struct jp_val *out)
{
	return import(jp, text, NULL, len, out);
}

/* see jmespath.h */
int
jp_load(struct jp *jp, char *text, size_t len, struct jp_val *out)
{
	jp->fatal = 0;
	jp->doc = text;
	return import(jp, text, text, len, out);
}

/*
 * jmespath_func.c -- JMESPath's built-in functions as python-jmespath
 * 1.0.1 runs them, with its argument checks (an unknown function, a wrong
 * number of arguments or a wrong type is a run-time error, as there):
 * Python's sum, max and sorted (stable; numbers, or strings by code
 * point), math.ceil/floor (integers: beyond 64 bits they fail here),
 * int()/float() for to_number.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath.h"

static const char *
tname(int t)
{
	static const char *const n[] = { "null", "boolean", "boolean",
		"number", "string", "array", "object", "expref" };

	return n[t];
}

static int
bad_type(struct jp *jp, const char *f, const struct jp_val *v,
    const char *want)
{
	return jp_fail(jp, "In function %s(), invalid type for value, "
	    "expected one of: %s, received: \"%s\"", f, want, tname(v->t));
}

/* The string built since offset start of jp->s, NUL-terminated. */
static int
new_str(struct jp *jp, struct jp_val *out, uint32_t start)
{
	if (jp_room(jp, 1) < 0)
		return -1;
	jp->s[jp->ns] = '\0';
	memset(out, 0, sizeof *out);
	out->t = JP_STR;
	out->p = JP_OWN | start;
	out->n = jp->ns - start;
	jp->ns++;
	return 0;
}

static int
append_s(struct jp *jp, const char *s, size_t n)
{
	if (jp_room(jp, n + 1) < 0)
		return -1;
	memmove(jp->s + jp->ns, s, n);
	jp->ns += (uint32_t)n;
	return 0;
}

static int
join(struct jp *jp, const struct jp_val *a, struct jp_val *out)
{
	uint32_t c, start = jp->ns;
	int first = 1;

	if (a[0].t != JP_STR)
		return bad_type(jp, "join", &a[0], "['string']");
	if (a[1].t != JP_ARR)
		return bad_type(jp, "join", &a[1], "['array-string']");
	for (c = a[1].n ? a[1].p : 0; c != 0; c = jp->cells[c].next)
		if (jp->cells[c].v.t != JP_STR)
			return bad_type(jp, "join", &jp->cells[c].v,
			    "['array-string']");
	for (c = a[1].n ? a[1].p : 0; c != 0; c = jp->cells[c].next) {
		const struct jp_val *e = &jp->cells[c].v;

		if ((!first && append_s(jp, jp_at(jp, a[0].p), a[0].n) < 0)
		    || append_s(jp, jp_at(jp, e->p), e->n) < 0)
			return -1;
		first = 0;
	}
	return new_str(jp, out, start);
}

static int
contains(struct jp *jp, const struct jp_val *a, struct jp_val *out)
{
	uint32_t c;
	int r = 0;

	if (a[0].t == JP_STR) {
		const char *h = jp_at(jp, a[0].p), *nd = jp_at(jp, a[1].p);
		uint32_t k;

		if (a[1].t != JP_STR)
			return jp_fail(jp, "'in <string>' requires string as "
			    "left operand, not %s", tname(a[1].t));
		for (k = 0; !r && k + a[1].n <= a[0].n; k++)
			r = memcmp(h + k, nd, a[1].n) == 0;
	} else if (a[0].t == JP_ARR) {
		struct jp_val t;

		for (c = a[0].n ? a[0].p : 0; !r && c != 0;
		    c = jp->cells[c].next) {
			/* Python's `in`: ==, where 1 == true */
			t = jp->cells[c].v;
			r = jp_py_eq(jp, &t, &a[1]);
		}
	} else {
		return bad_type(jp, "contains", &a[0], "['array', 'string']");
	}
	memset(out, 0, sizeof *out);
	out->t = r ? JP_TRUE : JP_FALSE;
	return 0;
}

static int
keys_values(struct jp *jp, const char *f, const struct jp_val *a,
    struct jp_val *out)
{
	struct jp_list l;
	struct jp_val k;
	uint32_t c;

	if (a->t != JP_OBJ)
		return bad_type(jp, f, a, "['object']");
	jp_list(&l, out, JP_ARR);
	memset(&k, 0, sizeof k);
	k.t = JP_STR;
	for (c = a->n ? a->p : 0; c != 0; c = jp->cells[c].next) {
		k.p = jp->cells[c].kp;
		k.n = jp->cells[c].kn;
		if (jp_push(jp, &l, f[0] == 'k' ? &k : &jp->cells[c].v, 0, 0)
		    == 0)
			return -1;
	}
	return 0;
}

/* ---- values built here ---------------------------------------------- */

static double
dv(const struct jp_val *v)
{
	return v->isint ? (double)jp_int(v) : jp_dbl(v);
}

/* Append x (member name kp/kn) to array or object o; *tail: its last
 * cell (0 at first). */
static int
push(struct jp *jp, struct jp_val *o, uint32_t *tail, const struct jp_val *x,
    uint32_t kp, uint32_t kn)
{
	struct jp_list l;

	l.v = o;
	l.tail = *tail;
	if (jp_push(jp, &l, x, kp, kn) == 0)
		return -1;
	*tail = l.tail;
	o->flat = 0;
	return 0;
}

static void
new_arr(struct jp_val *o, int t)
{
	memset(o, 0, sizeof *o);
	o->t = (uint8_t)t;
}

#define EACH(c, a) for (c = (a)->n ? (a)->p : 0; c != 0; c = jp->cells[c].next)

/* An array of numbers only (strs 0), or of numbers or strings only
 * (strs 1): the elements' type (0 when empty), or -1 after the error. */
static int
same_type(struct jp *jp, const char *f, const struct jp_val *a, int strs)
{
	const char *want = strs ? "['array-number', 'array-string']"
	    : "['array-number']";
	uint32_t c;
	int t = 0;

	if (a->t != JP_ARR)
		return bad_type(jp, f, a, want);
	EACH(c, a) {
		const struct jp_val *e = &jp->cells[c].v;

		if (t == 0)
			t = e->t;
		if (e->t != t || (t != JP_NUM && (!strs || t != JP_STR)))
			return bad_type(jp, f, e, want);
	}
	return t;
}

/* Python's sum() of numbers: integers while they last. */
static void
sum(struct jp *jp, const struct jp_val *a, struct jp_val *out)
{
	int64_t i = 0;
	double d = 0;
	int isint = 1;
	uint32_t c;

	EACH(c, a) {
		const struct jp_val *e = &jp->cells[c].v;

		if (isint && e->isint) {
			i += jp_int(e);
			continue;
		}
		if (isint)
			d = (double)i;
		isint = 0;
		d += dv(e);
	}
	jp_set_num(out, isint, i, d);
}

/* A stable merge sort of the n cells from head by their values. */
static uint32_t
msort(struct jp *jp, uint32_t head, uint32_t n)
{
	uint32_t a, b, c, k, out = 0, tail = 0;

	if (n < 2)
		return head;
	for (c = head, k = 1; k < n / 2; k++)
		c = jp->cells[c].next;
	b = jp->cells[c].next;
	jp->cells[c].next = 0;
	a = msort(jp, head, n / 2);
	b = msort(jp, b, n - n / 2);
	while (a != 0 || b != 0) {
		if (b == 0 || (a != 0 && jp_order(jp, &jp->cells[b].v,
		    &jp->cells[a].v) >= 0)) {
			c = a;
			a = jp->cells[a].next;
		} else {
			c = b;
			b = jp->cells[b].next;
		}
		if (tail == 0)
			out = c;
		else
			jp->cells[tail].next = c;
		tail = c;
	}
	jp->cells[tail].next = 0;
	return out;
}

/* The cell of the first largest (max) or smallest element of a list of
 * numbers or of strings, 0 when it is empty. */
static uint32_t
extreme(struct jp *jp, const struct jp_val *a, int max)
{
	uint32_t c, best = 0;

	EACH(c, a) {
		int r = best ? jp_order(jp, &jp->cells[c].v,
		    &jp->cells[best].v) : 0;

		if (best == 0 || (max ? r > 0 : r < 0))
			best = c;
	}
	return best;
}

/* sort_by, min_by, max_by: the key of each element (the first one's
 * type for all, sort_by; numbers or strings each, the others) into new
 * cells whose kp names the element's cell; then sorted, or the first
 * smallest / largest. */
static int
by(struct jp *jp, const char *f, const struct jp_val *a, struct jp_val *out)
{
	struct jp_val keys, k;
	uint32_t c, tail = 0, best = 0;
	int t = 0;

	if (a[0].t != JP_ARR)
		return bad_type(jp, f, &a[0], "['array']");
	if (a[1].t != JP_EXPREF)
		return bad_type(jp, f, &a[1], "['expref']");
	new_arr(&keys, JP_ARR);
	EACH(c, &a[0]) {
		if (jp_ev(jp, (int)a[1].p, &jp->cells[c].v, &k) < 0)
			return -1;
		if (t == 0)
			t = k.t;
		if ((k.t != JP_NUM && k.t != JP_STR) || (f[0] == 's'
		    && k.t != t))
			return bad_type(jp, f, &k, "['number', 'string']");
		if (k.t != t)
			return jp_fail(jp, "'<' not supported between a "
			    "string and a number");
		if (push(jp, &keys, &tail, &k, c, 0) < 0)
			return -1;
	}
	if (f[0] == 's') {
		new_arr(out, JP_ARR);
		tail = 0;
		for (c = msort(jp, keys.n ? keys.p : 0, keys.n); c != 0;
		    c = jp->cells[c].next)
			if (push(jp, out, &tail, &jp->cells[jp->cells[c].kp].v,
			    0, 0) < 0)
				return -1;
		return 0;
	}
	best = extreme(jp, &keys, f[1] == 'a');
	if (best != 0)
		*out = jp->cells[jp->cells[best].kp].v;
	return 0;
}

/* Python's int(), else float(), of a string; null when neither. */
static void
to_number(struct jp *jp, const struct jp_val *v, struct jp_val *out)
{
	const char *s = jp_at(jp, v->p);
	char b[64];
	size_t i = 0, n = v->n, k = 0;
	int part = 0, nd[3] = { 0, 0, 0 };

	while (n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
		n--;
	while (i < n && strchr(" \t\n\r\v\f", s[i]) != NULL)
		i++;
	if (n - i >= sizeof b - 8)
		return;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		b[k++] = s[i++];
	if ((n - i == 3 || n - i == 8) && (strncasecmp(s + i, "infinity",
	    n - i) == 0 || strncasecmp(s + i, "nan", n - i) == 0)) {
		double d = (s[i] | 0x20) == 'n' ? NAN : HUGE_VAL;

		jp_set_num(out, 0, 0, k > 0 && b[0] == '-' ? -d : d);
		return;
	}
	for (; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			nd[part]++;
		else if (c == '_' && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'
		    && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		else if (c == '.' && part == 0)
			part = 1;
		else if ((c == 'e' || c == 'E') && part < 2 && nd[0] + nd[1])
			part = 2;
		else if ((c == '+' || c == '-') && part == 2 && (s[i - 1] == 'e'
		    || s[i - 1] == 'E'))
			;
		else
			return;
		b[k++] = c;
	}
	b[k] = '\0';
	if (nd[0] + nd[1] == 0 || (part == 2 && nd[2] == 0))
		return;
	if (part == 0)
		jp_set_num(out, 1, strtoll(b, NULL, 10), 0);
	else
		jp_set_num(out, 0, 0, fmt_strtod(b, NULL));
}

static int
arity(struct jp *jp, const char *f, int want, int na, int variadic)
{
	if (variadic ? na >= want : na == want)
		return 0;
	return jp_fail(jp, "Expected %s%d argument%s for function %s(), "
	    "received %d", variadic ? "at least " : "", want, want == 1 ? ""
	    : "s", f, na);
}

/* The functions and their arity (variadic: at least that many), and
 * their indexes in it. */
enum {
	F_ABS, F_AVG, F_CEIL, F_CONTAINS, F_ENDS_WITH, F_FLOOR, F_JOIN, F_KEYS,
	F_LENGTH, F_MAP, F_MAX, F_MAX_BY, F_MERGE, F_MIN, F_MIN_BY,
	F_NOT_NULL, F_REVERSE, F_SORT, F_SORT_BY, F_STARTS_WITH, F_SUM,
	F_TO_ARRAY, F_TO_NUMBER, F_TO_STRING, F_TYPE, F_VALUES
};
static const char fnames[] =
	"abs\0avg\0ceil\0contains\0ends_with\0floor\0join\0keys\0length\0"
	"map\0max\0max_by\0merge\0min\0min_by\0not_null\0reverse\0sort\0"
	"sort_by\0starts_with\0sum\0to_array\0to_number\0to_string\0type\0"
	"values\0";
/* arity, negative: at least that many */
static const signed char fargs[] = {
	1, 1, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2, -1, 1, 2, -1, 1, 1, 2, 2, 1, 1, 1,
	1, 1, 1
};

static int
numeric(struct jp *jp, const char *f, const struct jp_val *a,
    struct jp_val *out)
{
	double d;
	int64_t i;

	if (a->t != JP_NUM)
		return bad_type(jp, f, a, "['number']");
	if (a->isint) {
		i = jp_int(a);
		jp_set_num(out, 1, f[0] == 'a' && i < 0 ? -i : i, 0);
		return 0;
	}
	if (f[0] == 'a') {
		jp_set_num(out, 0, 0, fabs(jp_dbl(a)));
		return 0;
	}
	/* ceil and floor without libm (cross boards link none): truncate,
	 * then step toward the side asked for */
	d = jp_dbl(a);
	if (!(d > -9.2e18 && d < 9.2e18)) {
		char t[FMT_PYFLOAT_MAX];

		fmt_pyfloat(d, t, sizeof t);
		return jp_fail(jp, "%s(): %s does not fit 64 bits", f, t);
	}
	i = (int64_t)d;
	if (f[0] == 'c' && (double)i < d)
		i++;
	else if (f[0] == 'f' && (double)i > d)
		i--;
	jp_set_num(out, 1, i, 0);
	return 0;
}

static int
strings(struct jp *jp, const char *f, const struct jp_val *a,
    struct jp_val *out)
{
	int k;

	for (k = 0; k < 2; k++)
		if (a[k].t != JP_STR)
			return bad_type(jp, f, &a[k], "['string']");
	out->t = a[1].n <= a[0].n && memcmp(jp_at(jp, a[0].p) + (f[0] == 'e'
	    ? a[0].n - a[1].n : 0), jp_at(jp, a[1].p), a[1].n) == 0 ? JP_TRUE
	    : JP_FALSE;
	return 0;
}

/* max, min, sort, sum, avg over an array of numbers (or strings). */
static int
over_array(struct jp *jp, const char *f, const struct jp_val *a,
    struct jp_val *out)
{
	int t = same_type(jp, f, a, f[0] == 'm' || f[1] == 'o');
	uint32_t c, best = 0, tail = 0;

	if (t < 0)
		return -1;
	if (f[1] == 'o') {      /* sort */
		new_arr(out, JP_ARR);
		EACH(c, a)
			if (push(jp, out, &tail, &jp->cells[c].v, 0, 0) < 0)
				return -1;
		out->p = msort(jp, out->n ? out->p : 0, out->n);
		return 0;
	}
	if (f[0] == 's') {
		sum(jp, a, out);
		return 0;
	}
	if (f[0] == 'a') {
		if (a->n > 0) {
			sum(jp, a, out);
			jp_set_num(out, 0, 0, dv(out) / (double)a->n);
		}
		return 0;
	}
	best = extreme(jp, a, f[1] == 'a');
	if (best != 0)
		*out = jp->cells[best].v;
	return 0;
}

/* merge, map, reverse, to_array: new arrays and objects. */
static int
build(struct jp *jp, const char *f, const struct jp_val *a, int na,
    struct jp_val *out)
{
	uint32_t c, d, tail = 0;
	struct jp_val x;
	int k;

	if (f[0] == 'm' && f[1] == 'e') {
		new_arr(out, JP_OBJ);
		for (k = 0; k < na; k++) {
			if (a[k].t != JP_OBJ)
				return bad_type(jp, f, &a[k], "['object']");
			EACH(c, &a[k]) {
				const struct jp_cell *m = &jp->cells[c];

				d = jp_find(jp, out, jp_at(jp, m->kp), m->kn);
				if (d != 0)
					jp->cells[d].v = m->v;
				else if (push(jp, out, &tail, &m->v, m->kp,
				    m->kn) < 0)
					return -1;
			}
		}
		return 0;
	}
	if (f[0] == 'm') {      /* map */
		if (a[0].t != JP_EXPREF)
			return bad_type(jp, f, &a[0], "['expref']");
		if (a[1].t != JP_ARR)
			return bad_type(jp, f, &a[1], "['array']");
		new_arr(out, JP_ARR);
		EACH(c, &a[1])
			if (jp_ev(jp, (int)a[0].p, &jp->cells[c].v, &x) < 0
			    || push(jp, out, &tail, &x, 0, 0) < 0)
				return -1;
		return 0;
	}
	if (f[0] == 't') {      /* to_array */
		if (a[0].t == JP_ARR) {
			*out = a[0];
			return 0;
		}
		new_arr(out, JP_ARR);
		return push(jp, out, &tail, &a[0], 0, 0);
	}
	if (a[0].t == JP_STR) { /* reverse, by code points */
		const char *src = jp_at(jp, a[0].p);
		uint32_t start = jp->ns, e = a[0].n, b;

		while (e > 0) {
			for (b = e - 1; b > 0 && ((unsigned char)src[b] & 0xc0)
			    == 0x80; b--)
				;
			if (append_s(jp, src + b, e - b) < 0)
				return -1;
			e = b;
		}
		return new_str(jp, out, start);
	}
	if (a[0].t != JP_ARR)
		return bad_type(jp, f, &a[0], "['array', 'string']");
	new_arr(out, JP_ARR);
	EACH(c, &a[0])
		if (push(jp, out, &tail, &jp->cells[c].v, 0, 0) < 0)
			return -1;
	for (c = out->n ? out->p : 0, tail = 0; c != 0; c = d) {
		d = jp->cells[c].next;
		jp->cells[c].next = tail;
		tail = c;
	}
	out->p = tail;
	return 0;
}

static int
type_of(struct jp *jp, const struct jp_val *a, struct jp_val *out)
{
	uint32_t start = jp->ns;

	if (a->t == JP_EXPREF)
		return 0;       /* None there */
	return append_s(jp, tname(a->t), strlen(tname(a->t))) < 0 ? -1
	    : new_str(jp, out, start);
}

/* see jmespath.h */
int
jp_call(struct jp *jp, const struct jp_node *nd, const struct jp_val *a,
    int na, struct jp_val *out)
{
	char f[32];
	const char *n;
	size_t i;
	int k;

	memset(out, 0, sizeof *out);
	if (nd->u.v.n >= sizeof f)
		return jp_fail(jp, "Unknown function: %.*s()", (int)nd->u.v.n,
		    jp_at(jp, nd->u.v.p));
	memcpy(f, jp_at(jp, nd->u.v.p), nd->u.v.n);
	f[nd->u.v.n] = '\0';
	for (i = 0, n = fnames; *n != '\0' && strcmp(f, n) != 0; i++)
		n += strlen(n) + 1;
	if (*n == '\0')
		return jp_fail(jp, "Unknown function: %s()", f);
	if (arity(jp, f, fargs[i] < 0 ? -fargs[i] : fargs[i], na,
	    fargs[i] < 0) < 0)
		return -1;
	switch (i) {
	case F_LENGTH:
		if (a[0].t != JP_STR && a[0].t != JP_ARR && a[0].t != JP_OBJ)
			return bad_type(jp, f, &a[0],
			    "['string', 'array', 'object']");
		jp_set_num(out, 1, a[0].t == JP_STR ? (int64_t)fmt_codepoints(
		    jp_at(jp, a[0].p), a[0].n) : (int64_t)a[0].n, 0);
		return 0;
	case F_KEYS:
	case F_VALUES:
		return keys_values(jp, f, &a[0], out);
	case F_CONTAINS:
		return contains(jp, a, out);
	case F_JOIN:
		return join(jp, a, out);
	case F_TO_STRING: {
		cpj_buf b;
		uint32_t start = jp->ns;

		if (a[0].t == JP_STR) {
			*out = a[0];
			return 0;
		}
		if (a[0].t == JP_EXPREF)   /* json.dumps(default=str), a
					      JSON string (less the address) */
			return append_s(jp, "\"<jmespath.visitor._Expression "
			    "object>\"", 39) < 0 ? -1 : new_str(jp, out, start);
		cpj_buf_init(&b, jp->s + start, sizeof jp->s - start);
		if (jp_out_compact(jp, &a[0], &b) < 0)
			return b.over ? jp_room(jp, b.cap + 1) : -1;
		jp->ns += (uint32_t)b.len;
		return new_str(jp, out, start);
	}
	case F_NOT_NULL:
		for (k = 0; k < na; k++)
			if (a[k].t != JP_NULL) {
				*out = a[k];
				break;
			}
		return 0;
	case F_ABS:
	case F_CEIL:
	case F_FLOOR:
		return numeric(jp, f, &a[0], out);
	case F_STARTS_WITH:
	case F_ENDS_WITH:
		return strings(jp, f, a, out);
	case F_MAX:
	case F_MIN:
	case F_SORT:
	case F_SUM:
	case F_AVG:
		return over_array(jp, f, &a[0], out);
	case F_SORT_BY:
	case F_MIN_BY:
	case F_MAX_BY:
		return by(jp, f, a, out);
	case F_TYPE:
		return type_of(jp, &a[0], out);
	case F_TO_NUMBER:
		if (a[0].t == JP_NUM)
			*out = a[0];
		else if (a[0].t == JP_EXPREF)
			return bad_type(jp, f, &a[0], "['string', 'number']");
		else if (a[0].t == JP_STR)
			to_number(jp, &a[0], out);
		return 0;
	default:
		return build(jp, f, a, na, out);
	}
}

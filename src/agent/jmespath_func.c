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

#define EACH(c, a) for (c = (a)->n ? (a)->p : 0; c != 0; c = jp->cells[c].next)
#define B(t) (1u << (t))

/*
 * The types of python-jmespath's signatures: those a value may have
 * (bits B(JP_x), low byte) and, for the typed arrays, those its elements
 * may have (high byte; all of the first one's type), and the names the
 * error gives (types[]).
 */
enum { S_ANY, S_NUM, S_STR, S_ARR, S_OBJ, S_EXPREF, S_ANUM, S_ASTR, S_ANS,
	S_AS, S_SAO, S_SN, S_NS };
static const uint16_t allow[] = {
	0xff, B(JP_NUM), B(JP_STR), B(JP_ARR), B(JP_OBJ), B(JP_EXPREF),
	B(JP_ARR) | B(JP_NUM) << 8, B(JP_ARR) | B(JP_STR) << 8,
	B(JP_ARR) | (B(JP_NUM) | B(JP_STR)) << 8, B(JP_ARR) | B(JP_STR),
	B(JP_STR) | B(JP_ARR) | B(JP_OBJ), 0xff & ~B(JP_EXPREF),
	B(JP_NUM) | B(JP_STR)
};
static const char types[] =
	"\0number\0string\0array\0object\0expref\0array-number\0array-string\0"
	"array-number', 'array-string\0array', 'string\0"
	"string', 'array', 'object\0string', 'number\0number', 'string";

static int
bad_type(struct jp *jp, const char *f, const struct jp_val *v, int spec)
{
	const char *w = types;

	while (spec-- > 0)
		w += strlen(w) + 1;
	return jp_fail(jp, "In function %s(), invalid type for value, "
	    "expected one of: ['%s'], received: \"%s\"", f, w, tname(v->t));
}

/* v against type spec: 0, or -1 after the error. */
static int
check(struct jp *jp, const char *f, const struct jp_val *v, int spec)
{
	unsigned m = allow[spec];
	uint32_t c;

	if (!(m >> v->t & 1))
		return bad_type(jp, f, v, spec);
	if (m >> 8 != 0)
		EACH(c, v) {
			const struct jp_val *e = &jp->cells[c].v;

			if (e->t != jp->cells[v->p].v.t
			    || !(m >> 8 >> e->t & 1))
				return bad_type(jp, f, e, spec);
		}
	return 0;
}

/* The functions, their arity (negative: at least that many) and the
 * types of their arguments (fsig: the first's, low 4 bits, and the
 * others'), in the order of their names. */
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
static const signed char fargs[] = {
	1, 1, 1, 2, 2, 1, 2, 1, 1, 2, 1, 2, -1, 1, 2, -1, 1, 1, 2, 2, 1, 1, 1,
	1, 1, 1
};
#define SIG(a, b) ((a) | (b) << 4)
static const unsigned char fsig[] = {
	S_NUM, S_ANUM, S_NUM, S_AS, SIG(S_STR, S_STR), S_NUM,
	SIG(S_STR, S_ASTR), S_OBJ, S_SAO, SIG(S_EXPREF, S_ARR), S_ANS,
	SIG(S_ARR, S_EXPREF), SIG(S_OBJ, S_OBJ), S_ANS, SIG(S_ARR, S_EXPREF),
	S_ANY, S_AS, S_ANS, SIG(S_ARR, S_EXPREF), SIG(S_STR, S_STR), S_ANUM,
	S_ANY, S_SN, S_ANY, S_ANY, S_OBJ
};

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

static double
dv(const struct jp_val *v)
{
	return v->isint ? (double)jp_int(v) : jp_dbl(v);
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
			/* beyond 64 bits: wraps, without C's overflow */
			i = (int64_t)((uint64_t)i + (uint64_t)jp_int(e));
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

/*
 * sort, max, min, and sort_by, max_by, min_by (by: the keys are those of
 * &expr a[1]): the keys are numbers or strings, all of the first one's
 * type. The _by forms and sort copy them to new cells (kp: the element's
 * cell), then sort them, or find the first largest or smallest.
 */
static int
order(struct jp *jp, const char *f, int by, const struct jp_val *a,
    struct jp_val *out)
{
	struct jp_list l;
	struct jp_val keys = a[0], k;
	uint32_t c, best = 0;
	int t = -1, sort = f[1] == 'o', max = f[1] == 'a';

	if (by || sort)
		jp_list(&l, &keys, JP_ARR);
	EACH(c, &a[0]) {
		k = jp->cells[c].v;
		if (by && jp_ev(jp, (int)a[1].p, &jp->cells[c].v, &k) < 0)
			return -1;
		if (t < 0)
			t = k.t;
		if (check(jp, f, &k, S_NS) < 0)
			return -1;
		if (k.t != t)
			return sort ? bad_type(jp, f, &k, S_NS) : jp_fail(jp,
			    "'<' not supported between a string and a number");
		if ((by || sort) && jp_push(jp, &l, &k, by ? c : 0, 0) == 0)
			return -1;
	}
	if (sort) {
		c = msort(jp, keys.n ? keys.p : 0, keys.n);
		if (!by) {
			*out = keys;
			out->p = c;
			out->flat = 0;
			return 0;
		}
		jp_list(&l, out, JP_ARR);
		for (; c != 0; c = jp->cells[c].next)
			if (jp_push(jp, &l, &jp->cells[jp->cells[c].kp].v, 0, 0)
			    == 0)
				return -1;
		return 0;
	}
	EACH(c, &keys) {
		int r = best ? jp_order(jp, &jp->cells[c].v,
		    &jp->cells[best].v) : 0;

		if (best == 0 || (max ? r > 0 : r < 0))
			best = c;
	}
	if (best != 0)
		*out = jp->cells[by ? jp->cells[best].kp : best].v;
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

/* abs, ceil, floor */
static int
numeric(struct jp *jp, const char *f, const struct jp_val *a,
    struct jp_val *out)
{
	double d = jp_dbl(a);
	int64_t i;

	*out = *a;
	if (f[0] == 'a') {
		if (!a->isint)
			out->p &= 0x7fffffffu;        /* the sign bit */
		else if (jp_int(a) < 0)         /* INT64_MIN stays */
			jp_set_num(out, 1, (int64_t)(0 - (uint64_t)jp_int(a)),
			    0);
		return 0;
	}
	if (a->isint)
		return 0;
	/* ceil and floor without libm (cross boards link none): truncate,
	 * then step toward the side asked for */
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

/* merge, map, reverse, to_array: new arrays and objects. */
static int
build(struct jp *jp, int fi, const struct jp_val *a, int na,
    struct jp_val *out)
{
	struct jp_list l;
	struct jp_val x;
	uint32_t c, d;
	int k;

	jp_list(&l, out, fi == F_MERGE ? JP_OBJ : JP_ARR);
	switch (fi) {
	case F_MERGE:
		for (k = 0; k < na; k++)
			EACH(c, &a[k]) {
				const struct jp_cell *m = &jp->cells[c];

				if (jp_set(jp, &l, &m->v, m->kp, m->kn) < 0)
					return -1;
			}
		return 0;
	case F_MAP:
		EACH(c, &a[1])
			if (jp_ev(jp, (int)a[0].p, &jp->cells[c].v, &x) < 0
			    || jp_push(jp, &l, &x, 0, 0) == 0)
				return -1;
		return 0;
	case F_TO_ARRAY:
		if (a[0].t == JP_ARR) {
			*out = a[0];
			return 0;
		}
		return jp_push(jp, &l, &a[0], 0, 0) == 0 ? -1 : 0;
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
	EACH(c, &a[0])
		if (jp_push(jp, &l, &jp->cells[c].v, 0, 0) == 0)
			return -1;
	for (c = out->n ? out->p : 0, d = 0; c != 0; c = x.p) {
		x.p = jp->cells[c].next;
		jp->cells[c].next = d;
		d = c;
	}
	out->p = d;
	out->flat = 0;
	return 0;
}

/* see jmespath.h */
int
jp_call(struct jp *jp, const struct jp_node *nd, const struct jp_val *a,
    int na, struct jp_val *out)
{
	const char *name = jp_at(jp, nd->u.v.p), *f, *n;
	uint32_t c, start = jp->ns;
	int i, k, want;

	/* names are NUL-terminated, and hold no NUL (the lexer) */
	for (i = 0, f = fnames; *f != '\0' && strcmp(name, f) != 0; i++)
		f += strlen(f) + 1;
	if (*f == '\0')
		return jp_fail(jp, "Unknown function: %.*s()", (int)nd->u.v.n,
		    name);
	want = fargs[i] < 0 ? -fargs[i] : fargs[i];
	if (fargs[i] < 0 ? na < want : na != want)
		return jp_fail(jp, "Expected %s%d argument%s for function "
		    "%s(), received %d", fargs[i] < 0 ? "at least " : "", want,
		    want == 1 ? "" : "s", f, na);
	for (k = 0; k < na; k++)
		if (check(jp, f, &a[k], k ? fsig[i] >> 4 : fsig[i] & 15) < 0)
			return -1;
	switch (i) {
	case F_LENGTH:
		jp_set_num(out, 1, a[0].t == JP_STR ? (int64_t)fmt_codepoints(
		    jp_at(jp, a[0].p), a[0].n) : (int64_t)a[0].n, 0);
		return 0;
	case F_KEYS:
	case F_VALUES: {
		struct jp_list l;
		struct jp_val key;

		jp_list(&l, out, JP_ARR);
		memset(&key, 0, sizeof key);
		key.t = JP_STR;
		EACH(c, &a[0]) {
			key.p = jp->cells[c].kp;
			key.n = jp->cells[c].kn;
			if (jp_push(jp, &l, i == F_KEYS ? &key
			    : &jp->cells[c].v, 0, 0) == 0)
				return -1;
		}
		return 0;
	}
	case F_CONTAINS:
		k = 0;
		if (a[0].t == JP_STR) {
			const char *h = jp_at(jp, a[0].p);

			if (a[1].t != JP_STR)
				return jp_fail(jp, "'in <string>' requires "
				    "string as left operand, not %s",
				    tname(a[1].t));
			for (c = 0; !k && c + a[1].n <= a[0].n; c++)
				k = memcmp(h + c, jp_at(jp, a[1].p),
				    a[1].n) == 0;
		} else {
			/* Python's `in`: ==, where 1 == true */
			EACH(c, &a[0])
				if ((k = jp_py_eq(jp, &jp->cells[c].v, &a[1])))
					break;
		}
		out->t = k ? JP_TRUE : JP_FALSE;
		return 0;
	case F_JOIN:
		EACH(c, &a[1]) {
			const struct jp_val *e = &jp->cells[c].v;

			if ((c != a[1].p && append_s(jp, jp_at(jp, a[0].p),
			    a[0].n) < 0) || append_s(jp, jp_at(jp, e->p), e->n)
			    < 0)
				return -1;
		}
		return new_str(jp, out, start);
	case F_TO_STRING: {
		cpj_buf b;

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
		out->t = a[1].n <= a[0].n && memcmp(jp_at(jp, a[0].p)
		    + (i == F_ENDS_WITH ? a[0].n - a[1].n : 0),
		    jp_at(jp, a[1].p), a[1].n) == 0 ? JP_TRUE : JP_FALSE;
		return 0;
	case F_SUM:
		sum(jp, &a[0], out);
		return 0;
	case F_AVG:
		if (a[0].n > 0) {
			sum(jp, &a[0], out);
			jp_set_num(out, 0, 0, dv(out) / (double)a[0].n);
		}
		return 0;
	case F_MAX:
	case F_MIN:
	case F_SORT:
		return order(jp, f, 0, a, out);
	case F_SORT_BY:
	case F_MIN_BY:
	case F_MAX_BY:
		return order(jp, f, 1, a, out);
	case F_TYPE:
		if (a[0].t == JP_EXPREF)
			return 0;       /* None there */
		n = tname(a[0].t);
		return append_s(jp, n, strlen(n)) < 0 ? -1
		    : new_str(jp, out, start);
	case F_TO_NUMBER:
		if (a[0].t == JP_NUM)
			*out = a[0];
		else if (a[0].t == JP_STR)
			to_number(jp, &a[0], out);
		return 0;
	default:
		return build(jp, i, a, na, out);
	}
}

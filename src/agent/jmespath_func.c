/*
 * jmespath_func.c -- the JMESPath functions cpjob implements, with
 * python-jmespath 1.0.1's argument checks (an unknown function, a wrong
 * number of arguments or a wrong type is a run-time error, as there):
 * length, keys, values, contains, join, to_string, not_null.
 */
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

static int
new_str(struct jp *jp, struct jp_val *out, uint32_t start)
{
	if (jp->ns >= sizeof jp->s) {
		jp->fatal = 1;
		return jp_fail(jp, "strings too large (over %u bytes)",
		    (unsigned)sizeof jp->s);
	}
	jp->s[jp->ns] = '\0';
	memset(out, 0, sizeof *out);
	out->t = JP_STR;
	out->p = start;
	out->n = jp->ns - start;
	jp->ns++;
	return 0;
}

static int
append_s(struct jp *jp, const char *s, size_t n)
{
	if (n + 1 > sizeof jp->s - jp->ns) {
		jp->fatal = 1;
		return jp_fail(jp, "strings too large (over %u bytes)",
		    (unsigned)sizeof jp->s);
	}
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

		if ((!first && append_s(jp, jp->s + a[0].p, a[0].n) < 0)
		    || append_s(jp, jp->s + e->p, e->n) < 0)
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
		const char *h = jp->s + a[0].p, *nd = jp->s + a[1].p;
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
	uint32_t c, prev = 0;

	if (a->t != JP_OBJ)
		return bad_type(jp, f, a, "['object']");
	memset(out, 0, sizeof *out);
	out->t = JP_ARR;
	for (c = a->n ? a->p : 0; c != 0; c = jp->cells[c].next) {
		uint32_t k;

		if (jp->ncells >= JP_CELLS_MAX) {
			jp->fatal = 1;
			return jp_fail(jp, "query result too large (over %u "
			    "values)", (unsigned)JP_CELLS_MAX);
		}
		k = jp->ncells++;
		memset(&jp->cells[k], 0, sizeof jp->cells[k]);
		if (f[0] == 'k') {
			jp->cells[k].v.t = JP_STR;
			jp->cells[k].v.p = jp->cells[c].kp;
			jp->cells[k].v.n = jp->cells[c].kn;
		} else {
			jp->cells[k].v = jp->cells[c].v;
		}
		if (prev == 0)
			out->p = k;
		else
			jp->cells[prev].next = k;
		prev = k;
		out->n++;
	}
	return 0;
}

static uint32_t
codepoints(const char *s, uint32_t n)
{
	uint32_t k, c = 0;

	for (k = 0; k < n; k++)
		if (((unsigned char)s[k] & 0xc0) != 0x80)
			c++;
	return c;
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

/* see jmespath.h */
int
jp_call(struct jp *jp, const struct jp_node *nd, const struct jp_val *a,
    int na, struct jp_val *out)
{
	char f[32];
	int k;

	memset(out, 0, sizeof *out);
	if (nd->sn >= sizeof f)
		return jp_fail(jp, "Unknown function: %.*s()", (int)nd->sn,
		    jp->names + nd->sp);
	memcpy(f, jp->names + nd->sp, nd->sn);
	f[nd->sn] = '\0';
	if (strcmp(f, "length") == 0) {
		if (arity(jp, f, 1, na, 0) < 0)
			return -1;
		if (a[0].t != JP_STR && a[0].t != JP_ARR && a[0].t != JP_OBJ)
			return bad_type(jp, f, &a[0],
			    "['string', 'array', 'object']");
		out->t = JP_NUM;
		out->isint = 1;
		out->u.i = a[0].t == JP_STR ? codepoints(jp->s + a[0].p,
		    a[0].n) : a[0].n;
		return 0;
	}
	if (strcmp(f, "keys") == 0 || strcmp(f, "values") == 0)
		return arity(jp, f, 1, na, 0) < 0 ? -1
		    : keys_values(jp, f, &a[0], out);
	if (strcmp(f, "contains") == 0)
		return arity(jp, f, 2, na, 0) < 0 ? -1 : contains(jp, a, out);
	if (strcmp(f, "join") == 0)
		return arity(jp, f, 2, na, 0) < 0 ? -1 : join(jp, a, out);
	if (strcmp(f, "to_string") == 0) {
		cpj_buf b;
		uint32_t start = jp->ns;

		if (arity(jp, f, 1, na, 0) < 0)
			return -1;
		if (a[0].t == JP_STR) {
			*out = a[0];
			return 0;
		}
		if (a[0].t == JP_EXPREF)   /* json.dumps(default=str) */
			return append_s(jp, "<jmespath.visitor._Expression "
			    "object>", 37) < 0 ? -1 : new_str(jp, out, start);
		cpj_buf_init(&b, jp->s + start, sizeof jp->s - start);
		if (jp_out_compact(jp, &a[0], &b) < 0)
			return -1;
		jp->ns += (uint32_t)b.len;
		return new_str(jp, out, start);
	}
	if (strcmp(f, "not_null") == 0) {
		if (arity(jp, f, 1, na, 1) < 0)
			return -1;
		for (k = 0; k < na; k++)
			if (a[k].t != JP_NULL) {
				*out = a[k];
				break;
			}
		return 0;
	}
	return jp_fail(jp, "Unknown function: %s() (cpjob implements length, "
	    "keys, values, contains, join, to_string and not_null)", f);
}

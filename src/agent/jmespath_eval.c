/*
 * jmespath_eval.c -- the evaluation of a
 * compiled expression (python-jmespath 1.0.1's TreeInterpreter and
 * functions: the same nulls, projections skipping nulls, truthiness,
 * equality where 1 is not true, ordering only between two numbers or two
 * strings, slices as Python's). New arrays and objects are lists of cells
 * in jp->cells; new strings go to jp->s. Both are fixed: a result that
 * does not fit fails with a message naming the limit.
 */
#include <stdio.h>
#include <string.h>

#include "jmespath.h"

#define ARGS_MAX 8

/* see jmespath.h */
int
jp_cell(struct jp *jp, uint32_t *c)
{
	if (jp->ncells >= JP_CELLS_MAX) {
		jp->fatal = 1;
		return jp_fail(jp, "query result too large (over %u values, "
		    "the document's included)", (unsigned)JP_CELLS_MAX);
	}
	*c = jp->ncells++;
	memset(&jp->cells[*c], 0, sizeof jp->cells[*c]);
	return 0;
}

/* see jmespath.h */
int
jp_room(struct jp *jp, size_t n)
{
	if (n > sizeof jp->s - jp->ns) {
		jp->fatal = 1;
		return jp_fail(jp, "strings too large (over %u bytes of the "
		    "expression's and built strings)", (unsigned)sizeof jp->s);
	}
	return 0;
}

/* see jmespath.h */
void
jp_list(struct jp_list *l, struct jp_val *v, int t)
{
	memset(v, 0, sizeof *v);
	v->t = (uint8_t)t;
	l->v = v;
	l->tail = 0;
}

/* see jmespath.h */
uint32_t
jp_push(struct jp *jp, struct jp_list *l, const struct jp_val *x,
    uint32_t kp, uint32_t kn)
{
	uint32_t c = 0;

	if (jp_cell(jp, &c) < 0)
		return 0;
	jp->cells[c].v = *x;
	jp->cells[c].kp = kp;
	jp->cells[c].kn = kn;
	if (l->tail == 0) {
		l->v->p = c;
		l->v->flat = 1;
	} else {
		jp->cells[l->tail].next = c;
		if (c != l->tail + 1)
			l->v->flat = 0;
	}
	l->tail = c;
	l->v->n++;
	return c;
}

/* see jmespath.h */
int
jp_set(struct jp *jp, struct jp_list *l, const struct jp_val *x,
    uint32_t kp, uint32_t kn)
{
	uint32_t c = l->v->t == JP_OBJ ? jp_find(jp, l->v, jp_at(jp, kp), kn)
	    : 0;

	if (c != 0)
		jp->cells[c].v = *x;    /* a dict keeps the first place */
	else if (jp_push(jp, l, x, kp, kn) == 0)
		return -1;
	return 0;
}

/* see jmespath.h */
uint32_t
jp_find(const struct jp *jp, const struct jp_val *obj, const char *name,
    size_t n)
{
	uint32_t c;

	for (c = obj->n ? obj->p : 0; c != 0; c = jp->cells[c].next)
		if (jp->cells[c].kn == n
		    && memcmp(jp_at(jp, jp->cells[c].kp), name, n) == 0)
			break;
	return c;
}

/* ---- comparisons ----------------------------------------------------- */

static int
falsy(const struct jp_val *v)
{
	return v->t == JP_NULL || v->t == JP_FALSE || ((v->t == JP_STR
	    || v->t == JP_ARR || v->t == JP_OBJ) && v->n == 0);
}

static double
num(const struct jp_val *v)
{
	if (v->t == JP_TRUE)
		return 1;
	if (v->t == JP_FALSE)
		return 0;
	return v->isint ? (double)jp_int(v) : jp_dbl(v);
}

static int
numeric(const struct jp_val *v)
{
	return v->t == JP_NUM || v->t == JP_TRUE || v->t == JP_FALSE;
}

/* Two numbers (true and false as 1 and 0) or two strings: -1, 0, 1, or
 * 2 when they are unordered (a NaN). */
static int
cmp(const struct jp *jp, const struct jp_val *a, const struct jp_val *b)
{
	double x, y;

	if (a->t == JP_STR) {
		size_t m = a->n < b->n ? a->n : b->n;
		int c = memcmp(jp_at(jp, a->p), jp_at(jp, b->p), m);

		if (c == 0)
			c = (a->n > b->n) - (a->n < b->n);
		return (c > 0) - (c < 0);
	}
	if (a->t == JP_NUM && b->t == JP_NUM && a->isint && b->isint)
		return (jp_int(a) > jp_int(b)) - (jp_int(a) < jp_int(b));
	x = num(a);
	y = num(b);
	return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
}

/* see jmespath.h */
int
jp_order(const struct jp *jp, const struct jp_val *a, const struct jp_val *b)
{
	int r = cmp(jp, a, b);

	return r == 2 ? 0 : r;
}

/* Python ==, deep (True == 1 there). */
static int
py_eq(const struct jp *jp, const struct jp_val *a, const struct jp_val *b,
    int depth)
{
	uint32_t x, y;

	if (depth > 2 * JP_DEPTH_MAX)
		return 0;
	if ((numeric(a) && numeric(b)) || (a->t == JP_STR && b->t == JP_STR))
		return cmp(jp, a, b) == 0;
	if (a->t != b->t || a->t == JP_EXPREF)
		return 0;
	switch (a->t) {
	case JP_NULL:
		return 1;
	case JP_ARR:
		if (a->n != b->n)
			return 0;
		for (x = a->n ? a->p : 0, y = b->n ? b->p : 0; x != 0;
		    x = jp->cells[x].next, y = jp->cells[y].next)
			if (!py_eq(jp, &jp->cells[x].v, &jp->cells[y].v,
			    depth + 1))
				return 0;
		return 1;
	default:   /* JP_OBJ */
		if (a->n != b->n)
			return 0;
		for (x = a->n ? a->p : 0; x != 0; x = jp->cells[x].next) {
			y = jp_find(jp, b, jp_at(jp, jp->cells[x].kp),
			    jp->cells[x].kn);
			if (y == 0 || !py_eq(jp, &jp->cells[x].v,
			    &jp->cells[y].v, depth + 1))
				return 0;
		}
		return 1;
	}
}

/* see jmespath.h */
int
jp_py_eq(const struct jp *jp, const struct jp_val *a, const struct jp_val *b)
{
	return py_eq(jp, a, b, 0);
}

/* == != < <= > >= (op), into *out (zeroed). */
static int
compare(struct jp *jp, int op, const struct jp_val *a, const struct jp_val *b,
    struct jp_val *out)
{
	/* the outcomes (<, ==, >: bits 0, 1, 2) where T_EQ .. T_NE hold */
	static const unsigned char holds[] = { 2, 4, 1, 6, 3, 5 };
	int r;

	if (op == T_EQ || op == T_NE) {
		/* 1 == true in a list (py_eq), not here */
		r = (numeric(a) && numeric(b) && (a->t == JP_NUM)
		    != (b->t == JP_NUM)) || !py_eq(jp, a, b, 0);
	} else {
		if (!((a->t == JP_NUM || a->t == JP_STR)
		    && (b->t == JP_NUM || b->t == JP_STR)))
			return 0;   /* null */
		if (a->t != b->t)
			return jp_fail(jp, "'%s' not supported between a "
			    "string and a number", ">\0\0<\0\0>=\0<=" + 3 * (op
			    - T_GT));
		r = jp_order(jp, a, b);
	}
	out->t = holds[op - T_EQ] >> (r + 1) & 1 ? JP_TRUE : JP_FALSE;
	return 0;
}

/* ---- evaluation ------------------------------------------------------ */

static int ev(struct jp *jp, int n, const struct jp_val *in,
    struct jp_val *out);

static CPJ_NOINLINE void
nth(const struct jp *jp, const struct jp_val *arr, int32_t i,
    struct jp_val *out)
{
	uint32_t c = arr->p;

	if (arr->flat)
		c += (uint32_t)i;
	else
		for (; i > 0; i--)
			c = jp->cells[c].next;
	*out = jp->cells[c].v;
}

/* A part of a slice, as Python's slice.indices clamps it: lo is -1 or 0
 * (the step's sign), the parts saturate at 32 bits (the lexer). */
static CPJ_NOINLINE int32_t
clamp(int32_t i, int32_t len, int32_t lo)
{
	if (i < 0 && (i += len) < 0)
		return lo;
	return i >= len ? len + lo : i;
}

/* An array holds at most JP_CELLS_MAX elements: 32 bits suffice, and a
 * step beyond its length takes one element, as the length plus one. */
static int
slice(struct jp *jp, const struct jp_node *nd, const struct jp_val *in,
    struct jp_val *out)
{
	int32_t len = (int32_t)in->n, step = (nd->op & 4) ? nd->u.n[2] : 1;
	int32_t lo = step < 0 ? -1 : 0, i, stop;
	struct jp_list b;
	struct jp_val e;

	if (step == 0)
		return jp_fail(jp, "slice step cannot be zero");
	if (step > len)
		step = len + 1;
	else if (step < -len)
		step = -len - 1;
	/* absent parts: as far as they go in the step's direction */
	i = clamp((nd->op & 1) ? nd->u.n[0] : lo ? INT32_MAX : -INT32_MAX,
	    len, lo);
	stop = clamp((nd->op & 2) ? nd->u.n[1] : lo ? -INT32_MAX : INT32_MAX,
	    len, lo);
	jp_list(&b, out, JP_ARR);
	for (; step > 0 ? i < stop : i > stop; i += step) {
		nth(jp, in, i, &e);
		if (jp_push(jp, &b, &e, 0, 0) == 0)
			return -1;
	}
	return 0;
}

/* Projections: over the elements of an array (vals 0) or the values of
 * an object (vals 1), keeping the non-null results of node r (with
 * filter condition cond >= 0); r < 0: flatten, each element's elements
 * in its place (or the element, not an array). */
static int
project(struct jp *jp, const struct jp_val *base, int r, int cond, int vals,
    struct jp_val *out)
{
	struct jp_list b;
	struct jp_val x, c;
	uint32_t k, j;

	memset(out, 0, sizeof *out);
	if (base->t != (vals ? JP_OBJ : JP_ARR))
		return 0;
	jp_list(&b, out, JP_ARR);
	for (k = base->n ? base->p : 0; k != 0; k = jp->cells[k].next) {
		const struct jp_val *e = &jp->cells[k].v;
		int arr = e->t == JP_ARR;

		if (r < 0) {
			for (j = !arr ? k : e->n ? e->p : 0; j != 0;
			    j = arr ? jp->cells[j].next : 0)
				if (jp_push(jp, &b, &jp->cells[j].v, 0, 0) == 0)
					return -1;
			continue;
		}
		if (cond >= 0) {
			if (ev(jp, cond, e, &c) < 0)
				return -1;
			if (falsy(&c))
				continue;
		}
		if (ev(jp, r, e, &x) < 0)
			return -1;
		if (x.t != JP_NULL && jp_push(jp, &b, &x, 0, 0) == 0)
			return -1;
	}
	return 0;
}

static int
multi(struct jp *jp, const struct jp_node *nd, const struct jp_val *in,
    struct jp_val *out)
{
	struct jp_list b;
	struct jp_val x;
	int k, hash = nd->type == N_MSHASH;

	memset(out, 0, sizeof *out);
	if (in->t == JP_NULL)
		return 0;
	jp_list(&b, out, hash ? JP_OBJ : JP_ARR);
	for (k = nd->a; k >= 0; k = jp->x.e.nodes[k].next) {
		const struct jp_node *kv = &jp->x.e.nodes[k];

		if (ev(jp, hash ? kv->a : k, in, &x) < 0 || jp_set(jp, &b, &x,
		    hash ? kv->u.v.p : 0, hash ? kv->u.v.n : 0) < 0)
			return -1;
	}
	return 0;
}

static int
func(struct jp *jp, const struct jp_node *nd, const struct jp_val *in,
    struct jp_val *out)
{
	struct jp_val a[ARGS_MAX];
	int k, na = 0;

	for (k = nd->a; k >= 0; k = jp->x.e.nodes[k].next) {
		if (na == ARGS_MAX)
			return jp_fail(jp, "too many arguments to %.*s()",
			    (int)nd->u.v.n, jp_at(jp, nd->u.v.p));
		if (ev(jp, k, in, &a[na++]) < 0)
			return -1;
	}
	return jp_call(jp, nd, a, na, out);
}

static int
is_chain(int type)
{
	return type == N_SUBEXPR || type == N_INDEX_EXPR || type == N_PIPE;
}

/*
 * a.b.c, a[0][1], a | b | c parse left-nested (as python-jmespath's
 * lists of children): evaluate the spine without recursing on it, so that
 * a long chain needs no deep stack. Quadratic in its length (<= nodes).
 */
static int
chain(struct jp *jp, int n, const struct jp_val *in, struct jp_val *out)
{
	struct jp_val cur, nxt;
	int depth = 0, x = n, i, k, y;

	while (is_chain(jp->x.e.nodes[x].type)) {
		x = jp->x.e.nodes[x].a;
		depth++;
	}
	if (ev(jp, x, in, &cur) < 0)
		return -1;
	for (i = depth - 1; i >= 0; i--) {
		for (y = n, k = 0; k < i; k++)
			y = jp->x.e.nodes[y].a;
		if (ev(jp, jp->x.e.nodes[y].b, &cur, &nxt) < 0)
			return -1;
		cur = nxt;
	}
	*out = cur;
	return 0;
}

static int
ev2(struct jp *jp, const struct jp_node *nd, const struct jp_val *in,
    struct jp_val *out)
{
	struct jp_val l, r;

	switch (nd->type) {
	case N_FIELD: {
		uint32_t c = in->t == JP_OBJ ? jp_find(jp, in,
		    jp_at(jp, nd->u.v.p), nd->u.v.n) : 0;

		if (c != 0)
			*out = jp->cells[c].v;
		return 0;
	}
	case N_SUBEXPR:
	case N_INDEX_EXPR:
	case N_PIPE:
		return chain(jp, (int)(nd - jp->x.e.nodes), in, out);
	case N_INDEX: {
		int32_t i = nd->u.n[0];

		if (in->t != JP_ARR)
			return 0;
		if (i < 0)
			i += (int32_t)in->n;
		if (i >= 0 && i < (int32_t)in->n)
			nth(jp, in, i, out);
		return 0;
	}
	case N_SLICE:
		return in->t != JP_ARR ? 0 : slice(jp, nd, in, out);
	case N_PROJ:
	case N_VPROJ:
	case N_FPROJ:
		if (ev(jp, nd->a, in, &l) < 0)
			return -1;
		return project(jp, &l, nd->b, nd->type == N_FPROJ ? nd->c : -1,
		    nd->type == N_VPROJ, out);
	case N_FLATTEN:
		if (ev(jp, nd->a, in, &l) < 0)
			return -1;
		return project(jp, &l, -1, -1, 0, out);
	case N_IDENTITY:
	case N_CURRENT:
		*out = *in;
		return 0;
	case N_LITERAL:
		*out = nd->u.v;
		return 0;
	case N_MSLIST:
	case N_MSHASH:
		return multi(jp, nd, in, out);
	case N_OR:
	case N_AND:
		if (ev(jp, nd->a, in, &l) < 0)
			return -1;
		if (falsy(&l) == (nd->type == N_AND)) {
			*out = l;
			return 0;
		}
		return ev(jp, nd->b, in, out);
	case N_NOT:
		if (ev(jp, nd->a, in, &l) < 0)
			return -1;
		out->t = falsy(&l) ? JP_TRUE : JP_FALSE;
		return 0;
	case N_CMP:
		if (ev(jp, nd->a, in, &l) < 0 || ev(jp, nd->b, in, &r) < 0)
			return -1;
		return compare(jp, nd->op, &l, &r, out);
	case N_FUNC:
		return func(jp, nd, in, out);
	case N_EXPREF:
		out->t = JP_EXPREF;
		out->p = (uint32_t)nd->a;      /* the expression's node */
		return 0;
	default:
		return jp_fail(jp, "bad node");
	}
}

static int
ev(struct jp *jp, int n, const struct jp_val *in, struct jp_val *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (++jp->depth > JP_DEPTH_MAX + 8)
		return jp_fail(jp, "query nested too deeply");
	rc = ev2(jp, &jp->x.e.nodes[n], in, out);
	jp->depth--;
	return rc;
}

/* see jmespath.h */
int
jp_ev(struct jp *jp, int node, const struct jp_val *in, struct jp_val *out)
{
	return ev(jp, node, in, out);
}

/* see jmespath.h */
int
jp_eval(struct jp *jp, const struct jp_val *in, struct jp_val *out)
{
	jp->depth = 0;
	jp->fatal = 0;
	return ev(jp, jp->root, in, out);
}

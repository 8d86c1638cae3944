/*
 * out_text.c -- --output text, a port of the aws CLI's awscli/text.py:
 *  - a scalar is printed as Python's str() and a newline;
 *  - an object prints its scalar members in one tab-separated line (keys
 *    sorted), prefixed by the upper-cased name it was reached by, then
 *    each non-scalar member under its own name;
 *  - a list of objects uses one column set for all (the sorted union of
 *    their scalar keys, '' where one lacks the key); a list of scalars is
 *    one tab-separated line, or one "NAME\tvalue" line per element when it
 *    has a name; a list mixing scalars and lists prints the scalars first.
 * A list holding an object and a non-object makes the aws CLI fail
 * ('... has no attribute items'); so does this.
 * Key order needs no storage: each next key is the smallest one greater
 * than the previous (quadratic in the number of keys, which are few).
 */
#include <string.h>

#include "jmespath.h"

#define TEXT_DEPTH_MAX 256

static int fmt(struct jp *jp, const struct jp_val *v, const char *id,
    size_t idn, const struct jp_val *keys_of, int depth, cpj_buf *b);

static int
scalar(const struct jp_val *v)
{
	return v->t != JP_ARR && v->t != JP_OBJ;
}

static int
keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t m = an < bn ? an : bn;
	int c = memcmp(a, b, m);

	return c != 0 ? c : (an > bn) - (an < bn);
}

/*
 * The smallest member key greater than (prev, prevn) (prev NULL: any),
 * among the members of object o (list NULL) or of every object of array
 * list; want: 1 scalar-valued members only, 2 non-scalar only, 0 all.
 * Returns the cell or 0.
 */
static uint32_t
next_key(const struct jp *jp, const struct jp_val *o, const struct jp_val *list,
    const char *prev, size_t prevn, int want)
{
	uint32_t best = 0, e, c;
	const struct jp_val *obj = o;

	for (e = list ? (list->n ? list->p : 0) : 1; e != 0;
	    e = list ? jp->cells[e].next : 0) {
		if (list)
			obj = &jp->cells[e].v;
		for (c = obj->n ? obj->p : 0; c != 0; c = jp->cells[c].next) {
			const struct jp_cell *m = &jp->cells[c];

			if ((want == 1 && !scalar(&m->v))
			    || (want == 2 && scalar(&m->v)))
				continue;
			if (prev && keycmp(jp->s + m->kp, m->kn, prev, prevn) <= 0)
				continue;
			if (best == 0 || keycmp(jp->s + m->kp, m->kn,
			    jp->s + jp->cells[best].kp, jp->cells[best].kn) < 0)
				best = c;
		}
	}
	return best;
}

static int
ident(struct jp *jp, const char *id, size_t n, cpj_buf *b)
{
	size_t k;

	for (k = 0; k < n; k++) {
		char c = id[k];

		cpj_buf_putc(b, c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
	}
	return jp_put(jp, b, "", 0);
}

static int
scalar_list(struct jp *jp, const struct jp_val *l, int only_scalars,
    const char *id, size_t idn, cpj_buf *b)
{
	uint32_t c;
	int first = 1;

	for (c = l->n ? l->p : 0; c != 0; c = jp->cells[c].next) {
		const struct jp_val *e = &jp->cells[c].v;

		if (only_scalars && !scalar(e))
			continue;
		if (id) {
			if (ident(jp, id, idn, b) < 0)
				return -1;
			cpj_buf_putc(b, '\t');
		} else if (!first) {
			cpj_buf_putc(b, '\t');
		}
		if (jp_out_str(jp, e, b) < 0)
			return -1;
		if (id)
			cpj_buf_putc(b, '\n');
		first = 0;
	}
	if (!id)
		cpj_buf_putc(b, '\n');
	return jp_put(jp, b, "", 0);
}

static int
list(struct jp *jp, const struct jp_val *l, const char *id, size_t idn,
    int depth, cpj_buf *b)
{
	uint32_t c;
	int dicts = 0, lists = 0, others = 0;

	if (l->n == 0)
		return 0;
	for (c = l->p; c != 0; c = jp->cells[c].next) {
		int t = jp->cells[c].v.t;

		dicts += t == JP_OBJ;
		lists += t == JP_ARR;
		others += t != JP_OBJ;
	}
	if (dicts) {
		if (others)
			return jp_fail(jp, "'%s' object has no attribute 'items'"
			    " (the aws CLI fails on this too)", "list/str");
		for (c = l->p; c != 0; c = jp->cells[c].next)
			if (fmt(jp, &jp->cells[c].v, id, idn, l, depth + 1,
			    b) < 0)
				return -1;
		return 0;
	}
	if (!lists)
		return scalar_list(jp, l, 0, id, idn, b);
	if (lists < (int)l->n && scalar_list(jp, l, 1, id, idn, b) < 0)
		return -1;
	for (c = l->p; c != 0; c = jp->cells[c].next)
		if (!scalar(&jp->cells[c].v) && fmt(jp, &jp->cells[c].v, id,
		    idn, NULL, depth + 1, b) < 0)
			return -1;
	return 0;
}

/* An object; keys_of: the list whose scalar keys are the columns, or NULL */
static int
dict(struct jp *jp, const struct jp_val *o, const char *id, size_t idn,
    const struct jp_val *keys_of, int depth, cpj_buf *b)
{
	const struct jp_val *src = keys_of ? NULL : o;
	uint32_t k;
	const char *prev = NULL;
	size_t prevn = 0;
	int n = 0;

	/* the scalar line */
	while ((k = next_key(jp, src, keys_of, prev, prevn, 1)) != 0) {
		const struct jp_cell *m = &jp->cells[k];
		struct jp_val v;

		if (n == 0 && id) {
			if (ident(jp, id, idn, b) < 0)
				return -1;
			cpj_buf_putc(b, '\t');
		} else if (n > 0) {
			cpj_buf_putc(b, '\t');
		}
		if (jp_member(jp, o, jp->s + m->kp, m->kn, &v)
		    && jp_out_str(jp, &v, b) < 0)
			return -1;
		prev = jp->s + m->kp;
		prevn = m->kn;
		n++;
	}
	if (n > 0) {
		cpj_buf_putc(b, '\n');
		if (jp_put(jp, b, "", 0) < 0)
			return -1;
	}
	/* the rest: non-scalar members (with columns: keys not columns) */
	prev = NULL;
	while ((k = next_key(jp, o, NULL, prev, prevn, keys_of ? 0 : 2)) != 0) {
		const struct jp_cell *m = &jp->cells[k];

		prev = jp->s + m->kp;
		prevn = m->kn;
		if (keys_of && scalar(&m->v))
			continue;
		if (keys_of) {
			/* a key that is a column in another element stays one */
			uint32_t e, c;
			int col = 0;

			for (e = keys_of->p; e != 0 && !col;
			    e = jp->cells[e].next)
				for (c = jp->cells[e].v.n ? jp->cells[e].v.p : 0;
				    c != 0; c = jp->cells[c].next)
					if (scalar(&jp->cells[c].v)
					    && keycmp(jp->s + jp->cells[c].kp,
					    jp->cells[c].kn, prev, prevn) == 0)
						col = 1;
			if (col)
				continue;
		}
		if (fmt(jp, &m->v, jp->s + m->kp, m->kn, NULL, depth + 1,
		    b) < 0)
			return -1;
	}
	return 0;
}

static int
fmt(struct jp *jp, const struct jp_val *v, const char *id, size_t idn,
    const struct jp_val *keys_of, int depth, cpj_buf *b)
{
	if (depth > TEXT_DEPTH_MAX)
		return jp_fail(jp, "value nested too deeply");
	if (v->t == JP_OBJ)
		return dict(jp, v, id, idn, keys_of, depth, b);
	if (v->t == JP_ARR)
		return list(jp, v, id, idn, depth, b);
	if (jp_out_str(jp, v, b) < 0)
		return -1;
	cpj_buf_putc(b, '\n');
	return jp_put(jp, b, "", 0);
}

/* see jmespath.h */
int
jp_out_text(struct jp *jp, const struct jp_val *v, cpj_buf *b)
{
	return fmt(jp, v, NULL, 0, NULL, 0, b);
}

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
 * Keys are sorted (heapsort) on a stack of cell indices in struct jp.
 */
#include <string.h>

#include "jmespath.h"

#define TEXT_DEPTH_MAX 256

static int fmt(struct jp *jp, const struct jp_val *v, const char *id,
    size_t idn, int depth, cpj_buf *b);
static int dict(struct jp *jp, const struct jp_val *o, const char *id,
    size_t idn, const uint32_t *cols, uint32_t ncols, int depth, cpj_buf *b);

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

static int
keycell(const struct jp *jp, uint32_t x, uint32_t y)
{
	return keycmp(jp_at(jp, jp->cells[x].kp), jp->cells[x].kn,
	    jp_at(jp, jp->cells[y].kp), jp->cells[y].kn);
}

static int
cellcmp(const struct jp *jp, uint32_t x, uint32_t y)
{
	int c = keycell(jp, x, y);

	return c != 0 ? c : (x > y) - (x < y);   /* ties: member order */
}

/* Move a[root] down the heap a[0..end) to its place. */
static void
sift(const struct jp *jp, uint32_t *a, uint32_t root, uint32_t end)
{
	uint32_t child, t;

	for (; (child = 2 * root + 1) < end; root = child) {
		if (child + 1 < end && cellcmp(jp, a[child], a[child + 1]) < 0)
			child++;
		if (cellcmp(jp, a[root], a[child]) >= 0)
			break;
		t = a[root], a[root] = a[child], a[child] = t;
	}
}

/* Heapsort of member cells by key (no recursion, no memory). */
static void
sort_keys(const struct jp *jp, uint32_t *a, uint32_t n)
{
	uint32_t i, end, t;

	for (i = n / 2; i-- > 0;)
		sift(jp, a, i, n);
	for (end = n; end-- > 1;) {
		t = a[0], a[0] = a[end], a[end] = t;
		sift(jp, a, 0, end);
	}
}

/*
 * Put the members of object o (scalars: 1 only scalar-valued ones) on the
 * scratch stack, sorted by key, one per key (the last of duplicates, as
 * Python's dict). *n receives their number; the caller pops them.
 */
static int
push_keys(struct jp *jp, const struct jp_val *o, int scalars, uint32_t *n)
{
	uint32_t c, *a = jp->x.scratch + jp->nscratch, k, w;

	*n = 0;
	for (c = o->n ? o->p : 0; c != 0; c = jp->cells[c].next) {
		if (scalars && !scalar(&jp->cells[c].v))
			continue;
		if (jp->nscratch + *n >= JP_SCRATCH_MAX)
			return jp_fail(jp, "too many keys for --output text "
			    "(over %u)", (unsigned)JP_SCRATCH_MAX);
		a[(*n)++] = c;
	}
	sort_keys(jp, a, *n);
	for (k = 0, w = 0; k < *n; k++) {
		if (w > 0 && keycell(jp, a[w - 1], a[k]) == 0)
			w--;
		a[w++] = a[k];
	}
	*n = w;
	jp->nscratch += w;
	return 0;
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
		uint32_t base = jp->nscratch, *cols, n = 0, k, w, m;
		int rc = 0;

		if (others)
			return jp_fail(jp, "'%s' object has no attribute 'items'"
			    " (the aws CLI fails on this too)", "list/str");
		/* the columns: the sorted union of the scalar keys */
		for (c = l->p; c != 0; c = jp->cells[c].next) {
			if (push_keys(jp, &jp->cells[c].v, 1, &m) < 0) {
				jp->nscratch = base;
				return -1;
			}
			n += m;
		}
		cols = jp->x.scratch + base;
		sort_keys(jp, cols, n);
		for (k = 0, w = 0; k < n; k++)
			if (w == 0 || keycell(jp, cols[w - 1], cols[k]) != 0)
				cols[w++] = cols[k];
		jp->nscratch = base + w;
		for (c = l->p; c != 0 && rc == 0; c = jp->cells[c].next)
			rc = dict(jp, &jp->cells[c].v, id, idn, cols, w,
			    depth + 1, b);
		jp->nscratch = base;
		return rc;
	}
	if (!lists)
		return scalar_list(jp, l, 0, id, idn, b);
	if (lists < (int)l->n && scalar_list(jp, l, 1, id, idn, b) < 0)
		return -1;
	for (c = l->p; c != 0; c = jp->cells[c].next)
		if (!scalar(&jp->cells[c].v) && fmt(jp, &jp->cells[c].v, id,
		    idn, depth + 1, b) < 0)
			return -1;
	return 0;
}

/*
 * An object. cols (ncols of them, sorted member cells of the list this
 * object is in) are the columns of its scalar line, or NULL: its own
 * scalar members are.
 */
static int
dict(struct jp *jp, const struct jp_val *o, const char *id, size_t idn,
    const uint32_t *cols, uint32_t ncols, int depth, cpj_buf *b)
{
	uint32_t base = jp->nscratch, *mem, n, k, j = 0, line = 0;
	int rc = -1;

	if (push_keys(jp, o, 0, &n) < 0)
		return -1;
	mem = jp->x.scratch + base;
	/* the scalar line */
	for (k = 0; cols ? k < ncols : k < n; k++) {
		const struct jp_val *v = NULL;

		if (!cols) {
			if (!scalar(&jp->cells[mem[k]].v))
				continue;
			v = &jp->cells[mem[k]].v;
		} else {
			while (j < n && keycell(jp, mem[j], cols[k]) < 0)
				j++;
			if (j < n && keycell(jp, mem[j], cols[k]) == 0)
				v = &jp->cells[mem[j]].v;
		}
		if (line++ == 0 && id) {
			if (ident(jp, id, idn, b) < 0)
				goto out;
			cpj_buf_putc(b, '\t');
		} else if (line > 1) {
			cpj_buf_putc(b, '\t');
		}
		if (v != NULL && jp_out_str(jp, v, b) < 0)
			goto out;
	}
	if (line > 0) {
		cpj_buf_putc(b, '\n');
		if (jp_put(jp, b, "", 0) < 0)
			goto out;
	}
	/* the rest: non-scalar members (with columns: keys not columns) */
	for (k = 0, j = 0; k < n; k++) {
		const struct jp_cell *m = &jp->cells[mem[k]];

		if (cols) {
			while (j < ncols && keycell(jp, cols[j], mem[k]) < 0)
				j++;
			if (j < ncols && keycell(jp, cols[j], mem[k]) == 0)
				continue;
		} else if (scalar(&m->v)) {
			continue;
		}
		if (fmt(jp, &m->v, jp_at(jp, m->kp), m->kn, depth + 1, b) < 0)
			goto out;
	}
	rc = 0;
out:
	jp->nscratch = base;
	return rc;
}

static int
fmt(struct jp *jp, const struct jp_val *v, const char *id, size_t idn,
    int depth, cpj_buf *b)
{
	if (depth > TEXT_DEPTH_MAX)
		return jp_fail(jp, "value nested too deeply");
	if (v->t == JP_OBJ)
		return dict(jp, v, id, idn, NULL, 0, depth, b);
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
	jp->nscratch = 0;
	return fmt(jp, v, NULL, 0, 0, b);
}

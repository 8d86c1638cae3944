/*
 * jmespath_out.c -- values printed the way Python prints them, which is
 * what the aws CLI shows: json.dumps(indent=4, ensure_ascii=False) for
 * --output json, json.dumps(separators=(',', ':')) for to_string(), and
 * str() (with repr() inside lists and dicts) for --output text.
 * Numbers: integers as they are, floats as Python's repr (the shortest
 * text that reads back the same; exponent form below 1e-4 and from 1e16).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jmespath.h"

#define OUT_DEPTH_MAX 256

/* see jmespath.h */
void
jp_set_num(struct jp_val *v, int isint, int64_t i, double d)
{
	uint64_t b;

	memset(v, 0, sizeof *v);
	v->t = JP_NUM;
	v->isint = (uint8_t)(isint != 0);
	if (isint)
		memcpy(&b, &i, sizeof b);
	else
		memcpy(&b, &d, sizeof b);
	v->n = (uint32_t)b;
	v->p = (uint32_t)(b >> 32);
}

/* see jmespath.h */
const char *
jp_at(const struct jp *jp, uint32_t off)
{
	return off & JP_OWN ? jp->s + (off & ~JP_OWN) : jp->doc + off;
}

/* see jmespath.h */
int
jp_fail(struct jp *jp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(jp->err, sizeof jp->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* see jmespath.h */
int
jp_put(struct jp *jp, cpj_buf *b, const char *s, size_t n)
{
	cpj_buf_put(b, s, n);
	if (b->over)
		return jp_fail(jp, "output too large (over %zu bytes)", b->cap);
	return 0;
}

static int
puts_(struct jp *jp, cpj_buf *b, const char *s)
{
	return jp_put(jp, b, s, strlen(s));
}

/* A JSON string; ascii: \uXXXX for everything outside ' '..'~'. */
static int
jstr(struct jp *jp, const char *s, size_t n, int ascii, cpj_buf *b)
{
	size_t i;
	char t[16];
	int k;

	cpj_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned u = c;

		const char *e = c != 0 ? strchr(JSON_ESC, c) : NULL;

		if (e != NULL) {
			cpj_buf_putc(b, '\\');
			cpj_buf_putc(b, JSON_ESC_AS[e - JSON_ESC]);
			continue;
		}
		if (c >= 0x20 && (c < 0x7f || !ascii)) {
			cpj_buf_putc(b, (char)c);
			continue;
		}
		/* ensure_ascii: decode UTF-8, k more bytes (as many as
		 * the lead byte says, when there are) */
		k = c < 0x80 ? 0 : c >= 0xf0 && i + 3 < n ? 3 : c >= 0xe0
		    && i + 2 < n ? 2 : i + 1 < n;
		if (k > 0)
			u &= 0x7fu >> (k + 1);
		for (; k > 0; k--)
			u = u << 6 | (s[++i] & 0x3fu);
		if (u >= 0x10000) {
			u -= 0x10000;
			fmt_snprintf(t, sizeof t, "\\u%04x",
			    0xd800 + (u >> 10));
			cpj_buf_puts(b, t);
			u = 0xdc00 + (u & 0x3ff);
		}
		fmt_snprintf(t, sizeof t, "\\u%04x", u);
		cpj_buf_puts(b, t);
	}
	cpj_buf_putc(b, '"');
	return jp_put(jp, b, "", 0);
}

/* see jmespath.h */
size_t
jp_py_repr(char *d, size_t cap, const char *s, size_t n)
{
	char q = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL
	    ? '"' : '\'';
	const char *end = s + n;
	size_t o = (size_t)fmt_snprintf(d, cap, "%c", q);

	for (; s < end && o < cap; s++) {
		unsigned char c = (unsigned char)*s;
		unsigned x = c;
		char e = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;

		if (c == 0xc2 && s + 1 < end && ((unsigned char)s[1] <= 0xa0
		    || (unsigned char)s[1] == 0xad))
			x = (unsigned char)*++s;    /* U+0080..U+00A0, U+00AD */
		if (c == (unsigned char)q || c == '\\')
			o += (size_t)fmt_snprintf(d + o, cap - o, "\\%c", c);
		else if (e != 0)
			o += (size_t)fmt_snprintf(d + o, cap - o, "\\%c", e);
		else if (x < 0x20 || x == 0x7f || x != c)
			o += (size_t)fmt_snprintf(d + o, cap - o, "\\x%02x", x);
		else
			d[o++] = *s;
	}
	if (o < cap)
		o += (size_t)fmt_snprintf(d + o, cap - o, "%c", q);
	return o;
}

/* Python repr() of a str. */
static int
repr_str(struct jp *jp, const char *s, size_t n, cpj_buf *b)
{
	size_t o = jp_py_repr(b->p + b->len, b->over ? 0 : b->cap - b->len,
	    s, n);

	if (o >= b->cap - b->len)
		b->over = 1;
	else
		b->len += o;
	return jp_put(jp, b, "", 0);
}

/* The renderings: json.dumps(separators=(',', ':')) (ensure_ascii),
 * json.dumps(indent=4, ensure_ascii=False), Python's str() and repr()
 * (the members of a list or a dict). */
enum { J_COMPACT, J_INDENT, P_STR, P_REPR };

/* A string, or a member name, as mode renders it. */
static int
str(struct jp *jp, const char *s, size_t n, int mode, cpj_buf *b)
{
	if (mode == P_STR)
		return jp_put(jp, b, s, n);
	if (mode == P_REPR)
		return repr_str(jp, s, n, b);
	return jstr(jp, s, n, mode == J_COMPACT, b);
}

static CPJ_NOINLINE void
nl(cpj_buf *b, int depth)
{
	int k;

	cpj_buf_putc(b, '\n');
	for (k = 0; k < depth; k++)
		cpj_buf_puts(b, "    ");
}

static int
out(struct jp *jp, const struct jp_val *v, int mode, int depth, cpj_buf *b)
{
	/* null, false, true, in JSON and in Python */
	static const char kw[] = "null\0\0false\0true\0\0None\0\0False\0True";
	int py = mode >= P_STR, in = py ? P_REPR : mode;
	uint32_t c;

	if (depth > OUT_DEPTH_MAX)
		return jp_fail(jp, "value nested too deeply");
	switch (v->t) {
	case JP_NULL:
	case JP_FALSE:
	case JP_TRUE:
		return puts_(jp, b, kw + 6 * (3 * py + v->t));
	case JP_NUM: {
		char t[48];
		double d = jp_dbl(v);

		/* Python's str() and repr() of the floats JSON has no
		 * number for (Infinity, -Infinity, NaN there) */
		if (py && !v->isint && !(d == d && d - d == 0))
			return puts_(jp, b, d != d ? "nan" : d > 0 ? "inf"
			    : "-inf");
		if (v->isint)
			fmt_snprintf(t, sizeof t, "%lld", (long long)jp_int(v));
		else
			fmt_pyfloat(d, t, sizeof t);
		return puts_(jp, b, t);
	}
	case JP_STR:
		return str(jp, jp_at(jp, v->p), v->n, mode, b);
	case JP_ARR:
	case JP_OBJ:
		cpj_buf_putc(b, v->t == JP_ARR ? '[' : '{');
		for (c = v->n ? v->p : 0; c != 0; c = jp->cells[c].next) {
			const struct jp_cell *e = &jp->cells[c];

			if (mode == J_INDENT)
				nl(b, depth + 1);
			if (v->t == JP_OBJ) {
				if (str(jp, jp_at(jp, e->kp), e->kn, in, b) < 0)
					return -1;
				cpj_buf_puts(b, mode == J_COMPACT ? ":" : ": ");
			}
			if (out(jp, &e->v, in, depth + 1, b) < 0)
				return -1;
			if (e->next != 0)
				cpj_buf_puts(b, py ? ", " : ",");
		}
		if (v->n && mode == J_INDENT)
			nl(b, depth);
		cpj_buf_putc(b, v->t == JP_ARR ? ']' : '}');
		return jp_put(jp, b, "", 0);
	default:
		if (py)
			return puts_(jp, b,
			    "<jmespath.visitor._Expression object>");
		return jp_fail(jp, "Object of type _Expression is not JSON "
		    "serializable");
	}
}

/* see jmespath.h */
int
jp_out_json(struct jp *jp, const struct jp_val *v, cpj_buf *b)
{
	return out(jp, v, J_INDENT, 0, b);
}

/* see jmespath.h */
int
jp_out_compact(struct jp *jp, const struct jp_val *v, cpj_buf *b)
{
	return out(jp, v, J_COMPACT, 0, b);
}

/* see jmespath.h */
int
jp_out_str(struct jp *jp, const struct jp_val *v, cpj_buf *b)
{
	return out(jp, v, P_STR, 0, b);
}

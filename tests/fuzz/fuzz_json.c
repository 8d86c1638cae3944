/*
 * fuzz_json.c -- cpj_json: parse, tokenize, getters, unescape, writer.
 *
 * Input: byte 0 selects the mode, the rest is the text.
 *  - Byte 0 even: a document. It is counted (toks NULL), parsed into a
 *    token array of exactly that size (and one short: CPJ_ERR_JSON_TOKENS),
 *    tokenized again by cpj_json_tokenize() (same tokens), and every token
 *    goes through next, get_str (exact and short buffers), str_eq,
 *    get_i64, get_bool, is_null, member and path lookups. Then the document
 *    is written again with cpj_json_writer (strings unescaped and escaped
 *    again, integers as numbers, other numbers as strings), and the
 *    result must parse to the same structure and strings. The whole
 *    text is also unescaped as a string, into a buffer and in place.
 *  - Byte 0 odd: writer operations, one byte each (object/array begin and
 *    end, key, string, numbers, literals) with string arguments from the
 *    input. Whatever the sequence, finish() returns 0 only for a
 *    document that cpj_json_parse() accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_json: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define STACK_MAX (CPJ_JSON_DEPTH_MAX + 4)

static int
is_int(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

/* Unescaped copy of string token i (malloc'd, NUL-terminated); NULL when
 * it does not unescape. */
static char *
unesc(const char *js, const cpj_json_tok *t, int n, int i, size_t *len)
{
	size_t cap = (size_t)(t[i].end - t[i].start) + 1;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	if (cpj_json_get_str(js, t, n, i, out, cap, len) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Every getter on every token. */
static void
getters(const char *js, const cpj_json_tok *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int nx = cpj_json_next(t, n, i), b;
		int64_t v;
		size_t ol = 0;
		char *s;

		if (nx <= i || nx > n)
			FAIL("next out of range");
		if (t[i].start < 0 || t[i].end < t[i].start)
			FAIL("token offsets");
		(void)cpj_json_get_i64(js, t, n, i, &v);
		if (cpj_json_get_bool(js, t, n, i, &b) == 0 && b != 0 && b != 1)
			FAIL("bool not 0 or 1");
		if (t[i].type != CPJ_JSON_STRING) {
			char one[1];

			if (cpj_json_get_str(js, t, n, i, one, 1, &ol)
			    != CPJ_ERR_JSON_TYPE)
				FAIL("get_str of a non-string");
			continue;
		}
		s = unesc(js, t, n, i, &ol);
		if (s == NULL)
			continue;
		if (ol > (size_t)(t[i].end - t[i].start) || strlen(s) != ol)
			FAIL("unescaped length");
		if (cpj_json_str_eq(js, t, n, i, s) != 1)
			FAIL("str_eq of its own text");
		{
			/* one byte short */
			char *shortb = malloc(ol ? ol : 1);

			if (shortb != NULL && cpj_json_get_str(js, t, n, i,
			    shortb, ol, NULL) != CPJ_ERR_JSON_FIELD_TOO_LONG)
				FAIL("short buffer accepted");
			free(shortb);
		}
		/* a member name: the lookup finds a member of that name */
		if (t[i].size == 1 && t[i].parent >= 0
		    && t[t[i].parent].type == CPJ_JSON_OBJECT) {
			int obj = t[i].parent, m;

			m = cpj_json_member(js, t, n, obj, s);
			if (m <= obj || m >= n || t[m].parent < 0
			    || cpj_json_str_eq(js, t, n, t[m].parent, s) != 1)
				FAIL("member lookup");
		}
		free(s);
	}
	/* lookups of names taken from the text */
	if (n > 0 && t[0].type == CPJ_JSON_OBJECT) {
		(void)cpj_json_member(js, t, n, 0, "id");
	}
	(void)cpj_json_member(js, t, n, n - 1, "x");
	(void)cpj_json_next(t, n, n);
	(void)cpj_json_next(t, n, -1);
}

struct frame {
	int type;
	int left;       /* members or elements still to come */
	int key;        /* an object expecting a member name */
};

/* Write the tokens again; returns the writer's result. */
static int
rewrite(const char *js, const cpj_json_tok *t, int n, cpj_buf *b)
{
	struct frame st[STACK_MAX];
	cpj_json_writer w;
	int sp = 0, i;

	cpj_json_writer_init(&w, b);
	for (i = 0; i < n; i++) {
		const char *p = js + t[i].start;
		size_t len = (size_t)(t[i].end - t[i].start);
		int value_done = 1;

		if (sp > 0 && st[sp - 1].type == CPJ_JSON_OBJECT
		    && st[sp - 1].key) {
			char *s = unesc(js, t, n, i, &len);

			if (s == NULL)
				return 1;       /* not rewritable */
			cpj_json_put_key(&w, s);
			free(s);
			st[sp - 1].key = 0;
			continue;
		}
		switch (t[i].type) {
		case CPJ_JSON_OBJECT:
		case CPJ_JSON_ARRAY:
			if (sp == STACK_MAX)
				FAIL("deeper than the parser allows");
			if (t[i].type == CPJ_JSON_OBJECT)
				cpj_json_object_begin(&w);
			else
				cpj_json_array_begin(&w);
			st[sp].type = t[i].type;
			st[sp].left = t[i].size;
			st[sp].key = t[i].type == CPJ_JSON_OBJECT;
			sp++;
			value_done = t[i].size == 0;
			if (value_done) {
				sp--;
				if (t[i].type == CPJ_JSON_OBJECT)
					cpj_json_object_end(&w);
				else
					cpj_json_array_end(&w);
			}
			break;
		case CPJ_JSON_STRING: {
			char *s = unesc(js, t, n, i, &len);

			if (s == NULL)
				return 1;
			cpj_json_put_strn(&w, s, len);
			free(s);
			break;
		}
		default:
			if (len == 4 && memcmp(p, "true", 4) == 0)
				cpj_json_put_bool(&w, 1);
			else if (len == 5 && memcmp(p, "false", 5) == 0)
				cpj_json_put_bool(&w, 0);
			else if (len == 4 && memcmp(p, "null", 4) == 0)
				cpj_json_put_null(&w);
			else {
				int64_t v;

				if (is_int(p, len)
				    && cpj_json_get_i64(js, t, n, i, &v) == 0)
					cpj_json_put_i64(&w, v);
				else {
					/* as a string: the text of the number */
					cpj_json_put_strn(&w, p, len);
				}
			}
			break;
		}
		/* a value ended: close the containers it completes */
		while (value_done && sp > 0) {
			struct frame *f = &st[sp - 1];

			if (--f->left > 0) {
				f->key = f->type == CPJ_JSON_OBJECT;
				break;
			}
			if (f->type == CPJ_JSON_OBJECT)
				cpj_json_object_end(&w);
			else
				cpj_json_array_end(&w);
			sp--;
		}
	}
	if (sp != 0)
		FAIL("token sizes do not add up");
	return cpj_json_writer_finish(&w);
}

/* The rewritten text must have the same shape and strings. */
static void
compare(const char *a, const cpj_json_tok *ta, const char *b,
	const cpj_json_tok *tb, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		size_t la, lb;
		char *sa, *sb;
		int ya = ta[i].type, yb = tb[i].type;

		if (ta[i].size != tb[i].size || ta[i].parent != tb[i].parent)
			FAIL("rewrite changed the structure");
		if (ya == CPJ_JSON_PRIMITIVE && yb == CPJ_JSON_STRING)
			continue;       /* a number written as a string */
		if (ya != yb)
			FAIL("rewrite changed a type");
		if (ya != CPJ_JSON_STRING)
			continue;
		sa = unesc(a, ta, n, i, &la);
		sb = unesc(b, tb, n, i, &lb);
		if (sa == NULL || sb == NULL || la != lb || memcmp(sa, sb, la))
			FAIL("rewrite changed a string");
		free(sa);
		free(sb);
	}
}

static void
document(const char *js, size_t len)
{
	cpj_json_tok *t, *t2;
	int n, r;

	n = cpj_json_parse(js, len, NULL, 0);
	if (n == 0)
		FAIL("count of 0 tokens");
	if (n < 0)
		return;
	t = malloc((size_t)n * sizeof *t);
	t2 = malloc((size_t)n * sizeof *t2);
	if (t == NULL || t2 == NULL)
		goto out;
	if (n > 1 && cpj_json_parse(js, len, t + 1, (unsigned)n - 1)
	    != CPJ_ERR_JSON_TOKENS)
		FAIL("one token short accepted");
	if (cpj_json_parse(js, len, t, (unsigned)n) != n)
		FAIL("parse differs from the count");
	/* jsmn alone on validated text (a bare primitive needs a byte after) */
	if (t[0].type != CPJ_JSON_PRIMITIVE || (size_t)t[0].end < len) {
		r = cpj_json_tokenize(js, len, t2, (unsigned)n);
		if (r != n || memcmp(t, t2, (size_t)n * sizeof *t) != 0)
			FAIL("tokenize differs from parse");
	}
	getters(js, t, n);
	{
		size_t cap = 6 * len + 32;
		char *out = malloc(cap);
		cpj_buf b;

		if (out == NULL)
			goto out;
		cpj_buf_init(&b, out, cap);
		r = rewrite(js, t, n, &b);
		if (r < 0)
			FAIL("rewrite failed");
		if (r == 0) {
			cpj_json_tok *t3 = malloc((size_t)n * sizeof *t3);

			if (t3 != NULL) {
				if (cpj_json_parse(out, b.len, t3, (unsigned)n) != n)
					FAIL("rewritten text does not parse");
				compare(js, t, out, t3, n);
			}
			free(t3);
		}
		free(out);
	}
out:
	free(t);
	free(t2);
}

static void
unescape_all(const char *s, size_t len)
{
	char *a = malloc(len + 1), *b = malloc(len + 1);
	size_t la = 0, lb = 0;
	int ra, rb;

	if (a == NULL || b == NULL)
		goto out;
	ra = cpj_json_unescape(s, len, a, len + 1, &la);
	memcpy(b, s, len);
	rb = cpj_json_unescape(b, len, b, len + 1, &lb);
	if (ra != rb)
		FAIL("in-place unescape differs");
	if (ra == 0) {
		if (la != lb || memcmp(a, b, la) != 0 || a[la] != '\0')
			FAIL("in-place unescape differs");
		if (la > 0 && cpj_json_unescape(s, len, a, la, NULL)
		    != CPJ_ERR_JSON_FIELD_TOO_LONG)
			FAIL("unescape into a short buffer");
	}
out:
	free(a);
	free(b);
}

/* Writer operations from the input. */
static void
writer_ops(const unsigned char *d, size_t len)
{
	char out[4096];
	cpj_json_writer w;
	cpj_buf b;
	size_t i = 0;
	int r;

	cpj_buf_init(&b, out, (d[0] & 2) ? 64 : sizeof out);
	cpj_json_writer_init(&w, &b);
	d++;
	len--;
	while (i < len) {
		unsigned op = d[i++];
		size_t n = op >> 4;     /* string length */
		char s[16];

		if (n > len - i)
			n = len - i;
		memcpy(s, d + i, n);
		s[n] = '\0';
		switch (op & 15) {
		case 0: cpj_json_object_begin(&w); break;
		case 1: cpj_json_object_end(&w); break;
		case 2: cpj_json_array_begin(&w); break;
		case 3: cpj_json_array_end(&w); break;
		case 4: cpj_json_put_key(&w, s); i += n; break;
		case 5: cpj_json_put_str(&w, s); i += n; break;
		case 6: cpj_json_put_strn(&w, (const char *)d + i, n); i += n; break;
		case 7: cpj_json_put_u64(&w, (uint64_t)0 - op); break;
		case 8: cpj_json_put_i64(&w, op & 1 ? INT64_MIN : -(int64_t)op); break;
		case 9: cpj_json_put_bool(&w, op & 16); break;
		case 10: cpj_json_put_null(&w); break;
		case 11: cpj_json_put_key_str(&w, s, s + (n / 2)); i += n; break;
		default: break;
		}
	}
	r = cpj_json_writer_finish(&w);
	if (r == 0) {
		if (memchr(out, 0, b.len + 1) != out + b.len)
			FAIL("writer output not terminated");
		if (cpj_json_parse(out, b.len, NULL, 0) < 1)
			FAIL("writer accepted, parser refuses");
	} else if (r != CPJ_ERR_NOSPACE && r != CPJ_ERR_STATE
	    && r != CPJ_ERR_JSON_DEPTH && r != CPJ_ERR_PARAM) {
		FAIL("writer finish code");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *js;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		writer_ops(data, size);
		return 0;
	}
	/* the text alone, in a block of its size */
	js = malloc(size - 1 ? size - 1 : 1);
	if (js == NULL)
		return 0;
	memcpy(js, data + 1, size - 1);
	document(js, size - 1);
	unescape_all(js, size - 1);
	free(js);
	return 0;
}

/*
 * json_put.c -- the JSON writer: commas and colons placed from a small
 * fixed-depth state, strings escaped, UTF-8 checked and copied.
 */
#include "inner.h"
#include "util/word_int.h"

static void
fail(cpj_json_writer *w, int err)
{
	if (w->err == 0)
		w->err = err;
}

static int
in_object(const cpj_json_writer *w)
{
	return w->depth > 0 && ((w->objs >> (w->depth - 1)) & 1);
}

/* A comma before every element of the innermost container but its first. */
static CPJ_NOINLINE void
comma(cpj_json_writer *w)
{
	uint64_t bit = (uint64_t)1 << (w->depth - 1);

	if (w->more & bit)
		cpj_buf_putc(w->b, ',');
	w->more |= bit;
}

/*
 * Before a value: check that one is allowed here and write the comma
 * that separates it from the previous element. Returns 0 when the value
 * may be written.
 */
static CPJ_NOINLINE int
pre_value(cpj_json_writer *w)
{
	if (w->err != 0)
		return -1;
	if (w->depth == 0) {
		if (w->done) {
			fail(w, CPJ_ERR_STATE);
			return -1;
		}
		return 0;
	}
	if (in_object(w)) {
		if (!w->named) {
			fail(w, CPJ_ERR_STATE);
			return -1;
		}
		w->named = 0;
		return 0;
	}
	comma(w);
	return 0;
}

static void
post_value(cpj_json_writer *w)
{
	if (w->depth == 0)
		w->done = 1;
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, k;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if (s[k] < lo || s[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
	}
	return n;
}

/* Write s[0..len) as a quoted, escaped JSON string. */
static void
put_quoted(cpj_json_writer *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_esc[] = "\"\\\b\f\n\r\t";
	const unsigned char *u = (const unsigned char *)s;
	const char *e;
	size_t i = cpj_word_json_plain(u, len);
	char *d;

	if (i == len) {
		/* nothing to escape (most strings): quotes and text at once */
		d = cpj_buf_room(w->b, len + 2);
		if (d != NULL) {
			d[0] = '"';
			memcpy(d + 1, s, len);
			d[len + 1] = '"';
		}
		if (d != NULL || w->b->over)
			return;
		/* a draining buffer smaller than the string: in pieces */
	}
	cpj_buf_putc(w->b, '"');
	cpj_buf_put(w->b, s, i);
	while (i < len) {
		size_t run = i;
		unsigned c;

		/* printable ASCII other than '"' and '\\' goes out as is */
		run += cpj_word_json_plain(u + run, len - run);
		cpj_buf_put(w->b, s + i, run - i);
		i = run;
		if (i == len)
			break;
		c = u[i];
		if (c >= 0x80) {
			size_t n = utf8_len(u + i, len - i);

			if (n == 0) {
				fail(w, CPJ_ERR_PARAM);
				return;
			}
			cpj_buf_put(w->b, s + i, n);
			i += n;
			continue;
		}
		cpj_buf_putc(w->b, '\\');
		e = c != 0 ? strchr(short_esc, (int)c) : NULL;
		if (e != NULL) {
			/* \" \\ \b \f \n \r \t */
			cpj_buf_putc(w->b, "\"\\bfnrt"[e - short_esc]);
		} else {
			cpj_buf_putlit(w->b, "u00");
			cpj_buf_putc(w->b, hex[c >> 4]);
			cpj_buf_putc(w->b, hex[c & 15]);
		}
		i++;
	}
	cpj_buf_putc(w->b, '"');
}

static CPJ_NOINLINE void
open_container(cpj_json_writer *w, int obj)
{
	uint64_t bit;

	if (pre_value(w) != 0)
		return;
	if (w->depth >= CPJ_JSON_DEPTH_MAX) {
		fail(w, CPJ_ERR_JSON_DEPTH);
		return;
	}
	bit = (uint64_t)1 << w->depth;
	if (obj)
		w->objs |= bit;
	else
		w->objs &= ~bit;
	w->more &= ~bit;
	w->depth++;
	cpj_buf_putc(w->b, obj ? '{' : '[');
}

static CPJ_NOINLINE void
close_container(cpj_json_writer *w, int obj)
{
	if (w->err != 0)
		return;
	if (w->depth == 0 || in_object(w) != obj || w->named) {
		fail(w, CPJ_ERR_STATE);
		return;
	}
	w->depth--;
	cpj_buf_putc(w->b, obj ? '}' : ']');
	post_value(w);
}

/* see cpj_json.h */
void
cpj_json_writer_init(cpj_json_writer *w, cpj_buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
	if (b == NULL)
		w->err = CPJ_ERR_PARAM;
}

/* see cpj_json.h */
void
cpj_json_object_begin(cpj_json_writer *w)
{
	open_container(w, 1);
}

/* see cpj_json.h */
void
cpj_json_object_end(cpj_json_writer *w)
{
	close_container(w, 1);
}

/* see cpj_json.h */
void
cpj_json_array_begin(cpj_json_writer *w)
{
	open_container(w, 0);
}

/* see cpj_json.h */
void
cpj_json_array_end(cpj_json_writer *w)
{
	close_container(w, 0);
}

/* see cpj_json.h */
void
cpj_json_put_key(cpj_json_writer *w, const char *name)
{
	if (w->err != 0)
		return;
	if (!in_object(w) || w->named || name == NULL) {
		fail(w, CPJ_ERR_STATE);
		return;
	}
	comma(w);
	put_quoted(w, name, strlen(name));
	cpj_buf_putc(w->b, ':');
	w->named = 1;
}

/* see cpj_json.h */
void
cpj_json_put_strn(cpj_json_writer *w, const char *s, size_t len)
{
	if (s == NULL && len != 0) {
		fail(w, CPJ_ERR_PARAM);
		return;
	}
	if (pre_value(w) != 0)
		return;
	put_quoted(w, s, len);
	post_value(w);
}

/* see cpj_json.h */
void
cpj_json_put_str(cpj_json_writer *w, const char *s)
{
	if (s == NULL) {
		fail(w, CPJ_ERR_PARAM);
		return;
	}
	cpj_json_put_strn(w, s, strlen(s));
}

/* see cpj_json.h */
void
cpj_json_put_key_str(cpj_json_writer *w, const char *name, const char *s)
{
	cpj_json_put_key(w, name);
	cpj_json_put_str(w, s);
}

/* see cpj_json.h */
void
cpj_json_put_u64(cpj_json_writer *w, uint64_t v)
{
	if (pre_value(w) != 0)
		return;
	cpj_buf_put_u64(w->b, v);
	post_value(w);
}

/* see cpj_json.h */
void
cpj_json_put_i64(cpj_json_writer *w, int64_t v)
{
	if (pre_value(w) != 0)
		return;
	if (v < 0) {
		cpj_buf_putc(w->b, '-');
		cpj_buf_put_u64(w->b, (uint64_t)0 - (uint64_t)v);
	} else {
		cpj_buf_put_u64(w->b, (uint64_t)v);
	}
	post_value(w);
}

/* see cpj_json.h */
void
cpj_json_put_bool(cpj_json_writer *w, int v)
{
	if (pre_value(w) != 0)
		return;
	cpj_buf_puts(w->b, v ? "true" : "false");
	post_value(w);
}

/* see cpj_json.h */
void
cpj_json_put_null(cpj_json_writer *w)
{
	if (pre_value(w) != 0)
		return;
	cpj_buf_putlit(w->b, "null");
	post_value(w);
}

/* see cpj_json.h */
int
cpj_json_writer_finish(const cpj_json_writer *w)
{
	if (w->err != 0)
		return w->err;
	if (cpj_buf_ok(w->b) != 0)
		return CPJ_ERR_NOSPACE;
	if (w->depth != 0 || !w->done)
		return CPJ_ERR_STATE;
	return CPJ_OK;
}

/*
 * buf.c -- cpj_buf bounded appender.
 */
#include "inner.h"

/* see cpj_buf.h */
void
cpj_buf_init(cpj_buf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->over = (p == NULL || cap == 0);
	b->sink = NULL;
	if (!b->over)
		p[0] = '\0';
}

/* see buf_int.h */
void
cpj_buf_init_drain(cpj_buf *b, char *p, size_t cap, cpj_buf_sink *sink)
{
	cpj_buf_init(b, p, cap);
	b->sink = sink;
}

/* Hand n bytes to the sink; non-zero when it takes no more. */
static int
sink_take(cpj_buf_sink *s, const void *data, size_t n)
{
	/* the next byte wanted: never before pos, bytes are taken as they
	 * come */
	uint64_t at = s->from + s->got;

	if (s->pos + n > at) {
		size_t k = (size_t)(at - s->pos), m = n - k;

		if (m > s->want - s->got)
			m = s->want - s->got;
		memcpy(s->out + s->got, (const char *)data + k, m);
		s->got += m;
	}
	s->pos += n;
	return s->got == s->want;
}

/* A draining buffer's content to its sink: 0, or -1 when the buffer is
 * over. */
static int
drain_content(cpj_buf *b)
{
	if (!b->over && b->len > 0 && sink_take(b->sink, b->p, b->len) != 0)
		b->over = 1;
	b->len = 0;
	return b->over ? -1 : 0;
}

/* see buf_int.h */
int
cpj_buf_drain_end(cpj_buf *b)
{
	(void)drain_content(b);
	return cpj_buf_ok(b);
}

/* cpj_buf_room() of bytes that do not fit after the content: over, or
 * for a draining buffer the content to the sink and the bytes at its
 * start (NULL, not over, when they are more than the whole buffer). */
static CPJ_NOINLINE char *
room_drained(cpj_buf *b, size_t n)
{
	if (b->sink == NULL) {
		b->over = 1;
		return NULL;
	}
	if (drain_content(b) < 0 || n >= b->cap)
		return NULL;
	b->len = n;
	b->p[n] = '\0';
	return b->p;
}

/* see buf_int.h */
char *
cpj_buf_room(cpj_buf *b, size_t n)
{
	char *d;

	if (b->over)
		return NULL;
	if (n >= b->cap - b->len)
		return room_drained(b, n);
	d = b->p + b->len;
	b->len += n;
	d[n] = '\0';
	return d;
}

/* cpj_buf_put() of bytes that do not fit after the content: over, or
 * for a draining buffer through its sink. */
static CPJ_NOINLINE void
put_slow(cpj_buf *b, const void *data, size_t len)
{
	char *d = cpj_buf_room(b, len);

	if (d != NULL)
		memcpy(d, data, len);
	else if (!b->over && sink_take(b->sink, data, len) != 0)
		b->over = 1;    /* a draining buffer: more than it holds */
}

/* see cpj_buf.h */
void
cpj_buf_put(cpj_buf *b, const void *data, size_t len)
{
	char *d;

	if (b->over || len >= b->cap - b->len) {
		put_slow(b, data, len);
		return;
	}
	d = b->p + b->len;
	b->len += len;
	d[len] = '\0';
	memcpy(d, data, len);
}

/* see cpj_buf.h */
void
cpj_buf_puts(cpj_buf *b, const char *s)
{
	cpj_buf_put(b, s, strlen(s));
}

/* see cpj_buf.h */
void
cpj_buf_putc(cpj_buf *b, char c)
{
	cpj_buf_put(b, &c, 1);
}

/* see cpj_buf.h */
void
cpj_buf_put_u64(cpj_buf *b, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof tmp;

	do {
		tmp[--n] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	cpj_buf_put(b, tmp + n, sizeof tmp - n);
}

/* see cpj_buf.h */
void
cpj_buf_put_hex(cpj_buf *b, const void *data, size_t len)
{
	if (b->over)
		return;
	if (len > (b->cap - b->len - 1) / 2) {
		b->over = 1;
		return;
	}
	cpj_hex_lower(b->p + b->len, data, len);
	b->len += 2 * len;
}

/* see cpj_buf.h */
int
cpj_buf_ok(const cpj_buf *b)
{
	return b->over ? CPJ_ERR_NOSPACE : CPJ_OK;
}

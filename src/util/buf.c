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

/* The content to the sink, then `data` to the buffer, or straight to the
 * sink when it is as large as the buffer. */
static CPJ_NOINLINE void
drain_put(cpj_buf *b, const void *data, size_t len)
{
	if (b->len > 0 && sink_take(b->sink, b->p, b->len) != 0) {
		b->over = 1;
		return;
	}
	b->len = 0;
	if (len >= b->cap) {
		if (sink_take(b->sink, data, len) != 0)
			b->over = 1;
		return;
	}
	memcpy(b->p, data, len);
	b->len = len;
	b->p[len] = '\0';
}

/* see buf_int.h */
int
cpj_buf_drain_end(cpj_buf *b)
{
	if (!b->over && b->len > 0) {
		if (sink_take(b->sink, b->p, b->len) != 0)
			b->over = 1;
		b->len = 0;
	}
	return cpj_buf_ok(b);
}

/* see cpj_buf.h */
void
cpj_buf_put(cpj_buf *b, const void *data, size_t len)
{
	if (b->over)
		return;
	if (len >= b->cap - b->len) {
		if (b->sink != NULL)
			drain_put(b, data, len);
		else
			b->over = 1;
		return;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
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
	static const char hex[] = "0123456789abcdef";
	const unsigned char *d = data;
	size_t i;

	if (b->over)
		return;
	if (len > (b->cap - b->len - 1) / 2) {
		b->over = 1;
		return;
	}
	for (i = 0; i < len; i++) {
		b->p[b->len++] = hex[d[i] >> 4];
		b->p[b->len++] = hex[d[i] & 15];
	}
	b->p[b->len] = '\0';
}

/* see cpj_buf.h */
int
cpj_buf_ok(const cpj_buf *b)
{
	return b->over ? CPJ_ERR_NOSPACE : CPJ_OK;
}

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
	if (!b->over)
		p[0] = '\0';
}

/* see buf_int.h */
char *
cpj_buf_room(cpj_buf *b, size_t n)
{
	char *d;

	if (b->over)
		return NULL;
	if (n >= b->cap - b->len) {
		b->over = 1;
		return NULL;
	}
	d = b->p + b->len;
	b->len += n;
	d[n] = '\0';
	return d;
}

/* see cpj_buf.h */
void
cpj_buf_put(cpj_buf *b, const void *data, size_t len)
{
	char *d = cpj_buf_room(b, len);

	if (d != NULL)
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

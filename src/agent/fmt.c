/*
 * fmt.c -- printf-style formatting of integers and strings (see fmt.h):
 * one formatter writing to a sink, the sink being a caller's buffer
 * (fmt_snprintf) or a stdio stream through a small stack buffer
 * (fmt_fprintf).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

struct sink {
	char *buf;
	size_t cap;     /* bytes of buf usable for text */
	size_t pos;     /* bytes of buf used */
	size_t total;   /* bytes of the whole text */
	FILE *f;        /* NULL: a string; else buf is flushed to f */
	int err;
};

static void
flush(struct sink *s)
{
	if (s->pos > 0 && fwrite(s->buf, 1, s->pos, s->f) != s->pos)
		s->err = 1;
	s->pos = 0;
}

static void
put(struct sink *s, const char *p, size_t n)
{
	s->total += n;
	while (n > 0) {
		size_t room = s->cap - s->pos;

		if (room == 0) {
			if (s->f == NULL)
				return;
			flush(s);
			room = s->cap;
		}
		if (room > n)
			room = n;
		memcpy(s->buf + s->pos, p, room);
		s->pos += room;
		p += room;
		n -= room;
	}
}

static void
pad(struct sink *s, char c, size_t n)
{
	char b[16];

	memset(b, c, sizeof b);
	while (n > 0) {
		size_t k = n < sizeof b ? n : sizeof b;

		put(s, b, k);
		n -= k;
	}
}

enum { F_MINUS = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8 };

struct spec {
	unsigned flags;
	size_t width;
	int prec;       /* -1: none */
	char len;       /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 */
	char conv;
};

/* Text body[0..n) after prefix, padded to the width; zeros: the padding
 * goes between prefix and body as '0's (numbers). */
static void
field(struct sink *s, const struct spec *sp, const char *prefix,
    size_t nzero, const char *body, size_t n, int zeros)
{
	size_t np = strlen(prefix), len = np + nzero + n;
	size_t fill = sp->width > len ? sp->width - len : 0;

	if (!(sp->flags & F_MINUS) && !zeros)
		pad(s, ' ', fill);
	put(s, prefix, np);
	if (!(sp->flags & F_MINUS) && zeros)
		pad(s, '0', fill);
	pad(s, '0', nzero);
	put(s, body, n);
	if (sp->flags & F_MINUS)
		pad(s, ' ', fill);
}

/* The argument of a conversion of length `len`, read as its unsigned
 * type (the same bits as the signed one: C99 7.15.1.1); sgn: converted
 * to the signed type, then widened with its sign. */
static uintmax_t
arg(char len, int sgn, va_list *ap)
{
	uintmax_t v;

	switch (len) {
	case 'l': v = va_arg(*ap, unsigned long); break;
	case 'L': v = va_arg(*ap, unsigned long long); break;
	case 'z': v = va_arg(*ap, size_t); break;
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': v = (size_t)va_arg(*ap, ptrdiff_t); break; /* its width */
	default: v = va_arg(*ap, unsigned); break;
	}
	if (!sgn) {
		if (len == 'H')
			v = (unsigned char)v;
		else if (len == 'h')
			v = (unsigned short)v;
		return v;
	}
	switch (len) {
	case 'H': return (uintmax_t)(intmax_t)(signed char)v;
	case 'h': return (uintmax_t)(intmax_t)(short)v;
	case 'l': return (uintmax_t)(intmax_t)(long)v;
	case 'L': return (uintmax_t)(intmax_t)(long long)v;
	case 'z': case 't': return (uintmax_t)(intmax_t)(ptrdiff_t)v;
	default: return (uintmax_t)(intmax_t)(int)v;
	}
}

static void
integer(struct sink *s, const struct spec *sp, va_list *ap)
{
	char dig[3 * sizeof(uintmax_t) + 1], *d = dig + sizeof dig;
	const char *prefix = "";
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF"
	    : "0123456789abcdef";
	unsigned base = 10;
	uintmax_t v;
	size_t n, nzero = 0;

	if (sp->conv == 'd' || sp->conv == 'i') {
		intmax_t x = (intmax_t)arg(sp->len, 1, ap);

		v = x < 0 ? (uintmax_t)0 - (uintmax_t)x : (uintmax_t)x;
		prefix = x < 0 ? "-" : (sp->flags & F_PLUS) ? "+"
		    : (sp->flags & F_SPACE) ? " " : "";
	} else if (sp->conv == 'p') {
		v = (uintmax_t)(uintptr_t)va_arg(*ap, void *);
		prefix = "0x";
		base = 16;
	} else {
		v = arg(sp->len, 0, ap);
		base = sp->conv == 'o' ? 8 : sp->conv == 'u' ? 10 : 16;
	}
	while (v != 0) {
		*--d = digits[v % base];
		v /= base;
	}
	if (d == dig + sizeof dig && sp->prec != 0)
		*--d = '0';
	n = (size_t)(dig + sizeof dig - d);
	if (sp->prec > 0 && (size_t)sp->prec > n)
		nzero = (size_t)sp->prec - n;
	field(s, sp, prefix, nzero, d, n,
	    (sp->flags & F_ZERO) && sp->prec < 0);
}

static const char *
parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->len = 0;
	for (;; p++) {
		if (*p == '-') sp->flags |= F_MINUS;
		else if (*p == '0') sp->flags |= F_ZERO;
		else if (*p == '+') sp->flags |= F_PLUS;
		else if (*p == ' ') sp->flags |= F_SPACE;
		else break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);

		if (w < 0) {
			sp->flags |= F_MINUS;
			w = -w;
		}
		sp->width = (size_t)w;
		p++;
	} else {
		for (; *p >= '0' && *p <= '9'; p++)
			sp->width = sp->width * 10 + (size_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		sp->prec = 0;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			p++;
		} else {
			for (; *p >= '0' && *p <= '9'; p++)
				sp->prec = sp->prec * 10 + (*p - '0');
		}
	}
	if ((p[0] == 'h' || p[0] == 'l') && p[1] == p[0]) {
		sp->len = p[0] == 'h' ? 'H' : 'L';
		p += 2;
	} else if (*p == 'h' || *p == 'l' || *p == 'z' || *p == 'j'
	    || *p == 't') {
		sp->len = *p++;
	}
	sp->conv = *p;
	return p;
}

static void
format(struct sink *s, const char *fmt, va_list ap0)
{
	va_list ap;
	const char *p = fmt, *start;
	struct spec sp;

	va_copy(ap, ap0);
	while (*p != '\0') {
		const char *q = strchr(p, '%');
		const char *str;
		size_t n;
		char c;

		if (q == NULL)
			q = p + strlen(p);
		put(s, p, (size_t)(q - p));
		if (*q == '\0')
			break;
		start = q;
		p = parse_spec(q + 1, &sp, &ap);
		switch (sp.conv) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
		case 'p':
			integer(s, &sp, &ap);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			for (n = 0; (sp.prec < 0 || n < (size_t)sp.prec)
			    && str[n] != '\0'; n++)
				;
			field(s, &sp, "", 0, str, n, 0);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			field(s, &sp, "", 0, &c, 1, 0);
			break;
		case '%':
			put(s, "%", 1);
			break;
		default:        /* unknown, or the format's end */
			if (sp.conv == '\0') {
				put(s, start, (size_t)(p - start));
				va_end(ap);
				return;
			}
			put(s, start, (size_t)(p + 1 - start));
			break;
		}
		p++;
	}
	va_end(ap);
}

/* see fmt.h */
int
fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sink s;

	memset(&s, 0, sizeof s);
	s.buf = buf;
	s.cap = cap > 0 ? cap - 1 : 0;
	format(&s, fmt, ap);
	if (cap > 0)
		buf[s.pos] = '\0';
	return s.total > INT32_MAX ? -1 : (int)s.total;
}

/* see fmt.h */
int
fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

/* see fmt.h */
int
fmt_vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char b[256];
	struct sink s;

	memset(&s, 0, sizeof s);
	s.buf = b;
	s.cap = sizeof b;
	s.f = f;
	format(&s, fmt, ap);
	flush(&s);
	return s.err || s.total > INT32_MAX ? -1 : (int)s.total;
}

/* see fmt.h */
int
fmt_fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

/* see fmt.h */
int
fmt_eprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

/* see fmt.h */
int
fmt_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

/* see fmt.h */
const char *
fmt_nth(const char *s, int i)
{
	while (i-- > 0)
		s += strlen(s) + 1;
	return s;
}

/* see fmt.h */
int
fmt_pick(const char *v, const char *list)
{
	int i;

	for (i = 0; *list != '\0'; i++, list = fmt_nth(list, 1))
		if (strcmp(v, list) == 0)
			return i;
	return -1;
}

/* see fmt.h */
size_t
fmt_span(const char *s, const char *set, int in)
{
	size_t n = 0;

	while (s[n] != '\0' && (strchr(set, s[n]) != NULL) == in)
		n++;
	return n;
}

/* see fmt.h */
size_t
fmt_codepoints(const char *s, size_t n)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		c += ((unsigned char)s[k] & 0xc0) != 0x80;
	return c;
}

/* see fmt.h */
size_t
fmt_utf8_seq(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if (p[k] < lo || p[k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* see fmt.h */
int
fmt_utf8_valid(const char *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		k = fmt_utf8_seq(p + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

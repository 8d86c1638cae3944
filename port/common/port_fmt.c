/*
 * The ports' log formatter: what cpj_port_log() needs to turn the
 * library's messages into text, so that no port links printf. Shared by
 * every port in this tree (a port elsewhere may use vsnprintf instead).
 */
#include <stddef.h>

#include "cpj_config.h"
#include "port_fmt.h"

#if CPJ_CONFIG_LOG_LEVEL > 0

/* The log's own formatter, so that the port links no printf: %s, %.*s,
 * %c, %% and d u x X with a '0' flag, a width and the l, ll or z length
 * (what the library's messages use). Returns the length of the whole
 * text; at most cap - 1 bytes and a NUL are written. */
int
cpj_port_fmt(char *out, size_t cap, const char *f, va_list ap)
{
	size_t o = 0;

	for (; *f != '\0'; f++) {
		char dig[24], *d = dig + sizeof dig - 1, pad = ' ', len = 0;
		const char *s;
		unsigned long long v;
		unsigned base;
		size_t w = 0, prec = (size_t)-1, n;

		*d = '\0';
		if (*f != '%' || f[1] == '\0') {
			s = f;
			prec = 1;
			goto emit;
		}
		if (*++f == '0')
			pad = *f++;
		for (; *f >= '0' && *f <= '9'; f++)
			w = w * 10 + (size_t)(*f - '0');
		if (f[0] == '.' && f[1] == '*') {
			int p = va_arg(ap, int);

			prec = p < 0 ? (size_t)-1 : (size_t)p;
			f += 2;
		}
		for (; *f == 'l' || *f == 'z'; f++)
			len = len == 'l' ? 'L' : *f;
		if (*f == '\0')
			break;
		base = *f == 'x' || *f == 'X' ? 16 : 10;
		if (*f == 's') {
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			goto emit;
		} else if (*f == 'd') {
			long long x = len == 'L' ? va_arg(ap, long long)
			    : len == 'l' ? va_arg(ap, long) : len == 'z'
			    ? (long long)va_arg(ap, ptrdiff_t) : va_arg(ap, int);

			v = x < 0 ? 0 - (unsigned long long)x : (unsigned long long)x;
			do
				*--d = (char)('0' + v % 10);
			while ((v /= 10) != 0);
			if (x < 0 && pad == '0' && w > 0) {
				if (o + 1 < cap)
					out[o] = '-';
				o++;
				w--;
			} else if (x < 0) {
				*--d = '-';
			}
		} else if (*f == 'u' || base == 16) {
			v = len == 'L' ? va_arg(ap, unsigned long long) : len == 'l'
			    ? va_arg(ap, unsigned long) : len == 'z'
			    ? va_arg(ap, size_t) : va_arg(ap, unsigned);
			do
				*--d = (*f == 'X' ? "0123456789ABCDEF"
				    : "0123456789abcdef")[v % base];
			while ((v /= base) != 0);
		} else {                /* %c, %% and anything unknown */
			*--d = *f == 'c' ? (char)va_arg(ap, int) : *f;
		}
		s = d;
emit:
		for (n = 0; n < prec && s[n] != '\0'; n++)
			;
		for (; w > n; w--, o++)
			if (o + 1 < cap)
				out[o] = pad;
		for (; n > 0; n--, s++, o++)
			if (o + 1 < cap)
				out[o] = *s;
	}
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return (int)o;
}
#else
/* no log text in the library: nothing to format */
typedef int cpj_port_fmt_none;
#endif /* CPJ_CONFIG_LOG_LEVEL > 0 */

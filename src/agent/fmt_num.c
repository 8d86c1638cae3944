/*
 * fmt_num.c -- doubles to text and back without the C library's
 * floating-point printf and strtod (see fmt.h), exactly, on fixed-size
 * big integers: no floating-point arithmetic at all.
 *
 * To text: the free-format algorithm of Steele & White as refined by
 * Burger & Dybvig: the shortest digits that read back to the same double,
 * the nearest of them when several are as short (ties to an even digit),
 * which is what Python's repr() prints. From text: the decimal value
 * D * 10^e divided out exactly to 64 bits and a sticky bit, then rounded
 * once to nearest, ties to even. At most 800 significant digits are
 * kept, and a digit 1 after them stands for any non-zero rest: a value
 * and a tie between two doubles differ within the first 768 digits.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fmt.h"

/* 2^3000 > 10^(800 + 324 + 1) * 2^64 * 5, the largest quotient setup */
#define BN_WORDS 96
#define DIGITS_MAX 800

typedef struct {
	uint32_t w[BN_WORDS];
	int n;                  /* words in use; w[n - 1] != 0 unless n == 0 */
} bn;

static void
bn_set(bn *a, uint64_t v)
{
	a->w[0] = (uint32_t)v;
	a->w[1] = (uint32_t)(v >> 32);
	a->n = a->w[1] != 0 ? 2 : a->w[0] != 0 ? 1 : 0;
}

/* a = a * m + add */
static void
bn_muladd(bn *a, uint32_t m, uint32_t add)
{
	uint64_t c = add;
	int i;

	for (i = 0; i < a->n; i++) {
		c += (uint64_t)a->w[i] * m;
		a->w[i] = (uint32_t)c;
		c >>= 32;
	}
	if (c != 0 && a->n < BN_WORDS)
		a->w[a->n++] = (uint32_t)c;
}

static void
bn_mul_pow5(bn *a, int k)
{
	for (; k >= 13; k -= 13)
		bn_muladd(a, 1220703125u, 0);   /* 5^13 */
	if (k > 0) {
		uint32_t m = 1;

		while (k-- > 0)
			m *= 5;
		bn_muladd(a, m, 0);
	}
}

static void
bn_shl(bn *a, int k)
{
	int words = k / 32, bits = k % 32, i;

	if (a->n == 0)
		return;
	if (a->n + words + 1 > BN_WORDS)  /* cannot happen with the limits */
		words = BN_WORDS - 1 - a->n;
	a->w[a->n + words] = 0;
	for (i = a->n - 1; i >= 0; i--) {
		if (bits != 0)
			a->w[i + words + 1] |= a->w[i] >> (32 - bits);
		a->w[i + words] = a->w[i] << bits;
	}
	for (i = 0; i < words; i++)
		a->w[i] = 0;
	a->n += words + 1;
	while (a->n > 0 && a->w[a->n - 1] == 0)
		a->n--;
}

/* a >>= k; returns 1 if bits shifted out were not all zero */
static int
bn_shr(bn *a, int k)
{
	int words = k / 32, bits = k % 32, i, lost = 0;

	for (i = 0; i < words && i < a->n; i++)
		lost |= a->w[i] != 0;
	if (bits != 0 && words < a->n)
		lost |= (a->w[words] & ((UINT32_C(1) << bits) - 1)) != 0;
	for (i = 0; i + words < a->n; i++)
		a->w[i] = (a->w[i + words] >> bits) | (bits != 0
		    && i + words + 1 < a->n ? a->w[i + words + 1] << (32 - bits) : 0);
	a->n = a->n > words ? a->n - words : 0;
	while (a->n > 0 && a->w[a->n - 1] == 0)
		a->n--;
	return lost;
}

static int
bn_cmp(const bn *a, const bn *b)
{
	int i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* a -= b, a >= b */
static void
bn_sub(bn *a, const bn *b)
{
	int64_t c = 0;
	int i;

	for (i = 0; i < a->n; i++) {
		c += (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0);
		a->w[i] = (uint32_t)c;
		c = c < 0 ? -1 : 0;
	}
	while (a->n > 0 && a->w[a->n - 1] == 0)
		a->n--;
}

/* sign of a + b - c */
static int
bn_addcmp(const bn *a, const bn *b, const bn *c)
{
	bn t = *a;
	uint64_t k = 0;
	int i, n = a->n > b->n ? a->n : b->n;

	for (i = 0; i < n; i++) {
		k += (uint64_t)(i < a->n ? a->w[i] : 0)
		    + (i < b->n ? b->w[i] : 0);
		t.w[i] = (uint32_t)k;
		k >>= 32;
	}
	t.n = n;
	if (k != 0)
		t.w[t.n++] = (uint32_t)k;
	return bn_cmp(&t, c);
}

static int
bn_bits(const bn *a)
{
	uint32_t top;
	int b;

	if (a->n == 0)
		return 0;
	top = a->w[a->n - 1];
	for (b = 0; top != 0; b++)
		top >>= 1;
	return (a->n - 1) * 32 + b;
}

/* ---- double to text ------------------------------------------------ */

/* The shortest digits of f * 2^e (f > 0); returns their count, *k the
 * decimal exponent: value = 0.d1d2... * 10^k. */
static int
shortest(uint64_t f, int e, int lower_closer, char *dig, int *k)
{
	bn r, s, mp, mm;
	int even = (f & 1) == 0, n = 0, est, shift, b, lo, hi;
	uint64_t t;

	/* r / s = value, mp / s and mm / s the half-gaps to the neighbours */
	shift = lower_closer ? 2 : 1;
	bn_set(&r, f);
	bn_shl(&r, shift + (e > 0 ? e : 0));
	bn_set(&s, 1);
	bn_shl(&s, shift + (e < 0 ? -e : 0));
	bn_set(&mp, 1);
	bn_shl(&mp, (e > 0 ? e : 0) + (lower_closer ? 1 : 0));
	bn_set(&mm, 1);
	bn_shl(&mm, e > 0 ? e : 0);
	/* est <= log10(value) from the bit length, then raised to k */
	for (b = 0, t = f; t != 0; t >>= 1)
		b++;
	est = e + b - 1;
	est = est >= 0 ? est * 78913 / 262144 : -((-est * 78913 + 262143) / 262144);
	if (est >= 0) {
		bn_mul_pow5(&s, est);
		bn_shl(&s, est);
	} else {
		bn_mul_pow5(&r, -est);
		bn_shl(&r, -est);
		bn_mul_pow5(&mp, -est);
		bn_shl(&mp, -est);
		bn_mul_pow5(&mm, -est);
		bn_shl(&mm, -est);
	}
	/* now value / 10^est = r / s: make it < 1 (with the high gap) */
	while (bn_addcmp(&r, &mp, &s) >= (even ? 0 : 1)) {
		bn_muladd(&s, 10, 0);
		est++;
	}
	*k = est;
	for (;;) {
		int d = 0, c;

		bn_muladd(&r, 10, 0);
		bn_muladd(&mp, 10, 0);
		bn_muladd(&mm, 10, 0);
		while (bn_cmp(&r, &s) >= 0) {
			bn_sub(&r, &s);
			d++;
		}
		c = bn_cmp(&r, &mm);
		lo = even ? c <= 0 : c < 0;
		c = bn_addcmp(&r, &mp, &s);
		hi = even ? c >= 0 : c > 0;
		if (lo || hi || n == 17) {
			if (hi && (!lo || (c = bn_addcmp(&r, &r, &s)) > 0
			    || (c == 0 && (d & 1))))
				d++;
			dig[n++] = (char)('0' + d);
			return n;
		}
		dig[n++] = (char)('0' + d);
	}
}

static void
putc_(char *out, size_t cap, size_t *o, char c)
{
	if (*o + 1 < cap)
		out[*o] = c;
	(*o)++;
}

/* see fmt.h */
int
fmt_pyfloat(double d, char *out, size_t cap)
{
	uint64_t bits, frac;
	int bexp, n, k, i, x;
	char dig[20];
	const char *t = NULL;
	size_t o = 0;

	memcpy(&bits, &d, sizeof bits);
	frac = bits & ((UINT64_C(1) << 52) - 1);
	bexp = (int)(bits >> 52) & 0x7ff;
	if (bexp == 0x7ff)
		t = frac != 0 ? "NaN" : (bits >> 63) ? "-Infinity" : "Infinity";
	else if (bexp == 0 && frac == 0)
		t = (bits >> 63) ? "-0.0" : "0.0";
	if (t != NULL) {
		for (; *t != '\0'; t++)
			putc_(out, cap, &o, *t);
		goto done;
	}
	if (bits >> 63)
		putc_(out, cap, &o, '-');
	if (bexp == 0)
		n = shortest(frac, -1074, 0, dig, &k);
	else
		n = shortest(frac | (UINT64_C(1) << 52), bexp - 1075,
		    frac == 0 && bexp > 1, dig, &k);
	x = k - 1;      /* the exponent of d.ddd */
	if (x < -4 || x >= 16) {
		putc_(out, cap, &o, dig[0]);
		if (n > 1)
			putc_(out, cap, &o, '.');
		for (i = 1; i < n; i++)
			putc_(out, cap, &o, dig[i]);
		putc_(out, cap, &o, 'e');
		putc_(out, cap, &o, x < 0 ? '-' : '+');
		if (x < 0)
			x = -x;
		if (x >= 100)
			putc_(out, cap, &o, (char)('0' + x / 100));
		putc_(out, cap, &o, (char)('0' + x / 10 % 10));
		putc_(out, cap, &o, (char)('0' + x % 10));
	} else if (k <= 0) {
		putc_(out, cap, &o, '0');
		putc_(out, cap, &o, '.');
		for (i = k; i < 0; i++)
			putc_(out, cap, &o, '0');
		for (i = 0; i < n; i++)
			putc_(out, cap, &o, dig[i]);
	} else {
		for (i = 0; i < k; i++)
			putc_(out, cap, &o, i < n ? dig[i] : '0');
		putc_(out, cap, &o, '.');
		if (n <= k)
			putc_(out, cap, &o, '0');
		for (i = k; i < n; i++)
			putc_(out, cap, &o, dig[i]);
	}
done:
	if (cap > 0)
		out[o < cap ? o : cap - 1] = '\0';
	return (int)o;
}

/* ---- text to double ------------------------------------------------ */

/* q * 2^e2 (q != 0), plus a sticky bit for a non-zero rest, rounded to
 * the nearest double, ties to even. */
static double
make_double(uint64_t q, int e2, int sticky, int neg)
{
	uint64_t m, rem, half, bits;
	int E, shift;
	double d;

	while (!(q >> 63)) {
		q <<= 1;
		e2--;
	}
	E = e2 + 63;            /* value = (q / 2^63) * 2^E */
	shift = 11 + (E < -1022 ? -1022 - E : 0);
	if (E > 1023) {
		bits = UINT64_C(0x7ff) << 52;
	} else if (shift > 64) {
		bits = 0;
	} else {
		if (shift == 64) {
			m = 0;
			rem = q;
		} else {
			m = q >> shift;
			rem = q & ((UINT64_C(1) << shift) - 1);
		}
		half = UINT64_C(1) << (shift - 1);
		if (rem > half || (rem == half && (sticky || (m & 1))))
			m++;
		if (E < -1022)
			bits = m;
		else
			bits = ((uint64_t)(E + 1022) << 52) + m;
		if (bits >= UINT64_C(0x7ff) << 52)
			bits = UINT64_C(0x7ff) << 52;
	}
	if (bits == 0 || bits == UINT64_C(0x7ff) << 52)
		errno = ERANGE;
	bits |= (uint64_t)neg << 63;
	memcpy(&d, &bits, sizeof d);
	return d;
}

/* D / 5^k as 64 bits of quotient q * 2^-sh and a sticky bit */
static uint64_t
divide(bn *D, int k, int *e2, int *sticky)
{
	bn M, T;
	uint64_t q = 0;
	int sh, i;

	bn_set(&M, 1);
	bn_mul_pow5(&M, k);
	sh = bn_bits(&M) - bn_bits(D) + 63;
	if (sh >= 0)
		bn_shl(D, sh);
	else
		bn_shl(&M, -sh);
	T = M;
	bn_shl(&T, 63);
	for (i = 63; i >= 0; i--) {
		if (bn_cmp(D, &T) >= 0) {
			bn_sub(D, &T);
			q |= UINT64_C(1) << i;
		}
		(void)bn_shr(&T, 1);
	}
	*sticky = D->n != 0;
	*e2 = -sh;
	return q;
}

/* see fmt.h */
double
fmt_strtod(const char *s, char **end)
{
	const char *p = s;
	bn D;
	int neg = 0, nd = 0, dexp = 0, rest = 0, seen = 0, point = 0;
	int e2, sticky = 0;
	uint64_t q;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	bn_set(&D, 0);
	for (;; p++) {
		if (*p == '.' && !point) {
			point = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		seen = 1;
		dexp -= point;
		if (nd == 0 && *p == '0')
			continue;
		if (nd < DIGITS_MAX) {
			bn_muladd(&D, 10, (uint32_t)(*p - '0'));
			nd++;
		} else {
			dexp++;
			rest |= *p != '0';
		}
	}
	if (!seen) {
		if (end != NULL)
			*end = (char *)(uintptr_t)s;
		return 0.0;
	}
	if (*p == 'e' || *p == 'E') {
		const char *x = p + 1;
		int eneg = 0, ev = 0;

		if (*x == '-' || *x == '+')
			eneg = *x++ == '-';
		if (*x >= '0' && *x <= '9') {
			for (; *x >= '0' && *x <= '9'; x++)
				if (ev < 100000)
					ev = ev * 10 + (*x - '0');
			dexp += eneg ? -ev : ev;
			p = x;
		}
	}
	if (end != NULL)
		*end = (char *)(uintptr_t)p;
	if (rest) {
		bn_muladd(&D, 10, 1);
		nd++;
		dexp--;
	}
	if (D.n == 0)
		return neg ? -0.0 : 0.0;
	if (nd + dexp > 310)
		return make_double(1, 2000, 0, neg);
	if (nd + dexp < -324)
		return make_double(1, -2000, 0, neg);
	if (dexp >= 0) {
		int b;

		bn_mul_pow5(&D, dexp);
		b = bn_bits(&D);
		e2 = dexp;
		if (b > 64) {
			sticky = bn_shr(&D, b - 64);
			e2 += b - 64;
		}
		q = (uint64_t)D.w[0] | (D.n > 1 ? (uint64_t)D.w[1] << 32 : 0);
	} else {
		q = divide(&D, -dexp, &e2, &sticky);
		e2 += dexp;
	}
	return make_double(q, e2, sticky, neg);
}

/*
 * str.c -- small string helpers shared by the library (see inner.h).
 */
#include "inner.h"
#include "util/word_int.h"

int
cpj_strieq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];

		/* equal bytes (b's NUL only where a ends), or one letter in
		 * both cases: they differ in bit 5 alone */
		if (x == y) {
			if (y == 0)
				return 0;
		} else if ((x ^ y) != 0x20 || (x | 0x20) < 'a'
		    || (x | 0x20) > 'z') {
			return 0;
		}
	}
	return b[alen] == '\0';
}

int
cpj_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The lower-case hex digits of the bytes in x, one byte per 16-bit lane
 * (its low half): each lane becomes its two digits, the high nibble's in
 * the lane's low byte. A nibble n is n + '0', plus 'a' - '0' - 10 when
 * n >= 10, which n + 6 tells by its bit 4; no byte carries into the next.
 */
static cpj_word
hex_lanes(cpj_word x)
{
	cpj_word lane = (cpj_word)-1 / 0xffff;  /* 1 in every 16-bit lane */
	cpj_word n = (x >> 4 & lane * 0x0f) | (x & lane * 0x0f) << 8;

	return n + CPJ_WORD_ONES * '0'
	    + ((n + CPJ_WORD_ONES * 6) >> 4 & CPJ_WORD_ONES) * ('a' - '0' - 10);
}

void
cpj_hex_lower(char *out, const void *data, size_t len)
{
	const unsigned char *d = data;
	unsigned char *o = (unsigned char *)out;
	size_t i = 0;
	cpj_word h;

	/* half a word of input makes a word of digits */
	for (; len - i >= CPJ_WORD_BYTES / 2; i += CPJ_WORD_BYTES / 2) {
		h = (cpj_word)d[i] | (cpj_word)d[i + 1] << 16;
#if SIZE_MAX > 0xffffffffu
		h |= (cpj_word)d[i + 2] << 32 | (cpj_word)d[i + 3] << 48;
#endif
		cpj_word_store(o + 2 * i, hex_lanes(h));
	}
	for (; i < len; i++) {
		h = hex_lanes(d[i]);
		o[2 * i] = (unsigned char)h;
		o[2 * i + 1] = (unsigned char)(h >> 8);
	}
	o[2 * len] = '\0';
}

int
cpj_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return CPJ_ERR_PARAM;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return CPJ_ERR_PARAM;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return CPJ_ERR_PARAM;
		v = v * 10 + d;
	}
	*out = v;
	return CPJ_OK;
}

size_t
cpj_strnlen(const char *s, size_t max)
{
	/*
	 * memchr stops at the first match, reading nothing after it (C11
	 * 7.24.5.1 says so; C99's libraries already did), so a string
	 * shorter than max is fine. SIZE_MAX bytes cannot all be non-NUL.
	 */
	const char *e = memchr(s, '\0', max < SIZE_MAX ? max + 1 : max);

	return e != NULL ? (size_t)(e - s) : max + 1;
}

/*
 * memset at its own speed, then a barrier that tells the compiler the
 * zeroes are read: it cannot drop them as dead stores. Without GCC's asm,
 * memset through a volatile pointer, which the compiler cannot see into.
 */
#if !defined(__GNUC__)
static void *(*const volatile wipe_memset)(void *, int, size_t) = memset;
#endif

void
cpj_wipe(void *p, size_t len)
{
	if (p == NULL || len == 0)
		return;
#if defined(__GNUC__)
	memset(p, 0, len);
	__asm__ __volatile__("" : : "r"(p) : "memory");
#else
	wipe_memset(p, 0, len);
#endif
}

/* see inner.h (the days-from-civil algorithm of H. Hinnant) */
int64_t
cpj_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* see inner.h */
int
cpj_dns_label_ok(const char *s, size_t n, size_t min, size_t max)
{
	size_t i;

	if (n < min || n > max || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		    || c == '-'))
			return 0;
	}
	return 1;
}

/* see inner.h */
unsigned
cpj_month_days(unsigned y, unsigned m)
{
	static const unsigned char md[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return md[m - 1];
}

/* see inner.h */
unsigned
cpj_dec(const char *s, int n)
{
	unsigned v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return UINT_MAX;
		v = v * 10 + (unsigned)(*s - '0');
	}
	return v;
}

/* see inner.h (the civil-from-days algorithm of H. Hinnant) */
int64_t
cpj_civil_from_days(int64_t days, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	return (int64_t)yoe + era * 400 + (*m <= 2);
}

/*
 * test_fmt.c -- the agent's formatters (src/agent/fmt*.c, compiled in
 * here): fmt_snprintf() against the C library's snprintf() on random
 * formats, arguments and buffer sizes; fmt_fprintf() against fprintf()
 * on a stream, interleaved with other stdio output; fmt_pyfloat(),
 * fmt_strtod() and the UTC time conversions against Python; the strict
 * UTF-8 reader (fmt_utf8_seq(), fmt_utf8_valid()) on its boundaries
 * (tests/tools/fmt_cases.py, with a seed chosen at run time and printed;
 * CPJ_FMT_SEED and CPJ_FMT_COUNT override it and the number of cases).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "agent/fmt.c"
#include "agent/fmt_num.c"
#include "agent/fmt_time.c"

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* One random conversion spec into f (without the '%'); *type: 0 int,
 * 1 long, 2 long long, 3 size_t, 4 string, 5 char, 6 intmax_t, 7 ptrdiff_t;
 * *stars: 1 width, 2 precision. */
static void
rand_spec(char *f, int *type, int *stars)
{
	static const char *const ints[] = { "d", "i", "u", "x", "X", "o" };
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z",
	    "j", "t" };
	static const int lentype[] = { 0, 0, 0, 1, 2, 3, 6, 7 };
	const char *conv;
	size_t n = 0;
	unsigned k, l = 0;

	*stars = 0;
	k = pick(10);
	if (k < 6) {
		conv = ints[pick(6)];
		l = pick(8);
		*type = lentype[l];
	} else if (k < 9) {
		conv = "s";
		*type = 4;
	} else {
		conv = "c";
		*type = 5;
	}
	if (pick(2))
		f[n++] = '-';
	if (*type < 4 || *type > 5) {
		if (pick(3) == 0)
			f[n++] = '0';
		if (pick(4) == 0)
			f[n++] = '+';
		if (pick(4) == 0)
			f[n++] = ' ';
	}
	k = pick(4);
	if (k == 1)
		n += (size_t)sprintf(f + n, "%u", pick(30));
	else if (k == 2) {
		f[n++] = '*';
		*stars |= 1;
	}
	if (*type != 5) {
		k = pick(4);
		if (k == 1)
			n += (size_t)sprintf(f + n, ".%u", pick(25));
		else if (k == 2) {
			strcpy(f + n, ".*");
			n += 2;
			*stars |= 2;
		}
	}
	if (*type < 4 || *type > 5)
		n += (size_t)sprintf(f + n, "%s", lens[l]);
	strcpy(f + n, conv);
}

static int
rand_star(void)
{
	return (int)pick(40) - 10;
}

/* the same call to both, by the type and the stars */
#define BOTH(w, p, v) do { \
	switch (stars) { \
	case 0: \
		n1 = snprintf(b1, cap, fmt, v); \
		n2 = fmt_snprintf(b2, cap, fmt, v); \
		break; \
	case 1: \
		n1 = snprintf(b1, cap, fmt, w, v); \
		n2 = fmt_snprintf(b2, cap, fmt, w, v); \
		break; \
	case 2: \
		n1 = snprintf(b1, cap, fmt, p, v); \
		n2 = fmt_snprintf(b2, cap, fmt, p, v); \
		break; \
	default: \
		n1 = snprintf(b1, cap, fmt, w, p, v); \
		n2 = fmt_snprintf(b2, cap, fmt, w, p, v); \
		break; \
	} \
} while (0)

static int64_t
rand_int(void)
{
	switch (pick(5)) {
	case 0: return (int64_t)pick(10);
	case 1: return (int64_t)pick(100000) - 50000;
	case 2: return (int64_t)rnd();
	case 3: return pick(2) ? INT64_MIN : INT64_MAX;
	default: return (int32_t)rnd();
	}
}

static int
snprintf_random(void)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string "
	    "of text", "x\ty\n", "\xc3\xa9t\xc3\xa9" };
	char spec[64], fmt[160], b1[200], b2[200];
	int i, type, stars, n1, n2, w, p;

	for (i = 0; i < 200000; i++) {
		size_t cap = pick(8) == 0 ? pick(6) : pick(4) == 0 ? pick(40)
		    : sizeof b1;
		int64_t v = rand_int();
		const char *s = strs[pick(6)];
		int c = (int)(' ' + pick(90));

		rand_spec(spec, &type, &stars);
		snprintf(fmt, sizeof fmt, "%s%%%s%s%s", pick(2) ? "ab " : "",
		    spec, pick(2) ? " z%%" : "", pick(3) == 0 ? "\n" : "");
		w = rand_star();
		p = rand_star();
		memset(b1, 'Q', sizeof b1);
		memset(b2, 'Q', sizeof b2);
		switch (type) {
		case 0: BOTH(w, p, (int)v); break;
		case 1: BOTH(w, p, (long)v); break;
		case 2: BOTH(w, p, (long long)v); break;
		case 3: BOTH(w, p, (size_t)v); break;
		case 4: BOTH(w, p, s); break;
		case 5: BOTH(w, p, c); break;
		case 6: BOTH(w, p, (intmax_t)v); break;
		default: BOTH(w, p, (ptrdiff_t)v); break;
		}
		if (n1 != n2 || memcmp(b1, b2, sizeof b1) != 0) {
			fprintf(stderr, "format \"%s\" cap %zu: libc %d \"%s\", "
			    "fmt %d \"%s\"\n", fmt, cap, n1,
			    cap > 0 ? b1 : "", n2, cap > 0 ? b2 : "");
			return __LINE__;
		}
	}
	return 0;
}

static int
snprintf_fixed(void)
{
	char b[64];
	const char *unknown = "a%qb%";
	const char *volatile null = NULL;

	CHECK_EQ(fmt_snprintf(NULL, 0, "%s=%d", "abc", 12345), 9);
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%.*s|%-*s|%%|%c", 3, "abcdef", 4,
	    "x", 'q'), 12);
	CHECK(strcmp(b, "abc|x   |%|q") == 0);
	CHECK_EQ(fmt_snprintf(b, 4, "%zu", (size_t)123456), 6);
	CHECK(strcmp(b, "123") == 0);
	CHECK_EQ(fmt_snprintf(b, sizeof b, "%02x%04x %llu %s", 0xa, 0xbeef,
	    18446744073709551615ull, null), 34);
	CHECK(strcmp(b, "0abeef 18446744073709551615 (null)") == 0);
	/* an unknown conversion is copied; a lone '%' at the end too */
	CHECK_EQ(fmt_snprintf(b, sizeof b, unknown, 0), 5);
	CHECK(strcmp(b, "a%qb%") == 0);
	return 0;
}

/* fmt_fprintf() on a stream, mixed with stdio writes, long lines too */
static int
fprintf_stream(void)
{
	char *m1 = NULL, *m2 = NULL, big[1000];
	size_t l1 = 0, l2 = 0;
	FILE *f1 = open_memstream(&m1, &l1), *f2 = open_memstream(&m2, &l2);
	int i, rc = 0;

	CHECK(f1 != NULL && f2 != NULL);
	memset(big, 'b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (i = 0; i < 50; i++) {
		fputs("head ", f1);
		fputs("head ", f2);
		CHECK_EQ(fprintf(f1, "%d: %s|%-300s|%5u\n", i, big, "x", i),
		    fmt_fprintf(f2, "%d: %s|%-300s|%5u\n", i, big, "x", i));
		fputc('.', f1);
		fputc('.', f2);
	}
	fclose(f1);
	fclose(f2);
	if (l1 != l2 || memcmp(m1, m2, l1) != 0)
		rc = __LINE__;
	free(m1);
	free(m2);
	return rc;
}

static uint64_t
dbits(double d)
{
	uint64_t b;

	memcpy(&b, &d, sizeof b);
	return b;
}

/* Python's answers: R (repr), P (parse) and T (time) lines */
static int
python_cases(void)
{
	static char line[16384];
	char cmd[1024], out[64];
	const char *top = getenv("CPJ_TOP"), *e;
	unsigned long seed = (unsigned long)time(NULL);
	long count = 100000, nr = 0, np = 0, nt = 0;
	FILE *p;
	int rc = 0;

	if ((e = getenv("CPJ_FMT_SEED")) != NULL)
		seed = strtoul(e, NULL, 10);
	if ((e = getenv("CPJ_FMT_COUNT")) != NULL)
		count = strtol(e, NULL, 10);
	printf("fmt: python cases with seed %lu, count %ld\n", seed, count);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/tools/fmt_cases.py "
	    "%lu %ld", top != NULL ? top : ".", seed, count);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	while (rc == 0 && fgets(line, sizeof line, p) != NULL) {
		char *a = line + 2, *b = strchr(a, ' ');
		size_t n = strlen(line);

		CHECK(n > 0 && line[n - 1] == '\n' && b != NULL);
		line[n - 1] = '\0';
		*b++ = '\0';
		if (line[0] == 'R') {
			uint64_t bits = strtoull(a, NULL, 16);
			double d, back;
			char *end;

			memcpy(&d, &bits, sizeof d);
			n = (size_t)fmt_pyfloat(d, out, sizeof out);
			if (strcmp(out, b) != 0 || n != strlen(b)) {
				fprintf(stderr, "repr %s: python %s, fmt %s\n", a,
				    b, out);
				rc = __LINE__;
			}
			back = fmt_strtod(out, &end);
			if (d == d && !(d - d != 0) && (dbits(back) != bits
			    || *end != '\0')) {
				fprintf(stderr, "round trip %s: %s\n", a, out);
				rc = __LINE__;
			}
			nr++;
		} else if (line[0] == 'P') {
			uint64_t want = strtoull(b, NULL, 16);
			char *end;
			double d = fmt_strtod(a, &end);

			if (dbits(d) != want || *end != '\0') {
				fprintf(stderr, "parse %s: python %s, fmt %016"
				    PRIx64 "\n", a, b, dbits(d));
				rc = __LINE__;
			}
			np++;
		} else if (line[0] == 'T') {
			int64_t t = strtoll(a, NULL, 10);
			struct fmt_tm tm;

			fmt_iso8601(t, out, sizeof out);
			fmt_gmtime(t, &tm);
			if (strcmp(out, b) != 0 || fmt_timegm(&tm) != t) {
				fprintf(stderr, "time %s: python %s, fmt %s\n", a,
				    b, out);
				rc = __LINE__;
			}
			nt++;
		}
	}
	CHECK(pclose(p) == 0 || rc != 0);
	printf("fmt: %ld repr, %ld parse, %ld time cases\n", nr, np, nt);
	if (rc == 0)
		CHECK(nr > count && np > count && nt > count / 10);
	return rc;
}

static int
strtod_edges(void)
{
	char *end;
	const char *s = "  -12.5e1x";

	CHECK(fmt_strtod(s, &end) == -125.0 && end == s + 9);
	CHECK(fmt_strtod("abc", &end) == 0.0 && *end == 'a');
	CHECK(fmt_strtod(".e5", &end) == 0.0 && *end == '.');
	CHECK(fmt_strtod("7e", &end) == 7.0 && *end == 'e');
	errno = 0;
	CHECK(fmt_strtod("1e999", NULL) > 1e308 && errno == ERANGE);
	errno = 0;
	CHECK(fmt_strtod("1e-999", NULL) == 0.0 && errno == ERANGE);
	return 0;
}

/* One strict UTF-8 sequence: every boundary of the ranges the lead byte
 * allows; a cut sequence and a NUL end it. fmt_utf8_valid() is the same
 * reading over a whole buffer. */
static int
utf8_seq(void)
{
	static const struct {
		const char *s;
		size_t n, want;
	} c[] = {
		{ "a", 1, 1 }, { "\x7f", 1, 1 }, { "\x80", 1, 0 },
		{ "\xc1\xbf", 2, 0 }, { "\xc2\x80", 2, 2 }, { "\xdf\xbf", 2, 2 },
		{ "\xc2\x7f", 2, 0 }, { "\xc2\xc0", 2, 0 }, { "\xc2\x80", 1, 0 },
		{ "\xe0\x9f\x80", 3, 0 }, { "\xe0\xa0\x80", 3, 3 },
		{ "\xed\x9f\xbf", 3, 3 }, { "\xed\xa0\x80", 3, 0 },
		{ "\xef\xbf\xbf", 3, 3 }, { "\xe2\x82", 3, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0 }, { "\xf0\x90\x80\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 }, { "\xf4\x90\x80\x80", 4, 0 },
		{ "\xf5\x80\x80\x80", 4, 0 }, { "\xff", 1, 0 },
		{ "\xe2\x82\xac", SIZE_MAX, 3 }, { "\xe2\x82", SIZE_MAX, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		CHECK(fmt_utf8_seq(c[i].s, c[i].n) == c[i].want);
		if (c[i].n != SIZE_MAX)
			CHECK(fmt_utf8_valid(c[i].s, c[i].n) == (c[i].want == c[i].n));
	}
	CHECK(fmt_utf8_valid("a\0\xc3\xa9\xf0\x9f\x98\x80", 8));
	CHECK(!fmt_utf8_valid("\xc3\xa9\xc3", 3));
	return 0;
}

int
main(void)
{
	rng_state = (uint64_t)time(NULL) * 2654435761u | 1;
	printf("fmt: snprintf seed %" PRIu64 "\n", rng_state);
	RUN(snprintf_fixed);
	RUN(snprintf_random);
	RUN(fprintf_stream);
	RUN(strtod_edges);
	RUN(utf8_seq);
	RUN(python_cases);
	return H_EXIT();
}

/*
 * harness.h -- the test harness (jsmn test.h style).
 *
 * A test is `static int name(void)` returning 0 on success; CHECK() returns
 * the failing line. RUN(name) prints "PASS name" or "FAIL name (line N)";
 * tests/run.sh counts those lines. h_report() is for table-driven cases.
 */
#ifndef CPJ_HARNESS_H
#define CPJ_HARNESS_H

#include <stdio.h>
#include <string.h>

static int h_passed, h_failed;

/* 1 if the bytes of `s` occur in p[0..n): e.g. a secret left in memory. */
static inline int
h_contains(const void *p, size_t n, const char *s)
{
	const unsigned char *b = p;
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++) {
		if (memcmp(b + i, s, k) == 0)
			return 1;
	}
	return 0;
}

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		return __LINE__; \
	} \
} while (0)

/* CHECK_EQ for ints, printing both values. */
#define CHECK_EQ(a, b) do { \
	long long h_a_ = (long long)(a), h_b_ = (long long)(b); \
	if (h_a_ != h_b_) { \
		fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", \
		    __FILE__, __LINE__, #a, #b, h_a_, h_b_); \
		return __LINE__; \
	} \
} while (0)

static void
h_report(const char *name, int rc)
{
	if (rc == 0) {
		printf("PASS %s\n", name);
		h_passed++;
	} else {
		printf("FAIL %s (line %d)\n", name, rc);
		h_failed++;
	}
	fflush(stdout);
}

#define RUN(fn) h_report(#fn, fn())
#define H_EXIT() (h_failed != 0 ? 1 : 0)

#endif

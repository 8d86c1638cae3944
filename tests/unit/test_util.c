/*
 * test_util.c -- cpj_buf, string helpers and cpj_strerror.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "inner.h"
#include "util/word_int.h"

static int
buf_exact_fit(void)
{
	char s[6];
	cpj_buf b;

	cpj_buf_init(&b, s, sizeof s);
	cpj_buf_puts(&b, "ab");
	cpj_buf_put_u64(&b, 123);
	CHECK_EQ(cpj_buf_ok(&b), 0);
	CHECK(strcmp(s, "ab123") == 0);
	cpj_buf_putc(&b, 'x');
	CHECK_EQ(cpj_buf_ok(&b), CPJ_ERR_NOSPACE);
	CHECK(strcmp(s, "ab123") == 0);
	/* sticky: a later small append does not clear the flag */
	cpj_buf_put(&b, "", 0);
	CHECK_EQ(cpj_buf_ok(&b), CPJ_ERR_NOSPACE);
	return 0;
}

static int
buf_hex(void)
{
	char s[9];
	cpj_buf b;
	static const unsigned char d[] = { 0x00, 0xab, 0x10, 0xff };

	cpj_buf_init(&b, s, sizeof s);
	cpj_buf_put_hex(&b, d, 4);
	CHECK_EQ(cpj_buf_ok(&b), 0);
	CHECK(strcmp(s, "00ab10ff") == 0);
	cpj_buf_init(&b, s, 8);
	cpj_buf_put_hex(&b, d, 4);
	CHECK_EQ(cpj_buf_ok(&b), CPJ_ERR_NOSPACE);
	cpj_buf_init(&b, s, 0);
	CHECK_EQ(cpj_buf_ok(&b), CPJ_ERR_NOSPACE);
	return 0;
}

/* cpj_word_lower: every ASCII byte at every place of a word, the other
 * places holding '@', 'A', 'Z' or '[' (the edges of A..Z). */
static int
word_lower_all(void)
{
	static const unsigned char edge[4] = { '@', 'A', 'Z', '[' };
	unsigned char w[CPJ_WORD_BYTES], got[CPJ_WORD_BYTES];
	unsigned c, e;
	size_t at, k;

	for (c = 0; c < 0x80; c++) {
		for (at = 0; at < CPJ_WORD_BYTES; at++) {
			for (e = 0; e < 4; e++) {
				for (k = 0; k < CPJ_WORD_BYTES; k++)
					w[k] = edge[(e + k) % 4];
				w[at] = (unsigned char)c;
				cpj_word_store(got,
				    cpj_word_lower(cpj_word_load(w)));
				for (k = 0; k < CPJ_WORD_BYTES; k++)
					CHECK_EQ(got[k], cpj_tolower(w[k]));
			}
		}
	}
	return 0;
}

/* cpj_strnlen: the length, or max + 1 with no NUL in s[0..max]; nothing
 * read past the NUL or past s[max] (the sanitizers watch the arrays). */
static int
strnlen_bounds(void)
{
	static const char three[3] = { 'a', 'b', 'c' };   /* no NUL */
	char abc[4] = "abc";

	CHECK_EQ(cpj_strnlen(abc, 3), 3);
	CHECK_EQ(cpj_strnlen(abc, 100), 3);
	CHECK_EQ(cpj_strnlen(abc, 2), 3);
	CHECK_EQ(cpj_strnlen(abc, 0), 1);
	CHECK_EQ(cpj_strnlen(three, 2), 3);
	CHECK_EQ(cpj_strnlen(three, 1), 2);
	CHECK_EQ(cpj_strnlen("", 0), 0);
	CHECK_EQ(cpj_strnlen("", SIZE_MAX), 0);
	CHECK_EQ(cpj_strnlen(abc, SIZE_MAX), 3);
	return 0;
}

/* cpj_buf_room: the room for n bytes and their NUL, or NULL and over. */
static int
buf_room(void)
{
	char s[6];
	cpj_buf b;
	char *d;

	cpj_buf_init(&b, s, sizeof s);
	cpj_buf_puts(&b, "ab");
	d = cpj_buf_room(&b, 3);
	CHECK(d == s + 2);
	CHECK_EQ(b.len, 5);
	CHECK_EQ(s[5], '\0');
	memcpy(d, "cde", 3);
	CHECK(strcmp(s, "abcde") == 0);
	CHECK(cpj_buf_room(&b, 0) == s + 5);    /* the NUL still fits */
	CHECK(cpj_buf_room(&b, 1) == NULL);
	CHECK_EQ(cpj_buf_ok(&b), CPJ_ERR_NOSPACE);
	CHECK(strcmp(s, "abcde") == 0);
	/* sticky */
	CHECK(cpj_buf_room(&b, 0) == NULL);
	return 0;
}

/* cpj_hex_lower: every byte value, at every length from 0 to 9 and every
 * offset (the word groups and the byte tail), against snprintf's %02x. */
static int
hex_lower_all(void)
{
	unsigned char d[256 + 9];
	char out[2 * 9 + 2], want[2 * 9 + 2];
	size_t i, n, k;

	for (i = 0; i < sizeof d; i++)
		d[i] = (unsigned char)(i * 7 + 3);      /* all 256 values */
	for (i = 0; i + 9 <= sizeof d; i++) {
		for (n = 0; n <= 9; n++) {
			memset(out, 'x', sizeof out);
			cpj_hex_lower(out, d + i, n);
			for (k = 0; k < n; k++)
				snprintf(want + 2 * k, 3, "%02x", d[i + k]);
			want[2 * n] = '\0';
			CHECK(memcmp(out, want, 2 * n + 1) == 0);
			CHECK(out[2 * n + 1] == 'x');
		}
	}
	return 0;
}

static int
buf_u64_limits(void)
{
	char s[32];
	cpj_buf b;

	cpj_buf_init(&b, s, sizeof s);
	cpj_buf_put_u64(&b, 0);
	cpj_buf_putc(&b, ' ');
	cpj_buf_put_u64(&b, UINT64_MAX);
	CHECK_EQ(cpj_buf_ok(&b), 0);
	CHECK(strcmp(s, "0 18446744073709551615") == 0);
	return 0;
}

static int
parse_u64(void)
{
	uint64_t v;

	CHECK_EQ(cpj_parse_u64("0", 1, 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(cpj_parse_u64("18446744073709551615", 20, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK(cpj_parse_u64("18446744073709551616", 20, UINT64_MAX, &v) < 0);
	CHECK(cpj_parse_u64("11", 2, 10, &v) < 0);
	CHECK(cpj_parse_u64("", 0, 10, &v) < 0);
	CHECK(cpj_parse_u64("-1", 2, 10, &v) < 0);
	CHECK(cpj_parse_u64("1 ", 2, 10, &v) < 0);
	return 0;
}

static int
strieq(void)
{
	unsigned c;

	CHECK(cpj_strieq("Content-Length", 14, "content-length"));
	CHECK(!cpj_strieq("Content-Length", 13, "content-length"));
	CHECK(!cpj_strieq("Content-Lengthx", 15, "content-length"));
	/* bytes that differ in bit 5 alone but are not letters */
	for (c = 0; c < 256; c++) {
		char a[3] = { 'k', (char)c, 0 }, b[3] = { 'K', (char)(c ^ 0x20), 0 };
		int letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';

		CHECK_EQ(cpj_strieq(a, 2, b), letter);
	}
	CHECK(!cpj_strieq("a\x00", 2, "a "));
	CHECK(!cpj_strieq("a ", 2, "a"));
	CHECK(!cpj_strieq("a\xc1", 2, "a\xe1"));
	CHECK(cpj_strieq("AzZa-0", 6, "aZzA-0"));
	CHECK(!cpj_strieq("ab", 2, "a"));
	CHECK(cpj_strieq("", 0, ""));
	CHECK_EQ(cpj_hexval('F'), 15);
	CHECK_EQ(cpj_hexval('g'), -1);
	return 0;
}

static int
strerror_all(void)
{
	int e;

	CHECK(strcmp(cpj_strerror(0), "success") == 0);
	CHECK(strcmp(cpj_strerror(-9999), "unknown error") == 0);
	CHECK(strcmp(cpj_strerror(1), "unknown error") == 0);
	/* any int is accepted */
	for (e = -1; e > -176; e--)
		CHECK(cpj_strerror(e)[0] != '\0');
	CHECK(strcmp(cpj_strerror(CPJ_ERR_HTTP_CHUNK), "unknown error") != 0);
	/* the packed table: first, last, and codes that alias a byte */
	CHECK(strcmp(cpj_strerror(CPJ_ERR_PARAM),
	    "invalid argument (API misuse)") == 0);
	CHECK(strcmp(cpj_strerror(CPJ_ERR_AGENT_STATE_FILE),
	    "state file unreadable or not writable") == 0);
	CHECK(strcmp(cpj_strerror(-256), "unknown error") == 0);
	CHECK(strcmp(cpj_strerror(-257), "unknown error") == 0);
	CHECK(strcmp(cpj_strerror(INT_MIN), "unknown error") == 0);
	CHECK(strcmp(cpj_strerror(INT_MAX), "unknown error") == 0);
	return 0;
}

static int
wipe(void)
{
	unsigned char k[16];

	memset(k, 0x5a, sizeof k);
	cpj_wipe(k, sizeof k);
	for (size_t i = 0; i < sizeof k; i++)
		CHECK_EQ(k[i], 0);
	return 0;
}

int
main(void)
{
	RUN(buf_exact_fit);
	RUN(buf_hex);
	RUN(hex_lower_all);
	RUN(buf_room);
	RUN(strnlen_bounds);
	RUN(word_lower_all);
	RUN(buf_u64_limits);
	RUN(parse_u64);
	RUN(strieq);
	RUN(strerror_all);
	RUN(wipe);
	return H_EXIT();
}

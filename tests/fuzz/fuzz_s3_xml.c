/*
 * fuzz_s3_xml.c -- the S3 XML error scanner (cpj_s3_xml_*), the error
 * mapping (cpj_s3_error_map) and the key and bucket checks.
 *
 * Input: byte 0 the status (from a table; bit 7: also treat the body as
 * an object key and a bucket name), byte 1 split seed, the rest the
 * body. The body is scanned twice, in one feed and in pieces (1 byte
 * each for seed 0), each piece at the end of a heap block; both scans
 * must keep the same fields. The kept fields are checked (terminated,
 * region of [a-z0-9-]) and mapped to an error code, which is never 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_s3_xml: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define PIECE_MAX 64

static const int statuses[] = {
	400, 403, 404, 409, 412, 416, 429, 500, 501, 503, 301, 307,
	200, 206, 304, 599
};

static void
check(const cpj_s3_xml *x, int status)
{
	const char *c;
	int e;

	if (memchr(x->code, 0, sizeof x->code) == NULL
	    || memchr(x->message, 0, sizeof x->message) == NULL
	    || memchr(x->region, 0, sizeof x->region) == NULL
	    || memchr(x->request_id, 0, sizeof x->request_id) == NULL)
		FAIL("field not terminated");
	for (c = x->region; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
		    || *c == '-'))
			FAIL("region kept with a bad byte");
	}
	for (c = x->message; *c != '\0'; c++) {
		/* control bytes (tab and newlines too) become spaces */
		if ((unsigned char)*c < 0x20)
			FAIL("control byte in the message");
	}
	if (cpj_s3_xml_found(x) && (!x->root || x->code[0] == '\0'))
		FAIL("found without a root or a code");
	e = cpj_s3_error_map(x->code, status);
	if (e >= 0)
		FAIL("error map returned no error");
}

static void
same(const cpj_s3_xml *a, const cpj_s3_xml *b)
{
	if (strcmp(a->code, b->code) != 0 || strcmp(a->message, b->message)
	    || strcmp(a->region, b->region)
	    || strcmp(a->request_id, b->request_id)
	    || a->message_cut != b->message_cut || a->root != b->root
	    || cpj_s3_xml_found(a) != cpj_s3_xml_found(b))
		FAIL("split changed the scan");
}

static void
names(const unsigned char *d, size_t len)
{
	char *s = malloc(len + 1), *out;
	size_t cap;
	int r;

	if (s == NULL)
		return;
	memcpy(s, d, len);
	s[len] = '\0';
	(void)cpj_s3_bucket_virtual_hostable(s);
	cap = 3 * strlen(s) + 1;
	out = malloc(cap);
	if (out != NULL) {
		r = cpj_s3_key_encode(s, out, cap);
		if (r >= 0 && ((size_t)r >= cap || strlen(out) != (size_t)r))
			FAIL("key encoding length");
		if (r > 0 && cpj_s3_key_encode(s, out, (size_t)r)
		    != CPJ_ERR_NOSPACE)
			FAIL("key encoding into a short buffer");
		free(out);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cpj_s3_xml whole, split;
	static unsigned char *block;
	const unsigned char *body;
	size_t len, off = 0;
	unsigned seed;
	uint32_t st;
	int status;

	if (size < 2)
		return 0;
	status = statuses[data[0] % CPJ_ARRAY_LEN(statuses)];
	seed = data[1];
	body = data + 2;
	len = size - 2;
	if (block == NULL && (block = malloc(PIECE_MAX)) == NULL)
		return 0;

	cpj_s3_xml_init(&whole);
	{
		unsigned char *copy = malloc(len ? len : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, body, len);
		cpj_s3_xml_feed(&whole, copy, len);
		free(copy);
	}
	check(&whole, status);

	cpj_s3_xml_init(&split);
	st = 0x6b43a9b5u ^ (seed * 0x01000193u) ^ (uint32_t)len;
	while (off < len) {
		size_t n = 1;

		if (seed != 0) {
			st ^= st << 13;
			st ^= st >> 17;
			st ^= st << 5;
			n = 1 + st % ((seed % (PIECE_MAX - 1)) + 1);
		}
		if (n > len - off)
			n = len - off;
		if ((st & 0x1f) == 5)
			cpj_s3_xml_feed(&split, block, 0);
		memcpy(block + PIECE_MAX - n, body + off, n);
		cpj_s3_xml_feed(&split, block + PIECE_MAX - n, n);
		off += n;
	}
	check(&split, status);
	same(&whole, &split);

	if (cpj_s3_error_map(NULL, status) >= 0
	    || cpj_s3_error_map("", status) >= 0)
		FAIL("error map without a code returned no error");
	if (data[0] & 0x80)
		names(body, len);
	return 0;
}

/*
 * fuzz_sigv4.c -- the SigV4 signer (cpj_sigv4_sign, cpj_sigv4_presign)
 * on requests made of the input: it must never crash; errors are fine.
 *
 * Input: byte 0 options, byte 1 time, then lines (LF-separated):
 *   method, path, query, amz_date (empty: the time from byte 1),
 *   payload hash, then "name:value" headers (at most 40).
 * Options: bits 0-3 the context flags (S3, NO_NORMALIZE,
 * SIGN_CONTENT_SHA256, OMIT_TOKEN), bits 4-5 the payload kind (the body
 * is the whole input), bit 6 also presign, bit 7 ask for copies of the
 * canonical request and string to sign (in buffers of 256 bytes, too
 * small for many). Every string is a heap block of its exact size.
 *
 * A successful call is repeated (the cached signing key) and must give
 * the same result; lengths and hex digits are checked; a failed call
 * must leave empty strings, as the header says.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_sigv4: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define LINES_MAX 45
#define COPY_MAX 256

static cpj_sigv4_context ctx;

static void
hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			FAIL("not lower-case hex");
	}
	if (s[64] != '\0')
		FAIL("hex not 64 digits");
}

struct out {
	cpj_sigv4_result res;
	char auth[1024];
	char creq[COPY_MAX], sts[COPY_MAX];
	int rc;
};

static void
call(const cpj_sigv4_request *req, struct out *o, int presign, int copies)
{
	memset(o, 0x5a, sizeof *o);
	memset(&o->res, 0, sizeof o->res);
	if (copies) {
		o->res.canonical_request = o->creq;
		o->res.canonical_request_size = sizeof o->creq;
		o->res.string_to_sign = o->sts;
		o->res.string_to_sign_size = sizeof o->sts;
	}
	if (presign)
		o->rc = cpj_sigv4_presign(&ctx, req, &o->res, o->auth,
		    sizeof o->auth);
	else
		o->rc = cpj_sigv4_sign(&ctx, req, &o->res, o->auth,
		    sizeof o->auth);
	if (o->rc > 0) {
		if (strlen(o->auth) != (size_t)o->rc)
			FAIL("result length");
		hex64(o->res.signature);
		if (strlen(o->res.amz_date) != 16)
			FAIL("amz_date length");
		if (copies && (memchr(o->creq, 0, sizeof o->creq) == NULL
		    || memchr(o->sts, 0, sizeof o->sts) == NULL))
			FAIL("copy not terminated");
	} else if (o->rc == 0) {
		FAIL("result 0");
	} else {
		if (o->auth[0] != '\0' || o->res.signature[0] != '\0')
			FAIL("failed call left a value");
		if (copies && (o->creq[0] != '\0' || o->sts[0] != '\0'))
			FAIL("failed call left a copy");
	}
}

static void
same(const struct out *a, const struct out *b)
{
	if (a->rc != b->rc)
		FAIL("second signature differs");
	if (a->rc > 0 && (strcmp(a->auth, b->auth) != 0
	    || strcmp(a->res.signature, b->res.signature) != 0))
		FAIL("second signature differs");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out o1, o2;
	char *line[LINES_MAX];
	cpj_sigv4_header hdr[LINES_MAX];
	cpj_sigv4_request req;
	size_t nlines = 0, nh = 0, off = 2, i;
	unsigned opt;
	char date[CPJ_SIGV4_AMZ_DATE_SIZE];
	int64_t t;

	if (size < 2)
		return 0;
	opt = data[0];
	t = 1440938160 + (int64_t)data[1] * 86400 * 37;

	/* lines, each in a block of its own */
	while (off <= size && nlines < LINES_MAX) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl != NULL ? (size_t)(nl - (data + off)) : size - off;

		line[nlines] = malloc(n + 1);
		if (line[nlines] == NULL)
			goto out;
		memcpy(line[nlines], data + off, n);
		line[nlines][n] = '\0';
		nlines++;
		off += n + 1;
	}
	for (i = 5; i < nlines; i++) {
		char *c = strchr(line[i], ':');

		if (c == NULL)
			continue;
		*c = '\0';
		hdr[nh].name = line[i];
		hdr[nh].value = c + 1;
		nh++;
	}

	if (cpj_sigv4_init(&ctx, (opt & 1) ? "eu-west-1" : "us-east-1",
	    (opt & 1) ? "s3" : "codepipeline", opt & 15) != 0)
		goto out;       /* a combination of flags it refuses */
	if (cpj_sigv4_set_credentials(&ctx, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    (opt & 0x20) ? "session-token/+=" : NULL) != 0)
		FAIL("credentials");

	memset(&req, 0, sizeof req);
	req.method = nlines > 0 ? line[0] : "GET";
	req.path = nlines > 1 ? line[1] : "/";
	req.query = nlines > 2 ? line[2] : NULL;
	req.amz_date = nlines > 3 && line[3][0] != '\0' ? line[3] : NULL;
	req.payload_hash = nlines > 4 ? line[4] : NULL;
	req.headers = hdr;
	req.header_count = nh;
	req.payload = (int)((opt >> 4) & 3);    /* 3: an unknown kind */
	req.body = data;
	req.body_len = size;
	req.now = t;
	req.expires = 1 + (uint32_t)data[1] * 3000;

	call(&req, &o1, 0, (opt & 0x80) != 0);
	call(&req, &o2, 0, (opt & 0x80) != 0);
	same(&o1, &o2);
	if (opt & 0x40) {
		call(&req, &o1, 1, (opt & 0x80) != 0);
		call(&req, &o2, 1, (opt & 0x80) != 0);
		same(&o1, &o2);
	}
	cpj_sigv4_clear(&ctx);

	/* the date formatter on a time from the input */
	if (size >= sizeof t) {
		int rc;

		memcpy(&t, data, sizeof t);
		rc = cpj_sigv4_amz_date(t, date);

		if (rc == 0 && strlen(date) != 16)
			FAIL("amz_date length");
		if (rc != 0 && date[0] != '\0')
			FAIL("amz_date error left text");
	}
out:
	for (i = 0; i < nlines; i++)
		free(line[i]);
	return 0;
}

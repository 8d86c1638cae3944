/*
 * fuzz_aws_error.c -- the CodePipeline client's error path: an AWS JSON
 * error body (and x-amzn-ErrorType) read by cp_client.c's static
 * parse_error(), reached through the public API over the mock port.
 *
 * Input: byte 0 the status (an error status from a table), byte 1
 * options, the rest the body.
 *   bit 0  x-amzn-ErrorType: the body's first line (up to 160 bytes,
 *          taken off the body)
 *   bit 1  chunked body (chunk sizes from byte 1 and the length)
 *   bits 2-4  the mock's recv size: whole, 1, 2, 7, 64, ...
 *   bit 5  call GetJobDetails (else AcknowledgeJob)
 * One scripted connection answers "HTTP/1.1 <status> ..." with the body
 * (a second identical one serves a clock-skew re-sign); the call must
 * fail, and the error details must be in bounds. cpj_aws_error_code() is
 * also given the raw body as a code.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"
#include "mock/mock_port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_aws_error: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

static const int statuses[] = {
	400, 400, 400, 403, 404, 409, 413, 429, 500, 502, 503, 504,
	300, 301, 418, 599
};
static const size_t chunks[8] = { 0, 1, 2, 7, 64, 3, 5, 1000 };

static const char job_id[] = "11111111-2222-3333-4444-555555555555";

static cpj_http_client http;
static cpj_cp_context cp;
static cpj_creds creds;
static unsigned char work[16384];
static cpj_jobs_parser jp;
static char window[4096];
static cpj_json_tok toks[128];
static cpj_job jobs[1];
static char storage[4096];
static const cpj_cp_jobs_buf jb = { &jp, window, sizeof window, toks, 128,
	jobs, 1, storage, sizeof storage };

/* The reply: status line, headers, body (chunked or with its length). */
static unsigned char *
reply(int status, unsigned opt, const unsigned char *err_type, size_t tlen,
	const unsigned char *body, size_t blen, size_t *out_len)
{
	size_t cap = 512 + tlen + blen * 2 + 16;
	unsigned char *b = malloc(cap);
	cpj_buf w;

	if (b == NULL)
		return NULL;
	cpj_buf_init(&w, (char *)b, cap);
	cpj_buf_puts(&w, "HTTP/1.1 ");
	cpj_buf_put_u64(&w, (uint64_t)status);
	cpj_buf_puts(&w, " Error\r\nx-amzn-RequestId: rid-1\r\n"
	    "Date: Sun, 30 Aug 2015 12:36:00 GMT\r\nConnection: close\r\n");
	if (err_type != NULL) {
		cpj_buf_puts(&w, "x-amzn-ErrorType: ");
		cpj_buf_put(&w, err_type, tlen);
		cpj_buf_puts(&w, "\r\n");
	}
	if (opt & 2) {
		size_t off = 0, step = 1 + (opt >> 5) + blen % 13;

		cpj_buf_puts(&w, "Transfer-Encoding: chunked\r\n\r\n");
		while (off < blen) {
			size_t n = blen - off < step ? blen - off : step;
			char hex[20];

			snprintf(hex, sizeof hex, "%zx\r\n", n);
			cpj_buf_puts(&w, hex);
			cpj_buf_put(&w, body + off, n);
			cpj_buf_puts(&w, "\r\n");
			off += n;
			step = step * 2 + 1;
		}
		cpj_buf_puts(&w, "0\r\n\r\n");
	} else {
		cpj_buf_puts(&w, "Content-Length: ");
		cpj_buf_put_u64(&w, blen);
		cpj_buf_puts(&w, "\r\n\r\n");
		cpj_buf_put(&w, body, blen);
	}
	if (cpj_buf_ok(&w) != 0)
		FAIL("reply buffer too small");
	*out_len = w.len;
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *body, *type = NULL;
	size_t blen, tlen = 0, rlen;
	unsigned char *r;
	char status_text[32];
	unsigned opt;
	int status, rc;

	if (size < 2)
		return 0;
	status = statuses[data[0] % CPJ_ARRAY_LEN(statuses)];
	opt = data[1];
	body = data + 2;
	blen = size - 2;
	if (opt & 1) {
		const unsigned char *nl = memchr(body, '\n', blen < 160 ? blen : 160);

		if (nl != NULL) {
			type = body;
			tlen = (size_t)(nl - body);
			blen -= tlen + 1;
			body = nl + 1;
		}
	}

	/* the error-code mapping alone, on the raw bytes */
	rc = cpj_aws_error_code((const char *)body, blen, status);
	if (rc >= 0)
		FAIL("error code mapping returned no error");
	(void)cpj_aws_error_retryable(rc, status);

	r = reply(status, opt, type, tlen, body, blen, &rlen);
	if (r == NULL)
		return 0;
	mock_port_reset();
	mock_port_set_chunk(chunks[(opt >> 2) & 7]);
	mock_port_add_conn(r, rlen);
	mock_port_add_conn(r, rlen);
	cpj_http_client_init(&http, NULL);
	if (cpj_http_client_set_url(&http,
	    "http://codepipeline.us-east-1.amazonaws.com") != 0
	    || cpj_creds_set(&creds, "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "tok", 0) != 0
	    || cpj_cp_init(&cp, &http, "us-east-1", work, sizeof work) != 0
	    || cpj_cp_set_credentials(&cp, &creds) != 0)
		FAIL("setup");
	cp.max_attempts = 1;

	if (opt & 0x20)
		rc = cpj_cp_get_job_details(&cp, job_id, NULL, &jb);
	else
		rc = cpj_cp_acknowledge_job(&cp, job_id, "3", NULL,
		    status_text, sizeof status_text);
	if (rc >= 0)
		FAIL("an error status was not an error");
	if (cp.err != rc)
		FAIL("cp.err differs from the result");
	if (memchr(cp.code, 0, sizeof cp.code) == NULL
	    || memchr(cp.message, 0, sizeof cp.message) == NULL
	    || memchr(cp.request_id, 0, sizeof cp.request_id) == NULL)
		FAIL("error detail not terminated");
	if (cp.http_status != 0 && cp.http_status != status)
		FAIL("status not the one sent");
	if (cp.message_cut && strlen(cp.message) > CPJ_CP_MESSAGE_MAX)
		FAIL("cut message too long");
	if (mock_port_misuse() != 0)
		FAIL("port contract broken");

	cpj_cp_clear(&cp);
	cpj_http_client_close(&http);
	cpj_creds_clear(&creds);
	free(r);
	return 0;
}

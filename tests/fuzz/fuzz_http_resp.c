/*
 * fuzz_http_resp.c -- the HTTP/1.1 response parser (cpj_http_parser).
 *
 * Input: byte 0 options, byte 1 split seed, the rest is the response.
 *   bit 0  method HEAD          bit 1  method CONNECT (unless HEAD)
 *   bits 2-3  max_body: none, 16, 1000, 1 MiB
 *   bit 4  max_headers 4        bit 5  max_head_bytes 256
 *   bit 6  header observer      bit 7  the observer cancels at header
 *                                      (seed % 8) + 1
 * The response is parsed twice: in one feed, and cut into pieces whose
 * sizes come from the seed (1 byte each when the seed is 0), each piece
 * copied to the end of a heap block so that a read past the piece is
 * caught. Both parses must give the same result, body and
 * captured fields: the parser accepts input split anywhere.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_http_resp: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define PIECE_MAX 64

struct run {
	cpj_http_response resp;
	cpj_http_parser p;
	uint64_t body_hash, body_len;
	uint64_t hdr_hash;
	unsigned hdrs, cancel_at;
	size_t consumed;
	int rc;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static int
on_body(void *ctx, const unsigned char *d, size_t n)
{
	struct run *r = ctx;

	if (n == 0 || d == NULL)
		FAIL("sink called with no bytes");
	r->body_hash = fnv(r->body_hash, d, n);
	r->body_len += n;
	return 0;
}

static int
on_header(void *ctx, const char *name, size_t nl, const char *value,
	size_t vl)
{
	struct run *r = ctx;

	if (strlen(name) != nl || strlen(value) != vl)
		FAIL("header callback lengths");
	r->hdr_hash = fnv(r->hdr_hash, name, nl + 1);
	r->hdr_hash = fnv(r->hdr_hash, value, vl + 1);
	if (++r->hdrs == r->cancel_at)
		return CPJ_ERR_CANCELLED;
	return 0;
}

static void
setup(struct run *r, unsigned opt, unsigned seed)
{
	static const uint64_t bodies[4] = { 0, 16, 1000, 1u << 20 };
	const char *method = NULL;

	memset(r, 0, sizeof *r);
	r->body_hash = r->hdr_hash = 14695981039346656037ULL;
	cpj_http_response_init(&r->resp);
	r->resp.on_body = on_body;
	r->resp.body_ctx = r;
	r->resp.max_body = bodies[(opt >> 2) & 3];
	if (opt & 0x10)
		r->resp.max_headers = 4;
	if (opt & 0x20)
		r->resp.max_head_bytes = 256;
	if (opt & 0x40) {
		r->resp.on_header = on_header;
		r->resp.header_ctx = r;
		if (opt & 0x80)
			r->cancel_at = (seed % 8) + 1;
	}
	if (opt & 1)
		method = "HEAD";
	else if (opt & 2)
		method = "CONNECT";
	cpj_http_parser_init(&r->p, &r->resp, method);
}

/* Feed one piece; returns 1 when the run is over (complete or error). */
static int
feed(struct run *r, const unsigned char *d, size_t n)
{
	size_t used = 0;

	while (used < n || n == 0) {
		size_t c = (size_t)-1;
		int rc = cpj_http_parser_feed(&r->p, d + used, n - used, &c);

		if (c > n - used)
			FAIL("consumed more than given");
		used += c;
		r->consumed += c;
		if (rc != 0) {
			r->rc = rc;
			return 1;
		}
		if (c == 0 && n != 0)
			FAIL("no progress and no result");
		if (n == 0)
			break;
	}
	return 0;
}

static void
finish(struct run *r, int over)
{
	size_t c = 1;
	int again;

	if (!over)
		r->rc = cpj_http_parser_eof(&r->p);
	/* results are sticky */
	again = cpj_http_parser_feed(&r->p, (const unsigned char *)"x", 1, &c);
	if (r->rc < 0 && (again != r->rc || c != 0))
		FAIL("error not sticky");
	if (r->rc == 1 && (again != 1 || c != 0))
		FAIL("input consumed after the end");
	if (r->rc != 1 && r->rc >= 0)
		FAIL("eof returned neither 1 nor an error");
}

static void
check(const struct run *r)
{
	const cpj_http_response *s = &r->resp;

	if (memchr(s->request_id, 0, sizeof s->request_id) == NULL
	    || memchr(s->error_type, 0, sizeof s->error_type) == NULL
	    || memchr(s->date, 0, sizeof s->date) == NULL
	    || memchr(s->etag, 0, sizeof s->etag) == NULL
	    || memchr(s->location, 0, sizeof s->location) == NULL)
		FAIL("captured field not terminated");
	if ((s->dropped & ~s->present) != 0)
		FAIL("dropped bit without present bit");
	if (s->body_bytes != r->body_len)
		FAIL("body_bytes differs from what the sink got");
	if (r->rc == 1) {
		if (s->status < 100 || s->status > 599 || s->status == 101)
			FAIL("complete with a bad status");
		if (s->version_minor != 0 && s->version_minor != 1)
			FAIL("bad version");
		if (s->max_body != 0 && s->body_bytes > s->max_body)
			FAIL("body over max_body accepted");
		if ((s->present & CPJ_HTTP_F_CONTENT_LENGTH)
		    && !(s->present & CPJ_HTTP_F_CHUNKED) && !s->until_eof
		    && s->body_bytes != 0 && s->body_bytes != s->content_length)
			FAIL("body length differs from Content-Length");
	}
}

static void
same(const struct run *a, const struct run *b)
{
	const cpj_http_response *x = &a->resp, *y = &b->resp;

	if (a->rc != b->rc)
		FAIL("split changed the result");
	/* (on error, how much of the failing piece counts is unspecified) */
	if (a->rc == 1 && a->consumed != b->consumed)
		FAIL("split changed the bytes consumed");
	if (a->body_len != b->body_len || a->body_hash != b->body_hash)
		FAIL("split changed the body");
	if (a->hdrs != b->hdrs || a->hdr_hash != b->hdr_hash)
		FAIL("split changed the headers seen");
	if (x->status != y->status || x->version_minor != y->version_minor
	    || x->keep_alive != y->keep_alive || x->until_eof != y->until_eof
	    || x->present != y->present || x->dropped != y->dropped
	    || x->nheaders != y->nheaders || x->body_bytes != y->body_bytes)
		FAIL("split changed the response fields");
	if ((x->present & CPJ_HTTP_F_CONTENT_LENGTH)
	    && x->content_length != y->content_length)
		FAIL("split changed the content length");
	if ((x->present & CPJ_HTTP_F_RETRY_AFTER)
	    && x->retry_after != y->retry_after)
		FAIL("split changed retry_after");
	if (strcmp(x->request_id, y->request_id) != 0
	    || strcmp(x->error_type, y->error_type) != 0
	    || strcmp(x->date, y->date) != 0 || strcmp(x->etag, y->etag) != 0
	    || strcmp(x->location, y->location) != 0)
		FAIL("split changed a captured field");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	static unsigned char *small;
	unsigned opt, seed;
	uint32_t st;
	const unsigned char *msg;
	size_t len, off = 0;
	int over;

	if (size < 2)
		return 0;
	opt = data[0];
	seed = data[1];
	msg = data + 2;
	len = size - 2;

	/* one feed (a copy of exactly len bytes: no read past the end) */
	setup(&whole, opt, seed);
	{
		unsigned char *copy = malloc(len ? len : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, msg, len);
		over = feed(&whole, copy, len);
		free(copy);
	}
	finish(&whole, over);
	check(&whole);

	/* pieces: 1 byte each for seed 0, else sizes 1..(seed % 61) + 1 */
	setup(&split, opt, seed);
	st = 0x9e3779b9u ^ (seed * 0x01000193u) ^ (uint32_t)len;
	over = 0;
	while (off < len && !over) {
		size_t n = 1;
		unsigned char *piece;

		if (seed != 0) {
			st ^= st << 13;
			st ^= st >> 17;
			st ^= st << 5;
			n = 1 + st % ((seed % 61) + 1);
			if ((st >> 24) == 0)
				n = len - off;      /* sometimes all the rest */
		}
		if (n > len - off)
			n = len - off;
		if ((st & 0x3f) == 1)
			(void)feed(&split, msg, 0);     /* an empty feed */
		/* a small piece ends where a kept block ends; a large one
		 * gets a block of its own */
		if (n <= PIECE_MAX) {
			if (small == NULL && (small = malloc(PIECE_MAX)) == NULL)
				return 0;
			piece = small + PIECE_MAX - n;
		} else if ((piece = malloc(n)) == NULL) {
			return 0;
		}
		memcpy(piece, msg + off, n);
		over = feed(&split, piece, n);
		if (n > PIECE_MAX)
			free(piece);
		off += n;
	}
	finish(&split, over);
	check(&split);
	same(&whole, &split);
	return 0;
}

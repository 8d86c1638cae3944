/*
 * fuzz_pem.c -- CA bundles: cpj_tls_anchors_add_pem / _finish (PEM
 * objects, X.509 decoding into the caller's slots and arena).
 *
 * Input: byte 0 store options (bits 0-1 slots: 1, 4, 16, 64; bits 2-3
 * arena: 0, 512, 4 KiB, 32 KiB; bit 4 the built-in anchors too), byte 1
 * split seed, then the bundle. The bundle is pushed twice, whole and in
 * pieces (1 byte each for seed 0), each piece at the end of a heap block;
 * slots and arena end where their heap blocks end. Both stores must end
 * the same (result, info, needs); a store that succeeds must be ready
 * and within its storage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(what) do { \
	fprintf(stderr, "fuzz_pem: %s (line %d)\n", what, __LINE__); \
	abort(); \
} while (0)

#define PIECE_MAX 128
#define SLOTS_MAX 64
#define ARENA_MAX 32768

struct run {
	cpj_tls_anchors a;
	br_x509_trust_anchor *slots;
	unsigned char *arena;
	size_t nslots, arena_len;
	int add_rc, rc;
	cpj_tls_anchors_info info;
	size_t need_a, need_b;
};

static br_x509_trust_anchor *slot_block[2];
static unsigned char *arena_block[2], *piece_block;

/* Returns 0, or -1 when the store refuses its storage (the built-in
 * anchors need more slots than 1 or 4). */
static int
setup(struct run *r, int k, unsigned opt)
{
	static const size_t nslots[4] = { 1, 4, 16, SLOTS_MAX };
	static const size_t arenas[4] = { 0, 512, 4096, ARENA_MAX };
	int rc;

	if (slot_block[k] == NULL) {
		slot_block[k] = malloc(SLOTS_MAX * sizeof *slot_block[k]);
		arena_block[k] = malloc(ARENA_MAX);
		if (slot_block[k] == NULL || arena_block[k] == NULL)
			abort();
	}
	memset(r, 0, sizeof *r);
	r->nslots = nslots[opt & 3];
	r->arena_len = arenas[(opt >> 2) & 3];
	r->slots = slot_block[k] + SLOTS_MAX - r->nslots;
	r->arena = r->arena_len ? arena_block[k] + ARENA_MAX - r->arena_len
	    : NULL;
	rc = cpj_tls_anchors_init(&r->a, r->slots, r->nslots, r->arena,
	    r->arena_len, (opt >> 4) & 1);
	if (rc == CPJ_ERR_TLS_ANCHORS && (opt & 0x10)
	    && r->nslots < CPJ_TLS_BUILTIN_ANCHORS)
		return -1;
	if (rc != 0)
		FAIL("init");
	return 0;
}

static void
end(struct run *r)
{
	int rc;

	r->rc = cpj_tls_anchors_finish(&r->a);
	if (r->add_rc != 0 && r->add_rc != CPJ_ERR_TLS_ANCHORS)
		FAIL("add error code");
	if (r->rc == 0)
		FAIL("finish returned 0 anchors");
	if (r->rc > 0 && r->add_rc != 0)
		FAIL("finish succeeded after a failed add");
	if (cpj_tls_anchors_ready(&r->a) != (r->rc > 0))
		FAIL("ready disagrees with finish");
	cpj_tls_anchors_get_info(&r->a, &r->info);
	r->need_a = r->info.need_anchors;
	r->need_b = r->info.need_bytes;
	if (r->rc > 0) {
		if ((size_t)r->rc != r->info.anchors || r->info.anchors
		    > r->nslots + CPJ_TLS_BUILTIN_ANCHORS
		    || r->info.bytes > r->arena_len)
			FAIL("store over its storage");
	}
	/* after finish: CPJ_ERR_STATE; a failed store answers
	 * CPJ_ERR_TLS_ANCHORS (the header says CPJ_ERR_STATE) */
	rc = cpj_tls_anchors_add_pem(&r->a, "x", 1);
	if (rc != CPJ_ERR_STATE && !(r->rc < 0 && rc == CPJ_ERR_TLS_ANCHORS))
		FAIL("add after finish");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, split;
	const unsigned char *pem;
	size_t len, off = 0;
	unsigned opt, seed;
	uint32_t st;

	if (size < 2)
		return 0;
	opt = data[0];
	seed = data[1];
	pem = data + 2;
	len = size - 2;
	if (piece_block == NULL && (piece_block = malloc(PIECE_MAX)) == NULL)
		return 0;

	if (setup(&whole, 0, opt) != 0 || setup(&split, 1, opt) != 0)
		return 0;
	{
		unsigned char *copy = malloc(len ? len : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, pem, len);
		whole.add_rc = cpj_tls_anchors_add_pem(&whole.a, copy, len);
		free(copy);
	}
	end(&whole);

	st = 0x3c6ef372u ^ (seed * 0x01000193u) ^ (uint32_t)len;
	while (split.add_rc == 0 && off < len) {
		size_t n = 1;

		if (seed != 0) {
			st ^= st << 13;
			st ^= st >> 17;
			st ^= st << 5;
			n = 1 + st % ((seed % (PIECE_MAX - 1)) + 1);
		}
		if (n > len - off)
			n = len - off;
		memcpy(piece_block + PIECE_MAX - n, pem + off, n);
		split.add_rc = cpj_tls_anchors_add_pem(&split.a,
		    piece_block + PIECE_MAX - n, n);
		off += n;
	}
	end(&split);

	if (whole.rc != split.rc || whole.add_rc != split.add_rc
	    || memcmp(&whole.info, &split.info, sizeof whole.info) != 0
	    || whole.need_a != split.need_a || whole.need_b != split.need_b)
		FAIL("split changed the store");
	return 0;
}

/*
 * sigv4_int.h -- declarations shared by the SigV4 sources (src/sigv4/),
 * nothing of it API.
 */
#ifndef CPJ_SIGV4_INT_H
#define CPJ_SIGV4_INT_H

#include "inner.h"

/* "0123456789ABCDEF" (sigv4_canon.c). */
extern const char cpj_sigv4_hex_upper[17];
/* RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), one bit per byte value
 * (sigv4_canon.c). */
extern const uint32_t cpj_sigv4_unreserved[8];
#define UNRESERVED(c) ((cpj_sigv4_unreserved[(c) >> 5] >> ((c) & 31)) & 1u)

/*
 * One signature in the making, common to sign and presign. `out` is the
 * caller's output buffer, already holding the Authorization prefix or the
 * auth parameters.
 */
struct cpj_sigv4_job {
	const cpj_sigv4_request *req;
	cpj_sigv4_result *res;
	cpj_buf *out;
	size_t nh;           /* headers after sorting, added ones included */
	size_t rl, sl, al;   /* region, service, access key id lengths */
	size_t sh_off, sh_len; /* sign: SignedHeaders value inside out */
	size_t sc_off, sc_len; /* sign: the credential scope inside out */
	int presign;
};

/* ---- sigv4_ctx.c ------------------------------------------------------ */

/* Length of a region or service name: 1..CPJ_SIGV4_NAME_MAX of A-Z a-z
 * 0-9 - _ . ; 0 when NULL or not one. */
size_t cpj_sigv4_name_len(const char *s);
/* Length of s when it is 1..max printable ASCII bytes, no space and none
 * of `bad` (which holds no unreserved byte); else 0. */
size_t cpj_sigv4_visible_len(const char *s, size_t max, const char *bad);

/* ---- sigv4_canon.c ---------------------------------------------------- */

/* Check the caller's headers, append the `nadded` ones of ctx->added, sort
 * them all (stably) into ctx->hidx and ctx->hsame; *total: their count. */
int cpj_sigv4_sort_headers(cpj_sigv4_context *ctx,
	const cpj_sigv4_request *req, size_t nadded, int header_mode,
	size_t *total);
/* SignedHeaders value of the n sorted headers into b; `pct`
 * percent-encodes it (query mode). */
void cpj_sigv4_signed_headers(const cpj_sigv4_context *ctx,
	const cpj_sigv4_request *req, size_t n, cpj_buf *b, int pct);
/* Stream the canonical request of j through ctx->sha (and into
 * res->canonical_request when the caller asked for a copy); its SHA-256
 * ends in ctx->stage[0..32). 0 or a negative CPJ_ERR_*. */
int cpj_sigv4_canonical(cpj_sigv4_context *ctx,
	const struct cpj_sigv4_job *j);

#endif

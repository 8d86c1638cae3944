/*
 * sigv4_calls.h -- SigV4 helpers other modules and tests use (src/sigv4/);
 * sigv4_int.h is for the SigV4 sources only.
 *
 * Not API (kept out of include/): names may change in any release.
 * Included by inner.h, for the library's sources and the tests. The
 * "Stack:" figures are as last measured: `make size` checks include/ only.
 */
#ifndef CPJ_SIGV4_CALLS_H
#define CPJ_SIGV4_CALLS_H

#include "cpj_sigv4.h"

/**
 * \brief Format Unix time as an X-Amz-Date value ("YYYYMMDDTHHMMSSZ", UTC).
 *
 * Stack: at most 64 bytes.
 *
 * \param unix_time  seconds since 1970-01-01T00:00:00Z, 0..253402300799.
 * \param out        CPJ_SIGV4_AMZ_DATE_SIZE bytes; "" on error.
 * \return 0, CPJ_ERR_PARAM (out NULL) or CPJ_ERR_SIGV4_TIME (out of range).
 */
int cpj_sigv4_amz_date(int64_t unix_time, char *out);

/*
 * Append s[0..n) to b percent-encoded as SigV4 wants it: every byte but
 * the RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~) and `keep` (0 for
 * none, '/' for a path) as %XX, upper-case hex. (Only with S3 or
 * presigning.)
 *
 * Stack: at most 32 bytes.
 */
void cpj_sigv4_buf_put_enc(cpj_buf *b, const char *s, size_t n,
	unsigned keep);

#endif

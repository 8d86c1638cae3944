/*
 * sha256_int.h -- SHA-256 on a BearSSL context with the CPU's SHA-256
 * instructions when it has them (src/util/sha256.c): SHA-NI on x86-64,
 * the ARMv8 SHA-2 instructions on arm64; what SigV4 hashes. Built with
 * CPJ_CONFIG_SHA_HW 0 (cpj_config.h) it is BearSSL's code.
 *
 * Not API (kept out of include/): names may change in any release.
 * The "Stack:" figures are as last measured (the largest bound of the
 * boards, BearSSL's code included): `make size` checks include/ only.
 */
#ifndef CPJ_SHA256_INT_H
#define CPJ_SHA256_INT_H

#include <bearssl.h>
#include <stddef.h>

/** \brief br_sha256_update(), whole blocks by SHA-NI on x86-64 CPUs and
 *  by SHA256H/H2/SU0/SU1 on arm64 CPUs that have them (checked once);
 *  BearSSL's code elsewhere.
 *
 * Stack: at most 448 bytes.
 */
void cpj_sha256_update(br_sha256_context *cc, const void *data, size_t len);

/** \brief br_sha256_out() likewise: the context is left as it was.
 *
 * Stack: at most 544 bytes.
 */
void cpj_sha256_out(const br_sha256_context *cc, void *dst);

/** \brief For tests: 0 keeps to BearSSL's portable code from now on, 1
 *  lets the CPU check decide again. */
void cpj_sha256_hw_allow(int allow);

/** \brief 1 when the SHA instructions are in use. */
int cpj_sha256_hw_used(void);

#endif

/*
 * sha256.c -- SHA-256 update and output on a BearSSL context, with the
 * CPU's SHA-256 instructions where there are some (see sha256_int.h).
 *
 * SigV4 hashes about 17 blocks a request; BearSSL's portable compression
 * is then a third of a job-worker cycle's instructions. Where the CPU has
 * SHA-256 instructions, whole blocks go through them instead (blocks()):
 * - x86-64 with the SHA extensions ("SHA-NI", checked once with CPUID):
 *   SHA256RNDS2/MSG1/MSG2;
 * - arm64 (little-endian Linux) with the ARMv8 Cryptographic Extension's
 *   SHA-2 instructions (checked once: getauxval(AT_HWCAP) & HWCAP_SHA2):
 *   SHA256H/H2/SU0/SU1.
 * The buffering around blocks() is written once, on the context fields
 * BearSSL uses (buf, count, val), so BearSSL's own calls and these can
 * be mixed on one context. Everywhere else, on a CPU without them, and
 * when built with CPJ_CONFIG_SHA_HW 0 (cpj_config.h), these
 * are BearSSL's br_sha256_update() and br_sha256_out().
 */
#include "inner.h"
#include "sha256_int.h"

/* SHA_HW: 0 BearSSL's code only, 1 SHA-NI (x86-64), 2 ARMv8 SHA-2 (arm64) */
#if !CPJ_CONFIG_SHA_HW || !defined(__GNUC__)
#define SHA_HW 0
#elif defined(__x86_64__)
#define SHA_HW 1
#include <cpuid.h>
#include <immintrin.h>
#elif defined(__aarch64__) && defined(__AARCH64EL__) && defined(__linux__)
#define SHA_HW 2
#include <arm_neon.h>
#include <sys/auxv.h>
#else
#define SHA_HW 0
#endif

#if SHA_HW
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};
#endif

#if SHA_HW == 1
/* 1 when the CPU has SSSE3, SSE4.1 and the SHA extensions */
static int
cpu_has_sha(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d)
	    && (c & (1u << 9)) && (c & (1u << 19))   /* SSSE3, SSE4.1 */
	    && __get_cpuid_count(7, 0, &a, &b, &c, &d)
	    && (b & (1u << 29));                      /* SHA */
}

/* `n` blocks into the state, four rounds per step (SHA-NI). */
__attribute__((target("sha,sse4.1,ssse3")))
static void
blocks(uint32_t val[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i s0, s1, t, m, w[4], save0, save1;
	int i;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)val), 0xb1);
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(val + 4)),
	    0x1b);
	s0 = _mm_alignr_epi8(t, s1, 8);          /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xf0);       /* CDGH */
	for (; n > 0; n--, p += 64) {
		save0 = s0;
		save1 = s1;
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(p + 16 * i)), bswap);
			} else {
				/* W[t] from W[t-16 .. t-1] */
				t = _mm_sha256msg1_epu32(w[i & 3],
				    w[(i + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(
				    w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(t,
				    w[(i + 3) & 3]);
			}
			m = _mm_add_epi32(w[i & 3],
			    _mm_loadu_si128((const __m128i *)(K + 4 * i)));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1,
			    _mm_shuffle_epi32(m, 0x0e));
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);         /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1);        /* DCHG */
	_mm_storeu_si128((__m128i *)val, _mm_blend_epi16(t, s1, 0xf0));
	_mm_storeu_si128((__m128i *)(val + 4), _mm_alignr_epi8(s1, t, 8));
}
#endif

#if SHA_HW == 2
/* 1 when the CPU has the ARMv8 SHA-2 instructions (the kernel says) */
static int
cpu_has_sha(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
}

/* `n` blocks into the state, four rounds per step (ARMv8 SHA-2). gcc 12's
   arm_neon.h declares these intrinsics under "+crypto" (AES and SHA-2):
   only the SHA-2 ones are used. */
__attribute__((target("+crypto")))
static void
blocks(uint32_t val[8], const unsigned char *p, size_t n)
{
	uint32x4_t s0, s1, save0, save1, abcd, m, w[4];
	int i;

	s0 = vld1q_u32(val);                     /* ABCD */
	s1 = vld1q_u32(val + 4);                 /* EFGH */
	for (; n > 0; n--, p += 64) {
		save0 = s0;
		save1 = s1;
		for (i = 0; i < 16; i++) {
			if (i < 4) {
				w[i] = vreinterpretq_u32_u8(vrev32q_u8(
				    vld1q_u8(p + 16 * i)));
			} else {
				/* W[t] from W[t-16 .. t-1] */
				w[i & 3] = vsha256su1q_u32(vsha256su0q_u32(
				    w[i & 3], w[(i + 1) & 3]),
				    w[(i + 2) & 3], w[(i + 3) & 3]);
			}
			m = vaddq_u32(w[i & 3], vld1q_u32(K + 4 * i));
			abcd = s0;
			s0 = vsha256hq_u32(s0, s1, m);
			s1 = vsha256h2q_u32(s1, abcd, m);
		}
		s0 = vaddq_u32(s0, save0);
		s1 = vaddq_u32(s1, save1);
	}
	vst1q_u32(val, s0);
	vst1q_u32(val + 4, s1);
}
#endif

#if SHA_HW
/* -1 not yet asked, 0 no, 1 yes (the answer is the same in every thread) */
static int hw_state = -1;

static int
hw(void)
{
	if (hw_state < 0)
		hw_state = cpu_has_sha();
	return hw_state;
}
#endif

#if SHA_HW
/* The work of the two calls below on the instructions, apart: their own
   frames stay small, so BearSSL's code on the other path costs no more
   stack than when it is called directly. */
__attribute__((noinline))
static void
update_hw(br_sha256_context *cc, const unsigned char *p, size_t len)
{
	size_t ptr = (size_t)cc->count & 63, n;

	cc->count += len;
	if (ptr != 0) {
		n = 64 - ptr < len ? 64 - ptr : len;
		memcpy(cc->buf + ptr, p, n);
		p += n;
		len -= n;
		if (ptr + n < 64)
			return;
		blocks(cc->val, cc->buf, 1);
	}
	if (len >= 64) {
		blocks(cc->val, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(cc->buf, p, len);
}

__attribute__((noinline))
static void
out_hw(const br_sha256_context *cc, unsigned char *out)
{
	unsigned char buf[128];
	uint32_t val[8];
	size_t ptr = (size_t)cc->count & 63, n, i;
	uint64_t bits = cc->count << 3;

	memcpy(buf, cc->buf, ptr);
	buf[ptr++] = 0x80;
	n = ptr > 56 ? 128 : 64;
	memset(buf + ptr, 0, n - ptr);
	for (i = 0; i < 8; i++)
		buf[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	memcpy(val, cc->val, sizeof val);
	blocks(val, buf, n / 64);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(val[i >> 2] >> (24 - 8 * (i & 3)));
	/* the last block and the state may be of a key */
	cpj_wipe(buf, n);
	cpj_wipe(val, sizeof val);
}
#endif

/* see sha256_int.h */
void
cpj_sha256_update(br_sha256_context *cc, const void *data, size_t len)
{
#if SHA_HW
	if (len == 0)           /* data may be NULL then: no memcpy from it */
		return;
	if (hw()) {
		update_hw(cc, data, len);
		return;
	}
#endif
	br_sha256_update(cc, data, len);
}

/* see sha256_int.h */
void
cpj_sha256_out(const br_sha256_context *cc, void *dst)
{
#if SHA_HW
	if (hw()) {
		out_hw(cc, dst);
		return;
	}
#endif
	br_sha256_out(cc, dst);
}

/* see sha256_int.h */
void
cpj_sha256_hw_allow(int allow)
{
#if SHA_HW
	hw_state = allow ? -1 : 0;
#else
	(void)allow;
#endif
}

/* see sha256_int.h */
int
cpj_sha256_hw_used(void)
{
#if SHA_HW
	return hw();
#else
	return 0;
#endif
}

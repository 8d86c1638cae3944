/*
 * test_sha256.c -- cpj_sha256_update()/cpj_sha256_out() (src/util/sha256.c)
 * on the CPU's SHA-256 instructions where it has them (SHA-NI on x86-64,
 * the ARMv8 SHA-2 instructions on arm64), then on BearSSL's portable code:
 * known answers, data fed in odd pieces, BearSSL's calls mixed in on one
 * context, and agreement with BearSSL at every length and cut up to 300.
 *
 * With CPJ_TEST_SHA_HW=1 in the environment (the arm64 board's test run:
 * qemu-aarch64 has the SHA-2 instructions) the instructions must be in
 * use, so that this cannot pass on the portable path alone (sha256_paths.h).
 */
#include <string.h>

#include "harness.h"
#include "sha256_paths.h"
#include "util/sha256_int.h"

/* A message is `unit` repeated `reps` times. FIPS 180-2's examples ("abc",
   the 448-bit message, a million "a"), NIST's 896-bit example message, and
   lengths around the 55/56 padding edge and the block edge; the digests
   not in FIPS 180-2 are Python's hashlib (OpenSSL), not BearSSL. */
static const struct kat {
	const char *unit;
	size_t reps;
	const char *hex;
} kats[] = {
	{ "", 0,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "a", 55,
	  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
	{ "a", 56,
	  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
	{ "a", 63,
	  "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
	{ "a", 64,
	  "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
	{ "a", 65,
	  "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "0123456789", 100,
	  "ab6c5f3237f551d208fc2ca5225a4cca20b3fd638794a804f0ed5549d5041734" },
	{ "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static unsigned char msg[1000000];

/* the message of `k` into msg; its length */
static size_t
make_msg(const struct kat *k)
{
	size_t u = strlen(k->unit), i;

	for (i = 0; i < k->reps; i++)
		memcpy(msg + i * u, k->unit, u);
	return u * k->reps;
}

static int
hex_eq(const unsigned char d[32], const char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		if (hex[2 * i] != digits[d[i] >> 4]
		    || hex[2 * i + 1] != digits[d[i] & 15])
			return 0;
	}
	return 1;
}

/* Piece sizes, cycled: odd ones, and the block edges. */
static const size_t pieces[] = { 1, 3, 7, 13, 31, 61, 63, 64, 65, 127, 129 };

/* msg[0..len) into `cc` in the pieces above, from `first` on in the
   cycle; with `mix`, every other piece through BearSSL's own update. */
static void
feed(br_sha256_context *cc, size_t len, size_t first, int mix)
{
	size_t off = 0, k = first, n;

	while (off < len) {
		n = pieces[k % (sizeof pieces / sizeof pieces[0])];
		if (n > len - off)
			n = len - off;
		if (mix && (k & 1))
			br_sha256_update(cc, msg + off, n);
		else
			cpj_sha256_update(cc, msg + off, n);
		off += n;
		k++;
	}
}

static int
known_answers(void)
{
	br_sha256_context cc;
	unsigned char d[32];
	size_t i, len, first;

	for (i = 0; i < sizeof kats / sizeof kats[0]; i++) {
		len = make_msg(&kats[i]);
		/* all at once (NULL data when empty: len 0 reads nothing) */
		br_sha256_init(&cc);
		cpj_sha256_update(&cc, len ? msg : NULL, len);
		cpj_sha256_out(&cc, d);
		CHECK(hex_eq(d, kats[i].hex));
		/* out leaves the context as it was: a second out agrees */
		memset(d, 0, sizeof d);
		cpj_sha256_out(&cc, d);
		CHECK(hex_eq(d, kats[i].hex));
		/* one byte at a time */
		if (len <= 1000) {
			size_t j;

			br_sha256_init(&cc);
			for (j = 0; j < len; j++)
				cpj_sha256_update(&cc, msg + j, 1);
			cpj_sha256_out(&cc, d);
			CHECK(hex_eq(d, kats[i].hex));
		}
		for (first = 0; first < 4; first++) {
			/* odd pieces */
			br_sha256_init(&cc);
			feed(&cc, len, first, 0);
			cpj_sha256_out(&cc, d);
			CHECK(hex_eq(d, kats[i].hex));
			/* BearSSL's update on every other piece, both outs */
			br_sha256_init(&cc);
			feed(&cc, len, first, 1);
			cpj_sha256_out(&cc, d);
			CHECK(hex_eq(d, kats[i].hex));
			memset(d, 0, sizeof d);
			br_sha256_out(&cc, d);
			CHECK(hex_eq(d, kats[i].hex));
		}
	}
	return 0;
}

/* Every length up to 300 cut in two at every point (every 37th past 140),
   and 1 MiB at once: the same digest as BearSSL's own code. */
static int
agrees_with_bearssl(void)
{
	static unsigned char in[1 << 20];
	br_sha256_context a, b;
	unsigned char da[32], db[32];
	size_t len, cut, i;

	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 131 + (i >> 7));
	for (len = 0; len <= 300; len++) {
		for (cut = 0; cut <= len; cut += (len < 140 ? 1 : 37)) {
			br_sha256_init(&a);
			br_sha256_update(&a, in, len);
			br_sha256_out(&a, da);
			br_sha256_init(&b);
			cpj_sha256_update(&b, in, cut);
			cpj_sha256_update(&b, in + cut, len - cut);
			cpj_sha256_out(&b, db);
			CHECK(memcmp(da, db, 32) == 0);
			/* the context is left as it was: BearSSL's out agrees */
			br_sha256_out(&b, db);
			CHECK(memcmp(da, db, 32) == 0);
		}
	}
	br_sha256_init(&a);
	br_sha256_update(&a, in, sizeof in);
	br_sha256_out(&a, da);
	br_sha256_init(&b);
	cpj_sha256_update(&b, in, sizeof in);
	cpj_sha256_out(&b, db);
	CHECK(memcmp(da, db, 32) == 0);
	return 0;
}

int
main(void)
{
	printf("SHA-256: %s\n", cpj_sha256_hw_used()
	    ? "SHA instructions, then portable" : "portable only");
	RUN(sha256_hw_path);
	h_report("known_answers_first_path", known_answers());
	RUN(agrees_with_bearssl);
	RUN(sha256_portable_path);
	h_report("known_answers_portable", known_answers());
	cpj_sha256_hw_allow(1);
	printf("%d passed, %d failed\n", h_passed, h_failed);
	return H_EXIT();
}

/*
 * sha256_paths.h -- the two SHA-256 paths of src/util/sha256.c for tests
 * that run on both (test_sha256, test_sigv4): RUN(sha256_hw_path) first,
 * RUN(sha256_portable_path) before the second run.
 *
 * CPJ_TEST_SHA_HW=1 in the environment says the CPU has SHA-256
 * instructions the library uses (the arm64 board's run: qemu-aarch64 has
 * the ARMv8 SHA-2 instructions, BOARD_TEST_ENV in its board.mk); then
 * they must be in use, so the first run cannot pass on the portable path.
 */
#ifndef CPJ_SHA256_PATHS_H
#define CPJ_SHA256_PATHS_H

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/sha256_int.h"

static int
sha256_hw_path(void)
{
	const char *e = getenv("CPJ_TEST_SHA_HW");

	if (e != NULL && strcmp(e, "1") == 0)
		CHECK_EQ(cpj_sha256_hw_used(), 1);
	return 0;
}

static int
sha256_portable_path(void)
{
	cpj_sha256_hw_allow(0);
	CHECK_EQ(cpj_sha256_hw_used(), 0);
	return 0;
}

#endif

# arm64: ARMv8-A (Cortex-A53 class), Debian's aarch64-linux-gnu toolchain
# with Debian's multiarch musl (musl-dev:arm64), static; tests under
# qemu-aarch64.
CROSS_COMPILE ?= aarch64-linux-gnu-
MUSL_TRIPLET := aarch64-linux-musl
BOARD_CPU := -march=armv8-a
BOARD_EXEC ?= qemu-aarch64
BOARD_DEBS := gcc-aarch64-linux-gnu musl-dev:arm64 qemu-user
BOARD_FILE := ARM aarch64
# qemu-aarch64 reports and runs the ARMv8 SHA-2 instructions: the SHA-256
# tests must find them in use (test_sha256, test_sigv4).
BOARD_TEST_ENV := CPJ_TEST_SHA_HW=1
include boards/cross.mk

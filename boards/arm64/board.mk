# arm64: ARMv8-A (Cortex-A53 class), Debian's aarch64-linux-gnu toolchain,
# static glibc; tests under qemu-aarch64.
CROSS_COMPILE ?= aarch64-linux-gnu-
BOARD_CPU := -march=armv8-a
BOARD_EXEC ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
BOARD_DEBS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
BOARD_FILE := ARM aarch64
include boards/cross.mk

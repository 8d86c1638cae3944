# mipsel: MIPS32r2 little-endian (24K/74K class routers), o32 with the FPU
# (-mfpxx, Debian's mipsel ABI), Debian's mipsel-linux-gnu toolchain with
# Debian's multiarch musl (musl-dev:mipsel), static; tests under
# qemu-mipsel (its default CPU is a 24Kf).
CROSS_COMPILE ?= mipsel-linux-gnu-
MUSL_TRIPLET := mipsel-linux-musl
BOARD_CPU := -march=mips32r2 -mabi=32 -mfpxx
BOARD_EXEC ?= qemu-mipsel
BOARD_DEBS := gcc-mipsel-linux-gnu musl-dev:mipsel qemu-user
BOARD_FILE := MIPS, MIPS32 rel2
include boards/cross.mk

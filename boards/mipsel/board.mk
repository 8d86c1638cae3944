# mipsel: MIPS32r2 little-endian (24K/74K class routers), o32 with the FPU
# (-mfpxx, Debian's mipsel ABI), Debian's mipsel-linux-gnu toolchain,
# static glibc; tests under qemu-mipsel (its default CPU is a 24Kf).
CROSS_COMPILE ?= mipsel-linux-gnu-
BOARD_CPU := -march=mips32r2 -mabi=32 -mfpxx
# 64-bit time_t and file offsets (glibc >= 2.34): SigV4 and X.509 dates past
# 2038, artifacts over 2 GB, and readdir under qemu-user, whose 64-bit host
# kernel hands out directory offsets a 32-bit off_t cannot hold.
BOARD_DEFS := -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
BOARD_EXEC ?= qemu-mipsel -L /usr/mipsel-linux-gnu
BOARD_DEBS := gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user
BOARD_FILE := MIPS, MIPS32 rel2
include boards/cross.mk

# mipsel: MIPS32r2 little-endian (24K/74K class routers), o32 with the FPU
# (-mfpxx, Debian's mipsel ABI), Debian's mipsel-linux-gnu toolchain with
# Debian's multiarch musl (musl-dev:mipsel), static; tests under
# qemu-mipsel (its default CPU is a 24Kf).
# -mplt: the program is static and fixed-address (-fno-pie), so calls and
# global addresses need not go through $gp and the GOT as o32's PIC-style
# abicalls code does; gcc makes non-PIC abicalls code that links with
# musl's PIC libc.a. The stripped agent is 7.2% smaller (452,972 ->
# 420,356 bytes), the library's text smaller and its .got gone.
CROSS_COMPILE ?= mipsel-linux-gnu-
MUSL_TRIPLET := mipsel-linux-musl
BOARD_CPU := -march=mips32r2 -mabi=32 -mfpxx -mplt
BOARD_EXEC ?= qemu-mipsel
BOARD_DEBS := gcc-mipsel-linux-gnu musl-dev:mipsel qemu-user
BOARD_FILE := MIPS, MIPS32 rel2
include boards/cross.mk

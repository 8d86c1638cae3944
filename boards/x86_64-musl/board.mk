# x86_64-musl: x86-64 with Debian's musl (musl-gcc wrapper), static; the
# tests run natively. musl's static getaddrinfo needs no NSS modules.
CROSS_COMPILE ?=
CC := musl-gcc
BOARD_CPU := -march=x86-64
BOARD_EXEC ?=
BOARD_DEBS := musl-tools
BOARD_FILE := x86-64
BOARD_RELRO :=
include boards/cross.mk

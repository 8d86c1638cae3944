# boards/cross.mk -- shared by every board but host (variables only; the
# rules are in boards/boards.mk and boards/bearssl.mk, read after the
# Makefile's own). Included at the end of boards/<b>/board.mk.
#
# - BearSSL is built from its release source with the board's compiler
#   (boards/bearssl.mk): Debian's libbearssl.a is a glibc/x86-64 build.
# - Third-party headers come only from $(B)/include (jsmn.h, a symlink to
#   Debian's libjsmn-dev header) and BearSSL's inc/; the cross compiler
#   never searches the host's /usr/include.
# - Every program is static and garbage-collected (-Wl,--gc-sections).
PORT := posix
OPT ?= -Os
CROSS_TEST := 1
BEARSSL_FROM_SRC := 1
BEARSSL_SRC ?= $(BUILD)/bearssl-src
JSMN_H ?= /usr/include/jsmn.h
BEARSSL_CFLAGS = -isystem $(BEARSSL_SRC)/inc -isystem $(B)/include
BEARSSL_LIBS = $(B)/bearssl/libbearssl.a
BOARD_CPPFLAGS = -Iboards/$(BOARD) -DCPJ_CONFIG_FILE='"cpj_board_config.h"'
BOARD_CFLAGS = $(BOARD_CPU) -ffunction-sections -fdata-sections
BOARD_LDFLAGS = $(BOARD_CPU) -static -Wl,--gc-sections
BOARD_LDLIBS ?=
BOARD_DEBS += dpkg-dev xz-utils binutils file

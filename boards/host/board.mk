# Native build: the system's BearSSL (Debian libbearssl-dev), -O2 -g.
CROSS_COMPILE ?=
PORT := posix
OPT ?= -O2 -g
BOARD_CPPFLAGS := -Iboards/host -DCPJ_CONFIG_FILE='"cpj_board_config.h"'
BOARD_CFLAGS :=
BOARD_LDFLAGS :=
BOARD_LDLIBS :=
BEARSSL_CFLAGS ?=
BEARSSL_LIBS ?= -l:libbearssl.a
BOARD_FILE := ELF

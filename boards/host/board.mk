# Native build: the system's BearSSL (Debian libbearssl-dev), -O2 -g,
# dynamic glibc (the sanitizer builds of `make test` need it); the
# development and test board, not a target (see boards/README.md).
CROSS_COMPILE ?=
PORT := posix
OPT ?= -O2 -g
BOARD_CPPFLAGS := -Iboards/host -DCPJ_CONFIG_FILE='"cpj_board_config.h"'
BOARD_CFLAGS :=
BOARD_LDFLAGS :=
BOARD_LDLIBS :=
BEARSSL_CFLAGS ?=
BEARSSL_LIBS ?= -l:libbearssl.a
# What `file` says of its executables (`make boards`).
BOARD_FILE := ELF

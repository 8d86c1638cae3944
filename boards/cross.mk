# boards/cross.mk -- shared by every board but host (variables only; the
# rules are in boards/boards.mk and boards/bearssl.mk, read after the
# Makefile's own). Included at the end of boards/<b>/board.mk.
#
# - BearSSL is built from its release source with the board's compiler
#   (boards/bearssl.mk): Debian's libbearssl.a is a glibc/x86-64 build.
# - Third-party headers come only from $(BOARD_B)/include (jsmn.h, a symlink to
#   Debian's libjsmn-dev header) and BearSSL's inc/; the cross compiler
#   never searches the host's /usr/include.
# - Every program is static and garbage-collected (-Wl,--gc-sections);
#   the agent is linked with link-time optimisation (below);
#   no unwind tables (C only, nothing unwinds: about 10% of the agent).
# - -fno-pie: Debian's compilers make position-independent code by
#   default, but a -static link makes a fixed-address program, so the PIC
#   only costs: GOT loads on armhf and mipsel, and const tables of
#   pointers in writable .data.rel.ro instead of flash. Without it the
#   library's text + data is 2.6% smaller on armhf, 4.3% on mipsel, 0.6%
#   on arm64, and ~3-6 KB of tables leave RAM for .rodata.
# - -z norelro (BOARD_LAYOUT): RELRO is applied by a dynamic loader, and a
#   static musl program has none (musl's start code never mprotects
#   PT_GNU_RELRO: a test program's .data.rel.ro page stays rw-p in
#   /proc/self/maps). All it did was align the writable segment's start
#   so that the RELRO part ends on a page: 40,672 bytes of padding in the
#   arm64 agent (its ld aligns to 64 KiB pages), 2,192 on armhf.
# - -z noseparate-code: x86-64's ld puts the code in a segment of its own,
#   padded to pages on both sides (the other boards' ld does not). With it
#   and -z norelro the x86_64-musl agent is 7,392 bytes smaller stripped
#   (349,904 -> 342,512); read-only data is then in the executable
#   segment, as it always is on the ARM and MIPS boards.
# - The C library is musl: x86_64-musl's board.mk sets CC to musl-gcc;
#   a cross board names its triplet (MUSL_TRIPLET) and its gcc reads the
#   specs file of Debian's multiarch musl-dev:<arch>, which points it at
#   musl's headers, start files and libc.a. musl's time_t and off_t are
#   64-bit on every architecture (dates past 2038, files over 2 GB, and
#   readdir under qemu-user, whose 64-bit host kernel hands out directory
#   offsets a 32-bit off_t could not hold).
# - Link-time optimisation for the shipped agent only (BOARD_LTO; empty:
#   off). Every object is compiled once with -flto -ffat-lto-objects: it
#   holds gcc's intermediate code and the ordinary machine code. The agent
#   ($(AGENT)) is linked from the intermediate code (AGENT_LDFLAGS), every
#   other program (tests, examples, benchmarks, `make size`'s second link
#   of the agent with its map) from the machine code (-fno-lto: gcc's
#   linker plugin would otherwise optimise any link of such objects), as a
#   user's program linking libcpjob.a without -flto is. So the link map
#   still tells the libraries apart and the stack walk reads gcc's call
#   graphs of the code the library ships; the agent sheds what LTO finds
#   across files (7 to 17 KB stripped, measured per board in
#   boards/README.md).
PORT := posix
OPT ?= -Os
BOARD_LTO ?= -flto=auto -ffat-lto-objects
AGENT_LDFLAGS = $(if $(BOARD_LTO),$(OPT) -flto=auto)
BOARD_NO_LTO = $(if $(BOARD_LTO),-fno-lto)
ifneq ($(MUSL_TRIPLET),)
MUSL_SPECS ?= /usr/lib/$(MUSL_TRIPLET)/musl-gcc.specs
CC := gcc -specs=$(MUSL_SPECS)
endif
CROSS_TEST := 1
BEARSSL_FROM_SRC := 1
BEARSSL_SRC ?= $(BUILD)/bearssl-src
JSMN_H ?= /usr/include/jsmn.h
BEARSSL_CFLAGS = -isystem $(BEARSSL_SRC)/inc -isystem $(BOARD_B)/include
BEARSSL_LIBS = $(BOARD_B)/bearssl/libbearssl.a
# The agent's malloc family over a fixed pool (src/agent/libc_pool.c): musl
# allocates only for getaddrinfo() here, and its allocator is 5.7 KB of
# armhf code.
BOARD_DEFS += -DCPJ_AGENT_LIBC_POOL=1
BOARD_CPPFLAGS = -Iboards/$(BOARD) -DCPJ_CONFIG_FILE='"cpj_board_config.h"' $(BOARD_DEFS)
BOARD_CFLAGS = $(BOARD_CPU) -fno-pie -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables $(BOARD_WARN) $(BOARD_LTO)
# The host build is the -Werror gate. Two warnings depend on the optimiser
# or the word size rather than on the code: -Os finds other snprintf
# truncation paths than -O2, and a range check that is portable is "always
# false" where size_t has 32 bits. They stay warnings here.
BOARD_WARN ?= -Wno-error=format-truncation -Wno-error=type-limits
BOARD_LAYOUT ?= -Wl,-z,norelro -Wl,-z,noseparate-code
BOARD_LDFLAGS = $(BOARD_CPU) -static -Wl,--gc-sections $(BOARD_LAYOUT) $(BOARD_NO_LTO)
BOARD_LDLIBS ?=
BOARD_DEBS += dpkg-dev xz-utils binutils file

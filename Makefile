# cpjob -- one GNU make file (musl style). Overrides go in config.mak.
#
#   make                   library and agent for BOARD (default: host)
#   make test              every test (ASan+UBSan on the host), ends with "N passed, N failed"
#   make check             unit tests only (fast); make check T=test_NAME for one
#   make demo              the main job against a local emulator
#   make BOARD=<b>         cross build, see boards/README.md
#   make size | stack-doc | bench | soak | fuzz | docs | install | clean | lint
#   make deps              install the board's Debian packages (checked
#                          before compiling: `make` names what is missing)
#   make deb [BOARD=<b>]   Debian packages (packaging/deb.mk); package-test
#
# Variables: BOARD, PORT (set by the board), PROFILE (full or minimal),
# CROSS_COMPILE, CC, OPT, EXTRA_CFLAGS, SAN=1 (sanitizers), V=1 (show
# commands).

BOARD ?= host
-include config.mak
include boards/$(BOARD)/board.mk

PORT ?= posix
CC := $(CROSS_COMPILE)$(if $(filter default,$(origin CC)),gcc,$(CC))
AR := $(CROSS_COMPILE)ar
NM := $(CROSS_COMPILE)nm
SIZE := $(CROSS_COMPILE)size

BUILD ?= build
ifeq ($(SAN),1)
B := $(BUILD)/$(BOARD)-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
B := $(BUILD)/$(BOARD)
SAN_FLAGS :=
endif
# The board's directory: BearSSL and third-party headers of a cross board
# live there, shared by its profiles.
BOARD_B := $(BUILD)/$(BOARD)

# PROFILE=minimal: the library only, without S3, the credential providers
# other than explicit keys, mutual TLS, third-party jobs, presigning, log
# and error texts (include/cpj_config_minimal.h), into $(B)-min.
PROFILE ?= full
ifeq ($(PROFILE),minimal)
B := $(B)-min
PROFILE_CPPFLAGS := -DCPJ_CONFIG_PROFILE='"cpj_config_minimal.h"'
else ifneq ($(PROFILE),full)
$(error PROFILE must be full or minimal)
endif

WARN := -Wall -Wextra -Werror -Wundef -Wshadow -Wvla -Wpointer-arith \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wcast-align \
	-Wwrite-strings -Wno-format-nonliteral
CPPFLAGS_ALL := -Iinclude -Isrc -Iport/$(PORT) $(PROFILE_CPPFLAGS) $(BOARD_CPPFLAGS) $(BEARSSL_CFLAGS)
CFLAGS_ALL := -std=c99 $(OPT) $(WARN) $(BOARD_CFLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL := $(BOARD_LDFLAGS) $(SAN_FLAGS) $(EXTRA_LDFLAGS)
# The agent alone may be linked with link-time optimisation (boards/cross.mk).
AGENT_LDFLAGS_ALL := $(filter-out $(BOARD_NO_LTO),$(LDFLAGS_ALL)) $(AGENT_LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(sort $(filter-out src/agent/%,$(wildcard src/*/*.c)))
PORT_SRCS := $(sort $(wildcard port/$(PORT)/*.c)) port/common/port_fmt.c
AGENT_SRCS := $(sort $(wildcard src/agent/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
PORT_OBJS := $(PORT_SRCS:%.c=$(B)/obj/%.o)
AGENT_OBJS := $(AGENT_SRCS:%.c=$(B)/obj/%.o)

LIBCPJOB := $(B)/libcpjob.a
LIBCORE := $(B)/libcpjob_core.a
AGENT := $(B)/cpjob

.PHONY: all lib agent test check test-build demo deps clean lint size bench install \
	install-lib install-headers install-bin install-unit install-share deps-check
ifeq ($(PROFILE),minimal)
all: lib
else
all: lib agent
endif
lib: $(LIBCPJOB)
agent: $(AGENT)

# Port sources may use POSIX and Linux interfaces.
$(B)/obj/port/%.o: CPPFLAGS_EXTRA := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
$(B)/obj/src/agent/%.o: CPPFLAGS_EXTRA := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
$(B)/obj/tests/%.o: CPPFLAGS_EXTRA := -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Itests

# Build date: the floor for X.509 validity (src/tls/tls_time.c only).
# SOURCE_DATE_EPOCH if set, else the last commit's date, else now;
# override with `make CPJ_BUILD_TIME=<unix seconds>`.
ifndef CPJ_BUILD_TIME
CPJ_BUILD_TIME := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),$(shell date +%s))
endif
$(B)/obj/src/tls/tls_time.o: CPPFLAGS_EXTRA := -DCPJ_BUILD_TIME=$(CPJ_BUILD_TIME)

# Every object depends on the compile command: $(B)/.cflags is rewritten
# when CC, CPPFLAGS_ALL, CFLAGS_ALL or LDFLAGS_ALL change (a board's new
# flag, EXTRA_CFLAGS; link flags too, so that programs are linked again),
# so a build tree never mixes objects of two flag sets. (Per-target extras
# such as CPJ_BUILD_TIME are not part of it.) The recipe runs every time but
# touches the file only when the text differs: objects rebuild only then.
FLAGS_STAMP := $(B)/.cflags
FLAGS_NOW := $(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(LDFLAGS_ALL) $(AGENT_LDFLAGS_ALL)
# A recipe: file $1 gets text $2 when it holds something else (the text
# is written to $1.new as the recipe is expanded, the shell compares).
stamp_update = $(shell mkdir -p $(dir $1))$(file >$1.new,$2)cmp -s $1.new $1 \
	&& rm -f $1.new || mv -f $1.new $1

$(FLAGS_STAMP): FORCE | deps-check
	@$(call stamp_update,$@,$(FLAGS_NOW))

.PHONY: FORCE
FORCE:

$(B)/obj/%.o: %.c $(FLAGS_STAMP) | deps-check
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS_EXTRA) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(LIBCORE): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(LIBCPJOB): $(LIB_OBJS) $(PORT_OBJS)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(AGENT): $(AGENT_OBJS) $(LIBCPJOB)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(AGENT_LDFLAGS_ALL) -o $@ $(AGENT_OBJS) $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

-include $(LIB_OBJS:.o=.d) $(PORT_OBJS:.o=.d) $(AGENT_OBJS:.o=.d)

include tests/tests.mk
-include tests/fuzz/fuzz.mk
-include tests/bench/bench.mk
-include tests/examples/examples.mk
# Boards: BearSSL from source, cross tests under qemu, `boards`, `size`.
include boards/boards.mk

# ---- dependencies, demo ----------------------------------------------------
# Before compiling anything, `make` checks that the board's Debian packages
# are installed, and stops with one line naming those missing and the
# command that installs them (`make deps`, as root, or the apt-get line);
# DEPS_CHECK=0 skips the check.
DEPS_HINT := make deps$(if $(filter-out host,$(BOARD)), BOARD=$(BOARD))
deps:
	$(Q)sh tests/deps.sh build $(BOARD_DEBS)
deps-check:
ifneq ($(DEPS_CHECK),0)
	$(Q)CPJ_DEPS_HINT='$(DEPS_HINT)' sh tests/deps.sh --check build $(BOARD_DEBS)
endif
ifeq ($(CROSS_TEST),1)
# the cross board's own install step (boards/boards.mk) comes after it
$(BOARD_B)/.deps-ok: | deps-check
endif

demo:
	$(Q)sh tests/deps.sh demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)/usr/bin/python3 tests/demo.py --build $(B)

# ---- compiled-in trust anchors (src/tls) -------------------------------------
# Regenerate src/tls/tls_builtin_anchors.c from Debian's ca-certificates.
.PHONY: anchors
anchors:
	$(Q)/usr/bin/python3 src/tls/gen_anchors.py -o src/tls/tls_builtin_anchors.c

# ---- lint: banned symbols in the library -----------------------------------
BANNED := malloc calloc realloc free strdup strndup reallocarray posix_memalign \
	aligned_alloc asprintf vasprintf sprintf vsprintf strcpy strcat strtok atoi printf assert \
	__assert_fail
lint: $(LIBCPJOB)
	$(Q)bad=$$($(NM) -u $(LIBCPJOB) | awk '{print $$NF}' | sort -u | \
		grep -Ex '$(subst $() ,|,$(strip $(BANNED)))' | tr '\n' ' '); \
	if [ -n "$$bad" ]; then echo "lint: $(LIBCPJOB) references banned symbols: $$bad"; exit 1; fi; \
	echo "lint: $(LIBCPJOB) references no heap allocator or banned function"

# ---- install ---------------------------------------------------------------
# install-lib: libcpjob.a and pkgconfig/cpjob.pc (from src/agent/cpjob.pc.in)
# in LIBDIR; install-headers: include/cpjob/ with the board's configuration
# header, which the installed cpj_config.h selects by default (struct sizes
# follow the board); install-bin: the agent; install-unit: the systemd unit
# made from src/agent/cpjob.service.in with these paths, and the sysusers.d
# file of its user; install-share: DOCDIR (example config file and handler,
# the handler contract). Packages: packaging/deb.mk.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
DOCDIR ?= $(PREFIX)/share/cpjob
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
VERSION := $(shell sed -n 's/^\#define CPJ_VERSION_STRING  *"\(.*\)"/\1/p' include/cpj_version.h)
BOARD_CONFIG := $(wildcard boards/$(BOARD)/cpj_board_config.h)
ifeq ($(PROFILE),minimal)
install: install-lib install-headers
else
install: install-lib install-headers install-bin install-unit install-share
endif
# A board's objects also hold gcc's LTO code for the agent's link
# (boards/cross.mk): the installed archive is the machine code alone, which
# any compiler's link takes (a gcc of another version refuses LTO code).
install-lib: $(LIBCPJOB)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	$(if $(BOARD_LTO),$(CROSS_COMPILE)objcopy --wildcard -R '.gnu.lto_*' -R '.gnu.debuglto_*' \
		$(LIBCPJOB) $(DESTDIR)$(LIBDIR)/libcpjob.a && chmod 644 $(DESTDIR)$(LIBDIR)/libcpjob.a, \
		install -m 644 $(LIBCPJOB) $(DESTDIR)$(LIBDIR)/)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@LIBS@|$(strip $(patsubst -l:lib%.a,-l%,$(BEARSSL_LIBS)) $(BOARD_LDLIBS))|' \
		src/agent/cpjob.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/cpjob.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/cpjob.pc
# The installed cpj_config.h selects the board's file and the profile the
# library was built with (one-line sed appends, GNU sed).
INSTALL_CONFIG_SED := $(if $(BOARD_CONFIG),-e '/^\#define CPJ_CONFIG_H$$/a /* installed: the configuration of the board the library was built for */\n\#ifndef CPJ_CONFIG_FILE\n\#define CPJ_CONFIG_FILE "cpj_board_config.h"\n\#endif') \
	$(if $(PROFILE_CPPFLAGS),-e '/^\#define CPJ_CONFIG_H$$/a /* installed: the profile the library was built with */\n\#ifndef CPJ_CONFIG_PROFILE\n\#define CPJ_CONFIG_PROFILE "cpj_config_minimal.h"\n\#endif')
install-headers:
	install -d $(DESTDIR)$(PREFIX)/include/cpjob
	install -m 644 include/*.h port/$(PORT)/cpj_port_impl.h $(DESTDIR)$(PREFIX)/include/cpjob/
ifneq ($(strip $(INSTALL_CONFIG_SED)),)
	$(if $(BOARD_CONFIG),install -m 644 $(BOARD_CONFIG) $(DESTDIR)$(PREFIX)/include/cpjob/cpj_board_config.h)
	sed $(INSTALL_CONFIG_SED) include/cpj_config.h >$(DESTDIR)$(PREFIX)/include/cpjob/cpj_config.h
endif
install-bin: $(AGENT)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(AGENT) $(DESTDIR)$(BINDIR)/
install-unit:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSUSERSDIR@|$(SYSUSERSDIR)|g' \
		src/agent/cpjob.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/cpjob.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/cpjob.service
	install -m 644 src/agent/cpjob.sysusers $(DESTDIR)$(SYSUSERSDIR)/cpjob.conf
install-share:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 src/agent/cpjob.conf.example docs/handler.md $(DESTDIR)$(DOCDIR)/
	install -m 755 src/agent/handler-example.sh $(DESTDIR)$(DOCDIR)/

# Debian packages: make deb, make package-test.
include packaging/deb.mk

clean:
	rm -rf $(BUILD)

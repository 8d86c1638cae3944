# boards/boards.mk -- rules for the boards (boards/README.md), read at the
# end of the top Makefile, after its own rules.
#
#   make boards           build every board's library and agent, check with
#                         `file` that each agent is static and of its arch
#   make BOARD=<b> test   cross boards: unit, vector and loopback integration
#                         tests under qemu-user (or natively for x86_64-musl)
#   make size [BOARD=<b>] size report, see boards/size.mk
#
# A cross board's board.mk includes boards/cross.mk, which sets CROSS_TEST=1
# (its tests run here, not in tests/tests.mk) and BEARSSL_FROM_SRC=1.

BOARD_NAMES := $(patsubst boards/%/board.mk,%,$(wildcard boards/*/board.mk))

.PHONY: boards board-check
boards:
	$(Q)for b in $(BOARD_NAMES); do \
		$(MAKE) --no-print-directory BOARD=$$b all board-check || exit 1; \
	done

# The agent must be of the board's architecture (BOARD_FILE, a `file`
# pattern), and static on every board but host.
board-check: $(AGENT)
	$(Q)f=$$(file -b $(AGENT)); echo "  FILE    $(AGENT): $$f" | cut -c1-150; \
	case "$$f" in *"$(BOARD_FILE)"*) ;; \
	*) echo "$(AGENT): not a $(BOARD_FILE) executable"; exit 1 ;; esac; \
	if [ "$(CROSS_TEST)" = 1 ]; then case "$$f" in *"statically linked"*|*"static-pie linked"*) ;; \
	*) echo "$(AGENT): not statically linked"; exit 1 ;; esac; fi

ifeq ($(CROSS_TEST),1)
include boards/bearssl.mk

# Install the board's toolchain when missing (tests/deps.sh; apt-get when
# root, else it prints the command). Once per build directory.
$(BOARD_B)/.deps-ok:
	$(Q)sh tests/deps.sh build $(BOARD_DEBS)
	@mkdir -p $(dir $@) && touch $@

# jsmn.h alone, so the cross compiler never searches the host's /usr/include.
$(BOARD_B)/include/jsmn.h: | $(BOARD_B)/.deps-ok
	@mkdir -p $(dir $@)
	$(Q)ln -sf $(JSMN_H) $@

# Every object of the tree needs the toolchain and the third-party headers,
# every program BearSSL.
TREE_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(wildcard src/*/*.c port/*/*.c tests/*/*.c))
$(TREE_OBJS): | $(BOARD_B)/.deps-ok $(BOARD_B)/include/jsmn.h $(BEARSSL_HDR)
$(AGENT) $(UNIT_BINS) $(INTEG_BINS) $(BENCH_PROGS) $(EX_BINS): $(BEARSSL_LIB)
$(BENCH_PROGS): | $(BOARD_B)/include/jsmn.h

# Unit tests (sigv4 vectors included) and the loopback integration tests,
# counted by tests/run.sh; tests/scripts/* need the host's Python and agent
# and are left to the host run. Skipped here: integration programs that
# only a host script drives (CROSS_TEST_SKIP): test_job_noalloc also
# interposes malloc, which needs dynamic linking.
CROSS_TEST_SKIP ?= test_job_noalloc
CROSS_TEST_BINS = $(UNIT_BINS) $(filter-out $(addprefix %/,$(CROSS_TEST_SKIP)),$(INTEG_BINS))
# BOARD_SCRIPTS (a board the host runs natively): host scripts of
# tests/scripts/ run against this board's static agent, after the programs.
# BOARD_TEST_ENV (board.mk): environment of the test run, e.g. what the
# tests must find of the CPU the runner emulates.
# make BOARD=<b> check: the unit tests only.
check: CROSS_TEST_BINS = $(UNIT_BINS)
check: BOARD_SCRIPTS =
test check:
	$(Q)sh tests/deps.sh build $(BOARD_DEBS) openssl
	$(if $(BOARD_SCRIPTS),$(Q)sh tests/deps.sh test)
	$(Q)$(MAKE) --no-print-directory all lint $(CROSS_TEST_BINS)
	$(Q)$(BOARD_TEST_ENV) sh boards/run-tests.sh $(B) "$(BOARD_EXEC)" $(CROSS_TEST_BINS) \
		$(BOARD_SCRIPTS:%=tests/scripts/%.py)
endif

include boards/size.mk

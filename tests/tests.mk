# tests/tests.mk -- test programs, included by the top Makefile.
#
# tests/unit/test_*.c         one program each, linked with tests/mock/*.c and
#                             the library without its port (the mock port replaces it)
# tests/integration/test_*.c  one program each, linked with tests/support/*.c and
#                             the full library (real POSIX port, loopback only)
# tests/scripts/test_*        shell or Python scripts (Debian's /usr/bin/python3)
# port/bsdsock                the example port: `make test` builds the library
#                             with it into $(BUILD)/port-bsdsock, with the
#                             conformance test and ex_poll_once, which
#                             tests/scripts/test_port_bsdsock.py runs
# tests/run.sh                runs them all and ends with "N passed, N failed"
#
# make test    everything above (what CI runs, several minutes)
# make check   the unit tests only, built with ASan+UBSan into
#              $(BUILD)/host-san like `make test` (under a minute); with
#              T=test_json (or several names) only those programs. One
#              program by hand: CPJ_TOP=$PWD build/host-san/tests/unit/test_json

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRCS := $(sort $(wildcard tests/integration/test_*.c))
MOCK_SRCS := $(sort $(wildcard tests/mock/*.c))
SUPPORT_SRCS := $(sort $(wildcard tests/support/*.c))
MOCK_OBJS := $(MOCK_SRCS:%.c=$(B)/obj/%.o)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(B)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(B)/tests/integration/%)

$(B)/tests/unit/%: $(B)/obj/tests/unit/%.o $(MOCK_OBJS) $(LIBCORE)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(MOCK_OBJS) $(LIBCORE) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

$(B)/tests/integration/%: $(B)/obj/tests/integration/%.o $(SUPPORT_OBJS) $(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(SUPPORT_OBJS) $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

# Tests of the agent's own sources link its objects (all but main.o, and
# but the static agent's heap for the C library, src/agent/libc_pool.c:
# the tests call setenv() and tmpfile(), which allocate for good; only
# test_libc_pool links it).
AGENT_POOL_OBJ := $(B)/obj/src/agent/libc_pool.o
AGENT_TEST_OBJS := $(filter-out $(B)/obj/src/agent/main.o $(AGENT_POOL_OBJ),$(AGENT_OBJS))
AGENT_TEST_BINS := $(B)/tests/integration/test_creds_chain \
	$(B)/tests/integration/test_agent_setup \
	$(B)/tests/integration/test_jmespath \
	$(B)/tests/integration/test_libc_pool \
	$(B)/tests/integration/test_run_state
# test_agent_setup counts lookups: getaddrinfo() wrapped at link time
# (static boards too, where a second definition would clash with libc's).
$(B)/tests/integration/test_agent_setup: AGENT_TEST_LDFLAGS := -Wl,--wrap=getaddrinfo
$(B)/tests/integration/test_libc_pool: AGENT_TEST_EXTRA := $(AGENT_POOL_OBJ)
$(B)/tests/integration/test_libc_pool: $(AGENT_POOL_OBJ)
$(AGENT_TEST_BINS): $(B)/tests/integration/%: $(B)/obj/tests/integration/%.o \
		$(SUPPORT_OBJS) $(AGENT_TEST_OBJS) $(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) $(AGENT_TEST_LDFLAGS) -o $@ $< $(AGENT_TEST_EXTRA) $(SUPPORT_OBJS) $(AGENT_TEST_OBJS) $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

# Test tools in C (tests/tools/*.c): programs the scripts drive, linked
# like the agent's tests (sign_vectors: libcpjob's SigV4 of JSON lines).
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(B)/tests/tools/%)
$(TOOL_BINS): $(B)/tests/tools/%: $(B)/obj/tests/tools/%.o $(AGENT_TEST_OBJS) \
		$(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(AGENT_TEST_OBJS) $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

-include $(UNIT_SRCS:%.c=$(B)/obj/%.d) $(INTEG_SRCS:%.c=$(B)/obj/%.d) \
	$(MOCK_OBJS:.o=.d) $(SUPPORT_OBJS:.o=.d) $(TOOL_SRCS:%.c=$(B)/obj/%.d)

.SECONDARY:

test-build: all $(UNIT_BINS) $(INTEG_BINS) $(TOOL_BINS)
.PHONY: unit-build
unit-build: $(UNIT_BINS)

# The plain build serves valgrind and the agent tests; the sanitizer build
# runs the test programs. A cross board (CROSS_TEST=1) runs its own tests
# under qemu-user instead: boards/boards.mk.
ifneq ($(CROSS_TEST),1)
test:
	$(Q)sh tests/deps.sh test
	$(Q)$(MAKE) --no-print-directory BOARD=host test-build lint
	$(Q)$(MAKE) --no-print-directory BOARD=host SAN=1 test-build
	$(Q)$(MAKE) --no-print-directory BOARD=host SAN=1 PROFILE=minimal lib examples
	$(Q)$(MAKE) --no-print-directory BOARD=host SAN=1 PORT=bsdsock \
		BUILD=$(BUILD)/port-bsdsock lib lint \
		$(BUILD)/port-bsdsock/host-san/tests/integration/test_port_conformance \
		$(BUILD)/port-bsdsock/host-san/tests/examples/ex_poll_once
	$(Q)sh tests/run.sh $(BUILD)/host-san $(BUILD)/host

# make check builds with -j<cores> unless make was given -j itself.
CHECK_NAMES := $(patsubst %.c,%,$(notdir $(T)))
check:
	$(Q)sh tests/deps.sh build openssl
	$(Q)f=" $$MAKEFLAGS "; f=$${f%% -- *}; \
	case "$$f" in *j*) j= ;; *) j=-j$$(nproc 2>/dev/null || echo 2) ;; esac; \
	$(MAKE) --no-print-directory $$j BOARD=host SAN=1 \
		$(if $(T),$(CHECK_NAMES:%=$(BUILD)/host-san/tests/unit/%),unit-build)
	$(Q)sh tests/run.sh --unit $(BUILD)/host-san $(CHECK_NAMES)
endif

# The soak (tests/soak/soak.py, not part of `make test`): `cpjob run`
# against the emulator with random faults for SOAK_MINUTES (default 15)
# or 10,000 poll cycles, whichever comes first.
SOAK_MINUTES ?= 15
soak:
	$(Q)sh tests/deps.sh test
	$(Q)$(MAKE) --no-print-directory BOARD=host all
	$(Q)CPJ_TOP="$(CURDIR)" CPJ_BUILD="$(CURDIR)/$(BUILD)/host" \
		/usr/bin/python3 tests/soak/soak.py --minutes $(SOAK_MINUTES)

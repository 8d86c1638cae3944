# tests/bench/bench.mk -- benchmarks, included by the top Makefile.
#
#   make bench    builds every program in BENCH_PROGS into $(B)/bench/ with
#                 -O2 and no sanitizers, against the plain library, then
#                 runs each one (they print figures; they are not tests).
#
# A benchmark is one file tests/bench/bench_<name>.c; add it below with
#   BENCH_PROGS += $(B)/bench/bench_<name>
#
# Then tests/bench/run_bench.py measures cpjob against its peers (Debian's
# aws CLI, the AWS SDK for JavaScript v3 from npm) over TLS on loopback
# against tests/emulator, and writes $(BUILD)/bench/results.{md,json,png}
# (the outputs of the programs above are kept there too, as <name>.txt).
# `make bench BENCH_RECORD=1` also writes the table to tests/bench/RESULTS.md.
#
# cpjob is measured twice: the host build ($(B)) and the static build of
# BENCH_STATIC_BOARD (x86_64-musl), the form that ships on devices: its agent
# and bench_cycle, built by a `$(MAKE) BOARD=x86_64-musl` (which installs the
# board's toolchain through tests/deps.sh when needed). When that board does
# not build, the bench runs without the static rows and says why.

BENCH_CFLAGS := -std=c99 -O2 $(WARN) $(BOARD_CFLAGS) $(EXTRA_CFLAGS)
BENCH_CPPFLAGS := $(CPPFLAGS_ALL) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Itests

BENCH_PROGS += $(B)/bench/bench_sigv4
BENCH_PROGS += $(B)/bench/bench_parse

$(B)/bench/%: tests/bench/%.c $(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(CC) $(BENCH_CPPFLAGS) $(BENCH_CFLAGS) -pthread $(BOARD_LDFLAGS) \
		-o $@ $< $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

# The recipe expands BENCH_PROGS when it runs, so programs added after
# this rule (or in other included files) are built and run too.
bench:
ifeq ($(SAN),1)
	@echo "make bench: run without SAN=1 (benchmarks use the plain -O2 library)"; exit 2
endif
	$(Q)sh tests/deps.sh bench
	$(Q)$(MAKE) --no-print-directory $(BENCH_PROGS) $(BENCH_DRIVER_DEPS)
	$(Q)mkdir -p $(BENCH_OUT)
	$(Q)for p in $(BENCH_PROGS); do echo "== $$p"; o="$(BENCH_OUT)/$${p##*/}.txt"; \
		"$$p" >"$$o" 2>&1 || { cat "$$o"; exit 1; }; cat "$$o"; done
ifeq ($(BOARD),host)
	$(Q)rm -f $(BENCH_OUT)/static.ok
	$(Q)$(MAKE) --no-print-directory BOARD=$(BENCH_STATIC_BOARD) $(BENCH_STATIC_PROGS) && \
		touch $(BENCH_OUT)/static.ok || \
		echo "make bench: BOARD=$(BENCH_STATIC_BOARD) did not build: no static rows"
	$(Q)if [ -f $(BENCH_OUT)/static.ok ]; then set -- --static-build $(BENCH_STATIC_B); \
	else set -- --static-unavailable "make BOARD=$(BENCH_STATIC_BOARD) failed"; fi; \
	/usr/bin/python3 tests/bench/run_bench.py --build $(B) --out $(BENCH_OUT) "$$@" \
		$(if $(filter 1,$(BENCH_RECORD)),--record tests/bench/RESULTS.md)
else
	$(Q)/usr/bin/python3 tests/bench/run_bench.py --build $(B) --out $(BENCH_OUT) \
		--static-unavailable "make bench ran with BOARD=$(BOARD)" \
		$(if $(filter 1,$(BENCH_RECORD)),--record tests/bench/RESULTS.md)
endif

# ---- cpjob against its peers (tests/bench/run_bench.py) ----------------------
# bench_cycle: the library's poll + acknowledge + success loop; bench_floor:
# the same three requests pre-built, over one BearSSL connection (the floor);
# alloc_count.so: the LD_PRELOAD allocation counter. None is in BENCH_PROGS:
# the driver runs them against the emulator.
BENCH_OUT := $(BUILD)/bench
BENCH_DRIVER_DEPS := $(AGENT) $(B)/bench/bench_cycle $(B)/bench/bench_floor \
	$(B)/bench/alloc_count.so

# The static variant (host runs of `make bench` only): a static board's
# agent and bench_cycle. bench_cycle is not in BENCH_PROGS, so on a board
# with BearSSL from source it gets the prerequisites boards/boards.mk gives
# those programs.
BENCH_STATIC_BOARD := x86_64-musl
BENCH_STATIC_B := $(BUILD)/$(BENCH_STATIC_BOARD)
BENCH_STATIC_PROGS := $(BENCH_STATIC_B)/cpjob $(BENCH_STATIC_B)/bench/bench_cycle \
	$(BENCH_STATIC_B)/bench/bench_floor
ifeq ($(BEARSSL_FROM_SRC),1)
$(B)/bench/bench_cycle $(B)/bench/bench_floor: $(BEARSSL_LIBS) | $(BOARD_B)/include/jsmn.h
endif

$(B)/bench/alloc_count.so: tests/bench/alloc_count.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(CC) -std=c99 -O2 $(WARN) -fPIC -shared -o $@ $<

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
	$(Q)/usr/bin/python3 tests/bench/run_bench.py --build $(B) --out $(BENCH_OUT) \
		$(if $(filter 1,$(BENCH_RECORD)),--record tests/bench/RESULTS.md)

# ---- cpjob against its peers (tests/bench/run_bench.py) ----------------------
# bench_cycle: the library's poll + acknowledge + success loop; alloc_count.so:
# the LD_PRELOAD allocation counter. Neither is in BENCH_PROGS: the driver runs
# them against the emulator.
BENCH_OUT := $(BUILD)/bench
BENCH_DRIVER_DEPS := $(AGENT) $(B)/bench/bench_cycle $(B)/bench/alloc_count.so

$(B)/bench/alloc_count.so: tests/bench/alloc_count.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(CC) -std=c99 -O2 $(WARN) -fPIC -shared -o $@ $<

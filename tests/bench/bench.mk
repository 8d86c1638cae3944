# tests/bench/bench.mk -- benchmarks, included by the top Makefile.
#
#   make bench    builds every program in BENCH_PROGS into $(B)/bench/ with
#                 -O2 and no sanitizers, against the plain library, then
#                 runs each one (they print figures; they are not tests).
#
# A benchmark is one file tests/bench/bench_<name>.c; add it below with
#   BENCH_PROGS += $(B)/bench/bench_<name>

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
	$(Q)$(MAKE) --no-print-directory $(BENCH_PROGS)
	$(Q)for p in $(BENCH_PROGS); do echo "== $$p"; "$$p" || exit 1; done

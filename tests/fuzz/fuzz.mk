# tests/fuzz/fuzz.mk -- libFuzzer targets (STYLE.md 6.7), included by the
# top Makefile.
#
#   make fuzz                          build every target with clang
#                                      (-fsanitize=fuzzer,address,undefined)
#                                      into $(BUILD)/fuzz/ and run each for
#                                      FUZZ_SECONDS (default 600) with its
#                                      corpus; `make -j2 fuzz` runs two at once
#   make fuzz-run FUZZ=<target> SECONDS=N   build, then run one target
#   make fuzz-build                    build them only
#
# tests/fuzz/fuzz_<target>.c   one LLVMFuzzerTestOneInput per parser
# tests/fuzz/corpus/<target>/  seed inputs (read-only: new inputs go to
#                              $(BUILD)/fuzz/work/<target>/)
# tests/fuzz/crashers/<target>/ inputs that crashed once (regression tests)
# tests/fuzz/replay.c          main() without libFuzzer: `make test` builds
#                              replay_<target> in the sanitizer build (gcc)
#                              and tests/run.sh runs corpus and crashers
#
# Findings land in $(BUILD)/fuzz/artifacts/<target>/, logs in
# $(BUILD)/fuzz/logs/<target>.log; reproduce one with
# `$(BUILD)/fuzz/fuzz_<target> FILE` or `$(BUILD)/host-san/tests/fuzz/replay_<target> FILE`.

FUZZ_TARGETS := http_resp jobs_parse json aws_error s3_xml creds_doc sigv4 \
	shorthand config_file result_file state_file pem client_cert url
FUZZ_SECONDS ?= 600
FUZZ_CC ?= clang
FUZZ_OUT ?= $(BUILD)/fuzz
# Extra libFuzzer flags, e.g. FUZZ_FLAGS=-jobs=2 or -dict=...
FUZZ_FLAGS ?=
# stdout and stderr of the code under test are closed (-close_fd_mask=3);
# libFuzzer and the sanitizers keep reporting.
FUZZ_RUN_FLAGS := -print_final_stats=1 -close_fd_mask=3 -timeout=25 \
	-rss_limit_mb=2048 $(FUZZ_FLAGS)

# `make fuzz-run FUZZ=x SECONDS=N`: SECONDS only from the command line
# (bash keeps a variable of that name).
FUZZ_RUN_SECONDS := $(if $(filter command line,$(origin SECONDS)),$(SECONDS),$(FUZZ_SECONDS))

# What each target links besides its own object.
FUZZ_AGENT_LIB_OBJS := $(filter-out $(B)/obj/src/agent/main.o,$(AGENT_OBJS))
FUZZ_DEPS_http_resp := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_jobs_parse := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_json := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_aws_error := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_s3_xml := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_creds_doc := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_sigv4 := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_pem := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_client_cert := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_url := $(MOCK_OBJS) $(LIBCORE)
FUZZ_DEPS_shorthand := $(B)/obj/src/agent/shorthand.o $(B)/obj/src/agent/cli_param.o $(B)/obj/src/agent/jmespath_out.o $(B)/obj/src/agent/fmt.o $(B)/obj/src/agent/fmt_num.o $(B)/obj/src/agent/arena.o $(MOCK_OBJS) $(LIBCORE)
# the agent's parsers: the agent's objects and the real port; config_file
# compiles src/agent/run_opts.c into itself (load_config() is static)
FUZZ_DEPS_result_file := $(FUZZ_AGENT_LIB_OBJS) $(LIBCPJOB)
FUZZ_DEPS_state_file := $(FUZZ_AGENT_LIB_OBJS) $(LIBCPJOB)
FUZZ_DEPS_config_file := $(filter-out $(B)/obj/src/agent/run_opts.o,$(FUZZ_AGENT_LIB_OBJS)) $(LIBCPJOB)

FUZZ_OBJS := $(FUZZ_TARGETS:%=$(B)/obj/tests/fuzz/fuzz_%.o) $(B)/obj/tests/fuzz/replay.o
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay_%)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)

-include $(FUZZ_OBJS:.o=.d)

.PHONY: fuzz fuzz-build fuzz-bins fuzz-run $(FUZZ_TARGETS:%=fuzz-run-%)

# One replay program (gcc, the sanitizer build of `make test`) and one
# libFuzzer program (clang, a build directory of its own) per target.
define FUZZ_RULES
$(B)/tests/fuzz/replay_$(1): $(B)/obj/tests/fuzz/fuzz_$(1).o $(B)/obj/tests/fuzz/replay.o $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$(BEARSSL_LIBS) $$(BOARD_LDLIBS)

$(FUZZ_OUT)/fuzz_$(1): $(B)/obj/tests/fuzz/fuzz_$(1).o $(FUZZ_DEPS_$(1))
	@mkdir -p $$(dir $$@)
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -fsanitize=fuzzer -o $$@ $$^ $$(BEARSSL_LIBS) $$(BOARD_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULES,$(t))))

ifeq ($(SAN),1)
test-build: $(FUZZ_REPLAY_BINS)
endif

fuzz-bins: $(FUZZ_BINS)

# Build the libFuzzer programs $(1) with clang in $(FUZZ_OUT). Warnings
# stay on but are not errors here: clang warns of things gcc does not, and
# the gcc builds keep -Werror.
FUZZ_CFLAGS ?= -Wno-error
define FUZZ_BUILD
	$(Q)sh tests/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory BOARD=host SAN=1 CC=$(FUZZ_CC) \
		BUILD=$(FUZZ_OUT) FUZZ_OUT=$(FUZZ_OUT) \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_CFLAGS) $(EXTRA_CFLAGS)" $(1)
endef

fuzz-build:
	$(call FUZZ_BUILD,fuzz-bins)

# Run target $(1) for $(2) seconds: new inputs go to the work directory,
# the seeds are only read; the summary line gives executions, corpus and
# result (the exit status is libFuzzer's: non-zero after a finding).
define FUZZ_RUN_ONE
	@mkdir -p $(FUZZ_OUT)/work/$(1) $(FUZZ_OUT)/artifacts/$(1) $(FUZZ_OUT)/logs
	@echo "  FUZZ    $(1) for $(2) s (log: $(FUZZ_OUT)/logs/$(1).log)"
	$(Q)log=$(FUZZ_OUT)/logs/$(1).log; \
	$(FUZZ_OUT)/fuzz_$(1) $(FUZZ_RUN_FLAGS) -max_total_time=$(2) \
		-artifact_prefix=$(FUZZ_OUT)/artifacts/$(1)/ \
		$(FUZZ_OUT)/work/$(1) tests/fuzz/corpus/$(1) >$$log 2>&1; \
	rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1); \
	secs=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $$log | tail -n 1); \
	corp=$$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' $$log | tail -n 1); \
	found=$$(grep -c 'Test unit written to' $$log); \
	echo "fuzz $(1): $${execs:-?} executions in $${secs:-?} s, $${corp:-corp: ?}, findings $$found, exit $$rc"; \
	if [ $$rc -ne 0 ]; then tail -n 40 $$log; fi; \
	exit $$rc
endef

$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%: fuzz-build
	$(call FUZZ_RUN_ONE,$*,$(FUZZ_SECONDS))

fuzz: $(FUZZ_TARGETS:%=fuzz-run-%)

fuzz-run:
	@[ -n "$(FUZZ)" ] || { echo "usage: make fuzz-run FUZZ=<$(subst $() ,|,$(FUZZ_TARGETS))> [SECONDS=N]"; exit 2; }
	$(call FUZZ_BUILD,$(FUZZ_OUT)/fuzz_$(FUZZ))
	$(call FUZZ_RUN_ONE,$(FUZZ),$(FUZZ_RUN_SECONDS))

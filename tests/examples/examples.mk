# tests/examples/examples.mk -- the library's example programs and `make docs`,
# included by the top Makefile.
#
# tests/examples/ex_*.c  one program each, linked with the full library (real
#                        POSIX port) like tests/integration; built by
#                        test-build and run against the emulator by
#                        tests/scripts/test_examples.py.

EX_SRCS := $(sort $(wildcard tests/examples/ex_*.c))
EX_BINS := $(EX_SRCS:tests/examples/%.c=$(B)/tests/examples/%)

# The minimal profile (PROFILE=minimal) builds the examples it can serve
# (poll, acknowledge, report) and check_minimal.c, what the profile refuses;
# `make test` builds them with the sanitizers and test_examples.py runs
# them like the full ones.
EX_MINIMAL := ex_poll_once ex_worker check_minimal
ifeq ($(PROFILE),minimal)
EX_SRCS := $(EX_MINIMAL:%=tests/examples/%.c)
EX_BINS := $(EX_MINIMAL:%=$(B)/tests/examples/%)
endif

$(B)/tests/examples/%: $(B)/obj/tests/examples/%.o $(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCPJOB) $(BEARSSL_LIBS) $(BOARD_LDLIBS)

-include $(EX_SRCS:%.c=$(B)/obj/%.d)

.PHONY: examples
examples: $(EX_BINS)
test-build: $(EX_BINS)

# ---- make docs: the API reference (Doxygen) ----------------------------------
# Every declaration in DOCS_HEADERS must be documented (docs/Doxyfile:
# EXTRACT_ALL=NO, WARN_IF_UNDOCUMENTED=YES); any warning fails the target.
# The other headers are not yet held to it (their struct members and some
# parameters lack doc comments): add each here once doxygen is quiet on it.
DOCS_HEADERS := include/cpj.h include/cpj_version.h include/cpj_err.h \
	include/cpj_config.h include/cpj_buf.h include/cpj_port.h \
	include/cpj_transport.h include/cpj_json.h include/cpj_net.h \
	include/cpj_creds.h include/cpj_codepipeline.h include/cpj_http.h \
	include/cpj_jobs.h include/cpj_s3.h include/cpj_sigv4.h include/cpj_tls.h \
	include/cpj_config_minimal.h include/cpj_worker.h
DOCS_VERSION := $(shell sed -n 's/^\#define CPJ_VERSION_STRING  *"\(.*\)"/\1/p' include/cpj_version.h)

.PHONY: docs
docs:
	$(Q)sh tests/deps.sh docs
	$(Q)rm -rf $(BUILD)/docs && mkdir -p $(BUILD)/docs
	$(Q)CPJ_DOCS_INPUT="$(DOCS_HEADERS) port/README.md" CPJ_DOCS_OUT=$(BUILD)/docs \
		CPJ_DOCS_VERSION=$(DOCS_VERSION) doxygen docs/Doxyfile
	$(Q)if [ -s $(BUILD)/docs/warnings.log ]; then cat $(BUILD)/docs/warnings.log; \
		echo "docs: doxygen warnings (above)"; exit 1; fi
	@echo "docs: $(BUILD)/docs/html/index.html ($(words $(DOCS_HEADERS)) headers, no warning)"

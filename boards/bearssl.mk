# boards/bearssl.mk -- BearSSL built from its release source for one board
# (read by boards/boards.mk when the board sets BEARSSL_FROM_SRC = 1).
#
# BEARSSL_SRC (default $(BUILD)/bearssl-src) is fetched by
# boards/bearssl-src.sh from Debian's source package when it holds no
# inc/bearssl.h; `make BEARSSL_SRC=<dir>` uses an unpacked tree instead.
# Every .c under src/ is compiled with the board's compiler and flags (no
# -Werror: third-party code) into $(BOARD_B)/bearssl/libbearssl.a; with
# --gc-sections only what the library uses is linked. Each object also
# gets a -fcallgraph-info=su file (.ci) for the stack walk of `make size`.

BEARSSL_HDR := $(BEARSSL_SRC)/inc/bearssl.h
BEARSSL_LIB := $(BOARD_B)/bearssl/libbearssl.a
BEARSSL_C := $(sort $(wildcard $(BEARSSL_SRC)/src/*.c $(BEARSSL_SRC)/src/*/*.c))
BEARSSL_OBJS := $(BEARSSL_C:$(BEARSSL_SRC)/src/%.c=$(BOARD_B)/bearssl/obj/%.o)
#
# -fno-strict-aliasing: where the CPU reads unaligned words (x86, arm64),
# BearSSL's codecs (src/inner.h, BR_LE_UNALIGNED / BR_BE_UNALIGNED) store
# and load words through `br_union_u32 *` casts of byte arrays, which C's
# aliasing rules do not allow. Compiled file by file it works; with
# link-time optimisation gcc 12 proved the length word that br_md5_out()
# stores before its last block unread and dropped it, so every MD5 (S3's
# ETag check) came out wrong. Without type-based aliasing the stores stay.
BEARSSL_BUILD_FLAGS := $(OPT) $(BOARD_CFLAGS) -fno-strict-aliasing -fcallgraph-info=su \
	-I$(BEARSSL_SRC)/inc -I$(BEARSSL_SRC)/src

$(BEARSSL_HDR):
	$(Q)sh boards/bearssl-src.sh $(BEARSSL_SRC)

ifneq ($(BEARSSL_C),)
$(BEARSSL_LIB): $(BEARSSL_OBJS)
	$(if $(Q),@echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Rebuilt when the board's compile command changes (the Makefile's
# FLAGS_STAMP): BearSSL's objects include none of our headers, so no other
# dependency would tell.
BEARSSL_FLAGS_STAMP := $(BOARD_B)/bearssl/.cflags
$(BEARSSL_FLAGS_STAMP): FORCE | $(BOARD_B)/.deps-ok
	@$(call stamp_update,$@,$(CC) $(BEARSSL_BUILD_FLAGS))

$(BOARD_B)/bearssl/obj/%.o: $(BEARSSL_SRC)/src/%.c $(BEARSSL_FLAGS_STAMP) | $(BOARD_B)/.deps-ok
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      bearssl/$*.c")
	$(Q)$(CC) $(BEARSSL_BUILD_FLAGS) -c -o $@ $<
else ifeq ($(BEARSSL_SECOND),)
# The source arrives while this make runs: a second make sees its files.
$(BEARSSL_LIB): $(BEARSSL_HDR) | $(BOARD_B)/.deps-ok
	$(Q)$(MAKE) --no-print-directory BEARSSL_SECOND=1 $@
else
# The second make found no source either: stop rather than recurse.
$(BEARSSL_LIB):
	@echo "bearssl: no source files in $(BEARSSL_SRC)/src (remove it and run make again)" >&2; exit 1
endif

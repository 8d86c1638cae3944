# boards/size.mk -- `make size`: code size, RAM and stack of a board
# (read by boards/boards.mk).
#
#   make size BOARD=<b>     report of one board into $(B)/size.txt
#   make size               every board (or BOARDS="host armhf"); a board
#                           whose build fails is skipped with a note. Then
#                           the table of all of them, $(BUILD)/size.md, which
#                           replaces the table in boards/README.md when
#                           every board was reported.
#
# Per board (boards/size-report.sh): text/data/bss of the library objects
# by src/<module>; what the static agent links from each library (link
# map); its stripped size; sizeof of each context (boards/size/sizes.c,
# read with nm: nothing runs); the deepest stack from gcc's
# -fcallgraph-info=su files of a second build of the library and of
# BearSSL ($(B)/size/ci, same flags but without link-time optimisation:
# gcc writes no call graph for an -flto object, so the objects the agent
# links cannot serve), walked by boards/stack-walk.sh. Each figure is
# printed beside its budget (goals, not tests). SIZE_STRICT=1 (CI) makes a
# board that cannot be reported an error instead of a skip.

STRIP := $(CROSS_COMPILE)strip
READELF := $(CROSS_COMPILE)readelf
SIZE_B := $(B)/size
SIZE_CI_B := $(SIZE_B)/ci/$(BOARD)
SIZE_BOARDS := $(or $(BOARDS),$(BOARD_NAMES))

.PHONY: size size-one
ifneq ($(filter command line environment override,$(origin BOARD)),)
size: size-one
else
size:
	$(Q)ok=; for b in $(SIZE_BOARDS); do \
		if $(MAKE) --no-print-directory BOARD=$$b size-one; then ok="$$ok $$b"; \
		elif [ -n '$(SIZE_STRICT)' ]; then echo "size: board $$b: no report" >&2; exit 1; \
		else echo "size: board $$b does not build here: skipped"; fi; \
	done; \
	sh boards/size-table.sh $(BUILD) $(if $(BOARDS),,boards/README.md) $$ok
	$(Q)/usr/bin/python3 boards/stack-doc.py --check $(BUILD)
endif

# The "Stack: at most N bytes." line of every public call in include/, from
# the $(BUILD)/<board>/stack.txt of the last `make size` (see cpj.h).
.PHONY: stack-doc
stack-doc:
	$(Q)/usr/bin/python3 boards/stack-doc.py --write $(BUILD)

$(SIZE_B)/sizes.o: boards/size/sizes.c $(LIBCPJOB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS_ALL) -Isrc/agent $(CFLAGS_ALL) $(BOARD_NO_LTO) -c -o $@ $<

# The agent linked again, with a map, and without link-time optimisation
# (LDFLAGS_ALL only: boards/cross.mk), so that the map tells the libraries
# apart.
$(SIZE_B)/cpjob.map: $(AGENT)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -Wl,-Map=$@ -o $(SIZE_B)/cpjob $(AGENT_OBJS) $(LIBCPJOB) \
		$(BEARSSL_LIBS) $(BOARD_LDLIBS)

# BearSSL's objects are listed when the recipe runs: the source may have
# arrived during this make.
SIZE_CI_OBJS = $(patsubst %.c,$(SIZE_CI_B)/obj/%.o,$(LIB_SRCS) $(PORT_SRCS)) \
	$(if $(BEARSSL_FROM_SRC),$$(find $(SIZE_CI_B)/bearssl/obj -name '*.o' | sort))

# The minimal profile (PROFILE=minimal) of the board, in $(B)-min, and its
# ex_worker linked again with a map.
SIZE_MIN_B := $(BUILD)/$(BOARD)$(if $(filter 1,$(SAN)),-san)-min
.PHONY: size-min
# (after the full library and agent: the sub-make shares BearSSL's
# directory, which must not be built twice at once under -j)
size-min: $(LIBCPJOB) $(AGENT)
	$(Q)$(MAKE) --no-print-directory BOARD=$(BOARD) PROFILE=minimal lib examples
	@mkdir -p $(SIZE_B)
	$(Q)$(CC) $(LDFLAGS_ALL) -Wl,-Map=$(SIZE_B)/ex_worker-min.map -o $(SIZE_B)/ex_worker-min \
		$(SIZE_MIN_B)/obj/tests/examples/ex_worker.o $(SIZE_MIN_B)/libcpjob.a \
		$(BEARSSL_LIBS) $(BOARD_LDLIBS)

size-one: $(LIBCPJOB) $(AGENT) $(SIZE_B)/sizes.o $(SIZE_B)/cpjob.map size-min
	$(Q)$(MAKE) --no-print-directory BOARD=$(BOARD) BUILD=$(SIZE_B)/ci BOARD_LTO= \
		$(if $(BEARSSL_FROM_SRC),BEARSSL_SRC=$(BEARSSL_SRC)) \
		EXTRA_CFLAGS='$(EXTRA_CFLAGS) -ffunction-sections -fcallgraph-info=su' lib \
		$(if $(BEARSSL_FROM_SRC),$(SIZE_CI_B)/bearssl/libbearssl.a)
	$(Q)BOARD='$(BOARD)' CC='$(CC)' CFLAGS_SHOWN='$(OPT) $(BOARD_CFLAGS)' SIZE='$(SIZE)' \
		NM='$(NM)' STRIP='$(STRIP)' READELF='$(READELF)' B='$(B)' \
		LIB_OBJS='$(LIB_OBJS) $(PORT_OBJS)' AGENT='$(AGENT)' AGENT_MAP='$(SIZE_B)/cpjob.map' \
		SIZES_O='$(SIZE_B)/sizes.o' CI_OBJS="$(SIZE_CI_OBJS)" \
		MIN_B='$(SIZE_MIN_B)' MIN_MAP='$(SIZE_B)/ex_worker-min.map' \
		MIN_LIB_OBJS='$(patsubst $(B)/%,$(SIZE_MIN_B)/%,$(LIB_OBJS) $(PORT_OBJS))' \
		sh boards/size-report.sh >$(B)/size.txt.tmp && mv $(B)/size.txt.tmp $(B)/size.txt
	$(Q)cat $(B)/size.txt

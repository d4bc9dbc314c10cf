# keel-store: the host tool that exports a store to a Git repository and
# imports one (tools/store.c, with lib/store and lib/block built for the
# host; links zlib: Debian zlib1g-dev). Its own rule, since it needs more
# than the generic keel-% rule of the top Makefile gives.
#
# Included by the top Makefile and tests/store/test.mk; the guard keeps it
# to one copy.
ifndef KEEL_STORE_TOOL_MK
KEEL_STORE_TOOL_MK := 1

STORE_TOOL := $(H)/bin/keel-store
STORE_TOOL_SRCS := tools/store.c lib/block/block.c $(sort $(wildcard lib/store/*.c))

$(STORE_TOOL): $(STORE_TOOL_SRCS) $(wildcard lib/store/*.h lib/block/*.h) include/keel/store.h \
		include/keel/block.h include/keel/platform.h include/keel/err.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Ilib/store -Ilib/block -o $@ $(STORE_TOOL_SRCS) -lz

endif

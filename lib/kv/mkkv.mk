# keel-mkkv: the host tool that compiles a folder into a store
# (tools/mkkv.c, with lib/kv's shared helpers; links zlib for the gzip
# variants: Debian zlib1g-dev). Its own rule, since it needs more than the
# generic keel-% rule of the top Makefile gives.
#
# Included by lib/kv/site.mk and tests/http/test.mk; the guard keeps it
# to one copy.
ifndef KEEL_MKKV_MK
KEEL_MKKV_MK := 1

MKKV := $(H)/bin/keel-mkkv
MKKV_SRCS := tools/mkkv.c lib/kv/fnv.c lib/kv/key.c lib/kv/mime.c

$(MKKV): $(MKKV_SRCS) include/keel/kv.h include/keel/platform.h include/keel/err.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(MKKV_SRCS) -lz

endif

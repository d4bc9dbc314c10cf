# Host unit tests of lib/block and lib/store (ASan + UBSan).
#
# Every tests/store/*_test.c is one binary $(H)/tests/store/NAME.test,
# linked with the archive $(STORE_T)/libstoretest.a: lib/block and
# lib/store built for the host, the simulated crash device
# (tests/store/simdev.c) and a stand-in platform (stub_platform.c). The
# git_* tests run the real git CLI (Debian package git) in a scratch
# repository under $TMPDIR.

include lib/store/tool.mk

STORE_T := $(H)/tests/store
STORE_TEST_CFLAGS := $(SAN_CFLAGS) -Ilib/store -Ilib/block -Itests/store
STORE_TEST_HDRS := $(wildcard include/keel/*.h lib/store/*.h lib/block/*.h tests/store/*.h)
STORE_TEST_SRCS := $(LIB_SRCS_block) $(LIB_SRCS_store) tests/store/simdev.c \
	tests/store/stub_platform.c
STORE_TEST_OBJS := $(patsubst %,$(STORE_T)/obj/%.o,$(basename $(STORE_TEST_SRCS)))
STORE_TEST_NAMES := $(patsubst tests/store/%_test.c,%,$(wildcard tests/store/*_test.c))

UNIT_TESTS += $(patsubst %,$(STORE_T)/%.test,$(STORE_TEST_NAMES)) $(STORE_TOOL)
.SECONDARY: $(STORE_TEST_OBJS) $(patsubst %,$(STORE_T)/obj/tests/store/%_test.o,$(STORE_TEST_NAMES))

$(STORE_T)/obj/%.o: %.c $(STORE_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(STORE_TEST_CFLAGS) -c $< -o $@

$(STORE_T)/libstoretest.a: $(STORE_TEST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# zlib checks the stored-block encoder against the real inflater.
STORE_TEST_LDFLAGS_zlib := -lz

$(STORE_T)/%.test: $(STORE_T)/obj/tests/store/%_test.o $(STORE_T)/libstoretest.a
	$(HOSTCC) $(STORE_TEST_CFLAGS) -o $@ $< $(STORE_T)/libstoretest.a $(STORE_TEST_LDFLAGS_$*)

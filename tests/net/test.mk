# Host unit tests of lib/net, and the fuzz target of its frame input.
#
# Every tests/net/*_test.c is one test binary $(H)/tests/net/NAME.test.
# Each links the archive $(NET_T)/libnettest.a: the whole of lib/net and
# lib/core (but start.c) built for the host with ASan and UBSan, plus the
# harness (tests/net/harness/: a fake platform with one net device, and
# helpers; see harness.h). Members are pulled in only as needed, so a test
# of a pure parser links just that parser. Tests may include any header
# of lib/net.
#
# fuzz/net_frames.c is built with clang and libFuzzer into
# $(H)/fuzz/net_frames (make net-fuzz); tests/net/fuzz.t runs it briefly.

NET_T := $(H)/tests/net
NET_TEST_ARCH := $(shell uname -m)
NET_TEST_CFLAGS := $(SAN_CFLAGS) -Ilib/net -Ilib/core -Itests/net/harness -DKEEL_TEST_ASAN_FIBERS
NET_TEST_HDRS := $(wildcard include/keel/*.h lib/net/*.h lib/core/*.h tests/net/harness/*.h)
NET_TEST_SRCS := $(LIB_SRCS_net) $(filter-out lib/core/start.c,$(CORE_C_SRCS)) \
	lib/core/arch/$(NET_TEST_ARCH)/switch.S $(wildcard tests/net/harness/*.c)
NET_TEST_OBJS := $(patsubst %,$(NET_T)/obj/%.o,$(basename $(NET_TEST_SRCS)))
NET_TEST_NAMES := $(patsubst tests/net/%_test.c,%,$(wildcard tests/net/*_test.c))

UNIT_TESTS += $(patsubst %,$(NET_T)/%.test,$(NET_TEST_NAMES))
.SECONDARY: $(NET_TEST_OBJS) $(patsubst %,$(NET_T)/obj/tests/net/%_test.o,$(NET_TEST_NAMES))

$(NET_T)/obj/%.o: %.c $(NET_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(NET_TEST_CFLAGS) -c $< -o $@
$(NET_T)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(HOSTCC) $(NET_TEST_CFLAGS) -c $< -o $@

# The helpers the tests share (tcp_util.h) are part of each test.
$(patsubst %,$(NET_T)/obj/tests/net/%_test.o,$(NET_TEST_NAMES)): $(wildcard tests/net/*.h)

$(NET_T)/libnettest.a: $(NET_TEST_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(NET_T)/%.test: $(NET_T)/obj/tests/net/%_test.o $(NET_T)/libnettest.a
	$(HOSTCC) $(NET_TEST_CFLAGS) -o $@ $< $(NET_T)/libnettest.a

# ---- Fuzzing ----------------------------------------------------------------
FUZZ_CC ?= clang
NET_FUZZ_O := $(H)/fuzz/obj
NET_FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude \
	-Ilib/net -Ilib/core -Itests/net/harness -DKEEL_TEST_ASAN_FIBERS $(WARN)
NET_FUZZ_OBJS := $(patsubst %,$(NET_FUZZ_O)/%.o,$(basename $(NET_TEST_SRCS)))

.PHONY: net-fuzz
net-fuzz: $(H)/fuzz/net_frames

$(NET_FUZZ_O)/%.o: %.c $(NET_TEST_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(NET_FUZZ_CFLAGS) -c $< -o $@
$(NET_FUZZ_O)/%.o: %.S
	@mkdir -p $(@D)
	$(FUZZ_CC) $(NET_FUZZ_CFLAGS) -c $< -o $@

$(H)/fuzz/net_frames: $(NET_FUZZ_O)/fuzz/net_frames.o $(NET_FUZZ_OBJS)
	$(FUZZ_CC) $(NET_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

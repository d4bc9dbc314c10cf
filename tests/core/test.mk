# Host unit tests of lib/core. lib/core's sources and the host's switch.S
# are built with the host compiler, ASan and UBSan, against the host libc
# and a mock platform (tests/core/mock_platform.c) whose clock only moves
# when the loop sleeps. start.c is built apart with main renamed, so that
# each test keeps its own main().
#
# KEEL_TEST_ASAN_FIBERS tells lib/core to announce its stack switches to
# AddressSanitizer; images never define it.

CORE_T := $(H)/tests/core
CORE_TEST_ARCH := $(shell uname -m)
CORE_TEST_NAMES := sleep timer waitq yield death log start
CORE_TEST_CFLAGS := $(SAN_CFLAGS) -Ilib/core -Itests/core -DKEEL_TEST_ASAN_FIBERS
CORE_TEST_HDRS := $(wildcard include/keel/*.h lib/core/*.h tests/core/*.h)

CORE_TEST_OBJS := $(patsubst %,$(CORE_T)/obj/%.o,$(basename \
	$(filter-out lib/core/start.c,$(CORE_C_SRCS)) \
	lib/core/arch/$(CORE_TEST_ARCH)/switch.S tests/core/mock_platform.c))

UNIT_TESTS += $(patsubst %,$(CORE_T)/%.test,$(CORE_TEST_NAMES))
# Keep the objects between runs (make would delete them as intermediates).
.SECONDARY: $(CORE_TEST_OBJS) $(patsubst %,$(CORE_T)/obj/tests/core/test_%.o,$(CORE_TEST_NAMES))

$(CORE_T)/obj/%.o: %.c $(CORE_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_TEST_CFLAGS) -c $< -o $@
$(CORE_T)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_TEST_CFLAGS) -c $< -o $@

# keel_start calls main(); in the test it calls core_test_app_main instead.
$(CORE_T)/obj/lib/core/start_test.o: lib/core/start.c $(CORE_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(CORE_TEST_CFLAGS) -Dmain=core_test_app_main -c $< -o $@

# Tests that make allocation fail wrap the allocator at link time.
CORE_TEST_LDFLAGS_timer := -Wl,--wrap=realloc
CORE_TEST_LDFLAGS_yield := -Wl,--wrap=aligned_alloc
CORE_TEST_LDFLAGS_start := -Wl,--wrap=aligned_alloc
CORE_TEST_EXTRA_start := $(CORE_T)/obj/lib/core/start_test.o

$(CORE_T)/%.test: $(CORE_T)/obj/tests/core/test_%.o $(CORE_TEST_OBJS) \
		$(CORE_T)/obj/lib/core/start_test.o
	$(HOSTCC) $(CORE_TEST_CFLAGS) -o $@ $< $(CORE_TEST_OBJS) $(CORE_TEST_EXTRA_$*) \
		$(CORE_TEST_LDFLAGS_$*)

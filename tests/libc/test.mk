# tests/libc/test.mk — host unit tests of lib/libc, under ASan and UBSan.
#
# The libc sources (the x86_64 selection, as on the host) are compiled as
# they are for an image (-ffreestanding -nostdinc, its own headers) but
# with the sanitizers, and with tests/libc/rename.h forced in so that each
# public name NAME becomes kl_NAME. The result, libkl.a, links into
# ordinary host programs beside the host's C library, which the tests
# use as the reference to compare against. shim.c stands in for the
# platform (console, abort, exit).

LIBC_TEST_DIR := $(H)/tests/libc
LIBC_TEST_CFLAGS := $(SAN_CFLAGS) -DKEEL_LIBC_BUILD -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(HOSTCC) -print-file-name=include) -Ilib/libc/include \
	-include tests/libc/rename.h
LIBC_TEST_SRCS := $(call libc_srcs,x86_64)
LIBC_TEST_OBJS := $(patsubst %,$(LIBC_TEST_DIR)/obj/%.o,$(basename $(LIBC_TEST_SRCS))) \
	$(LIBC_TEST_DIR)/obj/generic/memcpy.o $(LIBC_TEST_DIR)/obj/generic/memset.o
LIBC_TEST_LIB := $(LIBC_TEST_DIR)/libkl.a
LIBC_TEST_NAMES := printf strtol string ctype qsort heap setjmp stdio

UNIT_TESTS += $(patsubst %,$(LIBC_TEST_DIR)/%.test,$(LIBC_TEST_NAMES))

$(LIBC_TEST_DIR)/obj/%.o: %.c tests/libc/rename.h
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBC_TEST_CFLAGS) -MMD -MP -c $< -o $@
$(LIBC_TEST_DIR)/obj/%.o: %.S tests/libc/rename.h
	@mkdir -p $(@D)
	$(HOSTCC) -include tests/libc/rename.h -MMD -MP -c $< -o $@
# The generic memcpy and memset, which x86_64 replaces, as klg_memcpy and
# klg_memset.
$(LIBC_TEST_DIR)/obj/generic/%.o: lib/libc/string/%.c tests/libc/rename.h
	@mkdir -p $(@D)
	$(HOSTCC) $(LIBC_TEST_CFLAGS) -DKL_GENERIC -MMD -MP -c $< -o $@

$(LIBC_TEST_LIB): $(LIBC_TEST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Extra sources of a test: LIBC_TEST_EXTRA_<name>, also listed as its
# prerequisites.
LIBC_TEST_EXTRA_setjmp := tests/libc/arch/x86_64/regs.S
$(LIBC_TEST_DIR)/setjmp.test: $(LIBC_TEST_EXTRA_setjmp)

$(LIBC_TEST_DIR)/%.test: tests/libc/%_test.c tests/libc/shim.c tests/libc/kl.h $(LIBC_TEST_LIB)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $< tests/libc/shim.c $(LIBC_TEST_EXTRA_$*) $(LIBC_TEST_LIB) -lm

# With an aarch64 cross compiler and qemu-aarch64 installed, the setjmp
# test also runs on aarch64 (without sanitizers, under qemu's user mode).
LIBC_TEST_AARCH64_CC := $(shell command -v aarch64-linux-gnu-gcc 2>/dev/null)
LIBC_TEST_AARCH64_QEMU := $(shell command -v qemu-aarch64 2>/dev/null)
ifneq ($(LIBC_TEST_AARCH64_CC),)
ifneq ($(LIBC_TEST_AARCH64_QEMU),)
UNIT_TESTS += $(LIBC_TEST_DIR)/setjmp-aarch64.test
$(LIBC_TEST_DIR)/aarch64/setjmp.o: lib/libc/arch/aarch64/setjmp.S tests/libc/rename.h
	@mkdir -p $(@D)
	$(LIBC_TEST_AARCH64_CC) -include tests/libc/rename.h -c $< -o $@
$(LIBC_TEST_DIR)/aarch64/setjmp_test: tests/libc/setjmp_test.c tests/libc/shim.c tests/libc/kl.h \
		tests/libc/arch/aarch64/regs.S $(LIBC_TEST_DIR)/aarch64/setjmp.o
	$(LIBC_TEST_AARCH64_CC) -std=c11 -O1 -g -static -D_GNU_SOURCE -Iinclude $(WARN) -o $@ \
		$< tests/libc/shim.c tests/libc/arch/aarch64/regs.S $(LIBC_TEST_DIR)/aarch64/setjmp.o
$(LIBC_TEST_DIR)/setjmp-aarch64.test: $(LIBC_TEST_DIR)/aarch64/setjmp_test
	printf '#!/bin/sh\nexec %s "$$(dirname "$$0")/aarch64/setjmp_test"\n' \
		'$(LIBC_TEST_AARCH64_QEMU)' > $@
	chmod +x $@
endif
endif

-include $(LIBC_TEST_OBJS:.o=.d)

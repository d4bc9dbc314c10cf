# Host unit tests of platform/x86_64 pieces that are plain C: the
# command-line splitter, the boot information reader, the PV clock
# arithmetic (shared with xen), and platform/common's heap placement.
# (The end-to-end tests, *.t, build x86_64 images themselves with make
# TARGET=x86_64 and run them under QEMU.)

X86_64_T := $(H)/tests/x86_64
UNIT_TESTS += $(X86_64_T)/cmdline.test $(X86_64_T)/boot_info.test $(X86_64_T)/pvclock.test \
	$(X86_64_T)/mem_heap.test

$(X86_64_T)/cmdline.test: tests/x86_64/cmdline_test.c platform/x86_64/cmdline.c \
		platform/x86_64/platform_impl.h platform/x86_64/layout.h \
		platform/common/common.h platform/common/words.c
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/x86_64 -o $@ tests/x86_64/cmdline_test.c \
		platform/x86_64/cmdline.c platform/common/words.c

$(X86_64_T)/pvclock.test: tests/x86_64/pvclock_test.c platform/x86_64/pvclock.c \
		platform/x86_64/platform_impl.h platform/x86_64/layout.h platform/common/common.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/x86_64 -o $@ tests/x86_64/pvclock_test.c \
		platform/x86_64/pvclock.c

$(X86_64_T)/boot_info.test: tests/x86_64/boot_info_test.c platform/x86_64/boot_info.c \
		platform/x86_64/platform_impl.h platform/x86_64/layout.h platform/common/common.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/x86_64 -o $@ tests/x86_64/boot_info_test.c \
		platform/x86_64/boot_info.c

# The image's bounds, which mem_place reads, are symbols set at link.
$(X86_64_T)/mem_heap.test: tests/x86_64/mem_heap_test.c platform/common/mem_heap.c \
		platform/common/print.c platform/x86_64/platform_impl.h platform/x86_64/layout.h \
		platform/common/common.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Iplatform/x86_64 -DPLATFORM_TARGET=x86_64 -no-pie \
		-Wl,--defsym=__image_start=0x100000 -Wl,--defsym=__image_end=0x180000 -o $@ \
		tests/x86_64/mem_heap_test.c platform/common/mem_heap.c platform/common/print.c

# The host's side of tests/vm/net.sh (frames on an AF_PACKET socket),
# made here so that the net tests of both targets, running at once, do
# not write it at the same time (their makes are serialised).
$(H)/bin/framepeer: tests/x86_64/framepeer.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=c11 -O2 -Wall -o $@ $<

# platform/xen — x86_64 as a Xen PVH domain: the image boots through
# Xen's PVH entry and talks to Xen (hypercalls, event channels, PV clock,
# Xen's console) instead of to emulated hardware.
#
# Boot, paging, the CPU tables, the fault report, the command line and
# the manifest are platform/x86_64's own files, compiled here unchanged
# (with x86_64's flags and linker script); platform/xen has the files
# Xen changes (xen_impl.h says which).
ARCH := x86_64

XEN_SHARED_X86_64 := boot.S boot_info.c canary.c cmdline.c cpu.c cpu_random.c \
	cpu_tables.c fault.c guard.c intr.c intr_stubs.S mem.c mem_init.c pvclock.c

# The code every hypervisor target shares (platform/common/common.h),
# through x86_64's platform_impl.h, naming this target in the manifest.
XEN_COMMON_SRCS := platform/common/manifest.c platform/common/mem_heap.c \
	platform/common/print.c platform/common/words.c
$(patsubst %.c,$(B)/obj/%.o,$(XEN_COMMON_SRCS)): IMAGE_CFLAGS += -Iplatform/x86_64
PLATFORM_CFLAGS_TARGET := -DPLATFORM_TARGET=xen

PLATFORM_SRCS := $(addprefix platform/x86_64/,$(XEN_SHARED_X86_64)) \
	$(XEN_COMMON_SRCS) \
	platform/xen/blkfront.c \
	platform/xen/clock.c \
	platform/xen/console.c \
	platform/xen/devices.c \
	platform/xen/evtchn.c \
	platform/xen/exit.c \
	platform/xen/gnttab.c \
	platform/xen/hypercall.c \
	platform/xen/hypercall_page.S \
	platform/xen/netfront.c \
	platform/xen/random.c \
	platform/xen/ring.c \
	platform/xen/shared_info.c \
	platform/xen/start.c \
	platform/xen/xenbus.c \
	platform/xen/xenstore.c \
	platform/xen/xenstore_xen.c \
	platform/xen/yield.c

# As on x86_64 (platform/x86_64/build.mk says why).
PLATFORM_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mstack-protector-guard=global \
	$(PLATFORM_CFLAGS_TARGET)
PLATFORM_LDFLAGS := -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 \
	-Wno-unused-command-line-argument
PLATFORM_LDSCRIPT := platform/x86_64/image.ld

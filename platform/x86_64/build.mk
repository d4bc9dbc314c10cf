# platform/x86_64 — the hypervisor target: an ELF64 kernel that boots
# through the Xen PVH entry or multiboot (QEMU -kernel, Firecracker, GRUB).
ARCH := x86_64

# The virtio code shared with aarch64 (platform/virtio/virtio.h): its
# files include this platform's platform_impl.h through the -I.
VIRTIO_SRCS := $(addprefix platform/virtio/,devices.c virtio.c virtio_blk.c virtio_mmio.c \
	virtio_net.c virtio_pci.c virtio_rng.c)
# The code every hypervisor target shares (platform/common/common.h), the
# same way.
COMMON_SRCS := platform/common/manifest.c platform/common/mem_heap.c platform/common/print.c \
	platform/common/words.c
$(patsubst %.c,$(B)/obj/%.o,$(VIRTIO_SRCS) $(COMMON_SRCS)): IMAGE_CFLAGS += -Iplatform/x86_64

PLATFORM_SRCS := \
	platform/x86_64/boot.S \
	platform/x86_64/boot_info.c \
	platform/x86_64/canary.c \
	platform/x86_64/clock.c \
	platform/x86_64/cmdline.c \
	platform/x86_64/console.c \
	platform/x86_64/cpu.c \
	platform/x86_64/cpu_random.c \
	platform/x86_64/cpu_tables.c \
	platform/x86_64/exit.c \
	platform/x86_64/fault.c \
	platform/x86_64/guard.c \
	platform/x86_64/intr.c \
	platform/x86_64/intr_stubs.S \
	platform/x86_64/ioapic.c \
	platform/x86_64/lapic.c \
	platform/x86_64/mem.c \
	platform/x86_64/mem_init.c \
	platform/x86_64/pci.c \
	platform/x86_64/pic.c \
	platform/x86_64/pit.c \
	platform/x86_64/pvclock.c \
	platform/x86_64/random.c \
	platform/x86_64/rtc.c \
	platform/x86_64/start.c \
	platform/x86_64/virtio_find.c \
	platform/x86_64/virtio_irq.c \
	platform/x86_64/yield.c \
	$(VIRTIO_SRCS) \
	$(COMMON_SRCS)

# Baseline x86-64 code (SSE2; boot.S enables SSE, and C uses it freely).
# No red zone: exceptions, and in kp_yield interrupts, push their frame
# on the current stack, over anything a leaf function kept below %rsp.
# The canary is a global (no thread pointer: %fs is unused). The default
# small code model fits an image linked at 1 MiB.
PLATFORM_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mstack-protector-guard=global

# Pages of 4 KiB so the segments can have their own rights without
# padding the file. Images are linked by the compiler driver with the
# compile flags too; clang would count -nostdinc unused there and -Werror
# make that fatal (gcc ignores an unknown -Wno- option).
PLATFORM_LDFLAGS := -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 \
	-Wno-unused-command-line-argument
PLATFORM_LDSCRIPT := platform/x86_64/image.ld

# platform/aarch64 — the generic ARM target: a kernel for QEMU's `virt`
# board, loaded with -kernel as an arm64 Linux Image (tools/qemu-run-aarch64.sh
# makes the flat Image from the ELF), configured from the device tree.
ARCH := aarch64

# The host's gcc cannot build for aarch64: use the cross compiler unless
# the user named another one (CC=... on the command line or environment).
ifeq ($(CC),gcc)
CC := aarch64-linux-gnu-gcc
endif

# The virtio code shared with x86_64 (platform/virtio/virtio.h): its
# files include this platform's platform_impl.h through the -I.
VIRTIO_SRCS := $(addprefix platform/virtio/,devices.c virtio.c virtio_blk.c virtio_mmio.c \
	virtio_net.c virtio_pci.c virtio_rng.c)
# The code every hypervisor target shares (platform/common/common.h), the
# same way.
COMMON_SRCS := platform/common/manifest.c platform/common/mem_heap.c platform/common/print.c \
	platform/common/words.c
$(patsubst %.c,$(B)/obj/%.o,$(VIRTIO_SRCS) $(COMMON_SRCS)): IMAGE_CFLAGS += -Iplatform/aarch64

PLATFORM_SRCS := \
	platform/aarch64/boot.S \
	platform/aarch64/canary.c \
	platform/aarch64/clock.c \
	platform/aarch64/cmdline.c \
	platform/aarch64/console.c \
	platform/aarch64/dtb.c \
	platform/aarch64/exit.c \
	platform/aarch64/fault.c \
	platform/aarch64/gic.c \
	platform/aarch64/guard.c \
	platform/aarch64/mem.c \
	platform/aarch64/mem_init.c \
	platform/aarch64/pci.c \
	platform/aarch64/random.c \
	platform/aarch64/start.c \
	platform/aarch64/vectors.S \
	platform/aarch64/virtio_find.c \
	platform/aarch64/virtio_irq.c \
	platform/aarch64/yield.c \
	$(VIRTIO_SRCS) \
	$(COMMON_SRCS)

# ARMv8.0-A code for any 64-bit ARM core. C may use the FP/SIMD registers
# (boot.S enables them before any C): no exception handler resumes
# interrupted code, so none has to save them. The canary is a global.
# Unaligned accesses are fine: boot.S turns the MMU on (normal memory)
# before the first C function runs. Leaf functions keep a frame record
# too, so that the fault report's walk does not skip the caller of a
# faulting leaf.
PLATFORM_CFLAGS := -march=armv8-a -mstack-protector-guard=global -mcmodel=small \
	-mno-omit-leaf-frame-pointer

PLATFORM_LDFLAGS := -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 \
	-Wno-unused-command-line-argument
PLATFORM_LDSCRIPT := platform/aarch64/image.ld

# The host's objcopy reads only x86 ELF files.
OBJCOPY := aarch64-linux-gnu-objcopy

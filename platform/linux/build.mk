# platform/linux — the self-sealing Linux target (see platform/linux/README.md).

ARCH := x86_64

PLATFORM_SRCS := $(addprefix platform/linux/, \
	start.S entry.c fail.c env.c clock.c vdso.c console.c exit.c manifest.c devices.c \
	net.c vnet.c block.c yield.c random.c memory.c filter.c seccomp.c hostpoll.c hostsock.c)

# The canary lives in the global __stack_chk_guard (libc) rather than at
# %fs:0x28: images set up no thread pointer. The red zone is kept: no
# signal handler or interrupt ever runs on the image's stacks.
PLATFORM_CFLAGS := -m64 -march=x86-64 -mstack-protector-guard=global

# Images are linked by the compiler driver with the compile flags too;
# clang would count -nostdinc unused there and -Werror make that fatal
# (gcc ignores an unknown -Wno- option).
PLATFORM_LDFLAGS := -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 \
	-Wl,-z,norelro -Wl,--no-dynamic-linker -Wno-unused-command-line-argument

PLATFORM_LDSCRIPT := platform/linux/image.ld

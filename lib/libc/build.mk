# lib/libc/build.mk — the freestanding C library every image links
# (build/<target>/lib/libkeelc.a). Included by the top Makefile after the
# platform fragment, which sets ARCH.
#
# Sources are every .c of the folders below, except that a file in
# lib/libc/arch/$(ARCH)/ replaces the generic file of the same name (e.g.
# arch/x86_64/memcpy.c replaces string/memcpy.c); the arch folder's other
# files (setjmp.S) are added.

LIBC_DIRS := string stdio stdlib ctype malloc misc

libc_arch_srcs = $(sort $(wildcard lib/libc/arch/$(1)/*.c lib/libc/arch/$(1)/*.S))
libc_generic_srcs = $(sort $(foreach d,$(LIBC_DIRS),$(wildcard lib/libc/$(d)/*.c)))
# $(call libc_srcs,ARCH): the source list for one architecture (the host
# unit tests use it too).
libc_srcs = $(filter-out $(patsubst %,\%/%.c,$(basename $(notdir $(call libc_arch_srcs,$(1))))), \
	$(libc_generic_srcs)) $(call libc_arch_srcs,$(1))

LIBC_SRCS := $(call libc_srcs,$(ARCH))

# The compiler emits calls to memcpy, memmove, memset and memcmp by
# itself, and gcc (even with -ffreestanding) may also turn a byte loop
# into such a call: inside memcpy that is a call to itself. gcc's
# -fno-tree-loop-distribute-patterns stops it; clang does not do it under
# -ffreestanding and does not know the flag, so it is probed for.
LIBC_NO_PATTERNS_CFLAGS := $(shell $(CC) -fno-tree-loop-distribute-patterns -Werror \
	-x c -c -o /dev/null /dev/null 2>/dev/null && echo -fno-tree-loop-distribute-patterns)
LIBC_NO_PATTERNS_OBJS := $(patsubst %,$(B)/obj/lib/libc/string/%.o,memcpy memmove memset memcmp)
$(LIBC_NO_PATTERNS_OBJS): IMAGE_CFLAGS += $(LIBC_NO_PATTERNS_CFLAGS)

# <string.h> maps memcpy/memmove/memset/memcmp to the compiler's builtins
# for everyone else (so small fixed-size copies are inlined even under
# -ffreestanding); the library's own files see the plain functions.
$(patsubst %,$(B)/obj/%.o,$(basename $(LIBC_SRCS))): IMAGE_CFLAGS += -DKEEL_LIBC_BUILD

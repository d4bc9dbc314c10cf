# Keel — top-level build (GNU Make).
#
#   make                      libraries, host tools and every example for TARGET
#   make app APP=examples/hello   one application image
#   make unit                 host unit tests (ASan + UBSan)
#   make test                 everything, then the whole test suite
#   make soak | attack | faults   the reliability suites, long (root;
#                             docs/reliability.md); short runs are in make test
#   make fuzz                 builds every fuzzer; make fuzz-run FUZZ_SECONDS=N
#                             builds and runs each for N seconds
#
# Outputs go to build/<target>/ (images, libraries) and build/host/ (tools,
# unit tests). Nothing is written elsewhere.

TARGET ?= linux
ifeq ($(origin CC),default)
CC := gcc
endif
HOSTCC ?= gcc
BUILD_DIR ?= build/$(TARGET)
B := $(BUILD_DIR)
H := build/host

KNOWN_TARGETS := linux x86_64 aarch64 xen
ifeq ($(filter $(TARGET),$(KNOWN_TARGETS)),)
$(error unknown target '$(TARGET)'; known targets: $(KNOWN_TARGETS))
endif

# The platform fragment sets ARCH, PLATFORM_SRCS, PLATFORM_CFLAGS,
# PLATFORM_LDFLAGS and PLATFORM_LDSCRIPT.
include platform/$(TARGET)/build.mk
# A cross target's fragment names its own objcopy.
OBJCOPY ?= objcopy
# Library fragments set <LIB>_SRCS (C and assembly, paths from the top).
include lib/libc/build.mk
include lib/core/build.mk
# Optional libraries an app asks for in keel.mk (APP_LIBS := net ...): each
# lib/<name>/build.mk sets LIB_SRCS_<name>; the archive is libkeel<name>.a.
# A library that does not exist for this TARGET removes itself from OPT_LIBS
# and sets LIB_UNAVAILABLE_<name> to the message an app asking for it gets.
OPT_LIBS := $(filter-out libc core,$(patsubst lib/%/build.mk,%,$(wildcard lib/*/build.mk)))
include $(patsubst %,lib/%/build.mk,$(OPT_LIBS))

CC_INCLUDE := $(shell $(CC) -print-file-name=include)
LIBGCC := $(shell $(CC) $(PLATFORM_CFLAGS) -print-libgcc-file-name)

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wwrite-strings \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter

# Flags for everything that goes into an image.
IMAGE_CFLAGS := -std=c11 -Os -g -ffreestanding -nostdinc -isystem $(CC_INCLUDE) \
	-Iinclude -Ilib/libc/include -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-omit-frame-pointer \
	-fno-pie -fno-pic -fno-plt -fno-common -fstack-protector-strong \
	-ffile-prefix-map=$(CURDIR)=. $(WARN) $(PLATFORM_CFLAGS) $(EXTRA_CFLAGS)
IMAGE_ASFLAGS := -Iinclude -Ilib/libc/include $(PLATFORM_CFLAGS)
IMAGE_LDFLAGS := -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-T,$(PLATFORM_LDSCRIPT) $(PLATFORM_LDFLAGS)

OBJ = $(patsubst %,$(B)/obj/%.o,$(basename $(1)))

LIBC_A := $(B)/lib/libkeelc.a
CORE_A := $(B)/lib/libkeelcore.a
PLATFORM_A := $(B)/lib/libkeelplatform.a
KEEL_LIBS_A := $(PLATFORM_A) $(CORE_A) $(LIBC_A)
OPT_LIBS_A := $(patsubst %,$(B)/lib/libkeel%.a,$(OPT_LIBS))

.PHONY: all libs tools examples app unit test clean
# Library fragments above define rules (lib/tls: libkeeltls.a), so the
# first rule is not this one: say which is the default.
.DEFAULT_GOAL := all
all: libs tools examples

libs: $(KEEL_LIBS_A) $(OPT_LIBS_A)

$(LIBC_A): $(call OBJ,$(LIBC_SRCS))
$(CORE_A): $(call OBJ,$(CORE_SRCS))
$(PLATFORM_A): $(call OBJ,$(PLATFORM_SRCS))
$(foreach l,$(OPT_LIBS),$(eval $(B)/lib/libkeel$(l).a: $(call OBJ,$(LIB_SRCS_$(l)))))
$(KEEL_LIBS_A) $(OPT_LIBS_A):
	@mkdir -p $(@D)
	@rm -f $@
	ar rcsD $@ $^

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(IMAGE_CFLAGS) -MMD -MP -c $< -o $@
$(B)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(IMAGE_ASFLAGS) -MMD -MP -c $< -o $@

# ---- Applications ---------------------------------------------------------
# An application folder holds its C sources and keel.mk, which may set
# APP_SRCS (default: every .c in the folder), APP_CFLAGS, and APP_LIBS (the
# optional libraries it links, e.g. "net"), and APP_SITE (a folder compiled
# into the image as a key-value store, with APP_SITE_EXTRA files the build
# makes: lib/kv/site.mk). APP_SRCS may name files of another folder
# ("../www/main.c"); their objects stay under this app's output.
EXAMPLES := $(patsubst %/keel.mk,%,$(wildcard examples/*/keel.mk))
# An example that needs a library this TARGET lacks (the socket stack
# beyond linux) is passed over with a line saying so.
examples: libs
	@for a in $(EXAMPLES); do $(MAKE) --no-print-directory app APP=$$a SKIP_UNAVAILABLE=1 || exit 1; done

ifneq ($(APP),)
APP_DIR := $(patsubst %/,%,$(APP))
APP_NAME := $(notdir $(APP_DIR))
# Set before keel.mk, so that its own rules can name files of the build.
APP_OUT := $(B)/apps/$(APP_NAME)
APP_SRCS :=
APP_CFLAGS :=
APP_LIBS :=
APP_SITE :=
APP_SITE_EXTRA :=
include $(APP_DIR)/keel.mk
APP_MISSING := $(firstword $(foreach l,$(APP_LIBS),$(if $(filter $(l),$(OPT_LIBS)),,$(l))))
APP_SKIP := $(if $(and $(SKIP_UNAVAILABLE),$(LIB_UNAVAILABLE_$(APP_MISSING))),$(LIB_UNAVAILABLE_$(APP_MISSING)))
$(if $(APP_MISSING),$(if $(APP_SKIP),,$(error $(APP_DIR)/keel.mk: $(or $(LIB_UNAVAILABLE_$(APP_MISSING)),unknown library '$(APP_MISSING)' in APP_LIBS; known: $(OPT_LIBS)))))
APP_LIBS_A := $(patsubst %,$(B)/lib/libkeel%.a,$(APP_LIBS))
APP_SRCS := $(if $(APP_SRCS),$(addprefix $(APP_DIR)/,$(APP_SRCS)),$(wildcard $(APP_DIR)/*.c))
APP_OBJS := $(patsubst $(APP_DIR)/%.c,$(APP_OUT)/obj/%.o,$(APP_SRCS))
# APP_SITE := DIR compiles that folder of the app into the image (lib/kv/site.mk).
include lib/kv/site.mk
APP_IMAGE := $(APP_OUT)/$(APP_NAME)
# Outputs are keyed by the app's name: when a different folder of the same
# name is built, start its output afresh (old dependency files name the
# other folder's sources).
APP_ABS := $(abspath $(APP_DIR))
ifneq ($(shell cat $(APP_OUT)/.app-dir 2>/dev/null),$(APP_ABS))
$(shell rm -rf $(APP_OUT) && mkdir -p $(APP_OUT) && echo '$(APP_ABS)' >$(APP_OUT)/.app-dir)
endif

ifeq ($(APP_SKIP),)
app: $(APP_IMAGE)
else
app:
	@echo "$(APP_DIR): skipped: $(APP_SKIP)"
endif

$(APP_OUT)/obj/%.o: $(APP_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(IMAGE_CFLAGS) $(APP_CFLAGS) -MMD -MP -c $< -o $@

# The unstripped image (.elf, with symbols and a link map) and the stripped
# image that is shipped and run.
$(APP_IMAGE).elf: $(APP_OBJS) $(APP_LIBS_A) $(KEEL_LIBS_A) $(PLATFORM_LDSCRIPT)
	$(CC) $(IMAGE_CFLAGS) $(IMAGE_LDFLAGS) -Wl,-Map,$(APP_IMAGE).map -o $@ \
		$(APP_OBJS) -Wl,--start-group $(APP_LIBS_A) $(KEEL_LIBS_A) $(LIBGCC) -Wl,--end-group
$(APP_IMAGE): $(APP_IMAGE).elf
	$(OBJCOPY) --strip-all $< $@
-include $(APP_OBJS:.o=.d)
endif

# ---- Host tools -----------------------------------------------------------
HOST_CFLAGS := -std=c11 -O2 -g -D_GNU_SOURCE -Iinclude $(WARN)
# keel-mkkv has its own rule (it links zlib): lib/kv/mkkv.mk.
include lib/kv/mkkv.mk
include lib/store/tool.mk
TOOLS := $(H)/bin/keel-inspect $(H)/bin/keel-launch $(H)/bin/keel-faultlink $(MKKV) $(STORE_TOOL)
tools: $(TOOLS)
$(H)/bin/keel-%: tools/%.c tools/elfnote.c tools/elfnote.h include/keel/manifest.h
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< tools/elfnote.c

# ---- Tests ----------------------------------------------------------------
# Each tests/<name>/test.mk adds its host unit-test binaries to UNIT_TESTS
# (built under $(H)/tests/, named *.test) and may add test images.
SAN_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude $(WARN)
UNIT_TESTS :=
include $(wildcard tests/*/test.mk)
unit: $(UNIT_TESTS)

-include fuzz/fuzz.mk

# Every libFuzzer target, built with clang, ASan and UBSan into $(H)/fuzz/;
# make test runs each briefly (tests/*/fuzz*.t).
.PHONY: fuzz
fuzz: net-fuzz parser-fuzz http-fuzz nsock-fuzz store-fuzz tls-fuzz boot-fuzz

test:
	sh tests/run.sh

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

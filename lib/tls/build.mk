# lib/tls — TLS 1.2 as a flow over a flow (include/keel/tls.h), on BearSSL.
#
# BearSSL comes from Debian's source package (lib/tls/fetch-bearssl.sh puts
# it in build/src/, shared by every target) and is compiled here with the
# image flags of this TARGET (freestanding, our libc headers, the target's
# stack protector) — never the host's prebuilt library: see README.md.
# Its objects go into build/<target>/bearssl/ and are archived into
# libkeeltls.a beside lib/tls's own, so an app that says APP_LIBS := tls
# links both and nothing else changes in the build.

BEARSSL_VERSION ?= 0.6+dfsg.1-3
BEARSSL_DIR := build/src/bearssl-$(BEARSSL_VERSION)
BEARSSL_STAMP := $(BEARSSL_DIR)/.keel-unpacked
# The files compiled, relative to BearSSL's src/: all of them (the linker
# keeps only what an image reaches). The list is fixed for the pinned
# version so the build knows its objects before the source is fetched.
BEARSSL_SRCS := $(shell cat lib/tls/bearssl.srcs)
BEARSSL_OBJS := $(patsubst %.c,$(B)/bearssl/%.o,$(BEARSSL_SRCS))

# Configuration of BearSSL for an image (BearSSL's src/config.h):
#   no OS randomness (no /dev/urandom, no RDRAND seeder): lib/tls seeds every
#   engine from kp_random through its own HMAC-DRBG, and refuses otherwise;
#   no time(): lib/tls gives the X.509 validator the time from kp_clock_wall.
# (Recursive: IMAGE_CFLAGS is set after this file is read.)
# The CPU-specific code (AES-NI, PCLMUL, SSE2) stays: it is compiled with
# function target attributes and chosen at run time by CPUID.
BEARSSL_CFLAGS = $(filter-out $(WARN),$(IMAGE_CFLAGS)) -w \
	-I$(BEARSSL_DIR)/inc -I$(BEARSSL_DIR)/src \
	-DBR_USE_URANDOM=0 -DBR_USE_WIN32_RAND=0 -DBR_RDRAND=0 \
	-DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_TIME=0

# GCC drops -mstack-protector-guard=global in functions that carry a
# target("...") attribute and reads the canary at %fs:0x28 there, where an
# image has no thread pointer. The files whose functions have one are built
# without the stack protector (they handle no variable-length data on the
# stack); tests/tls/bearssl.t checks that no object reads %fs.
BEARSSL_TARGET_ATTR_OBJS := $(addprefix $(B)/bearssl/, hash/ghash_pclmul.o \
	symcipher/aes_x86ni.o symcipher/aes_x86ni_cbcdec.o symcipher/aes_x86ni_cbcenc.o \
	symcipher/aes_x86ni_ctr.o symcipher/aes_x86ni_ctrcbc.o symcipher/chacha20_sse2.o)
$(BEARSSL_TARGET_ATTR_OBJS): BEARSSL_CFLAGS += -fno-stack-protector

LIB_SRCS_tls := $(sort $(wildcard lib/tls/*.c))
$(B)/lib/libkeeltls.a: $(BEARSSL_OBJS)
$(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS_tls)): IMAGE_CFLAGS += -isystem $(BEARSSL_DIR)/inc
$(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS_tls)): | $(BEARSSL_STAMP)

$(BEARSSL_STAMP): lib/tls/fetch-bearssl.sh
	sh lib/tls/fetch-bearssl.sh '$(BEARSSL_VERSION)' '$(BEARSSL_DIR)'
	@touch $@

$(B)/bearssl/%.o: $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	$(CC) $(BEARSSL_CFLAGS) -c $(BEARSSL_DIR)/src/$*.c -o $@

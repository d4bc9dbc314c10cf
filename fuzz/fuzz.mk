# fuzz/fuzz.mk — libFuzzer targets of the DHCP and DNS parsers of lib/net,
# of lib/store's readers of foreign bytes, and of the TLS handshake
# (lib/tls, BearSSL; at the end).
#
#   fuzz/dhcp.c  dhcp_parse_reply      (lib/net/dhcp_msg.c)
#   fuzz/dns.c   dns_parse_response,   (lib/net/dns_msg.c)
#                dns_name_read
#   fuzz/store.c trees, commits, the open scan of a damaged disk, the
#                line merge (lib/store, lib/block; make store-fuzz)
#   fuzz/boot_info.c, cmdline.c, dtb.c, xenstore.c: the hypervisor
#                targets' boot-time readers (make boot-fuzz; below)
#
# Each is built with clang, libFuzzer, ASan and UBSan into $(H)/fuzz/NAME
# from its target and the one pure parser file it exercises (`make
# parser-fuzz`). Seed corpora: fuzz/corpus/NAME/. tests/net/fuzz_dhcp_dns.t
# runs each briefly on a copy of its seeds.
#
# Included from the top Makefile, or given to make beside it
# (make -f Makefile -f fuzz/fuzz.mk ...): the guard keeps it to one copy.
ifndef KEEL_PARSER_FUZZ_MK
KEEL_PARSER_FUZZ_MK := 1

FUZZ_CC ?= clang
PARSER_FUZZ_CFLAGS = -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude \
	-Ilib/net $(WARN)
PARSER_FUZZ_NAMES := dhcp dns
PARSER_FUZZ_SRCS_dhcp := lib/net/dhcp_msg.c
PARSER_FUZZ_SRCS_dns := lib/net/dns_msg.c
PARSER_FUZZ_HDRS = $(wildcard include/keel/*.h lib/net/*.h)

.PHONY: parser-fuzz
parser-fuzz: $(patsubst %,$(H)/fuzz/%,$(PARSER_FUZZ_NAMES))

$(foreach n,$(PARSER_FUZZ_NAMES),$(eval $(H)/fuzz/$(n): fuzz/$(n).c $(PARSER_FUZZ_SRCS_$(n)) $$(PARSER_FUZZ_HDRS)))
$(patsubst %,$(H)/fuzz/%,$(PARSER_FUZZ_NAMES)):
	@mkdir -p $(@D)
	$(FUZZ_CC) $(PARSER_FUZZ_CFLAGS) -o $@ fuzz/$(@F).c $(PARSER_FUZZ_SRCS_$(@F))

# The store target links all of lib/store and lib/block's helpers, with
# the simulated device and stand-in platform of tests/store (no platform
# device underneath). tests/store/fuzz.t runs it on fuzz/corpus/store.
STORE_FUZZ_SRCS = fuzz/store.c $(filter-out lib/block/platform.c,$(sort $(wildcard lib/block/*.c))) \
	$(sort $(wildcard lib/store/*.c)) tests/store/simdev.c tests/store/stub_platform.c
STORE_FUZZ_HDRS = $(wildcard include/keel/*.h lib/store/*.h lib/block/*.h tests/store/*.h)

.PHONY: store-fuzz
store-fuzz: $(H)/fuzz/store

$(H)/fuzz/store: $(STORE_FUZZ_SRCS) $(STORE_FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(PARSER_FUZZ_CFLAGS) -Ilib/store -Ilib/block -Itests/store -o $@ $(STORE_FUZZ_SRCS)

# The boot-time readers of the hypervisor targets, each built from the
# platform's own files (the code the images run) with the platform's
# private header (make boot-fuzz; tests/reliability/fuzz_boot.t runs
# them briefly):
#   fuzz/boot_info.c  x86_64's (and xen's) PVH start info and multiboot
#                     information: memory map, command line pointer
#   fuzz/cmdline.c    x86_64's command line into argv, virtio_mmio
#                     entries, lib/net's network options
#   fuzz/dtb.c        aarch64's device tree reader and its bootargs
#   fuzz/xenstore.c   xen's xenstore client against a hostile xenstored
BOOT_FUZZ_NAMES := boot_info cmdline dtb xenstore
BOOT_FUZZ_SRCS_boot_info := platform/x86_64/boot_info.c
BOOT_FUZZ_SRCS_cmdline := platform/x86_64/cmdline.c platform/common/words.c lib/net/config.c \
	lib/net/addr.c
BOOT_FUZZ_SRCS_dtb := platform/aarch64/dtb.c platform/aarch64/cmdline.c platform/common/words.c
BOOT_FUZZ_SRCS_xenstore := platform/xen/xenstore.c
BOOT_FUZZ_INC_boot_info := -Iplatform/x86_64
BOOT_FUZZ_INC_cmdline := -Iplatform/x86_64
BOOT_FUZZ_INC_dtb := -Iplatform/aarch64
BOOT_FUZZ_HDRS = $(wildcard include/keel/*.h lib/net/*.h platform/common/*.h platform/virtio/*.h \
	platform/x86_64/*.h platform/aarch64/*.h platform/xen/*.h)

.PHONY: boot-fuzz
boot-fuzz: $(patsubst %,$(H)/fuzz/%,$(BOOT_FUZZ_NAMES))

$(foreach n,$(BOOT_FUZZ_NAMES),$(eval $(H)/fuzz/$(n): fuzz/$(n).c $(BOOT_FUZZ_SRCS_$(n)) $$(BOOT_FUZZ_HDRS)))
$(patsubst %,$(H)/fuzz/%,$(BOOT_FUZZ_NAMES)):
	@mkdir -p $(@D)
	$(FUZZ_CC) $(PARSER_FUZZ_CFLAGS) $(BOOT_FUZZ_INC_$(@F)) -o $@ fuzz/$(@F).c \
		$(BOOT_FUZZ_SRCS_$(@F))

endif

# ---- TLS handshakes ----------------------------------------------------------
# fuzz/tls_handshake.c: lib/tls and BearSSL (from the same Debian source
# as the images, same configuration) behind a mock flow whose bytes are the
# hostile peer's, server and client side, on lib/core with the mock
# platform of the core tests and the certificates of tests/tls
# (tests/tls/test.mk makes them). Built with clang, libFuzzer, ASan and
# UBSan into $(H)/fuzz/tls_handshake (make tls-fuzz); seeds in
# fuzz/corpus/tls_handshake/; tests/tls/fuzz.t runs it briefly.
ifdef TLS_T
ifndef KEEL_TLS_FUZZ_MK
KEEL_TLS_FUZZ_MK := 1
TLS_FUZZ_O := $(H)/fuzz/tls
TLS_FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude \
	-Ilib/tls -Ilib/core -Itests/core -isystem $(BEARSSL_DIR)/inc -DKEEL_TEST_ASAN_FIBERS $(WARN)
TLS_FUZZ_BEARSSL_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -w -I$(BEARSSL_DIR)/inc \
	-I$(BEARSSL_DIR)/src -DBR_USE_URANDOM=0 -DBR_USE_WIN32_RAND=0 -DBR_RDRAND=0 \
	-DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_TIME=0
TLS_FUZZ_OBJS := $(patsubst %,$(TLS_FUZZ_O)/obj/%.o,$(basename $(TLS_TEST_SRCS)))
TLS_FUZZ_BEARSSL_OBJS := $(patsubst %.c,$(TLS_FUZZ_O)/bearssl/%.o,$(BEARSSL_SRCS))
.SECONDARY: $(TLS_FUZZ_OBJS) $(TLS_FUZZ_BEARSSL_OBJS)

.PHONY: tls-fuzz
tls-fuzz: $(H)/fuzz/tls_handshake

$(TLS_FUZZ_O)/obj/%.o: %.c $(TLS_TEST_HDRS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(TLS_FUZZ_CFLAGS) -c $< -o $@
$(TLS_FUZZ_O)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(FUZZ_CC) $(TLS_FUZZ_CFLAGS) -c $< -o $@
$(TLS_FUZZ_O)/bearssl/%.o: $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(TLS_FUZZ_BEARSSL_CFLAGS) -c $(BEARSSL_DIR)/src/$*.c -o $@
$(TLS_FUZZ_O)/libtlsfuzz.a: $(TLS_FUZZ_OBJS) $(TLS_FUZZ_BEARSSL_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(H)/fuzz/tls_handshake: fuzz/tls_handshake.c $(TLS_T)/gen/certs.c $(TLS_FUZZ_O)/libtlsfuzz.a \
		$(TLS_TEST_HDRS)
	$(FUZZ_CC) $(TLS_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ fuzz/tls_handshake.c \
		$(TLS_T)/gen/certs.c $(TLS_FUZZ_O)/libtlsfuzz.a
endif
endif

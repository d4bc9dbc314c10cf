# fuzz/fuzz.mk — libFuzzer targets of the DHCP and DNS parsers of lib/net,
# and of lib/store's readers of foreign bytes.
#
#   fuzz/dhcp.c  dhcp_parse_reply      (lib/net/dhcp_msg.c)
#   fuzz/dns.c   dns_parse_response,   (lib/net/dns_msg.c)
#                dns_name_read
#   fuzz/store.c trees, commits, the open scan of a damaged disk, the
#                line merge (lib/store, lib/block; make store-fuzz)
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

endif

# Tests of lib/net-socket, the socket stack.
#
# Host unit tests (ASan+UBSan) of its pure parts: addresses, the network
# options, and the DNS messages (known-answer vectors and mutated answers),
# and a libFuzzer target of the DNS answer reader (make nsock-fuzz).
# `peer` is the host side of the end-to-end tests (the .t scripts), which
# run the image tests/net-socket/sockecho against the host's own stack.

NSOCK_T := $(H)/tests/net-socket
NSOCK_PURE := lib/net-socket/addr.c lib/net-socket/config.c lib/net-socket/dns_msg.c
UNIT_TESTS += $(NSOCK_T)/addr.test $(NSOCK_T)/dns.test

$(NSOCK_T)/%.test: tests/net-socket/%_test.c $(NSOCK_PURE) lib/net-socket/dns_msg.h \
		include/keel/net.h include/keel/err.h
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Ilib/net-socket -o $@ $< $(NSOCK_PURE)

$(NSOCK_T)/peer: tests/net-socket/peer.c
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

# libFuzzer target of the DNS answer reader (tests/net-socket/fuzz.t).
.PHONY: nsock-fuzz
nsock-fuzz: $(H)/fuzz/nsock_dns
$(H)/fuzz/nsock_dns: tests/net-socket/dns_fuzz.c $(NSOCK_PURE) lib/net-socket/dns_msg.h
	@mkdir -p $(@D)
	$(or $(FUZZ_CC),clang) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude \
		-Ilib/net-socket $(WARN) -o $@ tests/net-socket/dns_fuzz.c $(NSOCK_PURE)

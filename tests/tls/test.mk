# Host unit tests of lib/tls (ASan + UBSan).
#
# tests/tls/session_test.c runs a client and a server of lib/tls against
# each other in one process, over an in-memory pipe of two flows, with the
# runtime (lib/core but start.c) and the mock platform of the core tests.
# BearSSL is compiled for the host from the same Debian source tree as the
# images (lib/tls/build.mk), with the sanitizers and the same configuration.
# The certificates are made at build time by tools/keel-cert.sh (openssl)
# and compiled in: a CA, a.test (ECDSA) and b.test + *.b.test (RSA).

TLS_T := $(H)/tests/tls
TLS_TEST_ARCH := $(shell uname -m)
TLS_TEST_CFLAGS := $(SAN_CFLAGS) -Ilib/tls -Ilib/core -Itests/core -isystem $(BEARSSL_DIR)/inc \
	-DKEEL_TEST_ASAN_FIBERS
TLS_BEARSSL_CFLAGS := -std=c11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -w -I$(BEARSSL_DIR)/inc -I$(BEARSSL_DIR)/src \
	-DBR_USE_URANDOM=0 -DBR_USE_WIN32_RAND=0 -DBR_RDRAND=0 -DBR_USE_UNIX_TIME=0 \
	-DBR_USE_WIN32_TIME=0
TLS_TEST_HDRS := $(wildcard include/keel/*.h lib/tls/*.h lib/core/*.h tests/core/*.h)
TLS_TEST_SRCS := $(LIB_SRCS_tls) $(filter-out lib/core/start.c,$(CORE_C_SRCS)) \
	lib/core/arch/$(TLS_TEST_ARCH)/switch.S tests/core/mock_platform.c
TLS_TEST_OBJS := $(patsubst %,$(TLS_T)/obj/%.o,$(basename $(TLS_TEST_SRCS)))
TLS_BEARSSL_OBJS := $(patsubst %.c,$(TLS_T)/bearssl/%.o,$(BEARSSL_SRCS))

UNIT_TESTS += $(TLS_T)/session.test
.SECONDARY: $(TLS_TEST_OBJS) $(TLS_BEARSSL_OBJS)

$(TLS_T)/obj/%.o: %.c $(TLS_TEST_HDRS) | $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TLS_TEST_CFLAGS) -c $< -o $@
$(TLS_T)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(HOSTCC) $(TLS_TEST_CFLAGS) -c $< -o $@
$(TLS_T)/bearssl/%.o: $(BEARSSL_STAMP)
	@mkdir -p $(@D)
	$(HOSTCC) $(TLS_BEARSSL_CFLAGS) -c $(BEARSSL_DIR)/src/$*.c -o $@

$(TLS_T)/libtlstest.a: $(TLS_TEST_OBJS) $(TLS_BEARSSL_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Certificates as C (a.test_pem.c, b.test_pem.c, ca.crt as ca_pem.c).
$(TLS_T)/gen/certs.c: tools/keel-cert.sh
	@rm -rf $(@D) && mkdir -p $(@D)
	sh tools/keel-cert.sh --out $(@D) --ca $(@D)/ca a.test >/dev/null
	sh tools/keel-cert.sh --rsa --out $(@D) --ca $(@D)/ca b.test b.test '*.b.test' >/dev/null
	sh tools/keel-cert.sh --out $(@D) other.test >/dev/null
	{ cat $(@D)/a.test_pem.c $(@D)/b.test_pem.c $(@D)/other.test_pem.c; \
	  printf 'const char ca_pem[] =\n'; sed 's/.*/\t"&\\n"/' $(@D)/ca.crt; printf '\t;\n'; } >$@

$(TLS_T)/session.test: tests/tls/session_test.c $(TLS_T)/gen/certs.c $(TLS_T)/libtlstest.a \
		$(TLS_TEST_HDRS)
	$(HOSTCC) $(TLS_TEST_CFLAGS) -Wl,--wrap=kp_random -Wl,--wrap=kp_clock_wall -o $@ \
		tests/tls/session_test.c $(TLS_T)/gen/certs.c $(TLS_T)/libtlstest.a

# Host unit tests of lib/http and lib/kv, keel-mkkv, and the fuzz target
# of the request parser.
#
# Every tests/http/*_test.c is one test binary $(H)/tests/http/NAME.test.
# Each links the archive $(HTTP_T)/libhttptest.a: lib/http, lib/kv and
# lib/core (but start.c) built for the host with ASan and UBSan, the mock
# platform of the core tests (tests/core/mock_platform.c: a clock that
# moves only when the loop sleeps) and the in-memory flow
# (tests/http/mock_flow.c). Members are pulled in only as needed, so a
# test of the pure parser links just that parser. Tests may include
# lib/http's private header.
#
#   kv_static   links a site compiled by keel-mkkv from tests/http/site
#               (and zlib, to check the gzip variants)
#   kv_tar      wraps kp_block_acquire/kp_block_read (-Wl,--wrap) to serve
#               an archive from memory
#
# fuzz/http_request.c is built with clang and libFuzzer into
# $(H)/fuzz/http_request (make http-fuzz); tests/http/fuzz.t runs it.

include lib/kv/mkkv.mk

HTTP_T := $(H)/tests/http
HTTP_TEST_ARCH := $(shell uname -m)
HTTP_TEST_CFLAGS := $(SAN_CFLAGS) -Ilib/http -Ilib/core -Itests/core -Itests/http \
	-DKEEL_TEST_ASAN_FIBERS
HTTP_TEST_HDRS := $(wildcard include/keel/*.h lib/http/*.h lib/core/*.h tests/core/*.h \
	tests/http/*.h)
HTTP_TEST_SRCS := $(LIB_SRCS_http) $(LIB_SRCS_kv) $(filter-out lib/core/start.c,$(CORE_C_SRCS)) \
	lib/core/arch/$(HTTP_TEST_ARCH)/switch.S tests/core/mock_platform.c tests/http/mock_flow.c \
	tests/http/resp.c
HTTP_TEST_OBJS := $(patsubst %,$(HTTP_T)/obj/%.o,$(basename $(HTTP_TEST_SRCS)))
HTTP_TEST_NAMES := $(patsubst tests/http/%_test.c,%,$(wildcard tests/http/*_test.c))

UNIT_TESTS += $(patsubst %,$(HTTP_T)/%.test,$(HTTP_TEST_NAMES))
.SECONDARY: $(HTTP_TEST_OBJS) $(patsubst %,$(HTTP_T)/obj/tests/http/%_test.o,$(HTTP_TEST_NAMES))

$(HTTP_T)/obj/%.o: %.c $(HTTP_TEST_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HTTP_TEST_CFLAGS) -c $< -o $@
$(HTTP_T)/obj/%.o: %.S
	@mkdir -p $(@D)
	$(HOSTCC) $(HTTP_TEST_CFLAGS) -c $< -o $@

$(HTTP_T)/libhttptest.a: $(HTTP_TEST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The site of kv_static, compiled as an image would compile it (but for
# the host, with the sanitizers).
HTTP_SITE_C := $(HTTP_T)/gen/test_site.c
HTTP_SITE_O := $(HTTP_T)/gen/test_site.o
# Rebuilt when anything under the site is newer than the output (a test
# that make cannot express with file names holding spaces), or a folder
# gained or lost an entry.
HTTP_SITE_STALE := $(shell find tests/http/site -newer $(HTTP_SITE_C) 2>/dev/null | head -n 1)
.PHONY: http-site-changed
$(HTTP_SITE_C): $(MKKV) $(shell find tests/http/site -type d ! -name '* *') \
		$(if $(HTTP_SITE_STALE),http-site-changed)
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH= $(MKKV) -n test_site -o $@ tests/http/site
$(HTTP_SITE_O): $(HTTP_SITE_C) include/keel/kv.h
	$(HOSTCC) $(HTTP_TEST_CFLAGS) -c $< -o $@

HTTP_TEST_EXTRA_kv_static := $(HTTP_SITE_O)
HTTP_TEST_LDFLAGS_kv_static := -lz
HTTP_TEST_LDFLAGS_kv_tar := -Wl,--wrap=kp_block_acquire -Wl,--wrap=kp_block_read

$(HTTP_T)/kv_static.test: $(HTTP_SITE_O)
$(HTTP_T)/%.test: $(HTTP_T)/obj/tests/http/%_test.o $(HTTP_T)/libhttptest.a
	$(HOSTCC) $(HTTP_TEST_CFLAGS) -o $@ $< $(HTTP_TEST_EXTRA_$*) $(HTTP_T)/libhttptest.a \
		$(HTTP_TEST_LDFLAGS_$*)

# ---- Fuzzing ----------------------------------------------------------------
# The pure files of lib/http: the parser and what evaluates header values.
FUZZ_CC ?= clang
HTTP_FUZZ_SRCS := $(patsubst %,lib/http/%.c,parse head chunked range cond accept date percent)
HTTP_FUZZ_CFLAGS = -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE -Iinclude \
	-Ilib/http $(WARN)

.PHONY: http-fuzz
http-fuzz: $(H)/fuzz/http_request

$(H)/fuzz/http_request: fuzz/http_request.c $(HTTP_FUZZ_SRCS) $(wildcard include/keel/*.h) \
		lib/http/http_impl.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(HTTP_FUZZ_CFLAGS) -o $@ fuzz/http_request.c $(HTTP_FUZZ_SRCS)

/*
 * addr_test — keel_addr_* / keel_sockaddr_* text forms: what parses, what
 * is refused (and leaves the output untouched), and formatting into
 * buffers of every size.
 */
#include "harness.h"

static void parse_ok(const char *text, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct keel_addr x, want = keel_addr_ipv4(a, b, c, d);

	CHECK(keel_addr_parse(text, &x) == KEEL_OK);
	CHECK(keel_addr_equal(&x, &want));
}

static void parse_bad(const char *text)
{
	struct keel_addr x = keel_addr_ipv4(9, 9, 9, 9), keep = x;

	if (keel_addr_parse(text, &x) != KEEL_EINVAL) {
		printf("accepted '%s'\n", text);
		CHECK(!"a bad address was accepted");
	}
	CHECK(keel_addr_equal(&x, &keep));
}

static void body(void *arg)
{
	static const char *const bad[] = {
		"",
		"1",
		"1.2.3",
		"1.2.3.4.",
		"1.2.3.4.5",
		"256.0.0.1",
		"1.2.3.256",
		"01.2.3.4",
		"1.2.3.04",
		"+1.2.3.4",
		"-1.2.3.4",
		" 1.2.3.4",
		"1.2.3.4 ",
		"1..3.4",
		".1.2.3",
		"1.2.3.4/24",
		"a.b.c.d",
		"1.2.3.0x4",
		"1000.2.3.4",
		"1.2.3.4\n",
		"0000.0.0.0",
		"1.2.3.-0",
		"4294967296.1.1.1",
	};
	static const char *const bad_sa[] = {
		"1.2.3.4",        "1.2.3.4:",    ":80",         "1.2.3.4:65536", "1.2.3.4:080",
		"1.2.3.4:-1",     "1.2.3.4:+80", "1.2.3.4:80x", "1.2.3.4::80",   "1.2.3:80",
		"1.2.3.4:123456", "1.2.3.4: 80",
	};
	struct keel_sockaddr sa;
	struct keel_addr a;
	char buf[KEEL_ADDR_STRLEN];

	parse_ok("10.0.0.2", 10, 0, 0, 2);
	parse_ok("0.0.0.0", 0, 0, 0, 0);
	parse_ok("255.255.255.255", 255, 255, 255, 255);
	parse_ok("192.168.100.1", 192, 168, 100, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);
	CHECK(keel_addr_parse(NULL, &a) == KEEL_EINVAL);

	CHECK(keel_sockaddr_parse("10.0.0.2:80", &sa) == KEEL_OK);
	CHECK(sa.port == 80 && sa.addr.bytes[3] == 2 && sa.addr.family == KEEL_AF_INET4);
	CHECK(keel_sockaddr_parse("1.2.3.4:0", &sa) == KEEL_OK && sa.port == 0);
	CHECK(keel_sockaddr_parse("1.2.3.4:65535", &sa) == KEEL_OK && sa.port == 65535);
	for (size_t i = 0; i < sizeof(bad_sa) / sizeof(bad_sa[0]); i++) {
		sa.port = 7;
		if (keel_sockaddr_parse(bad_sa[i], &sa) != KEEL_EINVAL) {
			printf("accepted '%s'\n", bad_sa[i]);
			CHECK(!"a bad socket address was accepted");
		}
		CHECK(sa.port == 7);
	}

	/* Equality looks at the family too. */
	a = keel_addr_any4();
	struct keel_addr unspec = { .family = KEEL_AF_UNSPEC };
	CHECK(!keel_addr_equal(&a, &unspec));
	CHECK(keel_addr_equal(&a, &a));

	/* Formatting: full text, and truncation like snprintf. */
	a = keel_addr_ipv4(255, 255, 255, 255);
	CHECK(keel_addr_format(&a, buf, sizeof(buf)) == 15 && strcmp(buf, "255.255.255.255") == 0);
	for (size_t len = 0; len <= 16; len++) {
		char small[16];

		memset(small, 'x', sizeof(small));
		CHECK(keel_addr_format(&a, small, len) == 15);
		if (len > 0) {
			CHECK(small[len - 1] == '\0');
			CHECK(strncmp(small, "255.255.255.255", len - 1) == 0);
		}
		if (len < sizeof(small))
			CHECK(len == 0 ? small[0] == 'x' : true);
	}
	sa.addr = keel_addr_ipv4(10, 0, 0, 2);
	sa.port = 65535;
	CHECK(keel_sockaddr_format(&sa, buf, sizeof(buf)) == 14 &&
	      strcmp(buf, "10.0.0.2:65535") == 0);
	CHECK(keel_sockaddr_format(&sa, buf, 5) == 14 && strcmp(buf, "10.0") == 0);
	/* Round trip over a spread of addresses. */
	for (unsigned i = 0; i < 2000; i++) {
		struct keel_addr x = keel_addr_ipv4((uint8_t)(i * 7), (uint8_t)(i * 13),
		                                    (uint8_t)(i >> 3), (uint8_t)(i * 31)),
		                 y;

		keel_addr_format(&x, buf, sizeof(buf));
		CHECK(keel_addr_parse(buf, &y) == KEEL_OK && keel_addr_equal(&x, &y));
	}
	/* Other families format as something, never as garbage. */
	a = (struct keel_addr){ .family = KEEL_AF_INET6, .bytes = { 0x20, 0x01, 0x0d, 0xb8 } };
	keel_addr_format(&a, buf, sizeof(buf));
	CHECK(strcmp(buf, "2001:db8:0:0:0:0:0:0") == 0);
	sa.addr = a;
	sa.port = 443;
	keel_sockaddr_format(&sa, buf, sizeof(buf));
	CHECK(strcmp(buf, "[2001:db8:0:0:0:0:0:0]:443") == 0);
	keel_addr_format(&unspec, buf, sizeof(buf));
	CHECK(strcmp(buf, "unspecified") == 0);
}

int main(void)
{
	return h_main("net/addr", body, NULL);
}

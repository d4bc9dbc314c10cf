/*
 * Unit test of lib/net-socket/addr.c and config.c on the host: parsing and
 * formatting addresses, and the network options of the command line.
 */
#include <stdio.h>
#include <string.h>

#include <keel/net.h>

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static void test_addr_parse(void)
{
	static const char *const bad[] = {
		"",           "1",        "1.2.3",    "1.2.3.4.5",  "256.1.1.1", "1.2.3.256",
		"01.2.3.4",   "1.2.3.04", "1..3.4",   ".1.2.3",     "1.2.3.",    "+1.2.3.4",
		"1.2.3.4 ",   " 1.2.3.4", "1.2.3.-4", "1.2.3.4x",   "0x1.2.3.4", "1000.1.1.1",
		"1.2.3.4:80", "::1",      "a.b.c.d",  "1.2.3.0000",
	};
	struct keel_addr a = keel_addr_ipv4(9, 9, 9, 9), b;

	CHECK(keel_addr_parse("10.0.0.2", &a) == KEEL_OK);
	b = keel_addr_ipv4(10, 0, 0, 2);
	CHECK(keel_addr_equal(&a, &b));
	CHECK(a.family == KEEL_AF_INET4);
	CHECK(keel_addr_parse("0.0.0.0", &a) == KEEL_OK);
	b = keel_addr_any4();
	CHECK(keel_addr_equal(&a, &b));
	CHECK(keel_addr_parse("255.255.255.255", &a) == KEEL_OK && a.bytes[3] == 255);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = keel_addr_ipv4(9, 9, 9, 9);
		if (keel_addr_parse(bad[i], &a) != KEEL_EINVAL) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			failures++;
		}
		CHECK(a.bytes[0] == 9); /* untouched on error */
	}
	CHECK(keel_addr_parse(NULL, &a) == KEEL_EINVAL);
}

static void test_sockaddr(void)
{
	static const char *const bad[] = {
		"1.2.3.4",   "1.2.3.4:",       ":80",          "1.2.3.4:65536", "1.2.3.4:080",
		"1.2.3.4:x", "1.2.3.4:80:",    "1.2.3:80",     "1.2.3.4: 80",   "1.2.3.4:-1",
		"x:80",      "1.2.3.4:999999", "1.2.3.4.5:80",
	};
	struct keel_sockaddr sa;
	char buf[KEEL_ADDR_STRLEN];

	CHECK(keel_sockaddr_parse("127.0.0.1:8080", &sa) == KEEL_OK);
	CHECK(sa.port == 8080 && sa.addr.bytes[0] == 127 && sa.addr.bytes[3] == 1);
	CHECK(keel_sockaddr_parse("1.2.3.4:0", &sa) == KEEL_OK && sa.port == 0);
	CHECK(keel_sockaddr_parse("1.2.3.4:65535", &sa) == KEEL_OK && sa.port == 65535);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (keel_sockaddr_parse(bad[i], &sa) != KEEL_EINVAL) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			failures++;
		}
	}

	sa.addr = keel_addr_ipv4(10, 0, 0, 2);
	sa.port = 80;
	CHECK(keel_sockaddr_format(&sa, buf, sizeof(buf)) == 11 && !strcmp(buf, "10.0.0.2:80"));
	CHECK(keel_addr_format(&sa.addr, buf, sizeof(buf)) == 8 && !strcmp(buf, "10.0.0.2"));
	/* Cut short: still terminated, and the full length is returned. */
	CHECK(keel_sockaddr_format(&sa, buf, 5) == 11 && !strcmp(buf, "10.0"));
	sa.addr.family = KEEL_AF_UNSPEC;
	keel_addr_format(&sa.addr, buf, sizeof(buf));
	CHECK(!strcmp(buf, "unspecified"));
	memset(&sa.addr, 0xff, sizeof(sa.addr));
	sa.addr.family = KEEL_AF_INET6;
	sa.port = 65535;
	CHECK(keel_sockaddr_format(&sa, buf, sizeof(buf)) < KEEL_ADDR_STRLEN);
	CHECK(!strcmp(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"));
}

/* Runs keel_net_config_args on a copy of args (NULL-terminated). */
static int args(struct keel_net_config *cfg, const char **in, int *argc, char **out, char *err,
                size_t errlen)
{
	int n = 0;

	while (in[n]) {
		out[n] = (char *)in[n];
		n++;
	}
	out[n] = NULL;
	*argc = n;
	return keel_net_config_args(cfg, argc, out, err, errlen);
}

static void test_config(void)
{
	struct keel_net_config cfg, before;
	char *argv[16], err[128];
	int argc;
	struct keel_addr want;

	keel_net_config_default(&cfg);
	CHECK(cfg.addr.family == KEEL_AF_UNSPEC && cfg.dns.family == KEEL_AF_UNSPEC);
	CHECK(cfg.max_tcp_conns == 0 && cfg.log_config);

	{
		const char *in[] = { "app",
			             "serve",
			             "--ipv4=10.0.0.2/24",
			             "80",
			             "--ipv4-gateway=10.0.0.1",
			             "--dns=127.0.0.53",
			             "--max-conns=300",
			             "--",
			             "--dns=1.1.1.1",
			             NULL };

		CHECK(args(&cfg, in, &argc, argv, err, sizeof(err)) == KEEL_OK);
		CHECK(argc == 5);
		CHECK(!strcmp(argv[1], "serve") && !strcmp(argv[2], "80"));
		CHECK(!strcmp(argv[3], "--") && !strcmp(argv[4], "--dns=1.1.1.1"));
		CHECK(argv[5] == NULL);
		want = keel_addr_ipv4(10, 0, 0, 2);
		CHECK(keel_addr_equal(&cfg.addr, &want) && cfg.prefix_len == 24);
		want = keel_addr_ipv4(127, 0, 0, 53);
		CHECK(keel_addr_equal(&cfg.dns, &want));
		CHECK(cfg.max_tcp_conns == 300);
		CHECK(err[0] == '\0');
	}

	/* Errors leave both the configuration and argv as they were. */
	static const char *const wrong[] = {
		"--ipv4",
		"--ipv4=10.0.0.2",
		"--ipv4=10.0.0.2/33",
		"--ipv4=10.0.0.2/0",
		"--ipv4=1.2.3/8",
		"--dns=0.0.0.0",
		"--dns=224.0.0.1",
		"--dns=",
		"--max-conns=0",
		"--max-conns=1000001",
		"--max-conns=-1",
		"--max-conns=07",
		"--ipv4-gateway=x",
		"--ipv4=10.0.0.2/024",
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		const char *in[] = { "app", "keep", wrong[i], NULL };

		keel_net_config_default(&cfg);
		before = cfg;
		err[0] = '\0';
		if (args(&cfg, in, &argc, argv, err, sizeof(err)) != KEEL_EINVAL) {
			fprintf(stderr, "accepted '%s'\n", wrong[i]);
			failures++;
		}
		CHECK(argc == 3 && argv[2] == in[2]);
		CHECK(!memcmp(&cfg, &before, sizeof(cfg)));
		CHECK(err[0] != '\0');
	}
	{
		const char *in[] = { "app", "--dns=1.1.1.1", "--dns=8.8.8.8", NULL };

		CHECK(args(&cfg, in, &argc, argv, err, sizeof(err)) == KEEL_EINVAL);
		CHECK(strstr(err, "twice") != NULL);
	}
	{
		/* Look-alikes are the application's. */
		const char *in[] = { "app", "--dnsx=1", "--ipv4x", "-dns=1.1.1.1", NULL };

		CHECK(args(&cfg, in, &argc, argv, err, sizeof(err)) == KEEL_OK && argc == 4);
	}
	{
		const char *in[] = { "app", NULL };

		CHECK(args(&cfg, in, &argc, argv, NULL, 0) == KEEL_OK && argc == 1);
	}
}

int main(void)
{
	test_addr_parse();
	test_sockaddr();
	test_config();
	if (failures) {
		printf("addr: FAIL (%d checks)\n", failures);
		return 1;
	}
	printf("addr: ok\n");
	return 0;
}

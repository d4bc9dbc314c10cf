/*
 * config_test — keel_net_config_default and keel_net_config_args: the
 * options are applied and removed, everything else is kept in order, and
 * a bad option leaves both argv and the configuration untouched.
 */
#include "harness.h"

#define MAXARGS 16

struct args {
	int argc;
	char *argv[MAXARGS + 1];
	char store[MAXARGS][64];
};

static void make_args(struct args *a, const char *const *list)
{
	a->argc = 0;
	for (; *list; list++) {
		snprintf(a->store[a->argc], sizeof(a->store[0]), "%s", *list);
		a->argv[a->argc] = a->store[a->argc];
		a->argc++;
	}
	a->argv[a->argc] = NULL;
}

static int apply(struct keel_net_config *cfg, struct args *a, const char *const *list, char *err)
{
	make_args(a, list);
	return keel_net_config_args(cfg, &a->argc, a->argv, err, 128);
}

static void bad(const char *opt)
{
	const char *list[] = { "img", "keep", opt, "last", NULL };
	struct keel_net_config cfg, before;
	struct args a;
	char err[128];

	keel_net_config_default(&cfg);
	before = cfg;
	if (apply(&cfg, &a, list, err) != KEEL_EINVAL) {
		printf("accepted '%s'\n", opt);
		CHECK(!"a bad option was accepted");
	}
	CHECK(err[0] != '\0');
	CHECK(a.argc == 4 && strcmp(a.argv[2], opt) == 0);
	CHECK(memcmp(&cfg, &before, sizeof(cfg)) == 0);
}

static void body(void *arg)
{
	struct keel_net_config cfg;
	struct args a;
	char err[128];
	struct keel_addr want;

	keel_net_config_default(&cfg);
	CHECK(cfg.addr.family == KEEL_AF_UNSPEC && cfg.gateway.family == KEEL_AF_UNSPEC);
	CHECK(cfg.dns.family == KEEL_AF_UNSPEC && cfg.frame_buffers == 0 && cfg.log_config);

	{
		const char *list[] = { "img",
			               "--ipv4=10.0.0.2/24",
			               "one",
			               "--ipv4-gateway=10.0.0.1",
			               "--dns=10.0.0.53",
			               "two",
			               "--max-conns=100",
			               NULL };

		CHECK(apply(&cfg, &a, list, err) == KEEL_OK);
		CHECK(a.argc == 3 && a.argv[3] == NULL);
		CHECK(strcmp(a.argv[0], "img") == 0 && strcmp(a.argv[1], "one") == 0 &&
		      strcmp(a.argv[2], "two") == 0);
		want = keel_addr_ipv4(10, 0, 0, 2);
		CHECK(keel_addr_equal(&cfg.addr, &want) && cfg.prefix_len == 24);
		want = keel_addr_ipv4(10, 0, 0, 1);
		CHECK(keel_addr_equal(&cfg.gateway, &want));
		want = keel_addr_ipv4(10, 0, 0, 53);
		CHECK(keel_addr_equal(&cfg.dns, &want));
		CHECK(cfg.max_tcp_conns == 100);
	}
	{
		/* Nothing after "--" is ours; "--" itself stays for main. */
		const char *list[] = { "img", "--", "--ipv4=1.2.3.4/8", NULL };

		keel_net_config_default(&cfg);
		CHECK(apply(&cfg, &a, list, err) == KEEL_OK);
		CHECK(a.argc == 3 && cfg.addr.family == KEEL_AF_UNSPEC);
	}
	{
		/* Options that only look like ours are left alone. */
		const char *list[] = { "img", "--ipv4x=1", "--dnsmasq", "-ipv4=1.2.3.4/8", NULL };

		keel_net_config_default(&cfg);
		CHECK(apply(&cfg, &a, list, err) == KEEL_OK);
		CHECK(a.argc == 4);
	}
	{
		/* /32 and /31 have no network or broadcast address. */
		const char *list[] = { "img", "--ipv4=10.1.2.3/32", NULL };
		const char *list31[] = { "img", "--ipv4=10.1.2.0/31", NULL };

		keel_net_config_default(&cfg);
		CHECK(apply(&cfg, &a, list, err) == KEEL_OK && cfg.prefix_len == 32);
		keel_net_config_default(&cfg);
		CHECK(apply(&cfg, &a, list31, err) == KEEL_OK && cfg.prefix_len == 31);
	}
	{
		const char *list[] = { "img", NULL };

		CHECK(apply(&cfg, &a, list, err) == KEEL_OK && a.argc == 1);
	}

	bad("--ipv4");
	bad("--ipv4=");
	bad("--ipv4=10.0.0.2");
	bad("--ipv4=10.0.0.2/");
	bad("--ipv4=10.0.0.2/33");
	bad("--ipv4=10.0.0.2/0");
	bad("--ipv4=10.0.0.2/024");
	bad("--ipv4=10.0.0.2/24x");
	bad("--ipv4=10.0.0.0/24");   /* the subnet itself */
	bad("--ipv4=10.0.0.255/24"); /* its broadcast */
	bad("--ipv4=0.0.0.0/8");
	bad("--ipv4=127.0.0.1/8");
	bad("--ipv4=224.0.0.1/4");
	bad("--ipv4=10.0.0.300/24");
	bad("--ipv4-gateway=10.0.0");
	bad("--ipv4-gateway=255.255.255.255");
	bad("--dns");
	bad("--dns=");
	bad("--dns=1.2.3.4.5");
	bad("--max-conns=0");
	bad("--max-conns=-1");
	bad("--max-conns=10x");
	bad("--max-conns=99999999999999999999");
	bad("--max-conns=");
	bad("--max-conns=012");
	{
		/* Given twice; and a gateway outside the subnet. */
		const char *twice[] = { "img", "--dns=1.1.1.1", "--dns=8.8.8.8", NULL };
		const char *far[] = { "img", "--ipv4=10.0.0.2/24", "--ipv4-gateway=10.0.1.1",
			              NULL };
		const char *self[] = { "img", "--ipv4=10.0.0.2/24", "--ipv4-gateway=10.0.0.2",
			               NULL };

		keel_net_config_default(&cfg);
		CHECK(apply(&cfg, &a, twice, err) == KEEL_EINVAL && a.argc == 3);
		CHECK(apply(&cfg, &a, far, err) == KEEL_EINVAL && a.argc == 3);
		CHECK(strstr(err, "--ipv4-gateway") != NULL);
		CHECK(apply(&cfg, &a, self, err) == KEEL_EINVAL);
		CHECK(cfg.addr.family == KEEL_AF_UNSPEC);
	}
	/* No error buffer is fine. */
	{
		const char *list[] = { "img", "--dns=x", NULL };

		make_args(&a, list);
		CHECK(keel_net_config_args(&cfg, &a.argc, a.argv, NULL, 0) == KEEL_EINVAL);
	}
}

int main(void)
{
	return h_main("net/config", body, NULL);
}

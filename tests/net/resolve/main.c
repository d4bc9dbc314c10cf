/*
 * resolve — brings up the direct stack on net device "service" and
 * resolves names through its DNS server.
 *
 *   resolve [--ipv4=ADDR/PREFIX --dns=ADDR ...] [--stay=SECONDS] NAME...
 *
 * Without --ipv4 the address comes from DHCP (waited for up to 30 s).
 * Prints "resolve: address A.B.C.D", then for each NAME one line
 * "resolve: NAME A.B.C.D" or "resolve: NAME error TEXT". With --stay, it
 * then keeps running for SECONDS (long enough for the lease to be renewed)
 * and prints the address and resolves the names again. Last it closes the
 * stack (keel_net_close, which gives a DHCP lease back) and prints
 * "resolve: closed: TEXT" (success or why not). Exit status 0 when the
 * stack came up (whatever the names gave), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/manifest.h>
#include <keel/net.h>

KEEL_NET_DEVICE(service);

static void print_address(struct keel_net *net)
{
	struct keel_addr a = keel_net_addr(net);
	char text[KEEL_ADDR_STRLEN];

	if (a.family == KEEL_AF_UNSPEC) {
		printf("resolve: address none\n");
		return;
	}
	keel_addr_format(&a, text, sizeof(text));
	printf("resolve: address %s\n", text);
}

static void resolve_all(struct keel_net *net, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct keel_addr a;
		char text[KEEL_ADDR_STRLEN];
		int err = keel_resolve(net, argv[i], &a, keel_now() + 10 * KEEL_SEC);

		if (err == KEEL_OK) {
			keel_addr_format(&a, text, sizeof(text));
			printf("resolve: %s %s\n", argv[i], text);
		} else {
			printf("resolve: %s error %s\n", argv[i], keel_strerror(err));
		}
	}
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	struct keel_net *net;
	char err_text[128];
	unsigned long stay = 0;
	int err;

	keel_net_config_default(&cfg);
	if (keel_net_config_args(&cfg, &argc, argv, err_text, sizeof(err_text)) != KEEL_OK) {
		printf("resolve: %s\n", err_text);
		return 1;
	}
	if (argc > 1 && strncmp(argv[1], "--stay=", 7) == 0) {
		stay = strtoul(argv[1] + 7, NULL, 10);
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	err = keel_net_open("service", &cfg, keel_now() + 30 * KEEL_SEC, &net);
	if (err != KEEL_OK) {
		printf("resolve: keel_net_open: %s\n", keel_strerror(err));
		return 1;
	}
	print_address(net);
	resolve_all(net, argc, argv);
	if (stay) {
		keel_sleep(stay * KEEL_SEC);
		print_address(net);
		resolve_all(net, argc, argv);
	}
	/* The stack goes: a lease from DHCP is given back. */
	err = keel_net_close(net, keel_now() + KEEL_SEC);
	printf("resolve: closed: %s\n", keel_strerror(err));
	return 0;
}

/*
 * ping — the test image of the lower half of the direct stack (tests/net/ping.t, udp.t, arp.t).
 *
 *   ping --ipv4=ADDR/PREFIX [--seconds=N] [--udp-port=P]
 *
 * Opens the stack on net device "service" (the network options are those
 * of keel_net_config_args), answers ARP and ping by itself, and echoes
 * every UDP datagram that reaches port P (default 7) back to its sender.
 * A datagram "quit" ends it at once; otherwise it ends after N seconds
 * (default 30), so a test can never leave it running. Before ending it
 * prints the stack's counters and "ping: done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/manifest.h>
#include <keel/net.h>

KEEL_NET_DEVICE(service);

static struct keel_net *net;
static struct keel_waitq done = KEEL_WAITQ_INIT(done);
static bool quit;

static void echo(void *arg)
{
	struct keel_udp *u = arg;
	static char buf[65536];

	while (!quit) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(u, buf, sizeof(buf), &from, KEEL_FOREVER);

		if (n < 0)
			break;
		if (n == 4 && memcmp(buf, "quit", 4) == 0) {
			quit = true;
			keel_wake_all(&done);
			break;
		}
		if (n > (long)sizeof(buf))
			n = sizeof(buf);
		keel_udp_sendto(u, buf, (size_t)n, &from);
	}
}

/* Reads --name=N (decimal, > 0); false when arg is another option. */
static bool number_option(const char *arg, const char *name, unsigned long *out)
{
	size_t n = strlen(name);
	char *end;

	if (strncmp(arg, name, n) != 0 || arg[n] != '=')
		return false;
	*out = strtoul(arg + n + 1, &end, 10);
	if (*end || *out == 0) {
		printf("ping: bad %s\n", arg);
		exit(2);
	}
	return true;
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	unsigned long seconds = 30, port = 7;
	struct keel_sockaddr local = { keel_addr_any4(), 0 };
	struct keel_udp *u;
	char err[128];
	keel_time end;
	int rc;

	keel_net_config_default(&cfg);
	if (keel_net_config_args(&cfg, &argc, argv, err, sizeof(err)) != KEEL_OK) {
		printf("ping: %s\n", err);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (!number_option(argv[i], "--seconds", &seconds) &&
		    !number_option(argv[i], "--udp-port", &port)) {
			printf("ping: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	end = keel_now() + seconds * KEEL_SEC;
	rc = keel_net_open("service", &cfg, keel_now() + 10 * KEEL_SEC, &net);
	if (rc != KEEL_OK) {
		printf("ping: keel_net_open: %s\n", keel_strerror(rc));
		return 1;
	}
	local.port = (uint16_t)port;
	rc = keel_udp_bind(net, &local, &u);
	if (rc != KEEL_OK || !keel_fiber_spawn(echo, u, 0)) {
		printf("ping: cannot start the UDP echo: %s\n", keel_strerror(rc));
		return 1;
	}
	printf("ping: ready\n");
	while (!quit && keel_now() < end)
		keel_wait(&done, end);
	keel_net_stats_print(net);
	printf("ping: done\n");
	return 0;
}

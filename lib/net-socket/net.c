/*
 * net.c — a socket stack instance: keel_net_open(), keel_net_close() and
 * keel_net_addr().
 *
 * This object also carries the manifest note that asks the platform for
 * host sockets. Every use of the stack goes through keel_net_open(), so an
 * image that links any socket call links this object, and with it the
 * note; an image that does not, does not get the socket calls past its
 * seal.
 */
#include <stdio.h>
#include <stdlib.h>

#include <keel/manifest.h>

#include "nsock_impl.h"

KEEL_HOST_SOCKETS();

int keel_net_open(const char *device, const struct keel_net_config *cfg, keel_time deadline,
                  struct keel_net **out)
{
	struct keel_net_config defaults;
	struct keel_net *net;
	char dns[KEEL_ADDR_STRLEN];
	int rc;

	if (!out)
		return KEEL_EINVAL;
	if (!cfg) {
		keel_net_config_default(&defaults);
		cfg = &defaults;
	}
	rc = nsock_poller_start();
	if (rc != KEEL_OK) {
		KEEL_ERROR("net-socket: the platform offers no host sockets (%s)",
		           keel_strerror(rc));
		return rc;
	}
	net = calloc(1, sizeof(*net));
	if (!net)
		return KEEL_ENOMEM;
	net->dns = cfg->dns;
	net->max_conns = cfg->max_tcp_conns ? cfg->max_tcp_conns : NSOCK_DEFAULT_MAX_CONNS;

	/* The host's interfaces, addresses and routes are used as they are. */
	if (cfg->addr.family != KEEL_AF_UNSPEC || cfg->gateway.family != KEEL_AF_UNSPEC)
		KEEL_INFO("net-socket: --ipv4 and --ipv4-gateway are ignored: the socket stack "
		          "uses the host's addresses and routes");
	if (cfg->log_config) {
		if (net->dns.family == KEEL_AF_UNSPEC)
			snprintf(dns, sizeof(dns), "none");
		else
			keel_addr_format(&net->dns, dns, sizeof(dns));
		KEEL_INFO("net-socket: host sockets (TCP and UDP over IPv4), at most %u "
		          "connections, DNS server %s",
		          (unsigned)net->max_conns, dns);
	}
	*out = net;
	return KEEL_OK;
}

/* The stack has no address of its own: it has all of the host's. */
struct keel_addr keel_net_addr(struct keel_net *net)
{
	return keel_addr_any4();
}

int keel_net_close(struct keel_net *net, keel_time deadline)
{
	(void)deadline; /* the host kernel ends what the application closed */
	if (!net)
		return KEEL_EINVAL;
	if (net->stats.tcp_conns_live || net->listeners || net->udp_endpoints || net->connecting)
		return KEEL_EBUSY;
	free(net);
	return KEEL_OK;
}

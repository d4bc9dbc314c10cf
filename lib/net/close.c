/*
 * close.c — keel_net_close: a stack instance taken apart.
 *
 * The order matters. TCP first, while frames still come in, so that the
 * connections still ending can finish in order (their FINs and ACKs
 * arrive through the device watcher); then DHCP, whose DHCPRELEASE leaves
 * from the leased address; only then is the device let go, and every
 * module frees what it holds. Last the pool, which must by then have all
 * its buffers back: one missing would be a buffer some freed structure
 * still points at.
 */
#include <stdlib.h>

#include "net_impl.h"

int keel_net_close(struct keel_net *net, keel_time deadline)
{
	if (!net)
		return KEEL_EINVAL;
	/* DHCP holds one endpoint of its own; the application none. */
	if (tcp_busy(net) || udp_bound_count(net) > (net->dhcp ? 1u : 0u))
		return KEEL_EBUSY;
	tcp_free(net, deadline);
	dhcp_close(net);
	keel_io_unwatch(net->dev);
	dns_free(net);
	udp_free(net);
	icmp_free(net);
	ipv4_reasm_free(net);
	arp_free(net);
	netbuf_pool_free(&net->pool);
	keel_wake_all(&net->config_wait);
	free(net->rx_spill);
	free(net);
	return KEEL_OK;
}

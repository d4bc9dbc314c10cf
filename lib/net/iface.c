/*
 * iface.c — a stack instance on one net device: keel_net_open, the device
 * watcher that feeds received frames to eth_input(), the configured
 * address, and the stack's fast random numbers.
 */
#include <stdio.h>
#include <stdlib.h>

#include <keel/heap.h>

#include "net_impl.h"

/* The pool when the configuration leaves its size to the stack: this
 * many buffers, fewer on a small heap (see auto_frame_buffers). */
#define DEFAULT_FRAME_BUFFERS 512
#define AUTO_FRAME_BUFFERS_MIN 32
#define AUTO_HEAP_SHARE 3 /* at most a third of the free heap */
/* Frames read per wake-up of the watcher: enough to drain a burst, few
 * enough that the loop gets back to fibers and timers soon. */
#define RX_BATCH 64
/* TCP answers what it received once per this many frames read (and at
 * the end of a batch): a run of ACKs then frees the send window at once
 * and lets one large segment go instead of many small ones, and a run of
 * data segments is acknowledged once, as a host's GRO would. Few enough
 * that a window of MTU-sized segments is acknowledged in time. */
#define RX_OUTPUT_EVERY 16
/*
 * A wake-up reads until the device has nothing more, which costs one
 * read that finds nothing (a system call on the linux target). When
 * frames come one at a time (a single client waiting for each answer)
 * that read is wasted on every request: after RX_LONE_TRUSTED wake-ups
 * in a row that found one frame each, a wake-up reads one frame and
 * returns. Nothing is lost: kp_yield() reports a device while it has
 * input, so a frame left behind wakes the loop at once. Every
 * RX_LONE_PROBE-th wake-up after that drains again, and finding more
 * than one frame goes back to draining (and to answering a run of
 * frames once).
 */
#define RX_LONE_TRUSTED 4
#define RX_LONE_PROBE 8
/*
 * With receive offload a read must be able to take a 64 KiB frame, so it
 * offers the device a list of NET_RX_BUFS_MAX buffers: the pool walks
 * them, and on the linux target the host copies the list in on every
 * read. After RX_FIT_SMALL frames in a row that each fit one buffer
 * (requests, ACKs), a read offers one buffer and a spill area behind it
 * instead. A frame that reaches into the spill area is copied into
 * buffers of the pool after the read, so nothing is lost, and reads go
 * back to full lists until small frames come in a row again.
 */
#define RX_FIT_SMALL 16
/* IPv4 needs at least 576-byte datagrams end to end (RFC 791). */
#define MTU_MIN 576

/* Buffers one read needs: one, or enough for a large segment. */
static unsigned rx_bufs_wanted(const struct keel_net *net)
{
	return (net->info.offloads & KP_NET_OFF_RX_GSO4) ? NET_RX_BUFS_MAX : 1;
}

/*
 * Takes the `used` buffers a frame was read into out of the pool. They
 * are the first of its free list (netbuf_peek gave them and nothing
 * took a buffer since), so they come out in the order the frame fills.
 */
static void rx_take(struct keel_net *net, struct netbuf *const *peeked, struct netbuf **out,
                    unsigned used)
{
	for (unsigned i = 0; i < used; i++) {
		out[i] = netbuf_alloc(net);
		if (out[i] != peeked[i])
			KEEL_PANIC("net: receive buffer %u is not the one read into", i);
	}
}

/*
 * A frame of `len` bytes was read into peeked[0] and the spill area:
 * copies what spilled into the buffers that follow peeked[0] in the
 * pool, filling peeked[1..used-1]. False (the frame dropped and counted)
 * when the pool has too few buffers.
 */
static bool rx_unspill(struct keel_net *net, struct netbuf **peeked, unsigned used, size_t len)
{
	const size_t cap = NETBUF_SIZE - NETBUF_HEADROOM;

	if (netbuf_peek(net, peeked, used) < used) {
		net->stats.frames_in++;
		net->stats.bytes_in += len;
		net->stats.drop_no_buffer++;
		return false;
	}
	for (unsigned i = 1; i < used; i++)
		memcpy(peeked[i]->buf + NETBUF_HEADROOM, net->rx_spill + (i - 1) * cap,
		       len - i * cap < cap ? len - i * cap : cap);
	return true;
}

/* Reads one frame and takes it in; false when no frame was read. */
static bool rx_one(struct keel_net *net, kp_handle h)
{
	const size_t cap = NETBUF_SIZE - NETBUF_HEADROOM;
	struct kp_net_buf bufs[NET_RX_BUFS_MAX];
	struct netbuf *peeked[NET_RX_BUFS_MAX], *got[NET_RX_BUFS_MAX];
	struct kp_net_meta meta;
	bool small = net->rx_spill && net->rx_fit >= RX_FIT_SMALL;
	unsigned n = netbuf_peek(net, peeked, small ? 1 : rx_bufs_wanted(net)), nbufs = n, used;
	size_t len = 0;

	if (n == 0) {
		/* The pool is empty: the frame is read (so the device stops
		 * reporting input) and dropped. */
		uint8_t discard[NETBUF_SIZE - NETBUF_HEADROOM];

		if (kp_net_read(h, discard, sizeof(discard), &len) != KEEL_OK)
			return false;
		net->stats.frames_in++;
		net->stats.bytes_in += len;
		net->stats.drop_no_buffer++;
		return true;
	}
	for (unsigned i = 0; i < n; i++)
		bufs[i] = (struct kp_net_buf){ peeked[i]->buf + NETBUF_HEADROOM, cap };
	if (small)
		bufs[nbufs++] = (struct kp_net_buf){ net->rx_spill, RX_SPILL_SIZE };
	if (kp_net_recv(h, bufs, nbufs, &len, &meta) != KEEL_OK || len == 0 ||
	    len > (small ? cap + RX_SPILL_SIZE : n * cap))
		return false;
	used = (unsigned)((len + cap - 1) / cap);
	net->rx_fit = used == 1 ? net->rx_fit + (net->rx_fit < RX_FIT_SMALL) : 0;
	if (used > n && !rx_unspill(net, peeked, used, len))
		return true;
	rx_take(net, peeked, got, used);
	for (unsigned i = 0; i < used; i++)
		got[i]->len = (uint16_t)(len - i * cap < cap ? len - i * cap : cap);
	if (!(net->info.offloads & KP_NET_OFF_RX_CSUM))
		meta.flags &= (uint16_t)~KP_NET_F_CSUM_OK;
	if (used > 1 || (meta.flags & KP_NET_F_GSO4)) {
		gso_input(net, got, used, len, &meta);
		return true;
	}
	if (meta.flags & KP_NET_F_CSUM_OK)
		got[0]->flags |= NETBUF_CSUM_VERIFIED;
	eth_input(net, got[0]);
	return true;
}

static void dev_ready(kp_handle h, void *arg)
{
	struct keel_net *net = arg;
	/* rx_lone: 0 .. TRUSTED-1 drain, then PROBE-1 wake-ups read one
	 * frame each and the next (TRUSTED+PROBE-1) drains; after it, the
	 * count goes back to TRUSTED. */
	bool drain =
	    net->rx_lone < RX_LONE_TRUSTED || net->rx_lone == RX_LONE_TRUSTED + RX_LONE_PROBE - 1;
	unsigned got = 0;

	net->rx_deferring = true;
	for (unsigned i = 0; i < RX_BATCH; i++) {
		if (!rx_one(net, h))
			break;
		got++;
		if (!drain)
			break;
		if ((i + 1) % RX_OUTPUT_EVERY == 0) {
			net->rx_deferring = false;
			tcp_output_flush(net);
			net->rx_deferring = true;
		}
	}
	net->rx_deferring = false;
	tcp_output_flush(net);
	if (got > 1)
		net->rx_lone = 0;
	else if (got == 1)
		net->rx_lone = net->rx_lone + 1 < RX_LONE_TRUSTED + RX_LONE_PROBE ? net->rx_lone + 1
		                                                                  : RX_LONE_TRUSTED;
}

/*
 * The size of a pool the configuration left to the stack: the default,
 * unless that would take more than a third of the heap still free (the
 * rest is for connections, fibers and the application), and never more
 * than the largest free block (the pool is one allocation). Never fewer
 * than AUTO_FRAME_BUFFERS_MIN: if even those do not fit, keel_net_open
 * fails with KEEL_ENOMEM.
 */
static uint32_t auto_frame_buffers(void)
{
	struct keel_heap_stats h;
	size_t bytes, fit;

	keel_heap_stats(&h);
	bytes = h.free_bytes / AUTO_HEAP_SHARE;
	if (bytes > h.largest_free)
		bytes = h.largest_free;
	fit = bytes / sizeof(struct netbuf);
	if (fit >= DEFAULT_FRAME_BUFFERS)
		return DEFAULT_FRAME_BUFFERS;
	return fit < AUTO_FRAME_BUFFERS_MIN ? AUTO_FRAME_BUFFERS_MIN : (uint32_t)fit;
}

static void log_config(struct keel_net *net)
{
	char addr[KEEL_ADDR_STRLEN], gw[KEEL_ADDR_STRLEN];
	struct keel_addr a = keel_net_addr(net);
	struct keel_addr g = { .family = KEEL_AF_INET4 };
	uint32_t mask = net_ntohl(net->netmask_be);
	int prefix = 0;

	while (prefix < 32 && (mask & (0x80000000u >> prefix)))
		prefix++;
	if (a.family == KEEL_AF_UNSPEC) {
		KEEL_INFO("net %s: address removed", net->device_name);
		return;
	}
	memcpy(g.bytes, &net->gateway_be, 4);
	keel_addr_format(&a, addr, sizeof(addr));
	keel_addr_format(&g, gw, sizeof(gw));
	KEEL_INFO("net %s: %02x:%02x:%02x:%02x:%02x:%02x %s/%d gateway %s mtu %zu",
	          net->device_name, net->mac[0], net->mac[1], net->mac[2], net->mac[3], net->mac[4],
	          net->mac[5], addr, prefix, net->gateway_be ? gw : "none", net->info.mtu);
}

void net_set_ipv4(struct keel_net *net, uint32_t ip_be, uint32_t netmask_be, uint32_t gateway_be)
{
	bool changed =
	    ip_be != net->ip_be || netmask_be != net->netmask_be || gateway_be != net->gateway_be;

	net->ip_be = ip_be;
	net->netmask_be = ip_be ? netmask_be : 0;
	net->gateway_be = ip_be ? gateway_be : 0;
	net->configured = ip_be != 0;
	if (changed && net->cfg.log_config)
		log_config(net);
	if (ip_be)
		arp_announce(net);
	keel_wake_all(&net->config_wait);
}

struct keel_addr keel_net_addr(struct keel_net *net)
{
	struct keel_addr a = { .family = KEEL_AF_UNSPEC };

	if (net->configured) {
		a.family = KEEL_AF_INET4;
		memcpy(a.bytes, &net->ip_be, 4);
	}
	return a;
}

/* xorshift128+: fast, and good enough for ports, ids and jitter. */
uint64_t net_random(struct keel_net *net)
{
	uint64_t s1 = net->rng[0];
	const uint64_t s0 = net->rng[1];

	net->rng[0] = s0;
	s1 ^= s1 << 23;
	net->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return net->rng[1] + s0;
}

static uint32_t prefix_mask_be(unsigned prefix)
{
	uint32_t mask = prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);

	return net_htonl(mask);
}

/* Brings up every protocol module but DHCP. */
static int init_modules(struct keel_net *net)
{
	int err;

	if ((err = arp_init(net)) != KEEL_OK || (err = ipv4_reasm_init(net)) != KEEL_OK ||
	    (err = icmp_init(net)) != KEEL_OK || (err = udp_init(net)) != KEEL_OK ||
	    (err = tcp_init(net)) != KEEL_OK || (err = dns_init(net)) != KEEL_OK)
		return err;
	return KEEL_OK;
}

int keel_net_open(const char *device, const struct keel_net_config *cfg, keel_time deadline,
                  struct keel_net **out)
{
	struct keel_net_config defaults;
	struct keel_net *net;
	bool use_dhcp;
	int err;

	if (!device || !out)
		return KEEL_EINVAL;
	if (!cfg) {
		keel_net_config_default(&defaults);
		cfg = &defaults;
	}
	if (cfg->addr.family != KEEL_AF_UNSPEC &&
	    (cfg->addr.family != KEEL_AF_INET4 || cfg->prefix_len > 32))
		return KEEL_EINVAL;
	net = calloc(1, sizeof(*net));
	if (!net)
		return KEEL_ENOMEM;
	err = kp_net_acquire(device, &net->dev, &net->info);
	if (err != KEEL_OK)
		goto fail;
	/* A frame must fit a buffer after its headroom. */
	if (net->info.mtu + ETH_HLEN > NETBUF_SIZE - NETBUF_HEADROOM || net->info.mtu < MTU_MIN) {
		err = KEEL_ENOTSUP;
		goto fail;
	}
	memcpy(net->mac, net->info.mac, 6);
	snprintf(net->device_name, sizeof(net->device_name), "%s", device);
	keel_waitq_init(&net->config_wait);
	net->cfg = *cfg;
	if (net->cfg.frame_buffers == 0)
		net->cfg.frame_buffers = auto_frame_buffers();
	if (kp_random(net->rng, sizeof(net->rng)) != KEEL_OK || (net->rng[0] | net->rng[1]) == 0) {
		net->rng[0] = 0x9e3779b97f4a7c15ull ^ keel_now();
		net->rng[1] = 0xbf58476d1ce4e5b9ull;
	}
	net->ip_id = (uint16_t)net_random(net);
	/* Without a spill area reads always offer full lists. */
	if (net->info.offloads & KP_NET_OFF_RX_GSO4)
		net->rx_spill = malloc(RX_SPILL_SIZE);
	err = netbuf_pool_init(&net->pool, net->cfg.frame_buffers);
	if (err != KEEL_OK)
		goto fail;

	if (cfg->dns.family == KEEL_AF_INET4)
		memcpy(&net->dns_be, cfg->dns.bytes, 4);

	/*
	 * From here on modules may hold timers and fibers that point at net:
	 * on failure it cannot be taken apart any more, only left unused.
	 */
	use_dhcp = cfg->addr.family == KEEL_AF_UNSPEC;
	err = init_modules(net);
	if (err == KEEL_OK)
		err = keel_io_watch(net->dev, dev_ready, net);
	if (err != KEEL_OK)
		return err;
	if (!use_dhcp) {
		uint32_t ip, gw = 0;

		memcpy(&ip, cfg->addr.bytes, 4);
		if (cfg->gateway.family == KEEL_AF_INET4)
			memcpy(&gw, cfg->gateway.bytes, 4);
		net_set_ipv4(net, ip, prefix_mask_be(cfg->prefix_len), gw);
		*out = net;
		return KEEL_OK;
	}
	err = dhcp_init(net);
	if (err != KEEL_OK) {
		keel_io_unwatch(net->dev);
		return err;
	}
	/* The stack is usable from here on, configured or not: a timeout
	 * still hands it out, and DHCP keeps trying in the background. */
	*out = net;
	while (!net->configured) {
		if (keel_wait(&net->config_wait, deadline) == KEEL_ETIMEDOUT && !net->configured)
			return KEEL_ETIMEDOUT;
	}
	return KEEL_OK;

fail:
	free(net->rx_spill);
	free(net);
	return err;
}

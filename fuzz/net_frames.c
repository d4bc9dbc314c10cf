/*
 * fuzz/net_frames.c — libFuzzer target for the frame input of the direct
 * stack (lib/net: Ethernet, ARP, IPv4 and reassembly, ICMP, UDP, and
 * whatever TCP does with what reaches it), run on the host harness
 * (tests/net/harness) with its fake device and clock.
 *
 * One stack lives across inputs (as it would across a peer's packets):
 * 10.0.0.2/24, gateway 10.0.0.1, a UDP endpoint on port 7. An input is a
 * list of records, each starting with an op byte:
 *   op & 3 == 0  a frame as given:          [len:2][bytes]
 *   op & 3 == 1  the same with the Ethernet addresses set to ours and the
 *                peer's (or broadcast, op & 4), so it gets past ether.c
 *   op & 3 == 2  as 1, and for IPv4 the header checksum and total length
 *                made right (op & 8 keeps the length as given)
 *   op & 3 == 3  time passes: (op >> 3) * 250 ms; op & 4 also echoes what
 *                the UDP endpoint holds
 * A frame record with op & 0x10 has three more bytes before its length,
 * what the device says of the frame: [flags:1][gso_size:2] (struct
 * kp_net_meta: a checksum vouched for, a large TCP segment of up to
 * 8 KiB here); the device offers every offload of platform.h.
 * After each input a minute passes, so reassembly and ARP state of one
 * input mostly times out before the next.
 */
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct keel_net *net;
static struct keel_udp *udp;
static struct keel_listener *lis;
static const uint8_t *in_data;
static size_t in_size;

static void setup(void)
{
	struct keel_net_config cfg;
	struct keel_sockaddr local = { keel_addr_any4(), 7 };

	keel_net_config_default(&cfg);
	cfg.addr = keel_addr_ipv4(10, 0, 0, 2);
	cfg.prefix_len = 24;
	cfg.gateway = keel_addr_ipv4(10, 0, 0, 1);
	cfg.log_config = false;
	cfg.frame_buffers = 256;
	h_offloads =
	    KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4 | KP_NET_OFF_RX_GSO4;
	if (keel_net_open(H_DEVICE, &cfg, keel_now() + KEEL_SEC, &net) != KEEL_OK ||
	    keel_udp_bind(net, &local, &udp) != KEEL_OK ||
	    keel_tcp_listen(net, &(struct keel_sockaddr){ keel_addr_any4(), 80 }, 8, &lis) !=
	        KEEL_OK)
		abort();
}

static void echo(void)
{
	static uint8_t buf[65536];

	for (int i = 0; i < 8; i++) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(udp, buf, sizeof(buf), &from, keel_now());

		if (n < 0)
			return;
		keel_udp_sendto(udp, buf, n > (long)sizeof(buf) ? sizeof(buf) : (size_t)n, &from);
	}
}

static void fix_frame(uint8_t *f, size_t len, uint8_t op)
{
	memcpy(f, (op & 4) ? eth_broadcast : h_stack_mac, 6);
	memcpy(f + 6, h_peer_mac, 6);
	if ((op & 3) == 2 && len >= ETH_HLEN + 20 && net_get16(f + 12) == ETH_TYPE_IPV4) {
		uint8_t *h = f + ETH_HLEN;
		size_t hlen = (size_t)(h[0] & 0x0f) * 4;

		if (hlen < 20 || ETH_HLEN + hlen > len)
			return;
		if (!(op & 8))
			net_put16(h + 2, (uint16_t)(len - ETH_HLEN));
		h_ipv4_fix_csum(f);
	}
}

static void run_input(void *arg)
{
	static uint8_t frame[8192];
	const uint8_t *p = in_data, *end = in_data + in_size;

	if (!net)
		setup();
	while (p < end) {
		uint8_t op = *p++;

		if ((op & 3) == 3) {
			if (op & 4)
				echo();
			h_advance((keel_time)(op >> 3) * 250 * KEEL_MSEC);
		} else {
			struct kp_net_meta meta = { 0 };
			size_t len;

			if (op & 0x10) {
				if (end - p < 3)
					break;
				meta.flags = p[0];
				meta.gso_size = net_get16(p + 1);
				p += 3;
			}
			if (end - p < 2)
				break;
			len = net_get16(p);
			p += 2;
			if (len > (size_t)(end - p))
				len = (size_t)(end - p);
			if (len > ((meta.flags & KP_NET_F_GSO4) ? sizeof(frame) : 1514))
				len = (meta.flags & KP_NET_F_GSO4) ? sizeof(frame) : 1514;
			memcpy(frame, p, len);
			p += len;
			if (len >= ETH_HLEN && (op & 3) != 0)
				fix_frame(frame, len, op);
			h_inject_meta(frame, len, &meta);
			h_run();
		}
		h_tx_clear();
	}
	echo();
	h_advance(61 * KEEL_SEC);
	h_tx_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in_data = data;
	in_size = size;
	if (!keel_fiber_spawn(run_input, NULL, 256 * 1024))
		abort();
	keel_loop_run();
	return 0;
}

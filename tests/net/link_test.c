/*
 * link_test — Ethernet input and output and the packet buffer pool:
 * padding removed by the IP length, runts and bad headers counted, other
 * MACs and multicast ignored, broadcast taken, runts padded on output,
 * device write errors counted, and an exhausted pool counted and
 * recovered from.
 */
#include "harness.h"

static struct keel_net *net;

static struct keel_net_stats stats(void)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

static size_t ping_frame(uint8_t *f, size_t payload)
{
	static uint8_t data[1500], msg[1600];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };

	for (size_t i = 0; i < payload; i++)
		data[i] = (uint8_t)(i * 3);
	return h_ipv4(f, &ip, msg, h_icmp_echo(msg, 8, 0x42, 1, data, payload));
}

static void padding(void)
{
	uint8_t f[128];
	size_t len = ping_frame(f, 4);
	struct h_frame r;
	struct h_ipv4_view v;

	/* 14 + 20 + 12 = 46 bytes: a NIC pads to 60 with whatever. */
	CHECK(len == 46);
	memset(f + len, 0xaa, 60 - len);
	h_inject(f, 60);
	h_run();
	CHECK(h_pop(&r));
	CHECK(h_parse_ipv4(&r, &v));
	CHECK(v.proto == IP_PROTO_ICMP && v.l4_len == 12 && v.l4[0] == 0);
	CHECK(h_csum_ok(v.l4, v.l4_len, 0));
	/* Our own runt went out padded to 60 with zeros. */
	CHECK(r.len == 60);
	for (size_t i = ETH_HLEN + v.ip_total; i < r.len; i++)
		CHECK(r.data[i] == 0);
	CHECK(memcmp(r.data, h_peer_mac, 6) == 0);
}

static void bad_frames(void)
{
	uint8_t f[128], g[128];
	size_t len = ping_frame(f, 4);
	struct keel_net_stats s0 = stats(), s1;
	static const uint8_t other[6] = { 0x02, 9, 9, 9, 9, 9 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

	/* A header and nothing else. */
	h_inject(f, ETH_HLEN);
	/* To another host. */
	memcpy(g, f, len);
	memcpy(g, other, 6);
	h_inject(g, len);
	/* To a multicast group we never joined. */
	memcpy(g, mcast, 6);
	h_inject(g, len);
	/* From a multicast source; from our own MAC (a loop). */
	memcpy(g, f, len);
	memcpy(g + 6, mcast, 6);
	h_inject(g, len);
	memcpy(g + 6, h_stack_mac, 6);
	h_inject(g, len);
	/* IPv6, a VLAN tag, an 802.3 length. */
	memcpy(g, f, len);
	net_put16(g + 12, 0x86dd);
	h_inject(g, len);
	net_put16(g + 12, 0x8100);
	h_inject(g, len);
	net_put16(g + 12, 46);
	h_inject(g, len);
	h_run();
	CHECK(h_tx_pending() == 0);
	s1 = stats();
	CHECK(s1.frames_in - s0.frames_in == 8);
	CHECK(s1.bytes_in - s0.bytes_in == ETH_HLEN + 7 * len);
	CHECK(s1.drop_bad_ip - s0.drop_bad_ip == 1);
	CHECK(s1.drop_not_for_us - s0.drop_not_for_us == 2);
	CHECK(s1.drop_bad_frame - s0.drop_bad_frame == 2);
	CHECK(s1.drop_other - s0.drop_other == 3);
	CHECK(s1.icmp_echo_in == s0.icmp_echo_in);
}

static void broadcast(void)
{
	uint8_t f[128];
	size_t len = ping_frame(f, 4);
	struct keel_net_stats s0 = stats(), s1;

	/* Taken in, but an echo request sent as a link broadcast is not
	 * answered. */
	memcpy(f, eth_broadcast, 6);
	h_inject(f, len);
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.icmp_echo_in - s0.icmp_echo_in == 1);
}

static void write_errors(void)
{
	uint8_t f[128];
	size_t len = ping_frame(f, 4);
	struct keel_net_stats s0 = stats(), s1;

	h_write_error = KEEL_EAGAIN;
	h_inject(f, len);
	h_run();
	h_write_error = KEEL_OK;
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.frames_out == s0.frames_out && s1.drop_other - s0.drop_other == 1);
}

static void pool(void)
{
	struct netbuf *a = netbuf_alloc(net), *b = netbuf_alloc(net), *c = netbuf_alloc(net);
	uint32_t free0 = net->pool.free;

	CHECK(a && b && c);
	CHECK(a->data == a->buf + NETBUF_HEADROOM && a->len == 0 && a->refs == 1 && !a->more);
	CHECK(netbuf_push(a, NETBUF_HEADROOM + 1) == NULL);
	CHECK(netbuf_push(a, 14) == a->buf + NETBUF_HEADROOM - 14 && a->len == 14);
	CHECK(netbuf_pull(a, 15) == NULL && netbuf_pull(a, 14) && a->len == 0);
	CHECK(netbuf_tailroom(a) == NETBUF_SIZE - NETBUF_HEADROOM);
	netbuf_ref(a);
	netbuf_free(net, a);
	CHECK(net->pool.free == free0);
	/* A chain goes back whole with its head. */
	a->more = b;
	b->more = c;
	netbuf_free(net, a);
	CHECK(net->pool.free == free0 + 3);
	netbuf_free(net, NULL);
}

/* Endpoints that never read hold buffers until the pool runs dry; frames
 * then are counted and dropped, and all is well once they are read. */
static void exhaustion(void)
{
	enum { ENDPOINTS = 12 };
	struct keel_udp *u[ENDPOINTS];
	struct keel_net_stats s0 = stats(), s1;
	uint8_t payload[32] = { 1 };
	uint8_t buf[64];

	for (int i = 0; i < ENDPOINTS; i++) {
		struct keel_sockaddr local = { keel_addr_any4(), (uint16_t)(2000 + i) };

		CHECK(keel_udp_bind(net, &local, &u[i]) == KEEL_OK);
	}
	for (int round = 0; round < 70; round++) {
		for (int i = 0; i < ENDPOINTS; i++)
			h_inject_udp(999, (uint16_t)(2000 + i), payload, sizeof(payload));
		h_run();
	}
	s1 = stats();
	CHECK(s1.drop_no_buffer > s0.drop_no_buffer);
	CHECK(net->pool.low_water == 0);
	for (int i = 0; i < ENDPOINTS; i++)
		keel_udp_close(u[i]);
	CHECK(net->pool.free == net->pool.total);
	/* And the stack still answers. */
	h_inject_ping(1, 2, payload, 8);
	h_run();
	CHECK(h_pop_datagram(buf, sizeof(buf), &(struct h_ipv4_view){ 0 }, NULL) == 16);
}

static void body(void *arg)
{
	net = h_open(NULL);
	h_learn_peer(net);
	padding();
	bad_frames();
	broadcast();
	write_errors();
	pool();
	exhaustion();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/link", body, NULL);
}

/*
 * arp_test — ARP: answering requests for our address only, learning only
 * from requests to us and answers to our own requests, resolution with
 * retries and failure, the pending queue and its bounds, expiry and
 * re-probing, gratuitous announcements, address conflicts, and
 * arp_resolve() for fibers.
 */
#include "harness.h"

static struct keel_net *net;
static const uint8_t zero[6];
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0x0c };

static struct keel_net_stats stats(void)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

/* Pops one frame that must be an ARP packet; returns its op. */
static uint16_t pop_arp(struct h_frame *f, uint32_t *tpa)
{
	CHECK(h_pop(f));
	CHECK(net_get16(f->data + 12) == ETH_TYPE_ARP);
	CHECK(memcmp(f->data + ETH_HLEN + 8, h_stack_mac, 6) == 0);
	memcpy(tpa, f->data + ETH_HLEN + 24, 4);
	return net_get16(f->data + ETH_HLEN + 6);
}

static void inject_arp(uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
                       uint32_t tpa)
{
	uint8_t f[64];

	h_inject(f, h_arp(f, op, sha, spa, tha, tpa));
}

/* Sends one UDP datagram to `to` from a fiber-free context (the loop
 * does not wait for ARP then): through ipv4_output directly. */
static int send_udp_raw(uint32_t to, uint16_t port, uint8_t tag)
{
	struct netbuf *nb = netbuf_alloc(net);
	uint8_t payload[4] = { tag, tag, tag, tag };

	CHECK(nb);
	nb->len = (uint16_t)h_udp(nb->data, H_STACK_IP, to, 5000, port, payload, sizeof(payload));
	return ipv4_output(net, nb, IP_PROTO_UDP, 0, to, 0);
}

static void answers_and_learning(void)
{
	struct keel_net_stats s0 = stats(), s1;
	struct h_frame f;
	uint32_t tpa, spa;

	/* A request for another address: ignored, nothing learned. */
	inject_arp(1, mac_b, h_ip(10, 0, 0, 11), zero, h_ip(10, 0, 0, 99));
	h_run();
	CHECK(h_tx_pending() == 0);
	/* A request for ours: answered to the asker, who is learned. */
	inject_arp(1, mac_b, h_ip(10, 0, 0, 11), zero, H_STACK_IP);
	h_run();
	CHECK(pop_arp(&f, &tpa) == 2);
	CHECK(memcmp(f.data, mac_b, 6) == 0 && tpa == h_ip(10, 0, 0, 11));
	CHECK(memcmp(f.data + ETH_HLEN + 18, mac_b, 6) == 0);
	memcpy(&spa, f.data + ETH_HLEN + 14, 4);
	CHECK(spa == H_STACK_IP);
	CHECK(f.len == 60); /* padded */
	/* Learned: a packet to it leaves at once, to its MAC. */
	CHECK(send_udp_raw(h_ip(10, 0, 0, 11), 9, 1) == KEEL_OK);
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_IPV4);
	CHECK(memcmp(f.data, mac_b, 6) == 0);
	s1 = stats();
	CHECK(s1.arp_requests_in - s0.arp_requests_in == 1);
	CHECK(s1.arp_replies_out - s0.arp_replies_out == 1);

	/* An unsolicited reply teaches nothing: sending to .12 asks first. */
	inject_arp(2, mac_c, h_ip(10, 0, 0, 12), h_stack_mac, H_STACK_IP);
	h_run();
	CHECK(h_tx_pending() == 0);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 12), 9, 1) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1 && tpa == h_ip(10, 0, 0, 12));
	CHECK(memcmp(f.data, eth_broadcast, 6) == 0);
	CHECK(h_tx_pending() == 0);
	/* The answer releases the queued packet. */
	inject_arp(2, mac_c, h_ip(10, 0, 0, 12), h_stack_mac, H_STACK_IP);
	h_run();
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_IPV4);
	CHECK(memcmp(f.data, mac_c, 6) == 0);

	/* Malformed: wrong hardware type, short, broadcast sender, unknown
	 * operation, sender MAC zero. */
	s0 = stats();
	{
		uint8_t g[64];
		size_t len = h_arp(g, 1, mac_b, h_ip(10, 0, 0, 11), zero, H_STACK_IP);

		net_put16(g + ETH_HLEN, 6);
		h_inject(g, len);
		h_arp(g, 1, mac_b, h_ip(10, 0, 0, 11), zero, H_STACK_IP);
		h_inject(g, ETH_HLEN + 27);
		h_arp(g, 1, mac_b, h_ip(255, 255, 255, 255), zero, H_STACK_IP);
		h_inject(g, len);
		h_arp(g, 3, mac_b, h_ip(10, 0, 0, 11), zero, H_STACK_IP);
		memcpy(g, eth_broadcast, 6);
		h_inject(g, len);
		h_arp(g, 1, zero, h_ip(10, 0, 0, 11), zero, H_STACK_IP);
		memcpy(g + 6, mac_b, 6);
		h_inject(g, len);
	}
	h_run();
	CHECK(h_tx_pending() == 0);
	s1 = stats();
	CHECK(s1.drop_bad_frame - s0.drop_bad_frame == 5);

	/* A probe (sender 0.0.0.0) for our address is answered. */
	inject_arp(1, mac_b, 0, zero, H_STACK_IP);
	h_run();
	CHECK(pop_arp(&f, &tpa) == 2 && tpa == 0 && memcmp(f.data, mac_b, 6) == 0);
}

static void gratuitous_and_conflict(void)
{
	struct keel_net_stats s0 = stats(), s1;
	struct h_frame f;

	/* .11 moves to a new MAC and says so. */
	inject_arp(1, mac_c, h_ip(10, 0, 0, 11), zero, h_ip(10, 0, 0, 11));
	h_run();
	CHECK(h_tx_pending() == 0);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 11), 9, 2) == KEEL_OK);
	CHECK(h_pop(&f) && memcmp(f.data, mac_c, 6) == 0);
	/* A gratuitous announcement of a host we do not know: not learned. */
	inject_arp(1, mac_c, h_ip(10, 0, 0, 13), zero, h_ip(10, 0, 0, 13));
	h_run();
	CHECK(send_udp_raw(h_ip(10, 0, 0, 13), 9, 2) == KEEL_OK);
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_ARP);
	/* Someone else claims our address: counted, not answered. */
	inject_arp(1, mac_b, H_STACK_IP, zero, H_STACK_IP);
	h_run();
	s1 = stats();
	CHECK(s1.drop_other - s0.drop_other == 1);
	/* Let .13 fail quietly (tested below). */
	h_advance(5 * KEEL_SEC);
	h_tx_clear();
}

static void retries_and_failure(void)
{
	struct keel_net_stats s0 = stats(), s1;
	struct h_frame f;
	uint32_t tpa;
	kp_time t0 = h_clock;

	for (uint8_t i = 0; i < 5; i++)
		CHECK(send_udp_raw(h_ip(10, 0, 0, 20), 9, i) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1 && tpa == h_ip(10, 0, 0, 20));
	CHECK(h_tx_pending() == 0);
	/* Asked again 1 s and 2 s later; given up 3 s after the first. */
	h_advance(KEEL_SEC - 1);
	CHECK(h_tx_pending() == 0);
	h_advance(1);
	CHECK(pop_arp(&f, &tpa) == 1 && h_clock - t0 == KEEL_SEC);
	h_advance(KEEL_SEC);
	CHECK(pop_arp(&f, &tpa) == 1);
	h_advance(KEEL_SEC);
	CHECK(h_tx_pending() == 0);
	s1 = stats();
	CHECK(s1.drop_arp_pending - s0.drop_arp_pending == 5);
	/* For a moment after, packets to it fail at once. */
	CHECK(send_udp_raw(h_ip(10, 0, 0, 20), 9, 9) == KEEL_EHOSTUNREACH);
	CHECK(h_tx_pending() == 0);
	CHECK(arp_resolve(net, h_ip(10, 0, 0, 20), KEEL_FOREVER) == KEEL_EHOSTUNREACH);
	/* Then a new resolution starts. */
	h_advance(2 * KEEL_SEC);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 20), 9, 9) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1);
	h_advance(4 * KEEL_SEC);
	h_tx_clear();
}

static void pending_bounds(void)
{
	struct keel_net_stats s0 = stats(), s1;
	struct h_frame f;
	uint32_t tpa;
	unsigned got = 0;
	uint8_t first_tag = 0;

	/* 60 packets for one host: the 12 oldest give way. */
	for (unsigned i = 0; i < 60; i++)
		CHECK(send_udp_raw(h_ip(10, 0, 0, 30), 9, (uint8_t)i) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1);
	s1 = stats();
	CHECK(s1.drop_arp_pending - s0.drop_arp_pending == 12);
	inject_arp(2, mac_b, h_ip(10, 0, 0, 30), h_stack_mac, H_STACK_IP);
	h_run();
	while (h_pop(&f)) {
		struct h_ipv4_view v;

		CHECK(h_parse_ipv4(&f, &v) && v.dst == h_ip(10, 0, 0, 30));
		if (got == 0)
			first_tag = v.l4[8];
		CHECK(v.l4[8] == (uint8_t)(first_tag + got)); /* in order */
		got++;
	}
	CHECK(got == 48 && first_tag == 12);

	/* Across hosts the stack-wide bound (a quarter of the pool, at most
	 * 128) holds: the oldest packets of all go first. */
	s0 = stats();
	for (unsigned h = 0; h < 4; h++)
		for (unsigned i = 0; i < 40; i++)
			CHECK(send_udp_raw(h_ip(10, 0, 0, (uint8_t)(60 + h)), 9, (uint8_t)i) ==
			      KEEL_OK);
	s1 = stats();
	CHECK(s1.drop_arp_pending - s0.drop_arp_pending == 160 - 128);
	h_advance(10 * KEEL_SEC);
	s1 = stats();
	CHECK(s1.drop_arp_pending - s0.drop_arp_pending == 160);
	h_tx_clear();
	CHECK(net->pool.free == net->pool.total);
}

static void expiry_and_probe(void)
{
	struct h_frame f;
	uint32_t tpa;

	/* Learn .40, then let 60 s pass: the next packet still goes to the
	 * known MAC but a unicast probe goes with it. */
	inject_arp(1, mac_b, h_ip(10, 0, 0, 40), zero, H_STACK_IP);
	h_run();
	CHECK(pop_arp(&f, &tpa) == 2);
	h_advance(59 * KEEL_SEC);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 40), 9, 1) == KEEL_OK);
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_IPV4);
	CHECK(h_tx_pending() == 0);
	h_advance(2 * KEEL_SEC);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 40), 9, 2) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1 && tpa == h_ip(10, 0, 0, 40));
	CHECK(memcmp(f.data, mac_b, 6) == 0); /* unicast */
	CHECK(h_pop(&f) && memcmp(f.data, mac_b, 6) == 0 &&
	      net_get16(f.data + 12) == ETH_TYPE_IPV4);
	/* An answer renews it. */
	inject_arp(2, mac_b, h_ip(10, 0, 0, 40), h_stack_mac, H_STACK_IP);
	h_advance(5 * KEEL_SEC);
	CHECK(h_tx_pending() == 0);
	/* Expired again, and this time nobody answers: gone after 3 tries. */
	h_advance(60 * KEEL_SEC);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 40), 9, 3) == KEEL_OK);
	CHECK(h_pop(&f) && h_pop(&f)); /* the packet and the probe */
	h_advance(KEEL_SEC);
	CHECK(pop_arp(&f, &tpa) == 1);
	h_advance(KEEL_SEC);
	CHECK(pop_arp(&f, &tpa) == 1);
	h_advance(KEEL_SEC);
	CHECK(h_tx_pending() == 0);
	CHECK(send_udp_raw(h_ip(10, 0, 0, 40), 9, 4) == KEEL_OK);
	CHECK(pop_arp(&f, &tpa) == 1 && memcmp(f.data, eth_broadcast, 6) == 0);
	h_advance(5 * KEEL_SEC);
	h_tx_clear();
}

static void table_full(void)
{
	struct h_frame f;
	uint32_t tpa;

	/* Many more hosts than entries ask for us: all answered, and the
	 * entries in use are not pushed out by the flood. */
	h_learn_peer(net);
	CHECK(send_udp_raw(H_PEER_IP, 9, 1) == KEEL_OK);
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_IPV4);
	for (unsigned i = 0; i < 300; i++) {
		uint8_t m[6] = { 0x02, 1, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

		inject_arp(1, m, h_ip(10, 0, 2 + (uint8_t)(i / 200), (uint8_t)(i % 200 + 1)), zero,
		           H_STACK_IP);
	}
	h_run();
	for (unsigned i = 0; i < 300; i++)
		CHECK(pop_arp(&f, &tpa) == 2);
	CHECK(send_udp_raw(H_PEER_IP, 9, 1) == KEEL_OK);
	CHECK(h_pop(&f) && net_get16(f.data + 12) == ETH_TYPE_IPV4);
}

/* A fiber waiting in arp_resolve: woken by the answer. */
static int resolve_result;

static void resolver(void *arg)
{
	resolve_result = arp_resolve(net, h_ip(10, 0, 0, 50), keel_now() + 10 * KEEL_SEC);
}

static void resolve(void)
{
	struct h_frame f;
	uint32_t tpa;

	resolve_result = 1;
	CHECK(keel_fiber_spawn(resolver, NULL, 0));
	h_run();
	CHECK(pop_arp(&f, &tpa) == 1 && tpa == h_ip(10, 0, 0, 50));
	CHECK(resolve_result == 1);
	inject_arp(2, mac_b, h_ip(10, 0, 0, 50), h_stack_mac, H_STACK_IP);
	h_run();
	CHECK(resolve_result == KEEL_OK);
	CHECK(arp_resolve(net, h_ip(10, 0, 0, 50), keel_now()) == KEEL_OK);
	CHECK(arp_resolve(net, h_ip(255, 255, 255, 255), keel_now()) == KEEL_OK);
	CHECK(arp_resolve(net, 0, keel_now()) == KEEL_EHOSTUNREACH);
	/* A deadline shorter than the retries. */
	CHECK(arp_resolve(net, h_ip(10, 0, 0, 51), keel_now() + KEEL_SEC / 2) == KEEL_ETIMEDOUT);
	/* No answer at all. */
	CHECK(arp_resolve(net, h_ip(10, 0, 0, 51), KEEL_FOREVER) == KEEL_EHOSTUNREACH);
	h_tx_clear();
}

static void body(void *arg)
{
	net = h_open(NULL);
	answers_and_learning();
	gratuitous_and_conflict();
	retries_and_failure();
	pending_bounds();
	expiry_and_probe();
	table_full();
	resolve();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/arp", body, NULL);
}

/*
 * ipv4_test — IPv4 input validation (lengths, version, IHL, checksum,
 * flags, sources, destinations, options, padding; the header checksum
 * of a header the stack wrote itself not verified again) and reassembly: in
 * order, reversed, interleaved, overlapping, duplicated, timed out, too
 * many at once, and datagrams larger than one buffer; and fragmentation
 * on output.
 */
#include "harness.h"

static struct keel_net *net;
static uint8_t big[65536 + 2048], got[65536];

static struct keel_net_stats stats(void)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

/* An echo request of `len` payload bytes as an ICMP message in big[]. */
static size_t echo_msg(uint16_t seq, size_t len)
{
	static uint8_t payload[65536];

	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7 + seq);
	return h_icmp_echo(big, 8, 0x77, seq, payload, len);
}

/* Injects bytes [off, off + len) of big[] as one fragment. */
static void frag(uint16_t id, size_t off, size_t len, bool more)
{
	static uint8_t f[H_FRAME_MAX];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP,
		                 .dst = H_STACK_IP,
		                 .proto = IP_PROTO_ICMP,
		                 .id = id,
		                 .frag = (uint16_t)(off / 8 | (more ? 0x2000 : 0)) };

	h_inject(f, h_ipv4(f, &ip, big + off, len));
}

/* Expects the echo reply of the message in big[] (total bytes). */
static void expect_reply(size_t total, unsigned want_frags)
{
	struct h_ipv4_view v;
	unsigned n = 0;
	size_t len = h_pop_datagram(got, sizeof(got), &v, &n);

	CHECK(len == total);
	CHECK(v.proto == IP_PROTO_ICMP && v.dst == H_PEER_IP && v.src == H_STACK_IP);
	CHECK(got[0] == 0 && h_csum_ok(got, len, 0));
	CHECK(memcmp(got + 4, big + 4, total - 4) == 0);
	if (want_frags)
		CHECK(n == want_frags);
}

static void expect_nothing(void)
{
	h_run();
	CHECK(h_tx_pending() == 0);
}

static void header_checks(void)
{
	uint8_t f[H_FRAME_MAX];
	size_t msg = echo_msg(1, 32), len;
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	struct keel_net_stats s0 = stats(), s1;

	/* Good one first. */
	h_inject(f, h_ipv4(f, &ip, big, msg));
	h_run();
	expect_reply(msg, 1);

#define BAD(mutate)                                                                                \
	do {                                                                                       \
		len = h_ipv4(f, &ip, big, msg);                                                    \
		mutate;                                                                            \
		h_inject(f, len);                                                                  \
	} while (0)
	BAD(f[14] = 0x65; h_ipv4_fix_csum(f));                /* version 6 */
	BAD(f[14] = 0x44; h_ipv4_fix_csum(f));                /* IHL 4 */
	BAD(f[14] = 0x4f; h_ipv4_fix_csum(f); len = 14 + 40); /* IHL beyond the frame */
	BAD(net_put16(f + 16, (uint16_t)(msg + 21));
	    h_ipv4_fix_csum(f));                        /* longer than the frame */
	BAD(net_put16(f + 16, 19); h_ipv4_fix_csum(f)); /* shorter than its header */
	BAD(f[24] ^= 1);                                /* checksum */
	BAD(f[20] |= 0x80; h_ipv4_fix_csum(f));         /* reserved flag */
	BAD(len = 14 + 19);                             /* not even a header */
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.drop_bad_ip - s0.drop_bad_ip == 8);

	/* Sources that cannot be one host. */
	s0 = stats();
	static const uint32_t bad_src[] = { 0,           0xffffffffu,  0x010000e0u /* 224.0.0.1 */,
		                            0x0100007fu, 0 /* ours */, 0 /* subnet bcast */ };
	for (size_t i = 0; i < 6; i++) {
		struct h_ipv4_hdr b = ip;

		b.src = i == 4 ? H_STACK_IP : i == 5 ? h_ip(10, 0, 0, 255) : bad_src[i];
		h_inject(f, h_ipv4(f, &b, big, msg));
	}
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0 && s1.drop_bad_ip - s0.drop_bad_ip == 6);

	/* Destinations: another host, multicast: not ours. Broadcasts are
	 * taken (but echo to a broadcast is not answered). */
	s0 = stats();
	ip.dst = h_ip(10, 0, 0, 3);
	h_inject(f, h_ipv4(f, &ip, big, msg));
	ip.dst = h_ip(224, 0, 0, 1);
	h_inject(f, h_ipv4(f, &ip, big, msg));
	ip.dst = h_ip(255, 255, 255, 255);
	h_inject(f, h_ipv4(f, &ip, big, msg));
	ip.dst = h_ip(10, 0, 0, 255);
	h_inject(f, h_ipv4(f, &ip, big, msg));
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0 && s1.drop_not_for_us - s0.drop_not_for_us == 2);
	CHECK(s1.icmp_echo_in - s0.icmp_echo_in == 2);
	ip.dst = H_STACK_IP;

	/* Options are skipped (and a reply still comes); padding after the
	 * datagram is cut off by the total length. */
	{
		static const uint8_t opts[8] = { 0x01, 0x01, 0x07, 0x05, 0x04, 0, 0, 0 };
		struct h_ipv4_hdr o = ip;

		o.options = opts;
		o.options_len = sizeof(opts);
		len = h_ipv4(f, &o, big, msg);
		memset(f + len, 0xee, 30);
		h_inject(f, len + 30);
		h_run();
		expect_reply(msg, 1);
	}

	/* An unknown protocol: protocol unreachable. */
	{
		struct h_ipv4_hdr o = ip;
		struct h_frame r;
		struct h_ipv4_view v;

		o.proto = 99;
		h_inject(f, h_ipv4(f, &o, big, msg));
		h_run();
		CHECK(h_pop(&r) && h_parse_ipv4(&r, &v));
		CHECK(v.proto == IP_PROTO_ICMP && v.l4[0] == 3 && v.l4[1] == 2);
		CHECK(h_csum_ok(v.l4, v.l4_len, 0));
		CHECK(v.l4_len == 8 + 20 + msg); /* the whole (small) datagram quoted */
	}
#undef BAD
}

/* A frame handed straight to eth_input() with the given buffer flags. */
static void take_in(const uint8_t *f, size_t len, uint16_t flags)
{
	struct netbuf *nb = netbuf_alloc(net);

	CHECK(nb != NULL && len <= NETBUF_SIZE - NETBUF_HEADROOM);
	memcpy(nb->data, f, len);
	nb->len = (uint16_t)len;
	nb->flags = flags;
	eth_input(net, nb);
	h_run();
}

/*
 * NETBUF_IP_HDR_OK (a header the stack wrote itself from one it checked,
 * gso.c): the header checksum is not verified again, every other check
 * still applies. And ipv4_set_total_len(), which keeps such a header's
 * checksum right without summing it again.
 */
static void trusted_headers(void)
{
	uint8_t f[H_FRAME_MAX];
	size_t msg = echo_msg(3, 40), len;
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	struct keel_net_stats s0 = stats(), s1;

	/* A wrong header checksum: taken with the flag, dropped without. */
	len = h_ipv4(f, &ip, big, msg);
	f[ETH_HLEN + 10] ^= 0x21;
	take_in(f, len, NETBUF_IP_HDR_OK);
	expect_reply(msg, 1);
	take_in(f, len, 0);
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_bad_ip - s0.drop_bad_ip == 1);

	/* The other checks stay: version, lengths, reserved flag, source. */
	s0 = stats();
	len = h_ipv4(f, &ip, big, msg);
	f[ETH_HLEN] = 0x65;
	take_in(f, len, NETBUF_IP_HDR_OK);
	len = h_ipv4(f, &ip, big, msg);
	net_put16(f + ETH_HLEN + 2, (uint16_t)(msg + 21));
	take_in(f, len, NETBUF_IP_HDR_OK);
	len = h_ipv4(f, &ip, big, msg);
	f[ETH_HLEN + 6] |= 0x80;
	take_in(f, len, NETBUF_IP_HDR_OK);
	{
		struct h_ipv4_hdr b = ip;

		b.src = H_STACK_IP;
		len = h_ipv4(f, &b, big, msg);
		take_in(f, len, NETBUF_IP_HDR_OK);
	}
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_bad_ip - s0.drop_bad_ip == 4);

	/* A new total length with the checksum updated: the header sums
	 * right for every length, from headers of every checksum. */
	for (uint32_t i = 0; i < 20000; i++) {
		struct h_ipv4_hdr b = ip;
		uint16_t total = (uint16_t)(20 + (i * 7919u) % 65516u);

		b.id = (uint16_t)(i * 40503u);
		b.ttl = (uint8_t)(1 + i % 255);
		b.tos = (uint8_t)(i >> 8);
		h_ipv4(f, &b, big, 8 + i % 64);
		ipv4_set_total_len(f + ETH_HLEN, total);
		CHECK(net_get16(f + ETH_HLEN + 2) == total);
		CHECK(inet_fold(inet_sum(f + ETH_HLEN, 20, 0)) == 0);
	}
}

static void fragments_in_order(void)
{
	size_t total = echo_msg(2, 3000);

	/* 1480 + 1480 + 48 */
	frag(100, 0, 1480, true);
	frag(100, 1480, 1480, true);
	frag(100, 2960, total - 2960, false);
	h_run();
	expect_reply(total, 3);
	CHECK(net->pool.free == net->pool.total);
}

static void fragments_reversed(void)
{
	size_t total = echo_msg(3, 1000);

	/* Small pieces, last first: they still make one whole datagram,
	 * answered in one frame. */
	for (size_t off = 1000; off > 0; off -= 200)
		frag(101, off - 200, off == 1000 ? total - 800 : 200, off != 1000);
	h_run();
	expect_reply(total, 1);
	CHECK(net->pool.free == net->pool.total);
}

static void fragments_interleaved(void)
{
	size_t t1, t2;
	static uint8_t copy1[4000];

	t1 = echo_msg(4, 2000);
	memcpy(copy1, big, t1);
	frag(102, 0, 1000, true);
	t2 = echo_msg(5, 2000);
	frag(103, 1000, t2 - 1000, false);
	frag(103, 0, 1000, true);
	h_run();
	expect_reply(t2, 2);
	memcpy(big, copy1, t1);
	frag(102, 1000, t1 - 1000, false);
	h_run();
	expect_reply(t1, 2);
}

static void overlaps(void)
{
	size_t total = echo_msg(6, 2000);
	struct keel_net_stats s0 = stats(), s1;

	/* A fragment that overlaps another in part drops the datagram. */
	frag(104, 0, 1000, true);
	frag(104, 992, 1000, true);
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 2);
	/* The rest of it makes a new, incomplete datagram (no reply). */
	frag(104, 1992, total - 1992, false);
	expect_nothing();

	/* Overlap from the other side (a later fragment reaching back). */
	s0 = stats();
	frag(105, 1000, 1000, true);
	frag(105, 0, 1008, true);
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 2);

	/* Exact duplicates, and a fragment within bytes already held (after
	 * appends), are dropped alone: the datagram completes. */
	s0 = stats();
	frag(106, 0, 504, true);
	frag(106, 504, 496, true);
	frag(106, 504, 496, true);
	frag(106, 0, 504, true);
	frag(106, 8, 16, true);
	frag(106, 1000, total - 1000, false);
	h_run();
	expect_reply(total, 2);
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 3);

	/* A last fragment that disagrees with bytes already held beyond it. */
	s0 = stats();
	frag(107, 1000, 1000, true);
	frag(107, 504, 200, false);
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 2);
	/* Two different lengths. */
	frag(108, 1000, 200, false);
	frag(108, 1000, 208, false);
	expect_nothing();

	/* Broken grid, empty, beyond 64 KiB. */
	s0 = stats();
	frag(109, 0, 1001, true);
	frag(109, 8, 0, true);
	frag(109, 8191 * 8, 100, false);
	expect_nothing();
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 3);
	h_advance(31 * KEEL_SEC);
	h_tx_clear();
	CHECK(net->pool.free == net->pool.total);
}

static void timeout(void)
{
	struct keel_net_stats s0 = stats(), s1;
	size_t total = echo_msg(7, 3000);
	struct h_frame r;
	struct h_ipv4_view v;

	frag(110, 0, 1480, true);
	frag(110, 2960, total - 2960, false);
	h_advance(29 * KEEL_SEC);
	CHECK(h_tx_pending() == 0);
	h_advance(KEEL_SEC);
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 2);
	/* Time exceeded (reassembly), quoting the first fragment. */
	CHECK(h_pop(&r) && h_parse_ipv4(&r, &v));
	CHECK(v.proto == IP_PROTO_ICMP && v.l4[0] == 11 && v.l4[1] == 1);
	CHECK(net_get16(v.l4 + 8 + 4) == 110);
	/* Without the first fragment, no message. */
	frag(111, 1480, 1480, true);
	h_advance(31 * KEEL_SEC);
	CHECK(h_tx_pending() == 0);
	/* The late middle fragment starts a fresh datagram that never ends. */
	frag(110, 1480, 1480, true);
	h_advance(31 * KEEL_SEC);
	CHECK(net->pool.free == net->pool.total);
}

static void too_many(void)
{
	struct keel_net_stats s0 = stats(), s1;
	size_t total = echo_msg(8, 100);

	/* 64 datagrams in progress at most: the 65th pushes out the oldest. */
	for (uint16_t id = 0; id < 65; id++)
		frag((uint16_t)(200 + id), 0, 56, true);
	h_run();
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm == 1);
	frag(200, 56, total - 56, false); /* the oldest: gone */
	h_run();
	CHECK(h_tx_pending() == 0);
	frag(264, 56, total - 56, false); /* the newest: completes */
	h_run();
	expect_reply(total, 1);

	/* The buffers held are bounded (a quarter of the pool): many large
	 * datagrams missing their ends push each other out. */
	s0 = stats();
	echo_msg(9, 20000);
	for (uint16_t id = 0; id < 20; id++)
		for (size_t off = 0; off < 8 * 1480; off += 1480)
			frag((uint16_t)(300 + id), off, 1480, true);
	h_run();
	CHECK(net->pool.total - net->pool.free <= net->pool.total / 4);
	s1 = stats();
	CHECK(s1.drop_reasm - s0.drop_reasm >= 20 * 8 - net->pool.total / 4);
	h_advance(31 * KEEL_SEC);
	h_tx_clear();
	CHECK(net->pool.free == net->pool.total);
}

/* 20000 bytes of echo (ping -s 20000): reassembled across buffers, and
 * the reply goes out in fragments of the same sizes. */
static void large(void)
{
	size_t total = echo_msg(10, 20000), off;
	uint32_t used;

	for (off = 0; off + 1480 < total; off += 1480)
		frag(400, off, 1480, true);
	frag(400, off, total - off, false);
	h_run();
	expect_reply(total, (unsigned)(total + 1479) / 1480);
	CHECK(net->pool.free == net->pool.total);

	/* The same, fragments in a scrambled order, and 65507 + 8 bytes: the
	 * largest a datagram can carry. */
	total = echo_msg(11, 65535 - 20 - 8);
	{
		size_t n = (total + 1479) / 1480, order[64];

		for (size_t i = 0; i < n; i++)
			order[i] = (i * 17) % n;
		for (size_t i = 0; i < n; i++) {
			size_t o = order[i] * 1480;

			frag(401, o, o + 1480 < total ? 1480 : total - o, o + 1480 < total);
		}
	}
	h_run();
	expect_reply(total, 45);
	used = net->pool.total - net->pool.free;
	CHECK(used == 0);
}

/* A large UDP datagram sent by the stack leaves in fragments. */
static void output_fragments(void)
{
	static uint8_t payload[30000];
	struct keel_udp *u;
	struct keel_sockaddr to = { keel_addr_ipv4(10, 0, 0, 1), 9999 };
	struct h_ipv4_view v;
	unsigned n;
	size_t len;
	uint16_t id0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ (i >> 8));
	CHECK(keel_udp_bind(net, NULL, &u) == KEEL_OK);
	CHECK(keel_udp_sendto(u, payload, sizeof(payload), &to) == (long)sizeof(payload));
	len = h_pop_datagram(got, sizeof(got), &v, &n);
	CHECK(len == 8 + sizeof(payload) && n == 21);
	CHECK(h_csum_ok(got, len, inet_pseudo_sum(v.src, v.dst, IP_PROTO_UDP, (uint16_t)len)));
	CHECK(memcmp(got + 8, payload, sizeof(payload)) == 0);
	id0 = v.id;
	/* Exactly the MTU in one frame; one byte more in two. */
	CHECK(keel_udp_sendto(u, payload, 1472, &to) == 1472);
	len = h_pop_datagram(got, sizeof(got), &v, &n);
	CHECK(len == 1480 && n == 1 && (v.frag & 0x3fff) == 0);
	CHECK(v.id == (uint16_t)(id0 + 1)); /* ids go up */
	CHECK(keel_udp_sendto(u, payload, 1473, &to) == 1473);
	len = h_pop_datagram(got, sizeof(got), &v, &n);
	CHECK(len == 1481 && n == 2);
	/* UDP payload limits. */
	CHECK(keel_udp_sendto(u, big, 65507, &to) == 65507);
	len = h_pop_datagram(got, sizeof(got), &v, &n);
	CHECK(len == 65515 && n == 45);
	CHECK(keel_udp_sendto(u, big, 65508, &to) == KEEL_EINVAL);
	keel_udp_close(u);
	CHECK(net->pool.free == net->pool.total);
}

/* Small fragments in order are appended into fewer buffers; the reply
 * is cut afresh at our MTU (the copying path of ipv4_output). */
static void small_fragments(void)
{
	size_t total = echo_msg(12, 3000), off;

	for (off = 0; off + 552 < total; off += 552)
		frag(500, off, 552, true);
	frag(500, off, total - off, false);
	h_run();
	expect_reply(total, 3);
	CHECK(net->pool.free == net->pool.total);
}

static void body(void *arg)
{
	net = h_open(NULL);
	h_learn_peer(net);
	header_checks();
	trusted_headers();
	fragments_in_order();
	fragments_reversed();
	fragments_interleaved();
	overlaps();
	h_learn_peer(net);
	timeout();
	h_learn_peer(net);
	too_many();
	large();
	output_fragments();
	small_fragments();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/ipv4", body, NULL);
}

/*
 * The device's offloads as lib/net uses them (platform.h, kp_net_meta):
 * checksums the device vouches for, large TCP segments it hands over
 * (gso.c: checked whole, then taken in piece by piece), and hostile
 * descriptions of them, each dropped and counted without a leak. What
 * the stack sends with offloads (partial checksums, TSO) is checked by
 * the harness's device on every frame; tcp_data and tcp_link also run
 * with all offloads on (tests/net/offload.t).
 */
#include "tcp_util.h"

static struct keel_net *net;
static struct keel_listener *lis;
static uint8_t data[KP_NET_GSO_FRAME_MAX];
static uint8_t seg[KP_NET_GSO_FRAME_MAX], frame[KP_NET_GSO_FRAME_MAX];

/* A whole frame from peer p: its next `len` bytes of data (from data +
 * off) with the timestamp option and ACK|PSH, checksums right. */
static size_t build(struct t_peer *p, size_t off, size_t len, uint8_t flags)
{
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_TCP };
	uint8_t o[12];
	struct t_out out = {
		.sport = p->port,
		.dport = p->sport,
		.seq = p->seq,
		.ack = p->ack,
		.flags = flags,
		.wnd = p->wnd,
		.opts = o,
		.opts_len = t_ts_opt(o, ++p->ts_val, p->ts_ecr),
		.data = data + off,
		.len = len,
	};

	return h_ipv4(frame, &ip, seg, t_build(seg, H_PEER_IP, H_STACK_IP, &out));
}

static void inject(size_t len, uint16_t flags, uint16_t gso_size)
{
	struct kp_net_meta m = { .flags = flags, .gso_size = gso_size };

	h_inject_meta(frame, len, &m);
	h_run();
}

/* Reads exactly n bytes and checks them against data + off. */
static void read_exactly(struct t_peer *p, size_t off, size_t n)
{
	static uint8_t got[sizeof(data)];
	size_t have = 0;

	while (have < n) {
		long r = keel_read(p->flow, got + have, n - have, keel_now());

		CHECK(r > 0);
		have += (size_t)r;
	}
	CHECK(memcmp(got, data + off, n) == 0);
	CHECK(keel_read(p->flow, got, 1, keel_now()) == KEEL_ETIMEDOUT);
}

static void large_segments(void)
{
	struct t_peer p;
	struct t_seg s;
	size_t n;
	unsigned acks = 0;

	p_open(&p, lis, 61001, 100000);

	/* 40,000 bytes in one frame, vouched for: all arrive, in order,
	 * and the stack answers once for the whole (no ACK per piece). */
	n = build(&p, 0, 40000, TCP_ACK | TCP_PSH);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	while (p_pop(&p, &s)) {
		CHECK(s.flags == TCP_ACK && s.len == 0);
		acks++;
	}
	CHECK(acks == 1);
	CHECK(s.ack == p.seq + 40000);
	p.seq += 40000;
	read_exactly(&p, 0, 40000);

	/* Not vouched for: the stack checks the checksum of the whole. */
	n = build(&p, 40000, 20000, TCP_ACK);
	inject(n, KP_NET_F_GSO4, 1448);
	p.seq += 20000;
	read_exactly(&p, 40000, 20000);
	t_drain();

	/* ... and drops it when it is wrong. */
	{
		struct keel_net_stats before = t_stats(net);

		n = build(&p, 0, 30000, TCP_ACK);
		frame[n - 1] ^= 0x55;
		inject(n, KP_NET_F_GSO4, 1448);
		CHECK(t_stats(net).drop_bad_l4 == before.drop_bad_l4 + 1);
		CHECK(keel_read(p.flow, seg, 1, keel_now()) == KEEL_ETIMEDOUT);
	}

	/* A FIN on the large segment ends the stream after all its bytes. */
	n = build(&p, 0, 5000, TCP_ACK | TCP_FIN);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	p.seq += 5001;
	{
		static uint8_t got[5000];
		size_t have = 0;
		long r;

		while ((r = keel_read(p.flow, got + have, sizeof(got) - have, keel_now())) > 0)
			have += (size_t)r;
		CHECK(have == 5000 && memcmp(got, data, 5000) == 0);
		CHECK(keel_read(p.flow, got, 1, keel_now()) == 0);
	}
	t_drain();
	keel_close(p.flow);
	t_drain();
}

/*
 * While frames come that each fit one buffer, a read offers one buffer
 * and a spill area (iface.c: RX_FIT_SMALL); a large segment then read
 * is copied out of the spill area whole, and reads offer full lists
 * again until small frames come in a row once more.
 */
static void spill(void)
{
	const unsigned full = NET_RX_BUFS_MAX;
	struct t_peer p;
	struct keel_net_stats before;
	size_t n, off = 0;

	p_open(&p, lis, 61003, 300000);
	t_drain();
	/* A frame larger than a buffer ends any run of small ones. */
	n = build(&p, off, 3000, TCP_ACK | TCP_PSH);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	p.seq += 3000;
	read_exactly(&p, off, 3000);
	off += 3000;
	t_drain();
	/* Full lists until 16 frames in a row fit one buffer. */
	for (unsigned i = 0; i < 16; i++) {
		n = build(&p, off, 100, TCP_ACK | TCP_PSH);
		inject(n, KP_NET_F_CSUM_OK, 0);
		CHECK(h_rx_last_nbufs == full);
		p.seq += 100;
		read_exactly(&p, off, 100);
		off += 100;
		t_drain();
	}
	for (unsigned i = 0; i < 3; i++) {
		n = build(&p, off, 100, TCP_ACK | TCP_PSH);
		inject(n, KP_NET_F_CSUM_OK, 0);
		CHECK(h_rx_last_nbufs == 2 && h_rx_last_room == KP_NET_GSO_FRAME_MAX);
		p.seq += 100;
		read_exactly(&p, off, 100);
		off += 100;
		t_drain();
	}
	/* A large segment read with one buffer and the spill area: every
	 * byte arrives, nothing is dropped, and the next read offers a
	 * full list. Sizes: just over one buffer, and the largest. */
	before = t_stats(net);
	n = build(&p, off, 2000, TCP_ACK | TCP_PSH);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	CHECK(h_rx_last_nbufs == 2);
	p.seq += 2000;
	read_exactly(&p, off, 2000);
	off += 2000;
	t_drain();
	n = build(&p, off, 100, TCP_ACK | TCP_PSH);
	inject(n, KP_NET_F_CSUM_OK, 0);
	CHECK(h_rx_last_nbufs == full);
	p.seq += 100;
	read_exactly(&p, off, 100);
	off += 100;
	t_drain();
	for (unsigned i = 0; i < 16; i++) {
		n = build(&p, off, 10, TCP_ACK | TCP_PSH);
		inject(n, KP_NET_F_CSUM_OK, 0);
		p.seq += 10;
		read_exactly(&p, off, 10);
		off += 10;
		t_drain();
	}
	n = KP_NET_GSO_FRAME_MAX - 14 - 20 - 32;
	n = build(&p, sizeof(data) - n, n, TCP_ACK | TCP_PSH);
	CHECK(n == KP_NET_GSO_FRAME_MAX);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	CHECK(h_rx_last_nbufs == 2);
	n = KP_NET_GSO_FRAME_MAX - 14 - 20 - 32;
	p.seq += (uint32_t)n;
	read_exactly(&p, sizeof(data) - n, n);
	CHECK(t_stats(net).drop_no_buffer == before.drop_no_buffer);
	CHECK(t_stats(net).drop_bad_frame == before.drop_bad_frame);
	t_drain();
	keel_close(p.flow);
	t_drain();
}

/* Each of these is dropped whole, counted, and nothing reaches the
 * connection. */
static void hostile_descriptions(void)
{
	struct t_peer p;
	struct keel_net_stats before;
	uint64_t drops;
	size_t n;

	p_open(&p, lis, 61002, 200000);
	before = t_stats(net);

	/* gso_size 0 */
	n = build(&p, 0, 10000, TCP_ACK);
	p.ts_val--;
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 0);
	/* IPv4 total length not the frame's */
	n = build(&p, 0, 10000, TCP_ACK);
	net_put16(frame + ETH_HLEN + 2, (uint16_t)(n - ETH_HLEN - 100));
	h_ipv4_fix_csum(frame);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* a bad IPv4 header checksum */
	n = build(&p, 0, 10000, TCP_ACK);
	frame[ETH_HLEN + 10] ^= 1;
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* a fragment */
	n = build(&p, 0, 10000, TCP_ACK);
	net_put16(frame + ETH_HLEN + 6, 0x2000);
	h_ipv4_fix_csum(frame);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* not TCP */
	n = build(&p, 0, 10000, TCP_ACK);
	frame[ETH_HLEN + 9] = IP_PROTO_UDP;
	h_ipv4_fix_csum(frame);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* SYN, RST, URG */
	n = build(&p, 0, 10000, TCP_ACK | TCP_SYN);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	n = build(&p, 0, 10000, TCP_ACK | TCP_RST);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	n = build(&p, 0, 10000, TCP_ACK | TCP_URG);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* a TCP data offset below 5 words */
	n = build(&p, 0, 10000, TCP_ACK);
	frame[ETH_HLEN + 20 + 12] = 0x40;
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* not IPv4 */
	n = build(&p, 0, 10000, TCP_ACK);
	net_put16(frame + 12, ETH_TYPE_ARP);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
	/* headers only */
	n = build(&p, 0, 0, TCP_ACK);
	net_put16(frame + ETH_HLEN + 2, (uint16_t)(n - ETH_HLEN));
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);

	drops = t_stats(net).drop_bad_frame + t_stats(net).drop_bad_ip + t_stats(net).drop_bad_l4 -
	        before.drop_bad_frame - before.drop_bad_ip - before.drop_bad_l4;
	if (drops != 11)
		printf("dropped %llu of 11\n", (unsigned long long)drops);
	CHECK(drops == 11);
	CHECK(keel_read(p.flow, seg, 1, keel_now()) == KEEL_ETIMEDOUT);

	/* An ordinary frame whose checksum the device vouches for is taken
	 * as it is; one it says nothing of is checked, and dropped when
	 * wrong. */
	n = build(&p, 0, 100, TCP_ACK);
	frame[n - 1] ^= 0x55;
	inject(n, 0, 0);
	CHECK(keel_read(p.flow, seg, 1, keel_now()) == KEEL_ETIMEDOUT);
	p.ts_val--;
	n = build(&p, 0, 100, TCP_ACK);
	inject(n, KP_NET_F_CSUM_OK, 0);
	p.seq += 100;
	read_exactly(&p, 0, 100);
	t_drain();
	keel_close(p.flow);
	t_drain();
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };

	(void)arg;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + (i >> 9));
	h_offloads =
	    KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4 | KP_NET_OFF_RX_GSO4;
	net = h_open(NULL);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 16, &lis) == KEEL_OK);
	large_segments();
	spill();
	hostile_descriptions();
	h_advance(10 * KEEL_SEC);
	t_drain();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/offload", body, NULL);
}

/*
 * tcp_attack_test — segments a hostile or broken peer sends: bad
 * checksums and header lengths, malformed options, out-of-window data,
 * RST and SYN inside the window (RFC 5961 challenge ACKs, rate-limited),
 * ACKs of data never sent and ACKs too old (RFC 5961 5.2), PAWS (RFC
 * 7323), and a flood of tiny out-of-order segments (the bound of the
 * out-of-order queue).
 */
#include "tcp_util.h"

static struct keel_net *net;
static struct keel_listener *lis;

static void malformed(void)
{
	struct t_peer p;
	struct t_seg s;
	uint64_t bad = t_stats(net).tcp_drop_bad;
	uint8_t opts[4] = { 8, 10, 1, 1 }; /* timestamps running past the header */
	char buf[16];

	p_open(&p, lis, 50001, 1000);
	/* Bad checksum: dropped, counted, nothing sent, nothing delivered. */
	t_send(&(struct t_out){ .sport = p.port,
	                        .dport = T_PORT,
	                        .seq = p.seq,
	                        .ack = p.ack,
	                        .flags = TCP_ACK,
	                        .wnd = 512,
	                        .data = "xx",
	                        .len = 2,
	                        .bad_csum = true });
	CHECK(!t_pop(&s));
	CHECK(t_stats(net).tcp_drop_bad == bad + 1);
	/* Data offset below 20, and past the segment. */
	t_send(&(struct t_out){ .sport = p.port,
	                        .dport = T_PORT,
	                        .seq = p.seq,
	                        .ack = p.ack,
	                        .flags = TCP_ACK,
	                        .wnd = 512,
	                        .hlen_override = 0x40 });
	t_send(&(struct t_out){ .sport = p.port,
	                        .dport = T_PORT,
	                        .seq = p.seq,
	                        .ack = p.ack,
	                        .flags = TCP_ACK,
	                        .wnd = 512,
	                        .hlen_override = 0xf0 });
	/* Malformed options. */
	t_send(&(struct t_out){ .sport = p.port,
	                        .dport = T_PORT,
	                        .seq = p.seq,
	                        .ack = p.ack,
	                        .flags = TCP_ACK,
	                        .wnd = 512,
	                        .opts = opts,
	                        .opts_len = 4,
	                        .data = "yy",
	                        .len = 2 });
	CHECK(!t_pop(&s));
	CHECK(t_stats(net).tcp_drop_bad == bad + 4);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	CHECK(p_conn(&p)->state == TCP_ESTABLISHED);
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(p.flow);
}

static void out_of_window(void)
{
	struct t_peer p;
	struct t_seg s;
	char buf[16];
	uint32_t seq;

	p_open(&p, lis, 50002, 2000);
	/* Far beyond the window: an ACK says where we are; nothing kept. */
	seq = p.seq;
	p.seq += 10 * 1000 * 1000;
	p_send(&p, TCP_ACK, "far", 3);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == seq);
	/* Old data (a duplicate): acknowledged, not delivered twice. */
	p.seq = seq;
	p_send(&p, TCP_ACK, "new", 3);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 3);
	p.seq = seq;
	p_send(&p, TCP_ACK, "new", 3);
	CHECK(p_pop(&p, &s) && s.ack == seq + 3);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	/* Overlapping: only the new part is taken. */
	p.seq = seq + 1;
	p_send(&p, TCP_ACK, "EWXY", 4);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 2);
	CHECK(memcmp(buf, "XY", 2) == 0);
	t_drain();
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(p.flow);
}

static void rst_and_syn(void)
{
	struct t_peer p;
	struct t_seg s;
	char buf[4];
	uint32_t seq;
	unsigned acks;

	p_open(&p, lis, 50003, 3000);
	seq = p.seq;
	/* RST in the window but not at RCV.NXT: a challenge ACK, no reset. */
	p.seq = seq + 1000;
	p_send(&p, TCP_RST, NULL, 0);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == seq);
	CHECK(p_conn(&p)->state == TCP_ESTABLISHED);
	/* RST out of the window: nothing at all. */
	p.seq = seq + 5 * 1000 * 1000;
	p_send(&p, TCP_RST, NULL, 0);
	CHECK(!t_pop(&s));
	/* SYN in a synchronized state, in window or not: challenge ACK. */
	p.seq = seq + 10;
	p_send(&p, TCP_SYN, NULL, 0);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == seq);
	p.seq = seq;
	p_send(&p, TCP_SYN | TCP_ACK, NULL, 0);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == seq);
	CHECK(p_conn(&p)->state == TCP_ESTABLISHED);
	/* Challenge ACKs are rate-limited: a burst gets at most 10 a second. */
	h_advance(1100 * KEEL_MSEC);
	for (unsigned i = 0; i < 50; i++) {
		p.seq = seq + 100 + i;
		p_send(&p, TCP_RST, NULL, 0);
	}
	acks = t_drain();
	CHECK(acks == TCP_CHALLENGE_ACKS_PER_SEC);
	/* The exact RST resets. */
	p.seq = seq;
	p_send(&p, TCP_RST, NULL, 0);
	CHECK(!t_pop(&s));
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ECONNRESET);
	CHECK(p_conn(&p)->state == TCP_CLOSED);
	keel_close(p.flow);
}

static void ack_validity(void)
{
	struct t_peer p;
	struct t_seg s;
	char buf[8];
	uint32_t ack;

	p_open(&p, lis, 50004, 4000);
	/* An ACK of data never sent: answered with an ACK, segment dropped. */
	ack = p.ack;
	p.ack = ack + 5000;
	p_send(&p, TCP_ACK, "zz", 2);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == p.seq - 2);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	/* An ACK far below snd_una - max window: a challenge ACK. */
	p.seq -= 2;
	p.ack = ack - 3000000;
	p_send(&p, TCP_ACK, "zz", 2);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	/* The right one is taken. */
	p.seq -= 2;
	p.ack = ack;
	p_send(&p, TCP_ACK, "zz", 2);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 2);
	t_drain();
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(p.flow);
}

static void paws(void)
{
	struct t_peer p;
	struct t_seg s;
	char buf[8];
	uint64_t bad;

	p_open(&p, lis, 50005, 5000);
	p_send(&p, TCP_ACK, "a", 1);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 1);
	/* A segment whose timestamp went backwards is an old duplicate. */
	bad = t_stats(net).tcp_drop_bad;
	p.ts_val -= 100;
	p_send(&p, TCP_ACK, "b", 1);
	CHECK(t_stats(net).tcp_drop_bad == bad + 1);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == p.seq - 1);
	/* Its retransmission with a fresh timestamp is taken. */
	p.seq--;
	p.ts_val += 200;
	p_send(&p, TCP_ACK, "b", 1);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 1 && buf[0] == 'b');
	t_drain();
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(p.flow);
}

static void ooo_flood(void)
{
	struct t_peer p;
	struct tcp_conn *c;
	uint32_t seq;
	uint32_t free0 = net->pool.free;
	uint64_t dropped;

	p_open(&p, lis, 50006, 6000);
	c = p_conn(&p);
	seq = p.seq;
	/* One-byte segments with gaps: every one out of order. */
	for (unsigned i = 0; i < 400; i++) {
		p.seq = seq + 2 + 2 * i;
		p_send(&p, TCP_ACK, "x", 1);
		t_drain();
	}
	dropped = net->tcp->ooo_dropped;
	CHECK(dropped > 0);
	CHECK(c->ooo_segs <= c->rcvbuf / 1024 + 8);
	CHECK(net->pool.free + c->ooo_segs + 8 >= free0);
	/* The first hole filled: what follows it in sequence goes too. */
	p.seq = seq;
	p_send(&p, TCP_ACK, "yz", 2);
	CHECK(c->rcv_nxt == seq + 3);
	p.seq = seq + 3;
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	CHECK(c->ooo_segs == 0);
	keel_close(p.flow);
	t_drain();
	CHECK(net->pool.free == free0);
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };

	(void)arg;
	net = h_open(NULL);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 16, &lis) == KEEL_OK);
	malformed();
	out_of_window();
	rst_and_syn();
	ack_validity();
	paws();
	ooo_flood();
	CHECK(t_stats(net).tcp_conns_live == 0);
}

int main(void)
{
	return h_main("net/tcp_attack", body, NULL);
}

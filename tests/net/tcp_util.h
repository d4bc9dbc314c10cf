/*
 * tests/net/tcp_util.h — helpers the TCP unit tests share (header-only, so
 * each tcp_*_test.c stays one file): the test plays the peer 10.0.0.1 on
 * the harness's fake device, builds TCP segments to inject (SACK blocks
 * among their options) and takes apart the ones the stack sends.
 */
#ifndef KEEL_TESTS_NET_TCP_UTIL_H
#define KEEL_TESTS_NET_TCP_UTIL_H

#include <string.h>

#include "harness.h"
#include "tcp_impl.h"

/* A segment for t_send(). */
struct t_out {
	uint16_t sport, dport; /* host order: peer's port, stack's port */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	const uint8_t *opts; /* raw option bytes, padded by the caller */
	size_t opts_len;
	const void *data;
	size_t len;
	bool bad_csum;         /* flip a checksum bit */
	uint8_t hlen_override; /* nonzero: this data-offset byte (words << 4) */
};

/* A segment the stack sent, taken apart. */
struct t_seg {
	uint32_t src, dst;
	uint16_t sport, dport; /* host order */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	struct tcp_opts opt;
	bool opts_ok;
	uint8_t data[2048];
	size_t len;
};

static inline size_t t_build(uint8_t *out, uint32_t src, uint32_t dst, const struct t_out *o)
{
	size_t hlen = TCP_HLEN + o->opts_len;
	uint16_t csum;

	memset(out, 0, TCP_HLEN);
	net_put16(out, o->sport);
	net_put16(out + 2, o->dport);
	net_put32(out + 4, o->seq);
	net_put32(out + 8, o->ack);
	out[12] = o->hlen_override ? o->hlen_override : (uint8_t)((hlen / 4) << 4);
	out[13] = o->flags;
	net_put16(out + 14, o->wnd);
	if (o->opts_len)
		memcpy(out + TCP_HLEN, o->opts, o->opts_len);
	if (o->len)
		memcpy(out + hlen, o->data, o->len);
	csum =
	    inet_fold(inet_sum(out, hlen + o->len,
	                       inet_pseudo_sum(src, dst, IP_PROTO_TCP, (uint16_t)(hlen + o->len))));
	memcpy(out + 16, &csum, 2);
	if (o->bad_csum)
		out[16] ^= 0x40;
	return hlen + o->len;
}

/* Injects a segment from the peer to the stack and lets the stack run. */
static inline void t_send(const struct t_out *o)
{
	static uint8_t seg[2048], frame[2100];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_TCP };
	size_t len = t_build(seg, H_PEER_IP, H_STACK_IP, o);

	h_inject(frame, h_ipv4(frame, &ip, seg, len));
	h_run();
}

/* Takes apart a frame; false when it is not a TCP segment. */
static inline bool t_parse(const struct h_frame *f, struct t_seg *s)
{
	struct h_ipv4_view v;
	size_t hlen;

	if (!h_parse_ipv4(f, &v) || v.proto != IP_PROTO_TCP)
		return false;
	CHECK(v.l4_len >= TCP_HLEN);
	CHECK(h_csum_ok(v.l4, v.l4_len,
	                inet_pseudo_sum(v.src, v.dst, IP_PROTO_TCP, (uint16_t)v.l4_len)));
	memset(s, 0, sizeof(*s));
	s->src = v.src;
	s->dst = v.dst;
	s->sport = net_get16(v.l4);
	s->dport = net_get16(v.l4 + 2);
	s->seq = net_get32(v.l4 + 4);
	s->ack = net_get32(v.l4 + 8);
	s->flags = v.l4[13];
	s->wnd = net_get16(v.l4 + 14);
	hlen = (size_t)(v.l4[12] >> 4) * 4;
	CHECK(hlen >= TCP_HLEN && hlen <= v.l4_len);
	s->opts_ok = tcp_options_parse(v.l4 + TCP_HLEN, hlen - TCP_HLEN, (s->flags & TCP_SYN) != 0,
	                               &s->opt) == KEEL_OK;
	CHECK(s->opts_ok);
	s->len = v.l4_len - hlen;
	memcpy(s->data, v.l4 + hlen, s->len);
	return true;
}

/* Pops the next TCP segment the stack sent. Other frames are dropped,
 * but ARP requests for the peer are answered, as a live peer would. */
static inline bool t_pop(struct t_seg *s)
{
	struct h_frame f;

	while (h_pop(&f)) {
		if (f.len >= 42 && net_get16(f.data + 12) == ETH_TYPE_ARP &&
		    net_get16(f.data + 20) == 1) {
			uint8_t r[64];
			size_t n = h_arp(r, 2, h_peer_mac, H_PEER_IP, h_stack_mac, H_STACK_IP);

			h_inject(r, n);
			h_run();
			continue;
		}
		if (t_parse(&f, s))
			return true;
	}
	return false;
}

/* Counts (and drops) every TCP segment waiting. */
static inline unsigned t_drain(void)
{
	struct t_seg s;
	unsigned n = 0;

	while (t_pop(&s))
		n++;
	return n;
}

static inline struct keel_net_stats t_stats(struct keel_net *net)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

/* The SYN options of a typical Linux peer: MSS 1460, SACK-permitted,
 * timestamps (val, 0), window scale 7. */
static inline size_t t_syn_opts(uint8_t *o, bool ts, uint32_t ts_val, bool ws, bool sack)
{
	size_t n = 0;

	o[n++] = 2;
	o[n++] = 4;
	net_put16(o + n, 1460);
	n += 2;
	if (sack) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	if (ts) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 8;
		o[n++] = 10;
		net_put32(o + n, ts_val);
		net_put32(o + n + 4, 0);
		n += 8;
	}
	if (ws) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = 7;
	}
	return n;
}

/* A timestamp option (12 bytes with two no-ops). */
static inline size_t t_ts_opt(uint8_t *o, uint32_t val, uint32_t ecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	net_put32(o + 4, val);
	net_put32(o + 8, ecr);
	return 12;
}

/* A SACK option with `nblocks` (at most 4) blocks [blocks[i][0],
 * blocks[i][1]), after two no-ops; its length (nothing for no block). */
static inline size_t t_sack_opt(uint8_t *o, unsigned nblocks, const uint32_t blocks[][2])
{
	size_t n = 0;

	CHECK(nblocks <= 4);
	if (nblocks == 0)
		return 0;
	o[n++] = 1;
	o[n++] = 1;
	o[n++] = 5;
	o[n++] = (uint8_t)(2 + 8 * nblocks);
	for (unsigned i = 0; i < nblocks; i++, n += 8) {
		net_put32(o + n, blocks[i][0]);
		net_put32(o + n + 4, blocks[i][1]);
	}
	return n;
}

/* ---- The peer's side of one connection ------------------------------------ */

#define T_PORT 80 /* where the tests' listener is */

struct t_peer {
	uint16_t port;   /* the peer's port */
	uint16_t sport;  /* the stack's port */
	uint32_t seq;    /* next sequence number the peer sends */
	uint32_t ack;    /* next byte expected from the stack */
	uint32_t siss;   /* the stack's ISN */
	uint16_t wnd;    /* window field the peer sends (scaled by 7) */
	bool ts;         /* timestamps negotiated */
	uint32_t ts_val; /* the peer's clock */
	uint32_t ts_ecr; /* newest TSval seen from the stack */
	struct keel_flow *flow;
};

/* Sends a segment of the peer with its current seq/ack/window. */
static inline void p_send(struct t_peer *p, uint8_t flags, const void *data, size_t len)
{
	uint8_t o[12];
	struct t_out out = {
		.sport = p->port,
		.dport = p->sport,
		.seq = p->seq,
		.ack = p->ack,
		.flags = flags,
		.wnd = p->wnd,
		.data = data,
		.len = len,
	};

	if (p->ts) {
		out.opts = o;
		out.opts_len = t_ts_opt(o, ++p->ts_val, p->ts_ecr);
	}
	t_send(&out);
	p->seq += (uint32_t)len + ((flags & TCP_FIN) ? 1 : 0);
}

/* Pops the stack's next segment to the peer; notes its timestamp. */
static inline bool p_pop(struct t_peer *p, struct t_seg *s)
{
	if (!t_pop(s))
		return false;
	CHECK(s->dport == p->port && s->sport == p->sport);
	if (s->opt.has_ts)
		p->ts_ecr = s->opt.ts_val;
	return true;
}

/*
 * Opens a connection from the peer to the listener `l` on port T_PORT
 * (SYN with MSS 1460, SACK, timestamps, window scale 7; SYN-ACK checked;
 * final ACK) and accepts it. The peer's ISN is `iss`.
 */
static inline void p_open(struct t_peer *p, struct keel_listener *l, uint16_t port, uint32_t iss)
{
	uint8_t o[40];
	struct t_seg s;
	size_t n;
	struct keel_sockaddr peer;

	memset(p, 0, sizeof(*p));
	p->port = port;
	p->sport = T_PORT;
	p->seq = iss;
	p->wnd = 512; /* 64 KiB with scale 7 */
	p->ts = true;
	p->ts_val = 5000;
	n = t_syn_opts(o, true, p->ts_val, true, true);
	t_send(&(struct t_out){ .sport = port,
	                        .dport = T_PORT,
	                        .seq = iss,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(p_pop(p, &s));
	CHECK(s.flags == (TCP_SYN | TCP_ACK));
	CHECK(s.ack == iss + 1);
	CHECK(s.opt.has_mss && s.opt.mss == 1460);
	CHECK(s.opt.sack_ok && s.opt.has_ts && s.opt.ts_ecr == 5000 && s.opt.has_wscale);
	p->seq = iss + 1;
	p->siss = s.seq;
	p->ack = s.seq + 1;
	p_send(p, TCP_ACK, NULL, 0);
	CHECK(keel_tcp_accept(l, &p->flow, &peer, keel_now()) == KEEL_OK);
	CHECK(peer.port == port);
	CHECK(t_pop(&s) == false);
}

/* An ACK of peer p at `ack` (its seq, window and a fresh timestamp) with
 * up to two SACK blocks [l0, r0), [l1, r1): a duplicate ACK when `ack`
 * is where it acknowledged already. */
static inline void p_sack(struct t_peer *p, uint32_t ack, unsigned nblocks, uint32_t l0,
                          uint32_t r0, uint32_t l1, uint32_t r1)
{
	const uint32_t blocks[2][2] = { { l0, r0 }, { l1, r1 } };
	uint8_t o[40];
	size_t n = t_ts_opt(o, ++p->ts_val, p->ts_ecr);

	CHECK(nblocks <= 2);
	n += t_sack_opt(o + n, nblocks, blocks);
	t_send(&(struct t_out){ .sport = p->port,
	                        .dport = p->sport,
	                        .seq = p->seq,
	                        .ack = ack,
	                        .flags = TCP_ACK,
	                        .wnd = p->wnd,
	                        .opts = o,
	                        .opts_len = n });
}

/* Has the stack send `count` (at most 128) full segments of 1448 bytes
 * to peer p at one instant, and pops them all; the sequence number of
 * the first (where the peer's ACK stood). */
static inline uint32_t send_burst(struct t_peer *p, unsigned count)
{
	static uint8_t data[128 * 1448];
	struct t_seg s;
	unsigned n = 0;

	CHECK(count <= 128);
	for (size_t i = 0; i < count * 1448; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	CHECK(keel_write(p->flow, data, count * 1448, keel_now()) == (long)(count * 1448));
	h_run();
	while (p_pop(p, &s))
		n++;
	CHECK(n == count);
	return p->ack;
}

/* The stack's connection behind peer p's accepted flow. */
static inline struct tcp_conn *p_conn(const struct t_peer *p)
{
	return (struct tcp_conn *)(void *)p->flow;
}

/* Ends peer p's connection: a reset at what the stack expects, then the
 * stack's side closed, and everything in flight drained. */
static inline void p_finish(struct t_peer *p)
{
	t_drain();
	p->seq = p_conn(p)->rcv_nxt;
	p_send(p, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(p->flow);
	t_drain();
}

#endif

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
static size_t build_from(struct t_peer *p, const uint8_t *src, size_t len, uint8_t flags)
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
		.data = src,
		.len = len,
	};

	return h_ipv4(frame, &ip, seg, t_build(seg, H_PEER_IP, H_STACK_IP, &out));
}

static size_t build(struct t_peer *p, size_t off, size_t len, uint8_t flags)
{
	return build_from(p, data + off, len, flags);
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
/* Peer p sends `len` bytes of data + *off in one frame (a large segment
 * above one MSS) and the application reads them; the receive list the
 * read of that frame offered was `nbufs` pieces long (0: not checked). */
static void one_frame(struct t_peer *p, size_t *off, size_t len, unsigned nbufs)
{
	size_t n = build(p, *off, len, TCP_ACK | TCP_PSH);

	inject(n, len > 1448 ? KP_NET_F_GSO4 | KP_NET_F_CSUM_OK : KP_NET_F_CSUM_OK, 1448);
	CHECK(nbufs == 0 || h_rx_last_nbufs == nbufs);
	p->seq += (uint32_t)len;
	read_exactly(p, *off, len);
	*off += len;
	t_drain();
}

static void spill(void)
{
	const unsigned full = NET_RX_BUFS_MAX;
	const size_t largest = KP_NET_GSO_FRAME_MAX - 14 - 20 - 32;
	struct t_peer p;
	struct keel_net_stats before;
	size_t off = 0;

	p_open(&p, lis, 61003, 300000);
	t_drain();
	/* A frame larger than a buffer ends any run of small ones. */
	one_frame(&p, &off, 3000, 0);
	/* Full lists until 16 frames in a row fit one buffer. */
	for (unsigned i = 0; i < 16; i++)
		one_frame(&p, &off, 100, full);
	for (unsigned i = 0; i < 3; i++) {
		one_frame(&p, &off, 100, 2);
		CHECK(h_rx_last_room == KP_NET_GSO_FRAME_MAX);
	}
	/* A large segment read with one buffer and the spill area: every
	 * byte arrives, nothing is dropped, and the next read offers a
	 * full list. Sizes: just over one buffer, and the largest. */
	before = t_stats(net);
	one_frame(&p, &off, 2000, 2);
	one_frame(&p, &off, 100, full);
	for (unsigned i = 0; i < 16; i++)
		one_frame(&p, &off, 10, 0);
	off = sizeof(data) - largest;
	CHECK(build(&p, off, largest, TCP_ACK | TCP_PSH) == KP_NET_GSO_FRAME_MAX);
	one_frame(&p, &off, largest, 2);
	CHECK(t_stats(net).drop_no_buffer == before.drop_no_buffer);
	CHECK(t_stats(net).drop_bad_frame == before.drop_bad_frame);
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

/* ---- The short way for the pieces of a large segment ------------------------------- */

#define REC_MAX 400

/* What the stack did in one scenario, relative to the connection's own
 * sequence numbers, so that runs on two connections compare. */
struct rec {
	unsigned n;
	struct {
		uint16_t step;
		uint8_t flags, nsack;
		uint32_t seq, ack, wnd, ts_ecr, len;
		uint32_t sack[TCP_SACK_BLOCKS_MAX][2];
	} seg[REC_MAX];
	uint64_t counts[REC_MAX / 4][8 + 22];
	uint64_t fast;       /* pieces taken the short way */
	uint64_t fast_first; /* ... in the first step */
};

static struct t_peer rp;
static uint32_t r_iss;
static keel_time r_t0;
static uint8_t stream[512 * 1024];

/* Pops everything the stack sent after step `step` (and what the delayed
 * ACK timer sends) into r, with the counters of the step. */
static void record(struct rec *r, unsigned step, const struct keel_net_stats *before,
                   uint64_t fast_before)
{
	struct keel_net_stats now;
	struct t_seg s;

	h_advance(TCP_DELACK_TIME + KEEL_MSEC);
	while (p_pop(&rp, &s)) {
		CHECK(r->n < REC_MAX);
		r->seg[r->n].step = (uint16_t)step;
		r->seg[r->n].flags = s.flags;
		r->seg[r->n].seq = s.seq - rp.siss;
		r->seg[r->n].ack = s.ack - r_iss;
		r->seg[r->n].wnd = s.wnd;
		r->seg[r->n].ts_ecr = s.opt.ts_ecr;
		r->seg[r->n].len = (uint32_t)s.len;
		r->seg[r->n].nsack = s.opt.nsack;
		for (unsigned b = 0; b < s.opt.nsack; b++) {
			r->seg[r->n].sack[b][0] = s.opt.sack[b][0] - r_iss;
			r->seg[r->n].sack[b][1] = s.opt.sack[b][1] - r_iss;
		}
		r->n++;
	}
	now = t_stats(net);
	CHECK(step < REC_MAX / 4);
	r->counts[step][0] = now.tcp_in - before->tcp_in;
	r->counts[step][1] = now.frames_in - before->frames_in;
	r->counts[step][2] = now.bytes_in - before->bytes_in;
	r->counts[step][3] = now.drop_no_buffer - before->drop_no_buffer;
	r->counts[step][4] = now.drop_other - before->drop_other;
	r->counts[step][5] = now.tcp_drop_bad - before->tcp_drop_bad;
	r->counts[step][6] = now.tcp_out - before->tcp_out;
	r->counts[step][7] = net->pool.free;
	{
		/* The connection's state, as far as receiving touches it. */
		const struct tcp_conn *c = (const struct tcp_conn *)(const void *)rp.flow;
		uint64_t *k = &r->counts[step][8];

		k[0] = c->rcv_nxt - r_iss;
		k[1] = c->rcv_adv - r_iss;
		k[2] = c->snd_wl1 - r_iss;
		k[3] = c->snd_wl2 - rp.siss;
		k[4] = c->snd_wnd;
		k[5] = c->ts_recent;
		k[6] = (uint64_t)(c->ts_recent_at - r_t0);
		k[7] = (uint64_t)(c->last_rcv - r_t0);
		k[8] = c->rcvq_bytes;
		k[9] = c->rcvq_segs;
		k[10] = c->ooo_segs;
		k[11] = c->ooo_bytes;
		k[12] = c->segs_unacked;
		k[13] = c->delack_at ? (uint64_t)(c->delack_at - r_t0) : 0;
		k[14] = c->rack_at ? (uint64_t)(c->rack_at - r_t0) : 0;
		k[15] = c->rcvbuf;
		k[16] = c->keepalive_sent;
		k[17] = c->flags & ~(uint32_t)CONN_OUTPUT_DEFERRED;
		k[18] = c->snd_una - rp.siss;
		k[19] = c->cwnd;
		k[20] = c->state;
		k[21] = c->max_snd_wnd;
	}
	r->fast += tcp_of(net)->rcv_fast - fast_before;
}

/* One large segment of bytes [off, off + len) of the stream (relative
 * to the peer's ISN + 1), with the peer's current ACK and window. */
static void large(size_t off, size_t len, uint8_t flags)
{
	size_t n;

	CHECK(off + len <= sizeof(stream));
	rp.seq = r_iss + 1 + (uint32_t)off;
	n = build_from(&rp, stream + off, len, flags);
	inject(n, KP_NET_F_GSO4 | KP_NET_F_CSUM_OK, 1448);
}

/* Reads whatever is there (at most `max`), checks it against the
 * stream from `*off`, and moves *off. */
static void read_some(size_t *off, size_t max)
{
	static uint8_t got[sizeof(stream)];
	size_t have = 0;
	long r;

	CHECK(max <= sizeof(got));
	while (have < max && (r = keel_read(rp.flow, got + have, max - have, keel_now())) > 0)
		have += (size_t)r;
	CHECK(memcmp(got, stream + *off, have) == 0);
	*off += have;
}

/* The frames a large segment of len bytes of payload is read into. */
static unsigned pieces_of(size_t len)
{
	size_t flen = ETH_HLEN + 20 + 32 + len, cap = NETBUF_SIZE - NETBUF_HEADROOM;

	return (unsigned)((flen + cap - 1) / cap);
}

/*
 * Large segments in order, out of order, duplicated, overlapping, past
 * the window while the application does not read, and with FIN, on a
 * fresh connection with the short way on or off. What the stack sends,
 * counts and delivers goes into r (and the bytes delivered are checked
 * against the stream as they are read).
 */
static void scenario(struct rec *r, bool fast, uint16_t port)
{
	struct keel_net_stats before;
	uint64_t fast_before;
	unsigned step = 0;
	size_t rd = 0;

	memset(r, 0, sizeof(*r));
	h_advance(10 * KEEL_SEC); /* earlier connections are gone */
	t_drain();
	r_t0 = keel_now();
	tcp_of(net)->rcv_fast_off = !fast;
	r_iss = 700000;
	p_open(&rp, lis, port, r_iss);
	t_drain();
#define STEP(what)                                                                                 \
	do {                                                                                       \
		before = t_stats(net);                                                             \
		fast_before = tcp_of(net)->rcv_fast;                                               \
		what;                                                                              \
		record(r, step++, &before, fast_before);                                           \
	} while (0)

	/* In order: 40,000 bytes, then 20,000 with PSH. */
	STEP(large(0, 40000, TCP_ACK));
	r->fast_first = r->fast;
	STEP(large(40000, 20000, TCP_ACK | TCP_PSH); read_some(&rd, 60000));
	/* Out of order: [80000, 100000) before [60000, 80000). */
	STEP(large(80000, 20000, TCP_ACK | TCP_PSH));
	STEP(large(60000, 20000, TCP_ACK | TCP_PSH); read_some(&rd, 40000));
	/* The same again (a duplicate), then one that overlaps what came. */
	STEP(large(60000, 20000, TCP_ACK | TCP_PSH));
	STEP(large(97000, 23000, TCP_ACK | TCP_PSH); read_some(&rd, 20000));
	/* A hole at 120000: later data queued out of order, then the hole
	 * filled by a segment that runs into what is queued. */
	STEP(large(125000, 10000, TCP_ACK));
	STEP(large(120000, 8000, TCP_ACK); read_some(&rd, 15000));
	/* The application stops reading: the window closes, and the
	 * segments past it are cut, then refused. */
	for (size_t off = 135000; off < 135000 + 6 * 30000; off += 30000)
		STEP(large(off, 30000, TCP_ACK | TCP_PSH));
	STEP(read_some(&rd, sizeof(stream)));
	CHECK(rd > 135000);
	/* What the peer sends again after the window opened. */
	STEP(large(rd, 30000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
	/* A new window field on a large segment (from the first piece on). */
	rp.wnd = 300;
	STEP(large(rd, 20000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
	rp.wnd = 512;
	/* Data of ours in flight, not acknowledged (RACK looks at it after
	 * every ACK), then acknowledged by the first piece of the next. */
	STEP(CHECK(keel_write(rp.flow, data, 2 * 1448, keel_now()) == 2 * 1448));
	STEP(large(rd, 20000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
	rp.ack += 2 * 1448;
	STEP(large(rd, 20000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
	/* A first piece that is all old (1,854 bytes of payload fill the
	 * first buffer): refused, and the next starts at rcv_nxt; with a
	 * timestamp older than the last one taken, PAWS refuses them all. */
	STEP(large(rd - 1854, 20000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
	{
		uint32_t ts = rp.ts_val;

		rp.ts_val -= 10;
		STEP(large(rd - 1854, 20000, TCP_ACK | TCP_PSH); read_some(&rd, sizeof(stream)));
		rp.ts_val = ts;
	}
	/* The FIN on the last piece. */
	STEP(large(rd, 20000, TCP_ACK | TCP_FIN));
	{
		size_t end = rd + 20000;
		static uint8_t got[20000];
		size_t have = 0;
		long n;

		while ((n = keel_read(rp.flow, got + have, sizeof(got) - have, keel_now())) > 0)
			have += (size_t)n;
		CHECK(have == 20000 && memcmp(got, stream + rd, have) == 0);
		CHECK(keel_read(rp.flow, got, 1, keel_now()) == 0);
		rd = end;
	}
#undef STEP
	keel_close(rp.flow);
	t_drain();
	rp.seq++;
	p_send(&rp, TCP_ACK, NULL, 0);
	t_drain();
	h_advance(10 * KEEL_SEC);
	t_drain();
	tcp_of(net)->rcv_fast_off = false;
}

static void fast_path(void)
{
	static struct rec on, off;
	unsigned i;

	scenario(&on, true, 61010);
	scenario(&off, false, 61011);

	/* The short way was taken (every piece after the first of an
	 * in-order segment), and only when on. */
	CHECK(on.fast_first == pieces_of(40000) - 1);
	CHECK(on.fast > on.fast_first);
	CHECK(off.fast == 0);
	/* The first segment was answered once, for all of it. */
	CHECK(on.n > 0 && on.seg[0].step == 0 && on.seg[0].ack == 1 + 40000);
	CHECK(on.n < 2 || on.seg[1].step > 0);

	/* Both ways sent the same segments and counted the same. */
	if (on.n != off.n)
		printf("fast path: %u segments sent, full path %u\n", on.n, off.n);
	for (i = 0; i < on.n && i < off.n; i++) {
		if (memcmp(&on.seg[i], &off.seg[i], sizeof(on.seg[i])) != 0) {
			printf("segment %u (step %u) differs: flags %x/%x ack %u/%u wnd %u/%u "
			       "nsack %u/%u len %u/%u\n",
			       i, on.seg[i].step, on.seg[i].flags, off.seg[i].flags, on.seg[i].ack,
			       off.seg[i].ack, on.seg[i].wnd, off.seg[i].wnd, on.seg[i].nsack,
			       off.seg[i].nsack, on.seg[i].len, off.seg[i].len);
			break;
		}
	}
	CHECK(on.n == off.n && i == on.n);
	for (i = 0; i < REC_MAX / 4; i++) {
		for (unsigned k = 0; k < 8 + 22; k++) {
			if (on.counts[i][k] != off.counts[i][k])
				printf("step %u: count %u is %llu, full path %llu\n", i, k,
				       (unsigned long long)on.counts[i][k],
				       (unsigned long long)off.counts[i][k]);
		}
	}
	CHECK(memcmp(on.counts, off.counts, sizeof(on.counts)) == 0);
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };

	(void)arg;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + (i >> 9));
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + (i >> 11) + (i >> 17));
	h_offloads =
	    KP_NET_OFF_RX_CSUM | KP_NET_OFF_TX_CSUM | KP_NET_OFF_TX_TSO4 | KP_NET_OFF_RX_GSO4;
	net = h_open(NULL);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 16, &lis) == KEEL_OK);
	large_segments();
	spill();
	hostile_descriptions();
	fast_path();
	h_advance(10 * KEEL_SEC);
	t_drain();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/offload", body, NULL);
}

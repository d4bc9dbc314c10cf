/*
 * tcp_recovery_test — loss recovery and window growth with crafted peers
 * on the fake clock: RACK's time-based detection (RFC 8985) with its
 * reordering timer, the tie between segments sent at one instant, a lost
 * retransmission found without the RTO, reordering and D-SACK widening
 * the window, recovery begun by an ACK that moves snd_una and not by
 * repeated ACKs that SACK nothing new, the tail loss
 * probe, CUBIC's reduction and its curve (RFC 9438), the handshake's RTT
 * sample, and the autotuned send and receive buffers; and RACK's timer,
 * whose walk of the queue stops early, against the whole walk.
 */
#include "tcp_util.h"

static struct keel_net *net;
static struct keel_listener *lis;
static uint8_t big[256 * 1024];

/* Pins the path's RTT figures, so the windows below are known. */
static void set_rtt(struct tcp_conn *c, keel_time rtt)
{
	c->srtt = rtt;
	c->rttvar = rtt / 2;
	c->min_rtt = rtt;
	c->rto = TCP_MIN_RTO;
}

/*
 * Ten segments leave at one instant; the peer SACKs the second and third
 * only: two segments, under DupThresh. By RACK the first is lost once the
 * SACKed ones' round trip plus the reordering window (a quarter of the
 * minimum RTT) has passed: its timer resends it then, long before a probe
 * or the RTO, and recovery begins.
 */
static void rack_reordering_timer(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;

	p_open(&p, lis, 61001, 1000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	base = send_burst(&p, 10);
	h_advance(8 * KEEL_MSEC);
	p_sack(&p, base, 1, base + 1448, base + 3 * 1448, 0, 0);
	CHECK(!t_pop(&s));
	CHECK(!(c->flags & CONN_IN_RECOVERY));
	CHECK(c->rack_at == keel_now() + 2 * KEEL_MSEC);
	h_advance(1900 * KEEL_USEC);
	CHECK(!t_pop(&s));
	h_advance(200 * KEEL_USEC);
	CHECK(p_pop(&p, &s) && s.seq == base && s.len == 1448);
	CHECK(c->flags & CONN_IN_RECOVERY);
	CHECK(net->tcp->tail_probes == 0 && net->tcp->timeouts == 0);
	p_finish(&p);
}

/*
 * A retransmission that is lost again: data sent after it arrives
 * (SACKed), so RACK declares the retransmission lost after the window
 * and sends it a third time, with no timeout.
 */
static void rack_lost_retransmission(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;
	uint64_t timeouts = net->tcp->timeouts;

	p_open(&p, lis, 61002, 2000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	c->cwnd = 40 * 1448; /* room for new data in recovery */
	base = send_burst(&p, 10);
	h_advance(8 * KEEL_MSEC);
	/* Segments 2..5 SACKed: DupThresh met, the first resent at once. */
	p_sack(&p, base, 1, base + 1448, base + 5 * 1448, 0, 0);
	CHECK(p_pop(&p, &s) && s.seq == base);
	CHECK(c->flags & CONN_IN_RECOVERY);
	t_drain();
	/* More new data goes and arrives; the retransmission does not. */
	h_advance(2 * KEEL_MSEC);
	CHECK(keel_write(p.flow, big, 1448, keel_now()) == 1448);
	h_run();
	t_drain();
	h_advance(8 * KEEL_MSEC);
	p_sack(&p, base, 2, base + 10 * 1448, base + 11 * 1448, base + 1448, base + 10 * 1448);
	/* In recovery without reordering the window is 0: lost at once. */
	CHECK(p_pop(&p, &s) && s.seq == base && s.len == 1448);
	CHECK(net->tcp->timeouts == timeouts);
	p_finish(&p);
}

/*
 * Reordering seen (a first copy SACKed below what an earlier ACK SACKed)
 * turns DupThresh off and keeps the window open in recovery; a D-SACK
 * widens it by a quarter of the minimum RTT each time.
 */
static void reordering_and_dsack(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;
	keel_time w0;

	p_open(&p, lis, 61003, 3000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	base = send_burst(&p, 10);
	h_advance(8 * KEEL_MSEC);
	/* The fifth arrives first, then the third: reordering. */
	p_sack(&p, base, 1, base + 4 * 1448, base + 5 * 1448, 0, 0);
	CHECK(!c->rack_reordering);
	p_sack(&p, base, 2, base + 2 * 1448, base + 3 * 1448, base + 4 * 1448, base + 5 * 1448);
	CHECK(c->rack_reordering);
	/* Now six segments above the first are SACKed: with reordering
	 * seen, DupThresh does not declare it lost, the timer will. */
	p_sack(&p, base, 1, base + 1448, base + 7 * 1448, 0, 0);
	CHECK(!t_pop(&s));
	CHECK(!(c->flags & CONN_IN_RECOVERY) && c->rack_at != 0);
	w0 = tcp_rack_reo_wnd(c);
	CHECK(w0 == 2 * KEEL_MSEC);
	/* A D-SACK (a block below the cumulative ACK) widens the window. */
	p.ack = base + 10 * 1448;
	p_sack(&p, p.ack, 1, base, base + 1448, 0, 0);
	CHECK(c->reo_wnd_mult == 2 && tcp_rack_reo_wnd(c) == 2 * w0);
	p_sack(&p, p.ack, 1, base, base + 1448, 0, 0);
	CHECK(tcp_rack_reo_wnd(c) == 3 * w0);
	/* Never wider than the smoothed RTT. */
	for (unsigned i = 0; i < 20; i++)
		p_sack(&p, p.ack, 1, base, base + 1448, 0, 0);
	CHECK(tcp_rack_reo_wnd(c) == c->srtt);
	p_finish(&p);
}

/*
 * Recovery begins on an ACK that moves snd_una when RACK finds the next
 * segment lost: such an ACK is no duplicate, which was the only way in.
 */
static void recovery_on_partial_ack(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;

	p_open(&p, lis, 61004, 4000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	base = send_burst(&p, 10);
	h_advance(8 * KEEL_MSEC);
	/* The first two arrive, the third does not, 4..7 are SACKed. */
	p_sack(&p, base + 2 * 1448, 1, base + 3 * 1448, base + 7 * 1448, 0, 0);
	CHECK(c->flags & CONN_IN_RECOVERY);
	CHECK(p_pop(&p, &s) && s.seq == base + 2 * 1448);
	p_finish(&p);
}

/*
 * With SACK, ACKs at snd_una that SACK nothing new are no sign of loss:
 * a path that duplicates frames repeats ACKs, and D-SACKs arrive there
 * too. Four of them start no recovery.
 */
static void repeated_acks_are_not_loss(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;

	p_open(&p, lis, 61010, 10000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	base = send_burst(&p, 10);
	h_advance(8 * KEEL_MSEC);
	p.ack = base + 1448;
	for (unsigned i = 0; i < 4; i++)
		p_sack(&p, p.ack, 0, 0, 0, 0, 0);
	p_sack(&p, p.ack, 1, base, base + 1448, 0, 0); /* a D-SACK */
	CHECK(!(c->flags & CONN_IN_RECOVERY) && c->dupacks == 0);
	CHECK(!t_pop(&s));
	p_finish(&p);
}

/* The probe resends the last segment sent, two RTTs after it. */
static void tail_probe_resends_last(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;
	uint64_t probes = net->tcp->tail_probes;
	keel_time t0;

	p_open(&p, lis, 61005, 5000);
	c = p_conn(&p);
	set_rtt(c, 8 * KEEL_MSEC);
	base = send_burst(&p, 3);
	t0 = keel_now();
	while (!t_pop(&s))
		h_advance(KEEL_MSEC);
	CHECK(keel_now() - t0 >= 2 * c->srtt && keel_now() - t0 <= 2 * c->srtt + KEEL_MSEC);
	CHECK(s.seq == base + 2 * 1448 && s.len == 1448);
	CHECK(net->tcp->tail_probes == probes + 1);
	p_finish(&p);
}

/*
 * CUBIC: a loss takes the window to 0.7 of itself (not half); afterwards
 * it climbs back to W_max in K seconds along the cubic, K^3 = (W_max -
 * cwnd) / C, and not faster.
 */
static void cubic_curve(void)
{
	struct t_peer p;
	struct tcp_conn c;
	uint32_t mss = 1448;

	/* The cube root. */
	CHECK(tcp_cc_cbrt(0) == 0 && tcp_cc_cbrt(7) == 1 && tcp_cc_cbrt(8) == 2);
	CHECK(tcp_cc_cbrt(26) == 2 && tcp_cc_cbrt(27) == 3);
	CHECK(tcp_cc_cbrt(1000000000000000000ull) == 1000000);
	CHECK(tcp_cc_cbrt(UINT64_MAX) == 2642245);

	/* W(t) around K: W_max at K, symmetric below and above. */
	memset(&c, 0, sizeof(c));
	c.mss = (uint16_t)mss;
	c.w_max = 100 * mss;
	c.cubic_k = 4320; /* ~4.22 s: K for a cut from 100 to 70 segments */
	CHECK(tcp_cc_cubic_window(&c, 4320) == 100 * mss);
	CHECK(tcp_cc_cubic_window(&c, 0) >= 69 * mss && tcp_cc_cubic_window(&c, 0) <= 71 * mss);
	CHECK(tcp_cc_cubic_window(&c, 8640) >= 129 * mss &&
	      tcp_cc_cubic_window(&c, 8640) <= 131 * mss);
	CHECK(tcp_cc_cubic_window(&c, 2000) < tcp_cc_cubic_window(&c, 3000));

	/* On a connection: the reduction, then the climb back. */
	p_open(&p, lis, 61006, 6000);
	{
		struct tcp_conn *k = p_conn(&p);
		uint32_t base, w;
		keel_time start;

		set_rtt(k, 100 * KEEL_MSEC); /* long: the cubic, not Reno, leads */
		p.wnd = 8192;                /* 1 MiB */
		p_send(&p, TCP_ACK, NULL, 0);
		k->sndbuf = 1024 * 1024;
		k->flags |= CONN_SNDBUF_SET;
		k->cwnd = 100 * mss;
		k->ssthresh = 50 * mss; /* in congestion avoidance */
		base = send_burst(&p, 100);
		/* Three segments SACKed above a hole: recovery. */
		p_sack(&p, base, 1, base + mss, base + 4 * mss, 0, 0);
		CHECK(k->flags & CONN_IN_RECOVERY);
		CHECK(k->ssthresh == 100 * mss * 717 / 1024 && k->w_max == 100 * mss);
		t_drain();
		p.ack = k->snd_max;
		p_send(&p, TCP_ACK, NULL, 0);
		CHECK(!(k->flags & CONN_IN_RECOVERY) && k->cwnd == k->ssthresh);
		t_drain();
		/* A second after the cut the window is still well below
		 * W_max (W(1.1 s) = 88 segments); at K (4.2 s) it is back.
		 * The peer acks every flight one RTT after it went. */
		start = keel_now();
		w = k->cwnd;
		while (keel_now() - start < 1000 * KEEL_MSEC) {
			h_advance(100 * KEEL_MSEC);
			(void)keel_write(p.flow, big, k->cwnd - tcp_flight(k), keel_now());
			h_run();
			t_drain();
			p.ack = k->snd_max;
			p_send(&p, TCP_ACK, NULL, 0);
		}
		CHECK(k->cwnd > w && k->cwnd >= 82 * mss && k->cwnd <= 90 * mss);
		while (keel_now() - start < 4300 * KEEL_MSEC) {
			h_advance(100 * KEEL_MSEC);
			(void)keel_write(p.flow, big, k->cwnd - tcp_flight(k), keel_now());
			h_run();
			t_drain();
			p.ack = k->snd_max;
			p_send(&p, TCP_ACK, NULL, 0);
		}
		CHECK(k->cwnd >= 97 * mss && k->cwnd <= 106 * mss);
	}
	p_finish(&p);
}

/* The handshake's RTT is timed from the SYN-ACK, not taken from the
 * echoed timestamp's whole milliseconds (0 on a fast path). */
static void handshake_rtt(void)
{
	uint8_t o[40];
	struct t_seg s;
	struct t_peer p;
	struct keel_sockaddr peer;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.port = 61007;
	p.sport = T_PORT;
	p.wnd = 512;
	p.ts = true;
	p.ts_val = 100;
	n = t_syn_opts(o, true, p.ts_val, true, true);
	t_send(&(struct t_out){ .sport = p.port,
	                        .dport = T_PORT,
	                        .seq = 7000,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(p_pop(&p, &s) && s.flags == (TCP_SYN | TCP_ACK));
	p.seq = 7001;
	p.ack = s.seq + 1;
	h_advance(300 * KEEL_USEC);
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(keel_tcp_accept(lis, &p.flow, &peer, keel_now()) == KEEL_OK);
	CHECK(p_conn(&p)->srtt == 300 * KEEL_USEC && p_conn(&p)->min_rtt == 300 * KEEL_USEC);
	p_finish(&p);
}

/*
 * The receive buffer doubles what arrived in a round trip when that was
 * more than half of it; the send buffer keeps two congestion windows.
 * Neither moves once the application set it.
 */
static void autotuning(void)
{
	static uint8_t sink[64 * 1024];
	struct t_peer p;
	struct tcp_conn *c;
	uint32_t rcv0, got = 0;

	p_open(&p, lis, 61008, 8000);
	c = p_conn(&p);
	set_rtt(c, 10 * KEEL_MSEC);
	rcv0 = c->rcvbuf;
	/* One round trip carries 3/4 of the buffer (read as it comes). */
	while (got < rcv0 * 3 / 4) {
		p_send(&p, TCP_ACK, big, 1448);
		got += 1448;
		while (keel_read(p.flow, sink, sizeof(sink), keel_now()) > 0)
			;
	}
	CHECK(c->rcvbuf == rcv0 && c->rcv_nxt == p.seq);
	h_advance(10 * KEEL_MSEC);
	p_send(&p, TCP_ACK, big, 1448);
	CHECK(c->rcv_nxt == p.seq);
	/* Twice what came, or as much as a quarter of the pool holds. */
	CHECK(c->rcvbuf > rcv0);
	CHECK(c->rcvbuf == tcp_share_autotune_max(c) || c->rcvbuf >= 2 * (rcv0 * 3 / 4));
	t_drain();

	/* The send buffer follows cwnd. */
	c->cwnd = 200 * 1448;
	send_burst(&p, 10);
	p.ack += 10 * 1448;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(c->sndbuf >= 2 * c->cwnd || c->sndbuf == tcp_share_autotune_max(c));
	p_finish(&p);

	/* Set by the application: left alone. */
	p_open(&p, lis, 61009, 9000);
	c = p_conn(&p);
	set_rtt(c, 10 * KEEL_MSEC);
	CHECK(keel_flow_set(p.flow, KEEL_FLOW_RCVBUF, 64 * 1024) == KEEL_OK);
	for (got = 0; got < 60 * 1024; got += 1448) {
		p_send(&p, TCP_ACK, big, 1448);
		while (keel_read(p.flow, sink, sizeof(sink), keel_now()) > 0)
			;
	}
	h_advance(10 * KEEL_MSEC);
	p_send(&p, TCP_ACK, big, 1448);
	CHECK(c->rcvbuf == 64 * 1024);
	p_finish(&p);
}

/* ---- RACK's timer against the walk of the whole flight ---------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static bool ref_sent_after(keel_time t1, uint32_t end1, keel_time t2, uint32_t end2)
{
	return t1 > t2 || (t1 == t2 && seq_gt(end1, end2));
}

/* The deadline RFC 8985 6.3 gives, from every buffer in flight: the
 * earliest time one sent before the RACK segment, neither SACKed nor
 * lost already, becomes lost. */
static keel_time ref_rack_at(const struct tcp_conn *c, unsigned *counted)
{
	keel_time now = keel_now(), reo_wnd = tcp_rack_reo_wnd(c), next = KEEL_FOREVER;

	for (struct netbuf *b = c->sndq_head; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next) {
		const struct tcp_txcb *cb = txcb(b);
		keel_time due;

		if ((cb->flags & TXCB_SACKED) || cb->sent_at < c->lost_before || !c->rack_sent ||
		    !ref_sent_after(c->rack_sent, c->rack_end, cb->sent_at, cb->seq + cb->len))
			continue;
		due = cb->sent_at + c->rack_rtt + reo_wnd;
		if (due > now && due - now < next) {
			next = due - now;
			if (cb->flags & TXCB_EVER_RETRANS)
				(*counted)++;
		}
	}
	return next == KEEL_FOREVER ? 0 : now + next;
}

/*
 * A peer that acknowledges and SACKs at random, with time passing at
 * random (so probes, RACK and timeouts resend segments): after every
 * step, the timer tcp_rack_timer_update sets is the one the walk of the
 * whole flight gives. The run must meet timers armed by retransmitted
 * segments too. And after each ACK that finds the connection in
 * recovery, the output has done its part (RFC 6675 5): no lost segment
 * is left unsent while the pipe leaves room for it, and what it sent in
 * recovery left the pipe within cwnd (the pipe it keeps as it sends is
 * the pipe a walk of the flight finds).
 */
static void rack_timer_matches_walk(void)
{
	struct t_peer p;
	struct tcp_conn *c;
	unsigned armed = 0, by_retrans = 0, checked = 0, in_recovery = 0, sent_in_recovery = 0;

	p_open(&p, lis, 61090, 90000);
	c = p_conn(&p);
	set_rtt(c, 4 * KEEL_MSEC);
	c->cwnd = 64 * 1448;
	p.wnd = 4096; /* 512 KiB */
	for (unsigned step = 0; step < 1200 && (c->flags & CONN_LIVE); step++) {
		uint32_t una = c->snd_una, segs = (c->snd_max - una) / 1448;
		keel_time at;

		switch (rng(4)) {
		case 0:
			if (segs < 48) {
				long n = keel_write(p.flow, big, (1 + rng(16)) * 1448, keel_now());

				/* or the send buffer is full */
				CHECK(n > 0 || n == KEEL_ETIMEDOUT);
				h_run();
			}
			break;
		case 1:
			h_advance((keel_time)rng(2000) * KEEL_USEC);
			break;
		default:
			/* Round trips of 2 to 4 ms, so RACK's window is not 0. */
			h_advance((keel_time)(2000 + rng(2000)) * KEEL_USEC);
			t_drain();
			if (segs > 0 && c->snd_una != c->snd_max) {
				uint32_t ack =
				    c->snd_una + 1448 * (rng(4) == 0 ? rng(segs + 1) : 0);
				uint32_t left = (c->snd_max - ack) / 1448;
				uint32_t l = left ? rng(left) : 0;
				uint32_t r = left ? l + 1 + rng(left - l) : 0;
				uint32_t l2 = left ? rng(left) : 0;
				uint32_t r2 = left ? l2 + 1 + rng(left - l2) : 0;
				bool was_in = c->flags & CONN_IN_RECOVERY;

				p_sack(&p, ack, left ? rng(3) : 0, ack + 1448 * l, ack + 1448 * r,
				       ack + 1448 * l2, ack + 1448 * r2);
				if ((c->flags & (CONN_LIVE | CONN_IN_RECOVERY)) ==
				    (CONN_LIVE | CONN_IN_RECOVERY)) {
					struct tcp_sack_scan scan;
					struct netbuf *hole;

					tcp_sack_scan_start(c, &scan);
					hole = tcp_sack_scan_hole(c, &scan);
					CHECK(scan.pipe + c->mss > c->cwnd || !hole ||
					      txcb(hole)->sent_at == keel_now());
					/* Nor more than cwnd: each segment went
					 * with room for it in the pipe the output
					 * kept up to date as it sent. */
					if (was_in && h_tx_pending() > 0) {
						CHECK(scan.pipe <= c->cwnd);
						sent_in_recovery++;
					}
					in_recovery++;
				}
			}
			break;
		}
		t_drain();
		if (!(c->flags & CONN_LIVE) || c->snd_una == c->snd_max)
			continue;
		at = ref_rack_at(c, &by_retrans);
		tcp_rack_timer_update(c);
		CHECK(c->rack_at == at);
		checked++;
		armed += at != 0;
	}
	CHECK(checked > 300 && armed > 20 && by_retrans > 0 && in_recovery > 50 &&
	      sent_in_recovery > 20);
	p_finish(&p);
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };

	(void)arg;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	net = h_open(NULL);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 16, &lis) == KEEL_OK);
	rack_reordering_timer();
	rack_lost_retransmission();
	reordering_and_dsack();
	recovery_on_partial_ack();
	repeated_acks_are_not_loss();
	tail_probe_resends_last();
	cubic_curve();
	handshake_rtt();
	autotuning();
	rack_timer_matches_walk();
	CHECK(t_stats(net).tcp_conns_live == 0);
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/tcp_recovery", body, NULL);
}

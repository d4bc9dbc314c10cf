/*
 * tcp_data_test — moving data with crafted peers: delayed ACKs, the
 * initial window, Nagle and KEEL_FLOW_NODELAY, out-of-order arrival and
 * the SACK blocks we send, fast retransmit from SACKs and from plain
 * duplicate ACKs (NewReno partial ACKs), the retransmission timeout with
 * backoff and its limit, the zero window and the persist timer, the send
 * buffer bound with a deadline, and keepalive; and data written by
 * reference (keel_flow_write_static) through a window probe, a split to
 * fit a small window, a partial ACK and a retransmission; and a window
 * that reopens below the SWS threshold, with and without a probe out.
 */
#include "tcp_util.h"

static struct keel_net *net;
static struct keel_listener *lis;
static uint8_t big[256 * 1024];

static void delayed_ack(void)
{
	struct t_peer p;
	struct t_seg s;

	p_open(&p, lis, 60001, 1000);
	/* Two full segments: acknowledged at once after the second. */
	p_send(&p, TCP_ACK, big, 1448);
	CHECK(!t_pop(&s));
	p_send(&p, TCP_ACK, big, 1448);
	CHECK(p_pop(&p, &s) && s.ack == p.seq);
	/* One: within 40 ms. */
	p_send(&p, TCP_ACK, big, 100);
	h_advance(39 * KEEL_MSEC);
	CHECK(!t_pop(&s));
	h_advance(2 * KEEL_MSEC);
	CHECK(p_pop(&p, &s) && s.ack == p.seq);
	p_finish(&p);
}

static void initial_window_and_nagle(void)
{
	struct t_peer p;
	struct t_seg s;
	unsigned n = 0;
	size_t bytes = 0;
	int one = 1;

	p_open(&p, lis, 60002, 2000);
	/* 20 segments' worth: only the initial window (10) goes out. */
	CHECK(keel_write(p.flow, big, 20 * 1448, keel_now()) == 20 * 1448);
	h_run();
	while (p_pop(&p, &s)) {
		CHECK(s.len == 1448 && s.seq == p.ack + bytes);
		bytes += s.len;
		n++;
	}
	CHECK(n == 10);
	/* Acknowledging them opens more (slow start). */
	p.ack += (uint32_t)bytes;
	p_send(&p, TCP_ACK, NULL, 0);
	bytes = 0;
	while (p_pop(&p, &s))
		bytes += s.len;
	CHECK(bytes == 10 * 1448);
	p.ack += (uint32_t)bytes;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(!t_pop(&s));

	/* Nagle: a small write goes; the next waits while it is unacked. */
	CHECK(keel_write(p.flow, "a", 1, keel_now()) == 1);
	h_run();
	CHECK(p_pop(&p, &s) && s.len == 1);
	CHECK(keel_write(p.flow, "b", 1, keel_now()) == 1);
	CHECK(keel_write(p.flow, "c", 1, keel_now()) == 1);
	h_run();
	CHECK(!t_pop(&s));
	p.ack++;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(p_pop(&p, &s) && s.len == 2 && memcmp(s.data, "bc", 2) == 0);
	/* With NODELAY it goes at once. */
	CHECK(keel_flow_set(p.flow, KEEL_FLOW_NODELAY, one) == KEEL_OK);
	CHECK(keel_write(p.flow, "d", 1, keel_now()) == 1);
	h_run();
	CHECK(p_pop(&p, &s) && s.len == 1 && s.data[0] == 'd');
	p_finish(&p);
}

static void out_of_order_and_sack(void)
{
	struct t_peer p;
	struct t_seg s;
	uint32_t base;
	uint8_t got[4000];
	long n;

	p_open(&p, lis, 60003, 3000);
	base = p.seq;
	/* Segment 2 and 4 of four arrive first: duplicate ACKs with SACK. */
	p.seq = base + 1000;
	p_send(&p, TCP_ACK, big + 1000, 1000);
	CHECK(p_pop(&p, &s) && s.ack == base && s.opt.nsack == 1);
	CHECK(s.opt.sack[0][0] == base + 1000 && s.opt.sack[0][1] == base + 2000);
	p.seq = base + 3000;
	p_send(&p, TCP_ACK, big + 3000, 1000);
	CHECK(p_pop(&p, &s) && s.ack == base && s.opt.nsack == 2);
	/* The newest first (RFC 2018 4). */
	CHECK(s.opt.sack[0][0] == base + 3000 && s.opt.sack[1][0] == base + 1000);
	/* The first fills in: ACK up to the next hole at once. */
	p.seq = base;
	p_send(&p, TCP_ACK, big, 1000);
	CHECK(p_pop(&p, &s) && s.ack == base + 2000 && s.opt.nsack == 1);
	p.seq = base + 2000;
	p_send(&p, TCP_ACK, big + 2000, 1000);
	CHECK(p_pop(&p, &s) && s.ack == base + 4000 && s.opt.nsack == 0);
	n = keel_read(p.flow, got, sizeof(got), keel_now());
	CHECK(n == 4000 && memcmp(got, big, 4000) == 0);
	p_finish(&p);
}

static void sack_fast_retransmit(void)
{
	struct t_peer p;
	struct t_seg s;
	uint32_t base;
	uint64_t rexmit;

	p_open(&p, lis, 60004, 4000);
	base = send_burst(&p, 10);
	rexmit = t_stats(net).tcp_retransmits;
	/* The first segment is lost; the peer SACKs the following ones. */
	for (unsigned i = 1; i <= 4; i++)
		p_sack(&p, base, 1, base + 1448, base + 1448 * (i + 1), 0, 0);
	/* Retransmitted once, well before any timeout. */
	CHECK(p_pop(&p, &s) && s.seq == base && s.len == 1448);
	CHECK(t_stats(net).tcp_retransmits == rexmit + 1);
	CHECK(p_conn(&p)->flags & CONN_IN_RECOVERY);
	while (p_pop(&p, &s))
		CHECK(s.seq != base); /* new data only */
	/* Everything acknowledged: recovery ends, cwnd is ssthresh. */
	p.ack = p_conn(&p)->snd_max;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(!(p_conn(&p)->flags & CONN_IN_RECOVERY));
	CHECK(p_conn(&p)->cwnd == p_conn(&p)->ssthresh);
	p_finish(&p);
}

static void newreno_partial_acks(void)
{
	struct t_peer p;
	struct t_seg s;
	uint32_t base;
	struct tcp_conn *c;

	p_open(&p, lis, 60005, 5000);
	c = p_conn(&p);
	c->sack_ok = false; /* as with a peer that did not offer SACK */
	base = send_burst(&p, 10);
	/* Segments 1 and 3 are lost: three plain duplicate ACKs. */
	for (unsigned i = 0; i < 3; i++)
		p_sack(&p, base, 0, 0, 0, 0, 0);
	CHECK(p_pop(&p, &s) && s.seq == base);
	CHECK(c->flags & CONN_IN_RECOVERY);
	CHECK(c->cwnd == c->ssthresh + 3 * c->mss);
	t_drain();
	/* A partial ACK (up to segment 3) retransmits segment 3 at once. */
	p.ack = base + 2 * 1448;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(p_pop(&p, &s) && s.seq == base + 2 * 1448);
	CHECK(c->flags & CONN_IN_RECOVERY);
	t_drain();
	p.ack = c->snd_max;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(!(c->flags & CONN_IN_RECOVERY));
	p_finish(&p);
}

static void retransmission_timeout(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	keel_time t0, gap1, gap2;
	char buf[4];

	p_open(&p, lis, 60006, 6000);
	c = p_conn(&p);
	CHECK(keel_write(p.flow, "lost", 4, keel_now()) == 4);
	h_run();
	CHECK(p_pop(&p, &s) && s.len == 4);
	t0 = keel_now();
	/* First a tail loss probe (two RTTs plus a delayed ACK's time)... */
	while (!t_pop(&s))
		h_advance(5 * KEEL_MSEC);
	CHECK(keel_now() - t0 <= TCP_DELACK_TIME + 20 * KEEL_MSEC);
	CHECK(s.seq == p.ack && s.len == 4);
	CHECK(net->tcp->tail_probes > 0);
	/* ...then the RTO: at least 200 ms, then doubling; cwnd collapses
	 * to one MSS. */
	t0 = keel_now();
	while (!t_pop(&s))
		h_advance(10 * KEEL_MSEC);
	gap1 = keel_now() - t0;
	CHECK(gap1 >= TCP_MIN_RTO && gap1 <= TCP_INIT_RTO + 20 * KEEL_MSEC);
	CHECK(s.seq == p.ack && s.len == 4);
	CHECK(c->cwnd == c->mss);
	t0 = keel_now();
	while (!t_pop(&s))
		h_advance(10 * KEEL_MSEC);
	gap2 = keel_now() - t0;
	CHECK(gap2 >= 2 * gap1 - 20 * KEEL_MSEC && gap2 <= 2 * gap1 + 20 * KEEL_MSEC);
	/* With no answer at all it gives up with a timeout. */
	for (unsigned i = 0; i < 40 && c->state != TCP_CLOSED; i++)
		h_advance(60 * KEEL_SEC);
	CHECK(c->state == TCP_CLOSED);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	CHECK(keel_write(p.flow, "x", 1, keel_now()) == KEEL_ETIMEDOUT);
	t_drain();
	keel_close(p.flow);
	h_learn_peer(net); /* the ARP entry expired meanwhile */
}

static void zero_window_persist(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	unsigned probes = 0;
	keel_time last = 0, gap = 0;

	p_open(&p, lis, 60007, 7000);
	c = p_conn(&p);
	p.wnd = 0;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(c->snd_wnd == 0);
	CHECK(keel_write(p.flow, big, 3000, keel_now()) == 3000);
	h_run();
	CHECK(!t_pop(&s));
	/* Probes of one byte, further and further apart. */
	for (unsigned i = 0; i < 400 && probes < 4; i++) {
		h_advance(10 * KEEL_MSEC);
		if (p_pop(&p, &s)) {
			CHECK(s.len == 1 && s.seq == p.ack);
			if (last)
				CHECK(keel_now() - last > gap);
			gap = last ? keel_now() - last : 0;
			last = keel_now();
			probes++;
			p_send(&p, TCP_ACK, NULL, 0); /* still zero */
		}
	}
	CHECK(probes == 4);
	CHECK(c->state == TCP_ESTABLISHED);
	/* The window opens: the data flows. */
	p.wnd = 512;
	p_send(&p, TCP_ACK, NULL, 0);
	{
		size_t bytes = 0;

		while (p_pop(&p, &s)) {
			CHECK(s.seq == p.ack + bytes);
			bytes += s.len;
		}
		/* Two full segments; Nagle holds the short tail until they
		 * are acknowledged. */
		CHECK(bytes == 2 * 1448);
		p.ack += (uint32_t)bytes;
		p_send(&p, TCP_ACK, NULL, 0);
		CHECK(p_pop(&p, &s) && s.seq == p.ack && s.len == 3000 - 2 * 1448);
	}
	p_finish(&p);
}

/* Checks that segment s carries big[off, off + s->len). */
static void carries(const struct t_seg *s, size_t off)
{
	CHECK(s->len > 0 && off + s->len <= sizeof(big));
	CHECK(memcmp(s->data, big + off, s->len) == 0);
}

static void static_write_by_reference(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	uint32_t base;
	size_t got = 0;
	bool probed = false, split = false;

	p_open(&p, lis, 60011, 11000);
	c = p_conn(&p);
	base = p.ack;
	/* A window of 1024 bytes, too small for the SWS rule: the persist
	 * timer sends what fits, splitting the first buffer. */
	p.wnd = 8;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(c->snd_wnd == 1024);
	CHECK(keel_flow_write_static(p.flow, NULL, 0, big, 5000, keel_now()) == 5000);
	/* Referenced, not copied: every buffer points into big. */
	for (struct netbuf *b = c->sndq_head; b; b = b->next)
		CHECK(txcb(b)->ext >= big && txcb(b)->ext < big + 5000);
	for (unsigned i = 0; i < 400 && !split; i++) {
		h_advance(10 * KEEL_MSEC);
		while (p_pop(&p, &s)) {
			CHECK(s.seq == base && s.len == 1024);
			carries(&s, 0);
			split = true;
		}
	}
	CHECK(split);
	/* A partial ACK of 300 bytes closing the window trims the buffer;
	 * the rest of it is resent from the right place when the timer
	 * fires. */
	p.ack = base + 300;
	p.wnd = 0;
	p_send(&p, TCP_ACK, NULL, 0);
	for (unsigned i = 0; i < 2000 && !got; i++) {
		h_advance(10 * KEEL_MSEC);
		while (p_pop(&p, &s))
			if (s.len > 1 && s.seq == base + 300) {
				CHECK(s.len == 1024 - 300);
				carries(&s, 300);
				got = s.len;
			}
	}
	CHECK(got == 1024 - 300);
	/* All of it acknowledged, the window still closed: a probe carries
	 * the next byte, from the second buffer's memory. */
	p.ack = base + 1024;
	p_send(&p, TCP_ACK, NULL, 0);
	for (unsigned i = 0; i < 2000 && !probed; i++) {
		h_advance(10 * KEEL_MSEC);
		while (p_pop(&p, &s))
			if (s.len == 1 && s.seq == base + 1024) {
				carries(&s, 1024);
				probed = true;
			}
	}
	CHECK(probed);
	/* The window opens: the rest, byte for byte. */
	p.wnd = 512;
	p_send(&p, TCP_ACK, NULL, 0);
	for (unsigned i = 0; i < 100 && p.ack != base + 5000; i++) {
		while (p_pop(&p, &s)) {
			if (s.len == 0 || s.seq != p.ack)
				continue;
			carries(&s, s.seq - base);
			p.ack = s.seq + (uint32_t)s.len;
		}
		p_send(&p, TCP_ACK, NULL, 0);
		h_advance(10 * KEEL_MSEC);
	}
	CHECK(p.ack == base + 5000);
	CHECK(c->sndq_head == NULL);
	p_finish(&p);
}

/*
 * A window that opens to less than the SWS threshold (half the largest
 * window seen, 32 KiB here) must still be used within the persist
 * timer's time: three ways to get there, from a closed window with
 * 3000 bytes waiting. 0: no probe has gone yet. 1: a probe is out and
 * the peer, having dropped it, opens 1024 bytes without acknowledging
 * it. 2: the peer takes the probe byte and opens 1024 bytes after it.
 */
static void small_window_after_zero(void)
{
	for (unsigned how = 0; how < 3; how++) {
		struct t_peer p;
		struct t_seg s;
		struct tcp_conn *c;
		uint32_t base;
		size_t bytes = 0;
		keel_time t0;
		bool got;

		p_open(&p, lis, (uint16_t)(60020 + how), 20000 + how * 1000);
		c = p_conn(&p);
		base = p.ack;
		p.wnd = 0;
		p_send(&p, TCP_ACK, NULL, 0);
		CHECK(keel_write(p.flow, big, 3000, keel_now()) == 3000);
		h_run();
		CHECK(!t_pop(&s));
		if (how > 0) {
			unsigned probes = 0;

			/* Five probes, each answered with the window still
			 * closed, so their backoff would put the next one
			 * well past the bound below. */
			for (unsigned i = 0; i < 2000 && probes < 5; i++) {
				h_advance(10 * KEEL_MSEC);
				if (p_pop(&p, &s)) {
					CHECK(s.len == 1 && s.seq == base);
					if (++probes < 5)
						p_send(&p, TCP_ACK, NULL, 0);
				}
			}
			CHECK(probes == 5);
			if (how == 2)
				p.ack = base + 1;
		}
		p.wnd = 8; /* 1024 bytes */
		p_send(&p, TCP_ACK, NULL, 0);
		CHECK(c->snd_wnd == 1024 && c->max_snd_wnd / 2 > 1024);
		/* What fits goes out within the persist timer's base time
		 * (a stalled sender waits here for its 60 s RTO backoff;
		 * one that kept the probes' backoff, for seconds). */
		t0 = keel_now();
		while (!(got = p_pop(&p, &s)) && keel_now() - t0 < 2 * KEEL_SEC)
			h_advance(10 * KEEL_MSEC);
		CHECK(got);
		CHECK(s.seq == p.ack && s.len > 0 && s.seq + s.len == p.ack + 1024);
		carries(&s, s.seq - base);
		p.ack = s.seq + (uint32_t)s.len;
		/* The window opens wide: the rest flows. */
		p.wnd = 512;
		p_send(&p, TCP_ACK, NULL, 0);
		for (unsigned i = 0; i < 100 && p.ack != base + 3000; i++) {
			while (p_pop(&p, &s)) {
				if (s.len == 0 || s.seq != p.ack)
					continue;
				carries(&s, s.seq - base);
				p.ack = s.seq + (uint32_t)s.len;
				bytes += s.len;
			}
			p_send(&p, TCP_ACK, NULL, 0);
			h_advance(10 * KEEL_MSEC);
		}
		CHECK(p.ack == base + 3000 && bytes == 3000 - 1024 - (how == 2));
		CHECK(c->sndq_head == NULL);
		p_finish(&p);
	}
}

struct writer_job {
	struct keel_flow *flow;
	long rc;
	bool done;
};

static void writer(void *arg)
{
	struct writer_job *j = arg;

	j->rc = keel_write(j->flow, big, sizeof(big), keel_now() + KEEL_SEC);
	j->done = true;
}

static void send_buffer_bound(void)
{
	struct t_peer p;
	struct writer_job j = { 0 };
	struct tcp_conn *c;

	p_open(&p, lis, 60008, 8000);
	c = p_conn(&p);
	/* A window far larger than the send buffer (a closed one would
	 * stop the writer sooner: tcp_share_test). */
	p.wnd = 65535;
	p_send(&p, TCP_ACK, NULL, 0);
	j.flow = p.flow;
	CHECK(keel_fiber_spawn(writer, &j, 0) != NULL);
	h_run();
	/* The writer blocks once the send buffer is full... */
	CHECK(!j.done);
	CHECK(c->sndq_bytes == c->sndbuf);
	/* ...and its deadline returns what was accepted. */
	h_advance(KEEL_SEC + 10 * KEEL_MSEC);
	CHECK(j.done && j.rc == (long)c->sndbuf);
	p_finish(&p);
}

/* Receiver silly-window avoidance (RFC 9293 3.8.6.2.2): a full buffer
 * closes the window; reading a little does not reopen it; reading enough
 * sends a window update at once. Window scaling: the field is scaled. */
static void receive_window(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	static uint8_t sink[256 * 1024];
	uint32_t sent = 0;

	p_open(&p, lis, 60010, 10000);
	c = p_conn(&p);
	CHECK(c->rcv_wscale == tcp_wscale_for(TCP_MAX_BUF) && c->rcv_wscale > 0);
	/* Fill the whole buffer (nobody reads), and the few bytes beyond it
	 * a scaled window rounded up may offer. */
	while (sent < c->rcvbuf || seq_lt(p.seq, c->rcv_adv)) {
		uint32_t want = sent < c->rcvbuf ? c->rcvbuf - sent : c->rcv_adv - p.seq;
		uint32_t n = want < 1448 ? want : 1448;

		p_send(&p, TCP_ACK, big, n);
		sent += n;
	}
	h_advance(50 * KEEL_MSEC);
	s.wnd = 1;
	while (p_pop(&p, &s))
		;
	CHECK(s.ack == p.seq && s.wnd == 0);
	/* A segment beyond the closed window is refused (and acknowledged). */
	p_send(&p, TCP_ACK, big, 100);
	CHECK(p_pop(&p, &s) && s.ack == p.seq - 100 && s.wnd == 0);
	p.seq -= 100;
	/* Reading 100 bytes leaves too little room to announce. */
	CHECK(keel_read(p.flow, sink, 100, keel_now()) == 100);
	h_advance(50 * KEEL_MSEC);
	CHECK(!t_pop(&s));
	/* Reading half the buffer announces it at once, scaled. */
	CHECK(keel_read(p.flow, sink, c->rcvbuf / 2, keel_now()) == (long)c->rcvbuf / 2);
	CHECK(p_pop(&p, &s));
	CHECK(((uint32_t)s.wnd << c->rcv_wscale) >= c->rcvbuf / 2 - (sent - c->rcvbuf));
	p_finish(&p);
}

static void keepalive(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;
	unsigned probes = 0;
	char buf[4];

	p_open(&p, lis, 60009, 9000);
	c = p_conn(&p);
	CHECK(keel_flow_set(p.flow, KEEL_FLOW_KEEPALIVE, 10) == KEEL_OK);
	h_advance(9 * KEEL_SEC);
	CHECK(!t_pop(&s));
	h_advance(2 * KEEL_SEC);
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.seq == p.ack - 1 && s.len == 0);
	/* An answer keeps it alive. */
	p_send(&p, TCP_ACK, NULL, 0);
	h_advance(9 * KEEL_SEC);
	CHECK(!t_pop(&s));
	/* Silence: nine probes, then the connection is given up. */
	for (unsigned i = 0; i < 400 && c->state != TCP_CLOSED; i++) {
		h_advance(KEEL_SEC / 2);
		while (t_pop(&s))
			probes += s.len == 0 && !(s.flags & TCP_RST);
	}
	CHECK(c->state == TCP_CLOSED && probes == TCP_KEEPALIVE_PROBES);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == KEEL_ETIMEDOUT);
	keel_close(p.flow);
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
	delayed_ack();
	initial_window_and_nagle();
	out_of_order_and_sack();
	sack_fast_retransmit();
	newreno_partial_acks();
	retransmission_timeout();
	zero_window_persist();
	static_write_by_reference();
	small_window_after_zero();
	send_buffer_bound();
	receive_window();
	keepalive();
	CHECK(t_stats(net).tcp_conns_live == 0);
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/tcp_data", body, NULL);
}

/*
 * Segment arrival (RFC 9293 3.10.7): header and checksum checks, the
 * connection lookup, and the processing of a segment by a connection in
 * every state but LISTEN (tcp_listen.c), with the hardening of RFC 5961
 * (RST and SYN only exactly at RCV.NXT, challenge ACKs otherwise, ACK
 * validity), PAWS from RFC 7323, and TIME_WAIT reuse as RFC 6191 allows;
 * and a short way for the pieces of a large segment that only bring
 * text in order (tcp_input_pieces, at the end).
 */
#include "tcp_impl.h"

static void drop_bad(struct keel_net *net, struct netbuf *nb)
{
	net->stats.tcp_drop_bad++;
	netbuf_free(net, nb);
}

/* The fields of TCP header h (hlen bytes with its options), from src to
 * dst, into *seg (len 0). False: a port is 0 or the options are bad. */
static bool seg_parse(const uint8_t *h, size_t hlen, uint32_t src_be, uint32_t dst_be,
                      struct tcp_seg *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->src_be = src_be;
	seg->dst_be = dst_be;
	__builtin_memcpy(&seg->sport_be, h, 2);
	__builtin_memcpy(&seg->dport_be, h + 2, 2);
	seg->seq = net_get32(h + 4);
	seg->ack = net_get32(h + 8);
	seg->flags = h[13] & 0x3f;
	seg->wnd = net_get16(h + 14);
	return seg->sport_be != 0 && seg->dport_be != 0 &&
	       tcp_options_parse(h + TCP_HLEN, hlen - TCP_HLEN, (seg->flags & TCP_SYN) != 0,
	                         &seg->opt) >= 0;
}

/* RFC 6191: may a SYN take over the TIME_WAIT connection c? */
static bool time_wait_reusable(const struct tcp_conn *c, const struct tcp_seg *seg)
{
	if (c->ts_ok && seg->opt.has_ts)
		return seq_gt(seg->opt.ts_val, c->ts_recent);
	return seq_gt(seg->seq, c->rcv_nxt);
}

void tcp_input(struct keel_net *net, struct netbuf *nb, const struct ipv4_meta *ip)
{
	struct tcp_state *ts = tcp_of(net);
	struct tcp_seg seg;
	struct tcp_conn *c;
	struct keel_listener *l;
	uint8_t *h = nb->data;
	size_t len = nb->len, hlen;
	uint32_t isn_floor = 0;
	bool have_floor = false;

	net->stats.tcp_in++;
	if (!ts || ip->broadcast || len < TCP_HLEN) {
		drop_bad(net, nb);
		return;
	}
	hlen = (size_t)(h[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > len) {
		drop_bad(net, nb);
		return;
	}
	if (!(nb->flags & NETBUF_CSUM_VERIFIED) &&
	    inet_fold(inet_sum(
	        h, len, inet_pseudo_sum(ip->src_be, ip->dst_be, IP_PROTO_TCP, (uint16_t)len))) !=
	        0) {
		drop_bad(net, nb);
		return;
	}
	if (!seg_parse(h, hlen, ip->src_be, ip->dst_be, &seg)) {
		drop_bad(net, nb);
		return;
	}
	netbuf_pull(nb, hlen);
	seg.len = nb->len;

	c = tcp_conn_lookup(ts, seg.dst_be, seg.dport_be, seg.src_be, seg.sport_be);
	if (c && c->state == TCP_TIME_WAIT &&
	    (seg.flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && time_wait_reusable(c, &seg)) {
		/* A new incarnation: its ISN must lie above the old one's
		 * sequence space when timestamps cannot tell them apart. */
		isn_floor = c->snd_max + 65536;
		have_floor = !(c->ts_ok && seg.opt.has_ts);
		tcp_conn_drop(c, 0);
		c = NULL;
	}
	if (c) {
		tcp_conn_get(c);
		tcp_conn_input(c, nb, &seg);
		tcp_conn_put(c);
		return;
	}
	l = tcp_listener_lookup(ts, seg.dst_be, seg.dport_be);
	if (l && !l->closed) {
		tcp_listen_input(l, nb, &seg, have_floor ? &isn_floor : NULL);
		return;
	}
	/* No connection and no listener (RFC 9293 3.10.7.1). */
	tcp_send_rst_reply(net, &seg);
	netbuf_free(net, nb);
}

/* ---- SYN_SENT ------------------------------------------------------------------------ */

/* The window a segment announces, scaled unless it is a SYN (RFC 7323 2.2). */
static uint32_t seg_window(const struct tcp_conn *c, const struct tcp_seg *seg)
{
	return (seg->flags & TCP_SYN) ? seg->wnd : seg->wnd << c->snd_wscale;
}

static void update_window(struct tcp_conn *c, const struct tcp_seg *seg)
{
	c->snd_wnd = seg_window(c, seg);
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	if (c->snd_wnd > c->max_snd_wnd)
		c->max_snd_wnd = c->snd_wnd;
}

static void established(struct tcp_conn *c)
{
	tcp_conn_set_state(c, TCP_ESTABLISHED);
	tcp_cc_init(c);
	c->retries = 0;
	c->backoff = 0;
	tcp_timer_rexmit_stop(c);
	c->last_rcv = keel_now();
	if (c->keepalive_s)
		tcp_timer_keepalive_reset(c);
}

/* Trims a segment to what the window takes, then hands its text on. */
static void process_text(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg)
{
	if (seq_lt(seg->seq, c->rcv_nxt)) {
		uint32_t old = c->rcv_nxt - seg->seq;

		if (old > seg->len) {
			/* Even a FIN there is old news. */
			seg->flags &= (uint8_t)~TCP_FIN;
			old = seg->len;
		}
		netbuf_pull(nb, old);
		seg->seq += old;
		seg->len -= old;
	}
	if (seq_gt(seg->seq + seg->len, c->rcv_adv)) {
		uint32_t room = seq_gt(c->rcv_adv, seg->seq) ? c->rcv_adv - seg->seq : 0;

		nb->len = (uint16_t)room;
		seg->len = room;
		seg->flags &= (uint8_t)~TCP_FIN;
	}
	tcp_recv_data(c, nb, seg);
}

static void syn_sent_input(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg)
{
	bool ack_ok = false;

	if (seg->flags & TCP_ACK) {
		if (seq_leq(seg->ack, c->iss) || seq_gt(seg->ack, c->snd_max)) {
			tcp_send_rst_reply(c->net, seg);
			netbuf_free(c->net, nb);
			return;
		}
		ack_ok = true;
	}
	if (seg->flags & TCP_RST) {
		/* RFC 5961 3.2: only a RST that acknowledges our SYN counts. */
		if (ack_ok)
			tcp_conn_drop(c, KEEL_ECONNREFUSED);
		netbuf_free(c->net, nb);
		return;
	}
	if (!(seg->flags & TCP_SYN)) {
		netbuf_free(c->net, nb);
		return;
	}
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	c->rcv_adv = c->rcv_nxt + (c->rcvbuf < 65535 ? c->rcvbuf : 65535);
	tcp_conn_negotiate(c, &seg->opt);
	update_window(c, seg);
	if (!ack_ok) {
		/* Simultaneous open (RFC 9293 figure 7). */
		tcp_conn_set_state(c, TCP_SYN_RECEIVED);
		tcp_send_syn(c);
		netbuf_free(c->net, nb);
		return;
	}
	c->snd_una = seg->ack;
	if (c->retries == 0) /* the SYN went once: its round trip is a sample */
		tcp_rtt_sample(c, keel_now() - c->rtt_start);
	established(c);
	c->flags |= CONN_ACK_NOW;
	keel_wake_all(&c->conn_wait);
	if (seg->len > 0 || (seg->flags & TCP_FIN)) {
		seg->seq++;
		seg->flags &= (uint8_t)~TCP_SYN;
		process_text(c, nb, seg);
	} else {
		netbuf_free(c->net, nb);
	}
	if (c->flags & CONN_LIVE)
		tcp_output(c);
}

/* ---- Synchronized states ------------------------------------------------------------- */

/* RFC 9293 3.10.7.4, first check: is the segment in the receive window? */
static bool seq_acceptable(const struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t slen = tcp_seg_seqlen(seg);
	uint32_t last;

	if (slen == 0) {
		if (wnd == 0)
			return seg->seq == c->rcv_nxt;
		return seq_geq(seg->seq, c->rcv_nxt) && seq_lt(seg->seq, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	last = seg->seq + slen - 1;
	return (seq_geq(seg->seq, c->rcv_nxt) && seq_lt(seg->seq, c->rcv_nxt + wnd)) ||
	       (seq_geq(last, c->rcv_nxt) && seq_lt(last, c->rcv_nxt + wnd));
}

static void reset_received(struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_SYN_RECEIVED:
		/* Passive: the peer changed its mind; active: refused. */
		tcp_conn_drop(c, (c->flags & CONN_PASSIVE) ? KEEL_ECONNRESET : KEEL_ECONNREFUSED);
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_conn_drop(c, KEEL_ECONNRESET);
		break;
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		tcp_conn_drop(c, 0);
		break;
	default:
		/* TIME_WAIT: RFC 1337 — ignore, so an old RST cannot end the
		 * quiet time early. */
		break;
	}
}

/*
 * Frees send-queue buffers below ack and trims a partly acknowledged one.
 * Returns the latest send time of the acknowledged bytes when it makes an
 * RTT sample, else 0: not when any of them was retransmitted (Karn's
 * rule, extended as most stacks do: bytes queued behind a retransmission
 * waited for it) or had been SACKed already (their sample came then).
 */
static keel_time ack_send_queue(struct tcp_conn *c, uint32_t ack)
{
	keel_time sent = 0, now = c->last_rcv; /* this segment's arrival */
	bool ambiguous = false;

	while (c->sndq_head) {
		struct netbuf *b = c->sndq_head;
		struct tcp_txcb *cb = txcb(b);
		uint32_t end = cb->seq + cb->len;

		if (!seq_gt(ack, cb->seq))
			break;
		if (cb->flags & (TXCB_EVER_RETRANS | TXCB_SACKED))
			ambiguous = true;
		else if (cb->sent_at > sent)
			sent = cb->sent_at;
		if (!(cb->flags & TXCB_SACKED))
			tcp_rack_delivered(c, cb, now);
		if (seq_leq(end, ack)) {
			c->sndq_head = b->next;
			if (c->sndq_tail == b)
				c->sndq_tail = NULL;
			if (c->send_next == b)
				c->send_next = b->next;
			if (cb->flags & TXCB_SACKED)
				c->sacked_bytes -= cb->len;
			c->sndq_bytes -= cb->len;
			c->sndq_segs--;
			netbuf_free(c->net, b);
			continue;
		}
		if (cb->ext) {
			/* Outside memory: the headroom stays where it is. */
			cb->ext += ack - cb->seq;
		} else {
			cb->off = (uint16_t)(cb->off + (ack - cb->seq));
			b->data = b->buf + cb->off;
		}
		cb->len = (uint16_t)(end - ack);
		c->sndq_bytes -= ack - cb->seq;
		cb->seq = ack;
		if (!cb->ext)
			b->len = cb->len;
		break;
	}
	return ambiguous ? 0 : sent;
}

static void new_ack(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t ack = seg->ack;
	uint32_t acked = ack - c->snd_una;
	keel_time sent;
	bool fin_acked;

	/*
	 * Round-trip time from the send time of the newest acknowledged
	 * bytes that were never retransmitted (Karn's rule). Timestamps
	 * (RFC 7323 RTTM, a MAY) are not used for it: after a loss the peer
	 * echoes the TSval of the segment that last moved its window, which
	 * can be seconds old, and the estimate would balloon.
	 */
	sent = ack_send_queue(c, ack);
	if (sent) {
		tcp_rtt_sample(c, c->last_rcv - sent);
		tcp_cc_rtt(c, c->last_rcv - sent);
	}
	c->snd_una = ack;
	if (seq_lt(c->snd_nxt, ack))
		c->snd_nxt = ack;
	if (!c->sacked_bytes)
		c->high_sacked = ack;
	else if (seq_lt(c->high_sacked, ack))
		c->high_sacked = ack;
	c->retries = 0;
	c->backoff = 0;
	c->flags &= ~CONN_TLP_SENT;
	fin_acked = (c->flags & CONN_WR_SHUT) && seq_gt(ack, c->write_seq);
	tcp_cc_ack(c, ack, acked - (fin_acked ? 1 : 0));
	if (c->snd_una == c->snd_max)
		tcp_timer_rexmit_stop(c);
	else
		tcp_timer_rexmit_start(c); /* RFC 6298 5.3 */
	keel_wake_all(&c->wr_wait);
	keel_wake_all(&tcp_of(c->net)->buf_wait);
}

/* RACK may find the first segment lost on an ACK that moved snd_una
 * too, which is no duplicate; and what it finds lost later, if nothing
 * arrives before then, arms its timer. */
static void rack_after_ack(struct tcp_conn *c)
{
	if (c->sack_ok && c->snd_una != c->snd_max) {
		tcp_cc_rack_timeout(c);
		tcp_rack_timer_update(c);
	} else {
		c->rack_at = 0;
	}
}

/* Window update, from a segment no older than the last one used. */
static void window_input(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t old = c->snd_wnd;

	if (!seq_lt(c->snd_wl1, seg->seq) &&
	    !(c->snd_wl1 == seg->seq && seq_leq(c->snd_wl2, seg->ack)))
		return;
	update_window(c, seg);
	if (old == 0 && c->snd_wnd > 0) {
		/* The closed window's probing is over; if the new window is
		 * too small to use, the persist timer starts again from the
		 * base RTO, not from the backoff the probes reached. */
		if (c->snd_nxt == c->snd_una)
			c->backoff = 0;
		if (c->flags & CONN_PERSIST)
			tcp_timer_rexmit_stop(c);
	}
	/* Writers may wait for the window (tcp_share.c, rule 3). */
	if (c->snd_wnd > old)
		keel_wake_all(&c->wr_wait);
}

/* The ACK field (RFC 9293 3.10.7.4, fifth check). False: stop here. */
static bool ack_input(struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t ack = seg->ack;
	uint32_t sacked_before;
	bool fin_acked;

	if (c->state == TCP_SYN_RECEIVED) {
		if (!seq_gt(ack, c->snd_una) || seq_gt(ack, c->snd_max)) {
			tcp_send_rst_reply(c->net, seg);
			return false;
		}
		c->snd_una = ack;
		update_window(c, seg);
		/* The handshake's round trip, when the SYN-ACK went once, from
		 * its send time: the echoed timestamp counts whole
		 * milliseconds, and a sample of 0 on a fast path would set the
		 * minimum RTT (RACK's reordering window) to nothing. A
		 * connection made from a cookie has no send time. */
		if (c->retries == 0 && c->rtt_start)
			tcp_rtt_sample(c, keel_now() - c->rtt_start);
		established(c);
		if (c->flags & CONN_PASSIVE) {
			tcp_listen_established(c);
			if (!(c->flags & CONN_LIVE))
				return false;
		} else {
			keel_wake_all(&c->conn_wait);
		}
		/* A close requested while the handshake was on. */
		if (c->flags & CONN_WR_SHUT)
			tcp_conn_set_state(c, TCP_FIN_WAIT_1);
	}
	/* RFC 5961 5.2: an ACK of data never sent, or too old to be real. */
	if (seq_gt(ack, c->snd_max)) {
		tcp_send_ack(c);
		return false;
	}
	if (seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		tcp_send_challenge_ack(c);
		return false;
	}
	sacked_before = c->sacked_bytes;
	if (c->sack_ok && seg->opt.nsack) {
		keel_time sent = tcp_sack_update(c, &seg->opt, ack);

		if (sent && !seq_gt(ack, c->snd_una))
			tcp_rtt_sample(c, c->last_rcv - sent);
	}
	if (seq_gt(ack, c->snd_una)) {
		new_ack(c, seg);
	} else if (ack == c->snd_una && c->snd_una != c->snd_max &&
	           (c->sacked_bytes > sacked_before ||
	            (!c->sack_ok && seg->len == 0 && !(seg->flags & (TCP_FIN | TCP_SYN)) &&
	             seg_window(c, seg) == c->snd_wnd))) {
		/* A duplicate acknowledgment (RFC 5681 2), or with SACK any
		 * ACK at snd_una that SACKs new data, even one that carries
		 * data of its own (RFC 6675 2). With SACK, one that SACKs
		 * nothing new is not counted: a path that duplicates frames
		 * repeats ACKs, and D-SACKs come at snd_una too; neither
		 * says anything is missing. */
		tcp_cc_dupack(c);
	}
	rack_after_ack(c);
	window_input(c, seg);

	fin_acked = (c->flags & CONN_WR_SHUT) && c->snd_una == c->write_seq + 1;
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		if (fin_acked) {
			tcp_conn_set_state(c, TCP_FIN_WAIT_2);
			tcp_timer_rexmit_stop(c);
			if (c->flags & CONN_APP_CLOSED) {
				c->close_at = keel_now() + TCP_FIN_WAIT_2_TIME;
				tcp_timer_update(c);
			}
		}
		break;
	case TCP_CLOSING:
		if (fin_acked) {
			tcp_conn_time_wait(c);
			return false;
		}
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			tcp_conn_drop(c, 0);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

void tcp_conn_input(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg)
{
	struct keel_net *net = c->net;

	if (c->state == TCP_SYN_SENT) {
		syn_sent_input(c, nb, seg);
		return;
	}
	if (c->state == TCP_CLOSED) {
		netbuf_free(net, nb);
		return;
	}
	c->last_rcv = keel_now();
	c->keepalive_sent = 0;

	/* PAWS (RFC 7323 5.3): an older timestamp is an old duplicate. */
	if (c->ts_ok && seg->opt.has_ts && !(seg->flags & TCP_RST) &&
	    seq_lt(seg->opt.ts_val, c->ts_recent)) {
		if (c->last_rcv - c->ts_recent_at <= TCP_PAWS_IDLE) {
			tcp_send_ack(c);
			drop_bad(net, nb);
			return;
		}
	}

	/* In SYN_RECEIVED the peer may repeat its SYN, or (simultaneous
	 * open) answer ours with a SYN-ACK. */
	if (c->state == TCP_SYN_RECEIVED && (seg->flags & TCP_SYN) && seg->seq == c->irs) {
		if (!(seg->flags & TCP_ACK) || !seq_gt(seg->ack, c->snd_una) ||
		    seq_gt(seg->ack, c->snd_max)) {
			if (!(seg->flags & TCP_RST))
				tcp_send_syn(c);
			netbuf_free(net, nb);
			return;
		}
		seg->flags &= (uint8_t)~TCP_SYN;
		seg->seq++;
		c->flags |= CONN_ACK_NOW;
	}

	if (!seq_acceptable(c, seg)) {
		/* A zero window still takes ACKs (3.10.7.4): keep the ACK of
		 * a segment that starts at RCV.NXT, drop its text. */
		bool zero_wnd_ack = c->rcv_adv == c->rcv_nxt && seg->seq == c->rcv_nxt &&
		                    !(seg->flags & (TCP_RST | TCP_SYN));

		if (!zero_wnd_ack) {
			if (!(seg->flags & TCP_RST)) {
				if (c->state == TCP_TIME_WAIT && (seg->flags & TCP_FIN))
					tcp_conn_time_wait(c);
				tcp_send_ack(c);
			}
			drop_bad(net, nb);
			return;
		}
		c->flags |= CONN_ACK_NOW;
		nb->len = 0;
		seg->len = 0;
		seg->flags &= (uint8_t)~TCP_FIN;
	}

	/* RFC 7323 4.3: remember the newest timestamp of a segment that
	 * reaches the left edge of the window. */
	if (c->ts_ok && seg->opt.has_ts && seq_geq(seg->opt.ts_val, c->ts_recent) &&
	    seq_leq(seg->seq, c->last_ack_sent)) {
		c->ts_recent = seg->opt.ts_val;
		c->ts_recent_at = c->last_rcv;
	}

	/* RFC 5961 3.2: a RST resets only exactly at RCV.NXT. */
	if (seg->flags & TCP_RST) {
		if (seg->seq == c->rcv_nxt)
			reset_received(c);
		else
			tcp_send_challenge_ack(c);
		netbuf_free(net, nb);
		return;
	}
	/* RFC 5961 4.2: any SYN in a synchronized state gets a challenge. */
	if (seg->flags & TCP_SYN) {
		tcp_send_challenge_ack(c);
		netbuf_free(net, nb);
		return;
	}
	if (!(seg->flags & TCP_ACK)) {
		netbuf_free(net, nb);
		return;
	}
	if (!ack_input(c, seg)) {
		netbuf_free(net, nb);
		return;
	}

	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
		if (seg->len > 0 || (seg->flags & TCP_FIN)) {
			process_text(c, nb, seg);
			nb = NULL;
		}
		break;
	case TCP_TIME_WAIT:
		if (seg->flags & TCP_FIN) {
			tcp_conn_time_wait(c);
			c->flags |= CONN_ACK_NOW;
		}
		break;
	default:
		/* CLOSE_WAIT, CLOSING, LAST_ACK: the peer has finished; any
		 * text is ignored, a repeated FIN is acknowledged. */
		if (seg->flags & TCP_FIN)
			c->flags |= CONN_ACK_NOW;
		break;
	}
	if (nb)
		netbuf_free(net, nb);
	if (c->flags & CONN_LIVE)
		tcp_output_soon(c);
}

/* ---- The pieces of a large segment ------------------------------------------------- */

/*
 * Header prediction for the pieces gso.c cuts a large segment into: they
 * all carry the headers of the first but for the sequence number (and
 * PSH and FIN only on the last), and all arrived at once. The first
 * piece went the full way (gso.c offers the others only when it reached
 * tcp_input, so the link and IPv4 layers take them alike); a piece after
 * it takes the short way below only when the full way would do exactly
 * what the short way does:
 *
 *   - the connection is ESTABLISHED;
 *   - the piece carries ACK (maybe PSH) and nothing else (no FIN), and
 *     some payload;
 *   - PAWS lets it pass (its timestamp is not older than ts_recent);
 *   - it starts exactly at rcv_nxt and ends within the window we
 *     advertised (acceptable, nothing to trim);
 *   - its ACK is snd_una (nothing new acknowledged, no duplicate ACK
 *     counted, nothing challenged) and it has no SACK blocks to take.
 *
 * Then what the full way does comes down to: the arrival time (one
 * clock reading for all the pieces), the timestamp to echo, RACK's look
 * after an ACK, the send window's update (the same code as the full
 * way's), and tcp_recv_data() with the text,
 * which queues it (or drops it when the connection is over its share of
 * the pool), moves rcv_nxt, counts it for the delayed ACK and wakes the
 * reader; then the output is asked for, which the read of frames defers
 * to its end (tcp_output_soon). Any piece that fails a test goes the
 * full way, and so do all pieces after it. What is saved: the lookup,
 * option parsing and checksum tests per piece, and the tests of the full
 * way that cannot apply.
 */
unsigned tcp_input_pieces(struct keel_net *net, struct netbuf **bufs, unsigned n, size_t hlen)
{
	struct tcp_state *ts = tcp_of(net);
	const uint8_t *ip, *h;
	struct tcp_seg seg;
	struct tcp_conn *c;
	keel_time now;
	size_t tcp_off, tcp_hlen;
	uint32_t src_be, dst_be;
	unsigned i;

	if (!ts || ts->rcv_fast_off || n == 0 || bufs[0]->len < hlen)
		return 0;
	ip = bufs[0]->data + ETH_HLEN;
	h = ip + (size_t)(ip[0] & 0x0f) * 4;
	tcp_off = (size_t)(h - bufs[0]->data);
	tcp_hlen = (size_t)(h[12] >> 4) * 4;
	__builtin_memcpy(&src_be, ip + 12, 4);
	__builtin_memcpy(&dst_be, ip + 16, 4);
	if (tcp_off + tcp_hlen != hlen || tcp_hlen < TCP_HLEN ||
	    !seg_parse(h, tcp_hlen, src_be, dst_be, &seg))
		return 0;
	c = tcp_conn_lookup(ts, seg.dst_be, seg.dport_be, seg.src_be, seg.sport_be);
	if (!c)
		return 0;
	now = keel_now(); /* the pieces arrived together */
	tcp_conn_get(c);
	for (i = 0; i < n; i++) {
		struct netbuf *nb = bufs[i];
		const uint8_t *p = nb->data + tcp_off; /* bufs[0] is pulled below */
		uint32_t seq = net_get32(p + 4);
		uint32_t len = nb->len > hlen ? (uint32_t)(nb->len - hlen) : 0;

		if (c->state != TCP_ESTABLISHED || (p[13] & 0x3f & ~TCP_PSH) != TCP_ACK ||
		    len == 0 ||
		    (c->ts_ok && seg.opt.has_ts && seq_lt(seg.opt.ts_val, c->ts_recent)) ||
		    seq != c->rcv_nxt || seq_gt(seq + len, c->rcv_adv) || seg.ack != c->snd_una ||
		    (c->sack_ok && seg.opt.nsack))
			break;
		/* What eth_input and tcp_input count of a frame. */
		net->stats.frames_in++;
		net->stats.bytes_in += nb->len;
		net->stats.tcp_in++;

		c->last_rcv = now;
		c->keepalive_sent = 0;
		if (c->ts_ok && seg.opt.has_ts && seq_leq(seq, c->last_ack_sent)) {
			c->ts_recent = seg.opt.ts_val;
			c->ts_recent_at = now;
		}
		seg.seq = seq;
		seg.flags = p[13] & 0x3f;
		seg.len = len;
		rack_after_ack(c);
		window_input(c, &seg);
		netbuf_pull(nb, hlen);
		tcp_recv_data(c, nb, &seg);
		if (c->flags & CONN_LIVE)
			tcp_output_soon(c);
	}
	tcp_conn_put(c);
	ts->rcv_fast += i;
	return i;
}

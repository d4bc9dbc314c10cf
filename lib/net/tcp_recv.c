/*
 * The receive side of a connection: the in-order queue that read()
 * copies from, the bounded out-of-order queue, the peer's FIN, the window
 * we advertise (with receiver-side silly-window avoidance) and the
 * delayed-ACK policy.
 *
 * In-order segments are queued as the buffers they arrived in (payload at
 * nb->data), so the one copy is the application's read(). A peer that
 * sends many tiny segments would make us hold one 2 KiB buffer per byte
 * or so; past a per-connection count of buffers, small segments are
 * therefore merged into the tail buffer (a copy only on that path).
 *
 * Both queues draw on the connection's share of the packet pool
 * (tcp_share.c): over it, a segment that cannot be merged into the tail
 * is dropped before it is acknowledged, and the peer sends it again.
 */
#include "tcp_impl.h"

/* Buffers a connection may hold in order before small ones are merged,
 * and out of order before further ones are dropped. */
static uint32_t rcvq_budget(const struct tcp_conn *c)
{
	return c->rcvbuf / 1024 + 8;
}
static uint32_t ooo_budget(const struct tcp_conn *c)
{
	return c->rcvbuf / 1024 + 8;
}

/* ---- The advertised window ---------------------------------------------------------- */

static uint32_t rcv_space(const struct tcp_conn *c)
{
	uint32_t space;
	uint32_t max_wnd = (uint32_t)65535 << c->rcv_wscale;

	if (c->flags & (CONN_RD_SHUT | CONN_APP_CLOSED))
		space = c->rcvbuf; /* nothing is kept: the data is dropped */
	else
		space = c->rcvbuf > c->rcvq_bytes ? c->rcvbuf - c->rcvq_bytes : 0;
	return space < max_wnd ? space : max_wnd;
}

/* The least the right edge moves at a time (RFC 9293 3.8.6.2.2). */
static uint32_t sws_step(const struct tcp_conn *c)
{
	return c->rcvbuf / 2 < c->rcv_mss ? c->rcvbuf / 2 : c->rcv_mss;
}

uint16_t tcp_rcv_window_field(struct tcp_conn *c)
{
	uint32_t edge = c->rcv_nxt + rcv_space(c);
	uint32_t wnd, field;

	if (seq_lt(c->rcv_adv, c->rcv_nxt))
		c->rcv_adv = c->rcv_nxt;
	/* Move the right edge only by a useful amount, and never back. */
	if (seq_gt(edge, c->rcv_adv) && edge - c->rcv_adv >= sws_step(c))
		c->rcv_adv = edge;
	wnd = c->rcv_adv - c->rcv_nxt;
	field = (wnd + ((uint32_t)1 << c->rcv_wscale) - 1) >> c->rcv_wscale;
	if (field > 65535)
		field = 65535;
	/* Rounding up may offer a few bytes more; they are ours to keep. */
	c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt + (field << c->rcv_wscale));
	return (uint16_t)field;
}

bool tcp_rcv_window_update_due(struct tcp_conn *c)
{
	uint32_t edge = c->rcv_nxt + rcv_space(c);
	uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

	if (!seq_gt(edge, c->rcv_adv))
		return false;
	return cur < c->rcvbuf / 2 && edge - c->rcv_adv >= sws_step(c);
}

/*
 * Receive-buffer autotuning (dynamic right-sizing, as Linux does it): once
 * a round trip, the bytes that arrived in order during it are what the
 * sender had in flight. When that is more than half the buffer, the
 * window is what limits the sender: the buffer doubles that amount, up to
 * tcp_share_autotune_max() (the scale announced in the handshake covers
 * TCP_MAX_BUF). A sender
 * that is not held back by the window sends less than half of it, and
 * the buffer stays. Not when the application chose the size, nor before
 * there is an RTT estimate. What the bigger window lets in still counts
 * against the connection's share of the pool (tcp_share.c).
 */
static void rcvbuf_tune(struct tcp_conn *c, keel_time now)
{
	keel_time rtt = c->srtt;
	uint32_t got, max = tcp_share_autotune_max(c);

	if ((c->flags & CONN_RCVBUF_SET) || rtt == 0 || c->rcvbuf >= max)
		return;
	if (c->rcv_tune_at == 0) {
		c->rcv_tune_at = now;
		c->rcv_tune_seq = c->rcv_nxt;
		return;
	}
	if (now - c->rcv_tune_at < rtt)
		return;
	got = c->rcv_nxt - c->rcv_tune_seq;
	if (got > c->rcvbuf / 2) {
		uint32_t want = got > max / 2 ? max : 2 * got;

		if (want > c->rcvbuf)
			c->rcvbuf = want;
	}
	c->rcv_tune_at = now;
	c->rcv_tune_seq = c->rcv_nxt;
}

/* ---- Queues -------------------------------------------------------------------------- */

/* Whether a segment of len bytes would be merged into the tail buffer. */
static bool rcvq_merges(struct tcp_conn *c, uint32_t len)
{
	struct netbuf *tail = c->rcvq_tail;

	return tail && netbuf_tailroom(tail) >= len &&
	       (c->rcvq_segs >= rcvq_budget(c) || !tcp_share_may_keep(c, true));
}

static void rcvq_append(struct tcp_conn *c, struct netbuf *nb)
{
	struct netbuf *tail = c->rcvq_tail;
	uint32_t len = nb->len;

	if (len == 0) {
		netbuf_free(c->net, nb);
		return;
	}
	c->rcvq_bytes += len;
	if (rcvq_merges(c, len)) {
		memcpy(tail->data + tail->len, nb->data, len);
		tail->len = (uint16_t)(tail->len + len);
		tcp_of(c->net)->rcv_collapsed++;
		netbuf_free(c->net, nb);
		return;
	}
	nb->next = NULL;
	if (tail)
		tail->next = nb;
	else
		c->rcvq_head = nb;
	c->rcvq_tail = nb;
	c->rcvq_segs++;
}

static void free_ooo(struct tcp_conn *c)
{
	while (c->ooo_head) {
		struct netbuf *nb = c->ooo_head;

		c->ooo_head = nb->next;
		netbuf_free(c->net, nb);
	}
	c->ooo_bytes = c->ooo_segs = 0;
}

/*
 * Inserts an out-of-order segment [seq, seq + nb->len) (+FIN). The queue
 * stays sorted and without overlaps: what is already queued wins, the new
 * segment is trimmed to the gaps, and queued segments it covers entirely
 * are replaced by it.
 */
static void ooo_insert(struct tcp_conn *c, struct netbuf *nb, uint32_t seq, bool fin)
{
	struct netbuf **pp = &c->ooo_head;
	uint32_t end = seq + nb->len;
	struct netbuf *q;

	/* Segments that end before we start come first. */
	while ((q = *pp) && seq_leq(rxcb(q)->seq + q->len, seq) && q->len > 0)
		pp = &q->next;
	q = *pp;
	if (q && seq_leq(rxcb(q)->seq, seq) && q->len > 0) {
		uint32_t qe = rxcb(q)->seq + q->len;

		if (seq_geq(qe, end)) {
			if (fin && qe == end)
				rxcb(q)->fin = true;
			netbuf_free(c->net, nb); /* nothing new */
			return;
		}
		netbuf_pull(nb, qe - seq);
		seq = qe;
		pp = &q->next;
	}
	/* Queued segments that start inside us. */
	while ((q = *pp) && seq_lt(rxcb(q)->seq, end)) {
		uint32_t qe = rxcb(q)->seq + q->len;

		if (seq_leq(qe, end)) {
			*pp = q->next;
			c->ooo_bytes -= q->len;
			c->ooo_segs--;
			fin = fin || rxcb(q)->fin;
			netbuf_free(c->net, q);
			continue;
		}
		nb->len = (uint16_t)(rxcb(q)->seq - seq);
		fin = false;
		break;
	}
	if (c->ooo_segs >= ooo_budget(c) || !tcp_share_may_keep(c, false)) {
		tcp_of(c->net)->ooo_dropped++;
		c->net->stats.drop_other++;
		netbuf_free(c->net, nb);
		return;
	}
	rxcb(nb)->seq = seq;
	rxcb(nb)->fin = fin;
	nb->next = *pp;
	*pp = nb;
	c->ooo_bytes += nb->len;
	c->ooo_segs++;
}

/* The peer's FIN is in sequence at rcv_nxt. */
static void fin_arrived(struct tcp_conn *c)
{
	bool our_fin_acked = (c->flags & CONN_WR_SHUT) && c->snd_una == c->write_seq + 1;

	c->rcv_nxt++;
	c->flags |= CONN_FIN_RCVD | CONN_ACK_NOW;
	free_ooo(c);
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
		tcp_conn_set_state(c, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1:
		if (our_fin_acked)
			tcp_conn_time_wait(c);
		else
			tcp_conn_set_state(c, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2:
		tcp_conn_time_wait(c);
		break;
	default:
		break;
	}
	keel_wake_all(&c->rd_wait);
}

/* Moves out-of-order segments that are now in sequence to the queue. */
static bool ooo_drain(struct tcp_conn *c, bool deliver)
{
	while (c->ooo_head && seq_leq(rxcb(c->ooo_head)->seq, c->rcv_nxt)) {
		struct netbuf *q = c->ooo_head;
		uint32_t qs = rxcb(q)->seq;
		bool fin = rxcb(q)->fin;

		c->ooo_head = q->next;
		c->ooo_bytes -= q->len;
		c->ooo_segs--;
		if (seq_lt(qs, c->rcv_nxt)) {
			uint32_t old = c->rcv_nxt - qs;

			if (old >= q->len) {
				netbuf_free(c->net, q);
				if (fin && old == q->len) {
					fin_arrived(c);
					return true;
				}
				continue;
			}
			netbuf_pull(q, old);
		}
		c->rcv_nxt += q->len;
		if (deliver)
			rcvq_append(c, q);
		else
			netbuf_free(c->net, q);
		if (fin) {
			fin_arrived(c);
			return true;
		}
	}
	return false;
}

void tcp_recv_data(struct tcp_conn *c, struct netbuf *nb, struct tcp_seg *seg)
{
	bool fin = (seg->flags & TCP_FIN) != 0;
	bool deliver = !(c->flags & CONN_RD_SHUT);
	uint32_t len = nb->len;

	if (len == 0 && !fin) {
		netbuf_free(c->net, nb);
		return;
	}
	if (len > 0 && (c->flags & CONN_APP_CLOSED)) {
		/* Nobody will ever read it (RFC 9293 3.10.7.4 allows the
		 * reset; it tells the peer its data was not taken). */
		netbuf_free(c->net, nb);
		tcp_conn_abort(c, KEEL_ECLOSED);
		return;
	}
	if (seg->seq != c->rcv_nxt) {
		/* Out of order: keep it and say so at once (a duplicate ACK
		 * with SACK blocks drives the sender's fast retransmit). */
		c->sack_last = seg->seq;
		c->flags |= CONN_ACK_NOW;
		if (deliver)
			ooo_insert(c, nb, seg->seq, fin);
		else
			netbuf_free(c->net, nb);
		return;
	}
	if (deliver && len > 0 && !tcp_share_may_keep(c, true) && !rcvq_merges(c, len)) {
		/* Over the connection's share of the pool: not taken. */
		c->net->stats.drop_no_buffer++;
		netbuf_free(c->net, nb);
		return;
	}
	c->rcv_nxt += len;
	if (deliver)
		rcvq_append(c, nb);
	else
		netbuf_free(c->net, nb);
	if (len > 0)
		rcvbuf_tune(c, c->last_rcv);
	if (len > 0)
		keel_wake_all(&c->rd_wait);
	if (c->ooo_head) {
		/* A hole is filled (or shrank): ACK at once (RFC 5681 4.2). */
		c->flags |= CONN_ACK_NOW;
		if (ooo_drain(c, deliver))
			return;
	}
	if (fin) {
		fin_arrived(c);
		return;
	}
	/* Delayed ACK (RFC 9293 3.8.6.3): at least every second segment,
	 * and never later than the delayed-ACK timer. */
	if (++c->segs_unacked >= 2)
		c->flags |= CONN_ACK_NOW;
	else
		tcp_timer_delack(c);
}

size_t tcp_recv_copy(struct tcp_conn *c, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len && c->rcvq_head) {
		struct netbuf *nb = c->rcvq_head;
		size_t n = nb->len < len - done ? nb->len : len - done;

		memcpy(buf + done, nb->data, n);
		done += n;
		netbuf_pull(nb, n);
		if (nb->len == 0) {
			c->rcvq_head = nb->next;
			if (!c->rcvq_head)
				c->rcvq_tail = NULL;
			c->rcvq_segs--;
			netbuf_free(c->net, nb);
		}
	}
	c->rcvq_bytes -= (uint32_t)done;
	return done;
}

/*
 * Selective acknowledgment (RFC 2018) on both sides, and loss detection.
 *
 * Receiving: the blocks we put in ACKs describe the out-of-order queue,
 * the block holding the most recent arrival first.
 *
 * Sending: a scoreboard kept in the send-queue buffers themselves (a
 * SACKED mark per buffer, a count of SACKed bytes, the highest SACKed
 * sequence). A buffer is lost when
 *   - more than two segments' worth of data above it has been SACKed
 *     (RFC 6675 IsLost with DupThresh 3), until the peer shows that it
 *     sees reordering; or
 *   - by RACK (RFC 8985 6): a buffer sent after it (or at the same time,
 *     ending later) has arrived, and a round trip of that buffer plus the
 *     reordering window has passed since it was sent. The window is zero
 *     while no reordering has been seen and loss is evident (in recovery,
 *     or DupThresh segments SACKed), else a quarter of the minimum RTT,
 *     widened by each D-SACK (a retransmission that was not needed) and
 *     narrowed again after 16 recoveries without one. A buffer that is not
 *     lost yet but would be after the window arms the reordering timer,
 *     so the repair does not wait for a probe or the RTO. RACK also finds
 *     retransmissions that were lost again, which RFC 6675 alone leaves
 *     to the timeout.
 * During recovery, lost buffers are retransmitted first, then new data,
 * while the pipe — bytes sent and neither SACKed nor lost — leaves room
 * in cwnd (RFC 6675 5). A timeout marks everything outstanding lost and
 * recovers the same way from a window of one segment, keeping what the
 * peer SACKed (on a second timeout in a row the marks are dropped, in
 * case the peer reneged).
 */
#include "tcp_impl.h"

#define REO_WND_MULT_MAX 16
#define REO_WND_PERSIST 16

keel_time tcp_rack_reo_wnd(const struct tcp_conn *c)
{
	keel_time w;

	if (!c->rack_reordering &&
	    ((c->flags & CONN_IN_RECOVERY) || c->sacked_bytes >= 3 * (uint32_t)c->mss))
		return 0;
	w = (keel_time)(c->reo_wnd_mult ? c->reo_wnd_mult : 1) * (c->min_rtt / 4);
	return c->srtt && w > c->srtt ? c->srtt : w;
}

/* Was (t1, end1) sent after (t2, end2)? Ties go by sequence (RFC 8985 6.2). */
static bool sent_after(keel_time t1, uint32_t end1, keel_time t2, uint32_t end2)
{
	return t1 > t2 || (t1 == t2 && seq_gt(end1, end2));
}

void tcp_rack_delivered(struct tcp_conn *c, const struct tcp_txcb *cb, keel_time now)
{
	uint32_t end = cb->seq + cb->len;

	/* A retransmitted segment's delivery is credited to the last copy
	 * only if a round trip could have passed since it was sent. */
	if ((cb->flags & TXCB_EVER_RETRANS) && now - cb->sent_at < c->min_rtt)
		return;
	if (sent_after(cb->sent_at, end, c->rack_sent, c->rack_end)) {
		c->rack_sent = cb->sent_at;
		c->rack_end = end;
		c->rack_rtt = now - cb->sent_at;
	}
}

void tcp_rack_dsack(struct tcp_conn *c)
{
	c->rack_reordering = true;
	if (c->reo_wnd_mult < REO_WND_MULT_MAX)
		c->reo_wnd_mult = (uint8_t)((c->reo_wnd_mult ? c->reo_wnd_mult : 1) + 1);
	c->reo_wnd_persist = REO_WND_PERSIST;
}

/* RACK: how long until the buffer counts as lost; 0 when it is lost now,
 * KEEL_FOREVER when nothing sent after it has arrived. */
static keel_time rack_wait(const struct tcp_conn *c, const struct tcp_txcb *cb, keel_time now,
                           keel_time reo_wnd)
{
	keel_time due;

	if (!c->rack_sent || !sent_after(c->rack_sent, c->rack_end, cb->sent_at, cb->seq + cb->len))
		return KEEL_FOREVER;
	due = cb->sent_at + c->rack_rtt + reo_wnd;
	return due <= now ? 0 : due - now;
}

/* Lost by either rule; `sacked_above`: SACKed bytes above the buffer. */
static bool is_lost(const struct tcp_conn *c, const struct tcp_txcb *cb, uint32_t sacked_above,
                    keel_time now, keel_time reo_wnd)
{
	if (cb->flags & TXCB_SACKED)
		return false;
	if (cb->sent_at < c->lost_before || rack_wait(c, cb, now, reo_wnd) == 0)
		return true;
	return !(cb->flags & TXCB_RETRANS) && !c->rack_reordering &&
	       sacked_above > 2 * (uint32_t)c->mss;
}

/*
 * The walk stops early. First transmissions go out in sequence order and
 * a retransmission goes later than the first copy, so a buffer that was
 * sent once, no earlier than the RACK segment (by sent_after's order),
 * has only buffers sent no earlier than itself after it in the queue:
 * none of those can arm the timer. On a path without loss the first
 * buffer in flight was sent after the last one delivered, and the walk
 * ends there instead of going through the whole flight on every ACK.
 */
void tcp_rack_timer_update(struct tcp_conn *c)
{
	keel_time now = keel_now(), reo_wnd = tcp_rack_reo_wnd(c), next = KEEL_FOREVER;

	for (struct netbuf *b = c->sndq_head; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next) {
		struct tcp_txcb *cb = txcb(b);
		keel_time w;

		if (!(cb->flags & TXCB_EVER_RETRANS) &&
		    !sent_after(c->rack_sent, c->rack_end, cb->sent_at, cb->seq + cb->len))
			break;
		if ((cb->flags & TXCB_SACKED) || cb->sent_at < c->lost_before)
			continue;
		w = rack_wait(c, cb, now, reo_wnd);
		if (w > 0 && w < next)
			next = w;
	}
	c->rack_at = next == KEEL_FOREVER ? 0 : now + next;
	if (c->rack_at)
		tcp_timer_update(c);
}

keel_time tcp_sack_update(struct tcp_conn *c, const struct tcp_opts *o, uint32_t ack)
{
	keel_time now = c->last_rcv, sent = 0; /* the ACK's arrival */
	bool had_sacked = c->sacked_bytes > 0, have_high = false;
	uint32_t high0 = c->high_sacked, high = 0;

	/* A D-SACK (RFC 2883 4): the first block lies below the cumulative
	 * ACK or inside the second block, and tells of data that arrived
	 * twice. Only our retransmissions make that happen (or a path that
	 * duplicates, where the wider window costs nothing). */
	if (o->nsack > 0) {
		uint32_t l0 = o->sack[0][0], r0 = o->sack[0][1];
		bool below =
		    seq_lt(l0, r0) && seq_leq(r0, ack) && seq_geq(l0, ack - c->max_snd_wnd);
		bool inside = o->nsack > 1 && seq_lt(l0, r0) && seq_geq(l0, o->sack[1][0]) &&
		              seq_leq(r0, o->sack[1][1]);

		if (below || inside)
			tcp_rack_dsack(c);
	}
	for (unsigned i = 0; i < o->nsack; i++) {
		uint32_t left = o->sack[i][0], right = o->sack[i][1];

		/* Ignore blocks that are empty, below snd_una (D-SACK or old)
		 * or beyond what we sent. */
		if (!seq_lt(left, right) || seq_leq(right, c->snd_una) ||
		    seq_gt(right, c->snd_max) || right - left > (1u << 30))
			continue;
		if (seq_lt(left, c->snd_una))
			left = c->snd_una;
		for (struct netbuf *b = c->sndq_head; b; b = b->next) {
			struct tcp_txcb *cb = txcb(b);
			uint32_t end = cb->seq + cb->len;

			if (seq_geq(cb->seq, right))
				break;
			if ((cb->flags & TXCB_SACKED) || seq_lt(cb->seq, left) ||
			    seq_gt(end, right))
				continue;
			/* A first copy SACKed below what earlier ACKs SACKed
			 * was overtaken on the way: the path reorders (RFC
			 * 8985 6.2 step 3). Against the earlier ACKs only: a
			 * lost ACK makes this one report lower blocks late. */
			if (!(cb->flags & TXCB_EVER_RETRANS) && had_sacked && seq_lt(end, high0))
				c->rack_reordering = true;
			tcp_rack_delivered(c, cb, now);
			cb->flags |= TXCB_SACKED;
			c->sacked_bytes += cb->len;
			if (!have_high || seq_gt(end, high)) {
				high = end;
				have_high = true;
			}
			if (!(cb->flags & TXCB_EVER_RETRANS) && cb->sent_at > sent)
				sent = cb->sent_at;
		}
	}
	if (have_high && (!had_sacked || seq_gt(high, c->high_sacked)))
		c->high_sacked = high;
	return sent;
}

void tcp_sack_clear(struct tcp_conn *c)
{
	for (struct netbuf *b = c->sndq_head; b; b = b->next)
		txcb(b)->flags &= (uint8_t) ~(TXCB_SACKED | TXCB_RETRANS);
	c->sacked_bytes = 0;
	c->high_sacked = c->snd_una;
}

void tcp_sack_timeout(struct tcp_conn *c)
{
	if (c->retries > 1) {
		tcp_sack_clear(c);
	} else {
		for (struct netbuf *b = c->sndq_head; b; b = b->next)
			txcb(b)->flags &= (uint8_t)~TXCB_RETRANS;
	}
	/* Everything sent before now is lost unless SACKed. */
	c->lost_before = keel_now();
}

/* Takes the buffers from s->end up to snd_nxt into the scan: sacked
 * bytes counted, the others into the pipe unless lost. */
static void scan_to_nxt(struct tcp_conn *c, struct tcp_sack_scan *s)
{
	struct netbuf *b;

	for (b = s->end; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next) {
		struct tcp_txcb *cb = txcb(b);

		if (cb->flags & TXCB_SACKED)
			s->end_sacked += cb->len;
		else if (!is_lost(c, cb, c->sacked_bytes - s->end_sacked, s->now, s->reo_wnd))
			s->pipe += cb->len;
	}
	s->end = b;
}

/* The pipe from a walk of the flight, at s->now. */
static void scan_walk(struct tcp_conn *c, struct tcp_sack_scan *s)
{
	s->pipe = 0;
	s->end_sacked = 0;
	s->segs = c->sndq_segs;
	s->end = c->sndq_head;
	scan_to_nxt(c, s);
	s->hole = c->sndq_head;
	s->hole_sacked = 0;
}

void tcp_sack_scan_start(struct tcp_conn *c, struct tcp_sack_scan *s)
{
	s->now = keel_now();
	s->reo_wnd = tcp_rack_reo_wnd(c);
	scan_walk(c, s);
}

struct netbuf *tcp_sack_scan_hole(struct tcp_conn *c, struct tcp_sack_scan *s)
{
	for (; s->hole && seq_lt(txcb(s->hole)->seq, c->snd_nxt); s->hole = s->hole->next) {
		struct tcp_txcb *cb = txcb(s->hole);

		if (cb->flags & TXCB_SACKED)
			s->hole_sacked += cb->len;
		else if (is_lost(c, cb, c->sacked_bytes - s->hole_sacked, s->now, s->reo_wnd))
			return s->hole;
	}
	return NULL;
}

bool tcp_sack_scan_sent(struct tcp_conn *c, struct tcp_sack_scan *s, struct netbuf *hole)
{
	if (c->sndq_segs != s->segs) {
		/* A buffer was split (a new one may stand before a buffer
		 * kept here): walk again. Rare: buffers hold one MSS. */
		scan_walk(c, s);
		return true;
	}
	if (hole) {
		/* It was lost, so not in the pipe; sent again, it is,
		 * unless it still counts as lost. */
		if (is_lost(c, txcb(hole), c->sacked_bytes - s->hole_sacked, s->now, s->reo_wnd))
			return false;
		s->pipe += txcb(hole)->len;
		s->hole = hole->next;
		return true;
	}
	/* New data: what went from `end` on joins the flight. */
	scan_to_nxt(c, s);
	return true;
}

bool tcp_sack_head_lost(struct tcp_conn *c)
{
	struct netbuf *b = c->sndq_head;

	return b && seq_lt(txcb(b)->seq, c->snd_nxt) &&
	       is_lost(c, txcb(b), c->sacked_bytes, keel_now(), tcp_rack_reo_wnd(c));
}

uint8_t tcp_sack_blocks(struct tcp_conn *c, uint32_t blocks[][2], uint8_t max)
{
	uint8_t n = 1;
	bool have_first = false;

	if (max == 0 || !c->ooo_head)
		return 0;
	for (struct netbuf *q = c->ooo_head; q;) {
		uint32_t left = rxcb(q)->seq, right = left + q->len;

		/* Merge the contiguous run starting at q. */
		for (q = q->next; q && rxcb(q)->seq == right; q = q->next)
			right += q->len;
		if (left == right)
			continue; /* a bare FIN: nothing to report */
		if (!have_first && seq_geq(c->sack_last, left) && seq_lt(c->sack_last, right)) {
			blocks[0][0] = left;
			blocks[0][1] = right;
			have_first = true;
		} else if (n < max) {
			blocks[n][0] = left;
			blocks[n][1] = right;
			n++;
		}
	}
	if (!have_first) {
		/* The newest arrival merged away: report the others only. */
		for (uint8_t i = 1; i < n; i++) {
			blocks[i - 1][0] = blocks[i][0];
			blocks[i - 1][1] = blocks[i][1];
		}
		return (uint8_t)(n - 1);
	}
	return n;
}

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
 *     (RFC 6675 IsLost with DupThresh 3), or
 *   - it was (last) sent more than a quarter of the minimum RTT before a
 *     segment that is known to have arrived (the time-based rule of RACK,
 *     RFC 8985, simplified): this also finds retransmissions that were
 *     lost again, which RFC 6675 alone leaves to the timeout.
 * During recovery, lost buffers are retransmitted first, then new data,
 * while the pipe — bytes sent and neither SACKed nor lost — leaves room
 * in cwnd (RFC 6675 5). A timeout marks everything outstanding lost and
 * recovers the same way from a window of one segment, keeping what the
 * peer SACKed (on a second timeout in a row the marks are dropped, in
 * case the peer reneged).
 */
#include "tcp_impl.h"

static keel_time reorder_window(const struct tcp_conn *c)
{
	return c->min_rtt / 4;
}

void tcp_rack_delivered(struct tcp_conn *c, const struct tcp_txcb *cb, keel_time now)
{
	/* A retransmitted segment's delivery is credited to the last copy
	 * only if a round trip could have passed since it was sent. */
	if ((cb->flags & TXCB_EVER_RETRANS) && now - cb->sent_at < c->min_rtt)
		return;
	if (cb->sent_at > c->rack_sent)
		c->rack_sent = cb->sent_at;
}

static bool rack_lost(const struct tcp_conn *c, const struct tcp_txcb *cb)
{
	return cb->sent_at + reorder_window(c) < c->rack_sent || cb->sent_at < c->lost_before;
}

/* Lost by either rule; `sacked_above`: SACKed bytes above the buffer. */
static bool is_lost(const struct tcp_conn *c, const struct tcp_txcb *cb, uint32_t sacked_above)
{
	if (cb->flags & TXCB_SACKED)
		return false;
	if (rack_lost(c, cb))
		return true;
	return !(cb->flags & TXCB_RETRANS) && sacked_above > 2 * (uint32_t)c->mss;
}

keel_time tcp_sack_update(struct tcp_conn *c, const struct tcp_opts *o)
{
	keel_time now = c->last_rcv, sent = 0; /* the ACK's arrival */

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
			cb->flags |= TXCB_SACKED;
			c->sacked_bytes += cb->len;
			if (c->sacked_bytes == cb->len || seq_gt(end, c->high_sacked))
				c->high_sacked = end;
			tcp_rack_delivered(c, cb, now);
			if (!(cb->flags & TXCB_EVER_RETRANS) && cb->sent_at > sent)
				sent = cb->sent_at;
		}
	}
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

uint32_t tcp_sack_pipe(struct tcp_conn *c)
{
	uint32_t pipe = 0, sacked_seen = 0;

	for (struct netbuf *b = c->sndq_head; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next) {
		struct tcp_txcb *cb = txcb(b);

		if (cb->flags & TXCB_SACKED) {
			sacked_seen += cb->len;
			continue;
		}
		if (!is_lost(c, cb, c->sacked_bytes - sacked_seen))
			pipe += cb->len;
	}
	return pipe;
}

struct netbuf *tcp_sack_next_hole(struct tcp_conn *c)
{
	uint32_t sacked_seen = 0;

	for (struct netbuf *b = c->sndq_head; b && seq_lt(txcb(b)->seq, c->snd_nxt); b = b->next) {
		struct tcp_txcb *cb = txcb(b);

		if (cb->flags & TXCB_SACKED) {
			sacked_seen += cb->len;
			continue;
		}
		if (is_lost(c, cb, c->sacked_bytes - sacked_seen))
			return b;
	}
	return NULL;
}

bool tcp_sack_head_lost(struct tcp_conn *c)
{
	struct netbuf *b = c->sndq_head;

	return b && seq_lt(txcb(b)->seq, c->snd_nxt) && is_lost(c, txcb(b), c->sacked_bytes);
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

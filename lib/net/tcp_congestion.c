/*
 * Congestion control: RFC 5681 slow start and congestion avoidance, fast
 * retransmit and fast recovery with the NewReno changes of RFC 6582
 * (partial ACKs retransmit the next hole and keep recovery going until
 * everything sent before it began is acknowledged), the initial window of
 * RFC 6928 (ten segments), and byte counting as RFC 3465 allows: slow
 * start grows by the bytes each ACK acknowledges, so delayed ACKs do not
 * halve it, nor do the stretch ACKs of a receiver that merges segments
 * (GRO: one ACK per 64 KiB is common), which with the limit of two
 * segments per ACK would hold the window near its start for hundreds of
 * round trips. The limit stays while lost segments are resent after a
 * timeout, where a burst is least welcome.
 *
 * With SACK the recovery episode is the same, but what to send is chosen
 * by tcp_sack.c from the scoreboard and the pipe estimate of RFC 6675,
 * with cwnd held at ssthresh instead of being inflated per duplicate ACK.
 */
#include "tcp_impl.h"

#define CWND_MAX (1u << 30)

uint32_t tcp_flight(const struct tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

void tcp_cc_init(struct tcp_conn *c)
{
	uint32_t iw = 10 * (uint32_t)c->mss;

	if (iw > 14600 && 14600 > 2 * (uint32_t)c->mss)
		iw = 14600; /* RFC 6928: min(10 MSS, max(2 MSS, 14600)) */
	c->cwnd = iw;
	c->ssthresh = CWND_MAX;
	c->recover = c->snd_una;
	c->bytes_acked = 0;
	c->dupacks = 0;
	c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
}

static uint32_t half_flight(const struct tcp_conn *c)
{
	uint32_t h = tcp_flight(c) / 2;
	uint32_t floor = 2 * (uint32_t)c->mss;

	return h > floor ? h : floor; /* RFC 5681 (4) */
}

static void clear_retrans_marks(struct tcp_conn *c)
{
	for (struct netbuf *b = c->sndq_head; b; b = b->next)
		txcb(b)->flags &= (uint8_t)~TXCB_RETRANS;
}

/* Slow start below ssthresh, congestion avoidance above (RFC 5681 3.1). */
static void grow(struct tcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->mss;

	if (c->cwnd < c->ssthresh) {
		uint32_t limit = (c->flags & CONN_RTO_RECOVERY) ? 2 * mss : c->cwnd;

		c->cwnd += acked < limit ? acked : limit;
	} else {
		c->bytes_acked += acked;
		if (c->bytes_acked >= c->cwnd) {
			c->bytes_acked -= c->cwnd;
			c->cwnd += mss;
		}
	}
	if (c->cwnd > CWND_MAX)
		c->cwnd = CWND_MAX;
}

/*
 * Send-buffer autotuning: room for two congestion windows, so the writer
 * keeps a window queued behind the one in flight (what Linux grows a
 * socket's send buffer to). Up to tcp_share_autotune_max(); not when the application
 * chose the size. Buffers still come from the connection's share of the
 * pool (tcp_share.c), which bounds what a large window may hold.
 */
static void sndbuf_tune(struct tcp_conn *c)
{
	uint32_t want, max;

	if (c->flags & CONN_SNDBUF_SET)
		return;
	max = tcp_share_autotune_max(c);
	want = c->cwnd > max / 2 ? max : 2 * c->cwnd;
	if (want > c->sndbuf) {
		c->sndbuf = want;
		keel_wake_all(&c->wr_wait);
	}
}

void tcp_cc_ack(struct tcp_conn *c, uint32_t ack, uint32_t acked)
{
	uint32_t mss = c->mss;

	if (c->flags & CONN_RTO_RECOVERY) {
		/* After a timeout the window grows as in slow start while the
		 * lost segments are resent. */
		if (seq_geq(ack, c->recover)) {
			c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
			clear_retrans_marks(c);
		}
		grow(c, acked);
		sndbuf_tune(c);
		return;
	}
	if (c->flags & CONN_IN_RECOVERY) {
		if (seq_geq(ack, c->recover)) {
			/* Full acknowledgment: leave recovery (RFC 6582 3.2 (3)). */
			uint32_t flight = tcp_flight(c);

			c->flags &= ~CONN_IN_RECOVERY;
			c->cwnd = c->ssthresh;
			if (!c->sack_ok && flight + mss < c->cwnd)
				c->cwnd = flight + mss;
			c->dupacks = 0;
			c->bytes_acked = 0;
			clear_retrans_marks(c);
			return;
		}
		/* Partial acknowledgment (RFC 6582 3.2 (4)). */
		if (!c->sack_ok) {
			if (c->sndq_head && c->sndq_head != c->send_next)
				tcp_retransmit_buf(c, c->sndq_head);
			c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
			if (acked >= mss)
				c->cwnd += mss;
			if (c->cwnd < mss)
				c->cwnd = mss;
		}
		return;
	}
	c->dupacks = 0;
	grow(c, acked);
	sndbuf_tune(c);
}

void tcp_cc_dupack(struct tcp_conn *c)
{
	uint32_t mss = c->mss;

	if (c->flags & CONN_IN_RECOVERY) {
		if (!c->sack_ok)
			c->cwnd += mss; /* RFC 5681 3.2 (4): inflate */
		return;
	}
	if (c->dupacks < 255)
		c->dupacks++;
	if (c->dupacks < 3 && !(c->sack_ok && tcp_sack_head_lost(c)))
		return;
	/* RFC 6582 3.2 (2): no new recovery while the ACK has not passed
	 * everything sent before the last one (or a timeout) began. */
	if (seq_lt(c->snd_una, c->recover))
		return;
	c->ssthresh = half_flight(c);
	c->recover = c->snd_max;
	c->flags |= CONN_IN_RECOVERY;
	tcp_of(c->net)->recoveries++;
	c->bytes_acked = 0;
	c->cwnd = c->sack_ok ? c->ssthresh : c->ssthresh + 3 * mss;
	if (c->sndq_head && c->sndq_head != c->send_next)
		tcp_retransmit_buf(c, c->sndq_head);
	else if ((c->flags & CONN_WR_SHUT) && c->snd_una == c->write_seq)
		c->snd_nxt = c->snd_una; /* only the FIN is out: send it again */
}

void tcp_cc_timeout(struct tcp_conn *c)
{
	c->ssthresh = half_flight(c);
	c->cwnd = c->mss; /* the loss window */
	c->recover = c->snd_max;
	c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
	c->dupacks = 0;
	c->bytes_acked = 0;
}

/*
 * Congestion control: slow start with byte counting and the HyStart++
 * exit, CUBIC congestion avoidance, and fast retransmit and recovery with
 * the NewReno changes of RFC 6582 (partial ACKs retransmit the next hole
 * and keep recovery going until everything sent before it began is
 * acknowledged); the initial window of RFC 6928 (ten segments).
 *
 * Slow start counts bytes as RFC 3465 allows: it grows by the bytes each
 * ACK acknowledges, so delayed ACKs do not halve it, nor do the stretch
 * ACKs of a receiver that merges segments (GRO: one ACK per 64 KiB is
 * common), which with the limit of two segments per ACK would hold the
 * window near its start for hundreds of round trips. The limit stays
 * while lost segments are resent after a timeout, where a burst is least
 * welcome. Slow start ends at ssthresh, at a loss, or when the round
 * trip's minimum grows by an eighth (4 to 16 ms) from one round to the
 * next (RFC 9406, without its conservative phase: congestion avoidance
 * starts at once): the queue at the bottleneck has begun to fill, and
 * doubling further only overflows it.
 *
 * Congestion avoidance is CUBIC (RFC 9438): a loss takes the window to
 * 0.7 of what it was (not half, as Reno does), and the window then grows
 * along W(t) = C (t - K)^3 + W_max, back to W_max in K seconds and
 * beyond it slowly at first; never slower than Reno would (the
 * Reno-friendly estimate of 4.3). With fast convergence (4.7). The window
 * grows only while it is what limits the sender (flight near cwnd), so an
 * application that sends little does not earn a window it never used.
 * Integer arithmetic: time in 1/1024 s, windows in bytes.
 *
 * With SACK the recovery episode is the same, but what to send is chosen
 * by tcp_sack.c from the scoreboard and the pipe estimate of RFC 6675,
 * with cwnd held at ssthresh instead of being inflated per duplicate ACK.
 */
#include "tcp_impl.h"

#define CWND_MAX (1u << 30)
/* CUBIC's constants, in 1/1024ths: beta 0.7, C 0.4, and the Reno-friendly
 * alpha 3 (1 - beta) / (1 + beta) = 0.53. */
#define CUBIC_BETA 717
#define CUBIC_C 410
#define CUBIC_ALPHA 542
/* |t - K| past 8 s (in 1/1024 s): the window is clamped by then anyway. */
#define CUBIC_T_MAX (1u << 13)
/* HyStart++ (RFC 9406 4.3) */
#define HS_MIN_SAMPLES 8
#define HS_MIN_ETA (4 * KEEL_MSEC)
#define HS_MAX_ETA (16 * KEEL_MSEC)
#define HS_LOW_WINDOW 16 /* segments: never leave slow start below */

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
	c->w_max = 0;
	c->w_est = 0;
	c->epoch = 0;
	c->hs_round_end = c->snd_max;
	c->hs_last_min = c->hs_cur_min = 0;
	c->hs_samples = 0;
	c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
}

uint32_t tcp_cc_cbrt(uint64_t x)
{
	uint64_t lo = 0, hi = 2642245; /* the largest cube below 2^64 */

	while (lo < hi) {
		uint64_t mid = (lo + hi + 1) / 2;

		if (mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (uint32_t)lo;
}

uint32_t tcp_cc_cubic_window(const struct tcp_conn *c, uint64_t t)
{
	uint64_t k = c->cubic_k, d = t > k ? t - k : k - t, delta;

	if (d > CUBIC_T_MAX)
		d = CUBIC_T_MAX;
	/* C (d / 1024)^3 segments, in bytes: d^3 <= 2^39 and C * mss < 2^25
	 * (an MSS is below 2^16), so the product fits in 64 bits. */
	delta = (d * d * d * CUBIC_C * c->mss) >> 40;
	if (t < k)
		return delta < c->w_max ? (uint32_t)(c->w_max - delta) : 0;
	return c->w_max + delta < CWND_MAX ? (uint32_t)(c->w_max + delta) : CWND_MAX;
}

/* A congestion event: W_max with fast convergence, ssthresh at beta of
 * the window (RFC 9438 4.6, 4.7); a new epoch starts in avoidance. */
static void cubic_reduce(struct tcp_conn *c)
{
	uint32_t w = c->cwnd, floor = 2 * (uint32_t)c->mss;
	uint64_t ss = (uint64_t)w * CUBIC_BETA / 1024;

	if (w < c->w_max)
		c->w_max = (uint32_t)((uint64_t)w * (1024 + CUBIC_BETA) / 2048);
	else
		c->w_max = w;
	c->ssthresh = ss > floor ? (uint32_t)ss : floor;
	c->epoch = 0;
	c->bytes_acked = 0;
}

static void cubic_grow(struct tcp_conn *c, uint32_t acked, keel_time now)
{
	uint32_t mss = c->mss, cwnd = c->cwnd, target;
	uint32_t per_mss; /* bytes acknowledged that grow W_est by one segment */
	uint64_t t, inc;

	if (c->epoch == 0) {
		c->epoch = now;
		c->bytes_acked = 0;
		c->w_est = cwnd;
		if (c->w_max <= cwnd) {
			c->w_max = cwnd;
			c->cubic_k = 0;
		} else {
			/* K^3 = (W_max - cwnd) / C segments, in (1/1024 s)^3. */
			uint64_t x =
			    ((uint64_t)(c->w_max - cwnd) << 20) / ((uint64_t)mss * CUBIC_C);

			c->cubic_k = tcp_cc_cbrt(x << 20);
		}
	}
	/* The Reno-friendly estimate (4.3): alpha segments a window. */
	per_mss = (uint32_t)((uint64_t)cwnd * 1024 / (c->w_est >= c->w_max ? 1024 : CUBIC_ALPHA));
	c->bytes_acked += acked;
	while (per_mss && c->bytes_acked >= per_mss) {
		c->bytes_acked -= per_mss;
		c->w_est += mss;
	}
	/* W(t + RTT), between cwnd and 1.5 cwnd (4.2). */
	t = ((now - c->epoch + c->srtt) << 10) / KEEL_SEC;
	target = tcp_cc_cubic_window(c, t);
	if (target > cwnd + cwnd / 2)
		target = cwnd + cwnd / 2;
	if (target > cwnd) {
		inc = (uint64_t)(target - cwnd) * acked / cwnd;
		c->cwnd = cwnd + (uint32_t)inc;
	}
	if (c->w_est > c->cwnd)
		c->cwnd = c->w_est;
}

/* Slow start below ssthresh, congestion avoidance above (RFC 5681 3.1);
 * `flight`: what was in flight before this ACK. */
static void grow(struct tcp_conn *c, uint32_t acked, uint32_t flight)
{
	uint32_t mss = c->mss;

	if (c->cwnd < c->ssthresh) {
		uint32_t limit = (c->flags & CONN_RTO_RECOVERY) ? 2 * mss : c->cwnd;

		if (2 * (uint64_t)flight < c->cwnd)
			return; /* not limited by the window */
		c->cwnd += acked < limit ? acked : limit;
	} else {
		if ((uint64_t)flight + 3 * mss < c->cwnd)
			return;
		cubic_grow(c, acked, c->last_rcv);
	}
	if (c->cwnd > CWND_MAX)
		c->cwnd = CWND_MAX;
}

void tcp_cc_rtt(struct tcp_conn *c, keel_time rtt)
{
	keel_time eta;

	if (c->cwnd >= c->ssthresh || (c->flags & (CONN_IN_RECOVERY | CONN_RTO_RECOVERY)))
		return;
	if (c->hs_cur_min == 0 || rtt < c->hs_cur_min)
		c->hs_cur_min = rtt;
	if (c->hs_samples < 255)
		c->hs_samples++;
	if (c->hs_samples < HS_MIN_SAMPLES || c->hs_last_min == 0 ||
	    c->cwnd < HS_LOW_WINDOW * (uint32_t)c->mss)
		return;
	eta = c->hs_last_min / 8;
	eta = eta < HS_MIN_ETA ? HS_MIN_ETA : eta > HS_MAX_ETA ? HS_MAX_ETA : eta;
	if (c->hs_cur_min >= c->hs_last_min + eta)
		c->ssthresh = c->cwnd; /* the queue is filling: avoidance from here */
}

/* HyStart++ rounds: one ends when what was sent at its start is acked. */
static void hystart_round(struct tcp_conn *c, uint32_t ack)
{
	if (seq_lt(ack, c->hs_round_end))
		return;
	if (c->hs_cur_min)
		c->hs_last_min = c->hs_cur_min;
	c->hs_cur_min = 0;
	c->hs_samples = 0;
	c->hs_round_end = c->snd_max;
}

static void clear_retrans_marks(struct tcp_conn *c)
{
	for (struct netbuf *b = c->sndq_head; b; b = b->next)
		txcb(b)->flags &= (uint8_t)~TXCB_RETRANS;
}

/*
 * Send-buffer autotuning: room for two congestion windows, so the writer
 * keeps a window queued behind the one in flight (what Linux grows a
 * socket's send buffer to). Up to tcp_share_autotune_max(); not when the
 * application chose the size. Buffers still come from the connection's
 * share of the pool (tcp_share.c), which bounds what a large window may
 * hold.
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
	uint32_t mss = c->mss, flight = tcp_flight(c) + acked; /* before this ACK */

	hystart_round(c, ack);
	if (c->flags & CONN_RTO_RECOVERY) {
		/* After a timeout the window grows as in slow start while the
		 * lost segments are resent. */
		if (seq_geq(ack, c->recover)) {
			c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
			clear_retrans_marks(c);
		}
		grow(c, acked, flight);
		sndbuf_tune(c);
		return;
	}
	if (c->flags & CONN_IN_RECOVERY) {
		if (seq_geq(ack, c->recover)) {
			/* Full acknowledgment: leave recovery (RFC 6582 3.2 (3)). */
			c->flags &= ~CONN_IN_RECOVERY;
			if (c->reo_wnd_persist && --c->reo_wnd_persist == 0)
				c->reo_wnd_mult = 1; /* RFC 8985 6.2 step 4 */
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
	grow(c, acked, flight);
	sndbuf_tune(c);
}

static void enter_recovery(struct tcp_conn *c);

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
	/* With SACK, the scoreboard says when the first segment is lost
	 * (RACK, or DupThresh until reordering is seen): three duplicates
	 * alone may be reordering. Without SACK blocks, the count decides. */
	if (c->sack_ok && c->sacked_bytes ? !tcp_sack_head_lost(c) : c->dupacks < 3)
		return;
	enter_recovery(c);
}

void tcp_cc_rack_timeout(struct tcp_conn *c)
{
	if (!(c->flags & CONN_IN_RECOVERY) && c->sack_ok && tcp_sack_head_lost(c))
		enter_recovery(c);
}

static void enter_recovery(struct tcp_conn *c)
{
	uint32_t mss = c->mss;

	/* RFC 6582 3.2 (2): no new recovery while the ACK has not passed
	 * everything sent before the last one (or a timeout) began. */
	if (seq_lt(c->snd_una, c->recover))
		return;
	cubic_reduce(c);
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
	/* RFC 9438 4.8, once per episode: a timeout inside a recovery (or
	 * after another timeout) found the window reduced already. */
	if (!(c->flags & CONN_IN_RECOVERY) && c->backoff <= 1)
		cubic_reduce(c);
	c->cwnd = c->mss; /* the loss window */
	c->recover = c->snd_max;
	c->flags &= ~(CONN_IN_RECOVERY | CONN_RTO_RECOVERY);
	c->dupacks = 0;
	c->bytes_acked = 0;
}

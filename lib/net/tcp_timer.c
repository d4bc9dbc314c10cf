/*
 * The one timer of a connection, multiplexed over its deadlines: the
 * retransmission timeout (or, with a zero window, the persist timer),
 * RACK's reordering timer, the delayed ACK, keepalive, and the end of
 * TIME_WAIT or of an orphaned FIN_WAIT_2.
 *
 * Each deadline is a field (0: off). The keel_timer is armed for the
 * earliest of them, but lazily: moving a deadline later (as every ACK
 * does to the RTO) leaves the timer where it is; it then fires early,
 * finds nothing due and re-arms. That keeps the timer heap out of the
 * per-segment path.
 */
#include "tcp_impl.h"

static void timer_fire(struct keel_timer *t, void *arg);

void tcp_timer_init(struct tcp_conn *c)
{
	keel_timer_init(&c->timer, timer_fire, c);
}

static keel_time earliest(const struct tcp_conn *c)
{
	keel_time d = 0;
	const keel_time all[5] = { c->rexmit_at, c->delack_at, c->keepalive_at, c->close_at,
		                   c->rack_at };

	for (unsigned i = 0; i < 5; i++)
		if (all[i] && (d == 0 || all[i] < d))
			d = all[i];
	return d;
}

void tcp_timer_update(struct tcp_conn *c)
{
	keel_time d = earliest(c);

	if (d == 0 || !(c->flags & CONN_LIVE))
		return;
	if (keel_timer_armed(&c->timer) && c->timer.deadline <= d)
		return;
	if (keel_timer_arm(&c->timer, d) < 0)
		KEEL_WARN("tcp: cannot arm a connection timer (out of memory)");
}

/*
 * The probe timeout of RFC 8985 7.2: two smoothed RTTs, plus room for a
 * delayed ACK when a single segment is out; never past the RTO. A probe
 * makes the peer report (by SACK) what it lacks, so a loss at the tail of
 * a flight is repaired by recovery instead of waiting for the timeout.
 * Unlike RFC 8985 7.2, a probe may also go during fast recovery: a
 * retransmission that is lost with nothing sent after it is otherwise
 * found only by the RTO, hundreds of round trips later on a fast path;
 * the probe's ACK lets RACK see it lost.
 */
static keel_time probe_timeout(const struct tcp_conn *c, keel_time rto)
{
	keel_time pto = 2 * c->srtt;

	if (c->snd_max - c->snd_una <= c->mss)
		pto += TCP_DELACK_TIME + 10 * KEEL_MSEC;
	if (pto < 10 * KEEL_MSEC)
		pto = 10 * KEEL_MSEC;
	return pto < rto ? pto : rto;
}

void tcp_timer_rexmit_start(struct tcp_conn *c)
{
	keel_time rto = tcp_rto_current(c);

	c->flags &= ~(CONN_PERSIST | CONN_TLP);
	if (c->sack_ok && c->srtt && c->backoff == 0 && c->state >= TCP_ESTABLISHED &&
	    !(c->flags & (CONN_RTO_RECOVERY | CONN_TLP_SENT))) {
		c->flags |= CONN_TLP;
		rto = probe_timeout(c, rto);
	}
	c->rexmit_at = keel_now() + rto;
	tcp_timer_update(c);
}

void tcp_timer_rexmit_stop(struct tcp_conn *c)
{
	c->flags &= ~(CONN_PERSIST | CONN_TLP);
	c->rexmit_at = 0;
}

void tcp_timer_persist_start(struct tcp_conn *c)
{
	c->flags &= ~CONN_TLP;
	c->flags |= CONN_PERSIST;
	c->rexmit_at = keel_now() + tcp_rto_current(c);
	tcp_timer_update(c);
}

void tcp_timer_delack(struct tcp_conn *c)
{
	if (c->delack_at)
		return;
	c->delack_at = keel_now() + TCP_DELACK_TIME;
	tcp_timer_update(c);
}

void tcp_timer_keepalive_reset(struct tcp_conn *c)
{
	if (!c->keepalive_s) {
		c->keepalive_at = 0;
		return;
	}
	c->keepalive_sent = 0;
	c->keepalive_at = c->last_rcv + (keel_time)c->keepalive_s * KEEL_SEC;
	tcp_timer_update(c);
}

/* ---- What each deadline does ------------------------------------------------------------ */

static void backoff_more(struct tcp_conn *c)
{
	if (c->backoff < 16)
		c->backoff++;
}

static void rexmit_timeout(struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECEIVED:
		if (++c->retries >
		    (c->state == TCP_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES)) {
			tcp_conn_drop(c, KEEL_ETIMEDOUT);
			return;
		}
		backoff_more(c);
		c->net->stats.tcp_retransmits++;
		tcp_send_syn(c);
		return;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	default:
		return;
	}
	if (c->snd_una == c->snd_max)
		return;
	if (++c->retries > TCP_DATA_RETRIES) {
		tcp_conn_abort(c, KEEL_ETIMEDOUT);
		return;
	}
	backoff_more(c);
	c->flags &= ~CONN_TLP_SENT;
	tcp_of(c->net)->timeouts++;
	/* RFC 6298 5.5-5.7 with RFC 5681 3.1: collapse the window to one
	 * segment and send again from snd_una. */
	tcp_cc_timeout(c);
	c->rexmit_at = 0;
	if (c->sack_ok && c->sndq_head && c->snd_nxt != c->snd_una) {
		/* With SACK: recover what is lost, skipping what arrived. */
		tcp_sack_timeout(c);
		c->flags |= CONN_IN_RECOVERY | CONN_RTO_RECOVERY;
	} else {
		/* Go back N (RFC 2018 8: SACK marks are forgotten). */
		tcp_sack_clear(c);
		c->snd_nxt = c->snd_una;
		c->send_next = c->sndq_head;
	}
	tcp_output(c);
}

static void persist_timeout(struct tcp_conn *c)
{
	backoff_more(c);
	c->rexmit_at = 0;
	c->flags &= ~CONN_PERSIST;
	if (c->snd_wnd == 0) {
		tcp_send_window_probe(c);
	} else if (c->send_next) {
		/* A window too small for the SWS rule: send what fits. */
		uint32_t edge = c->snd_una + c->snd_wnd;
		uint32_t fit = seq_gt(edge, c->snd_nxt) ? edge - c->snd_nxt : 0;
		struct netbuf *b = fit ? tcp_split_buf(c, c->send_next, fit) : NULL;

		if (b)
			tcp_output(c);
	}
	if (c->flags & CONN_LIVE)
		tcp_output_timer(c);
}

static void keepalive_timeout(struct tcp_conn *c, keel_time now)
{
	keel_time idle = (keel_time)c->keepalive_s * KEEL_SEC;
	keel_time intvl;

	c->keepalive_at = 0;
	if (!c->keepalive_s)
		return;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
		return;
	if (now - c->last_rcv < idle) {
		c->keepalive_sent = 0;
		c->keepalive_at = c->last_rcv + idle;
		return;
	}
	if (c->keepalive_sent >= TCP_KEEPALIVE_PROBES) {
		tcp_conn_abort(c, KEEL_ETIMEDOUT);
		return;
	}
	c->keepalive_sent++;
	tcp_send_keepalive(c);
	intvl = (keel_time)(c->keepalive_s < TCP_KEEPALIVE_INTVL_MAX ? c->keepalive_s
	                                                             : TCP_KEEPALIVE_INTVL_MAX) *
	        KEEL_SEC;
	c->keepalive_at = now + intvl;
}

static void timer_fire(struct keel_timer *t, void *arg)
{
	struct tcp_conn *c = arg;
	keel_time now = keel_now();

	(void)t;
	tcp_conn_get(c);
	if (c->close_at && now >= c->close_at) {
		c->close_at = 0;
		tcp_conn_drop(c, 0);
		goto out;
	}
	if (c->rexmit_at && now >= c->rexmit_at) {
		if (c->flags & CONN_PERSIST) {
			persist_timeout(c);
		} else if (c->flags & CONN_TLP) {
			c->flags &= ~CONN_TLP;
			c->flags |= CONN_TLP_SENT;
			c->rexmit_at = 0;
			if (c->snd_una != c->snd_max)
				tcp_send_tail_probe(c);
			tcp_output_timer(c);
		} else {
			rexmit_timeout(c);
		}
		if (!(c->flags & CONN_LIVE))
			goto out;
	}
	if (c->rack_at && now >= c->rack_at) {
		/* RACK's reordering timer (RFC 8985 6.3): what did not
		 * arrive within the window after its successor is lost. */
		c->rack_at = 0;
		if (c->sack_ok && c->snd_una != c->snd_max) {
			tcp_cc_rack_timeout(c);
			tcp_output(c);
			if (c->flags & CONN_LIVE)
				tcp_rack_timer_update(c);
		}
		if (!(c->flags & CONN_LIVE))
			goto out;
	}
	if (c->delack_at && now >= c->delack_at) {
		c->delack_at = 0;
		c->flags |= CONN_ACK_NOW;
		tcp_output(c);
	}
	if (c->keepalive_at && now >= c->keepalive_at) {
		keepalive_timeout(c, now);
		if (!(c->flags & CONN_LIVE))
			goto out;
	}
	tcp_timer_update(c);
out:
	tcp_conn_put(c);
}

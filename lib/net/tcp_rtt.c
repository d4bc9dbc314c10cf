/*
 * Round-trip time estimation and the retransmission timeout (RFC 6298):
 * SRTT and RTTVAR with gains 1/8 and 1/4, RTO = SRTT + max(G, 4 RTTVAR)
 * clamped to [200 ms, 60 s] (a lower minimum than the RFC's 1 s, as
 * most stacks use), 1 s before the first sample, doubled per timeout
 * (the backoff shift, reset by an ACK of new data).
 *
 * Samples come from timestamps when they are on (RFC 7323 4), else from
 * one timed segment at a time that was never retransmitted (Karn).
 */
#include "tcp_impl.h"

#define CLOCK_GRANULARITY KEEL_MSEC

void tcp_rtt_sample(struct tcp_conn *c, keel_time rtt)
{
	keel_time var4;

	if (c->min_rtt == 0 || rtt < c->min_rtt)
		c->min_rtt = rtt ? rtt : 1;
	if (c->srtt == 0) {
		c->srtt = rtt ? rtt : 1;
		c->rttvar = rtt / 2;
	} else {
		keel_time delta = c->srtt > rtt ? c->srtt - rtt : rtt - c->srtt;

		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + rtt) / 8;
		if (c->srtt == 0)
			c->srtt = 1;
	}
	var4 = 4 * c->rttvar;
	c->rto = c->srtt + (var4 > CLOCK_GRANULARITY ? var4 : CLOCK_GRANULARITY);
	if (c->rto < TCP_MIN_RTO)
		c->rto = TCP_MIN_RTO;
	if (c->rto > TCP_MAX_RTO)
		c->rto = TCP_MAX_RTO;
}

keel_time tcp_rto_current(const struct tcp_conn *c)
{
	keel_time rto = c->rto ? c->rto : TCP_INIT_RTO;

	for (unsigned i = 0; i < c->backoff && rto < TCP_MAX_RTO; i++)
		rto *= 2;
	return rto < TCP_MAX_RTO ? rto : TCP_MAX_RTO;
}

/*
 * TCP's part of keel_net_close: whether the application still holds
 * anything of it, and the end of every connection left.
 *
 * When keel_net_close comes, the application has closed its flows and
 * listeners; what is left are connections ending on their own (FIN_WAIT,
 * CLOSING, LAST_ACK, TIME_WAIT). They get until the deadline to finish
 * in order; the rest are then reset (a TIME_WAIT connection needs no
 * RST: it is forgotten).
 */
#include <stdlib.h>

#include "tcp_impl.h"

/* How often the orderly end is looked at. */
#define TCP_CLOSE_POLL (10 * KEEL_MSEC)

bool tcp_busy(struct keel_net *net)
{
	struct tcp_state *ts = tcp_of(net);

	if (ts->listeners)
		return true;
	for (uint32_t b = 0; b < ts->nbuckets; b++) {
		for (struct tcp_conn *c = ts->buckets[b]; c; c = c->hash_next) {
			/* Held by the application, or by a call of it in
			 * progress (connect, a read after keel_close...). */
			if ((c->flags & CONN_APP_OWNED) || c->refs > 1)
				return true;
		}
	}
	return false;
}

/* Connections in the table that are not in TIME_WAIT. */
static uint32_t ending(struct tcp_state *ts)
{
	uint32_t tw = 0;

	for (struct keel_list *n = ts->time_wait_q.next; n != &ts->time_wait_q; n = n->next)
		tw++;
	return ts->nconns - tw;
}

void tcp_free(struct keel_net *net, keel_time deadline)
{
	struct tcp_state *ts = tcp_of(net);

	while (ending(ts) > 0 && keel_now() < deadline) {
		keel_time next = keel_now() + TCP_CLOSE_POLL;

		keel_sleep_until(next < deadline ? next : deadline);
	}
	for (uint32_t b = 0; b < ts->nbuckets; b++) {
		while (ts->buckets[b])
			tcp_conn_abort(ts->buckets[b], KEEL_ECLOSED);
	}
	if (ts->nconns != 0)
		KEEL_PANIC("tcp: %u connections outside the table at close", (unsigned)ts->nconns);
	keel_wake_all(&ts->buf_wait);
	net->tcp = NULL;
	free(ts->buckets);
	free(ts);
}

/*
 * Each connection's share of the packet pool.
 *
 * All connections of a stack draw the buffers of their queues (data
 * written and not yet acknowledged, data received in order and not yet
 * read, data received out of order) from the one pool that also receives
 * every frame. Without a rule, a few peers that ask for a large response
 * and never read it fill the pool with send queues that cannot drain,
 * and every other connection waits for buffers until those give up. The
 * rules, in the order they apply (net_impl.h has the summary):
 *
 *  1. The reserve. TCP queues never take the pool below `reserve` free
 *     buffers (an eighth of the pool, at least TCP_POOL_RESERVE_MIN).
 *     Those stay for what keeps the stack answering: frames arriving
 *     (ACKs, SYNs, ARP, ICMP) and the segments and replies it makes on
 *     its own (SYN-ACK, ACK, RST, ARP and ICMP replies). Received data
 *     may dip into the upper half of the reserve, so that a reader is not
 *     starved by writers that keep the pool down to the reserve.
 *
 *  2. The share. A connection holds at most as many buffers as are still
 *     free above the reserve (but always TCP_SHARE_MIN): the dynamic
 *     threshold of Choudhury and Hahne (1998). No count of connections is
 *     needed: one connection alone may hold half of the pool above the
 *     reserve (far more than a default send buffer), k connections that
 *     keep their queues full settle at about 1/(k+1) of it each, and the
 *     part they leave free is what a newcomer finds.
 *
 *  3. The window. Written data the peer's receive window does not admit
 *     yet is queued only up to a 32nd of the pool's free part above the
 *     reserve (at least TCP_NOTSENT_MIN buffers) past the window's right
 *     edge. A peer that stops reading closes its window; from then on its
 *     connection pins those buffers and nothing in flight. Rule 2 alone
 *     would let stalled peers keep up to half of what is free, and their
 *     buffers never drain, so a share handed out earlier is never given
 *     back; under rule 3 each takes a 32nd of what is left: 32 of them
 *     leave more than a third of what was free above the reserve to
 *     everyone else, 64 about an eighth.
 *     A large pool with room to spare hardly limits a writer (the send
 *     buffer does first), so a reader that is merely slower than the
 *     writer keeps a full queue. The writer waits until the window opens
 *     or its deadline passes.
 *
 * A connection over its share keeps what it holds (sent data must stay
 * until acknowledged); it only takes no more: its writer waits, and
 * segments it receives are dropped before they are acknowledged (the
 * peer sends them again). Out-of-order data does not count against data
 * that arrives in order, which is what lets it drain.
 *
 * Not covered: a peer that acknowledges nothing at all keeps what is in
 * flight to it (at most its share; without ACKs the congestion window
 * stays at the initial ten segments) until TCP gives up retransmitting.
 */
#include "tcp_impl.h"

uint32_t tcp_share_reserve(const struct keel_net *net)
{
	uint32_t reserve = net->pool.total / 8;

	return reserve < TCP_POOL_RESERVE_MIN ? TCP_POOL_RESERVE_MIN : reserve;
}

uint32_t tcp_share_held(const struct tcp_conn *c)
{
	return c->sndq_segs + c->rcvq_segs + c->ooo_segs;
}

/* Rule 2 for a connection holding `held`, with `free_bufs` counted free. */
static bool within_share(uint32_t held, uint32_t free_bufs, uint32_t reserve)
{
	uint32_t share = free_bufs > reserve ? free_bufs - reserve : 0;

	if (share < TCP_SHARE_MIN)
		share = TCP_SHARE_MIN;
	return held < share;
}

bool tcp_share_may_send(const struct tcp_conn *c)
{
	uint32_t reserve = tcp_share_reserve(c->net);
	uint32_t free_bufs = c->net->pool.free;

	return free_bufs > reserve && within_share(tcp_share_held(c), free_bufs, reserve);
}

bool tcp_share_may_keep(const struct tcp_conn *c, bool in_order)
{
	uint32_t reserve = tcp_share_reserve(c->net);
	/* The segment's buffer is already out of the pool: count it free. */
	uint32_t free_bufs = c->net->pool.free + 1;
	uint32_t held = tcp_share_held(c);

	/* What waits out of order never keeps out the data that lets it
	 * drain: in-order data is judged without it. */
	if (in_order)
		held -= c->ooo_segs;
	return free_bufs > reserve / 2 && within_share(held, free_bufs, reserve);
}

uint32_t tcp_share_past_window(const struct tcp_conn *c)
{
	uint32_t reserve = tcp_share_reserve(c->net);
	uint32_t free_bufs = c->net->pool.free;
	uint32_t bufs = free_bufs > reserve ? (free_bufs - reserve) / TCP_NOTSENT_DIV : 0;

	return bufs < TCP_NOTSENT_MIN ? TCP_NOTSENT_MIN : bufs;
}

bool tcp_share_window_full(const struct tcp_conn *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;

	return seq_gt(c->write_seq, edge) &&
	       c->write_seq - edge >= tcp_share_past_window(c) * c->mss;
}

uint32_t tcp_share_autotune_max(const struct tcp_conn *c)
{
	uint64_t bytes = (uint64_t)(c->net->pool.total / 4) * c->mss;

	return bytes < TCP_MAX_BUF ? (uint32_t)bytes : TCP_MAX_BUF;
}

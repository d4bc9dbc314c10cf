/*
 * The connection table and the life of a connection: allocation within
 * the stack's bound, the keyed-hash table of 4-tuples, reference counts,
 * state changes with their bookkeeping, TIME_WAIT and its recycling, and
 * initial sequence numbers (RFC 6528).
 *
 * The table's buckets are fixed at tcp_init from max_tcp_conns and indexed
 * by SipHash of the 4-tuple under a random key, so a peer cannot aim many
 * connections at one bucket. Connections themselves are allocated (with
 * the one heap) when a SYN is taken or connect() is called, never per
 * packet, and never more than max_tcp_conns at once.
 */
#include <stdlib.h>

#include "tcp_impl.h"

static const char *const state_names[] = {
	[TCP_CLOSED] = "CLOSED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECEIVED] = "SYN_RECEIVED",
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_CLOSING] = "CLOSING",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_TIME_WAIT] = "TIME_WAIT",
};

const char *tcp_state_name(enum tcp_st st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0]) ? state_names[st] : "?";
}

static void random_key(struct keel_net *net, uint64_t key[2])
{
	if (kp_random(key, sizeof(uint64_t) * 2) != KEEL_OK) {
		key[0] = net_random(net);
		key[1] = net_random(net);
	}
}

int tcp_init(struct keel_net *net)
{
	struct tcp_state *ts = calloc(1, sizeof(*ts));
	uint32_t n = 64;

	if (!ts)
		return KEEL_ENOMEM;
	ts->net = net;
	ts->max_conns = net->cfg.max_tcp_conns ? net->cfg.max_tcp_conns : TCP_DEFAULT_MAX_CONNS;
	ts->max_syn_backlog =
	    net->cfg.max_syn_backlog ? net->cfg.max_syn_backlog : TCP_DEFAULT_SYN_BACKLOG;
	ts->time_wait =
	    (net->cfg.tcp_time_wait_ms ? net->cfg.tcp_time_wait_ms : TCP_DEFAULT_TIME_WAIT_MS) *
	    KEEL_MSEC;
	while (n < ts->max_conns && n < (1u << 20))
		n <<= 1;
	ts->buckets = calloc(n, sizeof(*ts->buckets));
	if (!ts->buckets) {
		free(ts);
		return KEEL_ENOMEM;
	}
	ts->nbuckets = n;
	tcp_list_init(&ts->time_wait_q);
	keel_waitq_init(&ts->buf_wait);
	random_key(net, ts->hash_key);
	random_key(net, ts->isn_key);
	random_key(net, ts->cookie_key);
	ts->next_port = (uint16_t)(49152 + net_random(net) % 16384);
	net->tcp = ts;
	return KEEL_OK;
}

/* ---- Table --------------------------------------------------------------------- */

static uint32_t bucket_of(struct tcp_state *ts, uint32_t lip, uint16_t lport, uint32_t rip,
                          uint16_t rport)
{
	uint8_t key[12];

	__builtin_memcpy(key, &lip, 4);
	__builtin_memcpy(key + 4, &rip, 4);
	__builtin_memcpy(key + 8, &lport, 2);
	__builtin_memcpy(key + 10, &rport, 2);
	return (uint32_t)tcp_siphash(ts->hash_key, key, sizeof(key)) & (ts->nbuckets - 1);
}

struct tcp_conn *tcp_conn_lookup(struct tcp_state *ts, uint32_t local_ip_be, uint16_t local_port_be,
                                 uint32_t remote_ip_be, uint16_t remote_port_be)
{
	struct tcp_conn *c = ts->last_found;

	if (c && c->local_port_be == local_port_be && c->remote_port_be == remote_port_be &&
	    c->remote_ip_be == remote_ip_be && c->local_ip_be == local_ip_be)
		return c;
	c = ts->buckets[bucket_of(ts, local_ip_be, local_port_be, remote_ip_be, remote_port_be)];
	for (; c; c = c->hash_next) {
		if (c->local_port_be == local_port_be && c->remote_port_be == remote_port_be &&
		    c->remote_ip_be == remote_ip_be && c->local_ip_be == local_ip_be) {
			ts->last_found = c;
			return c;
		}
	}
	return NULL;
}

void tcp_conn_hash(struct tcp_conn *c)
{
	struct tcp_state *ts = tcp_of(c->net);
	uint32_t b =
	    bucket_of(ts, c->local_ip_be, c->local_port_be, c->remote_ip_be, c->remote_port_be);

	c->hash_next = ts->buckets[b];
	ts->buckets[b] = c;
	c->flags |= CONN_HASHED;
}

static void conn_unhash(struct tcp_conn *c)
{
	struct tcp_state *ts = tcp_of(c->net);
	struct tcp_conn **pp;

	if (!(c->flags & CONN_HASHED))
		return;
	if (ts->last_found == c)
		ts->last_found = NULL;
	pp = &ts->buckets[bucket_of(ts, c->local_ip_be, c->local_port_be, c->remote_ip_be,
	                            c->remote_port_be)];
	for (; *pp; pp = &(*pp)->hash_next) {
		if (*pp == c) {
			*pp = c->hash_next;
			break;
		}
	}
	c->hash_next = NULL;
	c->flags &= ~CONN_HASHED;
}

/* ---- Allocation and references ----------------------------------------------------- */

static void update_live(struct tcp_state *ts)
{
	ts->net->stats.tcp_conns_live = ts->nconns;
	if (ts->nconns > ts->mem_conns_peak)
		ts->mem_conns_peak = ts->nconns;
}

struct tcp_conn *tcp_conn_alloc(struct keel_net *net, int *err)
{
	struct tcp_state *ts = tcp_of(net);
	struct tcp_conn *c;

	if (ts->nconns >= ts->max_conns && !tcp_conn_recycle_time_wait(ts)) {
		*err = KEEL_ENOMEM;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = KEEL_ENOMEM;
		return NULL;
	}
	c->flow.ops = &tcp_flow_ops;
	c->net = net;
	c->refs = 1;
	c->flags = CONN_LIVE;
	c->state = TCP_CLOSED;
	tcp_list_init(&c->qlink);
	keel_waitq_init(&c->rd_wait);
	keel_waitq_init(&c->wr_wait);
	keel_waitq_init(&c->conn_wait);
	tcp_timer_init(c);
	ts->nconns++;
	update_live(ts);
	return c;
}

void tcp_conn_get(struct tcp_conn *c)
{
	c->refs++;
}

static void free_list(struct keel_net *net, struct netbuf *nb)
{
	while (nb) {
		struct netbuf *next = nb->next;

		netbuf_free(net, nb);
		nb = next;
	}
}

void tcp_conn_free_queues(struct tcp_conn *c)
{
	struct keel_net *net = c->net;

	free_list(net, c->sndq_head);
	c->sndq_head = c->sndq_tail = c->send_next = NULL;
	c->sndq_bytes = 0;
	c->sndq_segs = 0;
	free_list(net, c->rcvq_head);
	c->rcvq_head = c->rcvq_tail = NULL;
	c->rcvq_bytes = c->rcvq_segs = 0;
	free_list(net, c->ooo_head);
	c->ooo_head = NULL;
	c->ooo_bytes = c->ooo_segs = 0;
	c->sacked_bytes = 0;
	keel_wake_all(&tcp_of(net)->buf_wait);
}

void tcp_conn_put(struct tcp_conn *c)
{
	if (c->refs == 0)
		KEEL_PANIC("tcp: connection reference count underflow");
	if (--c->refs > 0)
		return;
	keel_timer_cancel(&c->timer);
	tcp_conn_free_queues(c);
	free(c);
}

/* ---- State changes ------------------------------------------------------------------- */

void tcp_conn_set_state(struct tcp_conn *c, enum tcp_st st)
{
	struct tcp_state *ts = tcp_of(c->net);
	enum tcp_st old = c->state;

	if (old == st)
		return;
	if (old == TCP_SYN_RECEIVED && (c->flags & CONN_PASSIVE))
		ts->nsynrecv--;
	if (st == TCP_SYN_RECEIVED && (c->flags & CONN_PASSIVE))
		ts->nsynrecv++;
	if (old == TCP_TIME_WAIT && (c->flags & CONN_IN_TW_LIST)) {
		tcp_list_del(&c->qlink);
		c->flags &= ~CONN_IN_TW_LIST;
	}
	if (st == TCP_ESTABLISHED && (old == TCP_SYN_SENT || old == TCP_SYN_RECEIVED))
		c->net->stats.tcp_conns_opened++;
	c->state = st;
}

void tcp_conn_drop(struct tcp_conn *c, int err)
{
	struct tcp_state *ts = tcp_of(c->net);

	if (!(c->flags & CONN_LIVE))
		return;
	c->flags &= ~CONN_LIVE;
	if (err && !c->error)
		c->error = err;
	tcp_listen_unlink(c);
	tcp_conn_set_state(c, TCP_CLOSED);
	conn_unhash(c);
	keel_timer_cancel(&c->timer);
	c->rexmit_at = c->delack_at = c->keepalive_at = c->close_at = 0;
	/* Unread data survives a graceful end (the application may still
	 * read it); after an error nothing more is delivered. */
	if (err) {
		tcp_conn_free_queues(c);
	} else {
		free_list(c->net, c->sndq_head);
		c->sndq_head = c->sndq_tail = c->send_next = NULL;
		c->sndq_bytes = 0;
		c->sndq_segs = 0;
		free_list(c->net, c->ooo_head);
		c->ooo_head = NULL;
		c->ooo_bytes = c->ooo_segs = 0;
		keel_wake_all(&ts->buf_wait);
	}
	ts->nconns--;
	update_live(ts);
	tcp_wake_all(c);
	tcp_conn_put(c);
}

void tcp_conn_abort(struct tcp_conn *c, int err)
{
	switch (c->state) {
	case TCP_SYN_RECEIVED:
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSE_WAIT:
		tcp_send_rst_conn(c);
		break;
	default:
		break;
	}
	tcp_conn_drop(c, err);
}

void tcp_conn_time_wait(struct tcp_conn *c)
{
	struct tcp_state *ts = tcp_of(c->net);
	struct netbuf *sndq = c->sndq_head;

	tcp_conn_set_state(c, TCP_TIME_WAIT);
	if (ts->time_wait == 0) {
		tcp_conn_drop(c, 0);
		return;
	}
	if (c->flags & CONN_IN_TW_LIST)
		tcp_list_del(&c->qlink);
	tcp_list_add_tail(&ts->time_wait_q, &c->qlink);
	c->flags |= CONN_IN_TW_LIST;
	/* Everything we sent is acknowledged by now. */
	c->sndq_head = c->sndq_tail = c->send_next = NULL;
	c->sndq_bytes = 0;
	c->sndq_segs = 0;
	free_list(c->net, sndq);
	free_list(c->net, c->ooo_head);
	c->ooo_head = NULL;
	c->ooo_bytes = c->ooo_segs = 0;
	keel_wake_all(&ts->buf_wait);
	c->rexmit_at = c->delack_at = c->keepalive_at = 0;
	c->flags &= ~CONN_PERSIST;
	c->close_at = keel_now() + ts->time_wait;
	tcp_timer_update(c);
	tcp_wake_all(c);
}

bool tcp_conn_recycle_time_wait(struct tcp_state *ts)
{
	struct tcp_conn *c;

	if (tcp_list_empty(&ts->time_wait_q))
		return false;
	c = tcp_list_entry(ts->time_wait_q.next, struct tcp_conn, qlink);
	tcp_conn_drop(c, 0);
	return true;
}

/* ---- Parameters -------------------------------------------------------------------- */

uint32_t tcp_isn(struct tcp_state *ts, uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	uint8_t key[12];

	__builtin_memcpy(key, &lip, 4);
	__builtin_memcpy(key + 4, &rip, 4);
	__builtin_memcpy(key + 8, &lport, 2);
	__builtin_memcpy(key + 10, &rport, 2);
	/* RFC 6528: a clock of about 4 microseconds per tick plus a keyed
	 * hash of the connection's identity. */
	return (uint32_t)(keel_now() >> 12) + (uint32_t)tcp_siphash(ts->isn_key, key, sizeof(key));
}

uint8_t tcp_wscale_for(uint32_t bytes)
{
	uint8_t ws = 0;

	while (ws < 14 && (bytes >> ws) > 65535)
		ws++;
	return ws;
}

void tcp_conn_init_params(struct tcp_conn *c)
{
	struct keel_net *net = c->net;
	size_t mtu = net->info.mtu ? net->info.mtu : 1500;

	if (mtu > 1500 + 9000)
		mtu = 1500 + 9000;
	if (mtu < TCP_MIN_MSS + 40)
		mtu = TCP_MIN_MSS + 40;
	/* A segment must fit one buffer with its headers in front. */
	if (mtu > NETBUF_SIZE - NETBUF_HEADROOM)
		mtu = NETBUF_SIZE - NETBUF_HEADROOM;
	c->rcv_mss = (uint16_t)(mtu - 40);
	c->peer_mss = TCP_DEFAULT_MSS;
	c->mss = TCP_DEFAULT_MSS;
	if (!c->sndbuf)
		c->sndbuf = TCP_DEFAULT_SNDBUF;
	if (!c->rcvbuf)
		c->rcvbuf = TCP_DEFAULT_RCVBUF;
	/* Scaled for the largest buffer, not the current one: the scale is
	 * fixed by the handshake, and an application may grow the buffer
	 * afterwards (KEEL_FLOW_RCVBUF) for a bulk transfer. */
	c->rcv_wscale = tcp_wscale_for(TCP_MAX_BUF);
	c->ts_offset = (uint32_t)net_random(net);
	c->rto = TCP_INIT_RTO;
	c->last_rcv = keel_now();
}

void tcp_conn_negotiate(struct tcp_conn *c, const struct tcp_opts *o)
{
	uint16_t mss = o->has_mss ? o->mss : TCP_DEFAULT_MSS;

	if (mss < TCP_MIN_MSS)
		mss = TCP_MIN_MSS;
	c->peer_mss = mss;
	/* Our own SYN always offers window scale, SACK and timestamps; each
	 * is on when the peer's SYN offered it too. */
	c->ws_ok = o->has_wscale;
	if (c->ws_ok) {
		c->snd_wscale = o->wscale;
	} else {
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	c->sack_ok = o->sack_ok;
	c->ts_ok = o->has_ts;
	if (c->ts_ok) {
		c->ts_recent = o->ts_val;
		c->ts_recent_at = keel_now();
	}
	c->mss = (uint16_t)((mss < c->rcv_mss ? mss : c->rcv_mss) - (c->ts_ok ? 12 : 0));
}

uint32_t tcp_ts_now(const struct tcp_conn *c)
{
	return tcp_ts_at(c, keel_now());
}

uint32_t tcp_ts_at(const struct tcp_conn *c, keel_time t)
{
	return (uint32_t)(t / KEEL_MSEC) + c->ts_offset;
}

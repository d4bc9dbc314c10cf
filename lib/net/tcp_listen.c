/*
 * A listener's side of the handshake: a SYN becomes a SYN_RECEIVED
 * connection while the stack's SYN backlog has room, and a SYN cookie
 * (tcp_cookie.c) when it is full, so a flood of SYNs holds no memory;
 * the final ACK moves the connection to the accept queue.
 *
 * Bounds: the SYN backlog (max_syn_backlog, per stack), the accept queue
 * (the listener's backlog; a SYN that finds it full is dropped, and the
 * peer retries), and the connection bound (max_tcp_conns): past it a SYN
 * gets a RST and counts as tcp_conns_refused, while connections already
 * there carry on.
 */
#include <stdlib.h>

#include "tcp_impl.h"

struct keel_listener *tcp_listener_lookup(struct tcp_state *ts, uint32_t addr_be, uint16_t port_be)
{
	struct keel_listener *any = NULL;

	for (struct keel_listener *l = ts->listeners; l; l = l->next) {
		if (l->port_be != port_be)
			continue;
		if (l->addr_be == addr_be)
			return l;
		if (l->addr_be == 0)
			any = l;
	}
	return any;
}

void tcp_listener_put(struct keel_listener *l)
{
	if (--l->refs == 0)
		free(l);
}

void tcp_listen_unlink(struct tcp_conn *c)
{
	struct keel_listener *l = c->listener;

	if (!l)
		return;
	tcp_list_del(&c->qlink);
	if (c->flags & CONN_ACCEPTED) {
		l->accept_len--;
		c->flags &= ~CONN_ACCEPTED;
	}
	c->listener = NULL;
}

void tcp_listen_established(struct tcp_conn *c)
{
	struct keel_listener *l = c->listener;

	if (!l || l->closed || l->accept_len >= l->backlog) {
		tcp_conn_abort(c, KEEL_ECONNRESET);
		return;
	}
	tcp_list_del(&c->qlink);
	tcp_list_add_tail(&l->accept_q, &c->qlink);
	c->flags |= CONN_ACCEPTED;
	l->accept_len++;
	keel_wake_one(&l->accept_wait);
}

static void refuse(struct keel_net *net, const struct tcp_seg *seg)
{
	net->stats.tcp_conns_refused++;
	tcp_send_rst_reply(net, seg);
}

/* A connection for the 4-tuple of seg, in the table. NULL: refused. */
static struct tcp_conn *new_passive(struct keel_listener *l, const struct tcp_seg *seg)
{
	int err;
	struct tcp_conn *c = tcp_conn_alloc(l->net, &err);

	if (!c)
		return NULL;
	c->local_ip_be = seg->dst_be;
	c->local_port_be = seg->dport_be;
	c->remote_ip_be = seg->src_be;
	c->remote_port_be = seg->sport_be;
	c->flags |= CONN_PASSIVE;
	tcp_conn_init_params(c);
	tcp_conn_hash(c);
	return c;
}

/* The final ACK of a handshake we answered with a cookie. */
static void cookie_ack(struct keel_listener *l, struct netbuf *nb, struct tcp_seg *seg)
{
	struct keel_net *net = l->net;
	struct tcp_state *ts = tcp_of(net);
	struct tcp_opts syn = { 0 };
	uint16_t mss;
	uint8_t wscale;
	bool sack;
	struct tcp_conn *c;

	if (keel_now() >= ts->cookies_until || !tcp_cookie_check(ts, seg, &mss, &wscale, &sack)) {
		tcp_send_rst_reply(net, seg);
		netbuf_free(net, nb);
		return;
	}
	if (l->accept_len >= l->backlog) {
		netbuf_free(net, nb); /* the peer will retry its data */
		return;
	}
	c = new_passive(l, seg);
	if (!c) {
		refuse(net, seg);
		netbuf_free(net, nb);
		return;
	}
	syn.has_mss = true;
	syn.mss = mss;
	syn.has_wscale = wscale != 0xff;
	syn.wscale = wscale != 0xff ? wscale : 0;
	syn.sack_ok = sack;
	syn.has_ts = seg->opt.has_ts;
	syn.ts_val = seg->opt.ts_val;
	c->ts_offset = 0; /* the cookie SYN-ACK used the bare clock */
	tcp_conn_negotiate(c, &syn);
	c->irs = seg->seq - 1;
	c->rcv_nxt = seg->seq;
	c->rcv_adv = c->rcv_nxt + 65535;
	c->last_ack_sent = c->rcv_nxt;
	c->iss = seg->ack - 1;
	c->snd_una = c->snd_nxt = c->snd_max = c->write_seq = seg->ack;
	c->snd_wl1 = seg->seq - 1;
	c->recover = c->iss;
	tcp_conn_set_state(c, TCP_SYN_RECEIVED);
	c->listener = l;
	tcp_list_add_tail(&l->syn_q, &c->qlink);
	/* The ACK completes the handshake as it would in SYN_RECEIVED. */
	c->snd_una = c->iss;
	tcp_conn_get(c);
	tcp_conn_input(c, nb, seg);
	tcp_conn_put(c);
}

void tcp_listen_input(struct keel_listener *l, struct netbuf *nb, struct tcp_seg *seg,
                      const uint32_t *isn_floor)
{
	struct keel_net *net = l->net;
	struct tcp_state *ts = tcp_of(net);
	struct tcp_conn *c;
	uint32_t isn;

	if (seg->flags & TCP_RST) {
		netbuf_free(net, nb);
		return;
	}
	if (seg->flags & TCP_ACK) {
		if (!(seg->flags & TCP_SYN)) {
			cookie_ack(l, nb, seg);
			return;
		}
		tcp_send_rst_reply(net, seg);
		netbuf_free(net, nb);
		return;
	}
	if (!(seg->flags & TCP_SYN) || (seg->flags & TCP_FIN)) {
		netbuf_free(net, nb);
		return;
	}
	if (l->accept_len >= l->backlog) {
		net->stats.drop_other++;
		netbuf_free(net, nb);
		return;
	}
	if (ts->nconns >= ts->max_conns && !tcp_conn_recycle_time_wait(ts)) {
		refuse(net, seg);
		netbuf_free(net, nb);
		return;
	}
	if (ts->nsynrecv >= ts->max_syn_backlog) {
		uint16_t mss = seg->opt.has_mss ? seg->opt.mss : TCP_DEFAULT_MSS;
		uint16_t our_mss, enc_mss;
		size_t mtu = net->info.mtu ? net->info.mtu : 1500;

		if (mtu > NETBUF_SIZE - NETBUF_HEADROOM)
			mtu = NETBUF_SIZE - NETBUF_HEADROOM;
		our_mss = (uint16_t)(mtu - 40);
		if (mss > our_mss)
			mss = our_mss;
		isn = tcp_cookie_make(ts, seg, mss, seg->opt.has_wscale ? seg->opt.wscale : 0xff,
		                      seg->opt.sack_ok, &enc_mss);
		(void)enc_mss;
		tcp_send_cookie_synack(net, seg, isn, our_mss, &seg->opt, tcp_cookie_wscale());
		ts->cookies_until = keel_now() + 2 * TCP_COOKIE_PERIOD;
		net->stats.tcp_syn_cookies++;
		netbuf_free(net, nb);
		return;
	}
	c = new_passive(l, seg);
	if (!c) {
		refuse(net, seg);
		netbuf_free(net, nb);
		return;
	}
	tcp_conn_negotiate(c, &seg->opt);
	c->irs = seg->seq;
	c->rcv_nxt = seg->seq + 1;
	isn = tcp_isn(ts, c->local_ip_be, c->local_port_be, c->remote_ip_be, c->remote_port_be);
	if (isn_floor && seq_lt(isn, *isn_floor))
		isn = *isn_floor;
	c->iss = isn;
	c->snd_una = c->snd_nxt = c->snd_max = isn;
	c->write_seq = isn + 1;
	c->recover = isn;
	c->snd_wnd = seg->wnd; /* a SYN's window is never scaled */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = isn;
	tcp_conn_set_state(c, TCP_SYN_RECEIVED);
	c->listener = l;
	tcp_list_add_tail(&l->syn_q, &c->qlink);
	c->rtt_start = keel_now(); /* the SYN-ACK's first send */
	tcp_send_syn(c);
	netbuf_free(net, nb);
}

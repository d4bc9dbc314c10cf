/*
 * The TCP calls of keel/net.h for the direct stack: listen, accept,
 * connect, listener close and endpoints. Blocking calls park only the
 * calling fiber on a wait queue that segment processing and timers wake.
 */
#include <stdlib.h>

#include "tcp_impl.h"

static uint32_t addr_be(const struct keel_addr *a)
{
	uint32_t v;

	__builtin_memcpy(&v, a->bytes, 4);
	return v;
}

static void sockaddr_of(struct keel_sockaddr *sa, uint32_t ip_be, uint16_t port_be)
{
	memset(sa, 0, sizeof(*sa));
	sa->addr.family = KEEL_AF_INET4;
	__builtin_memcpy(sa->addr.bytes, &ip_be, 4);
	sa->port = net_ntohs(port_be);
}

int keel_tcp_listen(struct keel_net *net, const struct keel_sockaddr *local, unsigned backlog,
                    struct keel_listener **out)
{
	struct tcp_state *ts = tcp_of(net);
	struct keel_listener *l;
	uint32_t ip = 0;
	uint16_t port_be;

	if (!ts || !local || !out || local->port == 0)
		return KEEL_EINVAL;
	if (local->addr.family == KEEL_AF_INET4)
		ip = addr_be(&local->addr);
	else if (local->addr.family != KEEL_AF_UNSPEC)
		return KEEL_EINVAL;
	if (ip != 0 && net->ip_be != 0 && ip != net->ip_be)
		return KEEL_EINVAL;
	port_be = net_htons(local->port);
	for (l = ts->listeners; l; l = l->next)
		if (l->port_be == port_be && (l->addr_be == ip || l->addr_be == 0 || ip == 0))
			return KEEL_EADDRINUSE;
	l = calloc(1, sizeof(*l));
	if (!l)
		return KEEL_ENOMEM;
	l->net = net;
	l->addr_be = ip;
	l->port_be = port_be;
	l->refs = 1;
	l->backlog = backlog ? backlog : TCP_DEFAULT_ACCEPT_BACKLOG;
	if (l->backlog > ts->max_conns)
		l->backlog = ts->max_conns;
	tcp_list_init(&l->syn_q);
	tcp_list_init(&l->accept_q);
	keel_waitq_init(&l->accept_wait);
	l->next = ts->listeners;
	ts->listeners = l;
	*out = l;
	return KEEL_OK;
}

int keel_tcp_accept(struct keel_listener *l, struct keel_flow **out, struct keel_sockaddr *peer,
                    keel_time deadline)
{
	struct tcp_conn *c;
	int rc = KEEL_OK;

	if (!l || !out)
		return KEEL_EINVAL;
	l->refs++;
	while (!l->closed && tcp_list_empty(&l->accept_q)) {
		if (keel_wait(&l->accept_wait, deadline) == KEEL_ETIMEDOUT &&
		    tcp_list_empty(&l->accept_q)) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
	}
	if (l->closed)
		rc = KEEL_ECLOSED;
	if (rc == KEEL_OK) {
		c = tcp_list_entry(l->accept_q.next, struct tcp_conn, qlink);
		tcp_listen_unlink(c);
		c->flags |= CONN_APP_OWNED;
		tcp_conn_get(c); /* the application's reference */
		if (peer)
			sockaddr_of(peer, c->remote_ip_be, c->remote_port_be);
		*out = &c->flow;
	}
	tcp_listener_put(l);
	return rc;
}

void keel_tcp_listener_close(struct keel_listener *l)
{
	struct tcp_state *ts;
	struct keel_listener **pp;

	if (!l || l->closed)
		return;
	ts = tcp_of(l->net);
	l->closed = true;
	for (pp = &ts->listeners; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	while (!tcp_list_empty(&l->syn_q))
		tcp_conn_abort(tcp_list_entry(l->syn_q.next, struct tcp_conn, qlink),
		               KEEL_ECONNRESET);
	while (!tcp_list_empty(&l->accept_q))
		tcp_conn_abort(tcp_list_entry(l->accept_q.next, struct tcp_conn, qlink),
		               KEEL_ECONNRESET);
	keel_wake_all(&l->accept_wait);
	tcp_listener_put(l);
}

/* An ephemeral port (RFC 6056 style: random start, then sequential) that
 * makes the 4-tuple unique. 0 when every port is taken. */
static uint16_t pick_port(struct tcp_state *ts, uint32_t lip, uint32_t rip, uint16_t rport_be)
{
	for (unsigned i = 0; i < 16384; i++) {
		uint16_t port = (uint16_t)(49152 + (ts->next_port - 49152 + i) % 16384);
		uint16_t port_be = net_htons(port);

		if (tcp_conn_lookup(ts, lip, port_be, rip, rport_be))
			continue;
		if (tcp_listener_lookup(ts, lip, port_be))
			continue;
		ts->next_port = (uint16_t)(port + 1 < 65536 ? port + 1 : 49152);
		return port_be;
	}
	return 0;
}

int keel_tcp_connect(struct keel_net *net, const struct keel_sockaddr *remote, keel_time deadline,
                     struct keel_flow **out)
{
	struct tcp_state *ts = tcp_of(net);
	struct tcp_conn *c;
	int err, rc;

	if (!ts || !remote || !out || remote->addr.family != KEEL_AF_INET4 || remote->port == 0)
		return KEEL_EINVAL;
	if (!net->configured || net->ip_be == 0)
		return KEEL_EHOSTUNREACH;
	c = tcp_conn_alloc(net, &err);
	if (!c)
		return err;
	c->local_ip_be = net->ip_be;
	c->remote_ip_be = addr_be(&remote->addr);
	c->remote_port_be = net_htons(remote->port);
	c->local_port_be = pick_port(ts, c->local_ip_be, c->remote_ip_be, c->remote_port_be);
	if (c->local_port_be == 0) {
		tcp_conn_drop(c, KEEL_EADDRINUSE);
		return KEEL_EADDRINUSE;
	}
	tcp_conn_init_params(c);
	c->iss = tcp_isn(ts, c->local_ip_be, c->local_port_be, c->remote_ip_be, c->remote_port_be);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->write_seq = c->iss + 1;
	c->recover = c->iss;
	tcp_conn_hash(c);
	tcp_conn_set_state(c, TCP_SYN_SENT);
	c->flags |= CONN_APP_OWNED;
	tcp_conn_get(c); /* the application's reference */
	c->rtt_start = keel_now();
	rc = tcp_send_syn(c);
	if (rc == KEEL_EHOSTUNREACH) {
		tcp_conn_drop(c, rc);
	} else {
		while (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED) {
			if (keel_wait(&c->conn_wait, deadline) == KEEL_ETIMEDOUT &&
			    (c->state == TCP_SYN_SENT || c->state == TCP_SYN_RECEIVED)) {
				tcp_conn_drop(c, KEEL_ETIMEDOUT);
				break;
			}
		}
	}
	if (c->state == TCP_CLOSED || c->error) {
		rc = c->error ? c->error : KEEL_ECONNRESET;
		c->flags &= ~CONN_APP_OWNED;
		c->flags |= CONN_APP_CLOSED;
		tcp_conn_drop(c, rc);
		tcp_conn_put(c);
		return rc;
	}
	*out = &c->flow;
	return KEEL_OK;
}

int keel_tcp_endpoints(struct keel_flow *f, struct keel_sockaddr *local,
                       struct keel_sockaddr *remote)
{
	struct tcp_conn *c = (struct tcp_conn *)(void *)f;

	if (!f || f->ops != &tcp_flow_ops)
		return KEEL_EINVAL;
	if (local)
		sockaddr_of(local, c->local_ip_be, c->local_port_be);
	if (remote)
		sockaddr_of(remote, c->remote_ip_be, c->remote_port_be);
	return KEEL_OK;
}

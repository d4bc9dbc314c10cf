/*
 * A connection as a keel_flow: read, writev, shutdown, close, options
 * and a description.
 *
 * read() copies out of the buffers that arrived (the one receive copy);
 * writev() copies into send buffers of one MSS each, with headroom for
 * the headers (the one send copy), appending to the last buffer while it
 * has room and was never sent, so small writes coalesce (Nagle does the
 * rest). write_static() does the same for its head pieces; its static
 * bytes first fill the last buffer's room (so a response's head and the
 * start of its body still leave as one segment), then go by reference:
 * each further buffer of up to one MSS points into them (txcb.ext) and
 * carries only headroom. A writer blocks while the send buffer is full,
 * while the connection is at its share of the packet pool, or while it
 * has queued enough past the peer's window (tcp_share.c); a reader while
 * nothing is queued. Each call holds a reference to the connection while it runs,
 * so a close or reset meanwhile cannot free it under the caller.
 */
#include <stdio.h>

#include "tcp_impl.h"

static struct tcp_conn *conn_of(struct keel_flow *f)
{
	return (struct tcp_conn *)(void *)f;
}

void tcp_wake_all(struct tcp_conn *c)
{
	keel_wake_all(&c->rd_wait);
	keel_wake_all(&c->wr_wait);
	keel_wake_all(&c->conn_wait);
}

/* ---- read ----------------------------------------------------------------------------- */

static long tcp_flow_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct tcp_conn *c = conn_of(f);
	long rc;

	tcp_conn_get(c);
	for (;;) {
		if (c->flags & (CONN_APP_CLOSED | CONN_RD_SHUT)) {
			rc = KEEL_ECLOSED;
			break;
		}
		if (c->rcvq_bytes > 0 && len > 0) {
			rc = (long)tcp_recv_copy(c, buf, len);
			if ((c->flags & CONN_LIVE) && tcp_rcv_window_update_due(c)) {
				/* Urgent when the peer is (nearly) stalled; else
				 * it rides on the next segment, or the delayed ACK. */
				if (seq_gt(c->rcv_nxt + c->rcvbuf / 4, c->rcv_adv)) {
					c->flags |= CONN_ACK_NOW;
					tcp_output(c);
				} else {
					tcp_timer_delack(c);
				}
			}
			break;
		}
		if (c->error) {
			rc = c->error;
			break;
		}
		if ((c->flags & CONN_FIN_RCVD) || c->state == TCP_CLOSED || len == 0) {
			rc = 0;
			break;
		}
		if (keel_wait(&c->rd_wait, deadline) == KEEL_ETIMEDOUT && c->rcvq_bytes == 0 &&
		    !c->error && !(c->flags & CONN_FIN_RCVD)) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
	}
	tcp_conn_put(c);
	return rc;
}

/* ---- writev ---------------------------------------------------------------------------- */

/* A fresh send buffer, unless c is at its share of the pool. */
static struct netbuf *alloc_tx(struct tcp_conn *c)
{
	struct netbuf *nb;

	if (!tcp_share_may_send(c))
		return NULL;
	nb = netbuf_alloc(c->net);
	if (nb)
		c->sndq_segs++;
	return nb;
}

/* Why writing must stop now (0: it may go on). */
static int write_error(const struct tcp_conn *c)
{
	if (c->flags & (CONN_APP_CLOSED | CONN_WR_SHUT))
		return KEEL_ECLOSED;
	if (c->error)
		return c->error;
	if (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT)
		return KEEL_ENOTCONN;
	return 0;
}

/* Room in the last buffer for more bytes: it was never sent and is
 * ours alone. */
static size_t tail_room(const struct tcp_conn *c)
{
	struct netbuf *t = c->sndq_tail;
	size_t room;

	if (!t || seq_lt(txcb(t)->seq, c->snd_max) || t->refs != 1 || txcb(t)->ext ||
	    txcb(t)->len >= c->mss)
		return 0;
	room = c->mss - txcb(t)->len;
	if (room > netbuf_tailroom(t))
		room = netbuf_tailroom(t);
	return room;
}

/*
 * Queues the pieces iov[0..iovcnt) in order: those before `ref_from` are
 * copied, the others, which stay valid and unchanged for the stack's
 * life, are referenced once the last buffer is full.
 */
static long write_pieces(struct tcp_conn *c, const struct keel_iovec *iov, size_t iovcnt,
                         size_t ref_from, keel_time deadline)
{
	struct tcp_state *ts = tcp_of(c->net);
	size_t total = 0;
	int err = 0;

	tcp_conn_get(c);
	for (size_t i = 0; i < iovcnt && !err; i++) {
		const uint8_t *p = iov[i].base;
		size_t left = iov[i].len;

		while (left > 0) {
			size_t space, room, n, need;
			struct netbuf *t;
			bool by_ref;

			err = write_error(c);
			if (err)
				break;
			space = c->sndbuf > c->sndq_bytes ? c->sndbuf - c->sndq_bytes : 0;
			room = tail_room(c);
			/* A referenced buffer is never appended to, so it is
			 * made whole (one MSS, or the rest) or not at all. */
			by_ref = i >= ref_from && room == 0;
			need = by_ref ? (left < c->mss ? left : c->mss) : 1;
			if (space < need) {
				tcp_output(c);
				if (keel_wait(&c->wr_wait, deadline) == KEEL_ETIMEDOUT) {
					err = KEEL_ETIMEDOUT;
					break;
				}
				continue;
			}
			if (room == 0 && tcp_share_window_full(c)) {
				/* The peer does not read: wait for its window. */
				tcp_output(c);
				if (keel_wait(&c->wr_wait, deadline) == KEEL_ETIMEDOUT) {
					err = KEEL_ETIMEDOUT;
					break;
				}
				continue;
			}
			if (room == 0) {
				struct netbuf *nb = alloc_tx(c);

				if (!nb) {
					keel_time now = keel_now();
					keel_time until = now + 10 * KEEL_MSEC;

					if (now >= deadline) {
						err = KEEL_ETIMEDOUT;
						break;
					}
					tcp_output(c);
					/* Woken when TCP frees buffers; other layers free
					 * them too, so look again soon regardless. */
					keel_wait(&ts->buf_wait,
					          until < deadline ? until : deadline);
					continue;
				}
				*txcb(nb) = (struct tcp_txcb){
					.seq = c->write_seq,
					.off = (uint16_t)(nb->data - nb->buf),
				};
				nb->next = NULL;
				if (c->sndq_tail)
					c->sndq_tail->next = nb;
				else
					c->sndq_head = nb;
				c->sndq_tail = nb;
				if (!c->send_next)
					c->send_next = nb;
				if (by_ref) {
					txcb(nb)->ext = p;
					txcb(nb)->len = (uint16_t)need;
					c->write_seq += (uint32_t)need;
					c->sndq_bytes += (uint32_t)need;
					p += need;
					left -= need;
					total += need;
					continue;
				}
				room = tail_room(c);
			}
			t = c->sndq_tail;
			n = left < room ? left : room;
			if (n > space)
				n = space;
			memcpy(t->data + t->len, p, n);
			t->len = (uint16_t)(t->len + n);
			txcb(t)->len = (uint16_t)(txcb(t)->len + n);
			c->write_seq += (uint32_t)n;
			c->sndq_bytes += (uint32_t)n;
			p += n;
			left -= n;
			total += n;
		}
	}
	if (c->flags & CONN_LIVE)
		tcp_output(c);
	tcp_conn_put(c);
	if (total > 0)
		return (long)total;
	return err;
}

static long tcp_flow_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                            keel_time deadline)
{
	return write_pieces(conn_of(f), iov, iovcnt, iovcnt, deadline);
}

static long tcp_flow_write_static(struct keel_flow *f, const struct keel_iovec *head, size_t nhead,
                                  const void *data, size_t len, keel_time deadline)
{
	struct keel_iovec iov[KEEL_FLOW_STATIC_HEAD_MAX + 1];

	if (nhead > KEEL_FLOW_STATIC_HEAD_MAX)
		return KEEL_EINVAL;
	for (size_t i = 0; i < nhead; i++)
		iov[i] = head[i];
	iov[nhead] = (struct keel_iovec){ data, len };
	return write_pieces(conn_of(f), iov, nhead + 1, nhead, deadline);
}

/* ---- shutdown and close --------------------------------------------------------------- */

static void shut_write(struct tcp_conn *c)
{
	if (c->flags & CONN_WR_SHUT)
		return;
	c->flags |= CONN_WR_SHUT;
	switch (c->state) {
	case TCP_ESTABLISHED:
		tcp_conn_set_state(c, TCP_FIN_WAIT_1);
		break;
	case TCP_CLOSE_WAIT:
		tcp_conn_set_state(c, TCP_LAST_ACK);
		break;
	default:
		/* SYN_RECEIVED: the FIN follows once established. */
		break;
	}
	tcp_output(c);
	keel_wake_all(&c->wr_wait);
}

static void shut_read(struct tcp_conn *c)
{
	struct netbuf *nb = c->rcvq_head;

	c->flags |= CONN_RD_SHUT;
	while (nb) {
		struct netbuf *next = nb->next;

		netbuf_free(c->net, nb);
		nb = next;
	}
	c->rcvq_head = c->rcvq_tail = NULL;
	c->rcvq_bytes = c->rcvq_segs = 0;
	keel_wake_all(&c->rd_wait);
}

static int tcp_flow_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	struct tcp_conn *c = conn_of(f);

	if (!(c->flags & CONN_LIVE) || c->state == TCP_SYN_SENT)
		return KEEL_ENOTCONN;
	if (how & KEEL_SHUT_RD)
		shut_read(c);
	if (how & KEEL_SHUT_WR)
		shut_write(c);
	return KEEL_OK;
}

static void tcp_flow_close(struct keel_flow *f)
{
	struct tcp_conn *c = conn_of(f);

	if (!(c->flags & CONN_APP_OWNED))
		KEEL_PANIC("tcp: keel_close of a flow that is already closed");
	c->flags &= ~CONN_APP_OWNED;
	c->flags |= CONN_APP_CLOSED;
	tcp_wake_all(c);
	if (c->flags & CONN_LIVE) {
		if (c->rcvq_bytes > 0 || c->state == TCP_SYN_SENT) {
			/* Unread data: RFC 9293 3.10.4 says reset. */
			tcp_conn_abort(c, KEEL_ECLOSED);
		} else {
			shut_write(c);
			if ((c->flags & CONN_LIVE) && c->state == TCP_FIN_WAIT_2) {
				c->close_at = keel_now() + TCP_FIN_WAIT_2_TIME;
				tcp_timer_update(c);
			}
		}
	}
	tcp_conn_put(c);
}

/* ---- options and description ------------------------------------------------------------ */

static int tcp_flow_set(struct keel_flow *f, enum keel_flow_opt opt, int value)
{
	struct tcp_conn *c = conn_of(f);

	switch (opt) {
	case KEEL_FLOW_NODELAY:
		c->nodelay = value != 0;
		if (c->nodelay && (c->flags & CONN_LIVE))
			tcp_output(c);
		return KEEL_OK;
	case KEEL_FLOW_KEEPALIVE:
		if (value < 0)
			return KEEL_EINVAL;
		c->keepalive_s = (uint32_t)value;
		if (c->flags & CONN_LIVE)
			tcp_timer_keepalive_reset(c);
		return KEEL_OK;
	case KEEL_FLOW_SNDBUF:
		if (value < TCP_MIN_BUF || value > TCP_MAX_BUF)
			return KEEL_EINVAL;
		c->sndbuf = (uint32_t)value;
		c->flags |= CONN_SNDBUF_SET;
		keel_wake_all(&c->wr_wait);
		return KEEL_OK;
	case KEEL_FLOW_RCVBUF:
		if (value < TCP_MIN_BUF || value > TCP_MAX_BUF)
			return KEEL_EINVAL;
		/* The window scale fixed by the handshake expresses windows
		 * up to TCP_MAX_BUF (tcp_conn_init_params). */
		c->rcvbuf = (uint32_t)value;
		c->flags |= CONN_RCVBUF_SET;
		return KEEL_OK;
	}
	return KEEL_ENOTSUP;
}

static int tcp_flow_get(struct keel_flow *f, enum keel_flow_opt opt, int *value)
{
	struct tcp_conn *c = conn_of(f);

	switch (opt) {
	case KEEL_FLOW_NODELAY:
		*value = c->nodelay;
		return KEEL_OK;
	case KEEL_FLOW_KEEPALIVE:
		*value = (int)c->keepalive_s;
		return KEEL_OK;
	case KEEL_FLOW_SNDBUF:
		*value = (int)c->sndbuf;
		return KEEL_OK;
	case KEEL_FLOW_RCVBUF:
		*value = (int)c->rcvbuf;
		return KEEL_OK;
	}
	return KEEL_ENOTSUP;
}

static void tcp_flow_describe(struct keel_flow *f, char *buf, size_t len)
{
	struct tcp_conn *c = conn_of(f);
	const uint8_t *l = (const uint8_t *)&c->local_ip_be;
	const uint8_t *r = (const uint8_t *)&c->remote_ip_be;

	if (len == 0)
		return;
	snprintf(buf, len, "%u.%u.%u.%u:%u %s %u.%u.%u.%u:%u", l[0], l[1], l[2], l[3],
	         net_ntohs(c->local_port_be), (c->flags & CONN_PASSIVE) ? "<-" : "->", r[0], r[1],
	         r[2], r[3], net_ntohs(c->remote_port_be));
}

const struct keel_flow_ops tcp_flow_ops = {
	.read = tcp_flow_read,
	.writev = tcp_flow_writev,
	.write_static = tcp_flow_write_static,
	.shutdown = tcp_flow_shutdown,
	.close = tcp_flow_close,
	.set = tcp_flow_set,
	.get = tcp_flow_get,
	.describe = tcp_flow_describe,
};

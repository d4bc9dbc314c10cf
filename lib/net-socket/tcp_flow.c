/*
 * tcp_flow.c — a TCP connection on a host socket as a flow (keel/flow.h):
 * read, writev, shutdown, close, options, description; and
 * keel_tcp_endpoints.
 *
 * Reads and writes try the kernel first and park the fiber only when it
 * says EAGAIN; the readiness callback wakes them (poller.c). Once the
 * deadline has passed a call tries once more, so data that is already
 * there is never reported as a timeout.
 *
 * Close is the kernel's: data already written is still delivered, and
 * unread received data makes it send RST (RFC 9293), as flow.h says.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "nsock_impl.h"

/* Buffers handed to one writev system call. */
#define IOV_BATCH 64
/* The largest idle time TCP_KEEPIDLE takes, in seconds. */
#define KEEPIDLE_MAX 32767

static struct nsock_conn *conn_of(struct keel_flow *f)
{
	return (struct nsock_conn *)(void *)f;
}

struct nsock_conn *nsock_conn_alloc(struct keel_net *net, bool passive)
{
	struct nsock_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->flow.ops = &nsock_tcp_ops;
	c->net = net;
	c->passive = passive;
	c->sock.fd = -1;
	return c;
}

static long conn_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct nsock_conn *c = conn_of(f);
	bool timed_out = false;
	long rc;

	nsock_enter(&c->sock);
	for (;;) {
		long got;

		if (c->sock.closed || c->rd_shut) {
			rc = KEEL_ECLOSED;
			break;
		}
		if (len == 0) {
			rc = 0;
			break;
		}
		got = kp_linux_sock_read(c->sock.fd, buf, len);
		if (got >= 0) {
			c->net->stats.bytes_in += (uint64_t)got;
			rc = got;
			break;
		}
		if (got != -LINUX_EAGAIN) {
			rc = nsock_error(got);
			break;
		}
		if (timed_out) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
		timed_out = !nsock_wait(&c->sock.readers, deadline);
	}
	nsock_leave(&c->sock);
	return rc;
}

/* Fills v[] with what is left of iov[] from buffer *at, offset *off;
 * returns how many entries it used (0: nothing left). */
static unsigned gather(const struct keel_iovec *iov, size_t iovcnt, size_t *at, size_t *off,
                       struct linux_iovec *v)
{
	unsigned n = 0;

	while (*at < iovcnt && *off == iov[*at].len) {
		(*at)++;
		*off = 0;
	}
	for (size_t k = *at; k < iovcnt && n < IOV_BATCH; k++) {
		size_t skip = k == *at ? *off : 0;

		if (iov[k].len == skip)
			continue;
		v[n].base = (void *)((uintptr_t)iov[k].base + skip);
		v[n].len = iov[k].len - skip;
		n++;
	}
	return n;
}

/* Moves (*at, *off) forward over `bytes` written bytes. */
static void advance(const struct keel_iovec *iov, size_t iovcnt, size_t *at, size_t *off,
                    size_t bytes)
{
	while (bytes > 0 && *at < iovcnt) {
		size_t left = iov[*at].len - *off;

		if (bytes < left) {
			*off += bytes;
			return;
		}
		bytes -= left;
		(*at)++;
		*off = 0;
	}
}

static long conn_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                        keel_time deadline)
{
	struct nsock_conn *c = conn_of(f);
	struct linux_iovec v[IOV_BATCH];
	size_t total = 0, done = 0, at = 0, off = 0;
	bool timed_out = false;
	long rc = 0;

	/* The count returned must fit in a long. */
	for (size_t k = 0; k < iovcnt; k++) {
		if (iov[k].len > (size_t)LONG_MAX - total)
			return KEEL_EINVAL;
		total += iov[k].len;
	}
	nsock_enter(&c->sock);
	while (done < total) {
		unsigned n;
		long got;

		if (c->sock.closed || c->wr_shut) {
			rc = KEEL_ECLOSED;
			break;
		}
		n = gather(iov, iovcnt, &at, &off, v);
		got = kp_linux_sock_writev(c->sock.fd, v, n);
		if (got > 0) {
			c->net->stats.bytes_out += (uint64_t)got;
			done += (size_t)got;
			advance(iov, iovcnt, &at, &off, (size_t)got);
			continue;
		}
		if (got != -LINUX_EAGAIN && got != 0) {
			rc = nsock_error(got);
			break;
		}
		if (timed_out) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
		timed_out = !nsock_wait(&c->sock.writers, deadline);
	}
	nsock_leave(&c->sock);
	return done > 0 ? (long)done : rc;
}

static int conn_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	struct nsock_conn *c = conn_of(f);
	int host_how;
	long err;

	switch (how) {
	case KEEL_SHUT_RD:
		host_how = LINUX_SHUT_RD;
		break;
	case KEEL_SHUT_WR:
		host_how = LINUX_SHUT_WR;
		break;
	case KEEL_SHUT_RDWR:
		host_how = LINUX_SHUT_RDWR;
		break;
	default:
		return KEEL_EINVAL;
	}
	if (c->sock.closed)
		return KEEL_ENOTCONN;
	err = kp_linux_sock_shutdown(c->sock.fd, host_how);
	if (err < 0)
		return err == -LINUX_ENOTCONN ? KEEL_ENOTCONN : nsock_error(err);
	/* A fiber parked in the direction just shut finds out at once. */
	if (how & KEEL_SHUT_RD) {
		c->rd_shut = true;
		keel_wake_all(&c->sock.readers);
	}
	if (how & KEEL_SHUT_WR) {
		c->wr_shut = true;
		keel_wake_all(&c->sock.writers);
	}
	return KEEL_OK;
}

static void conn_close(struct keel_flow *f)
{
	struct nsock_conn *c = conn_of(f);

	c->net->stats.tcp_conns_live--;
	nsock_close(&c->sock);
}

static int set_int(struct nsock_conn *c, int level, int name, int value)
{
	long err = kp_linux_sock_setopt(c->sock.fd, level, name, &value, sizeof(value));

	return err < 0 ? nsock_error(err) : KEEL_OK;
}

static int get_int(struct nsock_conn *c, int level, int name, int *value)
{
	unsigned len = sizeof(*value);
	long err = kp_linux_sock_getopt(c->sock.fd, level, name, value, &len);

	return err < 0 ? nsock_error(err) : KEEL_OK;
}

static int conn_set(struct keel_flow *f, enum keel_flow_opt opt, int value)
{
	struct nsock_conn *c = conn_of(f);
	int rc;

	if (c->sock.closed)
		return KEEL_ECLOSED;
	switch (opt) {
	case KEEL_FLOW_NODELAY:
		return set_int(c, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, value != 0);
	case KEEL_FLOW_KEEPALIVE:
		if (value < 0 || value > KEEPIDLE_MAX)
			return KEEL_EINVAL;
		if (value > 0) {
			rc = set_int(c, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, value);
			if (rc != KEEL_OK)
				return rc;
		}
		return set_int(c, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, value > 0);
	case KEEL_FLOW_SNDBUF:
	case KEEL_FLOW_RCVBUF:
		if (value <= 0)
			return KEEL_EINVAL;
		return set_int(c, LINUX_SOL_SOCKET,
		               opt == KEEL_FLOW_SNDBUF ? LINUX_SO_SNDBUF : LINUX_SO_RCVBUF, value);
	}
	return KEEL_ENOTSUP;
}

static int conn_get(struct keel_flow *f, enum keel_flow_opt opt, int *value)
{
	struct nsock_conn *c = conn_of(f);
	int on, rc;

	if (c->sock.closed)
		return KEEL_ECLOSED;
	switch (opt) {
	case KEEL_FLOW_NODELAY:
		return get_int(c, LINUX_IPPROTO_TCP, LINUX_TCP_NODELAY, value);
	case KEEL_FLOW_KEEPALIVE:
		rc = get_int(c, LINUX_SOL_SOCKET, LINUX_SO_KEEPALIVE, &on);
		if (rc != KEEL_OK)
			return rc;
		if (!on) {
			*value = 0;
			return KEEL_OK;
		}
		return get_int(c, LINUX_IPPROTO_TCP, LINUX_TCP_KEEPIDLE, value);
	case KEEL_FLOW_SNDBUF:
		return get_int(c, LINUX_SOL_SOCKET, LINUX_SO_SNDBUF, value);
	case KEEL_FLOW_RCVBUF:
		return get_int(c, LINUX_SOL_SOCKET, LINUX_SO_RCVBUF, value);
	}
	return KEEL_ENOTSUP;
}

/* The local end, asked of the kernel (it chose the address and, for a
 * connection we opened, the port). */
static int local_end(struct nsock_conn *c, struct keel_sockaddr *local)
{
	struct linux_sockaddr_in sa;
	long err;

	if (c->sock.closed)
		return KEEL_ECLOSED;
	err = kp_linux_sock_name(c->sock.fd, &sa);
	if (err < 0)
		return nsock_error(err);
	nsock_from_host(&sa, local);
	return KEEL_OK;
}

static void conn_describe(struct keel_flow *f, char *buf, size_t len)
{
	struct nsock_conn *c = conn_of(f);
	char local[KEEL_ADDR_STRLEN], remote[KEEL_ADDR_STRLEN];
	struct keel_sockaddr sa;

	if (len == 0)
		return;
	if (local_end(c, &sa) == KEEL_OK)
		keel_sockaddr_format(&sa, local, sizeof(local));
	else
		snprintf(local, sizeof(local), "?");
	keel_sockaddr_format(&c->remote, remote, sizeof(remote));
	snprintf(buf, len, "%s %s %s", local, c->passive ? "<-" : "->", remote);
}

const struct keel_flow_ops nsock_tcp_ops = {
	.read = conn_read,
	.writev = conn_writev,
	.shutdown = conn_shutdown,
	.close = conn_close,
	.set = conn_set,
	.get = conn_get,
	.describe = conn_describe,
};

int keel_tcp_endpoints(struct keel_flow *f, struct keel_sockaddr *local,
                       struct keel_sockaddr *remote)
{
	struct nsock_conn *c;
	int rc;

	if (!f || f->ops != &nsock_tcp_ops)
		return KEEL_EINVAL;
	c = conn_of(f);
	if (local) {
		rc = local_end(c, local);
		if (rc != KEEL_OK)
			return rc;
	}
	if (remote)
		*remote = c->remote;
	return KEEL_OK;
}

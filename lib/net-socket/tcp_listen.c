/*
 * tcp_listen.c — listening sockets: keel_tcp_listen, keel_tcp_accept,
 * keel_tcp_listener_close.
 *
 * The host's kernel does the handshakes and keeps the queue of established
 * connections (its length is the listen backlog). keel_tcp_accept takes
 * them one by one; past the stack's bound on connections, each one it
 * takes is reset at once (SO_LINGER 0), which is the clean refusal the
 * peer gets, and the accepter waits for the next.
 */
#include <stdlib.h>

#include "nsock_impl.h"

/* When the host has no descriptor left for a pending connection, the
 * accepter looks again after this long (the queue keeps it meanwhile). */
#define NO_FD_RETRY (50 * KEEL_MSEC)

struct keel_listener {
	struct nsock sock;
	struct keel_net *net;
};

static void log_bind_error(const struct keel_sockaddr *local, long err)
{
	char text[KEEL_ADDR_STRLEN];

	keel_sockaddr_format(local, text, sizeof(text));
	if (err == -LINUX_EACCES)
		KEEL_WARN("net-socket: cannot listen on %s: %s (ports below 1024 need "
		          "CAP_NET_BIND_SERVICE)",
		          text, nsock_strerror(err));
	else if (err != -LINUX_EADDRINUSE)
		KEEL_WARN("net-socket: cannot listen on %s: %s", text, nsock_strerror(err));
}

int keel_tcp_listen(struct keel_net *net, const struct keel_sockaddr *local, unsigned backlog,
                    struct keel_listener **out)
{
	struct linux_sockaddr_in sa;
	struct keel_listener *l;
	int one = 1, rc;
	long err;

	if (!net || !out || !local || local->port == 0 || nsock_to_host(local, &sa) != KEEL_OK)
		return KEEL_EINVAL;
	if (backlog == 0)
		backlog = NSOCK_DEFAULT_BACKLOG;
	if (backlog > NSOCK_MAX_BACKLOG)
		backlog = NSOCK_MAX_BACKLOG;
	l = calloc(1, sizeof(*l));
	if (!l)
		return KEEL_ENOMEM;
	rc = nsock_open(&l->sock, LINUX_SOCK_STREAM, l);
	if (rc != KEEL_OK) {
		free(l);
		return rc;
	}
	l->net = net;
	/* A restarted image may take its port back from connections of the
	 * previous run still in TIME-WAIT. */
	err = kp_linux_sock_setopt(l->sock.fd, LINUX_SOL_SOCKET, LINUX_SO_REUSEADDR, &one,
	                           sizeof(one));
	if (err >= 0)
		err = kp_linux_sock_bind(l->sock.fd, &sa);
	if (err >= 0)
		err = kp_linux_sock_listen(l->sock.fd, (int)backlog);
	if (err < 0) {
		log_bind_error(local, err);
		nsock_close(&l->sock);
		return nsock_error(err);
	}
	net->listeners++;
	*out = l;
	return KEEL_OK;
}

/* Resets a connection the stack will not take (SO_LINGER with 0 s). */
static void refuse(struct keel_net *net, int fd)
{
	struct linux_linger now = { 1, 0 };

	kp_linux_sock_setopt(fd, LINUX_SOL_SOCKET, LINUX_SO_LINGER, &now, sizeof(now));
	kp_linux_sock_close(fd);
	net->stats.tcp_conns_refused++;
	net->stats.tcp_resets_out++;
}

enum take {
	TAKEN,     /* *fd is a new connection */
	TAKE_NEXT, /* one was dropped (reset, or refused at the bound): try again now */
	EMPTY,     /* the queue is empty: wait for a new edge */
	NO_FD,     /* the host has no descriptor for it: try again later */
	FAILED,    /* *err says why */
};

/* The next connection from the kernel's queue. */
static enum take take_one(struct keel_listener *l, int *fd, struct keel_sockaddr *peer, int *err)
{
	struct linux_sockaddr_in sa;
	long got = kp_linux_sock_accept(l->sock.fd, &sa);

	if (got >= 0) {
		if (l->net->stats.tcp_conns_live >= l->net->max_conns) {
			refuse(l->net, (int)got);
			return TAKE_NEXT;
		}
		*fd = (int)got;
		nsock_from_host(&sa, peer);
		return TAKEN;
	}
	switch (-got) {
	case LINUX_EAGAIN:
		return EMPTY;
	case LINUX_ECONNABORTED: /* reset while queued */
	case LINUX_EPROTO:
		return TAKE_NEXT;
	case LINUX_EMFILE:
	case LINUX_ENFILE:
	case LINUX_ENOBUFS:
	case LINUX_ENOMEM:
		return NO_FD;
	default:
		*err = nsock_error(got);
		return FAILED;
	}
}

/* Wraps an accepted descriptor in a connection. */
static int adopt(struct keel_listener *l, int fd, const struct keel_sockaddr *from,
                 struct keel_flow **out)
{
	struct nsock_conn *c = nsock_conn_alloc(l->net, true);
	int rc;

	if (!c) {
		refuse(l->net, fd);
		return KEEL_ENOMEM;
	}
	rc = nsock_adopt(&c->sock, fd, c);
	if (rc != KEEL_OK) {
		free(c);
		l->net->stats.tcp_conns_refused++;
		return rc;
	}
	c->remote = *from;
	l->net->stats.tcp_conns_opened++;
	l->net->stats.tcp_conns_live++;
	*out = &c->flow;
	return KEEL_OK;
}

int keel_tcp_accept(struct keel_listener *l, struct keel_flow **out, struct keel_sockaddr *peer,
                    keel_time deadline)
{
	struct keel_sockaddr from;
	bool timed_out = false;
	int rc = KEEL_OK;

	if (!l || !out)
		return KEEL_EINVAL;
	nsock_enter(&l->sock);
	for (;;) {
		keel_time soon;
		int fd = -1;

		if (l->sock.closed) {
			rc = KEEL_ECLOSED;
			break;
		}
		switch (take_one(l, &fd, &from, &rc)) {
		case TAKEN:
			rc = adopt(l, fd, &from, out);
			if (rc == KEEL_OK && peer)
				*peer = from;
			goto done;
		case TAKE_NEXT:
			continue;
		case FAILED:
			goto done;
		case EMPTY:
			if (timed_out) {
				rc = KEEL_ETIMEDOUT;
				goto done;
			}
			timed_out = !nsock_wait(&l->sock.readers, deadline);
			break;
		case NO_FD:
			/* The connection stays queued, and no new edge will
			 * announce it: look again soon. */
			if (timed_out) {
				rc = KEEL_ETIMEDOUT;
				goto done;
			}
			soon = keel_now() + NO_FD_RETRY;
			nsock_wait(&l->sock.readers, soon < deadline ? soon : deadline);
			timed_out = keel_now() >= deadline;
			break;
		}
	}
done:
	nsock_leave(&l->sock);
	return rc;
}

void keel_tcp_listener_close(struct keel_listener *l)
{
	/* The kernel resets the connections still queued on the socket. */
	if (l && !l->sock.closed) {
		l->net->listeners--;
		nsock_close(&l->sock);
	}
}

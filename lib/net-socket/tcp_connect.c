/*
 * tcp_connect.c — keel_tcp_connect: a non-blocking connect on a host
 * socket, the fiber parked until the handshake ends or the deadline.
 *
 * The socket becomes writable when the handshake ends either way; then
 * SO_ERROR holds the error, if any. A wake-up may also come early (an
 * unconnected socket may report itself writable at once), so success is
 * only declared once the kernel names a peer.
 */
#include <stdlib.h>

#include "nsock_impl.h"

/* 0: connected; KEEL_EAGAIN: the handshake goes on; else why it failed. */
static int handshake_state(int fd)
{
	struct linux_sockaddr_in peer;
	long err = kp_linux_sock_error(fd);

	if (err < 0)
		return nsock_error(err);
	err = kp_linux_sock_peer(fd, &peer);
	if (err == -LINUX_ENOTCONN)
		return KEEL_EAGAIN;
	return err < 0 ? nsock_error(err) : KEEL_OK;
}

int keel_tcp_connect(struct keel_net *net, const struct keel_sockaddr *remote, keel_time deadline,
                     struct keel_flow **out)
{
	struct linux_sockaddr_in sa;
	struct nsock_conn *c;
	bool timed_out = false;
	long err;
	int rc;

	if (!net || !out || !remote || remote->port == 0 || nsock_to_host(remote, &sa) != KEEL_OK)
		return KEEL_EINVAL;
	if (net->stats.tcp_conns_live >= net->max_conns)
		return KEEL_ENOMEM;
	c = nsock_conn_alloc(net, false);
	if (!c)
		return KEEL_ENOMEM;
	rc = nsock_open(&c->sock, LINUX_SOCK_STREAM, c);
	if (rc != KEEL_OK) {
		free(c);
		return rc;
	}
	c->remote = *remote;
	net->connecting++;

	err = kp_linux_sock_connect(c->sock.fd, &sa);
	if (err == -LINUX_EINPROGRESS)
		rc = KEEL_EAGAIN;
	else if (err == -LINUX_EAGAIN)
		rc = KEEL_ENOMEM; /* no local port left */
	else
		rc = nsock_error(err);
	while (rc == KEEL_EAGAIN) {
		if (timed_out) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
		timed_out = !nsock_wait(&c->sock.writers, deadline);
		rc = handshake_state(c->sock.fd);
	}
	net->connecting--;
	if (rc != KEEL_OK) {
		if (rc == KEEL_ECONNREFUSED)
			net->stats.tcp_conns_refused++;
		nsock_close(&c->sock);
		return rc;
	}
	net->stats.tcp_conns_opened++;
	net->stats.tcp_conns_live++;
	*out = &c->flow;
	return KEEL_OK;
}

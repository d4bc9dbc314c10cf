/*
 * udp.c — UDP endpoints on host sockets: bind, sendto, recvfrom, close.
 */
#include <stdlib.h>

#include "nsock_impl.h"

/* The largest payload of an IPv4 UDP datagram. */
#define UDP_PAYLOAD_MAX 65507
/* How long a send waits for room in a full socket buffer. */
#define SEND_WAIT_MAX (1 * KEEL_SEC)

struct keel_udp {
	struct nsock sock;
	struct keel_net *net;
};

int keel_udp_bind(struct keel_net *net, const struct keel_sockaddr *local, struct keel_udp **out)
{
	struct linux_sockaddr_in sa;
	struct keel_udp *u;
	long err;
	int rc;

	if (!net || !out || !local || nsock_to_host(local, &sa) != KEEL_OK)
		return KEEL_EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return KEEL_ENOMEM;
	rc = nsock_open(&u->sock, LINUX_SOCK_DGRAM, u);
	if (rc != KEEL_OK) {
		free(u);
		return rc;
	}
	u->net = net;
	err = kp_linux_sock_bind(u->sock.fd, &sa);
	if (err < 0) {
		nsock_close(&u->sock);
		return nsock_error(err);
	}
	net->udp_endpoints++;
	*out = u;
	return KEEL_OK;
}

long keel_udp_sendto(struct keel_udp *u, const void *buf, size_t len,
                     const struct keel_sockaddr *to)
{
	struct linux_sockaddr_in sa;
	keel_time deadline = keel_now() + SEND_WAIT_MAX;
	bool timed_out = false;
	long rc;

	if (!u || (!buf && len) || len > UDP_PAYLOAD_MAX || nsock_to_host(to, &sa) != KEEL_OK ||
	    to->port == 0)
		return KEEL_EINVAL;
	nsock_enter(&u->sock);
	for (;;) {
		long got;

		if (u->sock.closed) {
			rc = KEEL_ECLOSED;
			break;
		}
		got = kp_linux_sock_sendto(u->sock.fd, buf, len, &sa);
		if (got >= 0) {
			u->net->stats.udp_out++;
			u->net->stats.bytes_out += (uint64_t)got;
			rc = (long)len;
			break;
		}
		/* The buffer is full (a flood of sends): wait a little for
		 * room, then give up, as a congested link would. */
		if (got != -LINUX_EAGAIN && got != -LINUX_ENOBUFS) {
			rc = nsock_error(got);
			break;
		}
		if (timed_out) {
			u->net->stats.drop_other++;
			rc = KEEL_EAGAIN;
			break;
		}
		timed_out = !nsock_wait(&u->sock.writers, deadline);
	}
	nsock_leave(&u->sock);
	return rc;
}

long keel_udp_recvfrom(struct keel_udp *u, void *buf, size_t size, struct keel_sockaddr *from,
                       keel_time deadline)
{
	struct linux_sockaddr_in sa;
	bool timed_out = false;
	long rc;

	if (!u || (!buf && size))
		return KEEL_EINVAL;
	nsock_enter(&u->sock);
	for (;;) {
		long got;

		if (u->sock.closed) {
			rc = KEEL_ECLOSED;
			break;
		}
		got = kp_linux_sock_recvfrom(u->sock.fd, buf, size, &sa);
		if (got >= 0) {
			u->net->stats.udp_in++;
			u->net->stats.bytes_in += (uint64_t)got;
			if (from)
				nsock_from_host(&sa, from);
			rc = got;
			break;
		}
		/* An ICMP error about an earlier send: not this call's. */
		if (got == -LINUX_ECONNREFUSED || got == -LINUX_EHOSTUNREACH ||
		    got == -LINUX_ENETUNREACH)
			continue;
		if (got != -LINUX_EAGAIN) {
			rc = nsock_error(got);
			break;
		}
		if (timed_out) {
			rc = KEEL_ETIMEDOUT;
			break;
		}
		timed_out = !nsock_wait(&u->sock.readers, deadline);
	}
	nsock_leave(&u->sock);
	return rc;
}

void keel_udp_close(struct keel_udp *u)
{
	if (u && !u->sock.closed) {
		u->net->udp_endpoints--;
		nsock_close(&u->sock);
	}
}

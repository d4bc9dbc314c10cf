/*
 * dns_tcp.c — one DNS exchange over TCP (RFC 1035 4.2.2, RFC 7766), for
 * an answer that did not fit in UDP: each message on the stream is
 * preceded by its length in two bytes. A reply longer than the caller's
 * buffer (DNS_TCP_MAX in practice) is refused rather than read.
 */
#include "dns_impl.h"

/* Reads exactly `len` bytes. */
static int read_full(struct keel_flow *f, uint8_t *buf, size_t len, keel_time deadline)
{
	while (len > 0) {
		long n = keel_read(f, buf, len, deadline);

		if (n == 0)
			return KEEL_EIO; /* the server closed before the end */
		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return KEEL_OK;
}

int dns_exchange_tcp(struct keel_net *net, const uint8_t *query, size_t query_len, uint8_t *reply,
                     size_t size, size_t *reply_len, keel_time deadline)
{
	struct keel_sockaddr server = { { KEEL_AF_INET4, { 0 } }, DNS_PORT };
	struct keel_flow *f;
	uint8_t prefix[2];
	struct keel_iovec iov[2] = { { prefix, 2 }, { query, query_len } };
	size_t len;
	long sent;
	int err;

	if (query_len > 0xffff)
		return KEEL_EINVAL;
	memcpy(server.addr.bytes, &net->dns_be, 4);
	err = keel_tcp_connect(net, &server, deadline, &f);
	if (err)
		return err;
	net_put16(prefix, (uint16_t)query_len);
	sent = keel_writev(f, iov, 2, deadline);
	if (sent != (long)(2 + query_len)) {
		err = sent < 0 ? (int)sent : KEEL_EIO;
		goto out;
	}
	err = read_full(f, prefix, 2, deadline);
	if (err)
		goto out;
	len = net_get16(prefix);
	if (len > size) {
		err = KEEL_ERANGE;
		goto out;
	}
	err = read_full(f, reply, len, deadline);
	if (!err)
		*reply_len = len;
out:
	keel_close(f);
	return err;
}

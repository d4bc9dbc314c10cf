/*
 * resolve.c — keel_resolve: a dotted quad as it is; a name by one DNS
 * query over UDP to the configured server (--dns), resent with a growing
 * wait until an answer or the deadline.
 *
 * The host's resolver configuration (/etc/resolv.conf, /etc/hosts) is out
 * of reach: a sealed image opens no file. Without --dns there is no server
 * and a name cannot be resolved (KEEL_ENODEV).
 *
 * Only an answer from the server's address and port 53, with the query's
 * random identifier and its question, is taken; anything else is ignored.
 */
#include <stdlib.h>

#include <keel/platform.h>

#include "dns_msg.h"
#include "nsock_impl.h"

#define DNS_PORT 53
#define TRIES 3
#define FIRST_WAIT (1 * KEEL_SEC) /* then 2 s, 4 s */

/* Waits for the answer to one sent query until `until`. KEEL_ETIMEDOUT
 * when none came; otherwise the verdict of nsock_dns_answer(). */
static int await_answer(struct keel_udp *u, const struct keel_sockaddr *server, uint16_t id,
                        const char *name, struct keel_addr *out, keel_time until)
{
	uint8_t answer[NSOCK_DNS_ANSWER_MAX];

	for (;;) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(u, answer, sizeof(answer), &from, until);
		int rc;

		if (n < 0)
			return (int)n;
		if (!keel_addr_equal(&from.addr, &server->addr) || from.port != server->port)
			continue;
		if (n > (long)sizeof(answer))
			n = sizeof(answer); /* cut short: read what there is */
		rc = nsock_dns_answer(answer, (size_t)n, id, name, out);
		if (rc != KEEL_EAGAIN && rc != KEEL_EINVAL)
			return rc;
	}
}

int keel_resolve(struct keel_net *net, const char *name, struct keel_addr *out, keel_time deadline)
{
	uint8_t query[NSOCK_DNS_QUERY_MAX];
	struct keel_sockaddr any = { keel_addr_any4(), 0 };
	struct keel_sockaddr server;
	struct keel_udp *u;
	keel_time wait = FIRST_WAIT;
	uint16_t id;
	int len, rc = KEEL_ETIMEDOUT;

	if (!net || !name || !out)
		return KEEL_EINVAL;
	if (keel_addr_parse(name, out) == KEEL_OK)
		return KEEL_OK;
	if (net->dns.family == KEEL_AF_UNSPEC) {
		KEEL_WARN("net-socket: cannot resolve '%s': no DNS server; give one with "
		          "--dns=ADDR (a sealed image cannot read the host's /etc/resolv.conf)",
		          name);
		return KEEL_ENODEV;
	}
	if (kp_random(&id, sizeof(id)) != KEEL_OK)
		return KEEL_EIO;
	len = nsock_dns_query(name, id, query, sizeof(query));
	if (len < 0)
		return KEEL_EINVAL;
	server.addr = net->dns;
	server.port = DNS_PORT;
	rc = keel_udp_bind(net, &any, &u);
	if (rc != KEEL_OK)
		return rc;

	rc = KEEL_ETIMEDOUT;
	for (int try = 0; try < TRIES && keel_now() < deadline; try++) {
		keel_time until = keel_now() + wait;
		long sent = keel_udp_sendto(u, query, (size_t)len, &server);

		if (sent < 0) {
			rc = (int)sent;
			break;
		}
		rc = await_answer(u, &server, id, name, out, until < deadline ? until : deadline);
		if (rc != KEEL_ETIMEDOUT)
			break;
		wait *= 2;
	}
	keel_udp_close(u);
	return rc;
}

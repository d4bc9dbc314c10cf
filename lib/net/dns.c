/*
 * dns.c — keel_resolve(): the stub resolver of the direct stack.
 *
 * One A query at a time per caller, over UDP to the stack's DNS server
 * (net->dns_be, port 53), from a random source port with a random id. A
 * reply counts only when it comes from the server's address and port and
 * carries our id and our question; anything else is ignored and the wait
 * goes on (an off-path attacker must guess port and id). Queries are
 * resent after 1, 2, 4 and 8 s, never past the caller's deadline. CNAME
 * chains are followed, across several queries when the server does not
 * send the whole chain, for at most DNS_CNAME_MAX links in all. An answer
 * truncated (TC) before any address is asked again over TCP.
 */
#include <stdlib.h>

#include "dns_impl.h"

struct dns_state {
	struct dns_cache cache;
	uint64_t queries, retries, replies, ignored, tcp_queries;
};

static const keel_time dns_timeouts_ms[] = { 1000, 2000, 4000, 8000 };

int dns_init(struct keel_net *net)
{
	struct dns_state *d = calloc(1, sizeof(*d));

	if (!d)
		return KEEL_ENOMEM;
	net->dns = d;
	/* A server given in the configuration wins over one from DHCP. */
	if (!net->dns_be && net->cfg.dns.family == KEEL_AF_INET4)
		memcpy(&net->dns_be, net->cfg.dns.bytes, 4);
	return KEEL_OK;
}

/* Binds a UDP endpoint on a random port of the dynamic range (RFC 6335). */
static int bind_random(struct keel_net *net, struct keel_udp **out)
{
	struct keel_sockaddr local = { keel_addr_any4(), 0 };
	int err = KEEL_EADDRINUSE;

	for (unsigned tries = 0; tries < 16 && err == KEEL_EADDRINUSE; tries++) {
		local.port = (uint16_t)(49152 + net_random(net) % 16384);
		err = keel_udp_bind(net, &local, out);
	}
	return err;
}

/*
 * Asks the server for (qname, A) over UDP, resending until an answer or
 * the deadline. KEEL_OK with *res filled for a valid reply of any rcode
 * but SERVFAIL; KEEL_EIO when every reply was SERVFAIL; KEEL_ETIMEDOUT;
 * errors of UDP.
 */
static int query_udp(struct keel_net *net, const uint8_t *qname, size_t qname_len,
                     struct dns_result *res, keel_time deadline)
{
	struct dns_state *d = net->dns;
	uint8_t q[DNS_HEADER_LEN + DNS_NAME_WIRE_MAX + 4];
	uint8_t reply[DNS_UDP_MAX];
	struct keel_sockaddr server = { { KEEL_AF_INET4, { 0 } }, DNS_PORT };
	struct keel_udp *u;
	uint16_t id = (uint16_t)net_random(net);
	size_t qlen = dns_build_query(q, sizeof(q), id, qname, qname_len, DNS_TYPE_A);
	int err, result = KEEL_ETIMEDOUT;

	memcpy(server.addr.bytes, &net->dns_be, 4);
	err = bind_random(net, &u);
	if (err)
		return err;
	for (unsigned attempt = 0; attempt < sizeof(dns_timeouts_ms) / sizeof(dns_timeouts_ms[0]);
	     attempt++) {
		keel_time now = keel_now();
		keel_time until = now + dns_timeouts_ms[attempt] * KEEL_MSEC;
		long sent;

		if (now >= deadline)
			break;
		if (until > deadline)
			until = deadline;
		d->queries++;
		if (attempt)
			d->retries++;
		/* No route or no ARP answer yet: wait out this try anyway. */
		sent = keel_udp_sendto(u, q, qlen, &server);
		if (sent < 0 && sent != KEEL_EHOSTUNREACH && sent != KEEL_ENOMEM) {
			result = (int)sent;
			break;
		}
		for (;;) {
			struct keel_sockaddr from;
			long n = keel_udp_recvfrom(u, reply, sizeof(reply), &from, until);

			if (n == KEEL_ETIMEDOUT)
				break;
			if (n < 0) {
				keel_udp_close(u);
				return (int)n;
			}
			if ((size_t)n > sizeof(reply) || from.port != DNS_PORT ||
			    from.addr.family != KEEL_AF_INET4 ||
			    memcmp(from.addr.bytes, &net->dns_be, 4) != 0 ||
			    dns_parse_response(reply, (size_t)n, id, qname, qname_len, res)) {
				d->ignored++;
				continue;
			}
			d->replies++;
			if (res->rcode == DNS_RCODE_SERVFAIL) {
				result = KEEL_EIO; /* the server may recover: try again */
				break;
			}
			keel_udp_close(u);
			return KEEL_OK;
		}
		if (result == KEEL_EIO && keel_now() < until)
			keel_sleep_until(until); /* SERVFAIL: do not hammer */
	}
	keel_udp_close(u);
	return result;
}

/* The same question over TCP, once. KEEL_OK with *res filled (any rcode
 * but SERVFAIL), KEEL_EIO for a reply that is not a valid answer. */
static int query_tcp(struct keel_net *net, const uint8_t *qname, size_t qname_len,
                     struct dns_result *res, keel_time deadline)
{
	uint8_t q[DNS_HEADER_LEN + DNS_NAME_WIRE_MAX + 4];
	uint16_t id = (uint16_t)net_random(net);
	size_t qlen = dns_build_query(q, sizeof(q), id, qname, qname_len, DNS_TYPE_A);
	uint8_t *reply = malloc(DNS_TCP_MAX);
	size_t len = 0;
	int err;

	if (!reply)
		return KEEL_ENOMEM;
	net->dns->tcp_queries++;
	err = dns_exchange_tcp(net, q, qlen, reply, DNS_TCP_MAX, &len, deadline);
	if (!err && (dns_parse_response(reply, len, id, qname, qname_len, res) != KEEL_OK ||
	             res->rcode == DNS_RCODE_SERVFAIL))
		err = KEEL_EIO;
	free(reply);
	return err;
}

/* One question: over UDP, then over TCP when the UDP answer was cut
 * before any address. */
static int query(struct keel_net *net, const uint8_t *qname, size_t qname_len,
                 struct dns_result *res, keel_time deadline)
{
	int err = query_udp(net, qname, qname_len, res, deadline);

	if (err || !res->truncated || res->have_addr)
		return err;
	err = query_tcp(net, qname, qname_len, res, deadline);
	/* The server may not take TCP: the truncated answer stands. */
	return err == KEEL_OK ? KEEL_OK : KEEL_EIO;
}

int keel_resolve(struct keel_net *net, const char *name, struct keel_addr *out, keel_time deadline)
{
	uint8_t asked[DNS_NAME_WIRE_MAX], qname[DNS_NAME_WIRE_MAX];
	size_t asked_len, qname_len;
	uint32_t addr_be, ttl = UINT32_MAX;
	unsigned links = 0;
	int n;

	if (!net || !name || !out)
		return KEEL_EINVAL;
	if (keel_addr_parse(name, out) == KEEL_OK)
		return KEEL_OK;
	n = dns_name_from_text(name, asked);
	if (n < 0)
		return KEEL_EINVAL;
	asked_len = (size_t)n;
	if (!net->dns || !net->dns_be)
		return KEEL_ENODEV;
	if (dns_cache_get(&net->dns->cache, asked, asked_len, keel_now(), &addr_be) == KEEL_OK)
		goto found;

	memcpy(qname, asked, asked_len);
	qname_len = asked_len;
	for (;;) {
		struct dns_result res;
		int err = query(net, qname, qname_len, &res, deadline);

		if (err)
			return err;
		if (res.rcode == DNS_RCODE_NXDOMAIN)
			return KEEL_ENOENT;
		if (res.rcode != DNS_RCODE_OK)
			return KEEL_EIO; /* REFUSED, NOTIMP, FORMERR... */
		links += res.chain;
		if (res.chain_too_long || links > DNS_CNAME_MAX)
			return KEEL_EIO;
		ttl = res.ttl < ttl ? res.ttl : ttl;
		if (res.have_addr) {
			addr_be = res.addr_be;
			dns_cache_put(&net->dns->cache, asked, asked_len, addr_be, ttl, keel_now());
			goto found;
		}
		/* Still truncated without the address (even over TCP): give up
		 * rather than guess. */
		if (res.truncated)
			return KEEL_EIO;
		if (!res.cname_len)
			return KEEL_ENOENT; /* the name exists, without an address */
		memcpy(qname, res.cname, res.cname_len);
		qname_len = res.cname_len;
	}

found:
	memset(out, 0, sizeof(*out));
	out->family = KEEL_AF_INET4;
	memcpy(out->bytes, &addr_be, 4);
	return KEEL_OK;
}

void dns_free(struct keel_net *net)
{
	free(net->dns);
	net->dns = NULL;
}

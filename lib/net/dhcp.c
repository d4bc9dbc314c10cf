/*
 * dhcp.c — the DHCP client of the direct stack (RFC 2131 section 4.4).
 *
 * One fiber per stack, started by dhcp_init() when the configuration has
 * no static address. It walks the client's states in plain sequential
 * code:
 *
 *   INIT -> SELECTING    broadcast DISCOVER, wait for an OFFER
 *        -> REQUESTING   broadcast REQUEST for it, wait for ACK (NAK: INIT)
 *        -> (probe)      ARP probes for the address (RFC 5227, arp_probe);
 *                        another host has it: DECLINE, INIT after 10 s
 *        -> BOUND        apply the lease; sleep until T1
 *        -> RENEWING     REQUEST unicast to the server until T2
 *        -> REBINDING    REQUEST broadcast to any server until expiry
 *        -> INIT         the lease ran out: the address is dropped
 *
 * keel_net_close stops the fiber (every wait of it ends when `stopping`
 * is set and the endpoint closed) and, when a lease is held, gives the
 * address back with a DHCPRELEASE to the server that granted it
 * (RFC 2131 4.4.6).
 *
 * Retransmissions in INIT/REQUESTING wait 4, 8, 16, 32, then 64 s, each
 * moved by -1..+1 s at random; in RENEWING and REBINDING half the time
 * left, but at least 60 s (RFC 2131 4.4.5).
 *
 * Broadcasts are built here down to the IPv4 header and handed to
 * eth_output() for the broadcast MAC: before the stack has an address they
 * must leave from 0.0.0.0, which the general UDP path need not allow, and
 * they need no ARP. Replies arrive through an ordinary UDP endpoint on
 * port 68; we ask servers to broadcast them (the BROADCAST flag), since a
 * stack without an address cannot take unicast.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dhcp_impl.h"

#define DHCP_REQUEST_TRIES 4          /* REQUESTs for one offer before INIT again */
#define DHCP_RENEW_MIN_MS (60 * 1000) /* least wait between RENEWING requests */
#define DHCP_FIBER_STACK (16 * 1024)
/* After a DECLINE, before asking again (RFC 2131 3.1.5: at least 10 s). */
#define DHCP_DECLINE_PAUSE (10 * KEEL_SEC)
#define IPV4_HLEN 20
#define UDP_HLEN 8

struct dhcp_state {
	struct keel_net *net;
	struct keel_udp *udp;
	uint32_t xid;
	keel_time began; /* start of the current exchange (the secs field) */
	/* The lease held (network order; ip 0: none). */
	uint32_t ip_be, netmask_be, router_be, dns_be, server_be;
	keel_time t1_at, t2_at, expires_at;
	bool dns_from_lease;    /* net->dns_be came from us */
	bool stopping;          /* keel_net_close: the fiber must end */
	bool stopped;           /* the fiber has ended */
	struct keel_waitq wake; /* the fiber's pauses, cut short by a stop */
	struct keel_waitq stopped_wait;
	uint64_t discovers, offers, requests, acks, naks, bad, leases, expiries, releases,
	    declines;
	uint8_t msg[DHCP_MAX_MSG];
};

/* ---- Sending ---------------------------------------------------------------- */

/* Sends d->msg[0..len) from src_be:68 to 255.255.255.255:67 in a frame to
 * the broadcast MAC. */
static int send_broadcast(struct dhcp_state *d, size_t len, uint32_t src_be)
{
	struct keel_net *net = d->net;
	const uint32_t dst_be = 0xffffffffu;
	struct netbuf *nb = netbuf_alloc(net);
	uint8_t *udp, *ip;
	uint16_t csum;

	if (!nb) {
		net->stats.drop_no_buffer++;
		return KEEL_ENOMEM;
	}
	if (netbuf_tailroom(nb) < len) {
		netbuf_free(net, nb);
		return KEEL_EINVAL;
	}
	memcpy(nb->data, d->msg, len);
	nb->len = (uint16_t)len;

	udp = netbuf_push(nb, UDP_HLEN);
	ip = udp ? netbuf_push(nb, IPV4_HLEN) : NULL;
	if (!ip) {
		netbuf_free(net, nb);
		return KEEL_ENOMEM;
	}
	net_put16(udp, DHCP_CLIENT_PORT);
	net_put16(udp + 2, DHCP_SERVER_PORT);
	net_put16(udp + 4, (uint16_t)(UDP_HLEN + len));
	net_put16(udp + 6, 0);
	csum = inet_fold(
	    inet_sum(udp, UDP_HLEN + len,
	             inet_pseudo_sum(src_be, dst_be, IP_PROTO_UDP, (uint16_t)(UDP_HLEN + len))));
	if (csum == 0)
		csum = 0xffff; /* 0 would mean "no checksum" */
	memcpy(udp + 6, &csum, 2);

	memset(ip, 0, IPV4_HLEN);
	ip[0] = 0x45;
	net_put16(ip + 2, (uint16_t)(IPV4_HLEN + UDP_HLEN + len));
	net_put16(ip + 4, net->ip_id++);
	ip[8] = 64; /* TTL */
	ip[9] = IP_PROTO_UDP;
	memcpy(ip + 12, &src_be, 4);
	memcpy(ip + 16, &dst_be, 4);
	csum = inet_fold(inet_sum(ip, IPV4_HLEN, 0));
	memcpy(ip + 10, &csum, 2);

	net->stats.udp_out++;
	return eth_output(net, nb, eth_broadcast, ETH_TYPE_IPV4);
}

/* Builds a message of `type` into d->msg; 0 addresses are left out. */
static size_t build(struct dhcp_state *d, uint8_t type, uint32_t ciaddr_be, uint32_t requested_be,
                    uint32_t server_be)
{
	struct dhcp_request req = {
		.type = type,
		.xid = d->xid,
		.broadcast = ciaddr_be == 0, /* without an address we cannot take unicast */
		.ciaddr_be = ciaddr_be,
		.requested_be = requested_be,
		.server_id_be = server_be,
	};
	keel_time secs = (keel_now() - d->began) / KEEL_SEC;

	req.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(req.mac, d->net->mac, 6);
	return dhcp_build_request(d->msg, sizeof(d->msg), &req);
}

/* ---- Receiving -------------------------------------------------------------- */

/* Pauses until `until`, or less when the client is being stopped. */
static void nap(struct dhcp_state *d, keel_time until)
{
	while (!d->stopping && keel_now() < until)
		keel_wait(&d->wake, until);
}

/*
 * Waits until `until` for a reply of our xid whose type is in `types`
 * (a bit mask of 1 << type). Malformed and foreign messages are counted
 * and ignored. KEEL_OK with *r filled, KEEL_ETIMEDOUT, or KEEL_ECLOSED
 * when the client is being stopped.
 */
static int wait_reply(struct dhcp_state *d, unsigned types, keel_time until, struct dhcp_reply *r)
{
	for (;;) {
		struct keel_sockaddr from;
		long n;

		if (d->stopping)
			return KEEL_ECLOSED;
		n = keel_udp_recvfrom(d->udp, d->msg, sizeof(d->msg), &from, until);
		if (n == KEEL_ETIMEDOUT)
			return KEEL_ETIMEDOUT;
		if (n < 0) {
			/* Only a stop closes the endpoint; do not spin. */
			nap(d, until);
			return d->stopping ? KEEL_ECLOSED : KEEL_ETIMEDOUT;
		}
		if ((size_t)n > sizeof(d->msg) || from.port != DHCP_SERVER_PORT ||
		    dhcp_parse_reply(d->msg, (size_t)n, d->xid, d->net->mac, r) != KEEL_OK) {
			d->bad++;
			continue;
		}
		if (types & (1u << r->type))
			return KEEL_OK;
	}
}

/* Discards whatever arrives until `until` (stale replies while bound). */
static void idle_until(struct dhcp_state *d, keel_time until)
{
	while (!d->stopping && keel_now() < until) {
		long n = keel_udp_recvfrom(d->udp, d->msg, sizeof(d->msg), NULL, until);

		if (n < 0 && n != KEEL_ETIMEDOUT)
			nap(d, until);
	}
}

static void new_xid(struct dhcp_state *d)
{
	d->xid = (uint32_t)net_random(d->net);
	d->began = keel_now();
}

/* ---- The lease ---------------------------------------------------------------- */

static void log_lease(struct dhcp_state *d, const char *what, const struct dhcp_times *t)
{
	char ip[16], router[16], dns[16];
	const uint8_t *a = (const uint8_t *)&d->ip_be, *g = (const uint8_t *)&d->router_be,
	              *s = (const uint8_t *)&d->dns_be;
	unsigned prefix = 0;
	uint32_t mask = net_ntohl(d->netmask_be);

	while (prefix < 32 && (mask << prefix) & 0x80000000u)
		prefix++;
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	snprintf(router, sizeof(router), "%u.%u.%u.%u", g[0], g[1], g[2], g[3]);
	snprintf(dns, sizeof(dns), "%u.%u.%u.%u", s[0], s[1], s[2], s[3]);
	keel_log(d->net->cfg.log_config ? KEEL_LOG_INFO : KEEL_LOG_DEBUG,
	         "dhcp: %s %s/%u router %s dns %s lease %lu s", what, ip, prefix,
	         d->router_be ? router : "none", d->dns_be ? dns : "none",
	         t->lease_s == DHCP_INFINITE ? 0ul : (unsigned long)t->lease_s);
}

/* Takes the lease of an ACK to a request sent at `sent`. */
static void bind_lease(struct dhcp_state *d, const struct dhcp_reply *r, keel_time sent,
                       bool renewal)
{
	struct keel_net *net = d->net;
	struct dhcp_times t;
	bool changed;

	dhcp_lease_times(r, &t);
	d->t1_at = t.t1_s == DHCP_INFINITE ? KEEL_FOREVER : sent + (keel_time)t.t1_s * KEEL_SEC;
	d->t2_at = t.t2_s == DHCP_INFINITE ? KEEL_FOREVER : sent + (keel_time)t.t2_s * KEEL_SEC;
	d->expires_at =
	    t.lease_s == DHCP_INFINITE ? KEEL_FOREVER : sent + (keel_time)t.lease_s * KEEL_SEC;
	if (r->have & DHCP_HAVE_SERVER_ID)
		d->server_be = r->server_id_be;

	uint32_t mask =
	    (r->have & DHCP_HAVE_NETMASK) ? r->netmask_be : dhcp_default_netmask(r->yiaddr_be);
	uint32_t router = (r->have & DHCP_HAVE_ROUTER) ? r->router_be : 0;
	uint32_t dns = r->dns_count ? r->dns_be[0] : 0;

	changed = d->ip_be != r->yiaddr_be || d->netmask_be != mask || d->router_be != router ||
	          d->dns_be != dns;
	d->ip_be = r->yiaddr_be;
	d->netmask_be = mask;
	d->router_be = router;
	d->dns_be = dns;
	d->leases++;
	if (!changed && renewal)
		return;

	/* A server configured statically wins over the lease's. */
	if (net->cfg.dns.family != KEEL_AF_INET4) {
		net->dns_be = dns;
		d->dns_from_lease = true;
	}
	/* Sets `configured` and wakes net->config_wait. */
	net_set_ipv4(net, d->ip_be, d->netmask_be, d->router_be);
	log_lease(d, renewal ? "renewed with changes:" : "lease", &t);
}

/* The lease ended (expiry or NAK): the stack goes back to no address. */
static void drop_lease(struct dhcp_state *d, const char *why)
{
	struct keel_net *net = d->net;

	KEEL_WARN("dhcp: %s: address dropped", why);
	d->ip_be = d->netmask_be = d->router_be = d->dns_be = d->server_be = 0;
	if (d->dns_from_lease)
		net->dns_be = 0;
	d->dns_from_lease = false;
	net_set_ipv4(net, 0, 0, 0); /* clears `configured`, wakes config_wait */
}

/* ---- The states ----------------------------------------------------------------- */

/* INIT and SELECTING: DISCOVER until a usable OFFER comes; *r holds it.
 * KEEL_OK, or KEEL_ECLOSED when the client is being stopped. */
static int select_offer(struct dhcp_state *d, struct dhcp_reply *r)
{
	for (unsigned attempt = 0;; attempt++) {
		keel_time until;

		if (d->stopping)
			return KEEL_ECLOSED;
		d->discovers++;
		send_broadcast(d, build(d, DHCP_DISCOVER, 0, 0, 0), 0);
		until = keel_now() + dhcp_backoff_ms(attempt, net_random(d->net)) * KEEL_MSEC;
		while (wait_reply(d, 1u << DHCP_OFFER, until, r) == KEEL_OK) {
			/* An offer we cannot use is as good as none. */
			if (dhcp_addr_usable(r->yiaddr_be) && (r->have & DHCP_HAVE_SERVER_ID)) {
				d->offers++;
				return KEEL_OK;
			}
			d->bad++;
		}
	}
}

/* The ACKed address is another host's: DECLINE it to `server`. */
static void decline(struct dhcp_state *d, uint32_t addr, uint32_t server)
{
	const uint8_t *a = (const uint8_t *)&addr;

	KEEL_WARN("dhcp: %u.%u.%u.%u is in use by another host: declined", a[0], a[1], a[2],
	          a[3]);
	d->declines++;
	send_broadcast(d, build(d, DHCP_DECLINE, 0, addr, server), 0);
}

/* REQUESTING: asks `server` for `offered`. KEEL_OK once bound,
 * KEEL_ECONNREFUSED on a NAK, KEEL_EADDRINUSE when another host has the
 * address (declined), KEEL_ETIMEDOUT when nobody answered, KEEL_ECLOSED
 * when the client is being stopped. */
static int request_offer(struct dhcp_state *d, uint32_t offered, uint32_t server)
{
	struct dhcp_reply r;

	for (unsigned attempt = 0; attempt < DHCP_REQUEST_TRIES; attempt++) {
		keel_time sent = keel_now();

		if (d->stopping)
			return KEEL_ECLOSED;
		keel_time until = sent + dhcp_backoff_ms(attempt, net_random(d->net)) * KEEL_MSEC;

		d->requests++;
		send_broadcast(d, build(d, DHCP_REQUEST, 0, offered, server), 0);
		while (wait_reply(d, 1u << DHCP_ACK | 1u << DHCP_NAK, until, &r) == KEEL_OK) {
			/* Only the server we chose speaks for this xid. */
			if ((r.have & DHCP_HAVE_SERVER_ID) && r.server_id_be != server)
				continue;
			if (r.type == DHCP_NAK) {
				d->naks++;
				return KEEL_ECONNREFUSED;
			}
			if (r.yiaddr_be != offered || !dhcp_addr_usable(r.yiaddr_be)) {
				d->bad++;
				continue;
			}
			d->acks++;
			if (!arp_probe(d->net, offered)) {
				decline(d, offered, server);
				return KEEL_EADDRINUSE;
			}
			if (d->stopping)
				return KEEL_ECLOSED;
			d->server_be = server;
			bind_lease(d, &r, sent, false);
			return KEEL_OK;
		}
	}
	return d->stopping ? KEEL_ECLOSED : KEEL_ETIMEDOUT;
}

/* INIT, SELECTING, REQUESTING: returns true once bound, false when the
 * client is being stopped. */
static bool acquire(struct dhcp_state *d)
{
	unsigned naks = 0;

	for (;;) {
		struct dhcp_reply offer;
		int err;

		new_xid(d);
		if (select_offer(d, &offer) != KEEL_OK)
			return false;
		err = request_offer(d, offer.yiaddr_be, offer.server_id_be);
		if (err == KEEL_OK)
			return true;
		if (err == KEEL_ECLOSED)
			return false;
		if (err == KEEL_EADDRINUSE) {
			nap(d, keel_now() + DHCP_DECLINE_PAUSE);
			continue;
		}
		if (err == KEEL_ECONNREFUSED) {
			/* The offer was withdrawn. Start again after a pause
			 * (1, 2, 4, then 8 s, plus up to 1 s) that grows with
			 * repeated refusals, so a confused server is not
			 * flooded. */
			naks = naks < 4 ? naks + 1 : 4;
			nap(d, keel_now() + ((keel_time)500 << naks) * KEEL_MSEC +
			           net_random(d->net) % 1000 * KEEL_MSEC);
		}
	}
}

/*
 * RENEWING or REBINDING until `end` (T2 or expiry). Returns true when the
 * lease was extended, false when `end` came (or a NAK, then *nak is set).
 */
static bool extend(struct dhcp_state *d, bool rebinding, keel_time end, bool *nak)
{
	struct keel_sockaddr server = { { KEEL_AF_INET4, { 0 } }, DHCP_SERVER_PORT };
	struct dhcp_reply r;

	memcpy(server.addr.bytes, &d->server_be, 4);
	new_xid(d);
	while (!d->stopping && keel_now() < end) {
		keel_time now = keel_now(), sent = now;
		keel_time wait = (end - now) / 2;
		size_t len = build(d, DHCP_REQUEST, d->ip_be, 0, 0);

		if (wait < DHCP_RENEW_MIN_MS * KEEL_MSEC)
			wait = DHCP_RENEW_MIN_MS * KEEL_MSEC;
		d->requests++;
		if (rebinding)
			send_broadcast(d, len, d->ip_be);
		else
			keel_udp_sendto(d->udp, d->msg, len, &server);
		keel_time until = now + wait < end ? now + wait : end;
		while (wait_reply(d, 1u << DHCP_ACK | 1u << DHCP_NAK, until, &r) == KEEL_OK) {
			if (r.type == DHCP_NAK) {
				d->naks++;
				*nak = true;
				return false;
			}
			if (!dhcp_addr_usable(r.yiaddr_be)) {
				d->bad++;
				continue;
			}
			d->acks++;
			bind_lease(d, &r, sent, true);
			return true;
		}
	}
	return false;
}

/* BOUND, RENEWING, REBINDING: returns when the lease is lost, or when
 * the client is being stopped (the lease is then still held). */
static void keep(struct dhcp_state *d)
{
	for (;;) {
		bool nak = false;

		idle_until(d, d->t1_at);
		if (d->stopping)
			return;
		if (d->t1_at == KEEL_FOREVER)
			continue; /* an infinite lease: nothing ever to do */
		if (extend(d, false, d->t2_at, &nak))
			continue;
		if (d->stopping)
			return;
		if (!nak && extend(d, true, d->expires_at, &nak))
			continue;
		if (d->stopping)
			return;
		d->expiries++;
		drop_lease(d, nak ? "lease refused by the server" : "lease expired");
		return;
	}
}

static void dhcp_fiber(void *arg)
{
	struct dhcp_state *d = arg;

	while (!d->stopping && acquire(d))
		keep(d);
	d->stopped = true;
	keel_wake_all(&d->stopped_wait);
}

void dhcp_close(struct keel_net *net)
{
	struct dhcp_state *d = net->dhcp;
	struct keel_sockaddr local = { keel_addr_any4(), DHCP_CLIENT_PORT };
	struct keel_sockaddr server = { { KEEL_AF_INET4, { 0 } }, DHCP_SERVER_PORT };
	struct keel_udp *u;

	if (!d)
		return;
	d->stopping = true;
	keel_udp_close(d->udp); /* its receive wakes with KEEL_ECLOSED */
	keel_wake_all(&d->wake);
	while (!d->stopped)
		keel_wait(&d->stopped_wait, KEEL_FOREVER);
	/* Give the address back, from it, to the server that leased it
	 * (RFC 2131 4.4.6: no reply comes; the lease is ours no more). */
	if (d->ip_be && d->server_be && keel_udp_bind(net, &local, &u) == KEEL_OK) {
		new_xid(d);
		memcpy(server.addr.bytes, &d->server_be, 4);
		if (keel_udp_sendto(u, d->msg, build(d, DHCP_RELEASE, d->ip_be, 0, d->server_be),
		                    &server) >= 0)
			d->releases++;
		keel_udp_close(u);
	}
	if (d->dns_from_lease)
		net->dns_be = 0;
	net->dhcp = NULL;
	free(d);
}

int dhcp_init(struct keel_net *net)
{
	struct keel_sockaddr local = { keel_addr_any4(), DHCP_CLIENT_PORT };
	struct dhcp_state *d;
	int err;

	if (net->cfg.addr.family != KEEL_AF_UNSPEC || net->configured)
		return KEEL_OK; /* a static address: no DHCP */
	d = calloc(1, sizeof(*d));
	if (!d)
		return KEEL_ENOMEM;
	d->net = net;
	keel_waitq_init(&d->wake);
	keel_waitq_init(&d->stopped_wait);
	err = keel_udp_bind(net, &local, &d->udp);
	if (err) {
		free(d);
		return err;
	}
	if (!keel_fiber_spawn(dhcp_fiber, d, DHCP_FIBER_STACK)) {
		keel_udp_close(d->udp);
		free(d);
		return KEEL_ENOMEM;
	}
	net->dhcp = d;
	return KEEL_OK;
}

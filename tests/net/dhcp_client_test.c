/*
 * dhcp_client_test — the DHCP client of lib/net (dhcp.c) against a fake
 * server played by the test, on the harness's fake device and clock:
 *
 *   DISCOVER from 0.0.0.0 to broadcast, retransmitted after 4, 8, 16 s
 *   (each +-1 s); foreign and malformed replies ignored; an OFFER; the
 *   REQUEST for it; a NAK, then a fresh start with a new xid after 1-2 s;
 *   the ACK applied (address, mask, router, DNS); nothing until T1; at T1
 *   a REQUEST unicast to the server; at T2 one broadcast; an ACK there
 *   renews; with no answer at all the address is dropped at expiry and
 *   DISCOVER starts again; a NAK while renewing drops it at once; an
 *   ACKed address is probed with ARP first (RFC 5227) and declined when
 *   another host has it; keel_net_close gives the lease back with a
 *   RELEASE.
 */
#include <string.h>

#include "dhcp_impl.h"
#include "harness.h"

#define SERVER h_ip(10, 0, 0, 1)
#define OFFERED h_ip(10, 0, 0, 50)
#define STEP (50 * KEEL_MSEC)
/* By then the first probe for an ACKed address has gone (its random delay
 * is at most 100 ms). */
#define ARP_PROBE_FIRST_MAX (150 * KEEL_MSEC)

/* A DHCP message the stack sent, taken apart. */
struct sent {
	struct h_frame f;
	struct h_ipv4_view ip;
	const uint8_t *msg;
	size_t len;
	uint8_t type;
	uint32_t xid;
	keel_time at; /* fake time when it was seen (within STEP) */
};

static const uint8_t *find_opt(const uint8_t *msg, size_t len, uint8_t code)
{
	size_t i = DHCP_OPTIONS_OFF;

	while (i < len && msg[i] != DHCP_OPT_END) {
		if (msg[i] == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		CHECK(i + 2 <= len && i + 2 + msg[i + 1] <= len);
		if (msg[i] == code)
			return msg + i;
		i += 2 + msg[i + 1];
	}
	CHECK(i < len);
	return NULL;
}

static uint32_t opt_addr(const uint8_t *o)
{
	uint32_t v;

	CHECK(o && o[1] == 4);
	memcpy(&v, o + 2, 4);
	return v;
}

/* Pops frames until a DHCP message from the stack (ARP is skipped);
 * false when none is waiting. Checks everything about its envelope. */
static bool pop_dhcp(struct sent *s)
{
	while (h_pop(&s->f)) {
		const uint8_t *u;

		if (net_get16(s->f.data + 12) == ETH_TYPE_ARP)
			continue;
		CHECK(h_parse_ipv4(&s->f, &s->ip));
		CHECK(s->ip.proto == IP_PROTO_UDP && s->ip.frag == 0);
		u = s->ip.l4;
		CHECK(s->ip.l4_len >= 8 && net_get16(u + 4) == s->ip.l4_len);
		CHECK(net_get16(u) == DHCP_CLIENT_PORT && net_get16(u + 2) == DHCP_SERVER_PORT);
		CHECK(h_csum_ok(
		    u, s->ip.l4_len,
		    inet_pseudo_sum(s->ip.src, s->ip.dst, IP_PROTO_UDP, (uint16_t)s->ip.l4_len)));
		s->msg = u + 8;
		s->len = s->ip.l4_len - 8;
		CHECK(s->len >= DHCP_MIN_MSG);
		CHECK(s->msg[0] == DHCP_OP_REQUEST && s->msg[1] == 1 && s->msg[2] == 6);
		CHECK(memcmp(s->msg + 28, h_stack_mac, 6) == 0);
		CHECK(memcmp(s->msg + DHCP_COOKIE_OFF, "\x63\x82\x53\x63", 4) == 0);
		const uint8_t *t = find_opt(s->msg, s->len, DHCP_OPT_MSG_TYPE);
		CHECK(t && t[1] == 1);
		s->type = t[2];
		s->xid = net_get32(s->msg + 4);
		/* The client id is always the MAC. */
		t = find_opt(s->msg, s->len, DHCP_OPT_CLIENT_ID);
		CHECK(t && t[1] == 7 && t[2] == 1 && memcmp(t + 3, h_stack_mac, 6) == 0);
		s->at = h_clock;
		return true;
	}
	return false;
}

/* Advances the clock in small steps until the stack sends a DHCP message
 * (true) or `limit` has passed (false). */
static bool wait_dhcp(struct sent *s, keel_time limit)
{
	keel_time end = h_clock + limit;

	h_run();
	while (!pop_dhcp(s)) {
		if (h_clock >= end)
			return false;
		h_advance(STEP);
	}
	return true;
}

/* A message the stack broadcast before it had an address. */
static void check_unconfigured_broadcast(const struct sent *s)
{
	CHECK(memcmp(s->ip.eth, eth_broadcast, 6) == 0);
	CHECK(s->ip.src == 0 && s->ip.dst == 0xffffffffu);
	CHECK(net_get16(s->msg + 10) == DHCP_FLAG_BROADCAST);
	CHECK(memcmp(s->msg + 12, "\0\0\0\0", 4) == 0); /* ciaddr */
}

struct lease_opts {
	uint32_t lease_s; /* 0: none */
	bool no_server_id;
	uint32_t server_id;
	uint32_t yiaddr;
	bool unicast; /* to yiaddr and our MAC instead of broadcast */
	uint16_t sport;
};

/* Injects a server reply of `type` for `xid`. */
static void reply(uint8_t type, uint32_t xid, const struct lease_opts *o)
{
	uint8_t msg[400], udp[500], frame[600];
	size_t n = DHCP_OPTIONS_OFF, ulen, flen;
	uint32_t yiaddr = o && o->yiaddr ? o->yiaddr : OFFERED;
	uint32_t server = o && o->server_id ? o->server_id : SERVER;
	uint32_t dst = o && o->unicast ? yiaddr : 0xffffffffu;
	struct h_ipv4_hdr ip = { .src = SERVER, .dst = dst, .proto = IP_PROTO_UDP, .ttl = 64 };

	memset(msg, 0, sizeof(msg));
	msg[0] = DHCP_OP_REPLY;
	msg[1] = 1;
	msg[2] = 6;
	net_put32(msg + 4, xid);
	if (type != DHCP_NAK)
		memcpy(msg + 16, &yiaddr, 4);
	memcpy(msg + 28, h_stack_mac, 6);
	memcpy(msg + DHCP_COOKIE_OFF, "\x63\x82\x53\x63", 4);
	msg[n++] = DHCP_OPT_MSG_TYPE;
	msg[n++] = 1;
	msg[n++] = type;
	if (!(o && o->no_server_id)) {
		msg[n++] = DHCP_OPT_SERVER_ID;
		msg[n++] = 4;
		memcpy(msg + n, &server, 4);
		n += 4;
	}
	if (type != DHCP_NAK) {
		msg[n++] = DHCP_OPT_LEASE_TIME;
		msg[n++] = 4;
		net_put32(msg + n, o && o->lease_s ? o->lease_s : 100);
		n += 4;
		memcpy(msg + n, "\x01\x04\xff\xff\xff\x00", 6); /* mask /24 */
		n += 6;
		memcpy(msg + n, "\x03\x04\x0a\x00\x00\x01", 6); /* router 10.0.0.1 */
		n += 6;
		memcpy(msg + n, "\x06\x08\x0a\x00\x00\x01\x0a\x00\x00\x02", 10); /* DNS */
		n += 10;
	}
	msg[n++] = DHCP_OPT_END;
	if (n < 300)
		n = 300;
	ulen = h_udp(udp, SERVER, dst, o && o->sport ? o->sport : DHCP_SERVER_PORT,
	             DHCP_CLIENT_PORT, msg, n);
	flen = h_ipv4(frame, &ip, udp, ulen);
	if (!(o && o->unicast))
		memcpy(frame, eth_broadcast, 6);
	h_inject(frame, flen);
}

/* Puts the server in the stack's ARP cache: an ARP request from it for
 * the leased address, whose reply is popped. */
static void learn_server(void)
{
	static const uint8_t zero[6];
	uint8_t f[64];
	struct h_frame r;

	h_inject(f, h_arp(f, 1, h_peer_mac, SERVER, zero, OFFERED));
	h_run();
	do
		CHECK(h_pop(&r)); /* the gratuitous ARP may come first */
	while (net_get16(r.data + 20) != 2);
	CHECK(net_get16(r.data + 12) == ETH_TYPE_ARP);
}

static void check_no_lease(struct keel_net *net)
{
	CHECK(!net->configured && net->ip_be == 0 && net->netmask_be == 0 && net->gateway_be == 0);
	CHECK(keel_net_addr(net).family == KEEL_AF_UNSPEC);
}

static void check_lease(struct keel_net *net)
{
	CHECK(net->configured && net->ip_be == OFFERED);
	CHECK(net->netmask_be == h_ip(255, 255, 255, 0) && net->gateway_be == SERVER);
	CHECK(net->dns_be == SERVER);
}

/* OFFER for the DISCOVER `d`, then the REQUEST for it; returns it. */
static void offer_and_request(const struct sent *d, struct sent *r)
{
	reply(DHCP_OFFER, d->xid, NULL);
	CHECK(wait_dhcp(r, KEEL_SEC));
	CHECK(r->type == DHCP_REQUEST && r->xid == d->xid);
	check_unconfigured_broadcast(r);
	CHECK(opt_addr(find_opt(r->msg, r->len, DHCP_OPT_REQUESTED_IP)) == OFFERED);
	CHECK(opt_addr(find_opt(r->msg, r->len, DHCP_OPT_SERVER_ID)) == SERVER);
}

/* Counts the RFC 5227 probes for OFFERED among the frames the stack
 * sent (dropping every frame popped). */
static unsigned pop_probes(void)
{
	struct h_frame f;
	unsigned n = 0;

	while (h_pop(&f)) {
		if (f.len >= 42 && net_get16(f.data + 12) == ETH_TYPE_ARP &&
		    net_get16(f.data + 20) == 1 && memcmp(f.data, eth_broadcast, 6) == 0 &&
		    memcmp(f.data + 28, "\0\0\0\0", 4) == 0 &&
		    memcmp(f.data + 38, &(uint32_t){ OFFERED }, 4) == 0)
			n++;
	}
	return n;
}

/* The ACK of a new lease: three ARP probes for the address (sender
 * 0.0.0.0) go out within 0.6 s, and only after a further 0.4 s of
 * silence is the address taken. */
static void ack_new_lease(struct keel_net *net, uint32_t xid)
{
	unsigned probes = 0;

	reply(DHCP_ACK, xid, NULL);
	h_run();
	for (int i = 0; i < 20 && probes < 3; i++) {
		probes += pop_probes();
		if (probes < 3)
			h_advance(STEP);
	}
	CHECK(probes == 3);
	check_no_lease(net);
	h_advance(300 * KEEL_MSEC);
	check_no_lease(net);
	h_advance(150 * KEEL_MSEC);
}

static void body(void *arg)
{
	struct keel_net_config cfg;
	struct keel_net *net;
	struct sent d, d2, r;
	keel_time bound_at, t0;

	keel_net_config_default(&cfg);
	cfg.log_config = false;
	t0 = h_clock;
	net = h_open(&cfg); /* no server yet: times out, keeps trying */
	check_no_lease(net);
	CHECK(net->dhcp != NULL);

	/* The first DISCOVER, and three retransmissions 4, 8, 16 s (+-1) apart,
	 * all with one xid. */
	CHECK(wait_dhcp(&d, KEEL_SEC));
	CHECK(d.type == DHCP_DISCOVER);
	check_unconfigured_broadcast(&d);
	CHECK(!find_opt(d.msg, d.len, DHCP_OPT_REQUESTED_IP));
	CHECK(find_opt(d.msg, d.len, DHCP_OPT_PARAM_LIST));
	/* It left when the stack opened; h_open waited a second after. */
	d.at = t0;
	for (unsigned i = 0; i < 3; i++) {
		keel_time base = (keel_time)4000 << i;

		CHECK(wait_dhcp(&d2, 20 * KEEL_SEC));
		CHECK(d2.type == DHCP_DISCOVER && d2.xid == d.xid);
		CHECK(d2.at - t0 >= (base - 1000) * KEEL_MSEC - STEP);
		CHECK(d2.at - t0 <= (base + 1000) * KEEL_MSEC + STEP);
		/* The secs field counts from the first DISCOVER. */
		CHECK(net_get16(d2.msg + 8) >= (d2.at - d.at) / KEEL_SEC - 1);
		t0 = d2.at;
	}

	/* Replies that are not for us, or broken, change nothing. */
	reply(DHCP_OFFER, d.xid + 1, NULL);                              /* another xid */
	reply(DHCP_OFFER, d.xid, &(struct lease_opts){ .sport = 1067 }); /* not from port 67 */
	reply(DHCP_OFFER, d.xid, &(struct lease_opts){ .no_server_id = true });
	reply(DHCP_OFFER, d.xid, &(struct lease_opts){ .yiaddr = h_ip(127, 0, 0, 1) });
	reply(DHCP_ACK, d.xid, NULL); /* an ACK while selecting */
	{
		uint8_t junk[64] = { DHCP_OP_REPLY, 1, 6 }, udp[128], frame[256];
		struct h_ipv4_hdr ip = {
			.src = SERVER, .dst = 0xffffffffu, .proto = IP_PROTO_UDP, .ttl = 64
		};
		size_t ulen = h_udp(udp, SERVER, 0xffffffffu, 67, 68, junk, sizeof(junk));
		size_t flen = h_ipv4(frame, &ip, udp, ulen);

		memcpy(frame, eth_broadcast, 6);
		h_inject(frame, flen);
	}
	h_run();
	CHECK(!pop_dhcp(&r));
	check_no_lease(net);

	/* A good OFFER (unicast to the offered address, as some servers do):
	 * the REQUEST follows at once. Then a NAK: a fresh DISCOVER with a new
	 * xid after a pause of 1-2 s. */
	reply(DHCP_OFFER, d.xid, &(struct lease_opts){ .unicast = true });
	CHECK(wait_dhcp(&r, KEEL_SEC));
	CHECK(r.type == DHCP_REQUEST && r.xid == d.xid);
	check_unconfigured_broadcast(&r);
	/* A NAK from another server does not count. */
	reply(DHCP_NAK, r.xid, &(struct lease_opts){ .server_id = h_ip(10, 0, 0, 9) });
	h_run();
	CHECK(!pop_dhcp(&d2));
	reply(DHCP_NAK, r.xid, NULL);
	t0 = h_clock;
	CHECK(wait_dhcp(&d, 5 * KEEL_SEC));
	CHECK(d.type == DHCP_DISCOVER && d.xid != r.xid);
	CHECK(d.at - t0 >= 1000 * KEEL_MSEC - STEP && d.at - t0 <= 2000 * KEEL_MSEC + STEP);
	check_no_lease(net);

	/* OFFER, REQUEST, ACK: bound. Lease 100 s: T1 50 s, T2 87 s (7/8 in
	 * whole seconds). */
	offer_and_request(&d, &r);
	ack_new_lease(net, r.xid);
	bound_at = r.at;
	check_lease(net);
	CHECK(keel_net_addr(net).family == KEEL_AF_INET4);
	/* The gratuitous ARP of the new address, then the server's MAC, for
	 * the unicast renewal. */
	CHECK(h_pop(&r.f) && net_get16(r.f.data + 12) == ETH_TYPE_ARP);
	CHECK(memcmp(r.f.data, eth_broadcast, 6) == 0);
	learn_server();

	/* Silence until T1; then a REQUEST unicast to the server from our
	 * address, with ciaddr and neither option 50 nor 54. */
	CHECK(wait_dhcp(&r, 60 * KEEL_SEC));
	CHECK(r.type == DHCP_REQUEST);
	CHECK(r.at - bound_at >= 50 * KEEL_SEC - STEP && r.at - bound_at <= 50 * KEEL_SEC + STEP);
	CHECK(memcmp(r.ip.eth, h_peer_mac, 6) == 0);
	CHECK(r.ip.src == OFFERED && r.ip.dst == SERVER);
	CHECK(memcmp(r.msg + 12, &(uint32_t){ OFFERED }, 4) == 0);
	CHECK(net_get16(r.msg + 10) == 0);
	CHECK(!find_opt(r.msg, r.len, DHCP_OPT_REQUESTED_IP) &&
	      !find_opt(r.msg, r.len, DHCP_OPT_SERVER_ID));
	check_lease(net);

	/* No answer: the next try is at T2 (half of the 37 s left is below
	 * the 60 s floor), broadcast from our address. */
	CHECK(wait_dhcp(&r, 60 * KEEL_SEC));
	CHECK(r.type == DHCP_REQUEST);
	CHECK(r.at - bound_at >= 87 * KEEL_SEC - STEP && r.at - bound_at <= 87 * KEEL_SEC + STEP);
	CHECK(memcmp(r.ip.eth, eth_broadcast, 6) == 0);
	CHECK(r.ip.src == OFFERED && r.ip.dst == 0xffffffffu);
	CHECK(memcmp(r.msg + 12, &(uint32_t){ OFFERED }, 4) == 0);
	check_lease(net);

	/* An ACK while rebinding renews the lease from when it was asked. */
	reply(DHCP_ACK, r.xid, &(struct lease_opts){ .unicast = true });
	h_run();
	bound_at = r.at;
	check_lease(net);

	/* Now nobody answers: T1 unicast, T2 broadcast, then at expiry the
	 * address goes and DISCOVER starts over. */
	CHECK(wait_dhcp(&r, 60 * KEEL_SEC) && r.ip.dst == SERVER);
	CHECK(wait_dhcp(&r, 60 * KEEL_SEC) && r.ip.dst == 0xffffffffu);
	CHECK(r.at - bound_at >= 87 * KEEL_SEC - STEP);
	CHECK(wait_dhcp(&d, 30 * KEEL_SEC));
	CHECK(d.type == DHCP_DISCOVER);
	CHECK(d.at - bound_at >= 100 * KEEL_SEC - STEP && d.at - bound_at <= 100 * KEEL_SEC + STEP);
	check_unconfigured_broadcast(&d);
	check_no_lease(net);
	CHECK(net->dns_be == 0);

	/* Bound again; a NAK to the renewal drops the address at once. */
	offer_and_request(&d, &r);
	ack_new_lease(net, r.xid);
	check_lease(net);
	learn_server();
	CHECK(wait_dhcp(&r, 60 * KEEL_SEC) && r.ip.dst == SERVER);
	reply(DHCP_NAK, r.xid, &(struct lease_opts){ .unicast = true, .yiaddr = OFFERED });
	h_run();
	check_no_lease(net);
	CHECK(wait_dhcp(&d, 5 * KEEL_SEC) && d.type == DHCP_DISCOVER);
	check_unconfigured_broadcast(&d);

	/* Another host answers a probe for the address: DECLINE (from
	 * 0.0.0.0, naming the address and the server), no lease, and a fresh
	 * DISCOVER only 10 s later. */
	offer_and_request(&d, &r);
	reply(DHCP_ACK, r.xid, NULL);
	h_run();
	h_advance(ARP_PROBE_FIRST_MAX);
	{
		static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x33 };
		uint8_t f[64];

		h_inject(f, h_arp(f, 2, other, OFFERED, h_stack_mac, 0));
	}
	t0 = h_clock;
	CHECK(wait_dhcp(&r, KEEL_SEC) && r.type == DHCP_DECLINE);
	check_unconfigured_broadcast(&r);
	CHECK(opt_addr(find_opt(r.msg, r.len, DHCP_OPT_REQUESTED_IP)) == OFFERED);
	CHECK(opt_addr(find_opt(r.msg, r.len, DHCP_OPT_SERVER_ID)) == SERVER);
	check_no_lease(net);
	CHECK(wait_dhcp(&d, 15 * KEEL_SEC) && d.type == DHCP_DISCOVER);
	CHECK(d.at - t0 >= 10 * KEEL_SEC);
	check_no_lease(net);

	/* Bound once more; closing the stack gives the lease back: a
	 * RELEASE from the address, unicast to the server that leased it. */
	offer_and_request(&d, &r);
	ack_new_lease(net, r.xid);
	check_lease(net);
	learn_server();
	h_tx_clear();
	CHECK(keel_net_close(net, 0) == KEEL_OK);
	CHECK(pop_dhcp(&r) && r.type == DHCP_RELEASE);
	CHECK(r.ip.src == OFFERED && r.ip.dst == SERVER);
	CHECK(memcmp(r.ip.eth, h_peer_mac, 6) == 0);
	CHECK(net_get16(r.msg + 10) == 0); /* no broadcast flag */
	CHECK(memcmp(r.msg + 12, &(uint32_t){ OFFERED }, 4) == 0); /* ciaddr */
	CHECK(opt_addr(find_opt(r.msg, r.len, DHCP_OPT_SERVER_ID)) == SERVER);
	CHECK(find_opt(r.msg, r.len, DHCP_OPT_REQUESTED_IP) == NULL);
	CHECK(!pop_dhcp(&r));
}

int main(void)
{
	return h_main("net/dhcp_client", body, NULL);
}

/*
 * dhcp_msg_test — the DHCP message format of lib/net (dhcp_msg.c): the
 * requests the client builds, and the parser of server replies fed good,
 * truncated, overflowing, overloaded and foreign messages. Also the
 * client's timing rules (backoff, T1/T2) and address checks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dhcp_impl.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
#define XID 0x1a2b3c4du

static uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t v[4] = { a, b, c, d };
	uint32_t out;

	memcpy(&out, v, 4);
	return out;
}

/* A reply under construction: header, cookie, then options appended. */
struct msg {
	uint8_t b[1600];
	size_t len;
};

static void reply_header(struct msg *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = DHCP_OP_REPLY;
	m->b[1] = 1;
	m->b[2] = 6;
	net_put32(m->b + 4, XID);
	memcpy(m->b + 16, (uint8_t[]){ 10, 0, 0, 50 }, 4); /* yiaddr */
	memcpy(m->b + 20, (uint8_t[]){ 10, 0, 0, 1 }, 4);  /* siaddr */
	memcpy(m->b + 28, mac, 6);
	memcpy(m->b + 236, (uint8_t[]){ 99, 130, 83, 99 }, 4);
	m->len = DHCP_OPTIONS_OFF;
	if (type) {
		m->b[m->len++] = DHCP_OPT_MSG_TYPE;
		m->b[m->len++] = 1;
		m->b[m->len++] = type;
	}
}

static void opt(struct msg *m, uint8_t code, uint8_t len, const void *v)
{
	m->b[m->len++] = code;
	m->b[m->len++] = len;
	memcpy(m->b + m->len, v, len);
	m->len += len;
}

static void opt32(struct msg *m, uint8_t code, uint32_t host_value)
{
	uint8_t v[4];

	net_put32(v, host_value);
	opt(m, code, 4, v);
}

static void end(struct msg *m)
{
	m->b[m->len++] = DHCP_OPT_END;
}

/* A typical OFFER as dnsmasq sends it. */
static void good_offer(struct msg *m, uint8_t type)
{
	reply_header(m, type);
	opt(m, DHCP_OPT_SERVER_ID, 4, (uint8_t[]){ 10, 0, 0, 1 });
	opt32(m, DHCP_OPT_LEASE_TIME, 3600);
	opt32(m, DHCP_OPT_T1, 1800);
	opt32(m, DHCP_OPT_T2, 3150);
	opt(m, DHCP_OPT_SUBNET_MASK, 4, (uint8_t[]){ 255, 255, 255, 0 });
	opt(m, 28, 4, (uint8_t[]){ 10, 0, 0, 255 }); /* broadcast address: skipped */
	opt(m, DHCP_OPT_ROUTER, 4, (uint8_t[]){ 10, 0, 0, 1 });
	opt(m, DHCP_OPT_DNS, 4, (uint8_t[]){ 10, 0, 0, 1 });
	end(m);
	while (m->len < 300)
		m->b[m->len++] = 0;
}

static int parse(const struct msg *m, struct dhcp_reply *r)
{
	/* A copy of exactly len bytes on the heap, so ASan sees any read past
	 * the end. */
	uint8_t *copy = malloc(m->len ? m->len : 1);
	int err;

	memcpy(copy, m->b, m->len);
	err = dhcp_parse_reply(copy, m->len, XID, mac, r);
	free(copy);
	return err;
}

static void test_good_offer(void)
{
	struct msg m;
	struct dhcp_reply r;

	good_offer(&m, DHCP_OFFER);
	CHECK(parse(&m, &r) == KEEL_OK);
	CHECK(r.type == DHCP_OFFER);
	CHECK(r.xid == XID);
	CHECK(r.yiaddr_be == ip(10, 0, 0, 50));
	CHECK(r.siaddr_be == ip(10, 0, 0, 1));
	CHECK(r.have == (DHCP_HAVE_SERVER_ID | DHCP_HAVE_LEASE | DHCP_HAVE_T1 | DHCP_HAVE_T2 |
	                 DHCP_HAVE_NETMASK | DHCP_HAVE_ROUTER | DHCP_HAVE_DNS));
	CHECK(r.server_id_be == ip(10, 0, 0, 1));
	CHECK(r.netmask_be == ip(255, 255, 255, 0));
	CHECK(r.router_be == ip(10, 0, 0, 1));
	CHECK(r.dns_count == 1 && r.dns_be[0] == ip(10, 0, 0, 1));
	CHECK(r.lease_s == 3600 && r.t1_s == 1800 && r.t2_s == 3150);

	good_offer(&m, DHCP_ACK);
	CHECK(parse(&m, &r) == KEEL_OK && r.type == DHCP_ACK);
	reply_header(&m, DHCP_NAK);
	end(&m);
	CHECK(parse(&m, &r) == KEEL_OK && r.type == DHCP_NAK && r.have == 0);
}

/* Every prefix of a good message: nothing is read past the end, and a cut
 * inside the header or an option is refused. */
static void test_truncated(void)
{
	struct msg m, cut;
	struct dhcp_reply r;
	size_t end_at;

	good_offer(&m, DHCP_OFFER);
	for (end_at = DHCP_OPTIONS_OFF; m.b[end_at] != DHCP_OPT_END; end_at += 2 + m.b[end_at + 1])
		;
	for (size_t len = 0; len <= m.len; len++) {
		int err;

		cut = m;
		cut.len = len;
		err = parse(&cut, &r);
		if (len < DHCP_OPTIONS_OFF + 3) /* not even the message type */
			CHECK(err == KEEL_EINVAL);
		else if (len > end_at)
			CHECK(err == KEEL_OK);
		else
			/* Cut inside the options: refused when it cuts an
			 * option, accepted when it falls between two. */
			CHECK(err == KEEL_EINVAL || err == KEEL_OK);
	}
	/* Cut in the middle of the lease time option. */
	cut = m;
	cut.len = DHCP_OPTIONS_OFF + 3 + 6 + 4;
	CHECK(parse(&cut, &r) == KEEL_EINVAL);
	/* Cut between options: accepted without End. */
	cut.len = DHCP_OPTIONS_OFF + 3 + 6;
	CHECK(parse(&cut, &r) == KEEL_OK && r.type == DHCP_OFFER && r.have == DHCP_HAVE_SERVER_ID);
}

static void test_header_checks(void)
{
	struct msg m, bad;
	struct dhcp_reply r;

	good_offer(&m, DHCP_OFFER);
	bad = m;
	bad.b[0] = DHCP_OP_REQUEST; /* a client's message, e.g. our own broadcast */
	CHECK(parse(&bad, &r) == KEEL_EINVAL);
	bad = m;
	bad.b[1] = 6; /* htype IEEE 802 */
	CHECK(parse(&bad, &r) == KEEL_EINVAL);
	bad = m;
	bad.b[2] = 16;
	CHECK(parse(&bad, &r) == KEEL_EINVAL);
	bad = m;
	bad.b[239] = 98; /* cookie */
	CHECK(parse(&bad, &r) == KEEL_EINVAL);
	bad = m;
	bad.b[7] ^= 1; /* xid */
	CHECK(parse(&bad, &r) == KEEL_ENOENT);
	bad = m;
	bad.b[33] ^= 1; /* chaddr */
	CHECK(parse(&bad, &r) == KEEL_ENOENT);
	/* The rest of chaddr (bytes 6..15) is padding nobody checks. */
	bad = m;
	bad.b[40] = 0xee;
	CHECK(parse(&bad, &r) == KEEL_OK);
}

static void test_options(void)
{
	struct msg m;
	struct dhcp_reply r;

	/* No message type: a BOOTP reply. */
	reply_header(&m, 0);
	opt(&m, DHCP_OPT_SERVER_ID, 4, (uint8_t[]){ 10, 0, 0, 1 });
	end(&m);
	CHECK(parse(&m, &r) == KEEL_EINVAL);
	/* Client message types from a "server". */
	for (uint8_t t = 0; t <= 10; t++) {
		reply_header(&m, t);
		end(&m);
		if (t == DHCP_OFFER || t == DHCP_ACK || t == DHCP_NAK)
			CHECK(parse(&m, &r) == KEEL_OK);
		else
			CHECK(parse(&m, &r) == KEEL_EINVAL);
	}
	/* Message type of the wrong length. */
	reply_header(&m, 0);
	opt(&m, DHCP_OPT_MSG_TYPE, 2, (uint8_t[]){ DHCP_OFFER, 0 });
	end(&m);
	CHECK(parse(&m, &r) == KEEL_EINVAL);

	/* An option whose length runs past the end of the message. */
	reply_header(&m, DHCP_OFFER);
	m.b[m.len++] = DHCP_OPT_DNS;
	m.b[m.len++] = 8;
	memcpy(m.b + m.len, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	m.len += 4;
	CHECK(parse(&m, &r) == KEEL_EINVAL);
	/* A code without its length byte at the very end. */
	reply_header(&m, DHCP_OFFER);
	m.b[m.len++] = DHCP_OPT_ROUTER;
	CHECK(parse(&m, &r) == KEEL_EINVAL);

	/* Lengths that do not suit the code. */
	static const struct {
		uint8_t code, len;
	} wrong[] = {
		{ DHCP_OPT_SUBNET_MASK, 3 }, { DHCP_OPT_SUBNET_MASK, 5 }, { DHCP_OPT_SERVER_ID, 0 },
		{ DHCP_OPT_ROUTER, 0 },      { DHCP_OPT_ROUTER, 6 },      { DHCP_OPT_DNS, 3 },
		{ DHCP_OPT_LEASE_TIME, 2 },  { DHCP_OPT_T1, 8 },          { DHCP_OPT_T2, 1 },
		{ DHCP_OPT_OVERLOAD, 2 },
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		uint8_t zeros[16] = { 0 };

		reply_header(&m, DHCP_OFFER);
		opt(&m, wrong[i].code, wrong[i].len, zeros);
		end(&m);
		CHECK(parse(&m, &r) == KEEL_EINVAL);
	}
	/* Overload values other than 1..3. */
	reply_header(&m, DHCP_OFFER);
	opt(&m, DHCP_OPT_OVERLOAD, 1, (uint8_t[]){ 4 });
	end(&m);
	CHECK(parse(&m, &r) == KEEL_EINVAL);

	/* Pads anywhere, unknown options of any length, nothing after End is
	 * read, the first of a repeated option counts. */
	reply_header(&m, DHCP_OFFER);
	m.b[m.len++] = DHCP_OPT_PAD;
	m.b[m.len++] = DHCP_OPT_PAD;
	opt(&m, 200, 255, (uint8_t[255]){ 0 });
	opt(&m, DHCP_OPT_SUBNET_MASK, 4, (uint8_t[]){ 255, 255, 0, 0 });
	opt(&m, DHCP_OPT_SUBNET_MASK, 4, (uint8_t[]){ 255, 0, 0, 0 });
	m.b[m.len++] = DHCP_OPT_PAD;
	end(&m);
	m.b[m.len++] = DHCP_OPT_ROUTER; /* garbage after End */
	m.b[m.len++] = 200;
	CHECK(parse(&m, &r) == KEEL_OK);
	CHECK(r.netmask_be == ip(255, 255, 0, 0) && !(r.have & DHCP_HAVE_ROUTER));

	/* Several routers and DNS servers: the first router, three servers. */
	reply_header(&m, DHCP_ACK);
	opt(&m, DHCP_OPT_ROUTER, 8, (uint8_t[]){ 10, 0, 0, 254, 10, 0, 0, 253 });
	opt(&m, DHCP_OPT_DNS, 16, (uint8_t[]){ 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4 });
	end(&m);
	CHECK(parse(&m, &r) == KEEL_OK);
	CHECK(r.router_be == ip(10, 0, 0, 254));
	CHECK(r.dns_count == DHCP_MAX_DNS && r.dns_be[2] == ip(3, 3, 3, 3));
}

/* Option 52: more options in `file`, then `sname` (RFC 2131 4.1). */
static void test_overload(void)
{
	struct msg m;
	struct dhcp_reply r;
	uint8_t *file = m.b + DHCP_FILE_OFF, *sname = m.b + DHCP_SNAME_OFF;

	reply_header(&m, 0);
	opt(&m, DHCP_OPT_OVERLOAD, 1, (uint8_t[]){ 3 });
	end(&m);
	/* file: message type, lease, and an overload that must be ignored. */
	memcpy(file,
	       (uint8_t[]){ DHCP_OPT_MSG_TYPE, 1, DHCP_ACK, DHCP_OPT_LEASE_TIME, 4, 0, 0, 1, 0,
	                    DHCP_OPT_OVERLOAD, 1, 9, DHCP_OPT_END },
	       13);
	/* sname: server id, then no End: the field's end ends it. */
	memcpy(sname, (uint8_t[]){ DHCP_OPT_SERVER_ID, 4, 10, 0, 0, 9 }, 6);
	memset(sname + 6, DHCP_OPT_PAD, DHCP_SNAME_LEN - 6);
	CHECK(parse(&m, &r) == KEEL_OK);
	CHECK(r.type == DHCP_ACK && r.lease_s == 256 && r.server_id_be == ip(10, 0, 0, 9));

	/* Without the overload option the same fields are not options. */
	m.b[DHCP_OPTIONS_OFF] = DHCP_OPT_PAD;
	m.b[DHCP_OPTIONS_OFF + 1] = DHCP_OPT_PAD;
	m.b[DHCP_OPTIONS_OFF + 2] = DHCP_OPT_PAD;
	CHECK(parse(&m, &r) == KEEL_EINVAL); /* no message type */

	/* An option that crosses the end of sname is refused. */
	reply_header(&m, DHCP_OFFER);
	opt(&m, DHCP_OPT_OVERLOAD, 1, (uint8_t[]){ 2 });
	end(&m);
	memset(sname, DHCP_OPT_PAD, DHCP_SNAME_LEN);
	sname[DHCP_SNAME_LEN - 3] = DHCP_OPT_ROUTER;
	sname[DHCP_SNAME_LEN - 2] = 4;
	CHECK(parse(&m, &r) == KEEL_EINVAL);
	/* Overload 1 reads only file: sname garbage is not looked at. */
	m.b[DHCP_OPTIONS_OFF + 3 + 2] = 1;
	memset(file, DHCP_OPT_PAD, DHCP_FILE_LEN);
	CHECK(parse(&m, &r) == KEEL_OK);
}

/* A walker over the options of a message we built. */
static const uint8_t *find_opt(const uint8_t *b, size_t len, uint8_t code)
{
	size_t i = DHCP_OPTIONS_OFF;

	while (i < len && b[i] != DHCP_OPT_END) {
		if (b[i] == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		CHECK(i + 2 <= len && i + 2 + b[i + 1] <= len);
		if (b[i] == code)
			return b + i;
		i += 2 + b[i + 1];
	}
	CHECK(i < len); /* End is there */
	return NULL;
}

static void test_build(void)
{
	uint8_t b[DHCP_MAX_MSG];
	struct dhcp_request req = {
		.type = DHCP_DISCOVER, .xid = XID, .secs = 7, .broadcast = true
	};
	const uint8_t *o;
	size_t len;

	memcpy(req.mac, mac, 6);
	len = dhcp_build_request(b, sizeof(b), &req);
	CHECK(len == DHCP_MIN_MSG);
	CHECK(b[0] == DHCP_OP_REQUEST && b[1] == 1 && b[2] == 6 && b[3] == 0);
	CHECK(net_get32(b + 4) == XID && net_get16(b + 8) == 7 && net_get16(b + 10) == 0x8000);
	CHECK(memcmp(b + 12, (uint8_t[16]){ 0 }, 16) == 0); /* ciaddr .. giaddr */
	CHECK(memcmp(b + 28, mac, 6) == 0);
	CHECK(memcmp(b + 236, (uint8_t[]){ 99, 130, 83, 99 }, 4) == 0);
	o = find_opt(b, len, DHCP_OPT_MSG_TYPE);
	CHECK(o && o[1] == 1 && o[2] == DHCP_DISCOVER);
	o = find_opt(b, len, DHCP_OPT_CLIENT_ID);
	CHECK(o && o[1] == 7 && o[2] == 1 && memcmp(o + 3, mac, 6) == 0);
	o = find_opt(b, len, DHCP_OPT_PARAM_LIST);
	CHECK(o && memchr(o + 2, DHCP_OPT_DNS, o[1]) && memchr(o + 2, DHCP_OPT_ROUTER, o[1]));
	o = find_opt(b, len, DHCP_OPT_MAX_SIZE);
	CHECK(o && o[1] == 2 && net_get16(o + 2) == DHCP_MAX_MSG);
	CHECK(!find_opt(b, len, DHCP_OPT_REQUESTED_IP) && !find_opt(b, len, DHCP_OPT_SERVER_ID));

	/* REQUEST in REQUESTING: requested address and server id. */
	req.type = DHCP_REQUEST;
	req.requested_be = ip(10, 0, 0, 50);
	req.server_id_be = ip(10, 0, 0, 1);
	len = dhcp_build_request(b, sizeof(b), &req);
	o = find_opt(b, len, DHCP_OPT_REQUESTED_IP);
	CHECK(o && o[1] == 4 && memcmp(o + 2, (uint8_t[]){ 10, 0, 0, 50 }, 4) == 0);
	o = find_opt(b, len, DHCP_OPT_SERVER_ID);
	CHECK(o && o[1] == 4 && memcmp(o + 2, (uint8_t[]){ 10, 0, 0, 1 }, 4) == 0);

	/* REQUEST in RENEWING: ciaddr, no broadcast flag, neither option. */
	req.requested_be = req.server_id_be = 0;
	req.ciaddr_be = ip(10, 0, 0, 50);
	req.broadcast = false;
	len = dhcp_build_request(b, sizeof(b), &req);
	CHECK(memcmp(b + 12, (uint8_t[]){ 10, 0, 0, 50 }, 4) == 0 && net_get16(b + 10) == 0);
	CHECK(!find_opt(b, len, DHCP_OPT_REQUESTED_IP) && !find_opt(b, len, DHCP_OPT_SERVER_ID));

	/* Too small a buffer. */
	CHECK(dhcp_build_request(b, DHCP_MIN_MSG - 1, &req) == 0);
	CHECK(dhcp_build_request(b, 0, &req) == 0);
}

static void test_timing(void)
{
	struct dhcp_reply r = { 0 };
	struct dhcp_times t;

	for (unsigned a = 0; a < 10; a++) {
		keel_time want = a >= 4 ? 64000 : 4000u << a;

		CHECK(dhcp_backoff_ms(a, 0) == want - 1000);
		CHECK(dhcp_backoff_ms(a, 1000) == want);
		CHECK(dhcp_backoff_ms(a, 2000) == want + 1000);
		CHECK(dhcp_backoff_ms(a, 2001) == want - 1000);
		CHECK(dhcp_backoff_ms(a, UINT64_MAX) >= want - 1000 &&
		      dhcp_backoff_ms(a, UINT64_MAX) <= want + 1000);
	}
	CHECK(dhcp_backoff_ms(UINT32_MAX, 1000) == 64000);

	/* No lease time: infinite. */
	dhcp_lease_times(&r, &t);
	CHECK(t.t1_s == DHCP_INFINITE && t.t2_s == DHCP_INFINITE && t.lease_s == DHCP_INFINITE);
	r.have = DHCP_HAVE_LEASE;
	r.lease_s = DHCP_INFINITE;
	dhcp_lease_times(&r, &t);
	CHECK(t.t1_s == DHCP_INFINITE && t.lease_s == DHCP_INFINITE);
	/* Defaults: 1/2 and 7/8. */
	r.lease_s = 3600;
	dhcp_lease_times(&r, &t);
	CHECK(t.t1_s == 1800 && t.t2_s == 3150 && t.lease_s == 3600);
	/* The server's own, when in order. */
	r.have |= DHCP_HAVE_T1 | DHCP_HAVE_T2;
	r.t1_s = 100;
	r.t2_s = 200;
	dhcp_lease_times(&r, &t);
	CHECK(t.t1_s == 100 && t.t2_s == 200);
	/* T2 past the lease: default T2; T1 past T2: default T1. */
	r.t2_s = 4000;
	r.t1_s = 3500;
	dhcp_lease_times(&r, &t);
	CHECK(t.t2_s == 3150 && t.t1_s == 1800);
	r.t2_s = 1000; /* T2 in order, T1 above it */
	dhcp_lease_times(&r, &t);
	CHECK(t.t2_s == 1000 && t.t1_s <= 1000);
	/* A lease of 0 or 1 s is taken as the minimum. */
	r.have = DHCP_HAVE_LEASE;
	r.lease_s = 0;
	dhcp_lease_times(&r, &t);
	CHECK(t.lease_s == DHCP_MIN_LEASE && t.t1_s == DHCP_MIN_LEASE / 2 &&
	      t.t2_s == DHCP_MIN_LEASE * 7 / 8);
	/* Largest finite lease: no overflow. */
	r.lease_s = DHCP_INFINITE - 1;
	dhcp_lease_times(&r, &t);
	CHECK(t.lease_s == DHCP_INFINITE - 1 && t.t1_s < t.t2_s && t.t2_s < t.lease_s);
}

static void test_addresses(void)
{
	CHECK(dhcp_addr_usable(ip(10, 0, 0, 50)));
	CHECK(dhcp_addr_usable(ip(192, 168, 1, 2)));
	CHECK(!dhcp_addr_usable(0));
	CHECK(!dhcp_addr_usable(ip(255, 255, 255, 255)));
	CHECK(!dhcp_addr_usable(ip(127, 0, 0, 1)));
	CHECK(!dhcp_addr_usable(ip(0, 1, 2, 3)));
	CHECK(!dhcp_addr_usable(ip(224, 0, 0, 1)));
	CHECK(!dhcp_addr_usable(ip(240, 0, 0, 1)));
	CHECK(dhcp_default_netmask(ip(10, 1, 2, 3)) == ip(255, 0, 0, 0));
	CHECK(dhcp_default_netmask(ip(172, 16, 2, 3)) == ip(255, 255, 0, 0));
	CHECK(dhcp_default_netmask(ip(192, 168, 2, 3)) == ip(255, 255, 255, 0));
}

/* Random bytes flipped in a good message, many times: the parser must
 * neither read out of bounds (ASan) nor accept a message that breaks the
 * rules it promises. */
static void test_mutations(void)
{
	uint64_t s = 0x243f6a8885a308d3ull;

	for (unsigned iter = 0; iter < 200000; iter++) {
		struct msg m;
		struct dhcp_reply r;
		int err;

		good_offer(&m, iter & 1 ? DHCP_OFFER : DHCP_ACK);
		for (unsigned k = 0; k < 1 + iter % 4; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			/* Mostly in the options, where the structure is. */
			size_t at =
			    DHCP_OPTIONS_OFF - 8 + (s >> 8) % (m.len - DHCP_OPTIONS_OFF + 8);
			m.b[at] = (uint8_t)(s >> 40);
		}
		if (iter % 3 == 0)
			m.len = DHCP_OPTIONS_OFF + (s >> 20) % (m.len - DHCP_OPTIONS_OFF + 1);
		err = parse(&m, &r);
		CHECK(err == KEEL_OK || err == KEEL_EINVAL || err == KEEL_ENOENT);
		if (err == KEEL_OK) {
			CHECK(r.type == DHCP_OFFER || r.type == DHCP_ACK || r.type == DHCP_NAK);
			CHECK(r.dns_count <= DHCP_MAX_DNS);
		}
	}
}

int main(void)
{
	test_good_offer();
	test_truncated();
	test_header_checks();
	test_options();
	test_overload();
	test_build();
	test_timing();
	test_addresses();
	test_mutations();
	printf("PASS net/dhcp_msg\n");
	return 0;
}

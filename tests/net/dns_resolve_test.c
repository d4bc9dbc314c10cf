/*
 * dns_resolve_test — keel_resolve() of lib/net (dns.c) against a fake
 * server played by the test, on the harness's fake device and clock:
 * dotted quads and bad names without traffic; the query's envelope;
 * replies from the wrong address, port, id or question ignored; the
 * cache and its TTL; resends after 1, 2, 4, 8 s and the caller's deadline;
 * NXDOMAIN, SERVFAIL, REFUSED; truncation (an address in the cut answer
 * is taken; without one the question goes again over TCP, to a server
 * played with tests/net/tcp_util.h, that answers, refuses, or sends too
 * much); CNAME chains followed across queries and cut at DNS_CNAME_MAX
 * links; no server configured.
 */
#include <string.h>

#include "dns_impl.h"
#include "harness.h"
#include "tcp_util.h"

#define SERVER H_PEER_IP
#define STEP (10 * KEEL_MSEC)

/* One keel_resolve() running in its own fiber. */
struct job {
	struct keel_net *net;
	const char *name;
	keel_time deadline;
	struct keel_addr addr;
	int result;
	bool done;
	keel_time finished;
};

static void resolve_fiber(void *arg)
{
	struct job *j = arg;

	j->result = keel_resolve(j->net, j->name, &j->addr, j->deadline);
	j->finished = h_clock;
	j->done = true;
}

static void start(struct job *j, struct keel_net *net, const char *name, keel_time timeout)
{
	memset(j, 0, sizeof(*j));
	j->net = net;
	j->name = name;
	j->deadline = timeout == KEEL_FOREVER ? KEEL_FOREVER : h_clock + timeout;
	CHECK(keel_fiber_spawn(resolve_fiber, j, 0));
	h_run();
}

/* A query the stack sent, taken apart. */
struct query {
	struct h_frame f;
	struct h_ipv4_view ip;
	uint16_t sport, id;
	uint8_t qname[DNS_NAME_WIRE_MAX];
	size_t qname_len;
	keel_time at;
};

static bool pop_query(struct query *q)
{
	while (h_pop(&q->f)) {
		const uint8_t *u, *m;
		size_t mlen, next;

		if (net_get16(q->f.data + 12) == ETH_TYPE_ARP)
			continue;
		CHECK(h_parse_ipv4(&q->f, &q->ip));
		CHECK(q->ip.proto == IP_PROTO_UDP);
		CHECK(q->ip.src == H_STACK_IP && q->ip.dst == SERVER);
		CHECK(memcmp(q->ip.eth, h_peer_mac, 6) == 0);
		u = q->ip.l4;
		CHECK(h_csum_ok(
		    u, q->ip.l4_len,
		    inet_pseudo_sum(q->ip.src, q->ip.dst, IP_PROTO_UDP, (uint16_t)q->ip.l4_len)));
		q->sport = net_get16(u);
		CHECK(q->sport >= 49152);
		CHECK(net_get16(u + 2) == DNS_PORT);
		m = u + 8;
		mlen = q->ip.l4_len - 8;
		CHECK(mlen > DNS_HEADER_LEN + 4);
		q->id = net_get16(m);
		CHECK(m[2] == 0x01 && m[3] == 0); /* query, opcode 0, RD */
		CHECK(memcmp(m + 4, "\0\1\0\0\0\0\0\0", 8) == 0);
		CHECK(dns_name_read(m, mlen, DNS_HEADER_LEN, q->qname, &q->qname_len, &next) ==
		      KEEL_OK);
		CHECK(next + 4 == mlen);
		CHECK(net_get16(m + next) == DNS_TYPE_A && net_get16(m + next + 2) == DNS_CLASS_IN);
		q->at = h_clock;
		return true;
	}
	return false;
}

static bool wait_query(struct query *q, keel_time limit)
{
	keel_time end = h_clock + limit;

	h_run();
	while (!pop_query(q)) {
		if (h_clock >= end)
			return false;
		h_advance(STEP);
	}
	return true;
}

static void wait_done(struct job *j, keel_time limit)
{
	keel_time end = h_clock + limit;

	h_run();
	while (!j->done) {
		CHECK(h_clock < end);
		h_advance(STEP);
	}
}

/* ---- Answers ----------------------------------------------------------- */

struct answer {
	uint8_t b[600];
	size_t len;
};

/* Header and question echoing the query q. */
static void answer_start(struct answer *a, const struct query *q, uint16_t flags, uint16_t an)
{
	memset(a, 0, sizeof(*a));
	net_put16(a->b, q->id);
	net_put16(a->b + 2, flags);
	net_put16(a->b + 4, 1);
	net_put16(a->b + 6, an);
	a->len = DNS_HEADER_LEN;
	memcpy(a->b + a->len, q->qname, q->qname_len);
	a->len += q->qname_len;
	net_put16(a->b + a->len, DNS_TYPE_A);
	net_put16(a->b + a->len + 2, DNS_CLASS_IN);
	a->len += 4;
}

static void answer_rr(struct answer *a, uint16_t type, uint32_t ttl, const void *rdata,
                      uint16_t rdlen)
{
	net_put16(a->b + a->len, 0xc00c); /* owner: the question's name */
	net_put16(a->b + a->len + 2, type);
	net_put16(a->b + a->len + 4, DNS_CLASS_IN);
	net_put32(a->b + a->len + 6, ttl);
	net_put16(a->b + a->len + 10, rdlen);
	memcpy(a->b + a->len + 12, rdata, rdlen);
	a->len += 12 + (size_t)rdlen;
}

/* Sends the answer to the query's port from (src, sport). */
static void send_answer(const struct answer *a, const struct query *q, uint32_t src, uint16_t sport)
{
	uint8_t udp[700], frame[800];
	struct h_ipv4_hdr ip = { .src = src, .dst = H_STACK_IP, .proto = IP_PROTO_UDP, .ttl = 64 };
	size_t ulen = h_udp(udp, src, H_STACK_IP, sport, q->sport, a->b, a->len);

	h_inject(frame, h_ipv4(frame, &ip, udp, ulen));
	h_run();
}

/* The usual good answer: one A record. */
static void answer_a(const struct query *q, uint32_t addr_be, uint32_t ttl)
{
	struct answer a;

	answer_start(&a, q, 0x8180, 1);
	answer_rr(&a, DNS_TYPE_A, ttl, &addr_be, 4);
	send_answer(&a, q, SERVER, DNS_PORT);
}

static void answer_rcode(const struct query *q, uint8_t rcode)
{
	struct answer a;

	answer_start(&a, q, (uint16_t)(0x8180 | rcode), 0);
	send_answer(&a, q, SERVER, DNS_PORT);
}

static void check_qname(const struct query *q, const char *text)
{
	uint8_t w[DNS_NAME_WIRE_MAX];
	int n = dns_name_from_text(text, w);

	CHECK(n > 0 && dns_name_equal(q->qname, q->qname_len, w, (size_t)n));
}

static void check_addr(const struct job *j, uint32_t addr_be)
{
	CHECK(j->done && j->result == KEEL_OK);
	CHECK(j->addr.family == KEEL_AF_INET4 && memcmp(j->addr.bytes, &addr_be, 4) == 0);
	for (int i = 4; i < 16; i++)
		CHECK(j->addr.bytes[i] == 0);
}

/* ---- The test ----------------------------------------------------------- */

static void test_no_traffic(struct keel_net *net)
{
	struct keel_addr a;

	CHECK(keel_resolve(net, "10.1.2.3", &a, KEEL_FOREVER) == KEEL_OK);
	CHECK(a.family == KEEL_AF_INET4 && memcmp(a.bytes, "\x0a\x01\x02\x03", 4) == 0);
	CHECK(keel_resolve(net, "a..b", &a, KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(net, "", &a, KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(net, "bad name", &a, KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(net,
	                   "x.0123456789012345678901234567890123456789012345678901234567890123", &a,
	                   KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(NULL, "a", &a, KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(net, NULL, &a, KEEL_FOREVER) == KEEL_EINVAL);
	CHECK(keel_resolve(net, "a", NULL, KEEL_FOREVER) == KEEL_EINVAL);
	h_run();
	CHECK(h_tx_pending() == 0);
}

static void test_answer_and_cache(struct keel_net *net)
{
	struct job j;
	struct query q;
	struct answer a;
	uint32_t addr = h_ip(10, 0, 0, 80);

	keel_time t0 = h_clock;

	start(&j, net, "www.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	CHECK(q.at == t0); /* sent at once */
	check_qname(&q, "www.keel.test");

	/* From another address, another port; another id; another name; a
	 * query instead of a response: all ignored. */
	answer_start(&a, &q, 0x8180, 1);
	answer_rr(&a, DNS_TYPE_A, 60, "\x0a\x00\x00\x66", 4);
	send_answer(&a, &q, h_ip(10, 0, 0, 3), DNS_PORT);
	send_answer(&a, &q, SERVER, 5353);
	net_put16(a.b, (uint16_t)(q.id + 1));
	send_answer(&a, &q, SERVER, DNS_PORT);
	net_put16(a.b, q.id);
	a.b[2] = 0x01; /* QR clear */
	send_answer(&a, &q, SERVER, DNS_PORT);
	a.b[2] = 0x81;
	a.b[DNS_HEADER_LEN + 1] ^= 0x01; /* a letter of the question */
	send_answer(&a, &q, SERVER, DNS_PORT);
	/* Malformed: an A record of 3 bytes. */
	answer_start(&a, &q, 0x8180, 1);
	answer_rr(&a, DNS_TYPE_A, 60, "\x0a\x00\x00", 3);
	send_answer(&a, &q, SERVER, DNS_PORT);
	CHECK(!j.done);
	CHECK(!pop_query(&q)); /* and no resend yet */

	answer_a(&q, addr, 30);
	CHECK(j.done);
	check_addr(&j, addr);

	/* Again: from the cache, in either case, without a query. */
	start(&j, net, "WWW.keel.test.", KEEL_FOREVER);
	check_addr(&j, addr);
	CHECK(h_tx_pending() == 0);

	/* After the TTL, a new query (from a new random port and id). */
	h_advance(31 * KEEL_SEC);
	start(&j, net, "www.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_a(&q, h_ip(10, 0, 0, 81), 0); /* TTL 0: not cached */
	check_addr(&j, h_ip(10, 0, 0, 81));
	start(&j, net, "www.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_a(&q, h_ip(10, 0, 0, 82), 0);
	check_addr(&j, h_ip(10, 0, 0, 82));
}

static void test_resends(struct keel_net *net)
{
	static const keel_time gaps[] = { 1, 2, 4 };
	struct job j;
	struct query q, first;

	/* Resent after 1, 2, 4 s from one port with one id; after 8 s more
	 * (15 s in all) it gives up. */
	start(&j, net, "slow.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&first, KEEL_SEC));
	keel_time t = first.at;
	for (unsigned i = 0; i < 3; i++) {
		CHECK(wait_query(&q, 10 * KEEL_SEC));
		CHECK(q.at - t >= gaps[i] * KEEL_SEC && q.at - t <= gaps[i] * KEEL_SEC + STEP);
		CHECK(q.id == first.id && q.sport == first.sport);
		t = q.at;
	}
	wait_done(&j, 20 * KEEL_SEC);
	CHECK(j.result == KEEL_ETIMEDOUT);
	CHECK(j.finished - first.at >= 15 * KEEL_SEC &&
	      j.finished - first.at <= 15 * KEEL_SEC + STEP);
	CHECK(!pop_query(&q));

	/* The caller's deadline cuts it short: 1.5 s, two queries. */
	start(&j, net, "slow.keel.test", 1500 * KEEL_MSEC);
	CHECK(wait_query(&first, KEEL_SEC));
	wait_done(&j, 5 * KEEL_SEC);
	CHECK(j.result == KEEL_ETIMEDOUT && j.finished == j.deadline);
	CHECK(pop_query(&q) && q.id == first.id);
	CHECK(!pop_query(&q));

	/* An answer to a resend still counts. */
	start(&j, net, "late.keel.test", 10 * KEEL_SEC);
	CHECK(wait_query(&q, KEEL_SEC));
	CHECK(wait_query(&q, 2 * KEEL_SEC));
	answer_a(&q, h_ip(10, 0, 0, 83), 60);
	check_addr(&j, h_ip(10, 0, 0, 83));
}

static void test_errors(struct keel_net *net)
{
	struct job j;
	struct query q;
	struct answer a;

	start(&j, net, "nope.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_rcode(&q, DNS_RCODE_NXDOMAIN);
	CHECK(j.done && j.result == KEEL_ENOENT);

	/* The name exists without an address (NODATA). */
	start(&j, net, "noaddr.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8180, 1);
	answer_rr(&a, 16 /* TXT */, 60, "\3abc", 4);
	send_answer(&a, &q, SERVER, DNS_PORT);
	CHECK(j.done && j.result == KEEL_ENOENT);

	/* REFUSED: at once. */
	start(&j, net, "refused.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_rcode(&q, 5);
	CHECK(j.done && j.result == KEEL_EIO);

	/* SERVFAIL: asked again at the next resend; then an answer. */
	start(&j, net, "flaky.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_rcode(&q, DNS_RCODE_SERVFAIL);
	CHECK(!j.done && !pop_query(&q));
	CHECK(wait_query(&q, 2 * KEEL_SEC));
	answer_a(&q, h_ip(10, 0, 0, 84), 60);
	check_addr(&j, h_ip(10, 0, 0, 84));
	/* SERVFAIL every time: KEEL_EIO at the end. */
	start(&j, net, "broken.keel.test", KEEL_FOREVER);
	for (int i = 0; i < 4; i++) {
		CHECK(wait_query(&q, 10 * KEEL_SEC));
		answer_rcode(&q, DNS_RCODE_SERVFAIL);
	}
	wait_done(&j, 10 * KEEL_SEC);
	CHECK(j.result == KEEL_EIO);

	/* Truncated with an A record: taken, no TCP. */
	start(&j, net, "big2.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8380, 2);
	answer_rr(&a, DNS_TYPE_A, 60, "\x0a\x00\x00\x55", 4);
	a.b[a.len++] = 0xc0; /* the second record, cut */
	send_answer(&a, &q, SERVER, DNS_PORT);
	check_addr(&j, h_ip(10, 0, 0, 85));
}

/* The server's side of a DNS-over-TCP exchange: takes the SYN to port 53
 * and accepts it; returns the peer state for the rest. */
static void tcp_accept_syn(struct t_peer *p)
{
	struct t_seg s;

	CHECK(t_pop(&s));
	CHECK(s.flags == TCP_SYN && s.dst == SERVER && s.dport == DNS_PORT);
	memset(p, 0, sizeof(*p));
	p->port = DNS_PORT;
	p->sport = s.sport;
	p->seq = 7000;
	p->ack = s.seq + 1;
	p->wnd = 65535;
	p_send(p, TCP_SYN | TCP_ACK, NULL, 0);
	p->seq = 7001;
}

/* Takes the stack's query from the stream: its length prefix, id and
 * question. */
static void tcp_read_query(struct t_peer *p, struct query *q)
{
	struct t_seg s;
	size_t next;

	do
		CHECK(p_pop(p, &s));
	while (s.len == 0);
	CHECK(s.len > 2 && net_get16(s.data) == s.len - 2);
	CHECK(dns_name_read(s.data + 2, s.len - 2, DNS_HEADER_LEN, q->qname, &q->qname_len,
	                    &next) == KEEL_OK);
	q->id = net_get16(s.data + 2);
	p->ack += (uint32_t)s.len;
	p_send(p, TCP_ACK, NULL, 0);
}

static void test_tcp(struct keel_net *net)
{
	struct job j;
	struct query q;
	struct answer a;
	struct t_peer p;
	uint8_t stream[700];

	/* Cut before any address: asked again over TCP, which answers. */
	start(&j, net, "big.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8380, 2); /* TC, two answers announced, none there */
	send_answer(&a, &q, SERVER, DNS_PORT);
	CHECK(!j.done);
	tcp_accept_syn(&p);
	tcp_read_query(&p, &q);
	check_qname(&q, "big.keel.test");
	answer_start(&a, &q, 0x8180, 2);
	answer_rr(&a, DNS_TYPE_A, 60, "\x0a\x00\x00\x57", 4);
	answer_rr(&a, DNS_TYPE_A, 60, "\x0a\x00\x00\x58", 4);
	net_put16(stream, (uint16_t)a.len);
	memcpy(stream + 2, a.b, a.len);
	p_send(&p, TCP_ACK | TCP_PSH, stream, 2 + a.len);
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	h_run();
	check_addr(&j, h_ip(10, 0, 0, 87));
	t_drain();

	/* The server refuses TCP: the truncated answer stands, KEEL_EIO. */
	start(&j, net, "big3.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8380, 1);
	send_answer(&a, &q, SERVER, DNS_PORT);
	{
		struct t_seg s;

		CHECK(t_pop(&s) && s.flags == TCP_SYN && s.dport == DNS_PORT);
		t_send(&(struct t_out){ .sport = DNS_PORT,
		                        .dport = s.sport,
		                        .seq = 0,
		                        .ack = s.seq + 1,
		                        .flags = TCP_RST | TCP_ACK });
	}
	h_run();
	CHECK(j.done && j.result == KEEL_EIO);

	/* A reply longer than DNS_TCP_MAX is not read: KEEL_EIO. */
	start(&j, net, "big4.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8380, 1);
	send_answer(&a, &q, SERVER, DNS_PORT);
	tcp_accept_syn(&p);
	tcp_read_query(&p, &q);
	net_put16(stream, DNS_TCP_MAX + 1);
	memset(stream + 2, 0, 100);
	p_send(&p, TCP_ACK | TCP_PSH, stream, 102);
	h_run();
	CHECK(j.done && j.result == KEEL_EIO);
	t_drain();

	/* The server closes in the middle of the reply: KEEL_EIO. */
	start(&j, net, "big5.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	answer_start(&a, &q, 0x8380, 1);
	send_answer(&a, &q, SERVER, DNS_PORT);
	tcp_accept_syn(&p);
	tcp_read_query(&p, &q);
	net_put16(stream, 300);
	p_send(&p, TCP_ACK | TCP_PSH, stream, 50);
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	h_run();
	CHECK(j.done && j.result == KEEL_EIO);
	t_drain();
}

static void test_cname(struct keel_net *net)
{
	uint8_t target[DNS_NAME_WIRE_MAX];
	struct job j;
	struct query q;
	struct answer a;
	int n;

	/* alias -> real.example, whose address is not in the answer: asked
	 * next; the result is cached under the first name. */
	start(&j, net, "alias.keel.test", KEEL_FOREVER);
	CHECK(wait_query(&q, KEEL_SEC));
	n = dns_name_from_text("real.example", target);
	answer_start(&a, &q, 0x8180, 1);
	answer_rr(&a, DNS_TYPE_CNAME, 60, target, (uint16_t)n);
	send_answer(&a, &q, SERVER, DNS_PORT);
	CHECK(!j.done);
	CHECK(wait_query(&q, KEEL_SEC));
	check_qname(&q, "real.example");
	answer_a(&q, h_ip(10, 0, 0, 86), 60);
	check_addr(&j, h_ip(10, 0, 0, 86));
	start(&j, net, "alias.keel.test", KEEL_FOREVER);
	check_addr(&j, h_ip(10, 0, 0, 86));
	CHECK(h_tx_pending() == 0);

	/* A chain served one link per response: cut after DNS_CNAME_MAX. */
	start(&j, net, "c0.keel.test", KEEL_FOREVER);
	for (int i = 0; i <= DNS_CNAME_MAX; i++) {
		char next[32];

		CHECK(wait_query(&q, KEEL_SEC));
		snprintf(next, sizeof(next), "c%d.keel.test", i);
		check_qname(&q, next);
		snprintf(next, sizeof(next), "c%d.keel.test", i + 1);
		n = dns_name_from_text(next, target);
		answer_start(&a, &q, 0x8180, 1);
		answer_rr(&a, DNS_TYPE_CNAME, 60, target, (uint16_t)n);
		send_answer(&a, &q, SERVER, DNS_PORT);
		if (i < DNS_CNAME_MAX)
			CHECK(!j.done);
	}
	CHECK(j.done && j.result == KEEL_EIO);
	CHECK(!pop_query(&q));
}

static void test_no_server(struct keel_net *net)
{
	struct keel_addr a;
	uint32_t saved = net->dns_be;

	net->dns_be = 0;
	CHECK(keel_resolve(net, "www.keel.test", &a, KEEL_FOREVER) == KEEL_ENODEV);
	CHECK(keel_resolve(net, "10.0.0.1", &a, KEEL_FOREVER) == KEEL_OK);
	net->dns_be = saved;
}

static void body(void *arg)
{
	struct keel_net_config cfg;
	struct keel_net *net;

	keel_net_config_default(&cfg);
	cfg.addr = keel_addr_ipv4(10, 0, 0, 2);
	cfg.prefix_len = 24;
	cfg.gateway = keel_addr_ipv4(10, 0, 0, 1);
	cfg.dns = keel_addr_ipv4(10, 0, 0, 1);
	cfg.log_config = false;
	net = h_open(&cfg);
	CHECK(net->dns_be == SERVER);
	h_learn_peer(net);

	test_no_traffic(net);
	test_answer_and_cache(net);
	test_resends(net);
	test_errors(net);
	test_tcp(net);
	test_cname(net);
	test_no_server(net);
}

int main(void)
{
	return h_main("net/dns_resolve", body, NULL);
}

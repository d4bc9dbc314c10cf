/*
 * icmp_test — echo replies (content, checksum, identifiers), errors we
 * must not send (about ICMP errors, broadcasts, non-first fragments), the
 * token bucket that limits errors, bad messages, and errors we receive.
 */
#include "harness.h"

static struct keel_net *net;

static struct keel_net_stats stats(void)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

static void echo(void)
{
	uint8_t payload[56], got[128];
	struct h_ipv4_view v;
	size_t len;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(0xa0 + i);
	h_inject_ping(0x1234, 7, payload, sizeof(payload));
	h_run();
	len = h_pop_datagram(got, sizeof(got), &v, NULL);
	CHECK(len == 64);
	CHECK(got[0] == 0 && got[1] == 0 && h_csum_ok(got, len, 0));
	CHECK(net_get16(got + 4) == 0x1234 && net_get16(got + 6) == 7);
	CHECK(memcmp(got + 8, payload, sizeof(payload)) == 0);
	CHECK(v.src == H_STACK_IP && v.dst == H_PEER_IP && v.ip[8] == 64);
	CHECK(memcmp(v.eth, h_peer_mac, 6) == 0);
	/* Empty and odd-length payloads. */
	h_inject_ping(1, 1, payload, 0);
	h_inject_ping(1, 2, payload, 13);
	h_run();
	CHECK(h_pop_datagram(got, sizeof(got), &v, NULL) == 8 && h_csum_ok(got, 8, 0));
	CHECK(h_pop_datagram(got, sizeof(got), &v, NULL) == 21 && h_csum_ok(got, 21, 0));
	CHECK(memcmp(got + 8, payload, 13) == 0);
}

static void bad_messages(void)
{
	static uint8_t msg[64], f[128];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	struct keel_net_stats s0 = stats(), s1;
	size_t n = h_icmp_echo(msg, 8, 1, 1, "abcd", 4);

	msg[9] ^= 1; /* checksum */
	h_inject(f, h_ipv4(f, &ip, msg, n));
	msg[9] ^= 1;
	h_inject(f, h_ipv4(f, &ip, msg, 7)); /* shorter than a header */
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0 && s1.drop_bad_l4 - s0.drop_bad_l4 == 2);
	/* Echo replies and other types are consumed quietly. */
	s0 = stats();
	n = h_icmp_echo(msg, 0, 1, 1, "abcd", 4);
	h_inject(f, h_ipv4(f, &ip, msg, n));
	msg[0] = 5; /* redirect */
	msg[2] = msg[3] = 0;
	{
		uint16_t c = inet_fold(inet_sum(msg, n, 0));

		memcpy(msg + 2, &c, 2);
	}
	h_inject(f, h_ipv4(f, &ip, msg, n));
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0 && s1.drop_other - s0.drop_other == 2);
}

/* An ICMP error message about a packet of ours, quoting `inner`. */
static void inject_error(uint8_t type, uint8_t code, uint32_t inner_src, uint8_t inner_proto)
{
	uint8_t msg[64] = { type, code }, f[128];
	uint8_t *in = msg + 8;
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	uint16_t c;

	in[0] = 0x45;
	net_put16(in + 2, 40);
	in[8] = 64;
	in[9] = inner_proto;
	memcpy(in + 12, &inner_src, 4);
	memcpy(in + 16, &ip.src, 4);
	net_put16(in + 20, 80);
	net_put16(in + 22, 5555);
	c = inet_fold(inet_sum(msg, 36, 0));
	memcpy(msg + 2, &c, 2);
	h_inject(f, h_ipv4(f, &ip, msg, 36));
}

static void errors_in(void)
{
	struct keel_net_stats s0 = stats(), s1;

	/* About a UDP packet, a TCP segment (to TCP), one not ours, and a
	 * port unreachable about... nothing is ever answered. */
	inject_error(3, 3, H_STACK_IP, IP_PROTO_UDP);
	inject_error(3, 4, H_STACK_IP, IP_PROTO_TCP);
	inject_error(3, 1, h_ip(10, 0, 0, 9), IP_PROTO_TCP);
	inject_error(11, 0, H_STACK_IP, IP_PROTO_TCP);
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.drop_not_for_us - s0.drop_not_for_us == 1);
	CHECK(s1.drop_other - s0.drop_other == 1); /* time exceeded: not used */
	CHECK(s1.icmp_unreach_out == s0.icmp_unreach_out);
}

static void no_errors_about(void)
{
	static uint8_t seg[64], f[128];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP,
		                 .dst = h_ip(255, 255, 255, 255),
		                 .proto = IP_PROTO_UDP };
	struct keel_net_stats s0 = stats(), s1;
	size_t n;

	/* A UDP broadcast to a closed port; the subnet broadcast too. */
	n = h_udp(seg, ip.src, ip.dst, 1, 9, "x", 1);
	h_inject(f, h_ipv4(f, &ip, seg, n));
	ip.dst = h_ip(10, 0, 0, 255);
	n = h_udp(seg, ip.src, ip.dst, 1, 9, "x", 1);
	h_inject(f, h_ipv4(f, &ip, seg, n));
	/* Unicast IP sent as a link broadcast. */
	ip.dst = H_STACK_IP;
	n = h_udp(seg, ip.src, ip.dst, 1, 9, "x", 1);
	h_ipv4(f, &ip, seg, n);
	memcpy(f, eth_broadcast, 6);
	h_inject(f, ETH_HLEN + 20 + n);
	/* An unknown protocol inside an ICMP... error: type 3 to a closed
	 * port gets nothing back (it is an error itself). */
	inject_error(3, 3, H_STACK_IP, IP_PROTO_UDP);
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.udp_no_port - s0.udp_no_port == 3);
	CHECK(s1.icmp_unreach_out == s0.icmp_unreach_out);
}

static void rate_limit(void)
{
	struct keel_net_stats s0, s1;
	unsigned sent = 0;
	struct h_frame r;

	/* Let the bucket fill, then 50 datagrams to a closed port at once:
	 * 10 answers, 40 refused. */
	h_advance(KEEL_SEC);
	s0 = stats();
	for (int i = 0; i < 50; i++)
		h_inject_udp(4000, 9, "hello", 5);
	h_run();
	while (h_pop(&r)) {
		struct h_ipv4_view v;

		CHECK(h_parse_ipv4(&r, &v) && v.proto == IP_PROTO_ICMP);
		CHECK(v.l4[0] == 3 && v.l4[1] == 3 && h_csum_ok(v.l4, v.l4_len, 0));
		/* It quotes the header and the whole (short) datagram. */
		CHECK(v.l4_len == 8 + 20 + 8 + 5 && net_get16(v.l4 + 8 + 20 + 2) == 9);
		sent++;
	}
	s1 = stats();
	CHECK(sent == 10);
	CHECK(s1.icmp_unreach_out - s0.icmp_unreach_out == 10);
	CHECK(s1.icmp_rate_limited - s0.icmp_rate_limited == 40);
	CHECK(s1.udp_no_port - s0.udp_no_port == 50);
	/* 100 per second come back: 50 ms later, 5 more. */
	h_advance(50 * KEEL_MSEC);
	for (int i = 0; i < 20; i++)
		h_inject_udp(4000, 9, "hello", 5);
	h_run();
	CHECK(h_tx_pending() == 5);
	h_tx_clear();
	/* Echo replies are not limited. */
	for (int i = 0; i < 300; i++)
		h_inject_ping(9, (uint16_t)i, "ping", 4);
	h_run();
	CHECK(h_tx_pending() == 300);
	h_tx_clear();
}

static void body(void *arg)
{
	net = h_open(NULL);
	h_learn_peer(net);
	echo();
	bad_messages();
	errors_in();
	no_errors_about();
	rate_limit();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/icmp", body, NULL);
}

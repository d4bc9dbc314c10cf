/*
 * udp_test — UDP through keel_udp_*: echo, truncation, checksums (none,
 * good, bad), lengths, port unreachable, binding rules and ephemeral
 * ports, the bounded receive queue, deadlines, closing under a waiting
 * fiber, sending to a host that never answers ARP, broadcast.
 */
#include "harness.h"

static struct keel_net *net;

static struct keel_net_stats stats(void)
{
	struct keel_net_stats s;

	keel_net_stats(net, &s);
	return s;
}

/* A fiber that echoes datagrams on port 7 until it gets "quit". */
static void echo_server(void *arg)
{
	struct keel_udp *u = arg;
	static uint8_t buf[70000];

	for (;;) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(u, buf, sizeof(buf), &from, KEEL_FOREVER);

		if (n < 0)
			return; /* closed */
		if (n == 4 && memcmp(buf, "quit", 4) == 0) {
			keel_udp_close(u);
			return;
		}
		CHECK(keel_udp_sendto(u, buf, (size_t)n, &from) == n);
	}
}

static void echo(void)
{
	struct keel_sockaddr local = { keel_addr_any4(), 7 };
	struct keel_udp *u;
	static uint8_t payload[5000], got[6000];
	struct h_ipv4_view v;
	size_t len;
	unsigned n;

	CHECK(keel_udp_bind(net, &local, &u) == KEEL_OK);
	CHECK(keel_fiber_spawn(echo_server, u, 0));
	h_run();
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 11);
	h_inject_udp(3333, 7, payload, 100);
	h_run();
	len = h_pop_datagram(got, sizeof(got), &v, &n);
	CHECK(len == 108 && n == 1 && v.proto == IP_PROTO_UDP && v.dst == H_PEER_IP);
	CHECK(net_get16(got) == 7 && net_get16(got + 2) == 3333 && net_get16(got + 4) == 108);
	CHECK(h_csum_ok(got, len, inet_pseudo_sum(v.src, v.dst, IP_PROTO_UDP, 108)));
	CHECK(memcmp(got + 8, payload, 100) == 0);

	/* A fragmented datagram in, a fragmented one out. */
	{
		static uint8_t seg[6000], f[H_FRAME_MAX];
		size_t total = h_udp(seg, H_PEER_IP, H_STACK_IP, 3333, 7, payload, 5000);

		for (size_t off = 0; off < total; off += 1480) {
			struct h_ipv4_hdr ip = {
				.src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_UDP, .id = 77
			};
			size_t l = total - off < 1480 ? total - off : 1480;

			ip.frag = (uint16_t)(off / 8 | (off + l < total ? 0x2000 : 0));
			h_inject(f, h_ipv4(f, &ip, seg + off, l));
		}
		h_run();
		len = h_pop_datagram(got, sizeof(got), &v, &n);
		CHECK(len == total && n == 4);
		CHECK(h_csum_ok(got, len,
		                inet_pseudo_sum(v.src, v.dst, IP_PROTO_UDP, (uint16_t)len)));
		CHECK(memcmp(got + 8, payload, 5000) == 0);
	}

	/* No checksum (0) is allowed over IPv4. */
	{
		static uint8_t seg[64], f[128];
		struct h_ipv4_hdr ip = { .src = H_PEER_IP,
			                 .dst = H_STACK_IP,
			                 .proto = IP_PROTO_UDP };
		size_t l = h_udp(seg, ip.src, ip.dst, 3333, 7, "nocsum", 6);

		seg[6] = seg[7] = 0;
		h_inject(f, h_ipv4(f, &ip, seg, l));
		h_run();
		CHECK(h_pop_datagram(got, sizeof(got), &v, NULL) == 14);
		CHECK(memcmp(got + 8, "nocsum", 6) == 0);
	}
	h_inject_udp(3333, 7, "quit", 4);
	h_run();
	CHECK(h_tx_pending() == 0);
}

static void bad_datagrams(void)
{
	static uint8_t seg[64], f[128];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_UDP };
	struct keel_net_stats s0 = stats(), s1;
	size_t l;

#define BAD(mutate, len)                                                                           \
	do {                                                                                       \
		l = h_udp(seg, ip.src, ip.dst, 3333, 9, "payload", 7);                             \
		mutate;                                                                            \
		h_inject(f, h_ipv4(f, &ip, seg, len));                                             \
	} while (0)
	BAD(seg[8] ^= 1, l);            /* checksum */
	BAD(net_put16(seg + 4, 7), l);  /* length below the header */
	BAD(net_put16(seg + 4, 16), l); /* length beyond the packet */
	BAD((void)0, 7);                /* shorter than a header */
	BAD(net_put16(seg + 2, 0), l);  /* port 0 (checksum is off too) */
#undef BAD
	h_run();
	s1 = stats();
	CHECK(h_tx_pending() == 0);
	CHECK(s1.drop_bad_l4 - s0.drop_bad_l4 == 5);
	CHECK(s1.udp_in == s0.udp_in);
}

static void port_unreachable(void)
{
	struct h_frame r;
	struct h_ipv4_view v;
	struct keel_net_stats s0 = stats(), s1;

	h_advance(KEEL_SEC); /* a full token bucket */
	h_inject_udp(5555, 9, "anyone?", 7);
	h_run();
	CHECK(h_pop(&r) && h_parse_ipv4(&r, &v));
	CHECK(v.proto == IP_PROTO_ICMP && v.l4[0] == 3 && v.l4[1] == 3);
	CHECK(net_get16(v.l4 + 8 + 20) == 5555 && net_get16(v.l4 + 8 + 22) == 9);
	s1 = stats();
	CHECK(s1.udp_no_port - s0.udp_no_port == 1 &&
	      s1.icmp_unreach_out - s0.icmp_unreach_out == 1);
	/* A UDP length shorter than the IP payload: the rest is cut off. */
	{
		static uint8_t seg[64], f[128];
		struct h_ipv4_hdr ip = { .src = H_PEER_IP,
			                 .dst = H_STACK_IP,
			                 .proto = IP_PROTO_UDP };
		struct keel_sockaddr local = { keel_addr_any4(), 9 };
		struct keel_udp *u;
		uint8_t buf[32];
		size_t l = h_udp(seg, ip.src, ip.dst, 3333, 9, "abc", 3);

		memcpy(seg + l, "junk", 4);
		CHECK(keel_udp_bind(net, &local, &u) == KEEL_OK);
		h_inject(f, h_ipv4(f, &ip, seg, l + 4));
		h_run();
		CHECK(keel_udp_recvfrom(u, buf, sizeof(buf), NULL, keel_now()) == 3);
		CHECK(memcmp(buf, "abc", 3) == 0);
		keel_udp_close(u);
	}
}

static void binding(void)
{
	struct keel_sockaddr any = { keel_addr_any4(), 53 },
	                     mine = { keel_addr_ipv4(10, 0, 0, 2), 53 };
	struct keel_sockaddr other = { keel_addr_ipv4(10, 0, 0, 3), 54 };
	struct keel_sockaddr eph = { keel_addr_any4(), 0 };
	struct keel_sockaddr v6 = { { .family = KEEL_AF_INET6 }, 55 };
	struct keel_udp *a, *b, *e[3];

	CHECK(keel_udp_bind(net, &any, &a) == KEEL_OK);
	CHECK(keel_udp_bind(net, &any, &b) == KEEL_EADDRINUSE);
	CHECK(keel_udp_bind(net, &mine, &b) == KEEL_EADDRINUSE);
	CHECK(keel_udp_bind(net, &other, &b) == KEEL_EINVAL);
	CHECK(keel_udp_bind(net, &v6, &b) == KEEL_EINVAL);
	keel_udp_close(a);
	CHECK(keel_udp_bind(net, &mine, &a) == KEEL_OK);
	CHECK(keel_udp_bind(net, &any, &b) == KEEL_EADDRINUSE);
	keel_udp_close(a);
	for (int i = 0; i < 3; i++)
		CHECK(keel_udp_bind(net, i == 2 ? NULL : &eph, &e[i]) == KEEL_OK);
	{
		struct keel_sockaddr peer = { keel_addr_ipv4(10, 0, 0, 1), 9 };
		uint16_t port[3];

		for (int i = 0; i < 3; i++) {
			struct h_frame r;
			struct h_ipv4_view v;

			CHECK(keel_udp_sendto(e[i], "p", 1, &peer) == 1);
			CHECK(h_pop(&r) && h_parse_ipv4(&r, &v));
			port[i] = net_get16(v.l4);
			CHECK(port[i] >= 49152);
			for (int j = 0; j < i; j++)
				CHECK(port[i] != port[j]);
			keel_udp_close(e[i]);
		}
	}
}

static void queue_and_deadlines(void)
{
	struct keel_sockaddr local = { keel_addr_any4(), 1000 }, from;
	struct keel_net_stats s0 = stats(), s1;
	struct keel_udp *u;
	uint8_t buf[8];
	kp_time t0;

	CHECK(keel_udp_bind(net, &local, &u) == KEEL_OK);
	/* Nothing there: the deadline passes (exactly, on the fake clock). */
	t0 = h_clock;
	CHECK(keel_udp_recvfrom(u, buf, sizeof(buf), NULL, t0 + 250 * KEEL_MSEC) == KEEL_ETIMEDOUT);
	CHECK(h_clock == t0 + 250 * KEEL_MSEC);
	/* 100 datagrams: 64 kept, 36 dropped and counted. */
	for (int i = 0; i < 100; i++) {
		uint8_t p[2] = { (uint8_t)i, 0 };

		h_inject_udp(7777, 1000, p, 2);
	}
	h_run();
	s1 = stats();
	CHECK(s1.drop_other - s0.drop_other == 36 && s1.udp_in - s0.udp_in == 100);
	for (int i = 0; i < 64; i++) {
		CHECK(keel_udp_recvfrom(u, buf, 1, &from, keel_now()) == 2); /* truncated */
		CHECK(buf[0] == i && from.port == 7777 && from.addr.bytes[3] == 1);
	}
	CHECK(keel_udp_recvfrom(u, buf, 1, &from, keel_now()) == KEEL_ETIMEDOUT);
	keel_udp_close(u);
}

static long waiter_result;

static void waiter(void *arg)
{
	uint8_t buf[8];

	waiter_result = keel_udp_recvfrom(arg, buf, sizeof(buf), NULL, KEEL_FOREVER);
}

static void close_wakes(void)
{
	struct keel_sockaddr local = { keel_addr_any4(), 1001 };
	struct keel_udp *u;

	CHECK(keel_udp_bind(net, &local, &u) == KEEL_OK);
	waiter_result = 1;
	CHECK(keel_fiber_spawn(waiter, u, 0));
	h_run();
	CHECK(waiter_result == 1);
	keel_udp_close(u);
	h_run();
	CHECK(waiter_result == KEEL_ECLOSED);
}

static void unreachable_hosts(void)
{
	struct keel_udp *u;
	struct keel_sockaddr nobody = { keel_addr_ipv4(10, 0, 0, 77), 9 };
	struct keel_sockaddr far = { keel_addr_ipv4(192, 0, 2, 1), 9 };
	struct keel_sockaddr bcast = { keel_addr_ipv4(255, 255, 255, 255), 67 };
	struct keel_sockaddr zero = { keel_addr_any4(), 9 };
	struct h_frame r;
	kp_time t0 = h_clock;
	unsigned arps = 0;

	CHECK(keel_udp_bind(net, NULL, &u) == KEEL_OK);
	/* Nobody answers ARP: three requests, then EHOSTUNREACH, 3 s on. */
	CHECK(keel_udp_sendto(u, "x", 1, &nobody) == KEEL_EHOSTUNREACH);
	CHECK(h_clock - t0 == 3 * KEEL_SEC);
	while (h_pop(&r))
		arps += net_get16(r.data + 12) == ETH_TYPE_ARP;
	CHECK(arps == 3);
	/* Off the subnet goes to the gateway (the peer, known). */
	CHECK(keel_udp_sendto(u, "y", 1, &far) == 1);
	CHECK(h_pop(&r) && memcmp(r.data, h_peer_mac, 6) == 0);
	/* A broadcast needs no ARP. */
	CHECK(keel_udp_sendto(u, "z", 1, &bcast) == 1);
	CHECK(h_pop(&r) && memcmp(r.data, eth_broadcast, 6) == 0);
	CHECK(keel_udp_sendto(u, "z", 1, &zero) == KEEL_EINVAL);
	keel_udp_close(u);
	h_advance(2 * KEEL_SEC);
}

static void body(void *arg)
{
	net = h_open(NULL);
	h_learn_peer(net);
	echo();
	bad_datagrams();
	port_unreachable();
	binding();
	queue_and_deadlines();
	close_wakes();
	h_learn_peer(net);
	unreachable_hosts();
	CHECK(net->pool.free == net->pool.total);
}

int main(void)
{
	return h_main("net/udp", body, NULL);
}

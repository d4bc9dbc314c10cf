/*
 * close_test — keel_net_close on the direct stack:
 *   - refused (KEEL_EBUSY, nothing done) while the application holds a
 *     listener, a flow or a UDP endpoint;
 *   - a connection the application closed is given until the deadline
 *     to end in order (the peer's FIN and ACK come in while the close
 *     waits), and no RST goes;
 *   - with a past deadline, such a connection is reset at once;
 *   - with buffers held in every place that keeps them (send queue,
 *     out-of-order queue, ARP pending queue, a fragment waiting for
 *     reassembly) and timers armed,
 *     open/close cycles bring the heap back to its level, byte for byte
 *     (AddressSanitizer's count of allocated bytes), and the same device
 *     can be opened again each time.
 */
#include "tcp_util.h"

/* From the AddressSanitizer runtime every unit test links: the bytes
 * the program has allocated and not freed. */
size_t __sanitizer_get_current_allocated_bytes(void);

static uint8_t data[8192];

static struct keel_net *open_static(void)
{
	struct keel_net *net;

	h_tx_clear(); /* what the last stack sent as it went */
	net = h_open(NULL);

	h_learn_peer(net);
	return net;
}

static struct keel_listener *listen_on(struct keel_net *net)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };
	struct keel_listener *l;

	CHECK(keel_tcp_listen(net, &at, 8, &l) == KEEL_OK);
	return l;
}

static void busy(void)
{
	struct keel_net *net = open_static();
	struct keel_listener *l = listen_on(net);
	struct keel_sockaddr any = { .addr = keel_addr_any4(), .port = 0 };
	struct keel_udp *u;
	struct t_peer p;

	CHECK(keel_net_close(net, 0) == KEEL_EBUSY);
	p_open(&p, l, 40001, 1000);
	keel_tcp_listener_close(l);
	CHECK(keel_net_close(net, 0) == KEEL_EBUSY); /* the flow */
	keel_close(p.flow);
	t_drain();
	CHECK(keel_udp_bind(net, &any, &u) == KEEL_OK);
	CHECK(keel_net_close(net, 0) == KEEL_EBUSY);
	keel_udp_close(u);
	/* Still whole after the refusals: it answers a ping. */
	h_inject_ping(7, 1, "x", 1);
	h_run();
	CHECK(h_tx_pending() == 1);
	h_tx_clear();
	CHECK(keel_net_close(net, 0) == KEEL_OK);
	CHECK(keel_net_close(NULL, 0) == KEEL_EINVAL);
}

struct closer {
	struct keel_net *net;
	keel_time deadline;
	int rc;
	bool done;
};

static void close_fiber(void *arg)
{
	struct closer *c = arg;

	c->rc = keel_net_close(c->net, c->deadline);
	c->done = true;
}

static void orderly(void)
{
	struct keel_net *net = open_static();
	struct keel_listener *l = listen_on(net);
	struct closer cl = { .net = net };
	struct t_peer p;
	struct t_seg s;
	uint32_t got = 0;

	p_open(&p, l, 40002, 2000);
	keel_tcp_listener_close(l);
	CHECK(keel_write(p.flow, data, 3000, keel_now()) == 3000);
	keel_close(p.flow); /* data and FIN still to be acknowledged */
	h_run();
	cl.deadline = keel_now() + 10 * KEEL_SEC;
	CHECK(keel_fiber_spawn(close_fiber, &cl, 0) != NULL);
	h_run();
	CHECK(!cl.done);
	/* The peer takes the data and the FIN, and closes its side. */
	while (p_pop(&p, &s)) {
		CHECK(!(s.flags & TCP_RST));
		got += (uint32_t)s.len;
		if (s.flags & TCP_FIN)
			break;
	}
	CHECK(got == 3000 && (s.flags & TCP_FIN));
	p.ack += got + 1;
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	h_advance(20 * KEEL_MSEC);
	CHECK(cl.done && cl.rc == KEEL_OK);
	/* The last ACK, and nothing else: no RST. */
	CHECK(p_pop(&p, &s) && s.flags == TCP_ACK && s.ack == p.seq);
	CHECK(h_tx_pending() == 0);
}

static void reset(void)
{
	struct keel_net *net = open_static();
	struct keel_listener *l = listen_on(net);
	struct t_peer p;
	struct t_seg s;
	bool rst = false;

	p_open(&p, l, 40003, 3000);
	keel_tcp_listener_close(l);
	CHECK(keel_write(p.flow, data, 3000, keel_now()) == 3000);
	keel_close(p.flow);
	h_run();
	t_drain();
	CHECK(keel_net_close(net, 0) == KEEL_OK);
	while (t_pop(&s))
		rst = rst || (s.flags & TCP_RST);
	CHECK(rst);
}

/* One open/close cycle leaving something in every place that holds
 * buffers or timers. */
static void cycle(void)
{
	struct keel_net *net = open_static();
	struct keel_listener *l = listen_on(net);
	struct t_peer p;
	uint8_t frag[64], frame[256];
	struct h_ipv4_hdr ip = {
		.src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_UDP, .id = 99, .frag = 0x2000
	};
	uint32_t base;

	/* A send queue: data the peer never acknowledges (timer armed). */
	p_open(&p, l, 40004, 4000);
	keel_tcp_listener_close(l);
	CHECK(keel_write(p.flow, data, sizeof(data), keel_now()) == (long)sizeof(data));
	/* An out-of-order segment held. */
	base = p.seq;
	p.seq = base + 1000;
	p_send(&p, TCP_ACK, data, 500);
	p.seq = base;
	keel_close(p.flow); /* unread nothing: FIN_WAIT_1 with its queue */
	/* A ping from a neighbour not in the ARP cache: its reply waits
	 * for the resolution (ARP timer armed). */
	{
		struct h_ipv4_hdr pip = { .src = h_ip(10, 0, 0, 66),
			                  .dst = H_STACK_IP,
			                  .proto = IP_PROTO_ICMP };
		uint8_t echo[64];
		size_t n = h_icmp_echo(echo, 8, 5, 1, "ping", 4);

		h_inject(frame, h_ipv4(frame, &pip, echo, n));
		h_run();
	}
	/* A first fragment waiting for the rest. */
	memset(frag, 'f', sizeof(frag));
	h_inject(frame, h_ipv4(frame, &ip, frag, sizeof(frag)));
	h_run();
	t_drain();
	CHECK(net->pool.free < net->pool.total);
	CHECK(keel_net_close(net, 0) == KEEL_OK);
	t_drain();
}

static void no_leak(void)
{
	size_t level;

	cycle(); /* what the loop and the heap keep for good is taken here */
	level = __sanitizer_get_current_allocated_bytes();
	for (int i = 0; i < 5; i++)
		cycle();
	if (__sanitizer_get_current_allocated_bytes() != level)
		printf("heap: %zu bytes before the cycles, %zu after\n", level,
		       __sanitizer_get_current_allocated_bytes());
	CHECK(__sanitizer_get_current_allocated_bytes() == level);
}

static void body(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	busy();
	orderly();
	reset();
	no_leak();
}

int main(void)
{
	return h_main("net/close", body, NULL);
}

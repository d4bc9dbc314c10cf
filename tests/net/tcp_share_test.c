/*
 * tcp_share_test — each connection's share of the packet pool
 * (lib/net/tcp_share.c), on a small pool of 256 buffers (reserve 32):
 *   - a peer whose window is closed pins TCP_NOTSENT_MIN buffers (this
 *     pool's free part is too small for a 32nd of it to be more), and
 *     the writer goes on once the window opens;
 *   - a writer whose peer takes everything but acknowledges slowly holds
 *     at most half of the pool above the reserve, and a second one then
 *     still gets a share of what is left;
 *   - out-of-order data from one peer stops at its share, while another
 *     connection keeps receiving in order;
 *   - many peers that never read (more than the pool could hold with
 *     full send buffers) leave a newcomer able to connect, send and
 *     receive, and TCP never takes the reserve.
 * Every case ends with the pool whole again.
 */
#include "tcp_util.h"

#define POOL 256
#define STALLED 24

static struct keel_net *net;
static struct keel_listener *lis;
static uint8_t big[1024 * 1024];

static uint32_t reserve(void)
{
	return tcp_share_reserve(net);
}

struct writer_job {
	struct keel_flow *flow;
	size_t len;
	keel_time deadline;
	long rc;
	bool done;
};

static void writer(void *arg)
{
	struct writer_job *j = arg;

	j->rc = keel_write(j->flow, big, j->len, j->deadline);
	j->done = true;
}

static void start_writer(struct writer_job *j, struct t_peer *p, size_t len, keel_time deadline)
{
	*j = (struct writer_job){ .flow = p->flow, .len = len, .deadline = deadline };
	CHECK(keel_fiber_spawn(writer, j, 0) != NULL);
}

/* Resets the connection from the peer's side and closes the flow. */
static void closed_window(void)
{
	struct t_peer p;
	struct writer_job j;
	struct tcp_conn *c;
	struct t_seg s;
	uint32_t acked = 0;

	p_open(&p, lis, 61001, 1000);
	c = p_conn(&p);
	p.wnd = 0;
	p_send(&p, TCP_ACK, NULL, 0);
	start_writer(&j, &p, sizeof(big), keel_now() + 5 * KEEL_SEC);
	h_run();
	CHECK(tcp_share_past_window(c) == TCP_NOTSENT_MIN);
	/* Past the closed window: TCP_NOTSENT_MIN buffers, then the writer
	 * waits, though the send buffer and the pool have room. */
	CHECK(!j.done);
	CHECK(c->sndq_segs == TCP_NOTSENT_MIN);
	CHECK(c->sndq_bytes == TCP_NOTSENT_MIN * (uint32_t)c->mss);
	CHECK(c->sndq_bytes < c->sndbuf);
	/* The window opens (64 KiB): the writer fills it and queues as much
	 * again past its new edge; what the peer acknowledges goes on. */
	p.wnd = 512;
	p_send(&p, TCP_ACK, NULL, 0);
	for (int round = 0; round < 40; round++) {
		uint32_t got = 0;

		while (p_pop(&p, &s))
			got += (uint32_t)s.len;
		if (got == 0 || acked >= 4 * 65536)
			break;
		p.ack += got;
		acked += got;
		p_send(&p, TCP_ACK, NULL, 0);
		/* A buffer begun just short of the bound is filled. */
		CHECK(seq_lt(c->write_seq, c->snd_una + 65536 + (TCP_NOTSENT_MIN + 1) * c->mss));
	}
	CHECK(acked > 4 * 65536);
	CHECK(!j.done);
	/* Closed again: the writer stops at the same bound and its deadline
	 * returns what was taken. */
	p.wnd = 0;
	p_send(&p, TCP_ACK, NULL, 0);
	t_drain();
	h_advance(6 * KEEL_SEC);
	CHECK(j.done && j.rc > 0 && (size_t)j.rc < sizeof(big));
	p_finish(&p);
	CHECK(net->pool.free == net->pool.total);
}

static void send_share(void)
{
	struct t_peer a, b;
	struct writer_job ja, jb;
	uint32_t room = POOL - reserve();

	/* Both peers offer an 8 MiB window and acknowledge nothing yet:
	 * only the initial window goes out, the rest waits in the queues. */
	p_open(&a, lis, 61002, 2000);
	a.wnd = 65535;
	p_send(&a, TCP_ACK, NULL, 0);
	CHECK(keel_flow_set(a.flow, KEEL_FLOW_SNDBUF, 1024 * 1024) == KEEL_OK);
	start_writer(&ja, &a, sizeof(big), keel_now() + 2 * KEEL_SEC);
	h_run();
	CHECK(!ja.done);
	/* Alone, it holds half of what lies above the reserve. */
	CHECK(p_conn(&a)->sndq_segs <= room / 2 + 1);
	CHECK(p_conn(&a)->sndq_segs + 2 >= room / 2);
	CHECK(net->pool.free > reserve());

	t_drain();
	p_open(&b, lis, 61003, 3000);
	b.wnd = 65535;
	p_send(&b, TCP_ACK, NULL, 0);
	CHECK(keel_flow_set(b.flow, KEEL_FLOW_SNDBUF, 1024 * 1024) == KEEL_OK);
	start_writer(&jb, &b, sizeof(big), keel_now() + 2 * KEEL_SEC);
	h_run();
	CHECK(!jb.done);
	/* The second gets a share of what the first left: about a quarter. */
	CHECK(p_conn(&b)->sndq_segs >= room / 4 - 2);
	CHECK(net->pool.free > reserve());
	t_drain();

	/* The first's data is acknowledged: its buffers come back and the
	 * second may grow. */
	a.ack = p_conn(&a)->snd_max;
	p_send(&a, TCP_ACK, NULL, 0);
	t_drain();
	a.ack = p_conn(&a)->snd_max;
	p_send(&a, TCP_ACK, NULL, 0);
	b.ack = p_conn(&b)->snd_max;
	p_send(&b, TCP_ACK, NULL, 0);
	CHECK(net->pool.free > reserve());
	h_advance(3 * KEEL_SEC);
	CHECK(ja.done && jb.done);
	p_finish(&a);
	p_finish(&b);
	CHECK(net->pool.free == net->pool.total);
}

static void receive_share(void)
{
	struct t_peer a, b;
	uint32_t base, held, dropped;
	struct tcp_conn *ca;
	static uint8_t sink[64 * 1024];

	p_open(&a, lis, 61004, 4000);
	p_open(&b, lis, 61005, 5000);
	ca = p_conn(&a);
	/* A hole at the front, then 130 segments after it (within the
	 * window and the out-of-order bound, past the share): the first
	 * peer's queue stops at its share. */
	base = a.seq;
	for (uint32_t i = 1; i <= 130; i++) {
		a.seq = base + i * 900;
		p_send(&a, TCP_ACK, big, 900);
	}
	t_drain();
	held = tcp_share_held(ca);
	CHECK(held == ca->ooo_segs);
	CHECK(held >= TCP_SHARE_MIN && held < 130);
	CHECK(held <= (POOL - reserve()) / 2 + 1);
	CHECK(net->pool.free >= reserve() / 2);
	/* The second connection still receives, in order. */
	dropped = (uint32_t)t_stats(net).drop_no_buffer;
	for (int i = 0; i < 20; i++)
		p_send(&b, TCP_ACK, big, 1000);
	CHECK(keel_read(b.flow, sink, sizeof(sink), keel_now()) == 20000);
	CHECK(memcmp(sink, big, 1000) == 0);
	CHECK(t_stats(net).drop_no_buffer == dropped);
	/* The hole filled, the first reads what it kept: the segments
	 * kept are the first ones after the hole. */
	a.seq = base;
	p_send(&a, TCP_ACK, big, 900);
	CHECK(ca->rcv_nxt == base + 900 * (held + 1));
	CHECK(keel_read(a.flow, sink, sizeof(sink), keel_now()) > 0);
	p_finish(&a);
	p_finish(&b);
	CHECK(net->pool.free == net->pool.total);
}

static void many_stalled(void)
{
	static struct t_peer st[STALLED];
	static struct writer_job sj[STALLED];
	struct t_peer p;
	struct writer_job j;
	struct t_seg s;
	uint32_t held = 0, got = 0;
	static uint8_t sink[4096];

	/* Each asks for a 1 MiB answer and never reads: with full send
	 * buffers (128 KiB) two would fill this pool. */
	for (int i = 0; i < STALLED; i++) {
		p_open(&st[i], lis, (uint16_t)(61100 + i), 100000u * (uint32_t)i);
		st[i].wnd = 0;
		p_send(&st[i], TCP_ACK, NULL, 0);
		start_writer(&sj[i], &st[i], sizeof(big), keel_now() + 10 * KEEL_SEC);
		h_run();
		CHECK(net->pool.free >= reserve());
	}
	for (int i = 0; i < STALLED; i++) {
		CHECK(!sj[i].done);
		CHECK(p_conn(&st[i])->sndq_segs <= TCP_NOTSENT_MIN);
		held += p_conn(&st[i])->sndq_segs;
	}
	CHECK(held <= STALLED * TCP_NOTSENT_MIN);
	/* A newcomer connects, is sent 64 KiB and sends a request. */
	p_open(&p, lis, 61200, 9000);
	start_writer(&j, &p, 64 * 1024, keel_now() + 10 * KEEL_SEC);
	h_run();
	for (int round = 0; round < 40 && !j.done; round++) {
		uint32_t n = 0;

		while (p_pop(&p, &s)) {
			CHECK(s.seq == p.ack + n);
			CHECK(memcmp(s.data, big + got + n, s.len) == 0);
			n += (uint32_t)s.len;
		}
		p.ack += n;
		got += n;
		p_send(&p, TCP_ACK, NULL, 0);
	}
	CHECK(j.done && j.rc == 64 * 1024);
	p_send(&p, TCP_ACK | TCP_PSH, "GET / HTTP/1.1\r\n\r\n", 18);
	CHECK(keel_read(p.flow, sink, sizeof(sink), keel_now()) == 18);
	p_finish(&p);
	for (int i = 0; i < STALLED; i++)
		p_finish(&st[i]);
	h_advance(11 * KEEL_SEC);
	for (int i = 0; i < STALLED; i++)
		CHECK(sj[i].done);
	t_drain();
	CHECK(net->pool.free == net->pool.total);
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };
	struct keel_net_config cfg;

	(void)arg;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	keel_net_config_default(&cfg);
	cfg.addr = keel_addr_ipv4(10, 0, 0, 2);
	cfg.prefix_len = 24;
	cfg.gateway = keel_addr_ipv4(10, 0, 0, 1);
	cfg.frame_buffers = POOL;
	cfg.log_config = false;
	net = h_open(&cfg);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 64, &lis) == KEEL_OK);
	CHECK(reserve() == POOL / 8);
	closed_window();
	send_share();
	receive_share();
	many_stalled();
	CHECK(t_stats(net).tcp_conns_live == 0);
}

int main(void)
{
	return h_main("net/tcp_share", body, NULL);
}

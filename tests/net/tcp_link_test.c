/*
 * tcp_link_test — two stacks in one process, A (10.0.0.2) and B
 * (10.0.0.1), joined by a simulated link: 1 Gbit/s each way, 0.5 ms of
 * delay, a 100-frame queue (tail drop), and seeded, repeatable loss,
 * duplication and reordering. Over it, 4 MiB go each way at once on one
 * connection, every byte checked, for loss rates from 0 to 20 %; the
 * throughput in simulated time is printed. Some runs write by reference
 * (keel_flow_write_static): each write is a short copied head and then
 * bytes of a static array, so the send queues mix copied buffers and
 * buffers pointing into the array, and loss makes them be resent, split
 * by SACK and trimmed by partial ACKs.
 *
 * Both stacks sit on the harness's one fake device: their frames land in
 * the same capture queue, and the link tells them apart by source IP (B
 * gets its own MAC so neither takes the other's frames for a loop). The
 * link delivers a frame by handing it to the other stack's eth_input().
 * The link fiber reads the runtime's state (lib/core/core_impl.h) to
 * sleep exactly until the next event: a delivery or any timer.
 */
#include "tcp_util.h"

#include "core_impl.h"

#define LINK_RATE_BPS 1000000000ull
#define LINK_DELAY (500 * KEEL_USEC)
#define LINK_QUEUE 100
#define REORDER_EXTRA (2 * KEEL_MSEC)
#define STREAM_BYTES (4u << 20)

struct frame {
	keel_time at;
	struct keel_net *to;
	size_t len;
	uint8_t data[H_FRAME_MAX];
};

struct link {
	struct keel_net *a, *b;
	uint32_t loss_ppm, dup_ppm, reorder_ppm;
	uint64_t rng;
	keel_time busy_until[2]; /* serialisation, per direction */
	unsigned queued[2];
	struct frame *slot[4 * LINK_QUEUE];
	unsigned n;
	unsigned long lost, dups, reordered, tail_drops, no_buffer, delivered;
	bool stop;
};

static struct link link;

static uint32_t link_rand(void)
{
	link.rng ^= link.rng >> 12;
	link.rng ^= link.rng << 25;
	link.rng ^= link.rng >> 27;
	return (uint32_t)((link.rng * 0x2545f4914f6cdd1dull) >> 32);
}

static bool chance(uint32_t ppm)
{
	return ppm && link_rand() % 1000000u < ppm;
}

/* Queues one copy of f for delivery at `at`, kept sorted by time. */
static void schedule(const struct h_frame *f, struct keel_net *to, keel_time at)
{
	struct frame *fr;
	unsigned i;

	if (link.n == sizeof(link.slot) / sizeof(link.slot[0])) {
		link.tail_drops++;
		return;
	}
	fr = malloc(sizeof(*fr));
	CHECK(fr != NULL);
	fr->at = at;
	fr->to = to;
	fr->len = f->len;
	memcpy(fr->data, f->data, f->len);
	for (i = link.n; i > 0 && link.slot[i - 1]->at > at; i--)
		link.slot[i] = link.slot[i - 1];
	link.slot[i] = fr;
	link.n++;
}

/* Which stack sent f (by source IP / ARP sender), and so where it goes. */
static void route(const struct h_frame *f)
{
	uint32_t src;
	unsigned dir;
	struct keel_net *to;
	keel_time now = keel_now(), start, at;

	if (f->len < 42)
		return;
	memcpy(&src, f->data + (net_get16(f->data + 12) == ETH_TYPE_ARP ? 28 : 26), 4);
	dir = src == link.a->ip_be ? 0 : 1;
	to = dir == 0 ? link.b : link.a;
	if (link.queued[dir] >= LINK_QUEUE) {
		link.tail_drops++;
		return;
	}
	if (chance(link.loss_ppm)) {
		link.lost++;
		return;
	}
	start = link.busy_until[dir] > now ? link.busy_until[dir] : now;
	link.busy_until[dir] = start + (keel_time)f->len * 8 * KEEL_SEC / LINK_RATE_BPS;
	at = link.busy_until[dir] + LINK_DELAY;
	if (chance(link.reorder_ppm)) {
		at += REORDER_EXTRA;
		link.reordered++;
	}
	link.queued[dir]++;
	schedule(f, to, at);
	if (chance(link.dup_ppm)) {
		link.dups++;
		link.queued[dir]++;
		schedule(f, to, at + 10 * KEEL_USEC);
	}
}

static void deliver_due(void)
{
	keel_time now = keel_now();

	while (link.n > 0 && link.slot[0]->at <= now) {
		struct frame *fr = link.slot[0];
		struct netbuf *nb;

		memmove(link.slot, link.slot + 1, (link.n - 1) * sizeof(link.slot[0]));
		link.n--;
		link.queued[fr->to == link.b ? 0 : 1]--;
		nb = netbuf_alloc(fr->to);
		if (!nb) {
			link.no_buffer++;
		} else {
			memcpy(nb->data, fr->data, fr->len);
			nb->len = (uint16_t)fr->len;
			link.delivered++;
			eth_input(fr->to, nb);
		}
		free(fr);
	}
}

static void link_fiber(void *arg)
{
	(void)arg;
	while (!link.stop) {
		struct h_frame f;
		keel_time next = KEEL_FOREVER;
		const struct keel__timer_heap *h = &keel__core.timers;

		while (h_pop(&f))
			route(&f);
		deliver_due();
		if (h_tx_pending() > 0)
			continue;
		if (keel__core.runq_len > 0) {
			keel_fiber_yield(); /* others first, at this same instant */
			continue;
		}
		if (link.n > 0)
			next = link.slot[0]->at;
		if (h->len > 0 && h->slot[0].deadline < next)
			next = h->slot[0].deadline;
		if (next == KEEL_FOREVER)
			next = keel_now() + KEEL_SEC;
		keel_sleep_until(next);
	}
}

/* ---- The transfer ----------------------------------------------------------- */

static inline uint8_t pattern(uint8_t id, size_t off)
{
	uint64_t x = (uint64_t)(off >> 3) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)id << 56);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint8_t)(x >> ((off & 7) * 8));
}

struct stream {
	struct keel_flow *wf, *rf; /* written on wf, read on rf */
	uint8_t id;
	bool by_ref;            /* written with keel_flow_write_static */
	bool chopped;           /* ... in many short writes with heads */
	unsigned long ext_seen; /* send-queue buffers seen pointing outside */
	size_t written, read;
	int werr, rerr;
	bool wdone, rdone, bad;
	keel_time end;
};

static struct keel_waitq done_q = KEEL_WAITQ_INIT(done_q);

/* The streams' bytes, filled once before any connection: the memory
 * keel_flow_write_static is promised stays valid and unchanged. */
static uint8_t static_src[2][STREAM_BYTES];

static void fill_static(void)
{
	for (uint8_t id = 1; id <= 2; id++)
		for (size_t i = 0; i < STREAM_BYTES; i++)
			static_src[id & 1][i] = pattern(id, i);
}

/* Counts the send-queue buffers of flow f that point outside the pool. */
static unsigned long count_ext(struct keel_flow *f)
{
	struct tcp_conn *c = (struct tcp_conn *)(void *)f;
	unsigned long n = 0;

	for (struct netbuf *b = c->sndq_head; b; b = b->next)
		if (txcb(b)->ext)
			n++;
	return n;
}

/* Writes the stream as heads of 0..299 copied bytes, each followed by up
 * to 40 KB by reference, the sizes varying with the offset; or, when not
 * `chopped`, as 1 MiB by reference at a time. */
static void write_by_ref(struct stream *s)
{
	const uint8_t *src = static_src[s->id & 1];
	struct keel_iovec many[KEEL_FLOW_STATIC_HEAD_MAX + 1] = { { src, 1 } };
	uint8_t head[300];

	CHECK(keel_flow_write_static(s->wf, many, KEEL_FLOW_STATIC_HEAD_MAX + 1, src, 1,
	                             KEEL_FOREVER) == KEEL_EINVAL);
	while (s->written < STREAM_BYTES) {
		size_t n = s->chopped ? 1 + (s->written * 31 + 7) % 40000 : 1u << 20;
		size_t h = s->chopped ? (s->written / 7) % 300 : 0;
		struct keel_iovec iov = { head, 0 };
		long r;

		if (n > STREAM_BYTES - s->written)
			n = STREAM_BYTES - s->written;
		if (h > n)
			h = n;
		memcpy(head, src + s->written, h);
		iov.len = h;
		r = keel_flow_write_static(s->wf, &iov, h ? 1 : 0, src + s->written + h, n - h,
		                           KEEL_FOREVER);
		if (r < 0) {
			s->werr = (int)r;
			break;
		}
		s->written += (size_t)r;
		s->ext_seen += count_ext(s->wf);
	}
}

static void writer(void *arg)
{
	struct stream *s = arg;
	static uint8_t bufs[2][16384];
	uint8_t *buf = bufs[s->id & 1];

	if (s->by_ref)
		write_by_ref(s);
	while (!s->by_ref && s->written < STREAM_BYTES) {
		size_t n = STREAM_BYTES - s->written;
		long r;

		if (n > 16384)
			n = 16384;
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(s->id, s->written + i);
		r = keel_write(s->wf, buf, n, KEEL_FOREVER);
		if (r < 0) {
			s->werr = (int)r;
			break;
		}
		s->written += (size_t)r;
	}
	keel_shutdown(s->wf, KEEL_SHUT_WR);
	s->wdone = true;
	keel_wake_all(&done_q);
}

static void reader(void *arg)
{
	struct stream *s = arg;
	static uint8_t bufs[2][7000];
	uint8_t *buf = bufs[s->id & 1];

	for (;;) {
		long r = keel_read(s->rf, buf, 7000, KEEL_FOREVER);

		if (r <= 0) {
			s->rerr = (int)r;
			break;
		}
		for (long i = 0; i < r; i++)
			if (buf[i] != pattern(s->id, s->read + (size_t)i))
				s->bad = true;
		s->read += (size_t)r;
	}
	s->end = keel_now();
	s->rdone = true;
	keel_wake_all(&done_q);
}

struct opener {
	struct keel_net *net;
	struct keel_flow *flow;
	int rc;
	bool done;
};

static void connecter(void *arg)
{
	struct opener *o = arg;
	struct keel_sockaddr to = { .addr = keel_addr_ipv4(10, 0, 0, 2), .port = 5001 };

	o->rc = keel_tcp_connect(o->net, &to, keel_now() + 30 * KEEL_SEC, &o->flow);
	o->done = true;
	keel_wake_all(&done_q);
}

/* How transfer() writes: copied, by reference in large writes, or by
 * reference in short writes behind copied heads. */
enum { COPY = 0, REF_WHOLE = 1, REF_CHOPPED = 2 };

static void transfer(struct keel_listener *l, uint32_t loss_ppm, uint32_t dup_ppm,
                     uint32_t reorder_ppm, int by_ref)
{
	struct opener o = { .net = link.b };
	struct keel_flow *fa;
	static const char *const mode[] = { "copy", "ref ", "refc" };
	struct stream ab = { .id = 1, .by_ref = by_ref > 0, .chopped = by_ref == REF_CHOPPED };
	struct stream ba = { .id = 2, .by_ref = by_ref > 0, .chopped = by_ref == REF_CHOPPED };
	keel_time t0, deadline;
	struct keel_net_stats sa0, sb0, sa1, sb1;
	uint64_t timeouts0 = link.a->tcp->timeouts + link.b->tcp->timeouts;
	uint64_t recoveries0 = link.a->tcp->recoveries + link.b->tcp->recoveries;
	double secs, mbit;

	link.loss_ppm = loss_ppm;
	link.dup_ppm = dup_ppm;
	link.reorder_ppm = reorder_ppm;
	link.lost = link.dups = link.reordered = link.tail_drops = link.no_buffer = 0;
	sa0 = t_stats(link.a);
	sb0 = t_stats(link.b);
	t0 = keel_now();
	deadline = t0 + 3600 * KEEL_SEC;
	CHECK(keel_fiber_spawn(connecter, &o, 0) != NULL);
	CHECK(keel_tcp_accept(l, &fa, NULL, deadline) == KEEL_OK);
	while (!o.done)
		keel_wait(&done_q, deadline);
	CHECK(o.rc == KEEL_OK);
	ab.wf = fa;
	ab.rf = o.flow;
	ba.wf = o.flow;
	ba.rf = fa;
	CHECK(keel_fiber_spawn(writer, &ab, 0) && keel_fiber_spawn(reader, &ab, 0));
	CHECK(keel_fiber_spawn(writer, &ba, 0) && keel_fiber_spawn(reader, &ba, 0));
	while (!(ab.wdone && ab.rdone && ba.wdone && ba.rdone) && keel_now() < deadline)
		keel_wait(&done_q, deadline);
	CHECK(ab.wdone && ab.rdone && ba.wdone && ba.rdone);
	CHECK(ab.werr == 0 && ba.werr == 0 && ab.rerr == 0 && ba.rerr == 0);
	CHECK(ab.written == STREAM_BYTES && ba.written == STREAM_BYTES);
	CHECK(ab.read == STREAM_BYTES && ba.read == STREAM_BYTES);
	CHECK(!ab.bad && !ba.bad);
	/* Writing by reference did queue references (else this run would
	 * test only the copying path). */
	CHECK(by_ref ? ab.ext_seen > 0 && ba.ext_seen > 0 : ab.ext_seen == 0 && ba.ext_seen == 0);
	keel_close(fa);
	keel_close(o.flow);
	sa1 = t_stats(link.a);
	sb1 = t_stats(link.b);
	secs = (double)((ab.end > ba.end ? ab.end : ba.end) - t0) / 1e9;
	mbit = 2.0 * STREAM_BYTES * 8 / secs / 1e6;
	printf(
	    "%s loss %4.1f%% dup %.1f%% reorder %.1f%%: 2 x %u MiB in %7.3f s simulated, "
	    "%7.1f Mbit/s total; retransmits %llu+%llu, lost %lu dup %lu reordered %lu "
	    "tail-dropped %lu nobuf %lu; timeouts %llu recoveries %llu\n",
	    mode[by_ref], loss_ppm / 1e4, dup_ppm / 1e4, reorder_ppm / 1e4, STREAM_BYTES >> 20,
	    secs, mbit, (unsigned long long)(sa1.tcp_retransmits - sa0.tcp_retransmits),
	    (unsigned long long)(sb1.tcp_retransmits - sb0.tcp_retransmits), link.lost, link.dups,
	    link.reordered, link.tail_drops, link.no_buffer,
	    (unsigned long long)(link.a->tcp->timeouts + link.b->tcp->timeouts - timeouts0),
	    (unsigned long long)(link.a->tcp->recoveries + link.b->tcp->recoveries - recoveries0));
	/* A clean gigabit link is mostly used (short writes need not fill
	 * it: they leave short segments). */
	if (loss_ppm == 0 && dup_ppm == 0 && reorder_ppm == 0 && by_ref != REF_CHOPPED)
		CHECK(mbit > 500);
	/* Let both ends finish closing (TIME_WAIT included). */
	h_advance(0);
	keel_sleep(5 * KEEL_SEC);
	CHECK(t_stats(link.a).tcp_conns_live == 0 && t_stats(link.b).tcp_conns_live == 0);
	CHECK(link.a->pool.free == link.a->pool.total);
	CHECK(link.b->pool.free == link.b->pool.total);
}

static struct keel_net *open_stack(uint8_t last)
{
	struct keel_net_config cfg;
	struct keel_net *net;

	keel_net_config_default(&cfg);
	cfg.addr = keel_addr_ipv4(10, 0, 0, last);
	cfg.prefix_len = 24;
	cfg.log_config = false;
	CHECK(keel_net_open(H_DEVICE, &cfg, keel_now() + KEEL_SEC, &net) == KEEL_OK);
	net->mac[5] = (uint8_t)(0x10 + last); /* distinct MACs on the shared device */
	return net;
}

static void body(void *arg)
{
	struct keel_listener *l;
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = 5001 };
	static const uint32_t loss[] = { 0, 10000, 20000, 50000, 100000, 200000 };

	(void)arg;
	link.rng = 0x1234567887654321ull;
	link.a = open_stack(2);
	link.b = open_stack(1);
	h_tx_clear();
	CHECK(keel_fiber_spawn(link_fiber, NULL, 0) != NULL);
	CHECK(keel_tcp_listen(link.a, &at, 8, &l) == KEEL_OK);
	for (unsigned i = 0; i < sizeof(loss) / sizeof(loss[0]); i++)
		transfer(l, loss[i], 0, 0, COPY);
	transfer(l, 20000, 10000, 10000, COPY);
	transfer(l, 0, 50000, 50000, COPY);
	fill_static();
	transfer(l, 0, 0, 0, REF_WHOLE);
	transfer(l, 50000, 0, 0, REF_WHOLE);
	for (unsigned i = 0; i < sizeof(loss) / sizeof(loss[0]); i++)
		if (loss[i] != 10000 && loss[i] != 100000)
			transfer(l, loss[i], 0, 0, REF_CHOPPED);
	transfer(l, 20000, 10000, 10000, REF_CHOPPED);
	link.stop = true;
}

int main(void)
{
	return h_main("net/tcp_link", body, NULL);
}

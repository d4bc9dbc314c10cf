/*
 * tcp_handshake_test — opening and closing with crafted segments: the
 * passive and active handshakes and their options, a closed port, a
 * refused and a timed-out connect, simultaneous open, graceful close from
 * either side, simultaneous close, TIME_WAIT and its reuse (RFC 6191),
 * unread data on close (RST), SYN cookies once the SYN backlog is full,
 * and the connection bound (RST, counted, others unharmed).
 */
#include "tcp_util.h"

static struct keel_net *net;
static struct keel_listener *lis;

static void passive_open_and_data(void)
{
	struct t_peer p;
	struct t_seg s;
	char buf[64], desc[80];
	struct keel_sockaddr local, remote;
	struct keel_net_stats st;

	p_open(&p, lis, 40001, 1000);
	st = t_stats(net);
	CHECK(st.tcp_conns_opened == 1 && st.tcp_conns_live == 1);
	CHECK(keel_tcp_endpoints(p.flow, &local, &remote) == KEEL_OK);
	CHECK(local.port == T_PORT && remote.port == 40001);
	p.flow->ops->describe(p.flow, desc, sizeof(desc));
	CHECK(strcmp(desc, "10.0.0.2:80 <- 10.0.0.1:40001") == 0);

	/* Data in, read out; one small segment is acknowledged late. */
	p_send(&p, TCP_ACK | TCP_PSH, "hello", 5);
	CHECK(!p_pop(&p, &s));
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	h_advance(40 * KEEL_MSEC);
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == TCP_ACK && s.ack == p.seq && s.len == 0);
	/* Data out: echoed as one segment with PSH. */
	CHECK(keel_write(p.flow, "world", 5, keel_now()) == 5);
	h_run();
	CHECK(p_pop(&p, &s));
	CHECK(s.len == 5 && memcmp(s.data, "world", 5) == 0 && s.seq == p.ack);
	CHECK(s.flags == (TCP_ACK | TCP_PSH));
	p.ack += 5;
	p_send(&p, TCP_ACK, NULL, 0);

	/* The peer closes first: its FIN is acknowledged, read sees EOF. */
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == TCP_ACK && s.ack == p.seq);
	CHECK(keel_read(p.flow, buf, sizeof(buf), keel_now()) == 0);
	/* Then we close: FIN (LAST_ACK), its ACK ends the connection. */
	keel_close(p.flow);
	h_run();
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == (TCP_ACK | TCP_FIN) && s.seq == p.ack);
	p.ack++;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(t_stats(net).tcp_conns_live == 0);
	CHECK(!t_pop(&s));
}

static void closed_port(void)
{
	struct t_seg s;
	uint64_t resets = t_stats(net).tcp_resets_out;

	t_send(&(struct t_out){
	    .sport = 40002, .dport = 81, .seq = 77, .flags = TCP_SYN, .wnd = 1000 });
	CHECK(t_pop(&s));
	CHECK(s.flags == (TCP_RST | TCP_ACK) && s.ack == 78 && s.seq == 0);
	/* An ACK to nobody gets a RST at its ack number; a RST gets nothing. */
	t_send(&(struct t_out){
	    .sport = 40002, .dport = 81, .seq = 77, .ack = 999, .flags = TCP_ACK, .wnd = 1000 });
	CHECK(t_pop(&s));
	CHECK(s.flags == TCP_RST && s.seq == 999);
	t_send(&(struct t_out){ .sport = 40002, .dport = 81, .seq = 77, .flags = TCP_RST });
	CHECK(!t_pop(&s));
	CHECK(t_stats(net).tcp_resets_out == resets + 2);
}

/* We close first: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, then gone. */
static void active_close_time_wait(void)
{
	struct t_peer p;
	struct t_seg s;
	uint8_t o[40];
	size_t n;

	p_open(&p, lis, 40003, 5000);
	keel_close(p.flow);
	h_run();
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == (TCP_ACK | TCP_FIN));
	p.ack++;
	p_send(&p, TCP_ACK, NULL, 0); /* FIN_WAIT_2 */
	CHECK(!t_pop(&s));
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == TCP_ACK && s.ack == p.seq); /* TIME_WAIT */
	CHECK(t_stats(net).tcp_conns_live == 1);
	/* A repeated FIN is acknowledged again. */
	p.seq--;
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	CHECK(p_pop(&p, &s));
	CHECK(s.flags == TCP_ACK && s.ack == p.seq);

	/* A new SYN with an older timestamp does not take TIME_WAIT over. */
	n = t_syn_opts(o, true, 10, true, true);
	t_send(&(struct t_out){ .sport = 40003,
	                        .dport = T_PORT,
	                        .seq = 900000,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(t_pop(&s));
	CHECK(!(s.flags & TCP_SYN));
	/* A newer one does (RFC 6191), and the handshake goes on. */
	n = t_syn_opts(o, true, p.ts_val + 100, true, true);
	t_send(&(struct t_out){ .sport = 40003,
	                        .dport = T_PORT,
	                        .seq = 900000,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(t_pop(&s));
	CHECK(s.flags == (TCP_SYN | TCP_ACK) && s.ack == 900001);
	t_send(&(struct t_out){
	    .sport = 40003, .dport = T_PORT, .seq = 900001, .ack = s.seq + 1, .flags = TCP_RST });
	CHECK(t_stats(net).tcp_conns_live == 0);

	/* Without reuse, TIME_WAIT ends after tcp_time_wait_ms. */
	p_open(&p, lis, 40004, 7000);
	keel_close(p.flow);
	h_run();
	CHECK(p_pop(&p, &s) && (s.flags & TCP_FIN));
	p.ack++;
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	CHECK(p_pop(&p, &s) && s.ack == p.seq);
	CHECK(t_stats(net).tcp_conns_live == 1);
	h_advance(1900 * KEEL_MSEC);
	CHECK(t_stats(net).tcp_conns_live == 1);
	h_advance(200 * KEEL_MSEC);
	CHECK(t_stats(net).tcp_conns_live == 0);
}

/* Both send FIN before seeing the other's: CLOSING, then TIME_WAIT. */
static void simultaneous_close(void)
{
	struct t_peer p;
	struct t_seg s;
	struct tcp_conn *c;

	p_open(&p, lis, 40005, 9000);
	c = (struct tcp_conn *)(void *)p.flow;
	CHECK(keel_shutdown(p.flow, KEEL_SHUT_WR) == KEEL_OK);
	h_run();
	CHECK(p_pop(&p, &s) && s.flags == (TCP_ACK | TCP_FIN));
	CHECK(c->state == TCP_FIN_WAIT_1);
	/* The peer's FIN crosses ours: it does not acknowledge our FIN. */
	p_send(&p, TCP_ACK | TCP_FIN, NULL, 0);
	CHECK(c->state == TCP_CLOSING);
	CHECK(p_pop(&p, &s) && s.ack == p.seq);
	p.ack++;
	p_send(&p, TCP_ACK, NULL, 0);
	CHECK(c->state == TCP_TIME_WAIT);
	keel_close(p.flow);
	h_advance(3 * KEEL_SEC);
	CHECK(t_stats(net).tcp_conns_live == 0);
	t_drain();
}

static void unread_data_resets(void)
{
	struct t_peer p;
	struct t_seg s;

	p_open(&p, lis, 40006, 11000);
	p_send(&p, TCP_ACK, "unread", 6);
	keel_close(p.flow);
	h_run();
	CHECK(p_pop(&p, &s));
	CHECK(s.flags & TCP_RST);
	CHECK(t_stats(net).tcp_conns_live == 0);
}

/* ---- Active open ---------------------------------------------------------- */

struct connect_job {
	int rc;
	bool done;
	struct keel_flow *flow;
	keel_time deadline;
};

static void connecter(void *arg)
{
	struct connect_job *j = arg;
	struct keel_sockaddr to = { .addr = keel_addr_ipv4(10, 0, 0, 1), .port = 9000 };

	j->rc = keel_tcp_connect(net, &to, j->deadline, &j->flow);
	j->done = true;
}

static void start_connect(struct connect_job *j, keel_time deadline)
{
	memset(j, 0, sizeof(*j));
	j->deadline = deadline;
	CHECK(keel_fiber_spawn(connecter, j, 0) != NULL);
	h_run();
}

static void active_open(void)
{
	struct connect_job j;
	struct t_seg syn, s;
	struct t_peer p;
	uint8_t o[40];
	size_t n;

	start_connect(&j, KEEL_FOREVER);
	CHECK(t_pop(&syn));
	CHECK(syn.flags == TCP_SYN && syn.dport == 9000 && syn.sport >= 49152);
	CHECK(syn.opt.has_mss && syn.opt.sack_ok && syn.opt.has_ts && syn.opt.has_wscale);
	/* SYN-ACK without timestamps or SACK: both stay off. */
	n = t_syn_opts(o, false, 0, true, false);
	t_send(&(struct t_out){ .sport = 9000,
	                        .dport = syn.sport,
	                        .seq = 50000,
	                        .ack = syn.seq + 1,
	                        .flags = TCP_SYN | TCP_ACK,
	                        .wnd = 100,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(j.done && j.rc == KEEL_OK);
	CHECK(t_pop(&s) && s.flags == TCP_ACK && s.ack == 50001 && !s.opt.has_ts);
	memset(&p, 0, sizeof(p));
	p.port = 9000;
	p.sport = syn.sport;
	p.seq = 50001;
	p.ack = syn.seq + 1;
	p.wnd = 100;
	/* The window of 100 << 7 lets a write go out at once. */
	CHECK(keel_write(j.flow, "abc", 3, keel_now()) == 3);
	h_run();
	CHECK(p_pop(&p, &s) && s.len == 3 && s.seq == p.ack);
	p.ack += 3;
	p_send(&p, TCP_ACK | TCP_RST, NULL, 0);
	CHECK(keel_read(j.flow, o, 1, keel_now()) == KEEL_ECONNRESET);
	keel_close(j.flow);

	/* Refused: a RST that acknowledges the SYN. */
	start_connect(&j, KEEL_FOREVER);
	CHECK(t_pop(&syn));
	/* A RST that does not acknowledge our SYN is ignored (RFC 5961). */
	t_send(&(struct t_out){ .sport = 9000,
	                        .dport = syn.sport,
	                        .seq = 0,
	                        .ack = syn.seq + 7,
	                        .flags = TCP_RST | TCP_ACK });
	CHECK(!j.done);
	t_send(&(struct t_out){ .sport = 9000,
	                        .dport = syn.sport,
	                        .seq = 0,
	                        .ack = syn.seq + 1,
	                        .flags = TCP_RST | TCP_ACK });
	CHECK(j.done && j.rc == KEEL_ECONNREFUSED);

	/* Nobody answers: SYN retransmitted with backoff until the deadline. */
	start_connect(&j, keel_now() + 10 * KEEL_SEC);
	CHECK(t_pop(&syn));
	h_advance(999 * KEEL_MSEC);
	CHECK(!t_pop(&s));
	h_advance(2 * KEEL_MSEC);
	CHECK(t_pop(&s) && s.flags == TCP_SYN && s.seq == syn.seq);
	h_advance(2 * KEEL_SEC); /* the second retry after 2 s more */
	CHECK(t_pop(&s) && s.flags == TCP_SYN);
	h_advance(8 * KEEL_SEC);
	CHECK(j.done && j.rc == KEEL_ETIMEDOUT);
	t_drain();
	CHECK(t_stats(net).tcp_conns_live == 0);
}

/* An ICMP "host unreachable" about our SYN ends the connect (RFC 1122
 * 4.2.3.9); one quoting a sequence number we never sent is ignored. */
static void icmp_unreachable(void)
{
	struct connect_job j;
	struct h_frame f;
	struct h_ipv4_view v;
	uint8_t icmp[64], frame[128];
	struct h_ipv4_hdr ip = { .src = H_PEER_IP, .dst = H_STACK_IP, .proto = IP_PROTO_ICMP };
	uint16_t csum;
	size_t n;

	start_connect(&j, KEEL_FOREVER);
	do
		CHECK(h_pop(&f));
	while (!h_parse_ipv4(&f, &v) || v.proto != IP_PROTO_TCP);
	/* Type 3 code 1, then the IP header and 8 bytes of the SYN. */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3;
	icmp[1] = 1;
	memcpy(icmp + 8, v.ip, v.ip_hlen + 8);
	n = 8 + v.ip_hlen + 8;
	/* First with a sequence number outside what was sent. */
	icmp[8 + v.ip_hlen + 4] ^= 0x80;
	csum = inet_fold(inet_sum(icmp, n, 0));
	memcpy(icmp + 2, &csum, 2);
	h_inject(frame, h_ipv4(frame, &ip, icmp, n));
	h_run();
	CHECK(!j.done);
	icmp[8 + v.ip_hlen + 4] ^= 0x80;
	icmp[2] = icmp[3] = 0;
	csum = inet_fold(inet_sum(icmp, n, 0));
	memcpy(icmp + 2, &csum, 2);
	h_inject(frame, h_ipv4(frame, &ip, icmp, n));
	h_run();
	CHECK(j.done && j.rc == KEEL_EHOSTUNREACH);
	CHECK(t_stats(net).tcp_conns_live == 0);
}

static void simultaneous_open(void)
{
	struct connect_job j;
	struct t_seg syn, s;

	start_connect(&j, KEEL_FOREVER);
	CHECK(t_pop(&syn));
	/* The peer's own SYN arrives (no ACK): SYN_RECEIVED, SYN-ACK. */
	t_send(&(struct t_out){
	    .sport = 9000, .dport = syn.sport, .seq = 70000, .flags = TCP_SYN, .wnd = 1000 });
	CHECK(t_pop(&s));
	CHECK(s.flags == (TCP_SYN | TCP_ACK) && s.seq == syn.seq && s.ack == 70001);
	CHECK(!j.done);
	/* Then its SYN-ACK for our SYN. */
	t_send(&(struct t_out){ .sport = 9000,
	                        .dport = syn.sport,
	                        .seq = 70000,
	                        .ack = syn.seq + 1,
	                        .flags = TCP_SYN | TCP_ACK,
	                        .wnd = 1000 });
	CHECK(j.done && j.rc == KEEL_OK);
	t_drain();
	keel_close(j.flow);
	h_run();
	CHECK(t_pop(&s) && (s.flags & TCP_FIN));
	t_send(&(struct t_out){ .sport = 9000,
	                        .dport = syn.sport,
	                        .seq = 70001,
	                        .ack = s.seq + 1,
	                        .flags = TCP_ACK | TCP_RST });
	CHECK(t_stats(net).tcp_conns_live == 0);
}

/* ---- Bounds ---------------------------------------------------------------- */

static void syn_cookies(void)
{
	struct tcp_state *ts = net->tcp;
	uint32_t saved = ts->max_syn_backlog;
	uint8_t o[40];
	size_t n = t_syn_opts(o, true, 100, true, true);
	struct t_seg s, cookie;
	struct keel_flow *f;
	struct keel_net_stats st0 = t_stats(net);
	struct tcp_conn *c;
	uint8_t to[12];
	char buf[8];

	ts->max_syn_backlog = 2;
	for (uint16_t port = 41000; port < 41002; port++) {
		t_send(&(struct t_out){ .sport = port,
		                        .dport = T_PORT,
		                        .seq = 1,
		                        .flags = TCP_SYN,
		                        .wnd = 65535,
		                        .opts = o,
		                        .opts_len = n });
		CHECK(t_pop(&s) && s.flags == (TCP_SYN | TCP_ACK));
	}
	CHECK(ts->nsynrecv == 2);
	/* The backlog is full: a cookie, and nothing kept. */
	t_send(&(struct t_out){ .sport = 41002,
	                        .dport = T_PORT,
	                        .seq = 500,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(t_pop(&cookie) && cookie.flags == (TCP_SYN | TCP_ACK) && cookie.ack == 501);
	CHECK(cookie.opt.has_ts && cookie.opt.sack_ok && cookie.opt.has_wscale);
	CHECK(t_stats(net).tcp_syn_cookies == st0.tcp_syn_cookies + 1);
	CHECK(ts->nsynrecv == 2 && t_stats(net).tcp_conns_live == st0.tcp_conns_live + 2);
	/* A forged ACK (wrong cookie) gets a RST. */
	t_send(&(struct t_out){ .sport = 41002,
	                        .dport = T_PORT,
	                        .seq = 501,
	                        .ack = cookie.seq + 2,
	                        .flags = TCP_ACK,
	                        .wnd = 512 });
	CHECK(t_pop(&s) && s.flags == TCP_RST);
	/* The right one (with data) builds the connection. */
	t_send(&(struct t_out){ .sport = 41002,
	                        .dport = T_PORT,
	                        .seq = 501,
	                        .ack = cookie.seq + 1,
	                        .flags = TCP_ACK | TCP_PSH,
	                        .wnd = 512,
	                        .opts = to,
	                        .opts_len = t_ts_opt(to, 101, cookie.opt.ts_val),
	                        .data = "ck",
	                        .len = 2 });
	CHECK(keel_tcp_accept(lis, &f, NULL, keel_now()) == KEEL_OK);
	c = (struct tcp_conn *)(void *)f;
	CHECK(c->state == TCP_ESTABLISHED && c->ts_ok && c->sack_ok && c->snd_wscale == 7);
	CHECK(c->mss == 1460 - 12 && c->snd_wnd == 512u << 7);
	CHECK(keel_read(f, buf, sizeof(buf), keel_now()) == 2 && memcmp(buf, "ck", 2) == 0);
	keel_close(f);
	h_run();
	/* (A window update may come first: the window grows past 64 KiB.) */
	do
		CHECK(t_pop(&s));
	while (!(s.flags & TCP_FIN));
	t_send(&(struct t_out){ .sport = 41002, .dport = T_PORT, .seq = 503, .flags = TCP_RST });
	/* Clean up the two half-open ones: their SYN-ACKs give up. */
	h_advance(70 * KEEL_SEC);
	t_drain();
	CHECK(ts->nsynrecv == 0);
	ts->max_syn_backlog = saved;
	h_advance(40 * KEEL_SEC);
	t_drain();
}

static void connection_bound(void)
{
	struct tcp_state *ts = net->tcp;
	uint32_t saved = ts->max_conns;
	struct t_peer a, b;
	struct t_seg s;
	uint8_t o[40];
	size_t n = t_syn_opts(o, true, 100, true, true);
	char buf[8];
	uint64_t refused = t_stats(net).tcp_conns_refused;

	CHECK(t_stats(net).tcp_conns_live == 0);
	ts->max_conns = 2;
	p_open(&a, lis, 42001, 100);
	p_open(&b, lis, 42002, 200);
	t_send(&(struct t_out){ .sport = 42003,
	                        .dport = T_PORT,
	                        .seq = 300,
	                        .flags = TCP_SYN,
	                        .wnd = 65535,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(t_pop(&s) && s.flags == (TCP_RST | TCP_ACK) && s.ack == 301);
	CHECK(t_stats(net).tcp_conns_refused == refused + 1);
	/* The connections already there carry on. */
	p_send(&a, TCP_ACK, "ok", 2);
	CHECK(keel_read(a.flow, buf, sizeof(buf), keel_now()) == 2);
	CHECK(keel_write(a.flow, "ok", 2, keel_now()) == 2);
	h_run();
	CHECK(p_pop(&a, &s) && s.len == 2);
	/* A connect from inside is refused by the bound too. */
	{
		struct keel_sockaddr to = { .addr = keel_addr_ipv4(10, 0, 0, 1), .port = 9000 };
		struct keel_flow *f;

		CHECK(keel_tcp_connect(net, &to, keel_now(), &f) == KEEL_ENOMEM);
	}
	p_send(&a, TCP_ACK | TCP_RST, NULL, 0);
	p_send(&b, TCP_ACK | TCP_RST, NULL, 0);
	keel_close(a.flow);
	keel_close(b.flow);
	ts->max_conns = saved;
	CHECK(t_stats(net).tcp_conns_live == 0);
}

static void listener_close(void)
{
	struct keel_listener *l2;
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = 8080 };
	struct keel_flow *f;
	uint8_t o[40];
	size_t n = t_syn_opts(o, false, 0, false, false);
	struct t_seg s;

	CHECK(keel_tcp_listen(net, &at, 4, &l2) == KEEL_OK);
	CHECK(keel_tcp_listen(net, &at, 4, &lis) == KEEL_EADDRINUSE);
	CHECK(keel_tcp_accept(l2, &f, NULL, keel_now()) == KEEL_ETIMEDOUT);
	/* A half-open connection is reset when the listener closes. */
	t_send(&(struct t_out){ .sport = 43000,
	                        .dport = 8080,
	                        .seq = 1,
	                        .flags = TCP_SYN,
	                        .wnd = 1000,
	                        .opts = o,
	                        .opts_len = n });
	CHECK(t_pop(&s) && s.flags == (TCP_SYN | TCP_ACK));
	keel_tcp_listener_close(l2);
	h_run();
	CHECK(t_pop(&s) && (s.flags & TCP_RST));
	CHECK(t_stats(net).tcp_conns_live == 0);
	t_send(&(struct t_out){
	    .sport = 43000, .dport = 8080, .seq = 1, .flags = TCP_SYN, .wnd = 1000 });
	CHECK(t_pop(&s) && s.flags == (TCP_RST | TCP_ACK));
}

static void body(void *arg)
{
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = T_PORT };

	(void)arg;
	net = h_open(NULL);
	h_learn_peer(net);
	CHECK(keel_tcp_listen(net, &at, 16, &lis) == KEEL_OK);
	passive_open_and_data();
	closed_port();
	active_close_time_wait();
	simultaneous_close();
	unread_data_resets();
	active_open();
	icmp_unreachable();
	simultaneous_open();
	syn_cookies();
	connection_bound();
	listener_close();
}

int main(void)
{
	return h_main("net/tcp_handshake", body, NULL);
}

/*
 * sockecho — the test image of the socket stack, used by the scripts in
 * tests/net-socket. It declares no devices: it uses the host's sockets.
 *
 *   sockecho serve PORT [--seconds=N]
 *       TCP echo on 0.0.0.0:PORT (each connection in its own fiber: what
 *       it reads it writes back; at the peer's end of stream it ends its
 *       own and closes), and UDP echo on the same port. A datagram "quit"
 *       ends it at once, otherwise it ends after N seconds (default 60).
 *       Prints "echo: ready" once listening; at the end the stack's
 *       counters, "echo: peak N connections" and "echo: done".
 *   sockecho client ADDR:PORT BYTES
 *       connects, writes BYTES of a pattern while a second fiber reads the
 *       echo back and checks it; prints "client: ok BYTES" or why not.
 *   sockecho connect ADDR:PORT
 *       one connect; prints "connect: " and the result ("ok" or the error).
 *   sockecho resolve NAME [--dns=ADDR]
 *       prints "resolve: NAME ADDR" or "resolve: NAME error TEXT".
 *   sockecho cycles PORT N
 *       N times: a stack is opened, listens on 127.0.0.1:PORT, connects to
 *       itself, sends a few bytes through and closes the lot with
 *       keel_net_close (which must refuse while anything is still open).
 *       Prints "cycles: heap B1 B2" (heap bytes in use after the first
 *       cycle and after the last) and "cycles: ok N", or what failed.
 *
 * The network options of keel_net_config_args are accepted anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/heap.h>
#include <keel/net.h>

#define BUF_SIZE (64 * 1024)
#define IO_TIMEOUT (30 * KEEL_SEC)

static struct keel_net *net;
static struct keel_waitq done_q = KEEL_WAITQ_INIT(done_q);
static bool quit;
static unsigned live, peak;

/* ---- serve ---------------------------------------------------------------- */

static void echo_conn(void *arg)
{
	struct keel_flow *f = arg;
	char *buf = malloc(BUF_SIZE);

	live++;
	if (live > peak)
		peak = live;
	while (buf) {
		long n = keel_read(f, buf, BUF_SIZE, keel_now() + IO_TIMEOUT);

		if (n <= 0) {
			if (n < 0)
				printf("echo: read: %s\n", keel_strerror((int)n));
			break;
		}
		if (keel_write(f, buf, (size_t)n, keel_now() + IO_TIMEOUT) != n) {
			printf("echo: write failed\n");
			break;
		}
	}
	keel_shutdown(f, KEEL_SHUT_WR);
	keel_close(f);
	free(buf);
	live--;
}

static void tcp_server(void *arg)
{
	struct keel_listener *l = arg;

	for (;;) {
		struct keel_flow *f;
		int rc = keel_tcp_accept(l, &f, NULL, KEEL_FOREVER);

		if (rc == KEEL_ECLOSED)
			return;
		if (rc != KEEL_OK) {
			printf("echo: accept: %s\n", keel_strerror(rc));
			keel_sleep(10 * KEEL_MSEC);
			continue;
		}
		if (!keel_fiber_spawn(echo_conn, f, 0)) {
			printf("echo: no memory for a fiber\n");
			keel_close(f);
		}
	}
}

static void udp_server(void *arg)
{
	struct keel_udp *u = arg;
	static char buf[65536];

	for (;;) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(u, buf, sizeof(buf), &from, KEEL_FOREVER);

		if (n < 0)
			return;
		if (n == 4 && memcmp(buf, "quit", 4) == 0) {
			quit = true;
			keel_wake_all(&done_q);
			return;
		}
		if (n > (long)sizeof(buf))
			n = sizeof(buf);
		keel_udp_sendto(u, buf, (size_t)n, &from);
	}
}

static int serve(unsigned long port, unsigned long seconds)
{
	struct keel_sockaddr local = { keel_addr_any4(), (uint16_t)port };
	keel_time end = keel_now() + seconds * KEEL_SEC;
	struct keel_listener *l;
	struct keel_udp *u;
	int rc;

	rc = keel_tcp_listen(net, &local, 512, &l);
	if (rc != KEEL_OK) {
		printf("echo: listen: %s\n", keel_strerror(rc));
		return 1;
	}
	rc = keel_udp_bind(net, &local, &u);
	if (rc != KEEL_OK) {
		printf("echo: udp bind: %s\n", keel_strerror(rc));
		return 1;
	}
	if (!keel_fiber_spawn(tcp_server, l, 0) || !keel_fiber_spawn(udp_server, u, 0)) {
		printf("echo: no memory for a fiber\n");
		return 1;
	}
	printf("echo: ready\n");
	while (!quit && keel_now() < end)
		keel_wait(&done_q, end);
	if (!quit)
		printf("echo: deadline reached\n");
	keel_tcp_listener_close(l);
	keel_udp_close(u);
	keel_net_stats_print(net);
	printf("echo: peak %u connections\n", peak);
	printf("echo: done\n");
	return 0;
}

/* ---- client --------------------------------------------------------------- */

struct client {
	struct keel_flow *f;
	unsigned long bytes;
	bool read_ok;
	const char *why;
	struct keel_waitq done;
	bool reader_done;
};

static uint8_t pattern(unsigned long i)
{
	return (uint8_t)(i * 7 + (i >> 11));
}

static void client_reader(void *arg)
{
	struct client *c = arg;
	uint8_t *buf = malloc(BUF_SIZE);
	unsigned long got = 0;

	c->why = buf ? NULL : "no memory";
	while (buf && got < c->bytes) {
		long n = keel_read(c->f, buf, BUF_SIZE, keel_now() + IO_TIMEOUT);

		if (n <= 0) {
			c->why = n == 0 ? "early end of stream" : keel_strerror((int)n);
			break;
		}
		for (long i = 0; i < n; i++) {
			if (buf[i] != pattern(got + (unsigned long)i)) {
				c->why = "echo differs";
				break;
			}
		}
		if (c->why)
			break;
		got += (unsigned long)n;
	}
	if (!c->why && keel_read(c->f, buf, 1, keel_now() + IO_TIMEOUT) != 0)
		c->why = "no end of stream after the echo";
	c->read_ok = !c->why;
	free(buf);
	c->reader_done = true;
	keel_wake_all(&c->done);
}

static int client(const char *target, unsigned long bytes)
{
	struct keel_sockaddr remote;
	struct client c = { .bytes = bytes };
	uint8_t *buf = malloc(BUF_SIZE);
	char desc[128];
	unsigned long sent = 0;
	int rc;

	keel_waitq_init(&c.done);
	if (!buf || keel_sockaddr_parse(target, &remote) != KEEL_OK) {
		printf("client: bad target '%s'\n", target);
		return 2;
	}
	rc = keel_tcp_connect(net, &remote, keel_now() + 10 * KEEL_SEC, &c.f);
	if (rc != KEEL_OK) {
		printf("client: connect: %s\n", keel_strerror(rc));
		return 1;
	}
	if (c.f->ops->describe) {
		c.f->ops->describe(c.f, desc, sizeof(desc));
		printf("client: %s\n", desc);
	}
	keel_flow_set(c.f, KEEL_FLOW_NODELAY, 1);
	if (!keel_fiber_spawn(client_reader, &c, 0)) {
		printf("client: no memory for a fiber\n");
		return 1;
	}
	while (sent < bytes) {
		size_t n = bytes - sent < BUF_SIZE ? bytes - sent : BUF_SIZE;
		long w;

		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		w = keel_write(c.f, buf, n, keel_now() + IO_TIMEOUT);
		if (w != (long)n) {
			printf("client: write: %s\n", w < 0 ? keel_strerror((int)w) : "short");
			return 1;
		}
		sent += n;
	}
	keel_shutdown(c.f, KEEL_SHUT_WR);
	while (!c.reader_done)
		keel_wait(&c.done, KEEL_FOREVER);
	keel_close(c.f);
	if (!c.read_ok) {
		printf("client: %s\n", c.why);
		return 1;
	}
	printf("client: ok %lu\n", bytes);
	return 0;
}

/* ---- connect, resolve ----------------------------------------------------- */

static int connect_once(const char *target)
{
	struct keel_sockaddr remote;
	struct keel_flow *f;
	int rc;

	if (keel_sockaddr_parse(target, &remote) != KEEL_OK) {
		printf("connect: bad target '%s'\n", target);
		return 2;
	}
	rc = keel_tcp_connect(net, &remote, keel_now() + 3 * KEEL_SEC, &f);
	if (rc != KEEL_OK) {
		printf("connect: %s\n", keel_strerror(rc));
		return 0;
	}
	keel_close(f);
	printf("connect: ok\n");
	return 0;
}

static int resolve(const char *name)
{
	char text[KEEL_ADDR_STRLEN];
	struct keel_addr a;
	int rc = keel_resolve(net, name, &a, keel_now() + 10 * KEEL_SEC);

	if (rc != KEEL_OK) {
		printf("resolve: %s error %s\n", name, keel_strerror(rc));
		return 0;
	}
	keel_addr_format(&a, text, sizeof(text));
	printf("resolve: %s %s\n", name, text);
	return 0;
}

/* ---- main ----------------------------------------------------------------- */

/* ---- cycles --------------------------------------------------------------- */

struct accept_job {
	struct keel_listener *l;
	struct keel_flow *f;
	int rc;
	bool done;
};

static void accept_one(void *arg)
{
	struct accept_job *j = arg;

	j->rc = keel_tcp_accept(j->l, &j->f, NULL, keel_now() + 5 * KEEL_SEC);
	j->done = true;
}

/* One stack's life; 0 when everything went as it should. */
static int cycle(const struct keel_net_config *cfg, unsigned long port)
{
	struct keel_net *n;
	struct keel_sockaddr at = { keel_addr_ipv4(127, 0, 0, 1), (uint16_t)port };
	struct keel_sockaddr any = { keel_addr_any4(), 0 };
	struct accept_job j = { 0 };
	struct keel_flow *c = NULL;
	struct keel_udp *u;
	char buf[8];
	int rc;

	if ((rc = keel_net_open("unused", cfg, keel_now() + KEEL_SEC, &n)) != KEEL_OK ||
	    (rc = keel_tcp_listen(n, &at, 4, &j.l)) != KEEL_OK) {
		printf("cycles: open/listen: %s\n", keel_strerror(rc));
		return 1;
	}
	if (!keel_fiber_spawn(accept_one, &j, 0) ||
	    (rc = keel_tcp_connect(n, &at, keel_now() + 5 * KEEL_SEC, &c)) != KEEL_OK) {
		printf("cycles: connect: %s\n", keel_strerror(rc));
		return 1;
	}
	while (!j.done)
		keel_sleep(KEEL_MSEC);
	if (j.rc != KEEL_OK || keel_write(c, "ping", 4, keel_now() + KEEL_SEC) != 4 ||
	    keel_read(j.f, buf, sizeof(buf), keel_now() + KEEL_SEC) != 4) {
		printf("cycles: accept/exchange failed\n");
		return 1;
	}
	if (keel_udp_bind(n, &any, &u) != KEEL_OK) {
		printf("cycles: udp bind failed\n");
		return 1;
	}
	/* Refused while the application holds anything. */
	if (keel_net_close(n, 0) != KEEL_EBUSY) {
		printf("cycles: keel_net_close did not refuse with objects open\n");
		return 1;
	}
	keel_close(c);
	keel_close(j.f);
	keel_udp_close(u);
	if (keel_net_close(n, 0) != KEEL_EBUSY) {
		printf("cycles: keel_net_close did not refuse with a listener open\n");
		return 1;
	}
	keel_tcp_listener_close(j.l);
	rc = keel_net_close(n, keel_now() + KEEL_SEC);
	if (rc != KEEL_OK) {
		printf("cycles: keel_net_close: %s\n", keel_strerror(rc));
		return 1;
	}
	return 0;
}

static int cycles(const struct keel_net_config *cfg, unsigned long port, unsigned long count)
{
	struct keel_net_config quiet = *cfg;
	struct keel_heap_stats h;
	size_t first = 0;

	quiet.log_config = false;
	for (unsigned long i = 0; i < count; i++) {
		if (cycle(&quiet, port) != 0)
			return 1;
		/* Fibers that ended give their stacks back as the loop turns. */
		keel_sleep(10 * KEEL_MSEC);
		keel_heap_stats(&h);
		if (i == 0)
			first = h.in_use;
	}
	printf("cycles: heap %zu %zu\n", first, h.in_use);
	if (h.in_use != first) {
		printf("cycles: the heap grew by %zu bytes over %lu cycles\n", h.in_use - first,
		       count - 1);
		return 1;
	}
	printf("cycles: ok %lu\n", count);
	return 0;
}

static bool number(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	*out = strtoul(text, &end, 10);
	return *text && !*end && *out > 0 && *out <= max;
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	unsigned long seconds = 60, value;
	char err[128];
	int rc;

	keel_net_config_default(&cfg);
	if (keel_net_config_args(&cfg, &argc, argv, err, sizeof(err)) != KEEL_OK) {
		printf("echo: %s\n", err);
		return 2;
	}
	if (argc > 3 && strncmp(argv[argc - 1], "--seconds=", 10) == 0) {
		if (!number(argv[argc - 1] + 10, 3600, &seconds)) {
			printf("echo: bad %s\n", argv[argc - 1]);
			return 2;
		}
		argc--;
	}
	if (argc != 3 &&
	    !(argc == 4 && (strcmp(argv[1], "client") == 0 || strcmp(argv[1], "cycles") == 0))) {
		printf("usage: sockecho serve PORT [--seconds=N] | client ADDR:PORT BYTES | "
		       "connect ADDR:PORT | resolve NAME | cycles PORT N\n");
		return 2;
	}
	if (strcmp(argv[1], "cycles") == 0) {
		unsigned long count;

		if (!number(argv[2], 65535, &value) || !number(argv[3], 1000, &count) ||
		    count < 2) {
			printf("echo: bad cycles arguments\n");
			return 2;
		}
		return cycles(&cfg, value, count);
	}
	rc = keel_net_open("unused", &cfg, keel_now() + KEEL_SEC, &net);
	if (rc != KEEL_OK) {
		printf("echo: keel_net_open: %s\n", keel_strerror(rc));
		return 1;
	}
	if (strcmp(argv[1], "serve") == 0) {
		if (!number(argv[2], 65535, &value)) {
			printf("echo: bad port '%s'\n", argv[2]);
			return 2;
		}
		return serve(value, seconds);
	}
	if (strcmp(argv[1], "client") == 0) {
		if (!number(argv[3], 1ul << 40, &value)) {
			printf("echo: bad byte count '%s'\n", argv[3]);
			return 2;
		}
		return client(argv[2], value);
	}
	if (strcmp(argv[1], "connect") == 0)
		return connect_once(argv[2]);
	if (strcmp(argv[1], "resolve") == 0)
		return resolve(argv[2]);
	printf("echo: unknown mode '%s'\n", argv[1]);
	return 2;
}

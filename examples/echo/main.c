/*
 * echo — TCP and UDP echo on port 7 (RFC 862) over the direct network
 * stack, on the net device "service"; with --bench also TCP discard on
 * port 9 (RFC 863) and a chargen-like source on port 19 (RFC 864), so
 * that throughput can be measured one way at a time.
 *
 *     echo [--ipv4=ADDR/PREFIX] [--max-conns=N] [--port=N] [--exit-after=SECONDS] [--bench]
 *
 * Each TCP connection gets a fiber of its own that writes back what it
 * reads until the peer ends its stream. UDP datagrams are answered to
 * their source. With --exit-after the image ends after that many seconds
 * (so a test can never hang on it), printing its counters and the
 * stack's; without it, it runs until stopped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/net.h>

/* The net device "service" is declared in device.c, which only the
 * direct-stack build links: examples/echo-socket builds this same file
 * on the socket stack, which needs no device. */

#define ECHO_PORT 7
#define DISCARD_PORT 9
#define CHARGEN_PORT 19
#define CONN_STACK (16 * 1024)
#define CONN_BUF (16 * 1024)
#define BULK_BUF (1024 * 1024)
#define BULK_CHUNK (64 * 1024) /* what bench/peer/tcppeer moves per call too */
#define FRAME_BUFFERS 4096
#define UDP_MAX 65507

static struct keel_net *net;

static struct {
	uint64_t tcp_accepted, tcp_closed, tcp_bytes, tcp_errors, tcp_no_fiber;
	uint64_t udp_datagrams, udp_bytes;
	uint64_t conns_live, conns_peak;
} counters;

enum service { ECHO, DISCARD, CHARGEN };

struct server {
	struct keel_listener *l;
	enum service kind;
};

/* One connection: echo (or discard, or send) until the peer ends its
 * stream or an error. */
struct conn {
	struct keel_flow *f;
	enum service kind;
};

static void tcp_conn(void *arg)
{
	struct conn *cn = arg;
	struct keel_flow *f = cn->f;
	enum service kind = cn->kind;
	size_t size = kind == ECHO ? CONN_BUF : BULK_CHUNK;
	char *buf = malloc(size);
	long n = 0;

	free(cn);
	if (kind != ECHO) {
		/* Bulk services: buffers like the ones Linux grows a bulk
		 * socket to, so that neither window limits the flight. */
		keel_flow_set(f, KEEL_FLOW_SNDBUF, BULK_BUF);
		keel_flow_set(f, KEEL_FLOW_RCVBUF, BULK_BUF);
	}
	if (buf && kind == CHARGEN) {
		memset(buf, 'x', size);
		while ((n = keel_write(f, buf, size, KEEL_FOREVER)) > 0)
			counters.tcp_bytes += (uint64_t)n;
		n = 0;
	} else if (buf) {
		keel_flow_set(f, KEEL_FLOW_NODELAY, 1);
		while ((n = keel_read(f, buf, size, KEEL_FOREVER)) > 0) {
			long w = kind == DISCARD ? n : keel_write(f, buf, (size_t)n, KEEL_FOREVER);

			if (w < n) {
				n = w < 0 ? w : KEEL_ECLOSED;
				break;
			}
			counters.tcp_bytes += (uint64_t)w;
		}
	}
	free(buf);
	if (n < 0 || !buf)
		counters.tcp_errors++;
	keel_close(f);
	counters.tcp_closed++;
	counters.conns_live--;
}

static void tcp_server(void *arg)
{
	struct server *s = arg;

	for (;;) {
		struct keel_flow *f;
		struct conn *cn;

		if (keel_tcp_accept(s->l, &f, NULL, KEEL_FOREVER) != KEEL_OK)
			return;
		counters.tcp_accepted++;
		cn = malloc(sizeof(*cn));
		if (cn) {
			cn->f = f;
			cn->kind = s->kind;
		}
		if (!cn || !keel_fiber_spawn(tcp_conn, cn, CONN_STACK)) {
			counters.tcp_no_fiber++;
			free(cn);
			keel_close(f);
			continue;
		}
		if (++counters.conns_live > counters.conns_peak)
			counters.conns_peak = counters.conns_live;
	}
}

static void udp_server(void *arg)
{
	struct keel_udp *u = arg;
	static char buf[UDP_MAX];

	for (;;) {
		struct keel_sockaddr from;
		long n = keel_udp_recvfrom(u, buf, sizeof(buf), &from, KEEL_FOREVER);

		if (n < 0)
			return;
		if (n > (long)sizeof(buf))
			n = sizeof(buf);
		counters.udp_datagrams++;
		counters.udp_bytes += (uint64_t)n;
		keel_udp_sendto(u, buf, (size_t)n, &from);
	}
}

static void usage(const char *why)
{
	printf("echo: %s\nusage: echo [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] "
	       "[--max-conns=N] [--port=N] [--exit-after=SECONDS] [--bench]\n",
	       why);
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	struct keel_sockaddr at = { .addr = keel_addr_any4(), .port = ECHO_PORT };
	static struct server servers[3] = { { NULL, ECHO }, { NULL, DISCARD }, { NULL, CHARGEN } };
	struct keel_udp *u;
	char err[128];
	long exit_after = -1;
	bool bench = false;
	int rc;

	keel_net_config_default(&cfg);
	cfg.frame_buffers = FRAME_BUFFERS;
	if (keel_net_config_args(&cfg, &argc, argv, err, sizeof(err)) != KEEL_OK) {
		usage(err);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--exit-after=", 13) == 0) {
			char *end;

			exit_after = strtol(argv[i] + 13, &end, 10);
			if (*end || exit_after < 0) {
				usage("bad --exit-after");
				return 2;
			}
		} else if (strncmp(argv[i], "--port=", 7) == 0) {
			char *end;
			long port = strtol(argv[i] + 7, &end, 10);

			if (*end || port < 1 || port > 65535) {
				usage("bad --port");
				return 2;
			}
			at.port = (uint16_t)port;
		} else if (strcmp(argv[i], "--bench") == 0) {
			bench = true;
		} else {
			usage("unknown argument");
			return 2;
		}
	}
	uint16_t echo_port = at.port;

	rc = keel_net_open("service", &cfg, keel_now() + 30 * KEEL_SEC, &net);
	if (rc != KEEL_OK) {
		printf("echo: cannot start the network: %s\n", keel_strerror(rc));
		return 1;
	}
	rc = keel_tcp_listen(net, &at, 128, &servers[0].l);
	if (rc == KEEL_OK)
		rc = keel_udp_bind(net, &at, &u);
	for (int i = 1; bench && i < 3 && rc == KEEL_OK; i++) {
		at.port = i == 1 ? DISCARD_PORT : CHARGEN_PORT;
		rc = keel_tcp_listen(net, &at, 128, &servers[i].l);
	}
	if (rc != KEEL_OK) {
		printf("echo: cannot listen: %s\n", keel_strerror(rc));
		return 1;
	}
	for (int i = 0; i < (bench ? 3 : 1); i++) {
		if (!keel_fiber_spawn(tcp_server, &servers[i], 0)) {
			printf("echo: out of memory\n");
			return 1;
		}
	}
	if (!keel_fiber_spawn(udp_server, u, 0)) {
		printf("echo: out of memory\n");
		return 1;
	}
	printf("echo: listening on port %d (tcp, udp)%s\n", echo_port,
	       bench ? ", discard 9, chargen 19" : "");
	if (exit_after < 0) {
		struct keel_waitq forever = KEEL_WAITQ_INIT(forever);

		keel_wait(&forever, KEEL_FOREVER);
	}
	keel_sleep((keel_time)exit_after * KEEL_SEC);
	printf("echo: tcp accepted %llu closed %llu live %llu peak %llu bytes %llu errors %llu\n",
	       (unsigned long long)counters.tcp_accepted, (unsigned long long)counters.tcp_closed,
	       (unsigned long long)counters.conns_live, (unsigned long long)counters.conns_peak,
	       (unsigned long long)counters.tcp_bytes, (unsigned long long)counters.tcp_errors);
	printf("echo: udp datagrams %llu bytes %llu\n", (unsigned long long)counters.udp_datagrams,
	       (unsigned long long)counters.udp_bytes);
	keel_net_stats_print(net);
	return 0;
}

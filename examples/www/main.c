/*
 * www — a small web site served by the image itself: the files of
 * examples/www/site (and files/1m.bin, made by the build) are compiled
 * into the image by keel-mkkv and served by lib/http, with validators,
 * conditional requests, ranges and gzip copies; unknown paths get the
 * site's 404.html with status 404; /metrics shows the counters of the
 * network stack, the HTTP server, the runtime and the heap.
 *
 * A build with TLS (examples/www: the keys compiled in; examples/www-keys:
 * read from the block device "tls") serves the site over HTTPS on port
 * 443 and answers plain HTTP with a redirect (308) to the same path over
 * HTTPS, but for /metrics, which stays readable over HTTP.
 *
 *     www [--port=N] [--bind=ADDR] [--log] [--max-conns=N] [--exit-after=SECONDS]
 *         [--https-port=N] [--https-public-port=N]
 *         [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--dns=ADDR]
 *
 *   --port=N          the TCP port (default: 80 on the direct stack, 8080
 *                     on the socket stack, which runs unprivileged)
 *   --bind=ADDR       listen on ADDR only (default: every address of the
 *                     direct stack; 127.0.0.1 on the socket stack)
 *   --log             one access-log line per request on the console
 *   --max-conns=N     serve at most N connections at once; the next few
 *                     get 503, and past N + 16 the stack refuses new ones
 *   --exit-after=S    stop after S seconds and print the counters (tests)
 *   --https-port=N    the HTTPS port (default 443 in a build with TLS); 0:
 *                     no HTTPS, the site over plain HTTP as without TLS
 *   --https-public-port=N  the HTTPS port the redirect names, when a port
 *                     forward of the host changes it (keel run passes the
 *                     host's, e.g. 8443); default: the HTTPS port
 *   --ipv4...         the address of the direct stack; without --ipv4 it
 *                     asks DHCP (QEMU's user networking answers 10.0.2.15)
 *
 * The same file is built twice: examples/www links direct.c (its own
 * TCP/IP stack on the net device "service") and examples/www-socket links
 * socket.c (the host's sockets). When it is ready it prints
 * "www: serving on https://ADDR:PORT/" when it serves HTTPS, then
 * "www: serving on http://ADDR:PORT/" (the last line: both are ready).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/heap.h>
#include <keel/http.h>
#include <keel/kv.h>
#include <keel/net.h>

#include "www.h"

/* The site, compiled in by keel-mkkv (keel.mk: APP_SITE). */
extern struct keel_kv_static keel_site;

#define NET_OPEN_TIMEOUT (30 * KEEL_SEC) /* DHCP included */
#define LISTEN_BACKLOG 128
#define METRICS_MAX 4096
/* Connections the stack takes past the server's bound, so that those
 * peers get a 503 from the server rather than a reset from the stack. */
#define TCP_SLACK 16
/*
 * Packet buffers of the direct stack. Data sent and not yet acknowledged
 * sits in them; lib/net shares them out per connection, and a client
 * that stops reading pins a few (keel/net.h). 1024 when a third of the
 * free heap holds them (at about FRAME_BUFFER_BYTES each), so that tens
 * of clients that never read leave room for the others; on a smaller
 * machine the stack sizes its pool from the heap itself (frame_buffers
 * 0). The socket stack ignores them.
 */
#define FRAME_BUFFERS 1024
#define FRAME_BUFFER_BYTES 2200
/* With a --max-conns above FRAME_BUFFERS / 4, the pool grows to 4 buffers
 * a connection (as the heap allows): a thousand busy keep-alive clients
 * each holding a response in flight would otherwise queue for buffers. */
#define BUFFERS_PER_CONN 4
/* Each connection's send buffer: a whole 1 MiB file may be in flight, as
 * a host's TCP lets a bulk socket's buffer grow. It only sets a limit;
 * the pool above is what the connections share (keel/net.h). */
#define SEND_BUFFER (1024 * 1024)

/* Unknown paths get the site's 404.html (keel_http_static). */
static struct keel_http_static site = { &keel_site.kv, "index.html", "404.html" };
static struct keel_net *net;
static struct keel_http_server *server;     /* the site (over TLS when HTTPS is on) */
static struct keel_http_server *redirector; /* plain HTTP when HTTPS is on */
static unsigned https_public_port;
static keel_time started;
static char summary[METRICS_MAX]; /* the counters printed by --exit-after */

/* ---- /metrics ------------------------------------------------------------- */

/* Text built in a caller's buffer, whole lines only: once a line does
 * not fit, nothing more is added. */
struct text {
	char *buf;
	size_t len, cap;
	bool full;
};

static void put(struct text *t, const char *name, uint64_t value)
{
	int n;

	if (t->full)
		return;
	n = snprintf(t->buf + t->len, t->cap - t->len, "%s %llu\n", name,
	             (unsigned long long)value);
	if (n < 0 || (size_t)n >= t->cap - t->len)
		t->full = true;
	else
		t->len += (size_t)n;
}

/* One counter of /metrics: its name, and where its value is in which of
 * the stats structures (a table: about 1.4 KB less code than a call a
 * counter, which the plain image's 128 KiB budget needs). */
struct counter {
	char name[22];
	uint8_t src;  /* enum counter_src */
	uint8_t wide; /* 8 bytes, else 4 */
	uint16_t off;
};
enum counter_src { SRC_HEAP, SRC_CORE, SRC_HTTP, SRC_NET };
#define C(src, type, field, name)                                                                  \
	{                                                                                          \
		name, SRC_##src, sizeof(((struct type *)0)->field) == 8,                           \
		    (uint16_t)offsetof(struct type, field)                                         \
	}
static const struct counter counters[] = {
	C(HEAP, keel_heap_stats, size, "heap_size"),
	C(HEAP, keel_heap_stats, in_use, "heap_in_use"),
	C(HEAP, keel_heap_stats, high_water, "heap_high_water"),
	C(HEAP, keel_heap_stats, free_bytes, "heap_free"),
	C(HEAP, keel_heap_stats, largest_free, "heap_largest_free"),
	C(HEAP, keel_heap_stats, allocs, "heap_allocs"),
	C(HEAP, keel_heap_stats, frees, "heap_frees"),
	C(HEAP, keel_heap_stats, failures, "heap_failures"),
	C(CORE, keel_core_stats, fibers_live, "fibers_live"),
	C(CORE, keel_core_stats, fibers_high_water, "fibers_high_water"),
	C(CORE, keel_core_stats, fibers_spawned, "fibers_spawned"),
	C(CORE, keel_core_stats, switches, "fiber_switches"),
	C(CORE, keel_core_stats, timers_fired, "timers_fired"),
	C(CORE, keel_core_stats, yields, "loop_yields"),
	C(HTTP, keel_http_stats, conns_accepted, "http_conns_accepted"),
	C(HTTP, keel_http_stats, conns_refused, "http_conns_refused"),
	C(HTTP, keel_http_stats, conns_live, "http_conns_live"),
	C(HTTP, keel_http_stats, requests, "http_requests"),
	C(HTTP, keel_http_stats, responses[1], "http_responses_1xx"),
	C(HTTP, keel_http_stats, responses[2], "http_responses_2xx"),
	C(HTTP, keel_http_stats, responses[3], "http_responses_3xx"),
	C(HTTP, keel_http_stats, responses[4], "http_responses_4xx"),
	C(HTTP, keel_http_stats, responses[5], "http_responses_5xx"),
	C(HTTP, keel_http_stats, bad_requests, "http_bad_requests"),
	C(HTTP, keel_http_stats, timeouts, "http_timeouts"),
	C(HTTP, keel_http_stats, body_bytes_in, "http_body_bytes_in"),
	C(HTTP, keel_http_stats, body_bytes_out, "http_body_bytes_out"),
	C(NET, keel_net_stats, frames_in, "net_frames_in"),
	C(NET, keel_net_stats, frames_out, "net_frames_out"),
	C(NET, keel_net_stats, bytes_in, "net_bytes_in"),
	C(NET, keel_net_stats, bytes_out, "net_bytes_out"),
	C(NET, keel_net_stats, drop_bad_frame, "net_drop_bad_frame"),
	C(NET, keel_net_stats, drop_not_for_us, "net_drop_not_for_us"),
	C(NET, keel_net_stats, drop_bad_ip, "net_drop_bad_ip"),
	C(NET, keel_net_stats, drop_bad_l4, "net_drop_bad_l4"),
	C(NET, keel_net_stats, drop_no_buffer, "net_drop_no_buffer"),
	C(NET, keel_net_stats, drop_arp_pending, "net_drop_arp_pending"),
	C(NET, keel_net_stats, drop_reasm, "net_drop_reasm"),
	C(NET, keel_net_stats, drop_other, "net_drop_other"),
	C(NET, keel_net_stats, arp_requests_in, "net_arp_requests_in"),
	C(NET, keel_net_stats, arp_replies_out, "net_arp_replies_out"),
	C(NET, keel_net_stats, icmp_echo_in, "net_icmp_echo_in"),
	C(NET, keel_net_stats, icmp_unreach_out, "net_icmp_unreach_out"),
	C(NET, keel_net_stats, icmp_rate_limited, "net_icmp_rate_limited"),
	C(NET, keel_net_stats, udp_in, "net_udp_in"),
	C(NET, keel_net_stats, udp_out, "net_udp_out"),
	C(NET, keel_net_stats, udp_no_port, "net_udp_no_port"),
	C(NET, keel_net_stats, tcp_in, "net_tcp_in"),
	C(NET, keel_net_stats, tcp_out, "net_tcp_out"),
	C(NET, keel_net_stats, tcp_retransmits, "net_tcp_retransmits"),
	C(NET, keel_net_stats, tcp_resets_out, "net_tcp_resets_out"),
	C(NET, keel_net_stats, tcp_conns_opened, "net_tcp_conns_opened"),
	C(NET, keel_net_stats, tcp_conns_refused, "net_tcp_conns_refused"),
	C(NET, keel_net_stats, tcp_syn_cookies, "net_tcp_syn_cookies"),
	C(NET, keel_net_stats, tcp_drop_bad, "net_tcp_drop_bad"),
	C(NET, keel_net_stats, tcp_conns_live, "net_tcp_conns_live"),
	C(NET, keel_net_stats, buffers_free, "net_buffers_free"),
	C(NET, keel_net_stats, buffers_total, "net_buffers_total"),
};
#undef C

/*
 * The counters as "name value" lines (the Prometheus text format without
 * types). Counters a stack does not keep are 0 (the socket stack has no
 * frames). heap_high_water is the most the heap ever held at once.
 */
static size_t metrics_text(char *buf, size_t cap)
{
	struct text t = { buf, 0, cap, false };
	struct keel_heap_stats h;
	struct keel_core_stats c;
	struct keel_http_stats s;
	struct keel_net_stats n;
	const unsigned char *base[] = { (void *)&h, (void *)&c, (void *)&s, (void *)&n };

	keel_heap_stats(&h);
	keel_core_stats(&c);
	keel_http_stats(server, &s);
	keel_net_stats(net, &n);

	put(&t, "uptime_seconds", (keel_now() - started) / KEEL_SEC);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		const struct counter *k = &counters[i];
		const unsigned char *at = base[k->src] + k->off;
		uint64_t v;

		if (k->wide) {
			memcpy(&v, at, sizeof(v));
		} else {
			uint32_t v32;

			memcpy(&v32, at, sizeof(v32));
			v = v32;
		}
		put(&t, k->name, v);
	}
	if (redirector && www_tls && !t.full)
		t.len += www_tls->metrics(t.buf + t.len, t.cap - t.len);
	/* METRICS_MAX holds all of them with room to spare; were it too
	 * small, the last counters would be missing (tests look for them). */
	return t.len;
}

static int metrics(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	char body[METRICS_MAX];
	size_t len = metrics_text(body, sizeof(body));

	keel_http_header_add(resp, "Cache-Control", "no-store");
	/* keel_http_respond hands the bytes to the flow before it returns,
	 * so a buffer on this fiber's stack is enough. */
	return keel_http_respond(resp, 200, "text/plain; charset=utf-8", body, len);
}

/* ---- Plain HTTP when HTTPS is on: a redirect ------------------------------- */

/* A Host field fit to copy into Location: a name or address and an
 * optional port; an IPv6 literal in brackets. */
static bool host_ok(const char *h, size_t *name_len)
{
	size_t n = 0;

	if (h[0] == '[') {
		while (h[n] && h[n] != ']')
			n++;
		if (h[n] != ']')
			return false;
		n++;
	}
	while (h[n] && h[n] != ':')
		n++;
	*name_len = n;
	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; h[i]; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'))
			return false;
	}
	return true;
}

/* Every plain-HTTP request but /metrics: 308 to the same target over
 * HTTPS on the same host name, at https_public_port. */
static int redirect(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	const char *host = keel_http_host(req), *query = keel_http_query(req);
	char location[4096], port[8] = "";
	size_t hlen;
	int n;

	if (!host || !host_ok(host, &hlen))
		return keel_http_respond_status(resp, 400);
	if (https_public_port != 443)
		snprintf(port, sizeof(port), ":%u", https_public_port);
	n = snprintf(location, sizeof(location), "https://%.*s%s%s%s%s", (int)hlen, host, port,
	             keel_http_path(req), query && *query ? "?" : "", query ? query : "");
	if (n < 0 || (size_t)n >= sizeof(location))
		return keel_http_respond_status(resp, 414);
	keel_http_header_add(resp, "Location", location);
	return keel_http_respond(resp, 308, "text/plain; charset=utf-8", "Moved to HTTPS\n", 15);
}

/* ---- Start ---------------------------------------------------------------- */

struct options {
	uint16_t port;
	struct keel_addr bind;
	bool access_log;
	long exit_after;            /* seconds; -1: run until stopped */
	uint16_t https_port;        /* 0: no HTTPS */
	uint16_t https_public_port; /* 0: https_port */
};

static void usage(const char *why)
{
	printf(
	    "www: %s\n"
	    "usage: www [--port=N] [--bind=ADDR] [--log] [--max-conns=N] [--exit-after=SECONDS]\n"
	    "           [--https-port=N] [--https-public-port=N]\n"
	    "           [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--dns=ADDR]\n",
	    why);
}

/* A decimal number min..max with nothing after it. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Parses what keel_net_config_args left of argv. Returns false after
 * printing why. */
static bool parse_options(int argc, char **argv, struct options *o)
{
	struct keel_addr bind;
	long v;

	o->port = www_stack.port;
	o->bind = keel_addr_any4();
	if (www_stack.bind && keel_addr_parse(www_stack.bind, &o->bind) != KEEL_OK) {
		usage("bad built-in address");
		return false;
	}
	o->access_log = false;
	o->exit_after = -1;
	o->https_port = www_tls ? 443 : 0;
	o->https_public_port = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--port=", 7) == 0 && parse_number(a + 7, 1, 65535, &v)) {
			o->port = (uint16_t)v;
		} else if (strncmp(a, "--bind=", 7) == 0 &&
		           keel_addr_parse(a + 7, &bind) == KEEL_OK) {
			o->bind = bind;
		} else if (strcmp(a, "--log") == 0) {
			o->access_log = true;
		} else if (strncmp(a, "--exit-after=", 13) == 0 &&
		           parse_number(a + 13, 0, 1000000, &v)) {
			o->exit_after = v;
		} else if (www_tls && strncmp(a, "--https-port=", 13) == 0 &&
		           parse_number(a + 13, 0, 65535, &v)) {
			o->https_port = (uint16_t)v;
		} else if (www_tls && strncmp(a, "--https-public-port=", 20) == 0 &&
		           parse_number(a + 20, 1, 65535, &v)) {
			o->https_public_port = (uint16_t)v;
		} else {
			char why[96];

			snprintf(why, sizeof(why), "bad or unknown argument '%.60s'%s", a,
			         !www_tls && strncmp(a, "--https", 7) == 0
			             ? " (this build has no TLS)"
			             : "");
			usage(why);
			return false;
		}
	}
	if (o->https_port && o->https_port == o->port) {
		usage("--https-port and --port are the same port");
		return false;
	}
	return true;
}

static bool heap_holds(uint32_t buffers)
{
	struct keel_heap_stats h;
	size_t bytes = (size_t)buffers * FRAME_BUFFER_BYTES;

	keel_heap_stats(&h);
	return h.free_bytes / 3 >= bytes && h.largest_free >= bytes;
}

/* FRAME_BUFFERS, or BUFFERS_PER_CONN for each of `conns` connections
 * when that is more (halved until a third of the heap holds it); 0, the
 * stack's own choice, when not even FRAME_BUFFERS fit. */
static uint32_t frame_buffers(uint32_t conns)
{
	uint32_t want =
	    conns > FRAME_BUFFERS / BUFFERS_PER_CONN ? conns * BUFFERS_PER_CONN : FRAME_BUFFERS;

	while (want > FRAME_BUFFERS && !heap_holds(want))
		want /= 2;
	return heap_holds(want) ? want : 0;
}

static void serve(void *arg)
{
	keel_http_serve(redirector ? redirector : server, arg);
}

static void serve_https(void *arg)
{
	www_tls->serve(arg, server);
}

/* The keys when HTTPS is asked for: true with *pem set, or false with
 * *failed telling whether that is an error (printed) or none configured. */
static bool https_keys(const struct options *o, const char **pem, size_t *len, bool *failed)
{
	int rc;

	*failed = false;
	if (!www_tls || !o->https_port)
		return false;
	rc = www_tls->keys(pem, len);
	if (rc == KEEL_ENOENT) {
		printf("www: no TLS certificate configured; serving HTTP only\n");
		return false;
	}
	*failed = rc != KEEL_OK;
	return rc == KEEL_OK;
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	struct keel_http_config hc;
	struct options o;
	struct keel_sockaddr at;
	struct keel_listener *l, *ls = NULL;
	struct keel_addr shown, any = keel_addr_any4();
	char err[128], addr[KEEL_ADDR_STRLEN];
	const char *pem = NULL;
	size_t pem_len = 0;
	bool https, failed;
	uint32_t pool;
	int rc;

	started = keel_now();
	keel_net_config_default(&cfg);
	cfg.frame_buffers = frame_buffers(0);
	pool = cfg.frame_buffers;
	if (keel_net_config_args(&cfg, &argc, argv, err, sizeof(err)) != KEEL_OK) {
		usage(err);
		return 2;
	}
	if (cfg.frame_buffers == pool && pool && cfg.max_tcp_conns)
		cfg.frame_buffers = frame_buffers(cfg.max_tcp_conns + TCP_SLACK);
	if (!parse_options(argc, argv, &o))
		return 2;

	keel_http_config_default(&hc);
	hc.access_log = o.access_log;
	hc.send_buffer = SEND_BUFFER;
	if (cfg.max_tcp_conns) {
		/* --max-conns bounds what the server serves at once; the stack
		 * takes a few more so that those peers hear 503. */
		hc.max_conns = cfg.max_tcp_conns;
		cfg.max_tcp_conns += TCP_SLACK;
	}

	rc = keel_net_open(www_stack.device, &cfg, keel_now() + NET_OPEN_TIMEOUT, &net);
	if (rc != KEEL_OK) {
		printf("www: cannot start the network: %s%s\n", keel_strerror(rc),
		       rc == KEEL_ETIMEDOUT ? " (no DHCP answer; give --ipv4=ADDR/PREFIX)" : "");
		return 1;
	}
	https = https_keys(&o, &pem, &pem_len, &failed);
	if (failed)
		return 1;
	server = keel_http_server_new(&hc);
	if (!server || keel_http_route(server, "GET", "/metrics", metrics, NULL) != KEEL_OK ||
	    keel_http_route(server, "GET", "/*", keel_http_static, &site) != KEEL_OK) {
		printf("www: out of memory\n");
		return 1;
	}
	if (https) {
		https_public_port = o.https_public_port ? o.https_public_port : o.https_port;
		redirector = keel_http_server_new(&hc);
		if (!redirector ||
		    keel_http_route(redirector, "GET", "/metrics", metrics, NULL) != KEEL_OK ||
		    keel_http_route(redirector, "GET", "/*", redirect, NULL) != KEEL_OK ||
		    keel_http_route(redirector, "HEAD", "/*", redirect, NULL) != KEEL_OK) {
			printf("www: out of memory\n");
			return 1;
		}
		at.addr = o.bind;
		at.port = o.https_port;
		if (www_tls->listen(net, &at, pem, pem_len, &ls) != KEEL_OK)
			return 1;
	}
	at.addr = o.bind;
	at.port = o.port;
	rc = keel_tcp_listen(net, &at, LISTEN_BACKLOG, &l);
	if (rc != KEEL_OK) {
		keel_sockaddr_format(&at, addr, sizeof(addr));
		printf("www: cannot listen on %s: %s\n", addr, keel_strerror(rc));
		return 1;
	}

	/* The address to show: the one listened on, else the stack's own;
	 * the socket stack listening on every address shows the loopback. */
	shown = o.bind;
	if (keel_addr_equal(&shown, &any))
		shown = keel_net_addr(net);
	if (shown.family == KEEL_AF_UNSPEC || keel_addr_equal(&shown, &any))
		shown = keel_addr_ipv4(127, 0, 0, 1);
	keel_addr_format(&shown, addr, sizeof(addr));
	if (https) {
		if (!keel_fiber_spawn(serve_https, ls, 0)) {
			printf("www: out of memory\n");
			return 1;
		}
		printf("www: TLS certificate and key %s\n", www_tls->keys_from);
		printf("www: serving on https://%s:%u/\n", addr, (unsigned)o.https_port);
	}
	printf("www: serving on http://%s:%u/\n", addr, (unsigned)o.port);

	if (o.exit_after < 0) {
		serve(l);
		return 0;
	}
	if (!keel_fiber_spawn(serve, l, 0)) {
		printf("www: out of memory\n");
		return 1;
	}
	keel_sleep((keel_time)o.exit_after * KEEL_SEC);
	keel_tcp_listener_close(l);
	if (ls)
		keel_tcp_listener_close(ls);
	printf("www: stopping after %ld s\n", o.exit_after);
	fwrite(summary, 1, metrics_text(summary, sizeof(summary)), stdout);
	return 0;
}

/*
 * https — a small HTTPS server: lib/http over lib/tls over the direct
 * stack (the net device "service"). HTTPS on port 443 answers
 *     GET /         a page saying what the TLS session agreed on
 * and HTTP on port 80 answers every request with a redirect (308) to the
 * same path over HTTPS, so that a browser never stays on plain HTTP.
 *
 *     https [--https-port=N] [--http-port=N] [--public-port=N] [--exit-after=SECONDS]
 *           [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--dns=ADDR]
 *
 *   --https-port=N   the TLS port in the guest (443)
 *   --http-port=N    the redirecting port (80; 0: none)
 *   --public-port=N  the HTTPS port the redirect names, when a forward
 *                    on the host changes it (e.g. 8443 for
 *                    "keel run -t x86_64 --net service=user:8443-443,8080-80")
 *   --exit-after=S   stop after S seconds (tests)
 *
 * The certificate is compiled in (keel.mk). Prints
 * "https: serving on https://ADDR:PORT/" once ready.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/manifest.h>
#include <keel/net.h>
#include <keel/tls.h>

#include "https.h"

KEEL_NET_DEVICE(service);

#define CONN_STACK (48 * 1024)
#define HANDSHAKE_TIMEOUT (10 * KEEL_SEC)

static struct keel_net *net;
static struct keel_tls_server *tls;
static struct keel_http_server *site, *redirector;
static unsigned public_port = 443;

static int page(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	struct keel_tls_info ti;
	char body[1024];
	int n;

	if (keel_tls_info(keel_http_flow(req), &ti) != KEEL_OK)
		return keel_http_respond_status(resp, 500);
	n = snprintf(body, sizeof body,
	             "<!doctype html><title>Keel over TLS</title>\n"
	             "<h1>Hello over TLS</h1>\n"
	             "<p>TLS 1.2, %s%s; server name \"%s\"; ALPN \"%s\".</p>\n",
	             ti.suite_name, ti.resumed ? ", resumed session" : "", ti.server_name, ti.alpn);
	keel_http_header_add(resp, "Strict-Transport-Security", "max-age=63072000");
	return keel_http_respond(resp, 200, "text/html; charset=utf-8", body, (size_t)n);
}

/* Every plain-HTTP request: 308 to the same target on HTTPS. */
static int redirect(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	const char *host = keel_http_host(req), *query = keel_http_query(req);
	char location[2048], port[8] = "";
	size_t hlen;

	if (!host || !*host)
		return keel_http_respond_status(resp, 400);
	/* The host without its port; an IPv6 literal keeps its brackets. */
	hlen = strlen(host);
	if (host[0] != '[' && strchr(host, ':'))
		hlen = (size_t)(strchr(host, ':') - host);
	if (public_port != 443)
		snprintf(port, sizeof port, ":%u", public_port);
	if ((size_t)snprintf(location, sizeof location, "https://%.*s%s%s%s%s", (int)hlen, host,
	                     port, keel_http_path(req), query && *query ? "?" : "",
	                     query ? query : "") >= sizeof location)
		return keel_http_respond_status(resp, 414);
	keel_http_header_add(resp, "Location", location);
	return keel_http_respond(resp, 308, "text/plain", "Moved to HTTPS\n", 15);
}

static void tls_conn(void *arg)
{
	struct keel_flow *tcp = arg, *flow;

	if (keel_tls_accept(tls, tcp, keel_now() + HANDSHAKE_TIMEOUT, &flow) == KEEL_OK)
		keel_http_serve_flow(site, flow);
}

static void https_loop(void *arg)
{
	struct keel_listener *l = arg;
	struct keel_flow *tcp;

	while (keel_tcp_accept(l, &tcp, NULL, KEEL_FOREVER) == KEEL_OK) {
		if (!keel_fiber_spawn(tls_conn, tcp, CONN_STACK))
			keel_close(tcp);
	}
}

static void http_loop(void *arg)
{
	keel_http_serve(redirector, arg);
}

static int listen_on(unsigned port, struct keel_listener **l)
{
	struct keel_sockaddr local = { keel_addr_any4(), (uint16_t)port };
	int rc = keel_tcp_listen(net, &local, 128, l);

	if (rc != KEEL_OK)
		printf("https: listen on port %u: %s\n", port, keel_strerror(rc));
	return rc;
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	struct keel_listener *ls, *lp = NULL;
	unsigned https_port = 443, http_port = 80, exit_after = 0;
	char err[160], addr[KEEL_ADDR_STRLEN];
	struct keel_addr a;
	int rc;

	keel_net_config_default(&cfg);
	cfg.log_config = true;
	if (keel_net_config_args(&cfg, &argc, argv, err, sizeof err) != KEEL_OK) {
		printf("https: %s\n", err);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--https-port=", 13) == 0)
			https_port = (unsigned)atoi(argv[i] + 13);
		else if (strncmp(argv[i], "--http-port=", 12) == 0)
			http_port = (unsigned)atoi(argv[i] + 12);
		else if (strncmp(argv[i], "--public-port=", 14) == 0)
			public_port = (unsigned)atoi(argv[i] + 14);
		else if (strncmp(argv[i], "--exit-after=", 13) == 0)
			exit_after = (unsigned)atoi(argv[i] + 13);
		else {
			printf("https: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if ((rc = keel_tls_server_new(NULL, &tls)) != KEEL_OK) {
		printf("https: TLS unavailable: %s\n", keel_strerror(rc));
		return 1;
	}
	if ((rc = https_add_cert(tls)) != KEEL_OK) {
		printf("https: the compiled-in certificate: %s\n", keel_strerror(rc));
		return 1;
	}
	site = keel_http_server_new(NULL);
	redirector = keel_http_server_new(NULL);
	if (!site || !redirector)
		return 1;
	keel_http_route(site, "GET", "/", page, NULL);
	keel_http_route(redirector, "GET", "/*", redirect, NULL);
	keel_http_route(redirector, "HEAD", "/*", redirect, NULL);
	if ((rc = keel_net_open("service", &cfg, keel_now() + 30 * KEEL_SEC, &net)) != KEEL_OK) {
		printf("https: network: %s\n", keel_strerror(rc));
		return 1;
	}
	if (listen_on(https_port, &ls) != KEEL_OK ||
	    (http_port && listen_on(http_port, &lp) != KEEL_OK))
		return 1;
	keel_fiber_spawn(https_loop, ls, 0);
	if (lp)
		keel_fiber_spawn(http_loop, lp, 0);
	a = keel_net_addr(net);
	keel_addr_format(&a, addr, sizeof addr);
	printf("https: serving on https://%s:%u/\n", addr, https_port);
	if (exit_after) {
		keel_sleep((keel_time)exit_after * KEEL_SEC);
		return 0;
	}
	for (;;)
		keel_sleep(3600 * KEEL_SEC);
}

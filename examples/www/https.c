/*
 * https.c — the www site over TLS (lib/tls on the direct stack): one TLS
 * server with the certificate a keys_*.c file gives, a listener, and a
 * fiber per connection that runs the handshake and then serves the site
 * over the TLS flow with the same lib/http server as plain HTTP.
 *
 * Bounds: lib/tls's max_sessions (256 at once, handshaking or not) and
 * handshake timeout (10 s, also the deadline below); past the HTTP
 * server's max_conns the connection gets 503 over TLS. A connection that
 * finds no memory for its fiber is closed at once.
 */
#include <stdio.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/net.h>
#include <keel/tls.h>

#include "www.h"

/* A connection's fiber: the handshake, then the HTTP requests over TLS.
 * Measured deepest (gcc 12, linux, a painted stack): 7.6 KB, for an RSA
 * 2048 signature with P-521 ECDHE; ECDSA P-256 and the HTTP paths
 * (/metrics, ranges, gzip) need less. Three times that, so that other
 * compilers and targets have room; the guard page catches an overflow. */
#define TLS_CONN_STACK (24 * 1024)
#define HANDSHAKE_TIMEOUT (10 * KEEL_SEC)

static struct keel_tls_server *tls;
static struct keel_http_server *site;

int www_https_listen(struct keel_net *net, const struct keel_sockaddr *at, const char *pem,
                     size_t len, struct keel_listener **out)
{
	char addr[KEEL_ADDR_STRLEN + 8];
	int rc;

	if ((rc = keel_tls_server_new(NULL, &tls)) != KEEL_OK) {
		printf("www: cannot start TLS: %s\n", keel_strerror(rc));
		return rc;
	}
	if ((rc = keel_tls_server_add_cert(tls, NULL, pem, len, pem, len)) != KEEL_OK) {
		printf("www: the TLS certificate and key: %s (want PEM CERTIFICATE blocks, end "
		       "entity first, and one RSA or EC PRIVATE KEY)\n",
		       keel_strerror(rc));
		keel_tls_server_free(tls);
		tls = NULL;
		return rc;
	}
	if ((rc = keel_tcp_listen(net, at, 128, out)) != KEEL_OK) {
		keel_sockaddr_format(at, addr, sizeof(addr));
		printf("www: cannot listen on %s: %s\n", addr, keel_strerror(rc));
		return rc;
	}
	return KEEL_OK;
}

static void conn(void *arg)
{
	struct keel_flow *flow;

	/* On failure keel_tls_accept has closed the connection and counted
	 * the failure (keel_tls_stats); nothing is left to do here. */
	if (keel_tls_accept(tls, arg, keel_now() + HANDSHAKE_TIMEOUT, &flow) == KEEL_OK)
		keel_http_serve_flow(site, flow);
}

void www_https_serve(struct keel_listener *l, struct keel_http_server *s)
{
	struct keel_flow *tcp;

	site = s;
	while (keel_tcp_accept(l, &tcp, NULL, KEEL_FOREVER) == KEEL_OK) {
		if (!keel_fiber_spawn(conn, tcp, TLS_CONN_STACK))
			keel_close(tcp);
	}
}

size_t www_https_metrics(char *buf, size_t cap)
{
	struct keel_tls_stats st;
	int n;

	keel_tls_stats(&st);
	n = snprintf(buf, cap,
	             "tls_handshakes %llu\ntls_handshake_failures %llu\ntls_sessions_live %llu\n"
	             "tls_no_entropy %llu\n",
	             (unsigned long long)st.handshakes, (unsigned long long)st.handshake_failures,
	             (unsigned long long)st.sessions_live, (unsigned long long)st.no_entropy);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

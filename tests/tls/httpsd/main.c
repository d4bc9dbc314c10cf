/*
 * httpsd — the test image of lib/tls, on the socket stack.
 *
 *     httpsd serve PORT [--seconds=N] [--cert=PEM --key=PEM [--names=LIST]]...
 *     httpsd get PORT NAME ANCHOR-PEM PATH
 *
 * serve: HTTPS on 127.0.0.1:PORT; each --cert/--key pair (PEM text, in the
 * argument itself) is one certificate, --names the SNI names it answers
 * (none: the default). GET /info answers what the session agreed on:
 *     suite=... version=... sni=... alpn=... resumed=0|1
 * GET /quit ends the image, which prints its TLS counters. Prints
 * "httpsd: ready" once listening.
 * get: connects to 127.0.0.1:PORT as a TLS client trusting ANCHOR-PEM with
 * SNI NAME, requests PATH, prints "get: ok SUITE" and the body, or
 * "get: failed: REASON".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/net.h>
#include <keel/tls.h>

#define CONN_STACK (64 * 1024)

static struct keel_net *net;
static struct keel_tls_server *tls;
static struct keel_http_server *http;
static struct keel_listener *listener;
static bool quitting;

static int info(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	struct keel_tls_info ti;
	char body[512];
	int n;

	if (keel_tls_info(keel_http_flow(req), &ti) != KEEL_OK)
		return keel_http_respond_status(resp, 500);
	n = snprintf(body, sizeof body, "suite=%s version=%04x sni=%s alpn=%s resumed=%d\n",
	             ti.suite_name, ti.version, ti.server_name, ti.alpn, ti.resumed);
	return keel_http_respond(resp, 200, "text/plain", body, (size_t)n);
}

static int quit(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	quitting = true;
	keel_tcp_listener_close(listener);
	return keel_http_respond(resp, 200, "text/plain", "bye\n", 4);
}

static void conn_fiber(void *arg)
{
	struct keel_flow *tcp = arg, *flow;
	int rc = keel_tls_accept(tls, tcp, keel_now() + 10 * KEEL_SEC, &flow);

	if (rc != KEEL_OK) {
		int e = keel_tls_last_error(NULL);

		printf("httpsd: handshake failed: %s (%d: %s)\n", keel_strerror(rc), e,
		       keel_tls_strerror(e));
		return;
	}
	keel_http_serve_flow(http, flow);
}

static void deadline_fiber(void *arg)
{
	keel_sleep((keel_time)(uintptr_t)arg * KEEL_SEC);
	printf("httpsd: time is up\n");
	quitting = true;
	keel_tcp_listener_close(listener);
}

static const char *opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 ? arg + n : NULL;
}

static int serve(int argc, char **argv)
{
	struct keel_sockaddr local = { keel_addr_ipv4(127, 0, 0, 1), (uint16_t)atoi(argv[2]) };
	const char *cert = NULL, *key = NULL, *names = NULL;
	unsigned seconds = 60;
	struct keel_tls_stats st;
	int rc;

	if ((rc = keel_tls_server_new(NULL, &tls)) != KEEL_OK) {
		printf("httpsd: keel_tls_server_new: %s\n", keel_strerror(rc));
		return 1;
	}
	for (int i = 3; i <= argc; i++) {
		const char *v;

		if (i == argc || opt(argv[i], "--cert=")) {
			if (cert && key) {
				rc = keel_tls_server_add_cert(tls, names, cert, strlen(cert), key,
				                              strlen(key));
				if (rc != KEEL_OK) {
					printf("httpsd: add_cert: %s\n", keel_strerror(rc));
					return 1;
				}
			}
			if (i == argc)
				break;
			cert = opt(argv[i], "--cert=");
			key = names = NULL;
		} else if ((v = opt(argv[i], "--key="))) {
			key = v;
		} else if ((v = opt(argv[i], "--names="))) {
			names = v;
		} else if ((v = opt(argv[i], "--seconds="))) {
			seconds = (unsigned)atoi(v);
		} else {
			printf("httpsd: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	http = keel_http_server_new(NULL);
	keel_http_route(http, "GET", "/info", info, NULL);
	keel_http_route(http, "GET", "/quit", quit, NULL);
	if ((rc = keel_tcp_listen(net, &local, 128, &listener)) != KEEL_OK) {
		printf("httpsd: listen: %s\n", keel_strerror(rc));
		return 1;
	}
	keel_fiber_spawn(deadline_fiber, (void *)(uintptr_t)seconds, 0);
	printf("httpsd: ready\n");
	while (!quitting) {
		struct keel_flow *tcp;

		if (keel_tcp_accept(listener, &tcp, NULL, KEEL_FOREVER) != KEEL_OK)
			break;
		if (!keel_fiber_spawn(conn_fiber, tcp, CONN_STACK))
			keel_close(tcp);
	}
	keel_sleep(100 * KEEL_MSEC); /* let the last response go */
	keel_tls_stats(&st);
	printf("tls handshakes %llu\ntls handshake_failures %llu\ntls sessions_live %llu\n",
	       (unsigned long long)st.handshakes, (unsigned long long)st.handshake_failures,
	       (unsigned long long)st.sessions_live);
	printf("httpsd: done\n");
	return 0;
}

static int get(int argc, char **argv)
{
	struct keel_sockaddr remote = { keel_addr_ipv4(127, 0, 0, 1), (uint16_t)atoi(argv[2]) };
	struct keel_tls_client *cl;
	struct keel_flow *tcp, *flow;
	struct keel_tls_info ti;
	char req[512], resp[2048];
	size_t got = 0;
	long n;
	int rc;

	if (argc != 6)
		return 2;
	if ((rc = keel_tls_client_new(NULL, argv[4], strlen(argv[4]), &cl)) != KEEL_OK) {
		printf("get: failed: client_new %s\n", keel_strerror(rc));
		return 1;
	}
	if ((rc = keel_tcp_connect(net, &remote, keel_now() + 5 * KEEL_SEC, &tcp)) != KEEL_OK) {
		printf("get: failed: connect %s\n", keel_strerror(rc));
		return 1;
	}
	rc = keel_tls_connect(cl, tcp, argv[3], keel_now() + 5 * KEEL_SEC, &flow);
	if (rc != KEEL_OK) {
		int e = keel_tls_last_error(NULL);

		printf("get: failed: %s (%d: %s)\n", keel_strerror(rc), e, keel_tls_strerror(e));
		return 1;
	}
	keel_tls_info(flow, &ti);
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
	             argv[5], argv[3]);
	if (keel_write(flow, req, (size_t)n, keel_now() + 5 * KEEL_SEC) != n) {
		printf("get: failed: write\n");
		return 1;
	}
	while (got < sizeof resp - 1 && (n = keel_read(flow, resp + got, sizeof resp - 1 - got,
	                                               keel_now() + 5 * KEEL_SEC)) > 0)
		got += (size_t)n;
	resp[got] = 0;
	keel_close(flow);
	keel_tls_client_free(cl);
	printf("get: ok %s alpn=%s\n%s\n", ti.suite_name, ti.alpn, resp);
	return 0;
}

int main(int argc, char **argv)
{
	struct keel_net_config cfg;
	int rc;

	keel_net_config_default(&cfg);
	if ((rc = keel_net_open("unused", &cfg, keel_now() + KEEL_SEC, &net)) != KEEL_OK) {
		printf("httpsd: keel_net_open: %s\n", keel_strerror(rc));
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "get") == 0)
		return get(argc, argv);
	printf("usage: httpsd serve PORT [OPTIONS] | httpsd get PORT NAME ANCHOR PATH\n");
	return 2;
}

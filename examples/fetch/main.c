/*
 * fetch — fetches one URL over HTTP/1.1 with the direct network stack and
 * prints what came back:
 *
 *   fetch [--ipv4=ADDR/PREFIX --ipv4-gateway=ADDR --dns=ADDR] [--servername=NAME]
 *         http[s]://HOST[:PORT]/PATH
 *
 * An https:// URL is fetched over TLS 1.2 (lib/tls): the server's chain
 * must lead to a CA compiled into the image (keel.mk: FETCH_CA, by default
 * the development CA build/cert/ca.crt) and name HOST, or NAME when
 * --servername is given (also sent as SNI: for a URL with an address).
 *
 * The stack is configured by DHCP unless --ipv4 is given. HOST is resolved
 * with keel_resolve (a dotted quad is used as it is), the request is a GET
 * with Host and Connection: close, and the response's body is hashed as
 * it arrives. Prints
 *
 *   fetch: status 200
 *   fetch: body N bytes sha256 HEX
 *
 * and exits 0 for a 2xx status, 1 for any other status or any failure
 * (with a line saying what failed: "fetch: tls: ..." for a certificate
 * that is not trusted or does not name the server).
 */
#include <stdio.h>
#include <string.h>

#include <keel/core.h>
#include <keel/manifest.h>
#include <keel/net.h>

#include "fetch.h"

KEEL_NET_DEVICE(service);

#define CONFIG_TIMEOUT (30 * KEEL_SEC)
#define STEP_TIMEOUT (20 * KEEL_SEC) /* resolve, connect, write, each read */

static int failed(const char *what, const char *why)
{
	printf("fetch: %s: %s\n", what, why);
	return 1;
}

int main(int argc, char **argv)
{
	static char request[FETCH_PATH_MAX + FETCH_HOST_MAX + 128];
	struct keel_net_config cfg;
	struct keel_sockaddr server;
	struct keel_flow *flow;
	struct keel_net *net;
	struct response resp;
	struct url url;
	char text[KEEL_ADDR_STRLEN], err_text[128];
	const char *why, *servername = NULL;
	int err, len;
	long sent;

	keel_net_config_default(&cfg);
	cfg.log_config = false;
	if (keel_net_config_args(&cfg, &argc, argv, err_text, sizeof(err_text)) != KEEL_OK)
		return failed("options", err_text);
	if (argc == 3 && strncmp(argv[1], "--servername=", 13) == 0 && argv[1][13]) {
		servername = argv[1] + 13;
		argv[1] = argv[2];
		argc = 2;
	}
	if (argc != 2)
		return failed("usage",
		              "fetch [NET OPTIONS] [--servername=NAME] http[s]://HOST[:PORT]/PATH");
	if (url_parse(argv[1], &url, &why))
		return failed("url", why);

	err = keel_net_open("service", &cfg, keel_now() + CONFIG_TIMEOUT, &net);
	if (err != KEEL_OK)
		return failed("network", keel_strerror(err));

	err = keel_resolve(net, url.host, &server.addr, keel_now() + STEP_TIMEOUT);
	if (err != KEEL_OK)
		return failed(url.host, keel_strerror(err));
	server.port = url.port;
	keel_sockaddr_format(&server, text, sizeof(text));
	printf("fetch: %s is %s\n", url.host, text);

	err = keel_tcp_connect(net, &server, keel_now() + STEP_TIMEOUT, &flow);
	if (err != KEEL_OK)
		return failed("connect", keel_strerror(err));
	if (url.tls) {
		struct keel_flow *tls;

		if (fetch_tls(flow, servername ? servername : url.host, keel_now() + STEP_TIMEOUT,
		              &tls, &why))
			return failed("tls", why);
		flow = tls;
	}

	if (url.port_given)
		len = snprintf(request, sizeof(request),
		               "GET %s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: keel-fetch\r\n"
		               "Connection: close\r\n\r\n",
		               url.path, url.host, (unsigned)url.port);
	else
		len = snprintf(request, sizeof(request),
		               "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: keel-fetch\r\n"
		               "Connection: close\r\n\r\n",
		               url.path, url.host);
	sent = keel_write(flow, request, (size_t)len, keel_now() + STEP_TIMEOUT);
	if (sent != len)
		return failed("request", sent < 0 ? keel_strerror((int)sent) : "cut short");

	if (http_read_response(flow, STEP_TIMEOUT, &resp, &why)) {
		keel_close(flow);
		return failed("response", why);
	}
	keel_close(flow);

	printf("fetch: status %d\n", resp.status);
	printf("fetch: body %llu bytes sha256 ", (unsigned long long)resp.body_bytes);
	for (unsigned i = 0; i < SHA256_DIGEST_LEN; i++)
		printf("%02x", resp.sha256[i]);
	printf("\n");
	return resp.status >= 200 && resp.status < 300 ? 0 : 1;
}

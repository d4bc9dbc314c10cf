/*
 * keel_http_serve, the accept loop (lib/http/serve.c), over a fake
 * listener: this test defines keel_tcp_accept itself (as a network
 * library would), handing out in-memory flows, then KEEL_ECLOSED.
 *
 * Every connection is served in a fiber of its own; a transient accept
 * error is retried; past max_conns, connections get 503 from a bounded
 * number of refusing fibers, and beyond those are closed at once.
 */
#include <stdio.h>
#include <string.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/net.h>

#include "check.h"
#include "mock_flow.h"
#include "mock_platform.h"
#include "resp.h"

const char test_name[] = "http/serve";

#define FLOWS 20

static struct mock_flow flows[FLOWS];
static int nflows, next_flow, accept_calls;
static bool fail_first;

int keel_tcp_accept(struct keel_listener *l, struct keel_flow **out, struct keel_sockaddr *peer,
                    keel_time deadline)
{
	accept_calls++;
	if (fail_first && accept_calls == 1)
		return KEEL_ENOMEM;
	if (next_flow == nflows)
		return KEEL_ECLOSED;
	*out = &flows[next_flow++].flow;
	memset(peer, 0, sizeof(*peer));
	return KEEL_OK;
}

static int hello(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return keel_http_respond(resp, 200, "text/plain", "hi\n", 3);
}

static struct keel_http_server *srv;
static int serve_rc;

static void server_fiber(void *arg)
{
	serve_rc = keel_http_serve(srv, (struct keel_listener *)arg);
}

static void setup(int n, bool hold_open)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

	for (int i = 0; i < n; i++) {
		mock_flow_init(&flows[i], req, sizeof(req) - 1);
		flows[i].hold_open = hold_open;
	}
	nflows = n;
	next_flow = 0;
	accept_calls = 0;
}

static int status_of(struct mock_flow *m)
{
	struct resp r;
	size_t pos = 0;
	int status;

	if (!resp_next(m->out, m->out_len, &pos, false, &r))
		return 0;
	status = r.status;
	resp_free(&r);
	return status;
}

int main(void)
{
	static char listener;
	struct keel_http_config cfg;
	struct keel_http_stats st;
	keel_time t0;

	setvbuf(stdout, NULL, _IONBF, 0);

	/* Five connections, all served; a failed accept is retried. */
	srv = keel_http_server_new(NULL);
	CHECK(srv && keel_http_route(srv, "GET", "/", hello, NULL) == KEEL_OK);
	setup(5, false);
	fail_first = true;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(server_fiber, &listener, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(serve_rc == KEEL_OK && accept_calls == 7);
	CHECK(mock_now - t0 >= 10 * KEEL_MSEC);
	for (int i = 0; i < 5; i++) {
		CHECK(flows[i].closed && status_of(&flows[i]) == 200);
		mock_flow_free(&flows[i]);
	}
	keel_http_stats(srv, &st);
	CHECK(st.conns_accepted == 5 && st.conns_refused == 0 && st.conns_live == 0);
	keel_http_server_free(srv);

	/* Twenty idle connections against a bound of two: two served, eight
	 * refused with 503, ten closed at once. */
	keel_http_config_default(&cfg);
	cfg.max_conns = 2;
	srv = keel_http_server_new(&cfg);
	CHECK(srv && keel_http_route(srv, "GET", "/", hello, NULL) == KEEL_OK);
	setup(FLOWS, true);
	fail_first = false;
	CHECK(keel_fiber_spawn(server_fiber, &listener, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(serve_rc == KEEL_OK);
	for (int i = 0; i < FLOWS; i++) {
		int want = i < 2 ? 200 : i < 10 ? 503 : 0;

		CHECK(flows[i].closed);
		if (status_of(&flows[i]) != want)
			printf("connection %d: %d, want %d\n", i, status_of(&flows[i]), want);
		CHECK(status_of(&flows[i]) == want);
		mock_flow_free(&flows[i]);
	}
	keel_http_stats(srv, &st);
	CHECK(st.conns_accepted == 2 && st.conns_refused == 18 && st.conns_live == 0);
	keel_http_server_free(srv);

	printf("PASS %s\n", test_name);
	return 0;
}

/*
 * The server over an in-memory flow (tests/http/mock_flow.c), on the real
 * runtime with the mock platform's clock (it moves only when every fiber
 * sleeps, so the timeouts are exact and instant).
 *
 * Covers: status lines and the fields every response carries, routing
 * (exact, prefix, methods, 404/405/501, HEAD from GET), keep-alive and
 * pipelining (order, any split of the input, bodies in between), request
 * bodies (Content-Length, chunked, 100-continue, unread bodies drained,
 * 413), streamed responses (chunked, with a length, to HTTP/1.0),
 * persistence rules (Connection: close, HTTP/1.0 keep-alive,
 * max_requests), the parser's refusals closing the connection, the idle,
 * header (slowloris), body and write timeouts, the connection limit,
 * the access log and the counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/http.h>

#include "check.h"
#include "mock_flow.h"
#include "mock_platform.h"
#include "resp.h"

const char test_name[] = "http/server";

static struct keel_http_server *srv;
static struct mock_flow mf;

/* ---- Handlers ------------------------------------------------------------------ */

static int h_hello(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return keel_http_respond(resp, 200, "text/plain", "hello\n", 6);
}

static int h_echo(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	static char body[256 * 1024];
	size_t len = 0;
	char n[32];

	for (;;) {
		long r = keel_http_body_read(req, body + len, sizeof(body) - len);

		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	snprintf(n, sizeof(n), "%lld", (long long)keel_http_body_length(req));
	keel_http_header_add(resp, "X-Declared", n);
	return keel_http_respond(resp, 200, "application/octet-stream", body, len);
}

/* Reads its body one byte at a time. */
static int h_echo_slowly(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	static char body[4096];
	size_t len = 0;
	long r;

	while ((r = keel_http_body_read(req, body + len, 1)) > 0)
		len += (size_t)r;
	if (r < 0)
		return (int)r;
	return keel_http_respond(resp, 200, NULL, body, len);
}

static int h_noread(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return keel_http_respond(resp, 202, NULL, "ignored", 7);
}

static int h_stream(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	CHECK(keel_http_write_chunk(resp, "a", 1) == KEEL_OK);
	CHECK(keel_http_write_chunk(resp, "", 0) == KEEL_OK);
	CHECK(keel_http_write_chunk(resp, "bb", 2) == KEEL_OK);
	CHECK(keel_http_write_chunk(resp, "ccc", 3) == KEEL_OK);
	return keel_http_end(resp);
}

static int h_stream_len(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	CHECK(keel_http_start(resp, 200, "text/plain", 6) == KEEL_OK);
	CHECK(keel_http_write_chunk(resp, "x", 1) == KEEL_EINVAL);
	CHECK(keel_http_write(resp, "abc", 3) == KEEL_OK);
	CHECK(keel_http_write(resp, "defg", 4) == KEEL_ERANGE);
	CHECK(keel_http_write(resp, "def", 3) == KEEL_OK);
	return KEEL_OK; /* the server ends it */
}

/* Promises 10 bytes, sends 3: the connection must close after. */
static int h_short(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	CHECK(keel_http_start(resp, 200, NULL, 10) == KEEL_OK);
	CHECK(keel_http_write(resp, "abc", 3) == KEEL_OK);
	return KEEL_OK;
}

static int h_fail(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	keel_http_header_add(resp, "X-Dropped", "yes");
	return KEEL_EIO;
}

static int h_missing(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return KEEL_ENOENT;
}

/* Describes the request. */
static int h_info(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	static char body[64 * 1024];
	char extra[256] = "";
	const char *x = keel_http_header(req, "x-test");
	const char *name, *value;
	size_t i;
	int n;

	for (i = 0; keel_http_header_at(req, i, &name, &value) == KEEL_OK; i++)
		;
	if (keel_http_header_at(req, 0, &name, &value) == KEEL_OK)
		snprintf(extra, sizeof(extra), "%s=%s", name, value);
	n = snprintf(body, sizeof(body), "%s|%s|%s|%s|%s|%d|%s|%zu|%s|%s", (const char *)arg,
	             keel_http_method(req), keel_http_path(req), keel_http_query(req),
	             keel_http_host(req), keel_http_version(req), x ? x : "-", i, extra,
	             keel_http_wildcard(req));
	CHECK(n > 0 && (size_t)n < sizeof(body));
	return keel_http_respond(resp, 200, "text/plain", body, (size_t)n);
}

static int h_headers(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	CHECK(keel_http_header_add(resp, "X-Bad", "a\r\nInjected: 1") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "X-Bad", "a\nb") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "X Bad", "a") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "", "a") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "Content-Length", "5") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "transfer-encoding", "chunked") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "Connection", "close") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "X-Bad", "a\x7f") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "X-Bad", "\x1f") == KEEL_EINVAL);
	CHECK(keel_http_header_add(resp, "X-Utf8", "caf\xc3\xa9 ~!") == KEEL_OK);
	CHECK(keel_http_header_add(resp, "X-Good", "a \tb") == KEEL_OK);
	CHECK(keel_http_respond(resp, 100, NULL, NULL, 0) == KEEL_EINVAL);
	CHECK(keel_http_respond(resp, 200, "text/plain\r\nX: y", NULL, 0) == KEEL_EINVAL);
	/* Room is bounded. */
	{
		static char big[KEEL_HTTP_RESPONSE_HEADERS_MAX];

		memset(big, 'v', sizeof(big) - 1);
		CHECK(keel_http_header_add(resp, "X-Big", big) == KEEL_ENOMEM);
	}
	CHECK(keel_http_respond(resp, 204, "text/plain", "ignored", 7) == KEEL_OK);
	CHECK(keel_http_respond(resp, 200, NULL, NULL, 0) == KEEL_ECLOSED);
	CHECK(keel_http_header_add(resp, "X-Late", "a") == KEEL_ECLOSED);
	return KEEL_OK;
}

static const char *const tag_exact = "exact", *const tag_prefix = "prefix", *const tag_any = "any",
                         *const tag_deep = "deep";

static struct keel_http_server *make_server(const struct keel_http_config *cfg)
{
	struct keel_http_server *s = keel_http_server_new(cfg);

	CHECK(s);
	CHECK(keel_http_route(s, "GET", "/hello", h_hello, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "POST", "/echo", h_echo, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "POST", "/echo1", h_echo_slowly, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "POST", "/noread", h_noread, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/stream", h_stream, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/stream-len", h_stream_len, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/short", h_short, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/fail", h_fail, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/missing", h_missing, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/headers", h_headers, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/files/*", h_info, (void *)tag_prefix) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/files/deep/*", h_info, (void *)tag_deep) == KEEL_OK);
	CHECK(keel_http_route(s, "GET", "/files/exact", h_info, (void *)tag_exact) == KEEL_OK);
	CHECK(keel_http_route(s, "*", "/any", h_info, (void *)tag_any) == KEEL_OK);
	CHECK(keel_http_route(s, "POST", "/files/upload", h_echo, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "PUT", "/put-only", h_hello, NULL) == KEEL_OK);
	/* Methods that are parts of one another, one of them routed twice:
	 * the Allow of a 405 names each once. */
	CHECK(keel_http_route(s, "PU", "/put-*", h_hello, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "PUT", "/put-*", h_hello, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "UT", "/put-only", h_hello, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "PUTS", "/put-*", h_hello, NULL) == KEEL_OK);
	CHECK(keel_http_route(s, "BREW", "/pot", h_hello, NULL) == KEEL_OK);
	return s;
}

/* ---- Running a connection -------------------------------------------------------- */

static int serve_rc;

static void conn_fiber(void *arg)
{
	serve_rc = keel_http_serve_flow(srv, arg);
}

/* Serves `in` (given in pieces of `max_read`; 0: whole) on a fresh
 * connection until it closes. */
static void run_with(const char *in, size_t len, size_t max_read)
{
	mock_flow_free(&mf);
	mock_flow_init(&mf, in, len);
	mf.max_read = max_read;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(mf.closed);
	CHECK(serve_rc == KEEL_OK);
}

static void run(const char *in)
{
	run_with(in, strlen(in), 0);
}

/* The next response of the output; `head` when it answers HEAD. */
static size_t out_pos;

static void expect(struct resp *r, bool head, int status)
{
	bool ok = resp_next(mf.out, mf.out_len, &out_pos, head, r);

	if (!ok || r->status != status)
		printf("got %d, want %d, output from %zu:\n%s\n", r->status, status, out_pos,
		       mf.out ? mf.out + out_pos : "(none)");
	CHECK(ok);
	CHECK(r->status == status);
}

static void expect_end(void)
{
	if (out_pos != mf.out_len)
		printf("unexpected output:\n%s\n", mf.out + out_pos);
	CHECK(out_pos == mf.out_len);
	out_pos = 0;
}

static void expect_body(struct resp *r, const char *body)
{
	if (r->body_len != strlen(body) || memcmp(r->body, body, r->body_len) != 0)
		printf("body '%s', want '%s'\n", r->body, body);
	CHECK(r->body_len == strlen(body) && memcmp(r->body, body, r->body_len) == 0);
}

/* ---- Tests ---------------------------------------------------------------------- */

static void basics(void)
{
	struct resp r;
	char date[40];

	run("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	expect(&r, false, 200);
	expect_body(&r, "hello\n");
	CHECK(strncmp(r.head, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strcmp(resp_header(&r, "Server"), "keel") == 0);
	CHECK(strcmp(resp_header(&r, "Content-Type"), "text/plain") == 0);
	CHECK(strcmp(resp_header(&r, "Content-Length"), "6") == 0);
	CHECK(resp_header(&r, "Connection") == NULL);
	CHECK(resp_header(&r, "Transfer-Encoding") == NULL);
	keel_http_date_format(kp_clock_wall() / 1000000000u, date, sizeof(date));
	CHECK(strcmp(resp_header(&r, "Date"), date) == 0);
	CHECK(resp_header_count(&r, "Date") == 1);
	resp_free(&r);
	expect_end();
	/* Head and body left in one write. */
	CHECK(mf.writevs == 1);
	/* The peer ended the stream: no lingering, just a close. */
	CHECK(!mf.shut_wr);
}

static void routing(void)
{
	struct resp r;

	run("GET /files/a/b.txt?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: t1\r\n\r\n"
	    "GET /files/exact HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /files/deep/x HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /files/ HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /files HTTP/1.1\r\nHost: h\r\n\r\n"
	    "DELETE /any?q HTTP/1.1\r\nHost: h\r\n\r\n"
	    "POST /hello HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
	    "GET /put-only HTTP/1.1\r\nHost: h\r\n\r\n"
	    "BREW /hello HTTP/1.1\r\nHost: h\r\n\r\n"
	    "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n"
	    "DELETE /nowhere HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /missing HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /fail HTTP/1.1\r\nHost: h\r\n\r\n"
	    "POST /files/upload HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
	    "GET /files/upload HTTP/1.1\r\nHost: h\r\n\r\n"
	    "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"
	    "GET /hello/ HTTP/1.1\r\nHost: h\r\n\r\n");
	expect(&r, false, 200);
	expect_body(&r, "prefix|GET|/files/a/b.txt|x=1|h|11|t1|2|Host=h|a/b.txt");
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "exact|GET|/files/exact||h|11|-|1|Host=h|");
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "deep|GET|/files/deep/x||h|11|-|1|Host=h|x");
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "prefix|GET|/files/||h|11|-|1|Host=h|");
	resp_free(&r);
	expect(&r, false, 404); /* "/files" is not under "/files/" */
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "any|DELETE|/any|q|h|11|-|1|Host=h|");
	resp_free(&r);
	expect(&r, false, 405);
	CHECK(strcmp(resp_header(&r, "Allow"), "GET, HEAD") == 0);
	resp_free(&r);
	expect(&r, false, 405);
	CHECK(strcmp(resp_header(&r, "Allow"), "PUT, PU, UT, PUTS") == 0);
	resp_free(&r);
	expect(&r, false, 405); /* BREW is routed somewhere, so it is a method */
	resp_free(&r);
	expect(&r, false, 200);
	resp_free(&r);
	expect(&r, false, 404);
	resp_free(&r);
	expect(&r, false, 404);
	expect_body(&r, "404 Not Found\n");
	resp_free(&r);
	expect(&r, false, 500);
	CHECK(resp_header(&r, "X-Dropped") == NULL);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "ok");
	resp_free(&r);
	/* The prefix route answers GET on the POST-only exact path. */
	expect(&r, false, 200);
	expect_body(&r, "prefix|GET|/files/upload||h|11|-|1|Host=h|upload");
	resp_free(&r);
	expect(&r, false, 200);
	CHECK(r.body_len == 0);
	resp_free(&r);
	expect(&r, false, 404);
	resp_free(&r);
	expect_end();

	/* Unknown methods nobody routes: 501 with "Connection: close", and
	 * the pipelined request after it is never answered. */
	run("FROB /hello HTTP/1.1\r\nHost: h\r\n\r\nGET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
	expect(&r, false, 501);
	CHECK(resp_header(&r, "Connection") && strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();
	CHECK(mf.shut_wr);

	/* Route table rules. */
	{
		struct keel_http_server *s = keel_http_server_new(NULL);

		CHECK(keel_http_route(s, "GET", "nope", h_hello, NULL) == KEEL_EINVAL);
		CHECK(keel_http_route(s, "GET", "/a*b", h_hello, NULL) == KEEL_EINVAL);
		CHECK(keel_http_route(s, "G T", "/a", h_hello, NULL) == KEEL_EINVAL);
		CHECK(keel_http_route(s, "", "/a", h_hello, NULL) == KEEL_EINVAL);
		CHECK(keel_http_route(s, "GET", "/a", NULL, NULL) == KEEL_EINVAL);
		CHECK(keel_http_route(s, "GET", "/a", h_hello, NULL) == KEEL_OK);
		CHECK(keel_http_route(s, "GET", "/a", h_hello, NULL) == KEEL_EEXIST);
		CHECK(keel_http_route(s, "POST", "/a", h_hello, NULL) == KEEL_OK);
		for (int i = 2; i < KEEL_HTTP_ROUTES_MAX; i++)
			CHECK(keel_http_route(s, "GET", i % 2 ? "/b" : "/c", h_hello, NULL) ==
			      (i < 4 ? KEEL_OK : KEEL_EEXIST));
		keel_http_server_free(s);
		s = keel_http_server_new(NULL);
		static char patterns[KEEL_HTTP_ROUTES_MAX + 1][16];
		for (int i = 0; i <= KEEL_HTTP_ROUTES_MAX; i++) {
			snprintf(patterns[i], sizeof(patterns[i]), "/%d", i);
			CHECK(keel_http_route(s, "GET", patterns[i], h_hello, NULL) ==
			      (i < KEEL_HTTP_ROUTES_MAX ? KEEL_OK : KEEL_ENOMEM));
		}
		keel_http_server_free(s);
	}
}

static void head_requests(void)
{
	struct resp r;

	run("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n"
	    "HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n"
	    "HEAD /stream-len HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	expect(&r, true, 200);
	CHECK(strcmp(resp_header(&r, "Content-Length"), "6") == 0);
	resp_free(&r);
	expect(&r, true, 200);
	CHECK(strcmp(resp_header(&r, "Transfer-Encoding"), "chunked") == 0);
	resp_free(&r);
	expect(&r, true, 200);
	CHECK(strcmp(resp_header(&r, "Content-Length"), "6") == 0);
	resp_free(&r);
	/* Had any body bytes leaked, this would not parse. */
	expect(&r, false, 200);
	expect_body(&r, "hello\n");
	resp_free(&r);
	expect_end();
}

static void streaming(void)
{
	struct resp r;

	run("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /stream-len HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /headers HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /short HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	expect(&r, false, 200);
	CHECK(r.chunked);
	expect_body(&r, "abbccc");
	resp_free(&r);
	expect(&r, false, 200);
	CHECK(!r.chunked);
	expect_body(&r, "abcdef");
	CHECK(strcmp(resp_header(&r, "Content-Type"), "text/plain") == 0);
	resp_free(&r);
	expect(&r, false, 204);
	CHECK(strcmp(resp_header(&r, "X-Good"), "a \tb") == 0);
	CHECK(resp_header(&r, "Content-Length") == NULL);
	CHECK(resp_header(&r, "Content-Type") == NULL || 1);
	CHECK(strstr(r.head, "Injected") == NULL);
	resp_free(&r);
	/* The short body: its head, 3 bytes, then the connection ends; the
	 * last request is never answered. */
	CHECK(strstr(mf.out + out_pos, "Content-Length: 10\r\n") != NULL);
	CHECK(memcmp(mf.out + mf.out_len - 3, "abc", 3) == 0);
	CHECK(strstr(mf.out + out_pos, "hello") == NULL);
	out_pos = 0;

	/* HTTP/1.0 gets no chunks: the body ends with the connection. */
	run("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	    "GET /hello HTTP/1.0\r\n\r\n");
	expect(&r, false, 200);
	CHECK(!r.chunked);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	expect_body(&r, "abbccc");
	resp_free(&r);
	expect_end();
}

static void keep_alive_rules(void)
{
	struct resp r;

	/* Connection: close ends it after the answer, which says so. */
	run("GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	    "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	expect(&r, false, 200);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();
	CHECK(mf.shut_wr); /* lingering close */

	/* HTTP/1.0: closes unless keep-alive is asked for, and says so. */
	run("GET /hello HTTP/1.0\r\n\r\nGET /hello HTTP/1.0\r\n\r\n");
	expect(&r, false, 200);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();
	run("GET /hello HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
	    "GET /hello HTTP/1.0\r\nconnection: keep-alive\r\n\r\n"
	    "GET /hello HTTP/1.0\r\n\r\n"
	    "GET /hello HTTP/1.0\r\n\r\n");
	expect(&r, false, 200);
	CHECK(strcmp(resp_header(&r, "Connection"), "keep-alive") == 0);
	resp_free(&r);
	expect(&r, false, 200);
	CHECK(strcmp(resp_header(&r, "Connection"), "keep-alive") == 0);
	resp_free(&r);
	expect(&r, false, 200);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();

	/* max_requests. */
	{
		struct keel_http_server *keep = srv;
		struct keel_http_config cfg;

		keel_http_config_default(&cfg);
		cfg.max_requests = 2;
		srv = make_server(&cfg);
		run("GET /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
		    "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
		expect(&r, false, 200);
		CHECK(resp_header(&r, "Connection") == NULL);
		resp_free(&r);
		expect(&r, false, 200);
		CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
		resp_free(&r);
		expect_end();
		keel_http_server_free(srv);
		srv = keep;
	}
}

/* Pipelined requests of every kind, given whole and in every piece size
 * from 1 byte up: the output is the same, byte for byte. */
static void pipelining(void)
{
	static const char in[] =
	    "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde"
	    "GET /files/1 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3;x=y\r\nfoo\r\n4\r\nbar!\r\n0\r\nTrailer: t\r\n\r\n"
	    "\r\nGET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /noread HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"
	    "POST /noread HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nzz\r\n0\r\n\r\n"
	    "POST /echo1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
	    "HEAD /files/2 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /files/3 HTTP/1.1\r\nHost: a\r\n\r\n";
	char *whole;
	size_t whole_len;
	struct resp r;

	run(in);
	whole_len = mf.out_len;
	whole = malloc(whole_len + 1);
	CHECK(whole);
	memcpy(whole, mf.out, whole_len + 1);

	expect(&r, false, 200);
	expect_body(&r, "hello\n");
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "abcde");
	CHECK(strcmp(resp_header(&r, "X-Declared"), "5") == 0);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "prefix|GET|/files/1||a|11|-|1|Host=a|1");
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "foobar!");
	CHECK(strcmp(resp_header(&r, "X-Declared"), "-1") == 0);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "abbccc");
	resp_free(&r);
	expect(&r, false, 202);
	resp_free(&r);
	expect(&r, false, 202);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "xyz");
	resp_free(&r);
	expect(&r, true, 200);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "prefix|GET|/files/3||a|11|-|1|Host=a|3");
	resp_free(&r);
	expect_end();

	for (size_t step = 1; step <= 64; step++) {
		run_with(in, sizeof(in) - 1, step);
		CHECK(mf.out_len == whole_len && memcmp(mf.out, whole, whole_len) == 0);
	}
	free(whole);

	/* A long pipeline stays in order. */
	{
		char *many = malloc(100 * 64);
		size_t len = 0;

		CHECK(many);
		for (int i = 0; i < 100; i++)
			len += (size_t)sprintf(many + len,
			                       "GET /files/%d HTTP/1.1\r\nHost: a\r\n\r\n", i);
		run_with(many, len, 0);
		for (int i = 0; i < 100; i++) {
			char want[128];

			snprintf(want, sizeof(want), "prefix|GET|/files/%d||a|11|-|1|Host=a|%d", i,
			         i);
			expect(&r, false, 200);
			expect_body(&r, want);
			resp_free(&r);
		}
		expect_end();
		free(many);
	}
}

static void bodies(void)
{
	struct resp r;
	char *big;
	size_t len;

	/* A body of 200 KiB, chunked in pieces of 1000, read back whole. */
	big = malloc(300 * 1024);
	CHECK(big);
	len = (size_t)sprintf(
	    big, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 200; i++) {
		len += (size_t)sprintf(big + len, "3E8\r\n");
		memset(big + len, 'a' + i % 26, 1000);
		len += 1000;
		len += (size_t)sprintf(big + len, "\r\n");
	}
	len += (size_t)sprintf(big + len, "0\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	run_with(big, len, 777);
	expect(&r, false, 200);
	CHECK(r.body_len == 200000);
	for (int i = 0; i < 200; i++)
		CHECK(r.body[i * 1000] == 'a' + i % 26 && r.body[i * 1000 + 999] == 'a' + i % 26);
	resp_free(&r);
	expect(&r, false, 200);
	resp_free(&r);
	expect_end();

	/* With Content-Length, read straight into the handler's buffer. */
	len = (size_t)sprintf(big,
	                      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
	memset(big + len, 'q', 100000);
	len += 100000;
	len += (size_t)sprintf(big + len, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	run_with(big, len, 4096);
	expect(&r, false, 200);
	CHECK(r.body_len == 100000 && r.body[0] == 'q' && r.body[99999] == 'q');
	resp_free(&r);
	expect(&r, false, 200);
	resp_free(&r);
	expect_end();
	free(big);

	/* Bad chunk framing: 400, closed, the rest unanswered. */
	run("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhelloX\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	expect(&r, false, 400);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();

	/* A body cut short by the peer: nothing more to say, closed. */
	run("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
	expect(&r, false, 500);
	resp_free(&r);
	expect_end();

	/* An unread body too large to drain: answered, then closed. */
	big = malloc(100 * 1024);
	CHECK(big);
	len = (size_t)sprintf(big,
	                      "POST /noread HTTP/1.1\r\nHost: a\r\nContent-Length: 90000\r\n\r\n");
	memset(big + len, 'z', 90000);
	len += 90000;
	len += (size_t)sprintf(big + len, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	run_with(big, len, 0);
	expect(&r, false, 202);
	resp_free(&r);
	expect_end();
	CHECK(mf.in_pos < len); /* it did not read all of that */
	free(big);
}

static void expect_continue(void)
{
	static const char head[] = "POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
	                           "Content-Length: 4\r\n\r\n";
	static const size_t chunks[] = { sizeof(head) - 1 };
	static char in[256];
	struct resp r;
	size_t len;

	/* The body comes after the 100. */
	len = (size_t)snprintf(in, sizeof(in), "%sbody", head);
	mock_flow_free(&mf);
	mock_flow_init(&mf, in, len);
	mf.chunks = chunks;
	mf.nchunks = 1;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(strncmp(mf.out, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0);
	expect(&r, false, 100);
	resp_free(&r);
	expect(&r, false, 200);
	expect_body(&r, "body");
	resp_free(&r);
	expect_end();

	/* A handler that answers without reading: no 100, and the
	 * connection closes (the client may never send the body). */
	len = (size_t)snprintf(in, sizeof(in),
	                       "POST /noread HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
	                       "Content-Length: 4\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	mock_flow_free(&mf);
	mock_flow_init(&mf, in, len);
	mf.chunks = chunks;
	mf.nchunks = 1;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect(&r, false, 202);
	resp_free(&r);
	expect_end();

	/* The body already arrived with the head: no 100 needed. */
	run("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
	    "body");
	expect(&r, false, 200);
	expect_body(&r, "body");
	resp_free(&r);
	expect_end();
}

static void limits(void)
{
	struct keel_http_server *keep = srv;
	struct keel_http_config cfg;
	struct resp r;
	char *b;
	size_t len;

	keel_http_config_default(&cfg);
	cfg.max_body = 1000;
	srv = make_server(&cfg);

	/* A declared length past max_body: 413 at once, body not read. */
	run("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");
	expect(&r, false, 413);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();
	run("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n");
	expect(&r, false, 500); /* allowed, but the body never came */
	resp_free(&r);
	expect_end();

	/* A chunked body growing past max_body: 413 when it does. */
	b = malloc(8192);
	CHECK(b);
	len = (size_t)sprintf(b,
	                      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "3e8\r\n");
	memset(b + len, 'x', 1000);
	len += 1000;
	len += (size_t)sprintf(b + len, "\r\n1\r\ny\r\n0\r\n\r\n");
	run_with(b, len, 0);
	expect(&r, false, 413);
	resp_free(&r);
	expect_end();
	free(b);
	keel_http_server_free(srv);
	srv = keep;

	/* The parser's refusals close the connection; what follows them is
	 * never answered. */
	{
		static const struct {
			const char *req;
			int status;
		} bad[] = {
			{ "GET / HTTP/1.1\r\n\r\n", 400 },
			{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
			{ "GET / HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n", 400 },
			{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: "
			  "chunked\r\n\r\n",
			  400 },
			{ "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
			  501 },
			{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\n\r\n", 417 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char in[512];

			snprintf(in, sizeof(in), "%sGET /hello HTTP/1.1\r\nHost: a\r\n\r\n",
			         bad[i].req);
			run(in);
			expect(&r, false, bad[i].status);
			CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
			resp_free(&r);
			expect_end();
			CHECK(mf.shut_wr);
		}
	}

	/* 414 and 431 with big heads, and a big head that is fine (the
	 * buffer grows to hold it). */
	b = malloc(64 * 1024);
	CHECK(b);
	len = (size_t)sprintf(b, "GET /files/");
	memset(b + len, 'p', 9000);
	len += 9000;
	len += (size_t)sprintf(b + len, " HTTP/1.1\r\nHost: a\r\n\r\n");
	run_with(b, len, 1000);
	expect(&r, false, 414);
	resp_free(&r);
	expect_end();
	len = (size_t)sprintf(b, "GET /files/x HTTP/1.1\r\nHost: a\r\nX-Test: ");
	memset(b + len, 'v', 20000);
	len += 20000;
	len += (size_t)sprintf(b + len, "\r\n\r\n");
	run_with(b, len, 1000);
	expect(&r, false, 431);
	resp_free(&r);
	expect_end();
	len = (size_t)sprintf(b, "GET /files/");
	memset(b + len, 'p', 8000);
	len += 8000;
	len += (size_t)sprintf(b + len, " HTTP/1.1\r\nHost: a\r\nX-Test: ");
	memset(b + len, 'v', 16000);
	len += 16000;
	len += (size_t)sprintf(b + len, "\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	run_with(b, len, 999);
	expect(&r, false, 200);
	CHECK(r.body_len > 24000);
	resp_free(&r);
	expect(&r, false, 200);
	resp_free(&r);
	expect_end();
	free(b);
}

static void timeouts(void)
{
	struct resp r;
	keel_time t0;
	struct keel_http_stats st0, st1;

	/* Idle: a connection that says nothing is closed after idle_timeout,
	 * silently. */
	mock_flow_free(&mf);
	mock_flow_init(&mf, "", 0);
	mf.hold_open = true;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(mf.closed && mf.out_len == 0);
	CHECK(mock_now - t0 == 30 * KEEL_SEC);

	/* Idle after a response: the same. */
	mock_flow_free(&mf);
	mock_flow_init(&mf, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", 32);
	mf.hold_open = true;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect(&r, false, 200);
	resp_free(&r);
	expect_end();
	CHECK(mock_now - t0 == 30 * KEEL_SEC);

	/* Slowloris: a byte a second never finishes a head within 10 s:
	 * 408, closed, 10 s after the first byte. */
	keel_http_stats(srv, &st0);
	mock_flow_free(&mf);
	mock_flow_init(&mf, "GET /hello HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nX-2: 2\r\n\r\n", 48);
	mf.max_read = 1;
	mf.delay = KEEL_SEC;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect(&r, false, 408);
	CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
	resp_free(&r);
	expect_end();
	/* First byte at t0 + 1 s; the head had to be in by 10 s later. */
	CHECK(mock_now - t0 >= 11 * KEEL_SEC && mock_now - t0 <= 11 * KEEL_SEC + 2 * KEEL_SEC);
	CHECK(mf.in_pos < 48);
	keel_http_stats(srv, &st1);
	CHECK(st1.timeouts == st0.timeouts + 1);

	/* The same head at a byte per 100 ms arrives in 4.8 s: served. */
	mock_flow_free(&mf);
	mock_flow_init(&mf, "GET /hello HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nX-2: 2\r\n\r\n", 48);
	mf.max_read = 1;
	mf.delay = 100 * KEEL_MSEC;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect(&r, false, 200);
	resp_free(&r);
	expect_end();

	/* A body that stops coming: 408 after body_timeout. */
	mock_flow_free(&mf);
	mock_flow_init(&mf, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", 55);
	mf.hold_open = true;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect(&r, false, 408);
	resp_free(&r);
	expect_end();
	/* body_timeout, then the lingering close waits out its 2 s. */
	CHECK(mock_now - t0 == 32 * KEEL_SEC);

	/* A peer that stops reading: the write waits write_timeout, then
	 * the connection is dropped. */
	keel_http_stats(srv, &st0);
	mock_flow_free(&mf);
	mock_flow_init(&mf, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", 32);
	mf.write_limit = 10;
	t0 = mock_now;
	CHECK(keel_fiber_spawn(conn_fiber, &mf.flow, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(mf.closed && mf.out_len == 0 && !mf.shut_wr);
	CHECK(mock_now - t0 == 30 * KEEL_SEC);
	keel_http_stats(srv, &st1);
	CHECK(st1.timeouts == st0.timeouts + 1);
}

static struct mock_flow many[3];
static int many_rc[3];

static void limited_fiber(void *arg)
{
	int i = (int)(intptr_t)arg;

	many_rc[i] = keel_http_serve_flow(srv, &many[i].flow);
}

static void connection_limit(void)
{
	struct keel_http_server *keep = srv;
	struct keel_http_config cfg;
	struct keel_http_stats st;
	struct resp r;

	keel_http_config_default(&cfg);
	cfg.max_conns = 2;
	srv = make_server(&cfg);
	for (int i = 0; i < 3; i++) {
		mock_flow_init(&many[i], "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n", 32);
		many[i].hold_open = true;
		CHECK(keel_fiber_spawn(limited_fiber, (void *)(intptr_t)i, 0));
	}
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(many_rc[0] == KEEL_OK && many_rc[1] == KEEL_OK && many_rc[2] == KEEL_ENOMEM);
	for (int i = 0; i < 3; i++) {
		size_t pos = 0;

		CHECK(many[i].closed);
		CHECK(resp_next(many[i].out, many[i].out_len, &pos, false, &r));
		CHECK(r.status == (i < 2 ? 200 : 503));
		if (i == 2) {
			CHECK(strcmp(resp_header(&r, "Connection"), "close") == 0);
			CHECK(many[i].shut_wr);
		}
		resp_free(&r);
		mock_flow_free(&many[i]);
	}
	keel_http_stats(srv, &st);
	CHECK(st.conns_accepted == 2 && st.conns_refused == 1 && st.conns_live == 0);
	keel_http_server_free(srv);
	srv = keep;
}

static void access_log(void)
{
	struct keel_http_server *keep = srv;
	struct keel_http_config cfg;
	const char *log;

	keel_http_config_default(&cfg);
	cfg.access_log = true;
	srv = make_server(&cfg);
	mock_console_clear();
	mock_console_capture(true);
	run("GET /hello?secret HTTP/1.1\r\nHost: a\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
	    "BAD\x01 / HTTP/1.1\r\n\r\n");
	mock_console_capture(false);
	log = mock_console_text();
	printf("%s", log);
	CHECK(strstr(log, "http: mock <- peer:1234 \"GET /hello\" 200 6 0us\n"));
	CHECK(strstr(log, "http: mock <- peer:1234 \"GET /nowhere\" 404 14 0us\n"));
	CHECK(strstr(log, "http: mock <- peer:1234 \"- -\" 400 16 0us\n"));
	CHECK(!strstr(log, "secret"));
	out_pos = 0;
	keel_http_server_free(srv);
	srv = keep;
}

static void counters(void)
{
	struct keel_http_stats st;
	struct keel_http_server *keep = srv;

	srv = make_server(NULL);
	run("GET /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
	    "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
	    "GET / HTTP/9.9\r\n\r\n");
	out_pos = 0;
	keel_http_stats(srv, &st);
	CHECK(st.conns_accepted == 1 && st.conns_live == 0);
	CHECK(st.requests == 4);
	CHECK(st.responses[2] == 2 && st.responses[4] == 1 && st.responses[5] == 1);
	CHECK(st.bad_requests == 1);
	CHECK(st.body_bytes_in == 3);
	CHECK(st.body_bytes_out == 6 + 14 + 3 + 31);
	keel_http_server_free(srv);
	srv = keep;
}

/* The configured send buffer is asked of each connection's flow; none
 * is asked for by default. */
static void send_buffer(void)
{
	struct keel_http_config cfg;
	struct keel_http_server *keep = srv;

	run("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(mf.sndbuf == 0);
	keel_http_config_default(&cfg);
	cfg.send_buffer = 300000;
	srv = make_server(&cfg);
	run("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(mf.sndbuf == 300000);
	out_pos = 0;
	keel_http_server_free(srv);
	srv = keep;
}

int main(void)
{
	/* A failed check exits from inside a fiber: keep nothing buffered. */
	setvbuf(stdout, NULL, _IONBF, 0);
	srv = make_server(NULL);
	basics();
	routing();
	head_requests();
	streaming();
	keep_alive_rules();
	pipelining();
	bodies();
	expect_continue();
	limits();
	timeouts();
	connection_limit();
	access_log();
	counters();
	send_buffer();
	mock_flow_free(&mf);
	keel_http_server_free(srv);
	printf("PASS %s\n", test_name);
	return 0;
}

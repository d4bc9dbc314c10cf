/*
 * lib/tls, client against server in one process: both run in fibers of
 * the runtime, over a pipe of two in-memory flows, on the mock platform
 * (its clock moves only when every fiber waits, so timeouts cost no real
 * time). kp_random and kp_clock_wall are wrapped (-Wl,--wrap): the first
 * to play a platform without entropy, the second to give the X.509 check
 * today's date (the certificates are made at build time).
 *
 * Covered: refusal without entropy; PEM errors; handshakes with ECDSA and
 * RSA certificates chosen by SNI (exact, wildcard, default); ALPN; data
 * both ways over many records and with writev; close_notify as end of
 * stream; the client refusing a wrong name and an untrusted chain; a
 * server given garbage, a truncated hello, silence (handshake timeout)
 * and an idle session (idle timeout); max_sessions; keel_close while another fiber is
 * blocked in a read; counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <keel/core.h>
#include <keel/tls.h>

#include "check.h"
#include "mock_platform.h"

const char test_name[] = "tls/session";

extern const char a_test_cert_pem[], a_test_key_pem[];
extern const char b_test_cert_pem[], b_test_key_pem[];
extern const char other_test_cert_pem[], other_test_key_pem[];
extern const char ca_pem[];

/* ---- Wrapped platform calls ---------------------------------------------- */

static bool no_entropy;
int __real_kp_random(void *buf, size_t len);
int __wrap_kp_random(void *buf, size_t len);
int __wrap_kp_random(void *buf, size_t len)
{
	if (no_entropy)
		return KEEL_EIO;
	return __real_kp_random(buf, len);
}

uint64_t __wrap_kp_clock_wall(void);
uint64_t __wrap_kp_clock_wall(void)
{
	return (uint64_t)time(NULL) * 1000000000ull;
}

/* ---- An in-memory pipe: two flows, each reading what the other wrote --- */

struct pipe_buf {
	unsigned char *data;
	size_t len, cap;
	bool eof;
	struct keel_waitq readers;
};

struct pipe_end {
	struct keel_flow flow;
	struct pipe_buf *in, *out;
	bool closed;
};

static struct pipe_buf bufs[2];
static struct pipe_end ends[2];

static long pipe_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct pipe_end *e = (struct pipe_end *)f;
	size_t n;

	while (e->in->len == 0) {
		if (e->in->eof || e->closed)
			return 0;
		if (keel_wait(&e->in->readers, deadline) == KEEL_ETIMEDOUT)
			return KEEL_ETIMEDOUT;
	}
	n = e->in->len < len ? e->in->len : len;
	memcpy(buf, e->in->data, n);
	memmove(e->in->data, e->in->data + n, e->in->len - n);
	e->in->len -= n;
	return (long)n;
}

static long pipe_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                        keel_time deadline)
{
	struct pipe_end *e = (struct pipe_end *)f;
	size_t done = 0;

	if (e->out->eof)
		return KEEL_ECLOSED;
	for (size_t i = 0; i < iovcnt; i++) {
		struct pipe_buf *b = e->out;

		if (b->len + iov[i].len > b->cap) {
			b->cap = (b->len + iov[i].len) * 2;
			b->data = realloc(b->data, b->cap);
			CHECK(b->data);
		}
		memcpy(b->data + b->len, iov[i].base, iov[i].len);
		b->len += iov[i].len;
		done += iov[i].len;
	}
	keel_wake_all(&e->out->readers);
	return (long)done;
}

static int pipe_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	struct pipe_end *e = (struct pipe_end *)f;

	if (how & KEEL_SHUT_WR) {
		e->out->eof = true;
		keel_wake_all(&e->out->readers);
	}
	return KEEL_OK;
}

static void pipe_close(struct keel_flow *f)
{
	struct pipe_end *e = (struct pipe_end *)f;

	e->closed = true;
	e->out->eof = true;
	keel_wake_all(&e->out->readers);
	keel_wake_all(&e->in->readers);
}

static const struct keel_flow_ops pipe_ops = {
	.read = pipe_read,
	.writev = pipe_writev,
	.shutdown = pipe_shutdown,
	.close = pipe_close,
};

/* Resets the pipe: ends[0] is the client's transport, ends[1] the server's. */
static void pipe_reset(void)
{
	for (int i = 0; i < 2; i++) {
		free(bufs[i].data);
		memset(&bufs[i], 0, sizeof bufs[i]);
		keel_waitq_init(&bufs[i].readers);
	}
	ends[0] = (struct pipe_end){ { &pipe_ops }, &bufs[0], &bufs[1], false };
	ends[1] = (struct pipe_end){ { &pipe_ops }, &bufs[1], &bufs[0], false };
}

/* Puts raw bytes in front of the server, as a client would have sent. */
static void pipe_inject(const void *data, size_t len, bool eof)
{
	struct keel_iovec v = { data, len };

	pipe_writev(&ends[0].flow, &v, 1, KEEL_FOREVER);
	if (eof)
		pipe_shutdown(&ends[0].flow, KEEL_SHUT_WR);
}

/* ---- One exchange: a server fiber and a client fiber ---------------------- */

static struct keel_tls_server *srv;
static struct keel_tls_client *cli;

struct run {
	const char *sni;
	size_t bytes; /* the client sends this many, the server echoes them */
	int server_rc, client_rc;
	int client_err; /* keel_tls_last_error(NULL) right after a failure */
	struct keel_tls_info server_info, client_info;
	bool echoed_ok;  /* the client read back exactly what it sent */
	long server_eof; /* the server's read after the client closed */
};

static void server_fiber(void *arg)
{
	struct run *r = arg;
	struct keel_flow *f;
	unsigned char buf[5000];
	long n;

	r->server_rc = keel_tls_accept(srv, &ends[1].flow, keel_now() + 60 * KEEL_SEC, &f);
	if (r->server_rc != KEEL_OK)
		return;
	keel_tls_info(f, &r->server_info);
	/* Echo until end of stream, in reads of odd sizes. */
	while ((n = keel_read(f, buf, sizeof buf, keel_now() + 60 * KEEL_SEC)) > 0)
		CHECK(keel_write(f, buf, (size_t)n, keel_now() + 60 * KEEL_SEC) == n);
	r->server_eof = n;
	keel_close(f);
}

static void client_fiber(void *arg)
{
	struct run *r = arg;
	struct keel_flow *f;
	unsigned char *sent, *got;
	size_t have = 0;

	r->client_rc = keel_tls_connect(cli, &ends[0].flow, r->sni, keel_now() + 60 * KEEL_SEC, &f);
	if (r->client_rc != KEEL_OK) {
		r->client_err = keel_tls_last_error(NULL);
		return;
	}
	keel_tls_info(f, &r->client_info);
	sent = malloc(r->bytes + 1);
	got = malloc(r->bytes + 1);
	for (size_t i = 0; i < r->bytes; i++)
		sent[i] = (unsigned char)test_rand();
	/* Half in one writev of three pieces, then the rest in one write,
	 * reading the echo as we go so that neither side's buffer fills. */
	{
		size_t half = r->bytes / 2, third = half / 3;
		struct keel_iovec v[3] = { { sent, third },
			                   { sent + third, third },
			                   { sent + 2 * third, half - 2 * third } };

		CHECK(keel_writev(f, v, 3, keel_now() + 60 * KEEL_SEC) == (long)half);
		while (have < half) {
			long n =
			    keel_read(f, got + have, r->bytes - have, keel_now() + 60 * KEEL_SEC);

			CHECK(n > 0);
			have += (size_t)n;
		}
		CHECK(keel_write(f, sent + half, r->bytes - half, keel_now() + 60 * KEEL_SEC) ==
		      (long)(r->bytes - half));
	}
	while (have < r->bytes) {
		long n = keel_read(f, got + have, r->bytes - have, keel_now() + 60 * KEEL_SEC);

		CHECK(n > 0);
		have += (size_t)n;
	}
	r->echoed_ok = memcmp(sent, got, r->bytes) == 0;
	free(sent);
	free(got);
	keel_close(f);
}

static void run(struct run *r)
{
	pipe_reset();
	CHECK(keel_fiber_spawn(server_fiber, r, 128 * 1024));
	CHECK(keel_fiber_spawn(client_fiber, r, 128 * 1024));
	CHECK(keel_loop_run() == KEEL_OK);
}

/* ---- Tests ----------------------------------------------------------------- */

static void entropy_refusal(void)
{
	struct keel_tls_server *s;
	struct keel_tls_stats st;

	no_entropy = true;
	mock_console_capture(true);
	CHECK(keel_tls_server_new(NULL, &s) == KEEL_EIO);
	CHECK(keel_tls_client_new(NULL, ca_pem, strlen(ca_pem), &cli) == KEEL_EIO);
	CHECK(strstr(mock_console_text(), "no entropy source") != NULL);
	mock_console_capture(false);
	keel_tls_stats(&st);
	CHECK(st.no_entropy == 2);
	no_entropy = false;
}

static void config_errors(void)
{
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
	                           "-----END CERTIFICATE-----\n";

	CHECK(keel_tls_server_new(NULL, &srv) == KEEL_OK);
	CHECK(keel_tls_server_add_cert(srv, NULL, junk, strlen(junk), a_test_key_pem,
	                               strlen(a_test_key_pem)) == KEEL_EINVAL);
	CHECK(keel_tls_server_add_cert(srv, NULL, "", 0, a_test_key_pem, strlen(a_test_key_pem)) ==
	      KEEL_EINVAL);
	CHECK(keel_tls_server_add_cert(srv, NULL, a_test_cert_pem, strlen(a_test_cert_pem),
	                               a_test_cert_pem, strlen(a_test_cert_pem)) == KEEL_EINVAL);
	CHECK(keel_tls_client_new(NULL, junk, strlen(junk), &cli) == KEEL_EINVAL);
	CHECK(keel_tls_client_new(NULL, "", 0, &cli) == KEEL_EINVAL);
	/* No certificate yet: accept refuses (and closes the transport). */
	pipe_reset();
	{
		struct keel_flow *f;

		CHECK(keel_tls_accept(srv, &ends[1].flow, KEEL_FOREVER, &f) == KEEL_EINVAL);
		CHECK(ends[1].closed);
	}
	/* a.test (ECDSA) is the default; b.test and *.b.test are RSA. The PEM
	 * texts are given without their final newline once, to check that. */
	CHECK(keel_tls_server_add_cert(srv, "a.test", a_test_cert_pem, strlen(a_test_cert_pem) - 1,
	                               a_test_key_pem, strlen(a_test_key_pem) - 1) == KEEL_OK);
	CHECK(keel_tls_server_add_cert(srv, "b.test, *.b.test", b_test_cert_pem,
	                               strlen(b_test_cert_pem), b_test_key_pem,
	                               strlen(b_test_key_pem)) == KEEL_OK);
	CHECK(keel_tls_client_new(NULL, ca_pem, strlen(ca_pem), &cli) == KEEL_OK);
}

static void handshakes(void)
{
	struct run r = { .sni = "a.test", .bytes = 100000 };

	run(&r);
	CHECK(r.server_rc == KEEL_OK && r.client_rc == KEEL_OK);
	CHECK(r.echoed_ok);
	CHECK(r.server_eof == 0); /* close_notify: a clean end of stream */
	CHECK(r.server_info.version == 0x0303);
	CHECK(strcmp(r.server_info.suite_name, "ECDHE-ECDSA-AES128-GCM-SHA256") == 0);
	CHECK(strcmp(r.server_info.server_name, "a.test") == 0);
	CHECK(strcmp(r.server_info.alpn, "http/1.1") == 0);
	CHECK(strcmp(r.client_info.alpn, "http/1.1") == 0);
	CHECK(!r.server_info.resumed);

	r = (struct run){ .sni = "b.test", .bytes = 20000 };
	run(&r);
	CHECK(r.client_rc == KEEL_OK && r.echoed_ok);
	CHECK(strcmp(r.server_info.suite_name, "ECDHE-RSA-AES128-GCM-SHA256") == 0);

	r = (struct run){ .sni = "WWW.B.TEST", .bytes = 10 };
	run(&r);
	CHECK(r.client_rc == KEEL_OK && r.echoed_ok);
	CHECK(strcmp(r.server_info.suite_name, "ECDHE-RSA-AES128-GCM-SHA256") == 0);

	/* A name no certificate lists gets the default (ECDSA, a.test), which
	 * the client refuses: it does not name c.test. */
	r = (struct run){ .sni = "c.test", .bytes = 10 };
	run(&r);
	CHECK(r.client_rc == KEEL_EIO);
	CHECK(r.client_err == 56); /* BR_ERR_X509_BAD_SERVER_NAME */
	CHECK(r.server_rc != KEEL_OK);
}

static void untrusted(void)
{
	struct keel_tls_client *good = cli;
	struct run r = { .sni = "a.test", .bytes = 10 };

	CHECK(keel_tls_client_new(NULL, other_test_cert_pem, strlen(other_test_cert_pem), &cli) ==
	      KEEL_OK);
	run(&r);
	CHECK(r.client_rc == KEEL_EIO);
	CHECK(r.client_err == 62); /* BR_ERR_X509_NOT_TRUSTED */
	keel_tls_client_free(cli);
	cli = good;
}

/* The server alone, fed raw bytes. */
static int server_rc;
static void lone_server(void *arg)
{
	struct keel_flow *f;

	server_rc = keel_tls_accept(srv, &ends[1].flow, KEEL_FOREVER, &f);
	if (server_rc == KEEL_OK)
		keel_close(f);
}

static int feed_server(const void *data, size_t len, bool eof)
{
	pipe_reset();
	pipe_inject(data, len, eof);
	CHECK(keel_fiber_spawn(lone_server, NULL, 128 * 1024));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(ends[1].closed); /* the transport is always released */
	return server_rc;
}

static void hostile(void)
{
	unsigned char junk[600];
	static const unsigned char hello_start[] = { 0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00,
		                                     0x00, 0x7c, 0x03, 0x03, 0x11, 0x22 };
	static const unsigned char v3hello[] = { 0x16, 0x03, 0x00, 0x00, 0x2d, 0x01,
		                                 0x00, 0x00, 0x29, 0x03, 0x00 };
	static const unsigned char oversized[] = { 0x16, 0x03, 0x03, 0x48, 0x01, 0x01 };
	keel_time t0;
	struct keel_tls_stats st;

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)test_rand();
	CHECK(feed_server(junk, sizeof junk, true) == KEEL_EIO);
	/* Truncated: the transport ends mid-hello. */
	CHECK(feed_server(hello_start, sizeof hello_start, true) == KEEL_ECLOSED);
	CHECK(feed_server(oversized, sizeof oversized, true) != KEEL_OK);
	CHECK(feed_server(v3hello, sizeof v3hello, true) != KEEL_OK);
	/* Silence: the handshake timeout (10 s of mock time) ends it. */
	t0 = keel_now();
	CHECK(feed_server(hello_start, sizeof hello_start, false) == KEEL_ETIMEDOUT);
	CHECK(keel_now() - t0 >= 10 * KEEL_SEC && keel_now() - t0 < 11 * KEEL_SEC);
	keel_tls_stats(&st);
	CHECK(st.sessions_live == 0);
}

/* An idle session: the server's read gives up after idle_timeout; and
 * the bound on live sessions. */
static long idle_rc;
static void idle_server(void *arg)
{
	struct keel_flow *f;
	char c;

	if (keel_tls_accept(arg, &ends[1].flow, KEEL_FOREVER, &f) != KEEL_OK)
		return;
	idle_rc = keel_read(f, &c, 1, KEEL_FOREVER);
	keel_close(f);
}

static void idle_client(void *arg)
{
	struct keel_tls_server *s = arg;
	struct pipe_buf spare_buf = { 0 };
	struct pipe_end spare = { { &pipe_ops }, &spare_buf, &spare_buf, false };
	struct keel_flow *f, *g;

	CHECK(keel_tls_connect(cli, &ends[0].flow, "a.test", KEEL_FOREVER, &f) == KEEL_OK);
	/* max_sessions is 1 and the server's session is live: refused. */
	keel_waitq_init(&spare_buf.readers);
	CHECK(keel_tls_accept(s, &spare.flow, KEEL_FOREVER, &g) == KEEL_ENOMEM);
	CHECK(spare.closed);
	keel_sleep(120 * KEEL_SEC);
	keel_close(f);
}

static void idle(void)
{
	struct keel_tls_config cfg;
	struct keel_tls_server *s;
	keel_time t0 = keel_now();

	keel_tls_config_default(&cfg);
	cfg.idle_timeout = 30 * KEEL_SEC;
	cfg.max_sessions = 1;
	CHECK(keel_tls_server_new(&cfg, &s) == KEEL_OK);
	CHECK(keel_tls_server_add_cert(s, NULL, a_test_cert_pem, strlen(a_test_cert_pem),
	                               a_test_key_pem, strlen(a_test_key_pem)) == KEEL_OK);
	pipe_reset();
	CHECK(keel_fiber_spawn(idle_server, s, 128 * 1024));
	CHECK(keel_fiber_spawn(idle_client, s, 128 * 1024));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(idle_rc == KEEL_ETIMEDOUT);
	CHECK(keel_now() - t0 >= 30 * KEEL_SEC);
	keel_tls_server_free(s);
}

/* keel_close from one fiber while another is blocked reading the flow:
 * the reader gets KEEL_ECLOSED and nothing is used after being freed. */
static struct keel_flow *shared_flow;
static long blocked_rc = 1;
static bool closer_done;

static void blocked_reader(void *arg)
{
	char c;

	blocked_rc = keel_read(shared_flow, &c, 1, keel_now() + 60 * KEEL_SEC);
}

static void closer(void *arg)
{
	keel_sleep(KEEL_SEC);
	keel_close(shared_flow);
	closer_done = true;
}

static void close_server(void *arg)
{
	CHECK(keel_tls_accept(srv, &ends[1].flow, KEEL_FOREVER, &shared_flow) == KEEL_OK);
	CHECK(keel_fiber_spawn(blocked_reader, NULL, 64 * 1024));
	CHECK(keel_fiber_spawn(closer, NULL, 64 * 1024));
}

static void close_client(void *arg)
{
	struct keel_flow *f;
	char c;

	CHECK(keel_tls_connect(cli, &ends[0].flow, "a.test", KEEL_FOREVER, &f) == KEEL_OK);
	/* The server's close_notify ends the stream cleanly. */
	CHECK(keel_read(f, &c, 1, keel_now() + 60 * KEEL_SEC) == 0);
	keel_close(f);
}

static void close_while_blocked(void)
{
	struct keel_tls_stats st;

	pipe_reset();
	CHECK(keel_fiber_spawn(close_server, NULL, 128 * 1024));
	CHECK(keel_fiber_spawn(close_client, NULL, 128 * 1024));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(closer_done);
	CHECK(blocked_rc == KEEL_ECLOSED);
	keel_tls_stats(&st);
	CHECK(st.sessions_live == 0);
}

int main(void)
{
	struct keel_tls_stats st;

	setvbuf(stdout, NULL, _IONBF, 0);
	entropy_refusal();
	config_errors();
	handshakes();
	untrusted();
	hostile();
	idle();
	close_while_blocked();
	keel_tls_stats(&st);
	CHECK(st.handshakes >= 5);
	CHECK(st.sessions_live == 0);
	keel_tls_client_free(cli);
	keel_tls_server_free(srv);
	for (int i = 0; i < 2; i++)
		free(bufs[i].data);
	printf("PASS %s\n", test_name);
	return 0;
}

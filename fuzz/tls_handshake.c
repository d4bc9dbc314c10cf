/*
 * fuzz/tls_handshake.c — libFuzzer target for lib/tls's glue and BearSSL's
 * handshake code behind it, the peer being hostile: the input is every byte
 * the peer sends, read by the TLS engine through a mock flow in chunks, and
 * whatever the engine writes back is discarded.
 *
 * The first byte picks the role and the chunking:
 *   bit 0       0: we are the server (keel_tls_accept with two certificates,
 *               ECDSA a.test as the default and RSA b.test/ *.b.test by SNI,
 *               ALPN http/1.1, the session cache); 1: we are the client
 *               (keel_tls_connect to "a.test", trusting the test CA)
 *   bits 1..7   the most bytes one read of the flow returns (0: all of them)
 * the rest is the peer's bytes; after them the flow reads end of stream.
 * When a handshake completes (it cannot without the peer's keys, but the
 * target would not know), the session is read until it fails and closed.
 *
 * The runtime is lib/core with the mock platform of its tests (the clock
 * moves only when every fiber waits), so handshake deadlines cost no real
 * time; the certificates are those of tests/tls (made at build time).
 * Checked after every input: the session ended, nothing of it is live.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/tls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const char a_test_cert_pem[], a_test_key_pem[];
extern const char b_test_cert_pem[], b_test_key_pem[];
extern const char ca_pem[];

/* ---- A flow that reads the input and swallows writes --------------------- */

struct peer {
	struct keel_flow flow;
	const uint8_t *data;
	size_t len, chunk;
	bool closed;
};

static long peer_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct peer *p = (struct peer *)f;
	size_t n = p->len < len ? p->len : len;

	(void)deadline;
	if (p->closed)
		return KEEL_ECLOSED;
	if (p->chunk && n > p->chunk)
		n = p->chunk;
	memcpy(buf, p->data, n);
	p->data += n;
	p->len -= n;
	return (long)n; /* 0 at the end: end of stream */
}

static long peer_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                        keel_time deadline)
{
	struct peer *p = (struct peer *)f;
	size_t done = 0;

	(void)deadline;
	if (p->closed)
		return KEEL_ECLOSED;
	for (size_t i = 0; i < iovcnt; i++)
		done += iov[i].len;
	return (long)done;
}

static int peer_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	(void)f;
	(void)how;
	return KEEL_OK;
}

static void peer_close(struct keel_flow *f)
{
	struct peer *p = (struct peer *)f;

	if (p->closed)
		abort(); /* closed twice: lib/tls broke its ownership promise */
	p->closed = true;
}

static const struct keel_flow_ops peer_ops = {
	.read = peer_read,
	.writev = peer_writev,
	.shutdown = peer_shutdown,
	.close = peer_close,
};

/* ---- The target ------------------------------------------------------------ */

static struct keel_tls_server *server;
static struct keel_tls_client *client;
static struct peer peer;
static bool as_client, finished;

static void setup(void)
{
	if (keel_tls_server_new(NULL, &server) != KEEL_OK ||
	    keel_tls_server_add_cert(server, "a.test", a_test_cert_pem, strlen(a_test_cert_pem),
	                             a_test_key_pem, strlen(a_test_key_pem)) != KEEL_OK ||
	    keel_tls_server_add_cert(server, "b.test, *.b.test", b_test_cert_pem,
	                             strlen(b_test_cert_pem), b_test_key_pem,
	                             strlen(b_test_key_pem)) != KEEL_OK ||
	    keel_tls_client_new(NULL, ca_pem, strlen(ca_pem), &client) != KEEL_OK)
		abort();
}

static void run(void *arg)
{
	struct keel_flow *f;
	char buf[512];
	int rc;

	(void)arg;
	if (as_client)
		rc = keel_tls_connect(client, &peer.flow, "a.test", keel_now() + 10 * KEEL_SEC, &f);
	else
		rc = keel_tls_accept(server, &peer.flow, keel_now() + 10 * KEEL_SEC, &f);
	if (rc == KEEL_OK) {
		struct keel_tls_info ti;

		if (keel_tls_info(f, &ti) != KEEL_OK)
			abort();
		while (keel_read(f, buf, sizeof(buf), keel_now() + KEEL_SEC) > 0)
			;
		keel_close(f);
	} else if (rc >= 0) {
		abort();
	}
	/* Either way the transport is closed by now (the TLS flow owns it). */
	if (!peer.closed)
		abort();
	finished = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keel_tls_stats st;

	if (!server)
		setup();
	if (size < 1)
		return 0;
	as_client = data[0] & 1;
	peer = (struct peer){ { &peer_ops }, data + 1, size - 1, data[0] >> 1, false };
	finished = false;
	if (!keel_fiber_spawn(run, NULL, 128 * 1024))
		abort();
	if (keel_loop_run() != KEEL_OK || !finished)
		abort();
	keel_tls_stats(&st);
	if (st.sessions_live != 0)
		abort();
	return 0;
}

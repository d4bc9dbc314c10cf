/*
 * A TLS session as a flow: moves records between BearSSL's engine and the
 * flow underneath, runs the handshake, and gives the application data to
 * keel_read/keel_writev.
 *
 * The engine says what it can do next (br_ssl_engine_current_state):
 * SENDREC — it has record bytes to send; RECVREC — it wants record bytes;
 * SENDAPP / RECVAPP — the application may write / has data to read;
 * CLOSED — the session is over (cleanly when last_error is 0).
 * Every operation below loops on that until it can do what it was asked.
 *
 * One reader and one writer fiber may use the flow at once (keel/flow.h).
 * Reading records from `under` is done only by the reader (or by the
 * handshake, which runs alone); sending records may be needed by either,
 * so it is serialised by `sending`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_impl.h"

static const struct keel_flow_ops tls_ops;

const uint16_t keel_tls__suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};
const size_t keel_tls__suites_count = sizeof keel_tls__suites / sizeof keel_tls__suites[0];

struct keel_tls_stats keel_tls__stats;
int keel_tls__last_error;

void keel_tls_config_default(struct keel_tls_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->session_cache = 256;
	cfg->handshake_timeout = 10 * KEEL_SEC;
	cfg->idle_timeout = 300 * KEEL_SEC;
	cfg->alpn[0] = "http/1.1";
	cfg->record_out = 8192;
	cfg->max_sessions = 256;
}

struct tls_conn *keel_tls__conn_new(struct keel_flow *under, size_t out_size)
{
	struct tls_conn *c = calloc(1, sizeof *c + TLS_BUF_IN + out_size);

	if (!c) {
		keel_close(under);
		return NULL;
	}
	c->flow.ops = &tls_ops;
	c->under = under;
	/* Records are whole when sent (each keel_writev and each handshake
	 * flight ends with a flush), so Nagle's algorithm only adds latency:
	 * a flight sent in two writes would wait for the peer's delayed ACK
	 * (40 ms a handshake on Linux). Flows without the option ignore it. */
	keel_flow_set(under, KEEL_FLOW_NODELAY, 1);
	keel_waitq_init(&c->send_wait);
	keel_tls__stats.sessions_live++;
	return c;
}

void keel_tls__engine_setup(struct tls_conn *c, const struct keel_tls_config *cfg, size_t out_size)
{
	br_ssl_engine_context *eng = c->eng;
	size_t nalpn = 0;

	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, keel_tls__suites, keel_tls__suites_count);
	/* SHA-1 stays for the signatures of clients that offer nothing else
	 * (the handshake's own hash and PRF are SHA-256/384). */
	br_ssl_engine_set_hash(eng, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(eng, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION | BR_OPT_ENFORCE_SERVER_PREFERENCES);
	br_ssl_engine_set_buffers_bidi(eng, c->buf, TLS_BUF_IN, c->buf + TLS_BUF_IN, out_size);
	while (nalpn < KEEL_TLS_ALPN_MAX && cfg->alpn[nalpn]) {
		c->alpn[nalpn] = cfg->alpn[nalpn];
		nalpn++;
	}
	if (nalpn)
		br_ssl_engine_set_protocol_names(eng, c->alpn, nalpn);
	c->idle_timeout = cfg->idle_timeout ? cfg->idle_timeout : 300 * KEEL_SEC;
}

static keel_time min_time(keel_time a, keel_time b)
{
	return a < b ? a : b;
}

/* Sends what records the engine has; KEEL_OK, or the transport's error. */
static int send_records(struct tls_conn *c, keel_time deadline)
{
	int rc = KEEL_OK;

	while (c->sending) {
		if (keel_wait(&c->send_wait, deadline) == KEEL_ETIMEDOUT)
			return KEEL_ETIMEDOUT;
		if (c->closing)
			return KEEL_ECLOSED;
	}
	c->sending = true;
	while (!c->closing && br_ssl_engine_current_state(c->eng) & BR_SSL_SENDREC) {
		size_t len;
		unsigned char *buf = br_ssl_engine_sendrec_buf(c->eng, &len);
		long n = keel_write(c->under, buf, len, deadline);

		if (n <= 0) {
			rc = n < 0 ? (int)n : KEEL_ECLOSED;
			break;
		}
		br_ssl_engine_sendrec_ack(c->eng, (size_t)n);
	}
	c->sending = false;
	keel_wake_one(&c->send_wait);
	return c->closing ? KEEL_ECLOSED : rc;
}

/* Reads record bytes from the transport into the engine. KEEL_OK; 0-length
 * read: the transport ended (c->transport_eof); or its error. */
static int recv_records(struct tls_conn *c, keel_time deadline)
{
	size_t len;
	unsigned char *buf;
	long n;

	if (c->closing)
		return KEEL_ECLOSED;
	buf = br_ssl_engine_recvrec_buf(c->eng, &len);
	n = keel_read(c->under, buf, len, deadline);
	if (c->closing)
		return KEEL_ECLOSED;

	if (n > 0) {
		br_ssl_engine_recvrec_ack(c->eng, (size_t)n);
		return KEEL_OK;
	}
	if (n == KEEL_ETIMEDOUT)
		return KEEL_ETIMEDOUT;
	c->transport_eof = true;
	c->transport_err = n < 0 ? (int)n : 0;
	return n < 0 ? (int)n : KEEL_ECLOSED;
}

/* The error a failed engine means for the caller. */
static int engine_error(struct tls_conn *c)
{
	int err = br_ssl_engine_last_error(c->eng);

	if (err == BR_ERR_OK)
		return KEEL_ECLOSED;
	if (err == BR_ERR_IO && c->transport_err)
		return c->transport_err;
	return KEEL_EIO;
}

static void conn_free(struct tls_conn *c)
{
	if (c->srv)
		c->srv->live--;
	if (c->cli)
		c->cli->live--;
	keel_tls__stats.sessions_live--;
	if (!c->closing)
		keel_close(c->under);
	free(c);
}

int keel_tls__handshake(struct tls_conn *c, keel_time deadline)
{
	keel_time hs_timeout =
	    c->srv ? c->srv->cfg.handshake_timeout : c->cli->cfg.handshake_timeout;
	keel_time end = min_time(deadline, keel_now() + (hs_timeout ? hs_timeout : 10 * KEEL_SEC));
	int rc = KEEL_OK;

	for (;;) {
		unsigned st = br_ssl_engine_current_state(c->eng);

		if (st & BR_SSL_CLOSED) {
			rc = engine_error(c);
			if (rc == KEEL_ECLOSED && c->transport_eof)
				rc = c->transport_err ? c->transport_err : KEEL_ECLOSED;
			break;
		}
		if (st & BR_SSL_SENDREC) {
			if ((rc = send_records(c, end)) != KEEL_OK)
				break;
			continue;
		}
		if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
			break;
		if (st & BR_SSL_RECVREC) {
			if ((rc = recv_records(c, end)) == KEEL_OK)
				continue;
			break;
		}
		rc = KEEL_EIO;
		break;
	}
	if (rc == KEEL_OK) {
		keel_tls__stats.handshakes++;
		return KEEL_OK;
	}
	keel_tls__last_error = br_ssl_engine_last_error(c->eng);
	keel_tls__stats.handshake_failures++;
	/* A failed engine may still hold an alert for the peer: send it
	 * without waiting. */
	if (br_ssl_engine_current_state(c->eng) & BR_SSL_SENDREC)
		send_records(c, 0);
	conn_free(c);
	return rc;
}

static long read_app(struct tls_conn *c, void *buf, size_t len, keel_time deadline)
{
	if (c->shut_rd)
		return KEEL_ECLOSED;
	if (len == 0)
		return 0;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(c->eng);
		int rc;

		if (c->closing)
			return KEEL_ECLOSED;
		if (st & BR_SSL_RECVAPP) {
			size_t avail;
			unsigned char *p = br_ssl_engine_recvapp_buf(c->eng, &avail);
			size_t n = avail < len ? avail : len;

			memcpy(buf, p, n);
			br_ssl_engine_recvapp_ack(c->eng, n);
			return (long)n;
		}
		if (c->transport_eof) {
			/* The transport ended without close_notify: a truncation
			 * that a protocol above with its own framing (HTTP)
			 * detects; reported as end of stream. */
			return c->transport_err ? c->transport_err : 0;
		}
		if (st & BR_SSL_CLOSED) {
			/* close_notify from the peer is a clean end of stream. */
			rc = engine_error(c);
			return rc == KEEL_ECLOSED ? 0 : rc;
		}
		if (st & BR_SSL_SENDREC) {
			if ((rc = send_records(c, deadline)) != KEEL_OK)
				return rc;
			continue;
		}
		if (st & BR_SSL_RECVREC) {
			keel_time end = min_time(deadline, keel_now() + c->idle_timeout);

			rc = recv_records(c, end);
			if (rc == KEEL_OK)
				continue;
			if (rc == KEEL_ETIMEDOUT)
				return rc;
			continue; /* transport_eof is set now */
		}
		/* Neither: the writer is mid-flight; let it finish. */
		keel_fiber_yield();
	}
}

static long write_app(struct tls_conn *c, const struct keel_iovec *iov, size_t iovcnt,
                      keel_time deadline)
{
	size_t done = 0;
	int rc = KEEL_OK;

	for (size_t i = 0; i < iovcnt && rc == KEEL_OK; i++) {
		const unsigned char *p = iov[i].base;
		size_t left = iov[i].len;

		while (left > 0 && !c->closing) {
			unsigned st = br_ssl_engine_current_state(c->eng);

			if (st & BR_SSL_CLOSED) {
				rc = engine_error(c);
				break;
			}
			if (c->transport_eof) {
				rc = c->transport_err ? c->transport_err : KEEL_ECLOSED;
				break;
			}
			if (st & BR_SSL_SENDAPP) {
				size_t room;
				unsigned char *dst = br_ssl_engine_sendapp_buf(c->eng, &room);
				size_t n = room < left ? room : left;

				memcpy(dst, p, n);
				br_ssl_engine_sendapp_ack(c->eng, n);
				p += n;
				left -= n;
				done += n;
				continue;
			}
			if (st & BR_SSL_SENDREC) {
				if ((rc = send_records(c, deadline)) != KEEL_OK)
					break;
				continue;
			}
			/* Only the reader can move the engine on (it wants
			 * records): there is no renegotiation, so this is a
			 * session that the peer is ending. */
			rc = KEEL_ECLOSED;
			break;
		}
	}
	if (rc == KEEL_OK) {
		br_ssl_engine_flush(c->eng, 0);
		rc = send_records(c, deadline);
	}
	if (rc != KEEL_OK && done == 0)
		return rc;
	return (long)done;
}

/*
 * keel_close() may come from one fiber while another is blocked in a read
 * or a write of this flow (keel/flow.h: it is woken with KEEL_ECLOSED).
 * So the session counts the fibers inside it; close closes the transport
 * (waking them) and the last one out frees the session.
 */
static void leave(struct tls_conn *c)
{
	if (--c->users == 0 && c->closing)
		conn_free(c);
}

static long tls_read(struct keel_flow *f, void *buf, size_t len, keel_time deadline)
{
	struct tls_conn *c = (struct tls_conn *)f;
	long rc;

	if (c->closing)
		return KEEL_ECLOSED;
	c->users++;
	rc = read_app(c, buf, len, deadline);
	if (c->closing)
		rc = KEEL_ECLOSED;
	leave(c);
	return rc;
}

static long tls_writev(struct keel_flow *f, const struct keel_iovec *iov, size_t iovcnt,
                       keel_time deadline)
{
	struct tls_conn *c = (struct tls_conn *)f;
	long rc;

	if (c->closing)
		return KEEL_ECLOSED;
	c->users++;
	rc = write_app(c, iov, iovcnt, deadline);
	if (c->closing && rc <= 0)
		rc = KEEL_ECLOSED;
	leave(c);
	return rc;
}

static int tls_shutdown(struct keel_flow *f, enum keel_shutdown how)
{
	struct tls_conn *c = (struct tls_conn *)f;

	if (how & KEEL_SHUT_RD)
		c->shut_rd = true;
	if (how & KEEL_SHUT_WR) {
		/* close_notify, sent with what the transport takes at once. */
		br_ssl_engine_close(c->eng);
		if (!c->sending)
			send_records(c, 0);
		keel_shutdown(c->under, KEEL_SHUT_WR);
	}
	return KEEL_OK;
}

static void tls_close(struct keel_flow *f)
{
	struct tls_conn *c = (struct tls_conn *)f;

	if (c->closing)
		return;
	if (!(br_ssl_engine_current_state(c->eng) & BR_SSL_CLOSED)) {
		br_ssl_engine_close(c->eng);
		if (!c->sending)
			send_records(c, 0);
	}
	c->closing = true;
	keel_wake_all(&c->send_wait);
	keel_close(c->under); /* wakes a fiber blocked in it */
	if (c->users == 0)
		conn_free(c);
}

static int tls_set(struct keel_flow *f, enum keel_flow_opt opt, int value)
{
	struct tls_conn *c = (struct tls_conn *)f;

	return keel_flow_set(c->under, opt, value);
}

static int tls_get(struct keel_flow *f, enum keel_flow_opt opt, int *value)
{
	struct tls_conn *c = (struct tls_conn *)f;

	return keel_flow_get(c->under, opt, value);
}

static void tls_describe(struct keel_flow *f, char *buf, size_t len)
{
	struct tls_conn *c = (struct tls_conn *)f;
	char inner[96] = "?";

	if (c->under->ops->describe)
		c->under->ops->describe(c->under, inner, sizeof inner);
	snprintf(buf, len, "tls %s", inner);
}

static const struct keel_flow_ops tls_ops = {
	.read = tls_read,
	.writev = tls_writev,
	.shutdown = tls_shutdown,
	.close = tls_close,
	.set = tls_set,
	.get = tls_get,
	.describe = tls_describe,
};

bool keel_tls__is_tls(struct keel_flow *f)
{
	return f && f->ops == &tls_ops;
}

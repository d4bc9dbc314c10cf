/*
 * keel/tls.h — TLS as a flow over a flow.
 *
 * A TLS session wraps another flow (a TCP connection of either stack) and is
 * itself a `struct keel_flow` (keel/flow.h), so whatever runs over TCP — the
 * HTTP server, an application — runs over TLS unchanged:
 *
 *     struct keel_tls_server *tls;
 *     keel_tls_server_new(NULL, &tls);
 *     keel_tls_server_add_cert(tls, NULL, cert_pem, strlen(cert_pem),
 *                              key_pem, strlen(key_pem));
 *     ...
 *     keel_tcp_accept(listener, &tcp, &peer, KEEL_FOREVER);
 *     if (keel_tls_accept(tls, tcp, KEEL_FOREVER, &flow) == KEEL_OK)
 *             keel_http_serve_flow(http, flow);
 *
 * What is spoken (lib/tls, on BearSSL): TLS 1.2 only; ECDHE key exchange
 * with AEAD record protection only (AES-128/256-GCM, ChaCha20-Poly1305),
 * so every session has forward secrecy; ECDSA (P-256, P-384, P-521) and RSA
 * certificates; SNI choosing among several certificates; ALPN; session
 * resumption by session ID from a bounded cache; no renegotiation (refused);
 * close_notify sent on close. Older versions, CBC suites and RSA key
 * exchange are refused with a handshake_failure / protocol_version alert.
 *
 * Entropy: every session's random generator is seeded from kp_random()
 * through an HMAC-DRBG. When the platform has no entropy source, nothing
 * TLS starts: the calls below fail with KEEL_EIO and log why.
 *
 * Memory: a session holds about 30 KiB (BearSSL's context and a record
 * buffer of 16 KiB in, 8 KiB out) from the heap, freed by keel_close().
 * Certificates, keys and trust anchors are decoded once into the server or
 * client object.
 *
 * Errors are negative `enum keel_err` values; a TLS failure (a bad
 * handshake, a bad record, an alert from the peer) is KEEL_EIO, and
 * keel_tls_last_error() tells BearSSL's reason.
 */
#ifndef KEEL_TLS_H
#define KEEL_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/core.h>
#include <keel/err.h>
#include <keel/flow.h>

/* Largest server name (SNI) kept, NUL included. */
#define KEEL_TLS_NAME_MAX 256
/* Protocol names (ALPN) per server or client. */
#define KEEL_TLS_ALPN_MAX 4
/* Certificates per server (one per name set, chosen by SNI). */
#define KEEL_TLS_CERTS_MAX 8

/* Every field's 0 (or NULL) means the default given beside it. */
struct keel_tls_config {
	/* Sessions remembered for resumption (server: in a cache of about 100
	 * bytes each, least recently used evicted; client: unused). 256. */
	uint32_t session_cache;
	/* From the start of keel_tls_accept/connect to the end of the
	 * handshake, also bounded by the call's own deadline. 10 s. */
	keel_time handshake_timeout;
	/* Longest wait for the next record from the peer while a read is
	 * blocked, also bounded by the read's own deadline; past it the read
	 * returns KEEL_ETIMEDOUT. 300 s. */
	keel_time idle_timeout;
	/* ALPN protocol names, in order of preference: {"http/1.1"} */
	const char *alpn[KEEL_TLS_ALPN_MAX];
	/* Server: live sessions (handshaking or not) at once; past it
	 * keel_tls_accept closes the connection and returns KEEL_ENOMEM. 256. */
	uint32_t max_sessions;
	/* Heap bytes of a session's output buffer (plaintext per record,
	 * 512..16384). 8192. */
	uint32_t record_out;
};

/* Fills *cfg with the defaults. */
void keel_tls_config_default(struct keel_tls_config *cfg);

/* ---- Server --------------------------------------------------------------- */

struct keel_tls_server;

/*
 * Creates a TLS server configuration (NULL: the defaults; copied).
 * KEEL_ENOMEM; KEEL_EIO when the platform has no entropy source (logged).
 * Does not block.
 */
int keel_tls_server_new(const struct keel_tls_config *cfg, struct keel_tls_server **out);

/*
 * Adds a certificate chain (PEM "CERTIFICATE" blocks, end entity first)
 * and its private key (PEM "PRIVATE KEY", "RSA PRIVATE KEY" or "EC
 * PRIVATE KEY"; RSA or EC). The bytes are decoded and copied; the caller
 * keeps its buffers. `names` is a comma-separated list of the server names
 * (SNI) this certificate answers, each either exact ("www.example.org")
 * or "*.example.org" (one label); NULL makes it the default, used when
 * the client sends no name or one no certificate lists. The first
 * certificate added is the default until one is added with names == NULL.
 * KEEL_EINVAL (no certificate or no RSA/EC key decoded; that the key
 * belongs to the certificate is not checked: a wrong pair fails every
 * handshake), KEEL_ENOMEM (heap, or KEEL_TLS_CERTS_MAX reached).
 * Does not block.
 */
int keel_tls_server_add_cert(struct keel_tls_server *s, const char *names, const char *cert_pem,
                             size_t cert_len, const char *key_pem, size_t key_len);

/*
 * Runs the server side of a handshake over `under` and, on success,
 * stores in *out a flow of application data. The TLS flow owns `under`
 * from this call on: on failure it is closed here, on success by
 * keel_close(*out). Returns KEEL_OK; KEEL_EIO (TLS failure: the peer got
 * an alert when one applied), KEEL_ETIMEDOUT (deadline or
 * handshake_timeout), KEEL_ECONNRESET / KEEL_ECLOSED (the transport
 * ended), KEEL_ENOMEM (the heap, or max_sessions live), KEEL_EINVAL (no
 * certificate added). May block.
 */
int keel_tls_accept(struct keel_tls_server *s, struct keel_flow *under, keel_time deadline,
                    struct keel_flow **out);

/* Frees a server with no live session. Does not block. */
void keel_tls_server_free(struct keel_tls_server *s);

/* ---- Client --------------------------------------------------------------- */

struct keel_tls_client;

/*
 * Creates a client that trusts the CA certificates (and self-signed end
 * entities) in `anchors_pem` (PEM "CERTIFICATE" blocks; the bytes are
 * decoded and copied). `cfg` as for the server (NULL: defaults).
 * KEEL_EINVAL (no certificate decoded), KEEL_ENOMEM, KEEL_EIO (no entropy).
 * Does not block.
 */
int keel_tls_client_new(const struct keel_tls_config *cfg, const char *anchors_pem,
                        size_t anchors_len, struct keel_tls_client **out);

/*
 * Runs the client side of a handshake over `under`, sending `server_name`
 * as SNI and checking the server's chain against the anchors, its validity
 * dates against kp_clock_wall(), and its names against `server_name`. The
 * TLS flow owns `under` as for keel_tls_accept(). Errors as for
 * keel_tls_accept(); an untrusted certificate is KEEL_EIO with
 * keel_tls_last_error() in BearSSL's X.509 range (32..63). May block.
 */
int keel_tls_connect(struct keel_tls_client *c, struct keel_flow *under, const char *server_name,
                     keel_time deadline, struct keel_flow **out);

/* Frees a client with no live session. Does not block. */
void keel_tls_client_free(struct keel_tls_client *c);

/* ---- Sessions ------------------------------------------------------------- */

/* What a finished handshake agreed on. */
struct keel_tls_info {
	unsigned version;                    /* 0x0303 for TLS 1.2 */
	uint16_t suite;                      /* IANA cipher suite number */
	const char *suite_name;              /* e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" (static) */
	char server_name[KEEL_TLS_NAME_MAX]; /* SNI ("" when none) */
	char alpn[32];                       /* negotiated protocol ("" when none) */
	bool resumed;                        /* server: the session was resumed from the cache */
};

/* Fills *out for a TLS flow. KEEL_EINVAL when `f` is not a TLS flow. */
int keel_tls_info(struct keel_flow *f, struct keel_tls_info *out);

/*
 * BearSSL's error code of the last failure of the TLS flow `f` (0: none;
 * see bearssl_ssl.h BR_ERR_*; 256 + n: the peer sent fatal alert n;
 * 512 + n: we sent alert n), or of the last keel_tls_accept/connect that
 * failed, in any fiber, when `f` is NULL.
 */
int keel_tls_last_error(struct keel_flow *f);

/* A short text for a code of keel_tls_last_error() (static). */
const char *keel_tls_strerror(int code);

/* Counters of all TLS sessions of the image, for /metrics and tests. */
struct keel_tls_stats {
	uint64_t handshakes; /* completed, full or resumed */
	uint64_t handshake_failures;
	uint64_t sessions_live;
	uint64_t no_entropy; /* refusals for want of entropy */
};
void keel_tls_stats(struct keel_tls_stats *out);

#endif

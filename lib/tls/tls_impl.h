/*
 * lib/tls private header: what the files of lib/tls share. BearSSL's
 * contexts never leave lib/tls; include/keel/tls.h shows none of them.
 */
#ifndef KEEL_TLS_IMPL_H
#define KEEL_TLS_IMPL_H

#include <bearssl.h>

#include <keel/core.h>
#include <keel/flow.h>
#include <keel/tls.h>

/* BearSSL's input buffer holds one whole record of the largest size a
 * peer may send (16 KiB of plaintext plus the record's overhead). */
#define TLS_BUF_IN BR_SSL_BUFSIZE_INPUT
/* Output overhead of one record beside its plaintext. */
#define TLS_OUT_OVERHEAD (BR_SSL_BUFSIZE_OUTPUT - 16384)

/* Cipher suites offered and accepted: ECDHE with an AEAD, nothing else. */
extern const uint16_t keel_tls__suites[];
extern const size_t keel_tls__suites_count;

/* One certificate of a server and the names it answers. */
struct tls_cert {
	char *names;                /* comma-separated; NULL: default */
	br_x509_certificate *chain; /* DER copies */
	size_t chain_len;
	int key_type;                 /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	unsigned issuer_key_type;     /* of the CA that signed the end entity */
	br_skey_decoder_context *key; /* holds the decoded private key */
};

struct keel_tls_server {
	struct keel_tls_config cfg;
	struct tls_cert certs[KEEL_TLS_CERTS_MAX];
	size_t ncerts;
	int default_cert; /* index, or -1 for the first */
	br_ssl_session_cache_lru cache;
	unsigned char *cache_mem;
	uint32_t live;
};

struct keel_tls_client {
	struct keel_tls_config cfg;
	br_x509_trust_anchor *anchors;
	size_t nanchors;
	uint32_t live;
};

/* The SNI-choosing server policy (a BearSSL policy "class" instance). */
struct tls_policy {
	const br_ssl_server_policy_class *vtable;
	struct tls_conn *conn;
};

/* One TLS session: a flow (first field) over `under`. */
struct tls_conn {
	struct keel_flow flow;
	struct keel_flow *under;
	br_ssl_engine_context *eng; /* &server.eng or &client.eng */
	union {
		br_ssl_server_context server;
		struct {
			br_ssl_client_context client;
			br_x509_minimal_context x509;
		} c;
	} u;
	struct tls_policy policy;
	struct keel_tls_server *srv;
	struct keel_tls_client *cli;
	keel_time idle_timeout;
	/* One fiber at a time moves records to `under` (a reader may have to
	 * send an alert while a writer sends data). */
	bool sending;
	struct keel_waitq send_wait;
	bool full_handshake; /* server: the policy chose a certificate */
	bool transport_eof;  /* `under` ended (or failed) */
	int transport_err;   /* its error, when it failed */
	bool shut_rd;
	bool closing;                        /* keel_close was called */
	unsigned users;                      /* fibers inside tls_read / tls_writev */
	const char *alpn[KEEL_TLS_ALPN_MAX]; /* BearSSL keeps a pointer to it */
	unsigned char buf[];                 /* TLS_BUF_IN + output, given to BearSSL */
};

/* Seeds the engine's random generator from the image's DRBG; false (and
 * logged once) when the platform has no entropy. */
bool keel_tls__seed(br_ssl_engine_context *eng);
/* Seeds the image's DRBG now (at configuration time); KEEL_EIO if it
 * cannot be. */
int keel_tls__entropy_init(void);

/* Decodes the PEM text; calls fn(arg, name, der, der_len) for each object.
 * Returns the number of objects, or KEEL_EINVAL / KEEL_ENOMEM. */
int keel_tls__pem_each(const char *pem, size_t len,
                       int (*fn)(void *arg, const char *name, const unsigned char *der,
                                 size_t der_len),
                       void *arg);

/* Applies what every session of either side uses: versions, suites,
 * algorithms, no renegotiation, buffers, ALPN. */
void keel_tls__engine_setup(struct tls_conn *c, const struct keel_tls_config *cfg, size_t out_size);

/* Allocates a session of `out_size` output bytes over `under`. */
struct tls_conn *keel_tls__conn_new(struct keel_flow *under, size_t out_size);
/* Runs the handshake to its end; KEEL_OK or an error (the session is
 * then freed and `under` closed). */
int keel_tls__handshake(struct tls_conn *c, keel_time deadline);

void keel_tls__cert_free(struct tls_cert *tc);
bool keel_tls__is_tls(struct keel_flow *f);

/* Counters and the last failure of accept/connect. */
extern struct keel_tls_stats keel_tls__stats;
extern int keel_tls__last_error;

#endif

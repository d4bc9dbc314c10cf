/*
 * The client side: trust anchors decoded from PEM at creation, and
 * keel_tls_connect(), which checks the server's chain with BearSSL's
 * X.509 "minimal" validator (chain to an anchor, validity dates from
 * kp_clock_wall, the server name against the certificate's names).
 */
#include <stdlib.h>
#include <string.h>

#include <keel/platform.h>

#include "tls_impl.h"

struct dn_buf {
	unsigned char *data;
	size_t len;
	bool failed;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct dn_buf *d = ctx;
	unsigned char *p;

	if (d->failed)
		return;
	if (!(p = realloc(d->data, d->len + len))) {
		d->failed = true;
		return;
	}
	memcpy(p + d->len, buf, len);
	d->data = p;
	d->len += len;
}

static unsigned char *dup_bytes(const void *src, size_t len)
{
	unsigned char *p = malloc(len ? len : 1);

	if (p)
		memcpy(p, src, len);
	return p;
}

/* Turns one certificate into a trust anchor: its subject DN and key. */
static int add_anchor(void *arg, const char *name, const unsigned char *der, size_t len)
{
	struct keel_tls_client *c = arg;
	br_x509_decoder_context dc;
	struct dn_buf dn = { 0 };
	br_x509_trust_anchor *ta, *grown;
	const br_x509_pkey *pk;

	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
		return KEEL_OK;
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.failed) {
		free(dn.data);
		return dn.failed ? KEEL_ENOMEM : KEEL_EINVAL;
	}
	grown = realloc(c->anchors, (c->nanchors + 1) * sizeof *grown);
	if (!grown) {
		free(dn.data);
		return KEEL_ENOMEM;
	}
	c->anchors = grown;
	ta = &c->anchors[c->nanchors];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn.data;
	ta->dn.len = dn.len;
	/* A CA anchors chains; a self-signed end entity is trusted as itself. */
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = dup_bytes(pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = dup_bytes(pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = dup_bytes(pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	c->nanchors++;
	return KEEL_OK;
}

void keel_tls_client_free(struct keel_tls_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nanchors; i++) {
		br_x509_trust_anchor *ta = &c->anchors[i];

		free(ta->dn.data);
		if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
			free(ta->pkey.key.rsa.n);
			free(ta->pkey.key.rsa.e);
		} else {
			free(ta->pkey.key.ec.q);
		}
	}
	free(c->anchors);
	free(c);
}

int keel_tls_client_new(const struct keel_tls_config *cfg, const char *anchors_pem,
                        size_t anchors_len, struct keel_tls_client **out)
{
	struct keel_tls_client *c;
	int rc;

	if ((rc = keel_tls__entropy_init()) != KEEL_OK)
		return rc;
	if (!(c = calloc(1, sizeof *c)))
		return KEEL_ENOMEM;
	if (cfg)
		c->cfg = *cfg;
	else
		keel_tls_config_default(&c->cfg);
	rc = keel_tls__pem_each(anchors_pem, anchors_len, add_anchor, c);
	if (rc >= 0 && c->nanchors == 0)
		rc = KEEL_EINVAL;
	if (rc < 0) {
		keel_tls_client_free(c);
		return rc;
	}
	*out = c;
	return KEEL_OK;
}

int keel_tls_connect(struct keel_tls_client *cl, struct keel_flow *under, const char *server_name,
                     keel_time deadline, struct keel_flow **out)
{
	size_t out_size = (cl->cfg.record_out ? cl->cfg.record_out : 8192) + TLS_OUT_OVERHEAD;
	struct tls_conn *c;
	br_ssl_client_context *cc;
	br_x509_minimal_context *xc;
	uint64_t now_s = kp_clock_wall() / 1000000000u;

	if (!(c = keel_tls__conn_new(under, out_size)))
		return KEEL_ENOMEM;
	c->cli = cl;
	cl->live++;
	cc = &c->u.c.client;
	xc = &c->u.c.x509;
	c->eng = &cc->eng;
	/* The "full" client profile sets up every algorithm; the engine setup
	 * then narrows versions and suites to ours. */
	br_ssl_client_init_full(cc, xc, cl->anchors, cl->nanchors);
	keel_tls__engine_setup(c, &cl->cfg, out_size);
	/* Days since 0000-01-01 (proleptic Gregorian), as BearSSL counts. */
	br_x509_minimal_set_time(xc, (uint32_t)(now_s / 86400 + 719528), (uint32_t)(now_s % 86400));
	if (!keel_tls__seed(c->eng) || !br_ssl_client_reset(cc, server_name, 0)) {
		keel_tls__last_error = br_ssl_engine_last_error(c->eng);
		keel_tls__stats.handshake_failures++;
		keel_close(&c->flow);
		return KEEL_EIO;
	}
	int rc = keel_tls__handshake(c, deadline);

	if (rc != KEEL_OK)
		return rc;
	*out = &c->flow;
	return KEEL_OK;
}

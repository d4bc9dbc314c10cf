/*
 * A server's certificates: the chain and private key of each, decoded
 * from PEM once, and the server names each answers (for SNI).
 */
#include <stdlib.h>
#include <string.h>

#include "tls_impl.h"

struct chain_acc {
	br_x509_certificate *chain;
	size_t len;
	size_t cap;
};

static int add_chain_cert(void *arg, const char *name, const unsigned char *der, size_t len)
{
	struct chain_acc *a = arg;
	unsigned char *copy;

	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
		return KEEL_OK;
	if (a->len == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		br_x509_certificate *p = realloc(a->chain, cap * sizeof *p);

		if (!p)
			return KEEL_ENOMEM;
		a->chain = p;
		a->cap = cap;
	}
	if (!(copy = malloc(len)))
		return KEEL_ENOMEM;
	memcpy(copy, der, len);
	a->chain[a->len].data = copy;
	a->chain[a->len].data_len = len;
	a->len++;
	return KEEL_OK;
}

static int add_key(void *arg, const char *name, const unsigned char *der, size_t len)
{
	br_skey_decoder_context *k = arg;

	if (strcmp(name, "PRIVATE KEY") != 0 && strcmp(name, "RSA PRIVATE KEY") != 0 &&
	    strcmp(name, "EC PRIVATE KEY") != 0)
		return KEEL_OK;
	if (br_skey_decoder_key_type(k) != 0)
		return KEEL_EINVAL; /* two keys */
	br_skey_decoder_init(k);
	br_skey_decoder_push(k, der, len);
	return br_skey_decoder_key_type(k) != 0 ? KEEL_OK : KEEL_EINVAL;
}

static void free_chain(br_x509_certificate *chain, size_t len)
{
	for (size_t i = 0; i < len; i++)
		free(chain[i].data);
	free(chain);
}

/* The type of key that signed the end-entity certificate (BearSSL needs it
 * for the static ECDH suites only, but checks that it decodes). */
static int issuer_key_type(const br_x509_certificate *ee, unsigned *out)
{
	br_x509_decoder_context dc;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, ee->data, ee->data_len);
	if (br_x509_decoder_last_error(&dc) != 0 || !br_x509_decoder_get_pkey(&dc))
		return KEEL_EINVAL;
	*out = (unsigned)br_x509_decoder_get_signer_key_type(&dc);
	return KEEL_OK;
}

int keel_tls_server_add_cert(struct keel_tls_server *s, const char *names, const char *cert_pem,
                             size_t cert_len, const char *key_pem, size_t key_len)
{
	struct chain_acc acc = { 0 };
	struct tls_cert *tc;
	br_skey_decoder_context *key;
	int rc;

	if (s->ncerts == KEEL_TLS_CERTS_MAX)
		return KEEL_ENOMEM;
	if (!(key = calloc(1, sizeof *key)))
		return KEEL_ENOMEM;
	rc = keel_tls__pem_each(cert_pem, cert_len, add_chain_cert, &acc);
	if (rc >= 0 && acc.len == 0)
		rc = KEEL_EINVAL;
	if (rc >= 0)
		rc = keel_tls__pem_each(key_pem, key_len, add_key, key);
	if (rc >= 0 && br_skey_decoder_key_type(key) == 0)
		rc = KEEL_EINVAL;
	tc = &s->certs[s->ncerts];
	if (rc >= 0)
		rc = issuer_key_type(&acc.chain[0], &tc->issuer_key_type);
	if (rc >= 0 && names && !(tc->names = strdup(names)))
		rc = KEEL_ENOMEM;
	if (rc < 0) {
		free_chain(acc.chain, acc.len);
		free(key);
		return rc;
	}
	tc->chain = acc.chain;
	tc->chain_len = acc.len;
	tc->key = key;
	tc->key_type = br_skey_decoder_key_type(key);
	if (!names)
		s->default_cert = (int)s->ncerts;
	s->ncerts++;
	return KEEL_OK;
}

void keel_tls__cert_free(struct tls_cert *tc)
{
	free_chain(tc->chain, tc->chain_len);
	free(tc->key);
	free(tc->names);
}

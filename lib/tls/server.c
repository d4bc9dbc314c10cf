/*
 * The server side: a configuration shared by many sessions (certificates,
 * the session cache), the policy that picks a certificate by SNI, and
 * keel_tls_accept().
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tls_impl.h"

/* Bytes of the session cache per remembered session (BearSSL's LRU uses
 * about 100 per entry). */
#define CACHE_ENTRY_BYTES 100

int keel_tls_server_new(const struct keel_tls_config *cfg, struct keel_tls_server **out)
{
	struct keel_tls_server *s;
	int rc;

	if ((rc = keel_tls__entropy_init()) != KEEL_OK)
		return rc;
	if (!(s = calloc(1, sizeof *s)))
		return KEEL_ENOMEM;
	if (cfg)
		s->cfg = *cfg;
	else
		keel_tls_config_default(&s->cfg);
	if (s->cfg.session_cache == 0)
		s->cfg.session_cache = 256;
	s->default_cert = -1;
	s->cache_mem = malloc((size_t)s->cfg.session_cache * CACHE_ENTRY_BYTES);
	if (!s->cache_mem) {
		free(s);
		return KEEL_ENOMEM;
	}
	br_ssl_session_cache_lru_init(&s->cache, s->cache_mem,
	                              (size_t)s->cfg.session_cache * CACHE_ENTRY_BYTES);
	*out = s;
	return KEEL_OK;
}

void keel_tls_server_free(struct keel_tls_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncerts; i++)
		keel_tls__cert_free(&s->certs[i]);
	free(s->cache_mem);
	free(s);
}

/* True when `name` (from SNI) matches `pattern`: equal ignoring case, or
 * pattern "*.rest" and name "label.rest" with one label in place of '*'. */
static bool name_matches(const char *pattern, size_t plen, const char *name)
{
	size_t nlen = strlen(name);

	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = strchr(name, '.');

		if (!dot || dot == name)
			return false;
		return strlen(dot) == plen - 1 && strncasecmp(dot, pattern + 1, plen - 1) == 0;
	}
	return nlen == plen && strncasecmp(name, pattern, plen) == 0;
}

static bool cert_answers(const struct tls_cert *tc, const char *name)
{
	const char *p = tc->names;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		if (len > 0 && name_matches(p, len, name))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static const struct tls_cert *pick_cert(const struct keel_tls_server *s, const char *name)
{
	if (name && *name) {
		for (size_t i = 0; i < s->ncerts; i++)
			if (cert_answers(&s->certs[i], name))
				return &s->certs[i];
	}
	return &s->certs[s->default_cert >= 0 ? s->default_cert : 0];
}

/*
 * The policy's choose(): picks the certificate for the client's SNI, then
 * installs BearSSL's single-certificate policy for it in the session's
 * context and lets that choose the suite and signature hash (it reads the
 * context's policy pointer afresh for the key exchange and the signature,
 * so those go to the installed policy).
 */
static int sni_choose(const br_ssl_server_policy_class **pctx, const br_ssl_server_context *cc,
                      br_ssl_server_choices *choices)
{
	struct tls_policy *pol = (struct tls_policy *)(void *)pctx;
	struct tls_conn *c = pol->conn;
	br_ssl_server_context *sc = &c->u.server;
	const struct tls_cert *tc;

	(void)cc;
	tc = pick_cert(c->srv, br_ssl_engine_get_server_name(&sc->eng));
	c->full_handshake = true;
	if (tc->key_type == BR_KEYTYPE_RSA) {
		br_ssl_server_set_single_rsa(
		    sc, tc->chain, tc->chain_len, br_skey_decoder_get_rsa(tc->key), BR_KEYTYPE_SIGN,
		    br_rsa_private_get_default(), br_rsa_pkcs1_sign_get_default());
	} else {
		br_ssl_server_set_single_ec(
		    sc, tc->chain, tc->chain_len, br_skey_decoder_get_ec(tc->key), BR_KEYTYPE_SIGN,
		    tc->issuer_key_type, br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
	}
	return (*sc->policy_vtable)->choose(sc->policy_vtable, sc, choices);
}

static uint32_t sni_do_keyx(const br_ssl_server_policy_class **pctx, unsigned char *data,
                            size_t *len)
{
	/* Never reached: sni_choose hands over before the key exchange. */
	(void)pctx;
	(void)data;
	(void)len;
	return 0;
}

static size_t sni_do_sign(const br_ssl_server_policy_class **pctx, unsigned algo_id,
                          unsigned char *data, size_t hv_len, size_t len)
{
	(void)pctx;
	(void)algo_id;
	(void)data;
	(void)hv_len;
	(void)len;
	return 0;
}

static const br_ssl_server_policy_class sni_policy = {
	sizeof(struct tls_policy),
	sni_choose,
	sni_do_keyx,
	sni_do_sign,
};

int keel_tls_accept(struct keel_tls_server *s, struct keel_flow *under, keel_time deadline,
                    struct keel_flow **out)
{
	size_t out_size = (s->cfg.record_out ? s->cfg.record_out : 8192) + TLS_OUT_OVERHEAD;
	struct tls_conn *c;
	br_ssl_server_context *sc;
	int rc;

	if (s->ncerts == 0) {
		keel_close(under);
		return KEEL_EINVAL;
	}
	if (s->live >= (s->cfg.max_sessions ? s->cfg.max_sessions : 256)) {
		keel_close(under);
		return KEEL_ENOMEM;
	}
	if (!(c = keel_tls__conn_new(under, out_size)))
		return KEEL_ENOMEM;
	c->srv = s;
	s->live++;
	sc = &c->u.server;
	c->eng = &sc->eng;
	br_ssl_server_zero(sc);
	keel_tls__engine_setup(c, &s->cfg, out_size);
	c->policy.vtable = &sni_policy;
	c->policy.conn = c;
	br_ssl_server_set_policy(sc, &c->policy.vtable);
	br_ssl_server_set_cache(sc, &s->cache.vtable);
	if (!keel_tls__seed(c->eng) || !br_ssl_server_reset(sc)) {
		keel_tls__last_error = br_ssl_engine_last_error(c->eng);
		keel_close(&c->flow);
		keel_tls__stats.handshake_failures++;
		return KEEL_EIO;
	}
	if ((rc = keel_tls__handshake(c, deadline)) != KEEL_OK)
		return rc;
	*out = &c->flow;
	return KEEL_OK;
}

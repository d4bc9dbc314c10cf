/* What a session agreed on, error texts, and the counters. */
#include <stdio.h>
#include <string.h>

#include "tls_impl.h"

static const struct {
	uint16_t id;
	const char *name;
} suite_names[] = {
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256" },
	{ BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256" },
	{ BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305" },
	{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384" },
	{ BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384" },
};

int keel_tls_info(struct keel_flow *f, struct keel_tls_info *out)
{
	struct tls_conn *c = (struct tls_conn *)f;
	br_ssl_session_parameters sp;
	const char *alpn;

	if (!keel_tls__is_tls(f))
		return KEEL_EINVAL;
	memset(out, 0, sizeof *out);
	br_ssl_engine_get_session_parameters(c->eng, &sp);
	out->version = br_ssl_engine_get_version(c->eng);
	out->suite = sp.cipher_suite;
	out->suite_name = "?";
	for (size_t i = 0; i < sizeof suite_names / sizeof suite_names[0]; i++)
		if (suite_names[i].id == sp.cipher_suite)
			out->suite_name = suite_names[i].name;
	snprintf(out->server_name, sizeof out->server_name, "%s",
	         br_ssl_engine_get_server_name(c->eng));
	alpn = br_ssl_engine_get_selected_protocol(c->eng);
	snprintf(out->alpn, sizeof out->alpn, "%s", alpn ? alpn : "");
	out->resumed = c->srv && !c->full_handshake;
	return KEEL_OK;
}

int keel_tls_last_error(struct keel_flow *f)
{
	if (!f)
		return keel_tls__last_error;
	if (!keel_tls__is_tls(f))
		return 0;
	return br_ssl_engine_last_error(((struct tls_conn *)f)->eng);
}

const char *keel_tls_strerror(int code)
{
	static const struct {
		int code;
		const char *text;
	} texts[] = {
		{ BR_ERR_OK, "no error" },
		{ BR_ERR_BAD_PARAM, "bad parameter" },
		{ BR_ERR_BAD_STATE, "bad state" },
		{ BR_ERR_UNSUPPORTED_VERSION, "unsupported protocol version" },
		{ BR_ERR_BAD_VERSION, "bad record version" },
		{ BR_ERR_BAD_LENGTH, "bad record length" },
		{ BR_ERR_TOO_LARGE, "record too large" },
		{ BR_ERR_BAD_MAC, "bad record MAC" },
		{ BR_ERR_NO_RANDOM, "no entropy" },
		{ BR_ERR_UNKNOWN_TYPE, "unknown record type" },
		{ BR_ERR_UNEXPECTED, "unexpected message" },
		{ BR_ERR_BAD_CCS, "bad ChangeCipherSpec" },
		{ BR_ERR_BAD_ALERT, "bad alert" },
		{ BR_ERR_BAD_HANDSHAKE, "bad handshake message" },
		{ BR_ERR_OVERSIZED_ID, "oversized session ID" },
		{ BR_ERR_BAD_CIPHER_SUITE, "no common cipher suite" },
		{ BR_ERR_BAD_COMPRESSION, "bad compression" },
		{ BR_ERR_BAD_FRAGLEN, "bad fragment length" },
		{ BR_ERR_BAD_SECRENEG, "bad secure renegotiation" },
		{ BR_ERR_EXTRA_EXTENSION, "unexpected extension" },
		{ BR_ERR_BAD_SNI, "bad server name" },
		{ BR_ERR_BAD_HELLO_DONE, "bad ServerHelloDone" },
		{ BR_ERR_LIMIT_EXCEEDED, "limit exceeded" },
		{ BR_ERR_BAD_FINISHED, "bad Finished" },
		{ BR_ERR_RESUME_MISMATCH, "resumption mismatch" },
		{ BR_ERR_INVALID_ALGORITHM, "invalid algorithm" },
		{ BR_ERR_BAD_SIGNATURE, "bad signature" },
		{ BR_ERR_WRONG_KEY_USAGE, "wrong key usage" },
		{ BR_ERR_NO_CLIENT_AUTH, "no client certificate" },
		{ BR_ERR_IO, "transport error or end" },
		{ BR_ERR_X509_EXPIRED, "certificate expired or not yet valid" },
		{ BR_ERR_X509_BAD_SERVER_NAME, "certificate does not name the server" },
		{ BR_ERR_X509_NOT_TRUSTED, "certificate not trusted" },
		{ BR_ERR_X509_TIME_UNKNOWN, "no time to check certificates" },
	};

	if (code >= BR_ERR_RECV_FATAL_ALERT && code < BR_ERR_RECV_FATAL_ALERT + 256)
		return "the peer sent a fatal alert";
	if (code >= BR_ERR_SEND_FATAL_ALERT && code < BR_ERR_SEND_FATAL_ALERT + 256)
		return "we sent a fatal alert";
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (texts[i].code == code)
			return texts[i].text;
	if (code >= 32 && code < 64)
		return "certificate rejected";
	return "TLS error";
}

void keel_tls_stats(struct keel_tls_stats *out)
{
	*out = keel_tls__stats;
}

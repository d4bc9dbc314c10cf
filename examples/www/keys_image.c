/*
 * keys_image.c — the certificate chain and key of examples/www, compiled
 * into the image from PEM files by keel.mk (WWW_CERT; by default a
 * development pair the build makes in build/cert/ with keel cert).
 */
#include <string.h>

#include <keel/err.h>

#include "www.h"

#include WWW_CERT_C /* defines www_pem[] */

static int keys(const char **pem, size_t *len)
{
	*pem = www_pem;
	*len = strlen(www_pem);
	return KEEL_OK;
}

static const struct www_tls tls_image = {
	.keys_from = "compiled into the image",
	.keys = keys,
	.listen = www_https_listen,
	.serve = www_https_serve,
	.metrics = www_https_metrics,
};

const struct www_tls *const www_tls = &tls_image;

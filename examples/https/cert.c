/*
 * The certificate chain and private key of examples/https, compiled in
 * from PEM files by keel.mk (HTTPS_CERT), and handed to lib/tls.
 */
#include <string.h>

#include <keel/tls.h>

#include "https.h"

#include HTTPS_CERT_C

int https_add_cert(struct keel_tls_server *tls)
{
	return keel_tls_server_add_cert(tls, NULL, https_cert_pem, strlen(https_cert_pem),
	                                https_key_pem, strlen(https_key_pem));
}

/* examples/https: what main.c needs from cert.c. */
#ifndef HTTPS_H
#define HTTPS_H

struct keel_tls_server;

/* Adds the compiled-in certificate to `tls` (keel_tls_server_add_cert). */
int https_add_cert(struct keel_tls_server *tls);

#endif

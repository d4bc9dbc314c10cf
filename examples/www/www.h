/*
 * www.h — what differs between the builds of the www example: the direct
 * stack on a net device of the image's own (examples/www/direct.c) or the
 * host's sockets (examples/www-socket/socket.c); and HTTPS with the keys
 * compiled in (examples/www: https.c, keys_image.c), read from a block
 * device (examples/www-keys: https.c, keys_device.c) or no TLS at all
 * (notls.c). main.c is shared; each build links exactly one file that
 * defines www_stack and one that defines www_tls.
 */
#ifndef WWW_H
#define WWW_H

#include <stddef.h>
#include <stdint.h>

struct keel_net;
struct keel_http_server;
struct keel_listener;
struct keel_sockaddr;

struct www_stack {
	/* The net device keel_net_open attaches to (declared in the same
	 * file with KEEL_NET_DEVICE); the socket stack ignores it. */
	const char *device;
	/* The port served when --port is not given. */
	uint16_t port;
	/* The address listened on when --bind is not given: NULL for every
	 * address the stack has. */
	const char *bind;
};

extern const struct www_stack www_stack;

/* HTTPS, in a build that links lib/tls. */
struct www_tls {
	/* Where the keys come from, for messages ("compiled into the image"). */
	const char *keys_from;
	/*
	 * The certificate chain and its private key, PEM text in one buffer
	 * (the blocks of other types are ignored), owned by the callee and
	 * kept for the image's life. KEEL_OK; KEEL_ENOENT when this image has
	 * none configured (the site is then served over HTTP only); another
	 * negative keel_err after printing one line saying why. May block.
	 */
	int (*keys)(const char **pem, size_t *len);
	/*
	 * https.c: makes the TLS server with those keys and listens on `at`.
	 * KEEL_OK or a negative keel_err after printing why. Does not block.
	 */
	int (*listen)(struct keel_net *net, const struct keel_sockaddr *at, const char *pem,
	              size_t len, struct keel_listener **out);
	/* https.c: accepts on `l` until it is closed, each connection in a
	 * fiber of its own: the TLS handshake, then `site` over it. Blocks. */
	void (*serve)(struct keel_listener *l, struct keel_http_server *site);
	/* https.c: appends the TLS counters as "name value" lines to buf
	 * (whole lines only); returns the bytes written. */
	size_t (*metrics)(char *buf, size_t cap);
};

/* NULL in a build without TLS (notls.c). */
extern const struct www_tls *const www_tls;

/* https.c's functions, which the keys_*.c files put in their www_tls. */
int www_https_listen(struct keel_net *net, const struct keel_sockaddr *at, const char *pem,
                     size_t len, struct keel_listener **out);
void www_https_serve(struct keel_listener *l, struct keel_http_server *site);
size_t www_https_metrics(char *buf, size_t cap);

#endif

/*
 * fetch.h — what the parts of examples/fetch share: the URL, and the HTTP
 * response reader.
 */
#ifndef FETCH_FETCH_H
#define FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/flow.h>

#include "sha256.h"

#define FETCH_HOST_MAX 253
#define FETCH_PATH_MAX 1024

/* http://HOST[:PORT]/PATH or https://..., taken apart. */
struct url {
	bool tls; /* https:// */
	char host[FETCH_HOST_MAX + 1];
	uint16_t port; /* 80 (https: 443) when the URL has none */
	bool port_given;
	char path[FETCH_PATH_MAX + 1]; /* "/" when the URL has none */
};

/* Parses `text`; 0, or -1 with a reason in *why. */
int url_parse(const char *text, struct url *u, const char **why);

/* What came back. */
struct response {
	int status;          /* from the status line, e.g. 200 */
	uint64_t body_bytes; /* after any chunked coding is removed */
	uint8_t sha256[SHA256_DIGEST_LEN];
};

/*
 * Reads a whole HTTP/1.1 response from `f` (the request was sent with
 * Connection: close): the status line and headers (at most 16 KiB), then
 * the body as Content-Length, chunked coding, or end of stream says,
 * hashing it on the way. Each read waits at most `read_timeout`. 0 on
 * success, or -1 with a reason in *why.
 */
int http_read_response(struct keel_flow *f, keel_time read_timeout, struct response *r,
                       const char **why);

/*
 * tls.c: a TLS session over `tcp` (which it owns from now on) checking
 * the server's certificate for `name` against the CAs compiled in; prints
 * the suite. 0 with the TLS flow in *out, or -1 with a reason in *why
 * (the transport is closed). May block until `deadline`.
 */
int fetch_tls(struct keel_flow *tcp, const char *name, keel_time deadline, struct keel_flow **out,
              const char **why);

#endif

/*
 * keel/http.h — an HTTP/1.1 server (RFC 9110, RFC 9112) over any flow
 * (implementation: lib/http).
 *
 * The server runs over a keel_flow, so the same code serves a TCP
 * connection of the direct stack, of the socket stack, or a TLS session.
 * An application builds a server, adds routes, and either hands it each
 * connection (keel_http_serve_flow, one fiber per connection) or lets it
 * accept on a listener (keel_http_serve):
 *
 *     static int hello(struct keel_http_request *req,
 *                      struct keel_http_response *resp, void *arg)
 *     {
 *             return keel_http_respond(resp, 200, "text/plain", "hi\n", 3);
 *     }
 *
 *     struct keel_http_server *s = keel_http_server_new(NULL);
 *     keel_http_route(s, "GET", "/hello", hello, NULL);
 *     keel_http_route(s, "GET", EVERY_PATH, keel_http_static, &site);
 *     keel_http_serve(s, listener);
 *
 * where EVERY_PATH stands for the pattern made of '/' and '*' (written
 * apart here only because the two make a comment opener in C).
 *
 * Every byte from the peer is treated as hostile: the request line, the
 * header section, bodies, chunk framing and trailers are validated and
 * bounded, and everything a peer can make the server hold (connections,
 * buffers, time) has a limit. A request that breaks the rules gets the
 * status RFC 9110 names (400, 408, 413, 414, 417, 431, 501, 505) and the
 * connection is closed.
 *
 * Connections persist (keep-alive) as RFC 9112 section 9.3 says, and
 * pipelined requests are answered in order. Every response carries Date
 * and "Server: keel".
 *
 * All calls that send or receive may block the calling fiber (they MUST
 * be made from a fiber); each such wait is bounded by the server's
 * timeouts.
 */
#ifndef KEEL_HTTP_H
#define KEEL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/core.h>
#include <keel/err.h>
#include <keel/flow.h>
#include <keel/kv.h>

/* ---- Bounds ------------------------------------------------------------------ */

/* Request line, CRLF included; longer: 414 (URI Too Long). */
#define KEEL_HTTP_LINE_MAX 8192
/* Header section (every field line and the final empty line); longer: 431. */
#define KEEL_HTTP_HEADERS_MAX 16384
/* Header fields per request; more: 431. */
#define KEEL_HTTP_FIELDS_MAX 100
/* Routes per server. */
#define KEEL_HTTP_ROUTES_MAX 64
/* Bytes of header lines an application may add to one response. */
#define KEEL_HTTP_RESPONSE_HEADERS_MAX 2048

/* ---- The server ---------------------------------------------------------------- */

struct keel_http_server;
struct keel_http_request;
struct keel_http_response;
struct keel_listener;

/* Every field's 0 means the default given beside it. */
struct keel_http_config {
	uint32_t max_conns;       /* live connections; past it: 503 and close. 64 */
	keel_time idle_timeout;   /* wait for the first byte of a request. 30 s */
	keel_time header_timeout; /* first byte to the end of its header section. 10 s */
	keel_time body_timeout;   /* wait for each piece of a request body. 30 s */
	keel_time write_timeout;  /* wait for the peer to take each response write. 30 s */
	uint64_t max_body;        /* request body bytes; past it: 413. 1 MiB */
	uint32_t max_requests;    /* per connection, then it is closed. unlimited */
	size_t fiber_stack;       /* stack of keel_http_serve's fibers. KEEL_FIBER_STACK_DEFAULT */
	/* The send buffer each connection asks its flow for (KEEL_FLOW_SNDBUF):
	 * how much of a response may be on its way at once. A large one lets
	 * large files go out at the path's speed; the direct stack's pool
	 * sharing still bounds what all connections hold together. 0: the
	 * stack's default. A flow that refuses the size keeps its own. */
	uint32_t send_buffer;
	/* true: one line per request through keel_log at KEEL_LOG_INFO:
	 *     http: PEER "METHOD PATH" STATUS BODY-BYTES MICROSECONDSus */
	bool access_log;
};

/* Fills *cfg with the defaults. */
void keel_http_config_default(struct keel_http_config *cfg);

/*
 * Creates a server with `cfg` (NULL: the defaults; the struct is copied).
 * Returns NULL when the heap is exhausted. Does not block.
 */
struct keel_http_server *keel_http_server_new(const struct keel_http_config *cfg);

/* Frees a server that has no live connection and no keel_http_serve
 * running. Does not block. */
void keel_http_server_free(struct keel_http_server *s);

/*
 * A handler answers one request. It MUST send a response (keel_http_respond
 * and friends) or return a negative error without having sent anything,
 * in which case the server answers for it: KEEL_ENOENT gives 404,
 * KEEL_ERANGE 413 (body too large), KEEL_EINVAL 400 (bad body framing),
 * KEEL_ETIMEDOUT 408, anything else 500. A streamed response the handler
 * left open is ended by the server. `req` and `resp` and every string got
 * from them are valid only until the handler returns. May block.
 */
typedef int (*keel_http_handler)(struct keel_http_request *req, struct keel_http_response *resp,
                                 void *arg);

/*
 * Routes requests with `method` ("GET", "POST"..., or "*" for every
 * method) whose path matches `pattern` to fn(req, resp, arg). A pattern
 * begins with '/'; ending in '*' it matches every path beginning with what
 * precedes the '*' (the rest is keel_http_wildcard()), otherwise it
 * matches exactly. Paths are compared as received (percent-encoded).
 * Exact patterns win over prefixes, longer prefixes over shorter; among
 * equal patterns the method decides. A route for GET also answers HEAD
 * (the server sends no body) unless a HEAD route exists. A path that
 * matches patterns but no method gets 405 with an Allow field; a method
 * no route accepts and that HTTP does not define gets 501 with
 * "Connection: close" and the connection is closed (its framing cannot be
 * trusted); no pattern: 404.
 * `method` and `pattern` MUST stay valid as long as the server (string
 * literals). Returns KEEL_OK, KEEL_EINVAL (bad pattern or method),
 * KEEL_EEXIST (same method and pattern), KEEL_ENOMEM (KEEL_HTTP_ROUTES_MAX).
 * Do not add routes while connections are served.
 */
int keel_http_route(struct keel_http_server *s, const char *method, const char *pattern,
                    keel_http_handler fn, void *arg);

/*
 * Serves requests on `flow` until the connection ends (the peer closes, a
 * timeout, an error, "Connection: close", max_requests), then closes the
 * flow: the server owns it from this call on. When max_conns connections
 * are already served, answers 503 and closes. Returns KEEL_OK, or
 * KEEL_ENOMEM (refused: the bound or the heap). MUST be called from a
 * fiber; blocks it for the whole connection.
 */
int keel_http_serve_flow(struct keel_http_server *s, struct keel_flow *flow);

/*
 * Accepts connections on `l` (keel/net.h; the network library linked in
 * provides it) and serves each in a fiber of its own, as
 * keel_http_serve_flow() does. Past max_conns, new connections get 503
 * and are closed without a fiber of their own (a few small fibers send
 * those refusals). Returns KEEL_OK when the listener is closed. Blocks.
 */
int keel_http_serve(struct keel_http_server *s, struct keel_listener *l);

/* Counters, for /metrics and tests. */
struct keel_http_stats {
	uint64_t conns_accepted; /* connections served */
	uint64_t conns_refused;  /* 503 past max_conns, or no memory */
	uint32_t conns_live;
	uint64_t requests;     /* requests whose header section was read */
	uint64_t responses[6]; /* by class: [1] 1xx ... [5] 5xx */
	uint64_t bad_requests; /* refused by the parser (4xx/5xx before routing) */
	uint64_t timeouts;     /* header, body or write deadlines that passed */
	uint64_t body_bytes_in, body_bytes_out;
};

void keel_http_stats(const struct keel_http_server *s, struct keel_http_stats *out);

/* ---- The request --------------------------------------------------------------- */

/* The method as received ("GET"). */
const char *keel_http_method(const struct keel_http_request *req);

/* The path as received, still percent-encoded, without the query: "/a%20b"
 * (for an absolute-form target, its path; "*" for "OPTIONS *"). */
const char *keel_http_path(const struct keel_http_request *req);

/* The query without its '?' ("a=1&b=2"); "" when there is none. */
const char *keel_http_query(const struct keel_http_request *req);

/* For a route ending in '*': the part of the path that matched it; "". */
const char *keel_http_wildcard(const struct keel_http_request *req);

/* The host the request names (target authority or Host field); "" if none. */
const char *keel_http_host(const struct keel_http_request *req);

/* 10 for HTTP/1.0, 11 for HTTP/1.1 (and later 1.x). */
int keel_http_version(const struct keel_http_request *req);

/* The value of the first header field named `name` (case-insensitive),
 * without surrounding whitespace; NULL when absent. */
const char *keel_http_header(const struct keel_http_request *req, const char *name);

/* Header fields in the order received: the i-th one's name and value.
 * KEEL_ENOENT when i >= the count. */
int keel_http_header_at(const struct keel_http_request *req, size_t i, const char **name,
                        const char **value);

/* Length of the request body: its Content-Length, 0 when it has none, -1
 * when it is chunked (length unknown until read). */
int64_t keel_http_body_length(const struct keel_http_request *req);

/*
 * Reads up to `len` bytes of the request body (chunked framing removed).
 * Returns the number read (> 0), 0 at its end, or a negative error:
 * KEEL_ERANGE (the body exceeds max_body), KEEL_EINVAL (bad chunked
 * framing), KEEL_ETIMEDOUT (body_timeout), or the flow's error. Before the
 * first byte, answers "Expect: 100-continue" with 100 Continue. May block.
 */
long keel_http_body_read(struct keel_http_request *req, void *buf, size_t len);

/* The flow of the connection (to describe the peer, or for TLS details). */
struct keel_flow *keel_http_flow(const struct keel_http_request *req);

/* ---- The response ---------------------------------------------------------------- */

/* keel_http_start()'s length for a body sent in chunks. */
#define KEEL_HTTP_CHUNKED (-1)

/*
 * Adds the header line "name: value" to the response not yet started.
 * The name must be a token, the value visible characters, spaces or tabs.
 * The server adds Date, Server, Content-Length, Transfer-Encoding and
 * Connection itself, and refuses them here (so that the head can never
 * disagree with the body). Returns KEEL_OK, KEEL_EINVAL (bad name or value),
 * KEEL_ENOMEM (over KEEL_HTTP_RESPONSE_HEADERS_MAX), KEEL_ECLOSED (the
 * response already started). Does not block.
 */
int keel_http_header_add(struct keel_http_response *resp, const char *name, const char *value);

/*
 * Sends the whole response: status, the added headers, Content-Type when
 * `content_type` is not NULL, Content-Length, and the `len` bytes at
 * `body`, in one write. The body is not copied: the flow takes its own
 * copy before this returns. No body is sent to HEAD, or for 204 and 304
 * (which carry no Content-Length either). Returns KEEL_OK, KEEL_EINVAL
 * (a status outside 200..999 — 1xx are the server's own — or a content
 * type with control bytes or over 256 bytes), KEEL_ECLOSED (a response
 * was already started), or the flow's error (the connection is then
 * closed after the handler). May block.
 */
int keel_http_respond(struct keel_http_response *resp, int status, const char *content_type,
                      const void *body, size_t len);

/* keel_http_respond() with a short text/plain body naming the status
 * ("404 Not Found\n"). May block. */
int keel_http_respond_status(struct keel_http_response *resp, int status);

/*
 * Starts a streamed response: sends the status and headers; the body
 * follows with keel_http_write(). `length` >= 0 is the exact body length
 * (Content-Length); KEEL_HTTP_CHUNKED sends it in chunks (to an HTTP/1.0
 * client: until the connection closes). Errors as keel_http_respond().
 * May block.
 */
int keel_http_start(struct keel_http_response *resp, int status, const char *content_type,
                    int64_t length);

/*
 * Sends `len` more bytes of a started body (one chunk when chunked; len 0
 * sends nothing). Returns KEEL_OK, KEEL_ERANGE (more than the declared
 * length), KEEL_ECLOSED (not started, or ended), or the flow's error.
 * May block.
 */
int keel_http_write(struct keel_http_response *resp, const void *data, size_t len);

/* keel_http_write() for a chunked response; starts it (status 200, no
 * content type) when not started. KEEL_EINVAL when started with a length.
 * May block. */
int keel_http_write_chunk(struct keel_http_response *resp, const void *data, size_t len);

/*
 * Ends a started response (chunked: the last chunk). A response with a
 * length that got fewer bytes cannot be repaired: the connection is then
 * closed after it (KEEL_EINVAL). Returns KEEL_OK or the flow's error.
 * May block.
 */
int keel_http_end(struct keel_http_response *resp);

/* ---- Static content ---------------------------------------------------------- */

/*
 * Answers `req` with the value of `key` in `kv`: 404 when absent;
 * otherwise Content-Type, ETag, Last-Modified, Accept-Ranges, and the
 * conditional requests and ranges of RFC 9110 (If-Match, If-Unmodified-Since
 * -> 412; If-None-Match, If-Modified-Since -> 304; a single "Range: bytes="
 * -> 206 with Content-Range, unsatisfiable -> 416, several ranges -> the
 * whole 200; If-Range). When the value has a gzip variant and the request
 * accepts gzip, the variant is sent with Content-Encoding: gzip; either
 * way such values carry "Vary: Accept-Encoding". Bytes in memory are sent
 * without copying. May block.
 */
int keel_http_respond_kv(struct keel_http_request *req, struct keel_http_response *resp,
                         struct keel_kv *kv, const char *key);

/* keel_http_static()'s argument. */
struct keel_http_static {
	struct keel_kv *kv;
	const char *index; /* the key served for a folder ("index.html"); NULL: none */
	/* The key of a page sent with status 404 for every path the store
	 * has nothing for ("404.html"); NULL, or a value not held in
	 * memory: a short text instead. */
	const char *not_found;
};

/*
 * A handler serving a store under a route ending in '*': the wildcard part
 * of the path is percent-decoded and becomes the key ("/" + "css/a.css").
 * Paths that decode to an invalid key (NUL, "..", "." or empty components)
 * get 404. A path ending in '/' (or empty) serves the folder's index; a
 * folder asked for without its '/' is redirected (301) to it. `arg` is a
 * struct keel_http_static; its not_found page answers every 404.
 */
int keel_http_static(struct keel_http_request *req, struct keel_http_response *resp, void *arg);

/* ---- Helpers ------------------------------------------------------------------- */

/* The reason phrase of a status ("Not Found"); "" when unknown. */
const char *keel_http_reason(int status);

/*
 * Writes `secs` (since the epoch) as an IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT", 29 bytes) into buf, NUL-terminated;
 * `len` must be at least 30. Returns 29, or KEEL_EINVAL (len too small or
 * a year past 9999).
 */
int keel_http_date_format(uint64_t secs, char *buf, size_t len);

/*
 * Parses an HTTP-date in any of the three forms of RFC 9110 section 5.6.7
 * (IMF-fixdate, RFC 850, asctime) from the `len` bytes at `text`. Returns
 * KEEL_OK and the seconds since the epoch in *secs, or KEEL_EINVAL.
 */
int keel_http_date_parse(const char *text, size_t len, uint64_t *secs);

/*
 * Percent-decodes the `len` bytes at `in` into `out` (NUL-terminated,
 * `size` bytes of room). Returns the decoded length, or KEEL_EINVAL (a bad
 * escape, or one decoding to NUL), KEEL_ERANGE (no room).
 */
long keel_http_percent_decode(const char *in, size_t len, char *out, size_t size);

#endif

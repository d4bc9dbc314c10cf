/*
 * lib/http/http_impl.h — what the files of lib/http share.
 *
 * Files, in the order a request meets them:
 *   parse.c       the request-line and header-section parser (pure,
 *                 incremental over one growing buffer)
 *   head.c        the meaning of a parsed head: target, Host, framing
 *                 (Content-Length, Transfer-Encoding), Connection, Expect
 *   chunked.c     the chunked body decoder (pure, incremental)
 *   conn.c        one connection: read, parse, dispatch, keep-alive,
 *                 timeouts, lingering close
 *   body.c        keel_http_body_read and draining unread bodies
 *   route.c       the route table and dispatch (404/405/501)
 *   response.c    the response writer (one writev per response)
 *   request.c     the request accessors
 *   server.c      server, config, counters, the connection bound
 *   serve.c       keel_http_serve: accept loop over keel/net.h
 *   static.c      keel_http_respond_kv, keel_http_static
 *   cond.c        conditional requests: ETag lists, If-* evaluation
 *   range.c       the Range field (pure)
 *   accept.c      Accept-Encoding: is gzip acceptable (pure)
 *   date.c        HTTP-date formatting and parsing (pure)
 *   percent.c     percent-decoding (pure)
 *   status.c      reason phrases
 *   log.c         the access log line
 *
 * The pure files use only <string.h> and these helpers, so the fuzzer and
 * unit tests link them alone.
 */
#ifndef KEEL_LIB_HTTP_IMPL_H
#define KEEL_LIB_HTTP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/http.h>

/* ---- Characters (RFC 9110 section 5.6) ------------------------------------------ */

static inline bool http_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool http_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The value of a hex digit, or -1. */
static inline int http_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* tchar: the characters of a token (field names, methods, codings). */
static inline bool http_is_tchar(unsigned char c)
{
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	default:
		return http_is_digit(c) || http_is_alpha(c);
	}
}

/* field-vchar: visible ASCII and obs-text. SP and HTAB are allowed
 * inside a value too, but not at its ends. */
static inline bool http_is_vchar(unsigned char c)
{
	return (c > 0x20 && c < 0x7f) || c >= 0x80;
}

/* The characters of a request target other than '%' (RFC 3986:
 * unreserved, sub-delims, ':', '@', '/', '?'). */
static inline bool http_is_target_char(unsigned char c)
{
	switch (c) {
	case '-':
	case '.':
	case '_':
	case '~': /* unreserved */
	case '!':
	case '$':
	case '&':
	case '\'':
	case '(':
	case ')': /* sub-delims */
	case '*':
	case '+':
	case ',':
	case ';':
	case '=':
	case ':':
	case '@':
	case '/':
	case '?':
		return true;
	default:
		return http_is_digit(c) || http_is_alpha(c);
	}
}

static inline unsigned char http_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* True when the `len` bytes at `a` equal the NUL-terminated `b`, ignoring
 * ASCII case. */
bool http_token_eq(const char *a, size_t len, const char *b);

/*
 * Walks a comma-separated list (RFC 9110 section 5.6.1): returns the next
 * non-empty element of `list[*pos..len)` with surrounding whitespace
 * removed (start in *elem, length as the result) and advances *pos past
 * it; 0 when none is left. Commas inside quoted strings do not split.
 */
size_t http_list_next(const char *list, size_t len, size_t *pos, const char **elem);

/* ---- The request parser (parse.c) ------------------------------------------------ */

/* One header field: offsets into the request buffer. */
struct http_field {
	uint16_t name_off, name_len;
	uint16_t value_off, value_len;
};

enum http_parse_result {
	HTTP_PARSE_MORE = 0,  /* the head is not complete: append bytes, call again */
	HTTP_PARSE_DONE = 1,  /* the head ends at head_len */
	HTTP_PARSE_ERROR = -1 /* refused: the response status is in `status` */
};

/* Empty lines tolerated before a request line (RFC 9112 section 2.2). */
#define HTTP_LEADING_LINES_MAX 4
/* Longest method; longer ones cannot be one we implement: 501. */
#define HTTP_METHOD_MAX 32
/* The largest head the parser can accept: offsets fit in 16 bits. */
#define HTTP_HEAD_MAX (HTTP_LEADING_LINES_MAX * 2 + KEEL_HTTP_LINE_MAX + KEEL_HTTP_HEADERS_MAX)
_Static_assert(HTTP_HEAD_MAX < 65536, "field offsets are 16 bits");

struct http_parser {
	uint8_t state;
	uint8_t sub;     /* position inside "HTTP/x.y" */
	uint8_t leading; /* empty lines before the request line */
	uint8_t major, minor;
	uint16_t status; /* after HTTP_PARSE_ERROR */
	uint32_t pos;    /* bytes of the buffer already scanned */
	uint32_t line_start, fields_start, field_start, value_start, value_end;
	/* Results. The method starts at line_start. */
	uint16_t method_len;
	uint16_t target_off, target_len;
	uint16_t nfields;
	uint32_t head_len;
	struct http_field fields[KEEL_HTTP_FIELDS_MAX];
};

void http_parser_init(struct http_parser *p);

/*
 * Scans the head of a request in buf[0..len). Call again with the same
 * buffer grown by appending (the bytes already given must not change)
 * until it returns HTTP_PARSE_DONE or HTTP_PARSE_ERROR; each byte is
 * examined once. Enforces the syntax of RFC 9112 sections 3 and 5 and the
 * bounds above. Pure.
 */
int http_parse(struct http_parser *p, const char *buf, size_t len);

/* ---- The meaning of a head (head.c) ----------------------------------------------- */

enum http_body_kind { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED };

struct http_head {
	uint8_t version; /* 10 or 11 */
	uint8_t body;    /* enum http_body_kind */
	bool keep_alive; /* the client allows the connection to persist */
	bool expect_continue;
	uint64_t content_length; /* when body == HTTP_BODY_LENGTH */
	/* Offsets into the buffer; path_len 0 means "/" (absolute-form
	 * without a path). */
	uint16_t path_off, path_len;
	uint16_t query_off, query_len;
	uint16_t host_off, host_len;
};

/*
 * Checks what RFC 9110 and 9112 require of a complete head `p` in `buf`
 * and fills *h. Returns 0, or the status to refuse it with (400, 417,
 * 501, 505). Pure.
 */
int http_head_check(const struct http_parser *p, const char *buf, struct http_head *h);

/* Index of the first field named `name` (case-insensitive) from `from`, or -1. */
int http_field_find(const struct http_parser *p, const char *buf, const char *name, int from);

/* ---- The chunked decoder (chunked.c) ---------------------------------------------- */

/* Longest chunk-size line (size and extensions). */
#define HTTP_CHUNK_LINE_MAX 1024
/* Bounds of the trailer section (fields are read and dropped). */
#define HTTP_TRAILER_MAX 4096
#define HTTP_TRAILER_FIELDS_MAX 32

enum http_chunk_result {
	HTTP_CHUNK_MORE,  /* every byte given was framing: give more */
	HTTP_CHUNK_DATA,  /* body bytes are at in + *used */
	HTTP_CHUNK_DONE,  /* the body and its trailers ended at in + *used */
	HTTP_CHUNK_ERROR, /* bad framing: respond with `status` */
};

struct http_chunked {
	uint8_t state;
	uint16_t status;
	uint16_t trailer_fields;
	uint32_t line_bytes;
	uint32_t trailer_bytes;
	uint64_t size;      /* the chunk size being read */
	uint64_t remaining; /* body bytes left in this chunk */
};

void http_chunked_init(struct http_chunked *c);

/*
 * Decodes framing from in[0..len): *used is set to the framing bytes it
 * consumed. On HTTP_CHUNK_DATA, *data_len (> 0) body bytes start at
 * in + *used; they are not consumed: the caller takes k <= *data_len of
 * them and calls http_chunked_consume(c, k). Pure.
 */
int http_chunked_step(struct http_chunked *c, const char *in, size_t len, size_t *used,
                      size_t *data_len);

void http_chunked_consume(struct http_chunked *c, size_t n);

/* ---- Ranges, validators, codings (range.c, cond.c, accept.c) ---------------------- */

enum http_range_result {
	HTTP_RANGE_NONE,          /* no usable range: send the whole representation */
	HTTP_RANGE_OK,            /* one satisfiable range [*first, *last] */
	HTTP_RANGE_UNSATISFIABLE, /* 416 */
};

/* Evaluates a Range field value against a representation of `size`
 * bytes. Several ranges give HTTP_RANGE_NONE. Pure. */
int http_range_parse(const char *v, size_t len, uint64_t size, uint64_t *first, uint64_t *last);

/*
 * True when the entity-tag list `list` (an If-Match or If-None-Match
 * value: "*" or tags) matches `etag` (a quoted tag, possibly "W/").
 * `weak`: weak comparison (If-None-Match); else strong (both strong and
 * equal). A malformed list matches nothing. Pure.
 */
bool http_etag_match(const char *list, size_t len, const char *etag, size_t etag_len, bool weak);

/* True when an Accept-Encoding value accepts gzip (q > 0 for gzip,
 * x-gzip, or "*" when gzip is not named). Pure. */
bool http_accepts_gzip(const char *v, size_t len);

/* ---- Dates (date.c) ---------------------------------------------------------------- */

/* "Date: <IMF-fixdate>\r\n" is 37 bytes. */
#define HTTP_DATE_LEN 29

/* ---- Server, connection, request, response ------------------------------------------ */

struct http_route {
	const char *method; /* "*" for every method */
	const char *pattern;
	size_t match_len; /* bytes compared: without the '*' */
	bool prefix;      /* pattern ends in '*' */
	keel_http_handler fn;
	void *arg;
};

struct keel_http_server {
	struct keel_http_config cfg;
	struct http_route routes[KEEL_HTTP_ROUTES_MAX];
	unsigned nroutes;
	struct keel_http_stats stats;
	uint32_t refusing;                 /* keel_http_serve's fibers sending 503 */
	uint64_t date_sec;                 /* the second date_line was written for */
	char date_line[HTTP_DATE_LEN + 9]; /* "Date: ...\r\n" */
	/* The Last-Modified value last formatted (static.c): a site's
	 * files mostly share one time, so it is formatted once. */
	uint64_t modified_mtime;
	char modified[HTTP_DATE_LEN + 1];
};

/* Largest read buffer of a connection; it starts smaller and grows only
 * while a head is read. The part after the head (at least
 * HTTP_BODY_ROOM bytes) stages body bytes. */
#define HTTP_BUF_INITIAL 4096
#define HTTP_BODY_ROOM 4096
#define HTTP_BUF_MAX (HTTP_HEAD_MAX + HTTP_BODY_ROOM + 64)

struct keel_http_request {
	struct http_conn *conn;
	const char *method, *path, *query, *host, *wildcard;
	uint8_t version;
	bool is_head; /* HEAD: the response has no body */
	/* The body. */
	uint8_t body_kind;        /* enum http_body_kind */
	bool body_done;           /* every byte of it (and its framing) was read */
	bool continue_sent;       /* 100 Continue went out (or was not needed) */
	int body_error;           /* sticky error once reading failed */
	uint64_t body_left;       /* HTTP_BODY_LENGTH: bytes not yet read */
	uint64_t body_read;       /* bytes handed to the application */
	size_t body_pos;          /* next unread staged byte in the buffer */
	keel_time drain_deadline; /* while dropping an unread body; 0: none */
	struct http_chunked chunked;
};

enum http_resp_state {
	HTTP_RESP_NEW,     /* nothing sent */
	HTTP_RESP_LENGTH,  /* head sent with Content-Length */
	HTTP_RESP_CHUNKED, /* head sent, body in chunks */
	HTTP_RESP_EOF,     /* head sent, body until close (HTTP/1.0) */
	HTTP_RESP_DONE,
};

/*
 * A response head is three pieces, written with the first body bytes in
 * one writev: `line` (status line, Date, Server), `hdr` (what the
 * application added) and `tail` (Content-Type, framing, Connection, the
 * empty line). keel_http_start() only builds them (head_pending), so that
 * the head and the first data leave together.
 */
#define HTTP_LINE_BUF 160
#define HTTP_TAIL_BUF 448
#define HTTP_CONTENT_TYPE_MAX 256

struct keel_http_response {
	struct http_conn *conn;
	uint8_t state;     /* enum http_resp_state */
	bool no_body;      /* HEAD, 204, 304: the head only */
	bool head_pending; /* built, not yet written */
	int status;
	uint64_t length; /* declared (HTTP_RESP_LENGTH) */
	uint64_t sent;   /* body bytes sent */
	size_t hdr_len, line_len, tail_len;
	char hdr[KEEL_HTTP_RESPONSE_HEADERS_MAX];
	char line[HTTP_LINE_BUF];
	char tail[HTTP_TAIL_BUF];
};

struct http_conn {
	struct keel_http_server *srv;
	struct keel_flow *flow;
	char *buf;
	size_t cap, len;   /* buf[0..len) holds bytes received */
	bool close;        /* end the connection after this exchange */
	bool broken;       /* the flow failed: close without more writes */
	keel_time started; /* when the request's first byte was there */
	char host[256];    /* an absolute-form target's host, copied */
	struct http_parser parser;
	struct http_head head;
	struct keel_http_request req;
	struct keel_http_response resp;
};

/* response.c */
/* keel_http_respond with a body of bytes that stay valid and unchanged for
 * the image's run (a compiled-in store's), sent by reference where the
 * flow can (keel_flow_write_static). */
int http_respond_static(struct keel_http_response *r, int status, const char *content_type,
                        const void *body, size_t len);

/* conn.c */
void http_conn_run(struct keel_http_server *s, struct keel_flow *flow);
/* A deadline `d` from now. */
keel_time http_deadline(keel_time d);
/* Writes all of iov on the connection within write_timeout; on failure
 * marks it broken. Returns KEEL_OK or the flow's error. */
int http_conn_writev(struct http_conn *c, const struct keel_iovec *iov, size_t n);
/* As http_conn_writev of the head pieces and then `len` bytes at `data`,
 * which stay valid and unchanged for the image's run
 * (keel_flow_write_static). */
int http_conn_write_static(struct http_conn *c, const struct keel_iovec *head, size_t nhead,
                           const void *data, size_t len);

/* body.c */
/* Sets up the request body after a head was checked. */
void http_body_begin(struct http_conn *c);
/* Reads and drops what the handler left of the body, within bounds;
 * false when the connection cannot be reused. Returns the offset where
 * the next request begins in *next. */
bool http_body_finish(struct http_conn *c, size_t *next);

/* route.c */
void http_dispatch(struct http_conn *c);

/* response.c */
void http_resp_init(struct keel_http_response *r, struct http_conn *c);
/* Sends a status with its small text body and, when `close`, closes the
 * connection after it. Used for the server's own answers. */
int http_respond_error(struct keel_http_response *r, int status, bool close);
/* What the server does after a handler returned `rc`. */
void http_resp_after_handler(struct keel_http_response *r, int rc);
/* "Date: ...\r\n" for now. */
const char *http_server_date(struct keel_http_server *s);
/* keel_http_header_add() for the server's own fields: `name` is one of
 * its constants, so only the value is checked. */
int http_header_put(struct keel_http_response *r, const char *name, size_t nlen, const char *value,
                    size_t vlen);

/* server.c */
void http_count_response(struct keel_http_server *s, int status);

/* log.c */
void http_log_request(struct http_conn *c, keel_time started);

/* The 503 a refused connection gets, then its close (server.c). */
void http_refuse(struct keel_http_server *s, struct keel_flow *flow);

#endif

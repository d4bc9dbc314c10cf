/*
 * One connection, from its first byte to its close.
 *
 * The connection owns one read buffer. A request's head is parsed in
 * place at its start; what follows the head stages body bytes; bytes past
 * the end of the body are the next request (pipelining) and are moved to
 * the front once the response is out. Requests are answered strictly one
 * after the other, so responses leave in order. Reads are never made
 * while the current request can go on without them, so a client that
 * pipelines a lot is held back by the transport's flow control, not by
 * our memory.
 *
 * The buffer starts small and grows only while a head is read, up to what
 * the largest head allowed plus HTTP_BODY_ROOM needs; it never moves
 * while a handler runs, so the strings of a request stay put.
 *
 * Time: the wait for a request's first byte is bounded by idle_timeout
 * (then the connection just closes); from that byte the whole head must
 * arrive within header_timeout (slowloris: then 408 and close).
 *
 * Closing after an error response is "lingering": our side is shut for
 * writing and what the peer still sends is read and dropped for a short,
 * bounded while, so that the peer reads the response before the close
 * (closing with unread data would reset the connection and could destroy
 * the response in flight).
 */
#include <stdlib.h>
#include <string.h>

#include "http_impl.h"

#define LINGER_TIME (2 * KEEL_SEC)
#define LINGER_BYTES (64 * 1024)

keel_time http_deadline(keel_time d)
{
	keel_time now = keel_now();

	return d >= KEEL_FOREVER - now ? KEEL_FOREVER : now + d;
}

/* What a write of `total` bytes that returned rc means for connection c. */
static int write_done(struct http_conn *c, long rc, size_t total, keel_time deadline)
{
	if (rc >= 0 && (size_t)rc == total)
		return KEEL_OK;
	/* Cut short: the stream is no longer in a state we can describe. */
	c->broken = true;
	c->close = true;
	/* A short count says only that something stopped the write: it was
	 * the deadline only if the deadline has passed (a peer's reset also
	 * cuts a write short, and is no timeout). */
	if (rc == KEEL_ETIMEDOUT || (rc >= 0 && keel_now() >= deadline)) {
		c->srv->stats.timeouts++;
		return KEEL_ETIMEDOUT;
	}
	return rc >= 0 ? KEEL_ECLOSED : (int)rc;
}

int http_conn_writev(struct http_conn *c, const struct keel_iovec *iov, size_t n)
{
	keel_time deadline = http_deadline(c->srv->cfg.write_timeout);
	size_t total = 0;

	if (c->broken)
		return KEEL_ECLOSED;
	for (size_t i = 0; i < n; i++)
		total += iov[i].len;
	return write_done(c, keel_writev(c->flow, iov, n, deadline), total, deadline);
}

int http_conn_write_static(struct http_conn *c, const struct keel_iovec *head, size_t nhead,
                           const void *data, size_t len)
{
	keel_time deadline = http_deadline(c->srv->cfg.write_timeout);
	size_t total = len;

	if (c->broken)
		return KEEL_ECLOSED;
	for (size_t i = 0; i < nhead; i++)
		total += head[i].len;
	return write_done(c, keel_flow_write_static(c->flow, head, nhead, data, len, deadline),
	                  total, deadline);
}

/* Reads what the flow has into the free end of the buffer. */
static long fill(struct http_conn *c, keel_time deadline)
{
	long n = keel_read(c->flow, c->buf + c->len, c->cap - c->len, deadline);

	if (n > 0)
		c->len += (size_t)n;
	return n;
}

/* Makes the buffer at least `want` bytes (never more than HTTP_BUF_MAX). */
static bool grow(struct http_conn *c, size_t want)
{
	size_t cap = c->cap;
	char *nb;

	if (want <= cap)
		return true;
	if (want > HTTP_BUF_MAX)
		return false;
	while (cap < want)
		cap *= 2;
	if (cap > HTTP_BUF_MAX)
		cap = HTTP_BUF_MAX;
	nb = realloc(c->buf, cap);
	if (!nb)
		return false;
	c->buf = nb;
	c->cap = cap;
	return true;
}

/* Shuts our side, drops what the peer still sends for a short while,
 * then closes. */
static void linger_close(struct keel_flow *f)
{
	char sink[512];
	keel_time deadline = http_deadline(LINGER_TIME);
	size_t dropped = 0;

	keel_shutdown(f, KEEL_SHUT_WR);
	while (dropped < LINGER_BYTES) {
		long n = keel_read(f, sink, sizeof(sink), deadline);

		if (n <= 0)
			break;
		dropped += (size_t)n;
	}
	keel_close(f);
}

/*
 * Waits for a whole head. Returns true with it parsed; false when the
 * connection is to end (after answering, if there is anything to say).
 */
static bool read_head(struct http_conn *c)
{
	struct keel_http_server *s = c->srv;
	keel_time deadline;

	http_parser_init(&c->parser);
	http_resp_init(&c->resp, c);
	memset(&c->req, 0, sizeof(c->req));
	c->req.conn = c;
	c->req.version = 11;
	if (c->len == 0 && fill(c, http_deadline(s->cfg.idle_timeout)) <= 0)
		return false; /* idle, closed or reset: nothing to answer */
	c->started = keel_now();
	deadline = c->started + s->cfg.header_timeout < c->started
	               ? KEEL_FOREVER
	               : c->started + s->cfg.header_timeout;
	for (;;) {
		int r = http_parse(&c->parser, c->buf, c->len);
		long n;

		if (r == HTTP_PARSE_DONE)
			return true;
		if (r == HTTP_PARSE_ERROR) {
			s->stats.requests++;
			s->stats.bad_requests++;
			http_respond_error(&c->resp, c->parser.status, true);
			http_log_request(c, c->started);
			return false;
		}
		if (c->len == c->cap &&
		    !grow(c, c->cap * 2 < HTTP_BUF_MAX ? c->cap * 2 : HTTP_BUF_MAX)) {
			/* Cannot happen within the parser's bounds, unless
			 * the heap is out: refuse this one. */
			http_respond_error(&c->resp, c->cap < HTTP_BUF_MAX ? 503 : 431, true);
			return false;
		}
		n = fill(c, deadline);
		if (n == KEEL_ETIMEDOUT) {
			s->stats.timeouts++;
			http_respond_error(&c->resp, 408, true);
			http_log_request(c, c->started);
			return false;
		}
		if (n <= 0)
			return false; /* closed in the middle of a head */
	}
}

/* NUL-terminates the pieces of the head in place (the bytes overwritten
 * are separators: SP, '?', ':', CR, or whitespace after a value). */
static void terminate_strings(struct http_conn *c)
{
	struct http_parser *p = &c->parser;
	struct http_head *h = &c->head;
	struct keel_http_request *req = &c->req;
	char *b = c->buf;

	b[p->line_start + p->method_len] = 0;
	req->method = b + p->line_start;
	for (int i = 0; i < p->nfields; i++) {
		b[p->fields[i].name_off + p->fields[i].name_len] = 0;
		b[p->fields[i].value_off + p->fields[i].value_len] = 0;
	}
	/* In absolute-form the host is followed by the path: copy it. */
	if (h->host_len && h->host_off >= p->target_off &&
	    h->host_off < p->target_off + p->target_len) {
		size_t n = h->host_len < sizeof(c->host) - 1 ? h->host_len : sizeof(c->host) - 1;

		memcpy(c->host, b + h->host_off, n);
		c->host[n] = 0;
		req->host = c->host;
	} else {
		req->host = h->host_len ? b + h->host_off : "";
	}
	if (h->query_off) { /* never 0 when present: the method comes first */
		b[h->query_off + h->query_len] = 0;
		req->query = b + h->query_off;
	} else {
		req->query = "";
	}
	if (h->path_len) {
		b[h->path_off + h->path_len] = 0;
		req->path = b + h->path_off;
	} else {
		req->path = "/";
	}
}

/* Answers one request whose head is parsed. */
static void handle(struct http_conn *c, unsigned served)
{
	struct keel_http_server *s = c->srv;
	struct keel_http_request *req = &c->req;
	size_t next;
	int status;

	s->stats.requests++;
	status = http_head_check(&c->parser, c->buf, &c->head);
	req->version = c->head.version ? c->head.version : 11;
	if (status) {
		s->stats.bad_requests++;
		http_respond_error(&c->resp, status, true);
		http_log_request(c, c->started);
		return;
	}
	/* Room to stage body bytes after the head. */
	if (c->cap - c->parser.head_len < HTTP_BODY_ROOM &&
	    !grow(c, c->parser.head_len + HTTP_BODY_ROOM)) {
		http_respond_error(&c->resp, 503, true);
		return;
	}
	terminate_strings(c);
	req->is_head = strcmp(req->method, "HEAD") == 0;
	c->close =
	    !c->head.keep_alive || (s->cfg.max_requests && served + 1 >= s->cfg.max_requests);
	http_body_begin(c);

	if (c->head.body == HTTP_BODY_LENGTH && c->head.content_length > s->cfg.max_body) {
		/* Not worth reading: refuse and close. */
		http_respond_error(&c->resp, 413, true);
	} else {
		http_dispatch(c);
	}
	if (!c->broken && !c->close && !http_body_finish(c, &next))
		c->close = true;
	http_log_request(c, c->started);
	if (!c->close && !c->broken) {
		memmove(c->buf, c->buf + next, c->len - next);
		c->len -= next;
	}
}

void http_conn_run(struct keel_http_server *s, struct keel_flow *flow)
{
	struct http_conn *c = calloc(1, sizeof(*c));
	unsigned served = 0;

	if (c)
		c->buf = malloc(HTTP_BUF_INITIAL);
	if (!c || !c->buf) {
		free(c);
		http_refuse(s, flow);
		return;
	}
	c->srv = s;
	c->flow = flow;
	c->cap = HTTP_BUF_INITIAL;
	if (s->cfg.send_buffer && s->cfg.send_buffer <= INT32_MAX)
		keel_flow_set(flow, KEEL_FLOW_SNDBUF, (int)s->cfg.send_buffer);
	for (;;) {
		if (!read_head(c))
			break;
		handle(c, served++);
		if (c->close || c->broken)
			break;
	}
	/* A connection closed after an answer lingers; one that went idle,
	 * was closed by the peer or broke just closes. */
	if (!c->broken && c->resp.state == HTTP_RESP_DONE && c->close)
		linger_close(flow);
	else
		keel_close(flow);
	free(c->buf);
	free(c);
}

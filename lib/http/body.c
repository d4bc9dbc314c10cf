/*
 * Request bodies: keel_http_body_read, and what happens to the part a
 * handler did not read.
 *
 * Content-Length bodies are taken first from the bytes already staged
 * after the head, then read straight into the caller's buffer, never
 * past their end (the bytes after belong to the next request). Chunked
 * bodies are read into the staging area and decoded there; data is
 * copied once, to the caller. The total is bounded by max_body (413).
 *
 * An unread rest is read and dropped when it is small and arrives within
 * one body_timeout (so the connection can serve the next request);
 * otherwise the connection is closed. A
 * client that sent "Expect: 100-continue" and never got its 100 has not
 * sent the body: the connection is closed rather than guessed at.
 */
#include <string.h>

#include "http_impl.h"

#define DRAIN_MAX (64 * 1024)

void http_body_begin(struct http_conn *c)
{
	struct keel_http_request *req = &c->req;

	req->body_kind = c->head.body;
	req->body_done = req->body_kind == HTTP_BODY_NONE ||
	                 (req->body_kind == HTTP_BODY_LENGTH && c->head.content_length == 0);
	req->continue_sent = !c->head.expect_continue || req->body_done;
	req->body_error = 0;
	req->body_left = c->head.content_length;
	req->body_read = 0;
	req->body_pos = c->parser.head_len;
	req->drain_deadline = 0;
	http_chunked_init(&req->chunked);
}

static long body_fail(struct http_conn *c, long err)
{
	c->req.body_error = (int)err;
	c->close = true;
	if (err == KEEL_ETIMEDOUT)
		c->srv->stats.timeouts++;
	return err;
}

/* A read for the body that must return something: 0 (end of stream in
 * the middle of a body) is an error too. */
static long body_fill(struct http_conn *c, char *dst, size_t len)
{
	keel_time deadline = http_deadline(c->srv->cfg.body_timeout);
	long n;

	if (c->req.drain_deadline && c->req.drain_deadline < deadline)
		deadline = c->req.drain_deadline;
	n = keel_read(c->flow, dst, len, deadline);

	if (n == 0)
		return body_fail(c, KEEL_ECLOSED);
	if (n < 0)
		return body_fail(c, n);
	return n;
}

static long read_length(struct http_conn *c, char *buf, size_t len)
{
	struct keel_http_request *req = &c->req;
	size_t staged = c->len - req->body_pos, n;

	if (len > req->body_left)
		len = (size_t)req->body_left;
	if (staged) {
		n = staged < len ? staged : len;
		memcpy(buf, c->buf + req->body_pos, n);
		req->body_pos += n;
	} else {
		long r = body_fill(c, buf, len);

		if (r < 0)
			return r;
		n = (size_t)r;
	}
	req->body_left -= n;
	if (req->body_left == 0)
		req->body_done = true;
	return (long)n;
}

static long read_chunked(struct http_conn *c, char *buf, size_t len)
{
	struct keel_http_request *req = &c->req;

	for (;;) {
		size_t used, avail;
		int r;

		if (req->body_pos == c->len) {
			long n;

			/* Everything staged is consumed: stage afresh. */
			c->len = req->body_pos = c->parser.head_len;
			n = body_fill(c, c->buf + c->len, c->cap - c->len);
			if (n < 0)
				return n;
			c->len += (size_t)n;
		}
		r = http_chunked_step(&req->chunked, c->buf + req->body_pos, c->len - req->body_pos,
		                      &used, &avail);
		req->body_pos += used;
		switch (r) {
		case HTTP_CHUNK_DATA:
			if (avail > len)
				avail = len;
			if (req->body_read + avail > c->srv->cfg.max_body)
				return body_fail(c, KEEL_ERANGE);
			memcpy(buf, c->buf + req->body_pos, avail);
			http_chunked_consume(&req->chunked, avail);
			req->body_pos += avail;
			return (long)avail;
		case HTTP_CHUNK_DONE:
			req->body_done = true;
			return 0;
		case HTTP_CHUNK_ERROR:
			return body_fail(c, KEEL_EINVAL);
		default:
			break; /* all framing: read more */
		}
	}
}

long keel_http_body_read(struct keel_http_request *req, void *buf, size_t len)
{
	struct http_conn *c = req->conn;
	long n;

	if (req->body_error)
		return req->body_error;
	if (req->body_done || len == 0)
		return 0;
	if (!req->continue_sent) {
		static const struct keel_iovec cont = { "HTTP/1.1 100 Continue\r\n\r\n", 25 };

		req->continue_sent = true;
		/* Needless once the client started sending anyway, and
		 * wrong after a final response. */
		if (req->body_pos == c->len && c->resp.state == HTTP_RESP_NEW &&
		    http_conn_writev(c, &cont, 1) != KEEL_OK)
			return body_fail(c, KEEL_ECLOSED);
	}
	if (req->body_kind == HTTP_BODY_LENGTH)
		n = read_length(c, buf, len);
	else
		n = read_chunked(c, buf, len);
	if (n > 0) {
		req->body_read += (uint64_t)n;
		c->srv->stats.body_bytes_in += (uint64_t)n;
	}
	return n;
}

bool http_body_finish(struct http_conn *c, size_t *next)
{
	struct keel_http_request *req = &c->req;
	uint64_t dropped = 0;

	if (req->body_error)
		return false;
	if (!req->body_done) {
		char sink[1024];

		if (!req->continue_sent)
			return false;
		if (req->body_kind == HTTP_BODY_LENGTH && req->body_left > DRAIN_MAX)
			return false;
		/* The whole rest within one body_timeout, however it trickles. */
		req->drain_deadline = http_deadline(c->srv->cfg.body_timeout);
		while (!req->body_done) {
			long n = keel_http_body_read(req, sink, sizeof(sink));

			if (n < 0)
				return false;
			dropped += (uint64_t)n;
			if (dropped > DRAIN_MAX)
				return false;
		}
	}
	*next = req->body_pos;
	return true;
}

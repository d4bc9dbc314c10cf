/*
 * The response writer.
 *
 * A whole response (keel_http_respond) is one writev: head pieces and the
 * caller's body, which is never copied. A streamed one (keel_http_start,
 * keel_http_write) holds its head back until the first body bytes or the
 * end, so that small responses still leave in one write. The framing
 * headers (Content-Length, Transfer-Encoding, Connection) are the
 * server's alone: the application cannot add them, so it cannot make the
 * head disagree with the body.
 */
#include <stdio.h>
#include <string.h>

#include <keel/platform.h>

#include "http_impl.h"

void http_resp_init(struct keel_http_response *r, struct http_conn *c)
{
	r->conn = c;
	r->state = HTTP_RESP_NEW;
	r->no_body = false;
	r->head_pending = false;
	r->status = 0;
	r->length = 0;
	r->sent = 0;
	r->hdr_len = 0;
	r->line_len = 0;
	r->tail_len = 0;
}

const char *http_server_date(struct keel_http_server *s)
{
	uint64_t sec = kp_clock_wall() / 1000000000u;

	if (sec != s->date_sec || s->date_line[0] == 0) {
		memcpy(s->date_line, "Date: ", 6);
		if (keel_http_date_format(sec, s->date_line + 6, HTTP_DATE_LEN + 1) < 0)
			keel_http_date_format(0, s->date_line + 6, HTTP_DATE_LEN + 1);
		memcpy(s->date_line + 6 + HTTP_DATE_LEN, "\r\n", 3);
		s->date_sec = sec;
	}
	return s->date_line;
}

/* Field values we send: visible characters, SP, HTAB; nothing else.
 * (Below 0x20 only HTAB, and 0x7f (DEL): what http_is_vchar, SP and HTAB
 * allow, in one test per byte.) */
static bool value_ok(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 ? c != '\t' : c == 0x7f)
			return false;
	}
	return true;
}

int http_header_put(struct keel_http_response *r, const char *name, size_t nlen, const char *value,
                    size_t vlen)
{
	if (r->state != HTTP_RESP_NEW)
		return KEEL_ECLOSED;
	if (!value_ok(value, vlen))
		return KEEL_EINVAL;
	if (nlen + vlen + 4 > sizeof(r->hdr) - r->hdr_len)
		return KEEL_ENOMEM;
	memcpy(r->hdr + r->hdr_len, name, nlen);
	r->hdr_len += nlen;
	memcpy(r->hdr + r->hdr_len, ": ", 2);
	r->hdr_len += 2;
	memcpy(r->hdr + r->hdr_len, value, vlen);
	r->hdr_len += vlen;
	memcpy(r->hdr + r->hdr_len, "\r\n", 2);
	r->hdr_len += 2;
	return KEEL_OK;
}

int keel_http_header_add(struct keel_http_response *r, const char *name, const char *value)
{
	static const char *const reserved[] = { "content-length", "transfer-encoding", "connection",
		                                "date", "server" };
	size_t nlen = strlen(name);

	if (r->state != HTTP_RESP_NEW)
		return KEEL_ECLOSED;
	if (nlen == 0)
		return KEEL_EINVAL;
	for (size_t i = 0; i < nlen; i++)
		if (!http_is_tchar((unsigned char)name[i]))
			return KEEL_EINVAL;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (http_token_eq(name, nlen, reserved[i]))
			return KEEL_EINVAL;
	return http_header_put(r, name, nlen, value, strlen(value));
}

/*
 * Appending to a head buffer. The buffers are sized for the longest head
 * build_head writes (a 256-byte content type, a 20-digit length), so
 * nothing is ever cut; the bound is kept all the same.
 */
struct head_out {
	char *buf;
	size_t cap, len;
};

static void put(struct head_out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len)
		n = o->cap - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_decimal(struct head_out *o, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, digits + i, sizeof(digits) - i);
}

/*
 * Builds the head for `status`: `length` >= 0 is a Content-Length,
 * KEEL_HTTP_CHUNKED a streamed body. Sets the state it leads to.
 */
static int build_head(struct keel_http_response *r, int status, const char *content_type,
                      int64_t length)
{
	struct http_conn *c = r->conn;
	size_t ctlen = content_type ? strlen(content_type) : 0;
	const char *reason, *date;
	struct head_out o;

	if (r->state != HTTP_RESP_NEW || c->broken)
		return KEEL_ECLOSED;
	if (status < 200 || status > 999 || length < KEEL_HTTP_CHUNKED)
		return KEEL_EINVAL;
	if (ctlen > HTTP_CONTENT_TYPE_MAX || !value_ok(content_type ? content_type : "", ctlen))
		return KEEL_EINVAL;

	r->status = status;
	r->no_body = c->req.is_head || status == 204 || status == 304;
	/* Formatted by hand: this runs for every response, and snprintf
	 * cost more than all the rest of the head. */
	reason = keel_http_reason(status);
	date = http_server_date(c->srv);
	o = (struct head_out){ r->line, sizeof(r->line), 0 };
	PUT_LIT(&o, "HTTP/1.1 ");
	put_decimal(&o, (uint64_t)status);
	PUT_LIT(&o, " ");
	put(&o, reason, strlen(reason));
	PUT_LIT(&o, "\r\n");
	put(&o, date, strlen(date));
	PUT_LIT(&o, "Server: keel\r\n");
	r->line_len = o.len;

	o = (struct head_out){ r->tail, sizeof(r->tail), 0 };
	if (ctlen) {
		PUT_LIT(&o, "Content-Type: ");
		put(&o, content_type, ctlen);
		PUT_LIT(&o, "\r\n");
	}
	if (length >= 0) {
		r->state = HTTP_RESP_LENGTH;
		r->length = (uint64_t)length;
		if (status != 204 && status != 304) {
			PUT_LIT(&o, "Content-Length: ");
			put_decimal(&o, (uint64_t)length);
			PUT_LIT(&o, "\r\n");
		}
	} else if (c->req.version >= 11) {
		r->state = HTTP_RESP_CHUNKED;
		if (status != 204 && status != 304)
			PUT_LIT(&o, "Transfer-Encoding: chunked\r\n");
	} else {
		/* HTTP/1.0 has no chunks: the body ends where the connection
		 * does. */
		r->state = HTTP_RESP_EOF;
		if (!r->no_body)
			c->close = true;
	}
	if (c->close)
		PUT_LIT(&o, "Connection: close\r\n");
	else if (c->req.version == 10)
		PUT_LIT(&o, "Connection: keep-alive\r\n");
	PUT_LIT(&o, "\r\n");
	r->tail_len = o.len;
	r->head_pending = true;
	http_count_response(c->srv, status);
	return KEEL_OK;
}

/* The pending head's pieces (at most 3) into iov; how many. */
static size_t head_pieces(struct keel_http_response *r, struct keel_iovec *iov)
{
	size_t n = 0;

	if (r->head_pending) {
		iov[n++] = (struct keel_iovec){ r->line, r->line_len };
		if (r->hdr_len)
			iov[n++] = (struct keel_iovec){ r->hdr, r->hdr_len };
		iov[n++] = (struct keel_iovec){ r->tail, r->tail_len };
		r->head_pending = false;
	}
	return n;
}

/* Writes the pending head (if any) and then body pieces, in one writev. */
static int send_pieces(struct keel_http_response *r, const struct keel_iovec *body, size_t nbody)
{
	struct keel_iovec iov[8];
	size_t n = head_pieces(r, iov);

	for (size_t i = 0; i < nbody && n < 8; i++)
		if (body[i].len)
			iov[n++] = body[i];
	if (n == 0)
		return KEEL_OK;
	return http_conn_writev(r->conn, iov, n);
}

/* A whole response with `body`; by_ref: the body is sent by reference
 * (http_conn_write_static), the head still copied. */
static int respond(struct keel_http_response *r, int status, const char *content_type,
                   const void *body, size_t len, bool by_ref)
{
	struct keel_iovec iov[3];
	int err;

	if (status == 204 || status == 304)
		len = 0;
	err = build_head(r, status, content_type, (int64_t)len);
	if (err)
		return err;
	r->state = HTTP_RESP_DONE;
	if (r->no_body)
		return send_pieces(r, NULL, 0);
	if (by_ref && len > 0)
		err = http_conn_write_static(r->conn, iov, head_pieces(r, iov), body, len);
	else
		err = send_pieces(r, &(struct keel_iovec){ body, len }, 1);
	if (err == KEEL_OK) {
		r->sent = len;
		r->conn->srv->stats.body_bytes_out += len;
	}
	return err;
}

int keel_http_respond(struct keel_http_response *r, int status, const char *content_type,
                      const void *body, size_t len)
{
	return respond(r, status, content_type, body, len, false);
}

int http_respond_static(struct keel_http_response *r, int status, const char *content_type,
                        const void *body, size_t len)
{
	return respond(r, status, content_type, body, len, true);
}

int keel_http_respond_status(struct keel_http_response *r, int status)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "%d %s\n", status, keel_http_reason(status));

	return keel_http_respond(r, status, "text/plain; charset=utf-8", text, (size_t)n);
}

int keel_http_start(struct keel_http_response *r, int status, const char *content_type,
                    int64_t length)
{
	return build_head(r, status, content_type, length);
}

int keel_http_write(struct keel_http_response *r, const void *data, size_t len)
{
	char size_line[24];
	struct keel_iovec iov[3];
	int err;

	if (r->state != HTTP_RESP_LENGTH && r->state != HTTP_RESP_CHUNKED &&
	    r->state != HTTP_RESP_EOF)
		return KEEL_ECLOSED;
	if (r->state == HTTP_RESP_LENGTH && len > r->length - r->sent)
		return KEEL_ERANGE;
	if (r->no_body) {
		r->sent += len; /* as if sent: the length checks still hold */
		return KEEL_OK;
	}
	if (len == 0)
		return KEEL_OK;
	if (r->state == HTTP_RESP_CHUNKED) {
		int n = snprintf(size_line, sizeof(size_line), "%zx\r\n", len);

		iov[0] = (struct keel_iovec){ size_line, (size_t)n };
		iov[1] = (struct keel_iovec){ data, len };
		iov[2] = (struct keel_iovec){ "\r\n", 2 };
		err = send_pieces(r, iov, 3);
	} else {
		iov[0] = (struct keel_iovec){ data, len };
		err = send_pieces(r, iov, 1);
	}
	if (err == KEEL_OK) {
		r->sent += len;
		r->conn->srv->stats.body_bytes_out += len;
	}
	return err;
}

int keel_http_write_chunk(struct keel_http_response *r, const void *data, size_t len)
{
	if (r->state == HTTP_RESP_NEW) {
		int err = build_head(r, 200, NULL, KEEL_HTTP_CHUNKED);

		if (err)
			return err;
	}
	if (r->state == HTTP_RESP_LENGTH)
		return KEEL_EINVAL;
	return keel_http_write(r, data, len);
}

int keel_http_end(struct keel_http_response *r)
{
	static const struct keel_iovec last = { "0\r\n\r\n", 5 };
	int err = KEEL_OK;

	switch (r->state) {
	case HTTP_RESP_NEW:
		return KEEL_ECLOSED;
	case HTTP_RESP_DONE:
		return KEEL_OK;
	case HTTP_RESP_LENGTH:
		err = send_pieces(r, NULL, 0);
		if (!r->no_body && r->sent < r->length) {
			/* The head promised more: only closing can tell. */
			r->conn->close = true;
			if (err == KEEL_OK)
				err = KEEL_EINVAL;
		}
		break;
	case HTTP_RESP_CHUNKED:
		err = r->no_body ? send_pieces(r, NULL, 0) : send_pieces(r, &last, 1);
		break;
	case HTTP_RESP_EOF:
		err = send_pieces(r, NULL, 0);
		break;
	}
	r->state = HTTP_RESP_DONE;
	return err;
}

int http_respond_error(struct keel_http_response *r, int status, bool close)
{
	if (close)
		r->conn->close = true;
	if (r->state != HTTP_RESP_NEW) {
		r->conn->close = true;
		return KEEL_ECLOSED;
	}
	return keel_http_respond_status(r, status);
}

void http_resp_after_handler(struct keel_http_response *r, int rc)
{
	struct http_conn *c = r->conn;
	int status = 500;
	bool close = false;

	if (c->broken)
		return;
	/* A body that could not be read decides the answer, whatever the
	 * handler made of the error. */
	if (c->req.body_error)
		rc = c->req.body_error;
	if (r->state != HTTP_RESP_NEW) {
		if (r->state != HTTP_RESP_DONE)
			keel_http_end(r);
		return;
	}
	switch (rc) {
	case KEEL_ENOENT:
		status = 404;
		break;
	case KEEL_ERANGE:
		status = 413;
		close = true;
		break;
	case KEEL_EINVAL:
		status = 400;
		close = true;
		break;
	case KEEL_ETIMEDOUT:
		status = 408;
		close = true;
		break;
	}
	/* Headers the handler added were meant for its own answer. */
	r->hdr_len = 0;
	http_respond_error(r, status, close);
}

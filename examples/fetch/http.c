/*
 * http.c — reading an HTTP/1.1 response (RFC 9112) from a flow: status
 * line, headers, then the body by Content-Length, chunked coding, or up to
 * the end of the stream. Every length a server sends is bounded here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"

#define HEAD_MAX (16 * 1024) /* status line and headers */
#define LINE_MAX_LEN 1024    /* a chunk-size or trailer line */

/* Buffered reading from the flow. */
struct reader {
	struct keel_flow *f;
	keel_time timeout;
	uint8_t buf[8192];
	size_t pos, len;
	const char *error;
};

/* Makes bytes available: > 0 when some are, 0 at end of stream, < 0 on
 * error (r->error set). */
static long fill(struct reader *r)
{
	long n;

	if (r->pos < r->len)
		return (long)(r->len - r->pos);
	n = keel_read(r->f, r->buf, sizeof(r->buf), keel_now() + r->timeout);
	if (n < 0) {
		r->error = n == KEEL_ETIMEDOUT ? "timed out reading the response"
		                               : "the connection failed while reading";
		return n;
	}
	r->pos = 0;
	r->len = (size_t)n;
	return n;
}

/* One line without its CR LF (a bare LF is taken too). -1 when longer
 * than `size` - 1, cut by the end of the stream, or on error. */
static int read_line(struct reader *r, char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		long got = fill(r);
		char c;

		if (got <= 0) {
			if (got == 0)
				r->error = "the response ended inside a line";
			return -1;
		}
		c = (char)r->buf[r->pos++];
		if (c == '\n')
			break;
		if (n + 1 >= size) {
			r->error = "a line of the response is too long";
			return -1;
		}
		line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return 0;
}

/* Hashes exactly `count` body bytes. */
static int read_body_bytes(struct reader *r, struct sha256 *h, uint64_t count, uint64_t *total)
{
	while (count > 0) {
		long got = fill(r);
		size_t n;

		if (got <= 0) {
			if (got == 0)
				r->error = "the body was cut short";
			return -1;
		}
		n = r->len - r->pos;
		if (n > count)
			n = (size_t)count;
		sha256_update(h, r->buf + r->pos, n);
		r->pos += n;
		count -= n;
		*total += n;
	}
	return 0;
}

/* Hashes everything up to the end of the stream. */
static int read_body_to_end(struct reader *r, struct sha256 *h, uint64_t *total)
{
	for (;;) {
		long got = fill(r);

		if (got == 0)
			return 0;
		if (got < 0)
			return -1;
		sha256_update(h, r->buf + r->pos, (size_t)got);
		*total += (uint64_t)got;
		r->pos = r->len;
	}
}

/* The chunked transfer coding (RFC 9112 7.1): size lines in hex (with
 * optional extensions), data, CR LF, ..., a zero size, trailers, an empty
 * line. */
static int read_body_chunked(struct reader *r, struct sha256 *h, uint64_t *total)
{
	char line[LINE_MAX_LEN];

	for (;;) {
		uint64_t size = 0;
		unsigned digits = 0;
		const char *p;

		if (read_line(r, line, sizeof(line)))
			return -1;
		for (p = line; isxdigit((unsigned char)*p); p++, digits++) {
			if (digits == 15) {
				r->error = "a chunk size is too large";
				return -1;
			}
			size = size * 16 + (uint64_t)(isdigit((unsigned char)*p)
			                                  ? *p - '0'
			                                  : tolower(*p) - 'a' + 10);
		}
		if (digits == 0 || (*p && *p != ';' && *p != ' ' && *p != '\t')) {
			r->error = "a bad chunk size line";
			return -1;
		}
		if (size == 0)
			break;
		if (read_body_bytes(r, h, size, total) || read_line(r, line, sizeof(line)))
			return -1;
		if (line[0]) {
			r->error = "a chunk is longer than its size";
			return -1;
		}
	}
	/* Trailer fields, up to the empty line. */
	for (unsigned i = 0;; i++) {
		if (i == 100) {
			r->error = "too many trailer lines";
			return -1;
		}
		if (read_line(r, line, sizeof(line)))
			return -1;
		if (!line[0])
			return 0;
	}
}

/* Case-insensitive "name:" at the start of a header line; returns the
 * value with leading blanks skipped, or NULL. */
static const char *header_value(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

int http_read_response(struct keel_flow *f, keel_time read_timeout, struct response *resp,
                       const char **why)
{
	static struct reader r; /* 8 KiB: off the fiber's stack */
	char *head = malloc(HEAD_MAX);
	struct sha256 h;
	bool chunked = false, have_length = false, first = true;
	uint64_t length = 0;
	size_t used = 0;
	int rc = -1;

	memset(resp, 0, sizeof(*resp));
	memset(&r, 0, sizeof(r));
	r.f = f;
	r.timeout = read_timeout;
	if (!head) {
		*why = "out of memory";
		return -1;
	}

	/* The status line and the headers, one line at a time into `head`. */
	for (;;) {
		char *line = head + used;
		const char *v;

		if (read_line(&r, line, HEAD_MAX - used)) {
			*why = r.error;
			goto out;
		}
		used += strlen(line) + 1;
		if (first) {
			/* HTTP/1.x SP 3DIGIT SP reason */
			if (strncmp(line, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)line[7]) ||
			    line[8] != ' ' || !isdigit((unsigned char)line[9]) ||
			    !isdigit((unsigned char)line[10]) ||
			    !isdigit((unsigned char)line[11]) ||
			    (line[12] != ' ' && line[12] != '\0')) {
				*why = "not an HTTP/1.x status line";
				goto out;
			}
			resp->status =
			    (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
			first = false;
			continue;
		}
		if (!line[0])
			break;
		if ((v = header_value(line, "Content-Length"))) {
			char *end;
			unsigned long long n = strtoull(v, &end, 10);

			if (!isdigit((unsigned char)*v) || *end || (have_length && n != length)) {
				*why = "a bad Content-Length";
				goto out;
			}
			length = n;
			have_length = true;
		} else if ((v = header_value(line, "Transfer-Encoding"))) {
			size_t n = strlen(v);

			/* chunked must be the last coding; we take no other. */
			if (n < 7 || strcasecmp(v + n - 7, "chunked") != 0) {
				*why = "a transfer coding other than chunked";
				goto out;
			}
			chunked = true;
		}
	}
	if (resp->status < 200) {
		*why = "an interim (1xx) response";
		goto out;
	}

	sha256_init(&h);
	if (resp->status == 204 || resp->status == 304)
		rc = 0; /* never a body */
	else if (chunked)
		rc = read_body_chunked(&r, &h, &resp->body_bytes);
	else if (have_length)
		rc = read_body_bytes(&r, &h, length, &resp->body_bytes);
	else
		rc = read_body_to_end(&r, &h, &resp->body_bytes);
	if (rc)
		*why = r.error;
	sha256_final(&h, resp->sha256);
out:
	free(head);
	return rc;
}

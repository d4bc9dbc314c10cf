/*
 * The chunked transfer coding, decoding side (RFC 9112 section 7.1).
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *
 * Framing bytes are consumed here; data bytes are pointed at, not copied,
 * so the caller moves them once, straight to the application. The state
 * survives any split of the input. Sizes are checked for overflow digit
 * by digit; a size line (with its extensions) and the trailer section are
 * bounded; extensions are checked for control bytes and dropped, trailer
 * fields are checked like header fields and dropped. Bare LF, a missing
 * CRLF after data and obs-fold are errors (400); an over-long trailer
 * section is 431.
 */
#include "http_impl.h"

enum {
	CS_SIZE_FIRST, /* first hex digit of a chunk size */
	CS_SIZE,
	CS_SIZE_BWS, /* whitespace after the size: only ';' may follow */
	CS_EXT,
	CS_SIZE_LF,
	CS_DATA,
	CS_DATA_CR,
	CS_DATA_LF,
	CS_TRAILER_START,
	CS_TRAILER_NAME,
	CS_TRAILER_VALUE,
	CS_TRAILER_LF,
	CS_END_LF,
	CS_DONE,
	CS_ERROR,
};

void http_chunked_init(struct http_chunked *c)
{
	c->state = CS_SIZE_FIRST;
	c->status = 0;
	c->trailer_fields = 0;
	c->line_bytes = 0;
	c->trailer_bytes = 0;
	c->size = 0;
	c->remaining = 0;
}

static int fail(struct http_chunked *c, int status)
{
	c->state = CS_ERROR;
	c->status = (uint16_t)status;
	return HTTP_CHUNK_ERROR;
}

void http_chunked_consume(struct http_chunked *c, size_t n)
{
	if (c->state != CS_DATA || n > c->remaining)
		return; /* a caller bug: consume what was offered only */
	c->remaining -= n;
	if (c->remaining == 0)
		c->state = CS_DATA_CR;
}

int http_chunked_step(struct http_chunked *c, const char *in, size_t len, size_t *used,
                      size_t *data_len)
{
	size_t i = 0;

	*data_len = 0;
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		int d;

		if (c->state <= CS_SIZE_LF && ++c->line_bytes > HTTP_CHUNK_LINE_MAX) {
			*used = i;
			return fail(c, 400);
		}
		if (c->state >= CS_TRAILER_START && c->state <= CS_END_LF &&
		    ++c->trailer_bytes > HTTP_TRAILER_MAX) {
			*used = i;
			return fail(c, 431);
		}
		switch (c->state) {
		case CS_SIZE_FIRST:
		case CS_SIZE:
			d = http_hex_value(ch);
			if (d >= 0) {
				if (c->size > UINT64_MAX >> 4)
					goto bad; /* the size overflows 64 bits */
				c->size = c->size << 4 | (uint64_t)d;
				c->state = CS_SIZE;
			} else if (c->state == CS_SIZE_FIRST) {
				goto bad;
			} else if (ch == ';') {
				c->state = CS_EXT;
			} else if (ch == ' ' || ch == '\t') {
				c->state = CS_SIZE_BWS;
			} else if (ch == '\r') {
				c->state = CS_SIZE_LF;
			} else {
				goto bad;
			}
			break;
		case CS_SIZE_BWS:
			if (ch == ';')
				c->state = CS_EXT;
			else if (ch != ' ' && ch != '\t')
				goto bad;
			break;
		case CS_EXT:
			if (ch == '\r')
				c->state = CS_SIZE_LF;
			else if (!http_is_vchar(ch) && ch != ' ' && ch != '\t')
				goto bad;
			break;
		case CS_SIZE_LF:
			if (ch != '\n')
				goto bad;
			c->line_bytes = 0;
			if (c->size == 0) {
				c->state = CS_TRAILER_START;
			} else {
				c->remaining = c->size;
				c->size = 0;
				c->state = CS_DATA;
			}
			break;
		case CS_DATA:
			*used = i;
			*data_len = len - i < c->remaining ? len - i : (size_t)c->remaining;
			return HTTP_CHUNK_DATA;
		case CS_DATA_CR:
			if (ch != '\r')
				goto bad;
			c->state = CS_DATA_LF;
			break;
		case CS_DATA_LF:
			if (ch != '\n')
				goto bad;
			c->state = CS_SIZE_FIRST;
			break;
		case CS_TRAILER_START:
			if (ch == '\r') {
				c->state = CS_END_LF;
			} else if (http_is_tchar(ch)) {
				if (++c->trailer_fields > HTTP_TRAILER_FIELDS_MAX) {
					*used = i;
					return fail(c, 431);
				}
				c->state = CS_TRAILER_NAME;
			} else {
				goto bad;
			}
			break;
		case CS_TRAILER_NAME:
			if (ch == ':')
				c->state = CS_TRAILER_VALUE;
			else if (!http_is_tchar(ch))
				goto bad;
			break;
		case CS_TRAILER_VALUE:
			if (ch == '\r')
				c->state = CS_TRAILER_LF;
			else if (!http_is_vchar(ch) && ch != ' ' && ch != '\t')
				goto bad;
			break;
		case CS_TRAILER_LF:
			if (ch != '\n')
				goto bad;
			c->state = CS_TRAILER_START;
			break;
		case CS_END_LF:
			if (ch != '\n')
				goto bad;
			c->state = CS_DONE;
			*used = i + 1;
			return HTTP_CHUNK_DONE;
		case CS_DONE:
			*used = i;
			return HTTP_CHUNK_DONE;
		default:
			*used = i;
			return HTTP_CHUNK_ERROR;
		}
	}
	*used = i;
	if (c->state == CS_DONE)
		return HTTP_CHUNK_DONE;
	if (c->state == CS_ERROR)
		return HTTP_CHUNK_ERROR;
	return HTTP_CHUNK_MORE;
bad:
	*used = i;
	return fail(c, 400);
}

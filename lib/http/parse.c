/*
 * The request-line and header-section parser (RFC 9112 sections 2-5).
 *
 * A byte-at-a-time state machine over one buffer that grows by appending:
 * each call resumes at `pos`, so a head delivered one byte per read costs
 * the same as one delivered whole, and the result never depends on where
 * the reads split it. Fields are recorded as offsets into that buffer in
 * a fixed array: nothing is allocated or copied.
 *
 * Strictness, where the RFC lets a recipient choose, always takes the
 * choice that cannot desynchronise us from another parser on the path:
 * bare LF and bare CR are errors, as are obs-fold, whitespace before the
 * first field or before a colon, and any control byte (NUL included) in a
 * field value. Syntax errors give 400; the bounds give 414 (request line),
 * 431 (header section, field count) and 501 (a method longer than any we
 * could implement); a version other than 1.x gives 505.
 */
#include <string.h>

#include "http_impl.h"

enum {
	PS_LEADING,    /* before the method: CRLF empty lines are skipped */
	PS_LEADING_LF, /* after the CR of an empty line */
	PS_METHOD,
	PS_TARGET_FIRST,
	PS_TARGET,
	PS_PCT1, /* after '%' in the target: two hex digits follow */
	PS_PCT2,
	PS_VERSION, /* "HTTP/x.y" */
	PS_LINE_LF,
	PS_FIELD_START,
	PS_NAME,
	PS_VALUE_OWS, /* whitespace after the colon */
	PS_VALUE,
	PS_FIELD_LF,
	PS_END_LF, /* after the CR of the empty line ending the head */
	PS_DONE,
	PS_ERROR,
};

void http_parser_init(struct http_parser *p)
{
	/* The field array is written before it is read: leave it. */
	memset(p, 0, offsetof(struct http_parser, fields));
	p->state = PS_LEADING;
}

static int fail(struct http_parser *p, int status)
{
	p->state = PS_ERROR;
	p->status = (uint16_t)status;
	return HTTP_PARSE_ERROR;
}

/* The request line ends (after its LF): check the version. */
static int line_done(struct http_parser *p, uint32_t next)
{
	if (p->major != 1)
		return fail(p, 505);
	p->fields_start = next;
	p->state = PS_FIELD_START;
	return HTTP_PARSE_MORE;
}

int http_parse(struct http_parser *p, const char *buf, size_t len)
{
	static const char version_text[] = "HTTP/";
	const unsigned char *b = (const unsigned char *)buf;
	uint32_t i = p->pos;

	if (p->state == PS_DONE)
		return HTTP_PARSE_DONE;
	if (p->state == PS_ERROR)
		return HTTP_PARSE_ERROR;
	for (; i < len; i++) {
		unsigned char c = b[i];

		/* Bounds first: they hold whatever the bytes are. */
		if (p->state >= PS_METHOD && p->state <= PS_LINE_LF &&
		    i - p->line_start + 1 > KEEL_HTTP_LINE_MAX) {
			p->pos = i;
			return fail(p, 414);
		}
		if (p->state >= PS_FIELD_START && i - p->fields_start + 1 > KEEL_HTTP_HEADERS_MAX) {
			p->pos = i;
			return fail(p, 431);
		}

		switch (p->state) {
		case PS_LEADING:
			if (c == '\r') {
				if (++p->leading > HTTP_LEADING_LINES_MAX)
					goto bad;
				p->state = PS_LEADING_LF;
			} else if (http_is_tchar(c)) {
				p->line_start = i;
				p->state = PS_METHOD;
			} else {
				goto bad;
			}
			break;
		case PS_LEADING_LF:
			if (c != '\n')
				goto bad;
			p->state = PS_LEADING;
			break;
		case PS_METHOD:
			if (c == ' ') {
				p->method_len = (uint16_t)(i - p->line_start);
				p->state = PS_TARGET_FIRST;
			} else if (!http_is_tchar(c)) {
				goto bad;
			} else if (i - p->line_start + 1 > HTTP_METHOD_MAX) {
				p->pos = i;
				return fail(p, 501);
			}
			break;
		case PS_TARGET_FIRST:
			p->target_off = (uint16_t)i;
			p->state = PS_TARGET;
			/* fall through */
		case PS_TARGET:
			if (c == ' ') {
				if (i == p->target_off)
					goto bad; /* empty target (two spaces) */
				p->target_len = (uint16_t)(i - p->target_off);
				p->sub = 0;
				p->state = PS_VERSION;
			} else if (c == '%') {
				p->state = PS_PCT1;
			} else if (!http_is_target_char(c)) {
				goto bad;
			}
			break;
		case PS_PCT1:
		case PS_PCT2:
			if (http_hex_value(c) < 0)
				goto bad;
			p->state = p->state == PS_PCT1 ? PS_PCT2 : PS_TARGET;
			break;
		case PS_VERSION:
			if (p->sub < 5) {
				if (c != (unsigned char)version_text[p->sub])
					goto bad;
			} else if (p->sub == 5 || p->sub == 7) {
				if (!http_is_digit(c))
					goto bad;
				if (p->sub == 5)
					p->major = (uint8_t)(c - '0');
				else
					p->minor = (uint8_t)(c - '0');
			} else if (p->sub == 6) {
				if (c != '.')
					goto bad;
			} else {
				if (c != '\r')
					goto bad;
				p->state = PS_LINE_LF;
			}
			p->sub++;
			break;
		case PS_LINE_LF:
			if (c != '\n')
				goto bad;
			if (line_done(p, i + 1) != HTTP_PARSE_MORE) {
				p->pos = i;
				return HTTP_PARSE_ERROR;
			}
			break;
		case PS_FIELD_START:
			if (c == '\r') {
				p->state = PS_END_LF;
			} else if (http_is_tchar(c)) {
				if (p->nfields == KEEL_HTTP_FIELDS_MAX) {
					p->pos = i;
					return fail(p, 431);
				}
				p->field_start = i;
				p->state = PS_NAME;
			} else {
				/* SP or HTAB here is obs-fold (or whitespace
				 * before the first field): both refused. */
				goto bad;
			}
			break;
		case PS_NAME:
			if (c == ':') {
				struct http_field *f = &p->fields[p->nfields];

				f->name_off = (uint16_t)p->field_start;
				f->name_len = (uint16_t)(i - p->field_start);
				p->state = PS_VALUE_OWS;
			} else if (!http_is_tchar(c)) {
				goto bad;
			}
			break;
		case PS_VALUE_OWS:
			if (c == ' ' || c == '\t')
				break;
			if (c == '\r') {
				p->value_start = p->value_end = i;
				p->state = PS_FIELD_LF;
			} else if (http_is_vchar(c)) {
				p->value_start = i;
				p->value_end = i + 1;
				p->state = PS_VALUE;
			} else {
				goto bad;
			}
			break;
		case PS_VALUE:
			if (http_is_vchar(c))
				p->value_end = i + 1;
			else if (c == '\r')
				p->state = PS_FIELD_LF;
			else if (c != ' ' && c != '\t')
				goto bad;
			break;
		case PS_FIELD_LF: {
			struct http_field *f = &p->fields[p->nfields];

			if (c != '\n')
				goto bad;
			f->value_off = (uint16_t)p->value_start;
			f->value_len = (uint16_t)(p->value_end - p->value_start);
			p->nfields++;
			p->state = PS_FIELD_START;
			break;
		}
		case PS_END_LF:
			if (c != '\n')
				goto bad;
			p->head_len = i + 1;
			p->pos = i + 1;
			p->state = PS_DONE;
			return HTTP_PARSE_DONE;
		default:
			goto bad;
		}
	}
	p->pos = i;
	return HTTP_PARSE_MORE;
bad:
	p->pos = i;
	return fail(p, 400);
}

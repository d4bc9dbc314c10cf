/*
 * The meaning of a parsed head (RFC 9110, RFC 9112 sections 3, 6, 9):
 * the form of the target, Host, the framing of the body, persistence and
 * Expect. Everything a request smuggling attack plays with is decided
 * here, once, and refused when two readings are possible:
 *
 *   - Content-Length must be one field of digits only (no list, no sign,
 *     no duplicate even when equal) that fits in 63 bits;
 *   - Transfer-Encoding with Content-Length, or in HTTP/1.0, is refused;
 *   - the only transfer coding is a single final "chunked": other codings
 *     get 501, "chunked" twice or not last gets 400;
 *   - HTTP/1.1 needs exactly one valid Host; more than one is refused in
 *     any version.
 */
#include <string.h>

#include "http_impl.h"

bool http_token_eq(const char *a, size_t len, const char *b)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] == 0 || http_lower((unsigned char)a[i]) != http_lower((unsigned char)b[i]))
			return false;
	}
	return b[i] == 0;
}

size_t http_list_next(const char *list, size_t len, size_t *pos, const char **elem)
{
	size_t i = *pos;

	while (i < len) {
		size_t start, end;
		bool quoted = false;

		while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == ','))
			i++;
		start = i;
		for (; i < len; i++) {
			if (quoted) {
				if (list[i] == '\\' && i + 1 < len)
					i++;
				else if (list[i] == '"')
					quoted = false;
			} else if (list[i] == '"') {
				quoted = true;
			} else if (list[i] == ',') {
				break;
			}
		}
		end = i;
		while (end > start && (list[end - 1] == ' ' || list[end - 1] == '\t'))
			end--;
		if (end > start) {
			*elem = list + start;
			*pos = i;
			return end - start;
		}
	}
	*pos = len;
	return 0;
}

int http_field_find(const struct http_parser *p, const char *buf, const char *name, int from)
{
	for (int i = from < 0 ? 0 : from; i < p->nfields; i++) {
		const struct http_field *f = &p->fields[i];

		if (http_token_eq(buf + f->name_off, f->name_len, name))
			return i;
	}
	return -1;
}

/* RFC 3986 host with optional port, as a Host field carries it: reg-name
 * or IP-literal characters only. An empty value is allowed (RFC 9112 3.2). */
static bool host_valid(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '%') {
			if (i + 2 >= len || http_hex_value((unsigned char)v[i + 1]) < 0 ||
			    http_hex_value((unsigned char)v[i + 2]) < 0)
				return false;
			i += 2;
		} else if (c == '/' || c == '?' || c == '@' ||
		           !(http_is_target_char(c) || c == '[' || c == ']')) {
			return false;
		}
	}
	return true;
}

/* Digits only, at most 2^63 - 1. */
static bool parse_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint64_t d = (uint64_t)(v[i] - '0');

		if (!http_is_digit((unsigned char)v[i]) || n > (INT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

/* Methods are case-sensitive (RFC 9110 section 9.1). */
static bool method_is(const struct http_parser *p, const char *buf, const char *m)
{
	return strlen(m) == p->method_len && memcmp(buf + p->line_start, m, p->method_len) == 0;
}

/* The target: origin-form, absolute-form, or "*" for OPTIONS. */
static int check_target(const struct http_parser *p, const char *buf, struct http_head *h)
{
	const char *t = buf + p->target_off;
	size_t len = p->target_len, i = 0, path_start, path_end;

	if (t[0] == '/') {
		path_start = 0;
	} else if (len == 1 && t[0] == '*') {
		if (!method_is(p, buf, "OPTIONS"))
			return 400;
		h->path_off = p->target_off;
		h->path_len = 1;
		return 0;
	} else if (http_is_alpha((unsigned char)t[0])) {
		/* absolute-form: scheme "://" authority [path-abempty] ["?" query] */
		size_t auth;

		while (i < len &&
		       (http_is_alpha((unsigned char)t[i]) || http_is_digit((unsigned char)t[i]) ||
		        t[i] == '+' || t[i] == '-' || t[i] == '.'))
			i++;
		if (!(http_token_eq(t, i, "http") || http_token_eq(t, i, "https")))
			return 400;
		if (len - i < 3 || memcmp(t + i, "://", 3) != 0)
			return 400;
		auth = i + 3;
		for (i = auth; i < len && t[i] != '/' && t[i] != '?'; i++)
			if (t[i] == '@')
				return 400; /* userinfo: RFC 9110 section 4.2.4 */
		if (i == auth || !host_valid(t + auth, i - auth))
			return 400;
		h->host_off = (uint16_t)(p->target_off + auth);
		h->host_len = (uint16_t)(i - auth);
		path_start = i;
	} else {
		/* authority-form is for CONNECT only, which we do not do. */
		if (method_is(p, buf, "CONNECT"))
			return 501;
		return 400;
	}
	for (path_end = path_start; path_end < len && t[path_end] != '?'; path_end++)
		;
	h->path_off = (uint16_t)(p->target_off + path_start);
	h->path_len = (uint16_t)(path_end - path_start);
	if (path_end < len) {
		h->query_off = (uint16_t)(p->target_off + path_end + 1);
		h->query_len = (uint16_t)(len - path_end - 1);
	}
	return 0;
}

int http_head_check(const struct http_parser *p, const char *buf, struct http_head *h)
{
	int host = -1, length = -1, status;
	bool chunked = false, coded = false, close = false, keep_alive = false;

	memset(h, 0, sizeof(*h));
	h->version = p->minor == 0 ? 10 : 11;
	if (method_is(p, buf, "CONNECT"))
		return 501; /* we are no proxy */
	status = check_target(p, buf, h);
	if (status)
		return status;

	for (int i = 0; i < p->nfields; i++) {
		const struct http_field *f = &p->fields[i];
		const char *name = buf + f->name_off, *v = buf + f->value_off, *e;
		size_t pos = 0, n;

		switch (http_lower((unsigned char)name[0])) {
		case 'h':
			if (http_token_eq(name, f->name_len, "host")) {
				if (host >= 0 || !host_valid(v, f->value_len))
					return 400;
				host = i;
			}
			break;
		case 'c':
			if (http_token_eq(name, f->name_len, "content-length")) {
				if (length >= 0 ||
				    !parse_length(v, f->value_len, &h->content_length))
					return 400;
				length = i;
			} else if (http_token_eq(name, f->name_len, "connection")) {
				while ((n = http_list_next(v, f->value_len, &pos, &e)) > 0) {
					if (http_token_eq(e, n, "close"))
						close = true;
					else if (http_token_eq(e, n, "keep-alive"))
						keep_alive = true;
				}
			}
			break;
		case 't':
			if (!http_token_eq(name, f->name_len, "transfer-encoding"))
				break;
			/* Every field's codings in order, as one list: chunked
			 * must be the last of all and appear once. */
			if (f->value_len == 0)
				return 400;
			while ((n = http_list_next(v, f->value_len, &pos, &e)) > 0) {
				if (chunked)
					return 400; /* something after chunked */
				if (http_token_eq(e, n, "chunked"))
					chunked = true;
				else
					coded = true;
			}
			if (!chunked && !coded)
				return 400;
			break;
		case 'e':
			if (!http_token_eq(name, f->name_len, "expect") || h->version == 10)
				break;
			if (f->value_len == 0)
				return 417;
			while ((n = http_list_next(v, f->value_len, &pos, &e)) > 0) {
				if (!http_token_eq(e, n, "100-continue"))
					return 417;
				h->expect_continue = true;
			}
			break;
		}
	}

	if (host >= 0 && h->host_len == 0) {
		h->host_off = p->fields[host].value_off;
		h->host_len = p->fields[host].value_len;
	}
	if (host < 0 && h->version == 11)
		return 400;
	if (chunked || coded) {
		if (length >= 0 || h->version == 10)
			return 400;
		if (coded)
			return chunked ? 501 : 400;
		h->body = HTTP_BODY_CHUNKED;
	} else if (length >= 0) {
		h->body = HTTP_BODY_LENGTH;
	}
	h->keep_alive = !close && (h->version == 11 || keep_alive);
	return 0;
}

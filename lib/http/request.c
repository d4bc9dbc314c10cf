/*
 * The request accessors. Strings point into the connection's buffer,
 * NUL-terminated in place when the head was accepted.
 */
#include "http_impl.h"

const char *keel_http_method(const struct keel_http_request *req)
{
	return req->method;
}

const char *keel_http_path(const struct keel_http_request *req)
{
	return req->path;
}

const char *keel_http_query(const struct keel_http_request *req)
{
	return req->query;
}

const char *keel_http_wildcard(const struct keel_http_request *req)
{
	return req->wildcard ? req->wildcard : "";
}

const char *keel_http_host(const struct keel_http_request *req)
{
	return req->host;
}

int keel_http_version(const struct keel_http_request *req)
{
	return req->version;
}

const char *keel_http_header(const struct keel_http_request *req, const char *name)
{
	const struct http_conn *c = req->conn;
	int i = http_field_find(&c->parser, c->buf, name, 0);

	return i < 0 ? NULL : c->buf + c->parser.fields[i].value_off;
}

int keel_http_header_at(const struct keel_http_request *req, size_t i, const char **name,
                        const char **value)
{
	const struct http_conn *c = req->conn;

	if (i >= c->parser.nfields)
		return KEEL_ENOENT;
	*name = c->buf + c->parser.fields[i].name_off;
	*value = c->buf + c->parser.fields[i].value_off;
	return KEEL_OK;
}

int64_t keel_http_body_length(const struct keel_http_request *req)
{
	if (req->body_kind == HTTP_BODY_CHUNKED)
		return -1;
	if (req->body_kind == HTTP_BODY_LENGTH)
		return (int64_t)req->conn->head.content_length;
	return 0;
}

struct keel_flow *keel_http_flow(const struct keel_http_request *req)
{
	return req->conn->flow;
}

/*
 * Static content from a keel_kv store: validators, conditional requests
 * (RFC 9110 section 13), single byte ranges (section 14), and the gzip
 * variant (section 12.5.3).
 *
 * The preconditions are evaluated in the order of RFC 9110 section
 * 13.2.2: If-Match, else If-Unmodified-Since (412); If-None-Match, else
 * If-Modified-Since (304 for GET and HEAD); then If-Range decides whether
 * Range is honoured. The ETag of the gzip variant is the value's tag with
 * "-gz" inside the quotes: two representations, two tags, so a cache
 * never mixes them up.
 */
#include <stdio.h>
#include <string.h>

#include "http_impl.h"

/* Largest piece read from a store whose bytes are not in memory. */
#define STREAM_PIECE 4096

/* Sends `len` bytes of the value from `offset`, from memory when there,
 * by reference when that memory is the image's own read-only data. */
static int send_body(struct keel_http_response *resp, struct keel_kv *kv,
                     const struct keel_kv_value *v, bool gz, int status, const char *ctype,
                     uint64_t offset, uint64_t len)
{
	const unsigned char *data = gz ? v->gzip_data : v->data;
	char piece[STREAM_PIECE];
	int err;

	if (data && len <= SIZE_MAX && v->data_static)
		return http_respond_static(resp, status, ctype, data + offset, (size_t)len);
	if (data && len <= SIZE_MAX)
		return keel_http_respond(resp, status, ctype, data + offset, (size_t)len);
	if (len > INT64_MAX)
		return keel_http_respond_status(resp, 500);
	err = keel_http_start(resp, status, ctype, (int64_t)len);
	if (err || resp->no_body)
		return err ? err : keel_http_end(resp);
	while (len > 0) {
		size_t want = len < sizeof(piece) ? (size_t)len : sizeof(piece);
		long n = keel_kv_read(kv, v, gz, offset, piece, want);

		if (n <= 0)
			break; /* the store failed: keel_http_end closes the connection */
		err = keel_http_write(resp, piece, (size_t)n);
		if (err)
			return err;
		offset += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return keel_http_end(resp);
}

/* True when the If-Range value allows the range: a strong ETag equal to
 * ours, or a date equal to our Last-Modified. */
static bool if_range_holds(const char *ir, const char *etag, uint64_t mtime)
{
	uint64_t t;

	if (ir[0] == '"' || (ir[0] == 'W' && ir[1] == '/'))
		return http_etag_match(ir, strlen(ir), etag, strlen(etag), false);
	return mtime && keel_http_date_parse(ir, strlen(ir), &t) == KEEL_OK && t == mtime;
}

/* The Last-Modified value for `mtime`, formatted once per distinct time
 * (the server keeps the last one); NULL if it cannot be. */
static const char *modified_date(struct keel_http_server *srv, uint64_t mtime)
{
	if (srv->modified_mtime != mtime || srv->modified[0] == 0) {
		if (keel_http_date_format(mtime, srv->modified, sizeof(srv->modified)) <= 0) {
			srv->modified[0] = 0;
			return NULL;
		}
		srv->modified_mtime = mtime;
	}
	return srv->modified;
}

#define PUT_FIELD(resp, name, value, vlen)                                                         \
	http_header_put((resp), (name), sizeof(name) - 1, (value), (vlen))

/* keel_http_respond_kv for the value v, already found. */
static int respond_value(struct keel_http_request *req, struct keel_http_response *resp,
                         struct keel_kv *kv, const struct keel_kv_value *found)
{
	struct keel_kv_value v = *found;
	char etag[KEEL_KV_ETAG_MAX + 8], range[80];
	const char *h, *ae, *date;
	bool gz, safe = strcmp(req->method, "GET") == 0 || req->is_head;
	uint64_t len, first = 0, last = 0, t;
	int status = 200, rv;
	size_t elen;

	ae = keel_http_header(req, "Accept-Encoding");
	gz = v.gzip_len > 0 && ae && http_accepts_gzip(ae, strlen(ae));
	len = gz ? v.gzip_len : v.len;
	elen = strlen(v.etag);
	if (elen < 2 || elen > KEEL_KV_ETAG_MAX)
		return keel_http_respond_status(resp, 500);
	memcpy(etag, v.etag, elen + 1);
	if (gz)
		memcpy(etag + elen - 1, "-gz\"", 5);

	PUT_FIELD(resp, "ETag", etag, strlen(etag));
	if (v.mtime && (date = modified_date(resp->conn->srv, v.mtime)) != NULL)
		PUT_FIELD(resp, "Last-Modified", date, HTTP_DATE_LEN);
	if (v.gzip_len)
		PUT_FIELD(resp, "Vary", "Accept-Encoding", 15);

	/* Preconditions. */
	if ((h = keel_http_header(req, "If-Match")) != NULL) {
		if (!http_etag_match(h, strlen(h), etag, strlen(etag), false))
			return keel_http_respond_status(resp, 412);
	} else if ((h = keel_http_header(req, "If-Unmodified-Since")) != NULL && v.mtime &&
	           keel_http_date_parse(h, strlen(h), &t) == KEEL_OK && v.mtime > t) {
		return keel_http_respond_status(resp, 412);
	}
	if ((h = keel_http_header(req, "If-None-Match")) != NULL) {
		if (http_etag_match(h, strlen(h), etag, strlen(etag), true))
			return safe ? keel_http_respond(resp, 304, NULL, NULL, 0)
			            : keel_http_respond_status(resp, 412);
	} else if (safe && (h = keel_http_header(req, "If-Modified-Since")) != NULL && v.mtime &&
	           keel_http_date_parse(h, strlen(h), &t) == KEEL_OK && v.mtime <= t) {
		return keel_http_respond(resp, 304, NULL, NULL, 0);
	}

	PUT_FIELD(resp, "Accept-Ranges", "bytes", 5);
	if (gz)
		PUT_FIELD(resp, "Content-Encoding", "gzip", 4);
	h = keel_http_header(req, "Range");
	if (h && strcmp(req->method, "GET") == 0) {
		const char *ir = keel_http_header(req, "If-Range");

		rv = ir && !if_range_holds(ir, etag, v.mtime)
		         ? HTTP_RANGE_NONE
		         : http_range_parse(h, strlen(h), len, &first, &last);
		if (rv == HTTP_RANGE_UNSATISFIABLE) {
			snprintf(range, sizeof(range), "bytes */%llu", (unsigned long long)len);
			keel_http_header_add(resp, "Content-Range", range);
			return keel_http_respond_status(resp, 416);
		}
		if (rv == HTTP_RANGE_OK) {
			snprintf(range, sizeof(range), "bytes %llu-%llu/%llu",
			         (unsigned long long)first, (unsigned long long)last,
			         (unsigned long long)len);
			keel_http_header_add(resp, "Content-Range", range);
			status = 206;
			len = last - first + 1;
		}
	}
	return send_body(resp, kv, &v, gz, status, v.content_type, first, len);
}

int keel_http_respond_kv(struct keel_http_request *req, struct keel_http_response *resp,
                         struct keel_kv *kv, const char *key)
{
	struct keel_kv_value v;

	if (keel_kv_get(kv, key, strlen(key), &v) != KEEL_OK)
		return keel_http_respond_status(resp, 404);
	return respond_value(req, resp, kv, &v);
}

/* 404, with the store's page for it when st names one held in memory. */
static int respond_not_found(struct keel_http_response *resp, const struct keel_http_static *st)
{
	struct keel_kv_value v;

	if (!st->not_found ||
	    keel_kv_get(st->kv, st->not_found, strlen(st->not_found), &v) != KEEL_OK || !v.data ||
	    v.len > SIZE_MAX)
		return keel_http_respond_status(resp, 404);
	return keel_http_respond(resp, 404, v.content_type, v.data, (size_t)v.len);
}

/*
 * Turns the wildcard of the path into a key: percent-decoded, every
 * component non-empty and neither "." nor "..", no NUL (the decoder
 * refuses it). Returns the key length, or -1.
 */
static long path_to_key(const char *rest, char *key, size_t size)
{
	long n = keel_http_percent_decode(rest, strlen(rest), key, size);
	size_t start = 0;

	if (n < 0)
		return -1;
	for (size_t i = 0; i <= (size_t)n; i++) {
		if (i < (size_t)n && key[i] != '/')
			continue;
		/* A component is key[start..i). An empty last one is the
		 * folder's index, allowed. */
		if ((i == start && i != (size_t)n) || (i - start == 1 && key[start] == '.') ||
		    (i - start == 2 && key[start] == '.' && key[start + 1] == '.'))
			return -1;
		start = i + 1;
	}
	return n;
}

int keel_http_static(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	const struct keel_http_static *st = arg;
	char key[KEEL_KV_KEY_MAX + 2];
	size_t ilen = st->index ? strlen(st->index) : 0;
	struct keel_kv_value v;
	long n;

	if (strcmp(req->method, "GET") != 0 && !req->is_head) {
		keel_http_header_add(resp, "Allow", "GET, HEAD");
		return keel_http_respond_status(resp, 405);
	}
	n = path_to_key(keel_http_wildcard(req), key, sizeof(key));
	if (n < 0)
		return respond_not_found(resp, st);
	if (n == 0 || key[n - 1] == '/') {
		if (!ilen || (size_t)n + ilen >= sizeof(key))
			return respond_not_found(resp, st);
		memcpy(key + n, st->index, ilen + 1);
		if (keel_kv_get(st->kv, key, (size_t)n + ilen, &v) != KEEL_OK)
			return respond_not_found(resp, st);
		return respond_value(req, resp, st->kv, &v);
	}
	if (keel_kv_get(st->kv, key, (size_t)n, &v) == KEEL_OK)
		return respond_value(req, resp, st->kv, &v);
	if (ilen && (size_t)n + 1 + ilen < sizeof(key)) {
		/* A folder named without its slash: send the client there,
		 * so that its relative links resolve. */
		key[n] = '/';
		memcpy(key + n + 1, st->index, ilen + 1);
		if (keel_kv_get(st->kv, key, (size_t)n + 1 + ilen, &v) == KEEL_OK) {
			char loc[KEEL_HTTP_RESPONSE_HEADERS_MAX];
			const char *q = keel_http_query(req);

			snprintf(loc, sizeof(loc), "%s/%s%s", keel_http_path(req), *q ? "?" : "",
			         q);
			if (keel_http_header_add(resp, "Location", loc) == KEEL_OK)
				return keel_http_respond_status(resp, 301);
		}
	}
	return respond_not_found(resp, st);
}

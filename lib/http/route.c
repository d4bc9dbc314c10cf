/*
 * The route table and dispatch.
 *
 * Routes are few (KEEL_HTTP_ROUTES_MAX) and matched by a scan: of the
 * routes whose pattern matches the path and whose method accepts the
 * request, the most specific wins (an exact pattern over any prefix, a
 * longer prefix over a shorter one, a route naming the method over "*" or
 * over GET answering a HEAD). When patterns match but no method does, the
 * answer is 405 with the methods that would have worked.
 */
#include <string.h>

#include "http_impl.h"

static bool method_valid(const char *m)
{
	if (strcmp(m, "*") == 0)
		return true;
	if (!*m || strlen(m) > HTTP_METHOD_MAX)
		return false;
	for (; *m; m++)
		if (!http_is_tchar((unsigned char)*m))
			return false;
	return true;
}

int keel_http_route(struct keel_http_server *s, const char *method, const char *pattern,
                    keel_http_handler fn, void *arg)
{
	size_t len;
	struct http_route *r;
	const char *star;

	if (!method || !pattern || !fn || !method_valid(method) || pattern[0] != '/')
		return KEEL_EINVAL;
	len = strlen(pattern);
	star = strchr(pattern, '*');
	if (star && star != pattern + len - 1)
		return KEEL_EINVAL; /* '*' only at the end */
	for (unsigned i = 0; i < s->nroutes; i++)
		if (strcmp(s->routes[i].method, method) == 0 &&
		    strcmp(s->routes[i].pattern, pattern) == 0)
			return KEEL_EEXIST;
	if (s->nroutes == KEEL_HTTP_ROUTES_MAX)
		return KEEL_ENOMEM;
	r = &s->routes[s->nroutes++];
	r->method = method;
	r->pattern = pattern;
	r->prefix = star != NULL;
	r->match_len = star ? len - 1 : len;
	r->fn = fn;
	r->arg = arg;
	return KEEL_OK;
}

static bool path_matches(const struct http_route *r, const char *path, size_t path_len)
{
	if (r->prefix)
		return path_len >= r->match_len && memcmp(path, r->pattern, r->match_len) == 0;
	return path_len == r->match_len && memcmp(path, r->pattern, path_len) == 0;
}

/* How well a route's method fits: 3 names it, 2 is "*", 1 is GET for a
 * HEAD, 0 does not accept it. */
static int method_fit(const struct http_route *r, const char *method, bool is_head)
{
	if (strcmp(r->method, method) == 0)
		return 3;
	if (strcmp(r->method, "*") == 0)
		return 2;
	if (is_head && strcmp(r->method, "GET") == 0)
		return 1;
	return 0;
}

/* Methods HTTP defines (RFC 9110 section 9, RFC 5789): unrouted, they get
 * 405; anything else 501. */
static bool method_known(const char *m)
{
	static const char *const known[] = { "GET",     "HEAD",    "POST",  "PUT",  "DELETE",
		                             "CONNECT", "OPTIONS", "TRACE", "PATCH" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(m, known[i]) == 0)
			return true;
	return false;
}

/* Adds `m` to the Allow list ("A, B, C") unless it is there. Walks the
 * list a name at a time: strstr would link a general substring search
 * (about 700 bytes) for a list that holds a few method names. */
static void allow_add(char *allow, size_t size, const char *m)
{
	size_t len = strlen(allow), mlen = strlen(m);
	const char *p = allow, *comma;
	size_t n;

	while (*p) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == mlen && memcmp(p, m, mlen) == 0)
			return;
		if (!comma)
			break;
		p = comma + 2; /* past ", " */
	}
	if (len + mlen + 3 > size)
		return;
	if (len) {
		memcpy(allow + len, ", ", 2);
		len += 2;
	}
	memcpy(allow + len, m, mlen + 1);
}

void http_dispatch(struct http_conn *c)
{
	struct keel_http_server *s = c->srv;
	struct keel_http_request *req = &c->req;
	const struct http_route *best = NULL;
	size_t path_len = strlen(req->path), best_len = 0;
	int best_fit = 0;
	bool path_found = false, method_routed = false;
	char allow[256] = "";
	int rc;

	for (unsigned i = 0; i < s->nroutes; i++) {
		const struct http_route *r = &s->routes[i];
		int fit = method_fit(r, req->method, req->is_head);
		/* Exact patterns rank above every prefix. */
		size_t rank = r->prefix ? r->match_len : (size_t)-1;

		if (fit == 3)
			method_routed = true;
		if (!path_matches(r, req->path, path_len))
			continue;
		path_found = true;
		if (!fit) {
			allow_add(allow, sizeof(allow), r->method);
			if (strcmp(r->method, "GET") == 0)
				allow_add(allow, sizeof(allow), "HEAD");
			continue;
		}
		if (!best || rank > best_len || (rank == best_len && fit > best_fit)) {
			best = r;
			best_len = rank;
			best_fit = fit;
		}
	}
	if (!best) {
		if (!method_routed && !method_known(req->method)) {
			/* A method we do not know may carry a body we cannot
			 * frame safely: answer, then close (keel/http.h). */
			http_respond_error(&c->resp, 501, true);
		} else if (strcmp(req->path, "*") == 0) {
			/* OPTIONS * asks about the server as a whole. */
			keel_http_respond(&c->resp, 200, NULL, NULL, 0);
		} else if (path_found) {
			keel_http_header_add(&c->resp, "Allow", allow);
			http_respond_error(&c->resp, 405, false);
		} else {
			http_respond_error(&c->resp, 404, false);
		}
		return;
	}
	req->wildcard = best->prefix ? req->path + best->match_len : "";
	rc = best->fn(req, &c->resp, best->arg);
	http_resp_after_handler(&c->resp, rc);
}

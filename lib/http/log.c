/*
 * The access log: one line per request, when the server's access_log is
 * on, through keel_log at KEEL_LOG_INFO:
 *
 *     http: 10.0.0.2:80 <- 10.0.0.1:5012 "GET /index.html" 200 5120 312us
 *
 * The method and path are printed as received; the parser let through
 * only visible characters, without quotes, so the line cannot be forged.
 * A request refused before its request line was understood shows "-".
 */
#include <keel/log.h>

#include "http_impl.h"

void http_log_request(struct http_conn *c, keel_time started)
{
	char peer[96];
	const char *method = c->req.method ? c->req.method : "-";
	const char *path = c->req.path ? c->req.path : "-";
	keel_time now;

	if (!c->srv->cfg.access_log)
		return;
	now = keel_now();
	peer[0] = '-';
	peer[1] = 0;
	if (c->flow->ops->describe)
		c->flow->ops->describe(c->flow, peer, sizeof(peer));
	keel_log(KEEL_LOG_INFO, "http: %s \"%s %s\" %d %llu %lluus", peer, method, path,
	         c->resp.status, (unsigned long long)c->resp.sent,
	         (unsigned long long)((now - started) / KEEL_USEC));
}

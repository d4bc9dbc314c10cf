/*
 * The server object: configuration, counters, the connection bound, and
 * keel_http_serve_flow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_impl.h"

void keel_http_config_default(struct keel_http_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 64;
	cfg->idle_timeout = 30 * KEEL_SEC;
	cfg->header_timeout = 10 * KEEL_SEC;
	cfg->body_timeout = 30 * KEEL_SEC;
	cfg->write_timeout = 30 * KEEL_SEC;
	cfg->max_body = 1024 * 1024;
}

struct keel_http_server *keel_http_server_new(const struct keel_http_config *cfg)
{
	struct keel_http_server *s = calloc(1, sizeof(*s));
	struct keel_http_config d;

	if (!s)
		return NULL;
	keel_http_config_default(&d);
	if (cfg) {
		s->cfg = *cfg;
		if (!s->cfg.max_conns)
			s->cfg.max_conns = d.max_conns;
		if (!s->cfg.idle_timeout)
			s->cfg.idle_timeout = d.idle_timeout;
		if (!s->cfg.header_timeout)
			s->cfg.header_timeout = d.header_timeout;
		if (!s->cfg.body_timeout)
			s->cfg.body_timeout = d.body_timeout;
		if (!s->cfg.write_timeout)
			s->cfg.write_timeout = d.write_timeout;
		if (!s->cfg.max_body)
			s->cfg.max_body = d.max_body;
	} else {
		s->cfg = d;
	}
	return s;
}

void keel_http_server_free(struct keel_http_server *s)
{
	free(s);
}

void keel_http_stats(const struct keel_http_server *s, struct keel_http_stats *out)
{
	*out = s->stats;
}

void http_count_response(struct keel_http_server *s, int status)
{
	s->stats.responses[status / 100 <= 5 ? status / 100 : 0]++;
}

void http_refuse(struct keel_http_server *s, struct keel_flow *flow)
{
	char head[256];
	static const char body[] = "503 Service Unavailable\n";
	struct keel_iovec iov[2];
	char sink[256];
	size_t dropped = 0;
	keel_time deadline;
	long got;
	int n;

	s->stats.conns_refused++;
	http_count_response(s, 503);
	n = snprintf(head, sizeof(head),
	             "HTTP/1.1 503 Service Unavailable\r\n%sServer: keel\r\n"
	             "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
	             "Connection: close\r\n\r\n",
	             http_server_date(s), sizeof(body) - 1);
	iov[0] = (struct keel_iovec){ head, (size_t)n };
	iov[1] = (struct keel_iovec){ body, sizeof(body) - 1 };
	/* Short deadlines: a refusal must cost us little. */
	deadline = http_deadline(KEEL_SEC);
	if (keel_writev(flow, iov, 2, deadline) > 0) {
		keel_shutdown(flow, KEEL_SHUT_WR);
		while (dropped < 16 * 1024 &&
		       (got = keel_read(flow, sink, sizeof(sink), deadline)) > 0)
			dropped += (size_t)got;
	}
	keel_close(flow);
}

int keel_http_serve_flow(struct keel_http_server *s, struct keel_flow *flow)
{
	if (s->stats.conns_live >= s->cfg.max_conns) {
		http_refuse(s, flow);
		return KEEL_ENOMEM;
	}
	s->stats.conns_live++;
	s->stats.conns_accepted++;
	http_conn_run(s, flow);
	s->stats.conns_live--;
	return KEEL_OK;
}

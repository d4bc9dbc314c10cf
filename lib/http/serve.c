/*
 * keel_http_serve: the accept loop. It needs only keel/net.h; the network
 * library the application links (the direct stack or the socket stack)
 * provides keel_tcp_accept. Applications that accept connections
 * themselves use keel_http_serve_flow and never pull this file in.
 *
 * Each accepted connection gets a fiber. Past max_conns a connection gets
 * a 503 from one of at most REFUSERS small fibers, or, when those are all
 * busy, is closed at once: a flood costs a bounded amount of memory.
 */
#include <stdlib.h>

#include <keel/log.h>
#include <keel/net.h>

#include "http_impl.h"

#define REFUSERS 8

struct job {
	struct keel_http_server *s;
	struct keel_flow *flow;
};

static void conn_fiber(void *arg)
{
	struct job job = *(struct job *)arg;

	free(arg);
	http_conn_run(job.s, job.flow);
	job.s->stats.conns_live--;
}

static void refuse_fiber(void *arg)
{
	struct job job = *(struct job *)arg;

	free(arg);
	http_refuse(job.s, job.flow);
	job.s->refusing--;
}

static void spawn(struct keel_http_server *s, struct keel_flow *flow, bool refuse)
{
	struct job *job = malloc(sizeof(*job));
	size_t stack = refuse ? KEEL_FIBER_STACK_MIN : s->cfg.fiber_stack;

	if (job) {
		job->s = s;
		job->flow = flow;
		if (keel_fiber_spawn(refuse ? refuse_fiber : conn_fiber, job, stack))
			return;
		free(job);
	}
	/* No memory for a fiber: the connection cannot be served. */
	if (!refuse)
		s->stats.conns_live--;
	else
		s->refusing--;
	s->stats.conns_refused++;
	keel_close(flow);
}

int keel_http_serve(struct keel_http_server *s, struct keel_listener *l)
{
	for (;;) {
		struct keel_flow *flow;
		struct keel_sockaddr peer;
		int err = keel_tcp_accept(l, &flow, &peer, KEEL_FOREVER);

		if (err == KEEL_ECLOSED)
			return KEEL_OK;
		if (err < 0) {
			/* Transient (no memory for a connection): try again
			 * shortly rather than spin. */
			KEEL_DEBUG("http: accept: %s", keel_strerror(err));
			keel_sleep(10 * KEEL_MSEC);
			continue;
		}
		if (s->stats.conns_live >= s->cfg.max_conns) {
			if (s->refusing < REFUSERS) {
				s->refusing++;
				spawn(s, flow, true);
			} else {
				s->stats.conns_refused++;
				keel_close(flow);
			}
			continue;
		}
		s->stats.conns_live++;
		s->stats.conns_accepted++;
		spawn(s, flow, false);
	}
}

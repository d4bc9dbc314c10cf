/*
 * nsock_impl.h — private to lib/net-socket, the socket stack: the stack
 * instance, what every object holding a host socket shares, and the
 * helpers the files use. Symbols shared between files carry the prefix
 * nsock_. The pure parts (addr.c, config.c, dns_msg.c) do not include
 * this header: they build and are tested on the host.
 */
#ifndef KEEL_NSOCK_IMPL_H
#define KEEL_NSOCK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/core.h>
#include <keel/flow.h>
#include <keel/log.h>
#include <keel/net.h>

#include "hostsock.h" /* platform/linux: the host's socket calls */

/* Bounds when the configuration leaves them 0. The host's own limit on
 * descriptors applies too (the platform raises it to the hard limit). */
#define NSOCK_DEFAULT_MAX_CONNS 4096
#define NSOCK_DEFAULT_BACKLOG 128
#define NSOCK_MAX_BACKLOG 65535

struct keel_net {
	struct keel_addr dns; /* UNSPEC: keel_resolve has no server */
	uint32_t max_conns;   /* TCP connections open at once */
	struct keel_net_stats stats;
	/* What the application holds besides connections (those are
	 * stats.tcp_conns_live): keel_net_close refuses while any is open. */
	uint32_t listeners, udp_endpoints, connecting;
};

/*
 * What every object holding a host socket (a connection, a listener, a UDP
 * endpoint) has in common. Fibers park on `readers` / `writers`; the
 * readiness callback (poller.c) wakes them from the socket's epoll events.
 *
 * Lifetime: closing marks it closed, closes the descriptor and wakes every
 * waiter, which then finds `closed` and returns KEEL_ECLOSED. The memory
 * lives on while a fiber is still inside a call on it (`users`): the last
 * one out frees it. So a call does nsock_enter() first and nsock_leave()
 * last, touching nothing of the object after that.
 */
struct nsock {
	int fd;      /* -1 once closed */
	bool closed; /* its owner closed it */
	unsigned users;
	void *mem;                 /* the allocation that holds it */
	struct keel_waitq readers; /* input, a connection to accept, errors */
	struct keel_waitq writers; /* room to write, a connect that ended */
};

/* sock.c */

/* Opens a socket of `type` (LINUX_SOCK_STREAM / _DGRAM) into *s, held by
 * `mem`, and puts it in the readiness set. KEEL_ENOMEM when the host has
 * no descriptor or memory left. */
int nsock_open(struct nsock *s, int type, void *mem);

/* The same for a descriptor accept gave. On failure the fd is closed. */
int nsock_adopt(struct nsock *s, int fd, void *mem);

void nsock_enter(struct nsock *s);
void nsock_leave(struct nsock *s);

/* See struct nsock. Does not block. */
void nsock_close(struct nsock *s);

/*
 * Parks the calling fiber on `q` until the socket has news or `deadline`.
 * Returns false when the deadline has passed: the caller then tries its
 * call once more and gives up with KEEL_ETIMEDOUT if that finds nothing.
 */
bool nsock_wait(struct keel_waitq *q, keel_time deadline);

/* A negated errno value as the keel_err a caller should see. */
int nsock_error(long err);

/* Text for a negated errno value, for log lines. */
const char *nsock_strerror(long err);

/* keel_sockaddr <-> the kernel's sockaddr_in. KEEL_EINVAL unless IPv4. */
int nsock_to_host(const struct keel_sockaddr *sa, struct linux_sockaddr_in *out);
void nsock_from_host(const struct linux_sockaddr_in *in, struct keel_sockaddr *out);

/* poller.c: starts watching the platform's readiness set (once). */
int nsock_poller_start(void);

/* tcp_flow.c: a connection is a flow whose ops are these. */
struct nsock_conn {
	struct keel_flow flow; /* first: the connection is the flow */
	struct nsock sock;
	struct keel_net *net;
	struct keel_sockaddr remote;
	bool passive; /* accepted rather than connected */
	bool rd_shut, wr_shut;
};

extern const struct keel_flow_ops nsock_tcp_ops;

/* A new connection, its flow ops set, holding no socket yet (the caller
 * opens or adopts one into c->sock). NULL when the heap is exhausted. */
struct nsock_conn *nsock_conn_alloc(struct keel_net *net, bool passive);

#endif

/*
 * socksealed — probes the seal of an image that links the socket stack
 * (tests/net-socket/seal.t). No devices, so the platform's epoll set is
 * fd 3 and sockets start at fd 4.
 *
 *   socksealed ok PORT   uses the whole stack over loopback (listen on
 *                        127.0.0.1:PORT, connect to it, accept, data both
 *                        ways, options, shutdown; UDP to itself; the
 *                        allowed raw socket call; closing a flow and a
 *                        listener another fiber is parked on; ports PORT
 *                        to PORT + 2); prints "sealed: ok"
 *   socksealed MODE      opens the stack and one UDP socket, prints
 *                        "before MODE", makes one call the seal must
 *                        refuse (raw, bypassing the platform), then
 *                        prints "after MODE" and exits 3 — which the test
 *                        counts as a failure: the image must have died of
 *                        SIGSYS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/net.h>

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_ioctl 16
#define SYS_dup 32
#define SYS_socket 41
#define SYS_sendmsg 46
#define SYS_execve 59
#define SYS_fcntl 72
#define SYS_epoll_wait 232
#define SYS_epoll_ctl 233
#define SYS_openat 257
#define SYS_accept4 288
#define SYS_epoll_create1 291
#define SYS_setsockopt 54
#define SYS_getsockopt 55

#define AF_INET 2
#define AF_UNIX 1
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define NB_CLOEXEC (04000 | 02000000)
#define SOL_SOCKET 1
#define SO_BROADCAST 6
#define SO_BINDTODEVICE 25
#define IPPROTO_TCP 6
#define TCP_CONGESTION 13
#define EPOLL_FD 3

static long raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

static int fail(const char *what, int rc)
{
	printf("sealed: FAIL: %s: %s\n", what, keel_strerror(rc));
	return 1;
}

static struct keel_net *net;

/* The accepting side of the loopback connection: echoes one message. */
static void server(void *arg)
{
	struct keel_listener *l = arg;
	struct keel_sockaddr peer;
	struct keel_flow *f;
	char buf[64];
	long n;

	if (keel_tcp_accept(l, &f, &peer, keel_now() + 5 * KEEL_SEC) != KEEL_OK)
		return;
	n = keel_read(f, buf, sizeof(buf), keel_now() + 5 * KEEL_SEC);
	if (n > 0)
		keel_write(f, buf, (size_t)n, keel_now() + 5 * KEEL_SEC);
	/* End of stream from the peer, then ours. */
	keel_read(f, buf, sizeof(buf), keel_now() + 5 * KEEL_SEC);
	keel_close(f);
}

/* A fiber parked in a call that another fiber's close must end. */
struct parked {
	struct keel_flow *f;
	struct keel_listener *l;
	long result;
	bool done;
};

static void park_read(void *arg)
{
	struct parked *p = arg;
	char byte;

	p->result = keel_read(p->f, &byte, 1, KEEL_FOREVER);
	p->done = true;
}

static void park_accept(void *arg)
{
	struct parked *p = arg;
	struct keel_flow *f;

	p->result = keel_tcp_accept(p->l, &f, NULL, KEEL_FOREVER);
	p->done = true;
}

/* Closing wakes the fiber parked on the object with KEEL_ECLOSED; the
 * object must live until that fiber is out of the call, or the image
 * would read freed memory. */
static int close_wakes(unsigned port)
{
	struct keel_sockaddr at = { keel_addr_ipv4(127, 0, 0, 1), (uint16_t)port };
	struct parked p = { 0 };
	struct keel_flow *server_side;
	int rc;

	rc = keel_tcp_listen(net, &at, 0, &p.l);
	if (rc != KEEL_OK)
		return fail("listen (close)", rc);
	rc = keel_tcp_connect(net, &at, keel_now() + 5 * KEEL_SEC, &p.f);
	if (rc != KEEL_OK)
		return fail("connect (close)", rc);
	rc = keel_tcp_accept(p.l, &server_side, NULL, keel_now() + 5 * KEEL_SEC);
	if (rc != KEEL_OK)
		return fail("accept (close)", rc);
	if (!keel_fiber_spawn(park_read, &p, 0))
		return fail("spawn", KEEL_ENOMEM);
	keel_sleep(20 * KEEL_MSEC);
	keel_close(p.f);
	keel_sleep(20 * KEEL_MSEC);
	if (!p.done || p.result != KEEL_ECLOSED)
		return fail("a read parked across close", p.done ? (int)p.result : KEEL_EAGAIN);
	keel_close(server_side);

	p.done = false;
	if (!keel_fiber_spawn(park_accept, &p, 0))
		return fail("spawn", KEEL_ENOMEM);
	keel_sleep(20 * KEEL_MSEC);
	keel_tcp_listener_close(p.l);
	keel_sleep(20 * KEEL_MSEC);
	if (!p.done || p.result != KEEL_ECLOSED)
		return fail("an accept parked across close", p.done ? (int)p.result : KEEL_EAGAIN);
	return 0;
}

static int everything(unsigned port)
{
	struct keel_sockaddr at = { keel_addr_ipv4(127, 0, 0, 1), (uint16_t)port };
	struct keel_sockaddr any = { keel_addr_any4(), 0 }, local, remote, from;
	struct keel_listener *l;
	struct keel_udp *u;
	struct keel_flow *f;
	struct keel_addr a;
	char buf[64], desc[128];
	int rc, value;
	long n;

	rc = keel_tcp_listen(net, &at, 0, &l);
	if (rc != KEEL_OK)
		return fail("listen", rc);
	if (!keel_fiber_spawn(server, l, 0))
		return fail("spawn", KEEL_ENOMEM);
	rc = keel_tcp_connect(net, &at, keel_now() + 5 * KEEL_SEC, &f);
	if (rc != KEEL_OK)
		return fail("connect", rc);
	if ((rc = keel_flow_set(f, KEEL_FLOW_NODELAY, 1)) != KEEL_OK ||
	    (rc = keel_flow_set(f, KEEL_FLOW_KEEPALIVE, 30)) != KEEL_OK ||
	    (rc = keel_flow_set(f, KEEL_FLOW_SNDBUF, 65536)) != KEEL_OK ||
	    (rc = keel_flow_set(f, KEEL_FLOW_RCVBUF, 65536)) != KEEL_OK)
		return fail("keel_flow_set", rc);
	if ((rc = keel_flow_get(f, KEEL_FLOW_NODELAY, &value)) != KEEL_OK || value != 1)
		return fail("keel_flow_get nodelay", rc);
	if ((rc = keel_flow_get(f, KEEL_FLOW_KEEPALIVE, &value)) != KEEL_OK || value != 30)
		return fail("keel_flow_get keepalive", rc);
	if ((rc = keel_flow_get(f, KEEL_FLOW_RCVBUF, &value)) != KEEL_OK || value <= 0)
		return fail("keel_flow_get rcvbuf", rc);
	rc = keel_tcp_endpoints(f, &local, &remote);
	if (rc != KEEL_OK || remote.port != port || local.port == 0)
		return fail("keel_tcp_endpoints", rc);
	f->ops->describe(f, desc, sizeof(desc));
	printf("sealed: %s\n", desc);
	if (keel_write(f, "ping", 4, keel_now() + 5 * KEEL_SEC) != 4)
		return fail("write", KEEL_EIO);
	n = keel_read(f, buf, sizeof(buf), keel_now() + 5 * KEEL_SEC);
	if (n != 4 || memcmp(buf, "ping", 4) != 0)
		return fail("read the echo", n < 0 ? (int)n : KEEL_EIO);
	/* Nothing more comes before the deadline. */
	n = keel_read(f, buf, sizeof(buf), keel_now() + 50 * KEEL_MSEC);
	if (n != KEEL_ETIMEDOUT)
		return fail("read with a past deadline", (int)n);
	if ((rc = keel_shutdown(f, KEEL_SHUT_WR)) != KEEL_OK)
		return fail("shutdown", rc);
	n = keel_read(f, buf, sizeof(buf), keel_now() + 5 * KEEL_SEC);
	if (n != 0)
		return fail("end of stream", (int)n);
	keel_close(f);
	keel_tcp_listener_close(l);

	rc = keel_udp_bind(net, &any, &u);
	if (rc != KEEL_OK)
		return fail("udp bind", rc);
	at.port = (uint16_t)(port + 1);
	{
		struct keel_udp *v;

		rc = keel_udp_bind(net, &at, &v);
		if (rc != KEEL_OK)
			return fail("udp bind 2", rc);
		if (keel_udp_sendto(u, "dgram", 5, &at) != 5)
			return fail("sendto", KEEL_EIO);
		n = keel_udp_recvfrom(v, buf, 2, &from, keel_now() + 5 * KEEL_SEC);
		if (n != 5 || memcmp(buf, "dg", 2) != 0)
			return fail("recvfrom (cut to 2 bytes)", n < 0 ? (int)n : KEEL_EIO);
		keel_udp_close(v);
	}
	keel_udp_close(u);
	if ((rc = keel_resolve(net, "192.0.2.7", &a, keel_now() + KEEL_SEC)) != KEEL_OK ||
	    a.bytes[3] != 7)
		return fail("resolve a dotted quad", rc);

	/* The raw call the seal allows, and closing what it made. */
	n = raw6(SYS_socket, AF_INET, SOCK_STREAM | NB_CLOEXEC, 0, 0, 0, 0);
	if (n <= EPOLL_FD)
		return fail("raw socket", KEEL_EIO);
	raw6(SYS_close, n, 0, 0, 0, 0, 0);
	if (close_wakes(port + 2) != 0)
		return 1;
	printf("sealed: ok\n");
	return 0;
}

static const struct {
	const char *mode;
	long nr, a[4];
	bool on_socket; /* a[0] is replaced by the probe's socket */
} probes[] = {
	{ "open", SYS_open, { 0, 0, 0, 0 }, false }, /* a[0]: the path, below */
	{ "openat", SYS_openat, { -100, 0, 0, 0 }, false },
	{ "execve", SYS_execve, { 0, 0, 0, 0 }, false },
	{ "socket_unix", SYS_socket, { AF_UNIX, SOCK_STREAM | NB_CLOEXEC, 0, 0 }, false },
	{ "socket_inet6", SYS_socket, { AF_INET6, SOCK_STREAM | NB_CLOEXEC, 0, 0 }, false },
	{ "socket_raw", SYS_socket, { AF_INET, SOCK_RAW | NB_CLOEXEC, 1, 0 }, false },
	{ "socket_blocking", SYS_socket, { AF_INET, SOCK_STREAM, 0, 0 }, false },
	{ "socket_protocol", SYS_socket, { AF_INET, SOCK_STREAM | NB_CLOEXEC, 6, 0 }, false },
	{ "accept_blocking", SYS_accept4, { 0, 0, 0, 0 }, true },
	{ "setsockopt_broadcast", SYS_setsockopt, { 0, SOL_SOCKET, SO_BROADCAST, 0 }, true },
	{ "setsockopt_bindtodevice", SYS_setsockopt, { 0, SOL_SOCKET, SO_BINDTODEVICE, 0 }, true },
	{ "getsockopt_congestion", SYS_getsockopt, { 0, IPPROTO_TCP, TCP_CONGESTION, 0 }, true },
	{ "sendmsg", SYS_sendmsg, { 0, 0, 0, 0 }, true },
	{ "write_socket", SYS_write, { 0, 0, 0, 0 }, true },
	{ "ioctl_socket", SYS_ioctl, { 0, 0x5421 /* FIONBIO */, 0, 0 }, true },
	{ "fcntl_socket", SYS_fcntl, { 0, 4 /* F_SETFL */, 0, 0 }, true },
	{ "dup_socket", SYS_dup, { 0, 0, 0, 0 }, true },
	{ "close_console", SYS_close, { 1, 0, 0, 0 }, false },
	{ "close_epoll", SYS_close, { EPOLL_FD, 0, 0, 0 }, false },
	{ "read_stdin", SYS_read, { 0, 0, 0, 0 }, false },
	{ "epoll_create", SYS_epoll_create1, { 0, 0, 0, 0 }, false },
	{ "epoll_wait_blocking", SYS_epoll_wait, { EPOLL_FD, 0, 1, -1 }, false },
	{ "epoll_wait_other_fd", SYS_epoll_wait, { 0, 0, 1, 0 }, true },
	{ "epoll_ctl_console", SYS_epoll_ctl, { EPOLL_FD, 1 /* ADD */, 1, 0 }, false },
};

static int probe(const char *mode)
{
	static char *const no_args[] = { NULL };
	struct keel_sockaddr any = { keel_addr_any4(), 0 };
	struct keel_udp *u;
	long fd;
	int rc;

	/* The stack is live, and a socket of the image exists. */
	rc = keel_udp_bind(net, &any, &u);
	if (rc != KEEL_OK)
		return fail("udp bind", rc);
	fd = raw6(SYS_socket, AF_INET, SOCK_STREAM | NB_CLOEXEC, 0, 0, 0, 0);
	if (fd <= EPOLL_FD)
		return fail("raw socket", KEEL_EIO);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		long a0 = probes[i].on_socket ? fd : probes[i].a[0];
		char buf[8];

		if (strcmp(probes[i].mode, mode) != 0)
			continue;
		if (probes[i].nr == SYS_open || probes[i].nr == SYS_execve)
			a0 = (long)(probes[i].nr == SYS_open ? "/etc/passwd" : "/bin/true");
		printf("before %s\n", mode);
		if (probes[i].nr == SYS_openat)
			raw6(SYS_openat, -100, (long)"/etc/passwd", 0, 0, 0, 0);
		else if (probes[i].nr == SYS_execve)
			raw6(SYS_execve, a0, (long)no_args, (long)no_args, 0, 0, 0);
		else if (probes[i].nr == SYS_write || probes[i].nr == SYS_read)
			raw6(probes[i].nr, a0, (long)buf, 1, 0, 0, 0);
		else
			raw6(probes[i].nr, a0, probes[i].a[1], probes[i].a[2], probes[i].a[3], 0,
			     0);
		printf("after %s\n", mode);
		return 3;
	}
	printf("sealed: unknown mode '%s'\n", mode);
	return 2;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		printf("usage: socksealed ok PORT | socksealed MODE\n");
		return 2;
	}
	rc = keel_net_open("unused", NULL, keel_now() + KEEL_SEC, &net);
	if (rc != KEEL_OK)
		return fail("keel_net_open", rc);
	if (strcmp(argv[1], "ok") == 0)
		return everything(argc > 2 ? (unsigned)atoi(argv[2]) : 47100);
	return probe(argv[1]);
}

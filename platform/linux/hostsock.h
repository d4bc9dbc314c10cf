/*
 * hostsock.h — the host kernel's sockets, for lib/net-socket (the socket
 * stack) on the linux target only. Not part of keel/platform.h: no other
 * target has host sockets, and nothing but the socket stack includes this
 * header (its build.mk adds platform/linux to its include path).
 *
 * All of these work only in an image whose manifest asks for host sockets
 * (KEEL_HOST_SOCKETS(), which lib/net-socket emits): only then does the
 * platform create the readiness set at start and does its seccomp filter
 * let the calls below through (platform/linux/README.md lists exactly
 * which, with which arguments). Without the note they kill the image.
 *
 * The calls are thin: each is one system call (EINTR is retried) and
 * returns the kernel's result, >= 0 on success or a negated errno value
 * (LINUX_E* in abi.h). Sockets are always IPv4 (AF_INET), non-blocking and
 * close-on-exec; none of these calls ever waits. Waiting is kp_yield()'s
 * job: every socket is put in the platform's one epoll set, which kp_yield()
 * reports as a device handle (kp_linux_hostpoll_handle()); when it is ready,
 * kp_linux_hostpoll_take() says which sockets have news.
 */
#ifndef KEEL_LINUX_HOSTSOCK_H
#define KEEL_LINUX_HOSTSOCK_H

#include <stddef.h>
#include <stdint.h>

#include <keel/platform.h>

#include "abi.h"

/* ---- Readiness ----------------------------------------------------------- */

/*
 * The handle kp_yield() reports when some socket in the set has news
 * (watch it with keel_io_watch). KEEL_ENOTSUP when the image has no host
 * sockets (no KEEL_NOTE_HOSTNET note).
 */
int kp_linux_hostpoll_handle(kp_handle *handle);

/*
 * Puts socket `fd` in the set, edge-triggered, for input, output, errors
 * and the peer's end of stream (EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET); the
 * events will carry `cookie`. A socket leaves the set by itself when it
 * is closed. Returns 0 or -errno.
 */
long kp_linux_hostpoll_add(int fd, uint64_t cookie);

/*
 * Takes up to `max` pending events without waiting. Returns how many were
 * stored in ev[] (0: none), or -errno.
 */
long kp_linux_hostpoll_take(struct linux_epoll_event *ev, unsigned max);

/* ---- Sockets ------------------------------------------------------------- */

/* A new socket: `type` LINUX_SOCK_STREAM (TCP) or LINUX_SOCK_DGRAM (UDP).
 * Returns its descriptor or -errno (-EINVAL for another type). */
long kp_linux_sock_open(int type);

long kp_linux_sock_bind(int fd, const struct linux_sockaddr_in *local);
long kp_linux_sock_listen(int fd, int backlog);

/* The next pending connection (non-blocking, close-on-exec) and its peer's
 * address; -EAGAIN when none is pending. */
long kp_linux_sock_accept(int fd, struct linux_sockaddr_in *peer);

/* Starts connecting; -EINPROGRESS while the handshake runs (the socket
 * becomes writable when it ends; see kp_linux_sock_error()). */
long kp_linux_sock_connect(int fd, const struct linux_sockaddr_in *remote);

/* The pending error of the socket (SO_ERROR, cleared by reading it), as
 * -errno, or 0; or the error of the call itself. */
long kp_linux_sock_error(int fd);

/* The local / remote address of the socket. */
long kp_linux_sock_name(int fd, struct linux_sockaddr_in *local);
long kp_linux_sock_peer(int fd, struct linux_sockaddr_in *remote);

/* setsockopt / getsockopt of one int-sized or struct option. Only the
 * options the seal allows may be used (README.md). */
long kp_linux_sock_setopt(int fd, int level, int name, const void *value, unsigned len);
long kp_linux_sock_getopt(int fd, int level, int name, void *value, unsigned *len);

/* how: LINUX_SHUT_RD, LINUX_SHUT_WR or LINUX_SHUT_RDWR. */
long kp_linux_sock_shutdown(int fd, int how);

/* Closes the socket (it leaves the readiness set). */
void kp_linux_sock_close(int fd);

/* Stream data: 0 from read means end of stream; -EAGAIN: nothing now. */
long kp_linux_sock_read(int fd, void *buf, size_t len);
long kp_linux_sock_writev(int fd, const struct linux_iovec *iov, unsigned iovcnt);

/* One datagram to `to`. */
long kp_linux_sock_sendto(int fd, const void *buf, size_t len, const struct linux_sockaddr_in *to);

/* One datagram into buf, its source in *from; returns the datagram's full
 * length, which exceeds `len` when the rest was cut off (MSG_TRUNC). */
long kp_linux_sock_recvfrom(int fd, void *buf, size_t len, struct linux_sockaddr_in *from);

#endif

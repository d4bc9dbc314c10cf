/*
 * sock.c — what every host socket of the stack shares: opening it into
 * the readiness set, its lifetime (see struct nsock), waiting on it, and
 * translating the kernel's errors and addresses.
 */
#include <stdlib.h>
#include <string.h>

#include "nsock_impl.h"

int nsock_adopt(struct nsock *s, int fd, void *mem)
{
	long err;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->mem = mem;
	keel_waitq_init(&s->readers);
	keel_waitq_init(&s->writers);
	/* The event carries the object: events stop when the fd is closed,
	 * which nsock_close() does before the memory can go. */
	err = kp_linux_hostpoll_add(fd, (uint64_t)(uintptr_t)s);
	if (err < 0) {
		kp_linux_sock_close(fd);
		s->fd = -1;
		return nsock_error(err);
	}
	return KEEL_OK;
}

int nsock_open(struct nsock *s, int type, void *mem)
{
	long fd = kp_linux_sock_open(type);

	if (fd < 0)
		return nsock_error(fd);
	return nsock_adopt(s, (int)fd, mem);
}

void nsock_enter(struct nsock *s)
{
	s->users++;
}

void nsock_leave(struct nsock *s)
{
	if (--s->users == 0 && s->closed)
		free(s->mem);
}

void nsock_close(struct nsock *s)
{
	if (s->closed)
		return;
	s->closed = true;
	if (s->fd >= 0)
		kp_linux_sock_close(s->fd);
	s->fd = -1;
	keel_wake_all(&s->readers);
	keel_wake_all(&s->writers);
	if (s->users == 0)
		free(s->mem);
}

bool nsock_wait(struct keel_waitq *q, keel_time deadline)
{
	if (deadline != KEEL_FOREVER && keel_now() >= deadline)
		return false;
	return keel_wait(q, deadline) == KEEL_OK;
}

int nsock_error(long err)
{
	switch (-err) {
	case 0:
		return KEEL_OK;
	case LINUX_EAGAIN:
	case LINUX_EINPROGRESS:
	case LINUX_EALREADY:
		return KEEL_EAGAIN;
	case LINUX_ECONNREFUSED:
		return KEEL_ECONNREFUSED;
	case LINUX_ECONNRESET:
	case LINUX_ECONNABORTED:
	case LINUX_EPIPE:
		return KEEL_ECONNRESET;
	case LINUX_ETIMEDOUT:
		return KEEL_ETIMEDOUT;
	case LINUX_EADDRINUSE:
		return KEEL_EADDRINUSE;
	case LINUX_ENETUNREACH:
	case LINUX_EHOSTUNREACH:
	case LINUX_EHOSTDOWN:
	case LINUX_ENETDOWN:
		return KEEL_EHOSTUNREACH;
	case LINUX_ENOTCONN:
		return KEEL_ENOTCONN;
	case LINUX_EMFILE:
	case LINUX_ENFILE:
	case LINUX_ENOBUFS:
	case LINUX_ENOMEM:
		return KEEL_ENOMEM;
	case LINUX_EINVAL:
	case LINUX_EADDRNOTAVAIL:
	case LINUX_EMSGSIZE:
	case LINUX_EACCES:
	case LINUX_EPERM:
		return KEEL_EINVAL;
	default:
		return KEEL_EIO;
	}
}

const char *nsock_strerror(long err)
{
	switch (-err) {
	case LINUX_EACCES:
		return "permission denied";
	case LINUX_EPERM:
		return "operation not permitted";
	case LINUX_EADDRNOTAVAIL:
		return "address not available on this host";
	case LINUX_EMFILE:
		return "too many open files (RLIMIT_NOFILE)";
	case LINUX_ENFILE:
		return "too many open files in the system";
	default:
		return keel_strerror(nsock_error(err));
	}
}

int nsock_to_host(const struct keel_sockaddr *sa, struct linux_sockaddr_in *out)
{
	if (!sa || sa->addr.family != KEEL_AF_INET4)
		return KEEL_EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = LINUX_AF_INET;
	out->port[0] = (uint8_t)(sa->port >> 8);
	out->port[1] = (uint8_t)sa->port;
	memcpy(out->addr, sa->addr.bytes, 4);
	return KEEL_OK;
}

void nsock_from_host(const struct linux_sockaddr_in *in, struct keel_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	out->addr.family = KEEL_AF_INET4;
	memcpy(out->addr.bytes, in->addr, 4);
	out->port = (uint16_t)(in->port[0] << 8 | in->port[1]);
}

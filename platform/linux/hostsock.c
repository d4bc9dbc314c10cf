/*
 * hostsock.c — the socket calls of hostsock.h: one system call each, with
 * exactly the arguments the seal allows (filter.c), EINTR retried.
 */
#include "hostsock.h"
#include "platform_impl.h"

/* Every socket, whether made here or by accept, is both. */
#define SOCK_FLAGS (LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC)

/*
 * The calls that move data or take a connection repeat themselves when
 * the kernel interrupted them (no signal handler ever runs, but stopping
 * and continuing the process can still interrupt a call).
 */

long kp_linux_sock_open(int type)
{
	if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM)
		return -LINUX_EINVAL;
	return linux_syscall3(LINUX_SYS_socket, LINUX_AF_INET, type | SOCK_FLAGS, 0);
}

long kp_linux_sock_bind(int fd, const struct linux_sockaddr_in *local)
{
	return linux_syscall3(LINUX_SYS_bind, fd, (long)local, sizeof(*local));
}

long kp_linux_sock_listen(int fd, int backlog)
{
	return linux_syscall2(LINUX_SYS_listen, fd, backlog);
}

long kp_linux_sock_accept(int fd, struct linux_sockaddr_in *peer)
{
	uint32_t len = sizeof(*peer);
	long fd_new;

	do {
		fd_new = linux_syscall4(LINUX_SYS_accept4, fd, (long)peer, (long)&len, SOCK_FLAGS);
	} while (fd_new == -LINUX_EINTR);
	return fd_new;
}

long kp_linux_sock_connect(int fd, const struct linux_sockaddr_in *remote)
{
	/* An interrupted connect goes on in the background; calling it
	 * again would say EALREADY, so EINTR is left to the caller, who
	 * treats it as EINPROGRESS. */
	long err = linux_syscall3(LINUX_SYS_connect, fd, (long)remote, sizeof(*remote));

	return err == -LINUX_EINTR ? -LINUX_EINPROGRESS : err;
}

long kp_linux_sock_error(int fd)
{
	int32_t value = 0;
	uint32_t len = sizeof(value);
	long err = linux_syscall6(LINUX_SYS_getsockopt, fd, LINUX_SOL_SOCKET, LINUX_SO_ERROR,
	                          (long)&value, (long)&len, 0);

	return err < 0 ? err : -(long)value;
}

long kp_linux_sock_name(int fd, struct linux_sockaddr_in *local)
{
	uint32_t len = sizeof(*local);

	return linux_syscall3(LINUX_SYS_getsockname, fd, (long)local, (long)&len);
}

long kp_linux_sock_peer(int fd, struct linux_sockaddr_in *remote)
{
	uint32_t len = sizeof(*remote);

	return linux_syscall3(LINUX_SYS_getpeername, fd, (long)remote, (long)&len);
}

long kp_linux_sock_setopt(int fd, int level, int name, const void *value, unsigned len)
{
	return linux_syscall6(LINUX_SYS_setsockopt, fd, level, name, (long)value, len, 0);
}

long kp_linux_sock_getopt(int fd, int level, int name, void *value, unsigned *len)
{
	uint32_t len32 = *len;
	long err =
	    linux_syscall6(LINUX_SYS_getsockopt, fd, level, name, (long)value, (long)&len32, 0);

	*len = len32;
	return err;
}

long kp_linux_sock_shutdown(int fd, int how)
{
	return linux_syscall2(LINUX_SYS_shutdown, fd, how);
}

void kp_linux_sock_close(int fd)
{
	/* Not retried on EINTR: Linux has released the descriptor by then. */
	linux_syscall1(LINUX_SYS_close, fd);
}

long kp_linux_sock_read(int fd, void *buf, size_t len)
{
	long n;

	do {
		n = linux_syscall3(LINUX_SYS_read, fd, (long)buf, (long)len);
	} while (n == -LINUX_EINTR);
	return n;
}

long kp_linux_sock_writev(int fd, const struct linux_iovec *iov, unsigned iovcnt)
{
	long n;

	do {
		n = linux_syscall3(LINUX_SYS_writev, fd, (long)iov, iovcnt);
	} while (n == -LINUX_EINTR);
	return n;
}

long kp_linux_sock_sendto(int fd, const void *buf, size_t len, const struct linux_sockaddr_in *to)
{
	long n;

	do {
		n = linux_syscall6(LINUX_SYS_sendto, fd, (long)buf, (long)len, 0, (long)to,
		                   sizeof(*to));
	} while (n == -LINUX_EINTR);
	return n;
}

long kp_linux_sock_recvfrom(int fd, void *buf, size_t len, struct linux_sockaddr_in *from)
{
	uint32_t alen = sizeof(*from);
	long n;

	do {
		n = linux_syscall6(LINUX_SYS_recvfrom, fd, (long)buf, (long)len, LINUX_MSG_TRUNC,
		                   (long)from, (long)&alen);
	} while (n == -LINUX_EINTR);
	return n;
}

/*
 * hostpoll.c — the readiness set of the image's host sockets: one epoll
 * descriptor, created at start (before sealing, so the seal need not allow
 * epoll_create1) only in an image whose manifest asks for host sockets.
 *
 * kp_yield() polls it like a device, under the handle after the last
 * device; the socket stack adds its sockets to it and, when it is ready,
 * takes the events without waiting.
 *
 * Such an image also gets its soft limit on descriptors raised to the hard
 * limit at start (each connection is a descriptor).
 */
#include "hostsock.h"
#include "platform_impl.h"

int linux_hostpoll_fd = -1;

/*
 * The descriptor must be 3 + (number of devices): the devices sit just
 * below it and nothing above (devices.c closed or refused the rest), so
 * every socket made later lands above it, where the seal lets socket calls
 * through. It can only be lower when one of 0, 1, 2 was closed at exec.
 */
void linux_hostpoll_open(void)
{
	struct linux_rlimit lim;
	char num[LINUX_NUM_BUF];
	long fd;

	if (!linux_hostnet)
		return;
	fd = linux_syscall1(LINUX_SYS_epoll_create1, LINUX_EPOLL_CLOEXEC);
	if (fd < 0)
		linux_fail("cannot create the set of host sockets: epoll_create1: ",
		           linux_strerror(fd), NULL);
	if (fd != LINUX_FIRST_DEVICE_FD + (long)linux_ndevices)
		linux_fail("fd ", linux_num(num, (uint64_t)fd),
		           " was closed at start; descriptors 0, 1 and 2 must be open "
		           "(run the image with 'keel run')",
		           NULL);
	linux_hostpoll_fd = (int)fd;

	/* Each connection is a descriptor: let the socket stack's own bound,
	 * not the usual soft limit of 1024, decide how many it may hold. The
	 * hard limit stays; the seal forbids changing either afterwards. */
	if (linux_syscall4(LINUX_SYS_prlimit64, 0, LINUX_RLIMIT_NOFILE, 0, (long)&lim) == 0 &&
	    lim.cur < lim.max) {
		lim.cur = lim.max;
		linux_syscall4(LINUX_SYS_prlimit64, 0, LINUX_RLIMIT_NOFILE, (long)&lim, 0);
	}
}

int kp_linux_hostpoll_handle(kp_handle *handle)
{
	if (linux_hostpoll_fd < 0)
		return KEEL_ENOTSUP;
	*handle = LINUX_HOSTPOLL_HANDLE;
	return KEEL_OK;
}

long kp_linux_hostpoll_add(int fd, uint64_t cookie)
{
	struct linux_epoll_event ev = {
		.events = LINUX_EPOLLIN | LINUX_EPOLLOUT | LINUX_EPOLLRDHUP | LINUX_EPOLLET,
		.data = cookie,
	};

	return linux_syscall4(LINUX_SYS_epoll_ctl, linux_hostpoll_fd, LINUX_EPOLL_CTL_ADD, fd,
	                      (long)&ev);
}

long kp_linux_hostpoll_take(struct linux_epoll_event *ev, unsigned max)
{
	long n;

	if (max == 0)
		return 0;
	do {
		n = linux_syscall4(LINUX_SYS_epoll_wait, linux_hostpoll_fd, (long)ev, (long)max, 0);
	} while (n == -LINUX_EINTR);
	return n;
}

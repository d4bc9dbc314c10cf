/*
 * yield.c — waiting for input: one ppoll over the net devices' TAPs and,
 * in an image that uses host sockets, the epoll set holding them.
 *
 * Block devices never "have input" (their calls complete synchronously),
 * so only net devices are polled. The epoll set is readable while any of
 * its sockets has news; it is reported as LINUX_HOSTPOLL_HANDLE, and the
 * socket stack learns which sockets from kp_linux_hostpoll_take().
 */
#include "platform_impl.h"

#define NS_PER_SEC 1000000000u

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	struct linux_pollfd pfd[KEEL_MANIFEST_MAX + 1];
	kp_handle handle_of[KEEL_MANIFEST_MAX + 1];
	struct linux_timespec timeout, *tp = NULL;
	unsigned n = 0;
	long got;

	*ready = 0;
	for (unsigned i = 0; i < linux_ndevices; i++) {
		const struct linux_device *dev = &linux_devices[i];

		if (dev->kind != LINUX_DEVICE_NET || dev->failed)
			continue;
		pfd[n] = (struct linux_pollfd){ .fd = dev->fd, .events = LINUX_POLLIN };
		handle_of[n++] = i;
	}
	if (linux_hostpoll_fd >= 0) {
		pfd[n] = (struct linux_pollfd){ .fd = linux_hostpoll_fd, .events = LINUX_POLLIN };
		handle_of[n++] = LINUX_HOSTPOLL_HANDLE;
	}

	/* KP_TIME_MAX: no timeout at all (a NULL timespec). */
	if (deadline != KP_TIME_MAX) {
		kp_time now = kp_clock_monotonic();
		kp_time wait = deadline > now ? deadline - now : 0;

		timeout.tv_sec = (int64_t)(wait / NS_PER_SEC);
		timeout.tv_nsec = (int64_t)(wait % NS_PER_SEC);
		tp = &timeout;
	}

	got = linux_syscall4(LINUX_SYS_ppoll, (long)pfd, n, (long)tp, 0);
	if (got <= 0)
		return; /* timed out, or EINTR: a spurious wake-up is allowed */

	for (unsigned j = 0; j < n; j++) {
		if (!pfd[j].revents)
			continue;
		*ready |= (kp_handle_set)1 << handle_of[j];
		/*
		 * An error or hang-up without data (the interface was deleted)
		 * would be reported on every call from now on. Report it this
		 * once, so the reader meets the error in kp_net_read(), then
		 * stop polling the device.
		 */
		if (!(pfd[j].revents & LINUX_POLLIN) && handle_of[j] < linux_ndevices)
			linux_devices[handle_of[j]].failed = true;
	}
}

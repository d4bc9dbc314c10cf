/*
 * yield.c — waiting for input: ppoll over the net devices' TAPs and, in an
 * image that uses host sockets, the epoll set holding them.
 *
 * Block devices never "have input" (their calls complete synchronously),
 * so only net devices are polled. The epoll set is readable while any of
 * its sockets has news; it is reported as LINUX_HOSTPOLL_HANDLE, and the
 * socket stack learns which sockets from kp_linux_hostpoll_take().
 *
 * Polling before sleeping. Waking a host CPU that went idle can cost tens
 * of microseconds (in a VM, for one), once per wait; a peer doing request
 * and response pays it on every request. So after a wait that returned input, the next
 * wait first polls (ppoll with a zero timeout, again and again) for up to
 * the poll window, or to the deadline if that comes first, and sleeps
 * only when nothing came: what KVM's halt polling does for a guest. A
 * wait whose window found nothing leaves the next one to sleep at once
 * until input comes again, so an idle image sleeps, and each wake-up
 * with input buys at most one window of polling. A call with a past
 * deadline is the runtime looking for input between rounds of fibers:
 * one poll, and the window stays for the wait that follows.
 */
#include "platform_impl.h"

#define NS_PER_SEC 1000000000u
#define NS_PER_US 1000u
#define POLL_US_DEFAULT 50
#define POLL_US_MAX 1000

/* Set before sealing; 0: never poll. */
static kp_time poll_window;
/* The last call returned input: the next wait polls first. */
static bool poll_next;

void linux_poll_configure(char **envp)
{
	char b[LINUX_NUM_BUF];
	const char *env = linux_env(envp, "KEEL_POLL_US");
	uint64_t us = POLL_US_DEFAULT;

	if (env && !linux_parse_uint(env, 0, POLL_US_MAX, &us))
		linux_fail("KEEL_POLL_US='", env,
		           "' is not a whole number of microseconds from 0 to ",
		           linux_num(b, POLL_US_MAX), NULL);
	poll_window = us * NS_PER_US;
}

/* One ppoll; `wait` in nanoseconds, KP_TIME_MAX for none. */
static long poll_once(struct linux_pollfd *pfd, unsigned n, kp_time wait)
{
	struct linux_timespec timeout, *tp = NULL;

	if (wait != KP_TIME_MAX) {
		timeout.tv_sec = (int64_t)(wait / NS_PER_SEC);
		timeout.tv_nsec = (int64_t)(wait % NS_PER_SEC);
		tp = &timeout;
	}
	return linux_syscall4(LINUX_SYS_ppoll, (long)pfd, n, (long)tp, 0);
}

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	struct linux_pollfd pfd[KEEL_MANIFEST_MAX + 1];
	kp_handle handle_of[KEEL_MANIFEST_MAX + 1];
	kp_time now = kp_clock_monotonic();
	unsigned n = 0;
	long got = 0;

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

	if (deadline <= now) {
		/* A look between rounds of fibers, not a wait: it neither
		 * polls a window nor uses up the one input has bought. */
		got = poll_once(pfd, n, 0);
	} else {
		if (poll_next && poll_window) {
			kp_time until = now + poll_window < deadline ? now + poll_window : deadline;

			poll_next = false;
			do {
				got = poll_once(pfd, n, 0);
				now = kp_clock_monotonic();
			} while (got == 0 && now < until);
		}
		/* KP_TIME_MAX: no timeout at all. */
		if (got == 0 && now < deadline)
			got = poll_once(pfd, n,
			                deadline == KP_TIME_MAX ? KP_TIME_MAX : deadline - now);
	}
	if (got <= 0)
		return; /* timed out, or EINTR: a spurious wake-up is allowed */

	poll_next = true;
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

/*
 * console.c — the console is file descriptor 1, unbuffered.
 */
#include "platform_impl.h"

#define CONSOLE_FD 1

/*
 * SIGPIPE is blocked so that writing to a closed pipe returns EPIPE and
 * the bytes are dropped, as platform.h allows when the console is gone,
 * instead of killing the image.
 */
void linux_console_init(void)
{
	uint64_t set = LINUX_SIGBIT(LINUX_SIGPIPE);

	linux_syscall4(LINUX_SYS_rt_sigprocmask, LINUX_SIG_BLOCK, (long)&set, 0, LINUX_SIGSET_SIZE);
}

/* Waits until the console can take bytes; false if it never will. */
static bool wait_writable(void)
{
	struct linux_pollfd pfd = { .fd = CONSOLE_FD, .events = LINUX_POLLOUT, .revents = 0 };
	long n;

	do {
		n = linux_syscall4(LINUX_SYS_ppoll, (long)&pfd, 1, 0, 0);
	} while (n == -LINUX_EINTR);
	return n == 1 && (pfd.revents & LINUX_POLLOUT);
}

void kp_console_write(const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		long n = linux_syscall3(LINUX_SYS_write, CONSOLE_FD, (long)(buf + done),
		                        (long)(len - done));

		if (n > 0) {
			done += (size_t)n;
		} else if (n == -LINUX_EINTR) {
			continue;
		} else if (n == -LINUX_EAGAIN) {
			/* fd 1 was inherited non-blocking (a shared terminal or
			 * pipe): wait for room rather than spin or drop. */
			if (!wait_writable())
				return;
		} else {
			return; /* closed, full disk, EPIPE: the console is gone */
		}
	}
}

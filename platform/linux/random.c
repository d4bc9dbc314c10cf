/*
 * random.c — entropy from getrandom(2), the kernel's CSPRNG.
 */
#include "platform_impl.h"

int kp_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		/* Large requests come back in pieces (at most 32 MiB - 1 each). */
		long n = linux_syscall3(LINUX_SYS_getrandom, (long)p, (long)len, 0);

		if (n == -LINUX_EINTR)
			continue;
		if (n <= 0)
			return KEEL_EIO;
		p += n;
		len -= (size_t)n;
	}
	return KEEL_OK;
}

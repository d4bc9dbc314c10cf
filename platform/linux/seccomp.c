/*
 * seccomp.c — sealing: after this, the image can reach nothing of the host
 * but its console, its declared devices and, if its manifest asks for
 * them, sockets of its own. The allow-list itself is
 * described and built in filter.c.
 */
#include "filter.h"
#include "platform_impl.h"

void linux_seal(void)
{
	static struct linux_sock_filter prog[LINUX_FILTER_MAX];
	struct linux_filter_spec spec = { .pid = linux_pid };
	struct linux_sock_fprog fprog;
	int len;
	long err;

	for (unsigned i = 0; i < linux_ndevices; i++) {
		const struct linux_device *dev = &linux_devices[i];

		if (dev->kind == LINUX_DEVICE_NET)
			spec.net_fds[spec.n_net++] = dev->fd;
		else
			spec.block_fds[spec.n_block++] = dev->fd;
	}
	if (linux_hostpoll_fd >= 0) {
		spec.hostnet = true;
		spec.epoll_fd = linux_hostpoll_fd;
	}
	len = linux_filter_build(&spec, prog, LINUX_FILTER_MAX);
	if (len < 0)
		linux_fail("cannot seal the image: the seccomp filter does not fit", NULL);
	fprog.len = (uint16_t)len;
	fprog.filter = prog;

	/* Required to install a filter without CAP_SYS_ADMIN; it also means
	 * nothing this process could still execute gains privileges. */
	err = linux_syscall6(LINUX_SYS_prctl, LINUX_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (err < 0)
		linux_fail("cannot seal the image: PR_SET_NO_NEW_PRIVS: ", linux_strerror(err),
		           NULL);
	err = linux_syscall3(LINUX_SYS_seccomp, LINUX_SECCOMP_SET_MODE_FILTER, 0, (long)&fprog);
	if (err == -LINUX_ENOSYS)
		err = linux_syscall6(LINUX_SYS_prctl, LINUX_PR_SET_SECCOMP,
		                     LINUX_SECCOMP_MODE_FILTER, (long)&fprog, 0, 0, 0);
	/* An image never runs unsealed: better not to start at all. */
	if (err < 0)
		linux_fail("cannot seal the image: seccomp: ", linux_strerror(err), NULL);
}

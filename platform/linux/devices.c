/*
 * devices.c — checking that the host attached exactly the declared devices.
 *
 * The contract with the launcher: device i of the manifest is open as file
 * descriptor 3 + i, and no other descriptor above 2 is open. Each device
 * is checked for its kind (net.c, block.c). An open descriptor in the
 * window just after the devices is refused as an extra device (it usually
 * means the image was started the wrong way); descriptors above that window
 * are closed (the seccomp filter would make them unusable anyway). Where
 * close_range is missing (Linux < 5.9) every descriptor up to the limit is
 * probed instead.
 */
#include "platform_impl.h"

/* Descriptors are probed this many at a time with one ppoll each. */
#define PROBE_BATCH 256
/* Descriptors right after the devices that are checked for an extra device;
 * those above are closed. */
#define EXTRA_WINDOW 64
/* Never probe past this many descriptors, whatever RLIMIT_NOFILE says. */
#define PROBE_LIMIT (1u << 20)

struct linux_device *linux_device_get(kp_handle handle, enum linux_device_kind kind)
{
	if (handle >= linux_ndevices || linux_devices[handle].kind != kind)
		return NULL;
	return &linux_devices[handle];
}

struct linux_device *linux_device_find(const char *name, enum linux_device_kind kind)
{
	for (unsigned i = 0; i < linux_ndevices; i++) {
		if (linux_devices[i].kind == kind && linux_streq(linux_devices[i].name, name))
			return &linux_devices[i];
	}
	return NULL;
}

static const char *kind_name(enum linux_device_kind kind)
{
	return kind == LINUX_DEVICE_NET ? "net" : "block";
}

static void refuse_extra_fd(uint64_t fd)
{
	char b1[LINUX_NUM_BUF], b2[LINUX_NUM_BUF];
	const char *declared = "declares no devices", *last = "";

	if (linux_ndevices == 1) {
		declared = "declares one device, on fd 3";
	} else if (linux_ndevices > 1) {
		declared = "declares devices only on fds 3-";
		last = linux_num(b2, LINUX_FIRST_DEVICE_FD + linux_ndevices - 1);
	}
	linux_fail("fd ", linux_num(b1, fd), " is open but the image ", declared, last,
	           "; close it or run the image with 'keel run'", NULL);
}

/*
 * Refuses to start when a descriptor >= `first` is open. The probe goes up
 * to the hard RLIMIT_NOFILE (at most PROBE_LIMIT): no descriptor can be
 * opened above the limit in force at the time, and a process can lower the
 * hard limit but never raise it again. A descriptor left above a lowered
 * limit escapes the check, but not the seccomp filter, which allows no
 * call on it. ppoll marks a closed descriptor POLLNVAL without touching an
 * open one, and a batch costs one system call.
 */
static void refuse_extra_fds(unsigned first)
{
	struct linux_pollfd pfd[PROBE_BATCH];
	struct linux_rlimit lim = { 1024, 1024 };
	uint64_t limit;
	unsigned batch = PROBE_BATCH;

	linux_syscall4(LINUX_SYS_prlimit64, 0, LINUX_RLIMIT_NOFILE, 0, (long)&lim);
	limit = lim.max > PROBE_LIMIT ? PROBE_LIMIT : lim.max;
	/* Start-up cost matters: one probe of the window and one close_range
	 * instead of a probe per 256 descriptors up to the limit. */
	if (linux_syscall3(LINUX_SYS_close_range, first + EXTRA_WINDOW, ~0u, 0) == 0 &&
	    limit > first + EXTRA_WINDOW)
		limit = first + EXTRA_WINDOW;
	/* ppoll refuses more entries than the soft limit. */
	if (lim.cur < batch)
		batch = lim.cur ? (unsigned)lim.cur : 1;

	for (uint64_t fd = first; fd < limit; fd += batch) {
		unsigned n = limit - fd < batch ? (unsigned)(limit - fd) : batch;
		struct linux_timespec zero = { 0, 0 };
		long ready;

		for (unsigned i = 0; i < n; i++)
			pfd[i] = (struct linux_pollfd){ .fd = (int32_t)(fd + i), .events = 0 };
		do {
			ready = linux_syscall4(LINUX_SYS_ppoll, (long)pfd, n, (long)&zero, 0);
		} while (ready == -LINUX_EINTR);
		if (ready < 0)
			linux_fail("cannot check for undeclared file descriptors: ",
			           linux_strerror(ready), NULL);
		for (unsigned i = 0; i < n; i++) {
			if (!(pfd[i].revents & LINUX_POLLNVAL))
				refuse_extra_fd(fd + i);
		}
	}
}

void linux_devices_attach(void)
{
	for (unsigned i = 0; i < linux_ndevices; i++) {
		struct linux_device *dev = &linux_devices[i];
		char num[LINUX_NUM_BUF];

		if (linux_syscall2(LINUX_SYS_fcntl, dev->fd, LINUX_F_GETFD) < 0)
			linux_fail(kind_name(dev->kind), " device '", dev->name,
			           "' is not attached (expected on fd ",
			           linux_num(num, (uint64_t)dev->fd),
			           "); run the image with 'keel run'", NULL);
		if (dev->kind == LINUX_DEVICE_NET)
			linux_net_attach(dev);
		else
			linux_block_attach(dev);
	}
	refuse_extra_fds(LINUX_FIRST_DEVICE_FD + linux_ndevices);
}

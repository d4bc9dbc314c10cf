/*
 * clock.c — monotonic and wall clocks by clock_gettime.
 *
 * Through the vDSO when the kernel maps one (vdso.c): the network stack
 * and the event loop read the clock tens of times per frame, and the
 * system call (a kernel entry and a pass through the seccomp filter each
 * time) was the largest single cost of a frame. The raw system call is
 * the fallback: with no vDSO (some emulators and tracers hide it), one
 * that cannot be read, or a clock the vDSO does not serve.
 */
#include "platform_impl.h"

/* CLOCK_MONOTONIC at start: kp_clock_monotonic() counts from here, so
 * time starts near 0 at boot as platform.h promises. */
static uint64_t monotonic_base;
static linux_clock_gettime_fn vdso_clock_gettime;

static uint64_t read_clock(int clock)
{
	struct linux_timespec ts = { 0, 0 };

	/* Cannot fail for these two clocks with a valid pointer; the vDSO
	 * makes the system call itself when it cannot read the clock. */
	if (!vdso_clock_gettime || vdso_clock_gettime(clock, &ts) != 0)
		linux_syscall2(LINUX_SYS_clock_gettime, clock, (long)&ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void linux_clock_init(const uint64_t *auxv)
{
	vdso_clock_gettime = linux_vdso_clock_gettime(auxv);
	monotonic_base = read_clock(LINUX_CLOCK_MONOTONIC);
}

kp_time kp_clock_monotonic(void)
{
	return read_clock(LINUX_CLOCK_MONOTONIC) - monotonic_base;
}

uint64_t kp_clock_wall(void)
{
	return read_clock(LINUX_CLOCK_REALTIME);
}

/*
 * clock.c — monotonic and wall clocks by clock_gettime.
 *
 * Always the raw system call, never the vDSO: calling into the vDSO means
 * trusting and parsing a second ELF image the kernel maps in, and the
 * system call costs well under a microsecond even behind the seccomp
 * filter — far below anything the event loop measures.
 */
#include "platform_impl.h"

/* CLOCK_MONOTONIC at start: kp_clock_monotonic() counts from here, so
 * time starts near 0 at boot as platform.h promises. */
static uint64_t monotonic_base;

static uint64_t read_clock(int clock)
{
	struct linux_timespec ts = { 0, 0 };

	/* Cannot fail for these two clocks with a valid pointer. */
	linux_syscall2(LINUX_SYS_clock_gettime, clock, (long)&ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void linux_clock_init(void)
{
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

/*
 * clock.c — time from the ARM generic timer: the virtual counter
 * (CNTVCT_EL0) at CNTFRQ_EL0 ticks per second for the monotonic clock,
 * its EL1 virtual timer (CNTV_*) to wake `wfi` at a deadline, and the
 * PL031 RTC (whole seconds) at boot plus monotonic time for the wall
 * clock. CNTFRQ is what the firmware (or QEMU) says; a real board's
 * firmware must set it.
 */
#include "platform_impl.h"

#define NSEC 1000000000ull
#define PL031_DR 0x00

static uint64_t freq, counter_boot, wall_boot_ns;

static uint64_t counter(void)
{
	cpu_isb(); /* not read ahead of earlier instructions */
	return sysreg_read(cntvct_el0);
}

uint64_t rtc_read_epoch(void)
{
	if (!dt.rtc)
		return 0;
	return mmio_read32((uintptr_t)dt.rtc + PL031_DR);
}

void clock_init(void)
{
	freq = sysreg_read(cntfrq_el0) & 0xffffffffu;
	if (freq == 0)
		platform_fail("the generic timer's frequency (CNTFRQ_EL0) is not set", NULL);
	timer_arm(0);
	counter_boot = counter();
	wall_boot_ns = rtc_read_epoch() * NSEC;
}

kp_time kp_clock_monotonic(void)
{
	uint64_t t = counter() - counter_boot;

	/* No overflow for frequencies below 18 GHz. */
	return t / freq * NSEC + t % freq * NSEC / freq;
}

uint64_t kp_clock_wall(void)
{
	return wall_boot_ns + kp_clock_monotonic();
}

uint64_t clock_counter_at(kp_time ns)
{
	uint64_t secs = ns / NSEC, ticks;

	if (secs > (UINT64_MAX - counter_boot) / freq - 1)
		return UINT64_MAX;
	ticks = secs * freq + ((ns % NSEC) * freq + NSEC - 1) / NSEC;
	return counter_boot + ticks;
}

void timer_arm(uint64_t at)
{
	if (at == 0) {
		sysreg_write(cntv_ctl_el0, 0);
	} else {
		sysreg_write(cntv_cval_el0, at);
		sysreg_write(cntv_ctl_el0, 1); /* enabled, not masked */
	}
	cpu_isb();
}

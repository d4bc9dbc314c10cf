/*
 * yield.c — kp_yield: sleep in `wfi` until a device interrupt or the
 * deadline.
 *
 * Interrupts are masked in PSTATE throughout; `wfi` still ends when the
 * GIC signals one (a WFI wake-up event does not depend on the mask), and
 * gic_poll then acknowledges and handles what is pending. So no wake-up
 * can be lost between the checks and the `wfi`: an interrupt that came
 * in between is pending, and `wfi` returns at once. The EL1 virtual
 * timer, armed for the deadline each time round, is the other way out.
 */
#include "platform_impl.h"

kp_handle_set intr_ready;

static void sleep_until(kp_time deadline)
{
	timer_arm(deadline == KP_TIME_MAX ? 0 : clock_counter_at(deadline));
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
	gic_poll();
}

void intr_wait(kp_time deadline)
{
	if (kp_clock_monotonic() >= deadline)
		return;
	sleep_until(deadline);
}

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	console_flush();
	for (;;) {
		gic_poll();
		if (intr_ready) {
			*ready = intr_ready;
			return;
		}
		if (kp_clock_monotonic() >= deadline) {
			*ready = 0;
			return;
		}
		sleep_until(deadline);
	}
}

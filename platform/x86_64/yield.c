/*
 * yield.c — kp_yield: sleep in `hlt` until a device interrupt or the
 * deadline.
 *
 * Interrupts are off everywhere else; here they are enabled for exactly
 * one instruction. `sti` takes effect only after the instruction that
 * follows it, so `sti; hlt` cannot lose a wake-up: an interrupt that
 * became pending after the checks below still ends the `hlt`. The
 * handlers run there, inside the asm statement, which is why it declares
 * the vector registers clobbered: the handlers are C and may use them
 * (intr_stubs.S saves only the general registers).
 *
 * The timer is the local APIC's, one-shot (or TSC-deadline), armed for
 * the deadline each time round. Its longest one-shot count may be shorter
 * than the wait; waking early only costs one more turn of the loop.
 * intr_wait() is one such turn, for drivers that wait for their device
 * (block, entropy): it leaves the timer armed, and kp_yield re-arms it.
 */
#include "platform_impl.h"

#define NSEC 1000000000ull

static void arm_timer(kp_time now, kp_time deadline)
{
	if (deadline == KP_TIME_MAX) {
		/* Only a device can end this wait. */
		if (clock_use_deadline)
			lapic_timer_deadline(0);
		else
			lapic_timer_oneshot(0);
	} else if (clock_use_deadline) {
		lapic_timer_deadline(clock_tsc_at(deadline));
	} else {
		unsigned __int128 ticks =
		    ((unsigned __int128)(deadline - now) * clock_lapic_hz + NSEC - 1) / NSEC;

		lapic_timer_oneshot(ticks > UINT32_MAX ? UINT32_MAX : ticks ? (uint32_t)ticks : 1);
	}
}

static void halt(void)
{
	__asm__ volatile("sti; hlt; cli" ::
	                     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
	                       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
	                       "xmm14", "xmm15");
}

void intr_wait(kp_time deadline)
{
	kp_time now = kp_clock_monotonic();

	if (now >= deadline)
		return;
	arm_timer(now, deadline);
	halt();
}

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	/* Partial lines reach the console before the image goes idle. */
	console_flush();
	for (;;) {
		kp_time now;

		/* Level-triggered: a bit stays set while its input is
		 * unread (the driver clears it). */
		if (intr_ready) {
			*ready = intr_ready;
			return;
		}
		now = kp_clock_monotonic();
		if (now >= deadline) {
			*ready = 0;
			return;
		}
		arm_timer(now, deadline);
		halt();
	}
}

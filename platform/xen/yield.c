/*
 * yield.c — kp_yield: block in Xen until an event or the deadline.
 *
 * The deadline goes to vCPU 0's one-shot timer (VCPUOP_set_singleshot_
 * timer, in Xen system time), which fires VIRQ_TIMER; the event's upcall
 * (evtchn.c) ends the wait. Xen blocks the vCPU, using no physical CPU,
 * until then: no polling of the clock.
 *
 * The wait itself is `sti; hlt`. On a PVH (HVM) vCPU Xen handles HLT by
 * calling SCHEDOP_block for the guest, after checking for a pending
 * upcall with the guest's interrupt flag as it will be; `sti` takes
 * effect only after `hlt`, so an event that arrives after the last check
 * below still ends the wait. Issuing SCHEDOP_block as a hypercall instead
 * cannot be made race-free on HVM: with interrupts off Xen does not count
 * the pending upcall as deliverable and blocks anyway (until the next
 * event), and with them on the upcall can be taken just before the call.
 *
 * Interrupts are otherwise off, as on x86_64: the upcall handler runs
 * only here, and the vector registers it may use are declared clobbered.
 */
#include "xen_impl.h"

static uint64_t armed; /* Xen time the one-shot timer is set for (0: none) */

static void arm_timer(kp_time deadline)
{
	uint64_t at = deadline == KP_TIME_MAX ? 0 : clock_xen_at(deadline);

	if (at != armed) {
		xen_timer_set(at);
		armed = at;
	}
}

static void halt(void)
{
	__asm__ volatile("sti; hlt; cli" ::
	                     : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
	                       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
	                       "xmm14", "xmm15");
}

/* One turn of the wait, for blkfront waiting on its backend: returns
 * after an event (any) or at the deadline. */
void intr_wait(kp_time deadline)
{
	uint64_t timer_events = evtchn_timer_events;

	if (kp_clock_monotonic() >= deadline)
		return;
	arm_timer(deadline);
	halt();
	if (evtchn_timer_events != timer_events)
		armed = 0;
}

void kp_yield(kp_time deadline, kp_handle_set *ready)
{
	/* Partial lines reach the console before the image goes idle. */
	console_flush();
	for (;;) {
		uint64_t timer_events = evtchn_timer_events;

		if (intr_ready) {
			*ready = intr_ready;
			return;
		}
		if (kp_clock_monotonic() >= deadline) {
			*ready = 0;
			return;
		}
		arm_timer(deadline);
		halt();
		/* A fired one-shot timer is spent: set it again next time. */
		if (evtchn_timer_events != timer_events)
			armed = 0;
	}
}

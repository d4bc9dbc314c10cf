/*
 * clock.c — time from Xen's PV clock: vCPU 0's vcpu_time_info in the
 * shared info page, and the wall clock beside it.
 *
 * Xen publishes, for each vCPU, its system time (ns since Xen booted) at
 * a TSC value, and the scale from TSC ticks to ns: the pvclock that KVM
 * publishes too, read and scaled by platform/x86_64/pvclock.c. A
 * reading that fails (a version that stays odd: a broken or hostile
 * host) gets the last good one, never a hang.
 *
 * Monotonic time is Xen time minus Xen time at boot, kept from going
 * back across Xen's corrections (each reading is at least the last one).
 * The wall clock is Xen's wall time of system time 0 (wc_sec, wc_nsec,
 * read with the same version protocol) plus Xen time now.
 */
#include "xen_impl.h"

#define NSEC 1000000000ull
#define READ_TRIES 1000

static uint64_t boot_xen_ns, last_ns;

uint64_t clock_xen_now(void)
{
	struct pvclock c;
	uint64_t ns;

	if (!pvclock_read(&xen_vcpu->time, &c) || !pvclock_plausible(&c))
		return last_ns;
	ns = pvclock_ns(&c, cpu_rdtsc());
	if (ns < last_ns)
		ns = last_ns;
	last_ns = ns;
	return ns;
}

void clock_init(void)
{
	struct pvclock c;

	if (!pvclock_read(&xen_vcpu->time, &c))
		platform_fail("Xen's PV clock is being updated forever (its version stays odd)", NULL);
	if (!pvclock_plausible(&c))
		platform_fail("Xen's PV clock has an implausible scale (multiplier 0 or shift beyond 31)",
		         NULL);
	boot_xen_ns = clock_xen_now();
}

kp_time kp_clock_monotonic(void)
{
	return clock_xen_now() - boot_xen_ns;
}

uint64_t clock_xen_at(kp_time t)
{
	return t > UINT64_MAX - boot_xen_ns ? UINT64_MAX : t + boot_xen_ns;
}

/* Wall time of Xen system time 0, in ns; 0 when Xen's is unreadable or
 * malformed (the wall clock then starts at the epoch: obviously wrong
 * rather than subtly). */
static uint64_t wall_base(void)
{
	volatile struct xen_shared_info *s = xen_shared;

	for (unsigned i = 0; i < READ_TRIES; i++) {
		uint32_t v = s->wc_version;
		uint64_t sec;
		uint32_t nsec;

		cpu_rmb();
		sec = (uint64_t)s->wc_sec_hi << 32 | s->wc_sec;
		nsec = s->wc_nsec;
		cpu_rmb();
		if ((v & 1) || v != s->wc_version) {
			cpu_relax();
			continue;
		}
		if (nsec >= NSEC || sec > UINT64_MAX / NSEC - 1)
			return 0;
		return sec * NSEC + nsec;
	}
	return 0;
}

uint64_t kp_clock_wall(void)
{
	return wall_base() + clock_xen_now();
}

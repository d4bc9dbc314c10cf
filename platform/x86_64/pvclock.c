/*
 * pvclock.c — the paravirtual clock that Xen (vcpu_time_info) and KVM
 * (kvmclock's pvclock_vcpu_time_info) publish in the same layout.
 *
 * The hypervisor writes, per vCPU, its system time in ns at a TSC value
 * (tsc_timestamp, system_time) and the scale from TSC ticks to ns: a
 * power-of-two shift, then a 32.32 fixed-point multiplier. Now =
 * system_time + ((TSC - tsc_timestamp) << shift) * mul >> 32 (a negative
 * shift shifts right). It rewrites the fields from time to time, making
 * `version` odd while it does and even afterwards, so a reader copies
 * them and retries until it saw the same even version on both sides;
 * the retries are bounded, so a version that stays odd (a broken or
 * hostile host) is a failed read, never a hang.
 *
 * Used by platform/xen's clock (all its time) and by this target's
 * clock.c on KVM (the TSC's exact frequency).
 */
#include "platform_impl.h"

#define NSEC 1000000000ull
#define READ_TRIES 1000
#define SHIFT_MAX 31 /* hypervisors' shifts are a few bits either way */

bool pvclock_read(const volatile struct pvclock_info *t, struct pvclock *c)
{
	for (unsigned i = 0; i < READ_TRIES; i++) {
		uint32_t v = t->version;

		cpu_rmb();
		c->tsc_timestamp = t->tsc_timestamp;
		c->system_time = t->system_time;
		c->mul = t->tsc_to_system_mul;
		c->shift = t->tsc_shift;
		cpu_rmb();
		if (!(v & 1) && v == t->version)
			return true;
		cpu_relax();
	}
	return false;
}

bool pvclock_plausible(const struct pvclock *c)
{
	return c->mul != 0 && c->shift >= -SHIFT_MAX && c->shift <= SHIFT_MAX;
}

uint64_t pvclock_ns(const struct pvclock *c, uint64_t tsc)
{
	uint64_t delta = tsc - c->tsc_timestamp;

	/* A TSC read just before the hypervisor's stamp: no time has passed. */
	if ((int64_t)delta < 0)
		delta = 0;
	if (c->shift < 0)
		delta >>= -c->shift;
	else
		delta <<= c->shift;
	return c->system_time + (uint64_t)(((unsigned __int128)delta * c->mul) >> 32);
}

uint64_t pvclock_tsc_hz(const struct pvclock *c)
{
	/* A tick is mul * 2^shift / 2^32 ns. */
	unsigned __int128 num = (unsigned __int128)NSEC << 32, den = c->mul;

	if (c->shift < 0)
		num <<= -c->shift;
	else
		den <<= c->shift;
	if (den == 0)
		return 0;
	num = (num + den / 2) / den;
	/* A rate no TSC has (above 2^40 Hz, about 1 THz) is a broken host. */
	return num >> 40 ? 0 : (uint64_t)num;
}

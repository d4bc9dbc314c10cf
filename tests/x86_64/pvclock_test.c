/*
 * Unit test of platform/x86_64/pvclock.c, the PV clock arithmetic that
 * platform/xen (all its time) and x86_64 on KVM (kvmclock: the TSC's
 * frequency) share. Scales are made here the way hypervisors make them
 * (a shift that brings the TSC rate within a factor two of 1 GHz, then a
 * 32.32 multiplier), and each result is checked against the plain
 * fraction ticks * 1e9 / hz: within 2 ns, plus the multiplier's rounding
 * over the interval (a relative error below 2^-31).
 * Also: a TSC just before the stamp counts as no time, large intervals
 * do not overflow, the version protocol (odd or changing versions give
 * up after a bounded number of tries), and implausible scales.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_impl.h"

static int failures;

static void fail(const char *what, unsigned long long got, unsigned long long want)
{
	printf("FAIL %s: got %llu, want %llu\n", what, got, want);
	failures++;
}

/* The scale for a TSC of hz ticks per second, as Xen and KVM compute it. */
static struct pvclock scale_for(uint64_t hz)
{
	struct pvclock c = { 0, 0, 0, 0 };
	uint64_t tps = hz, scaled = 1000000000ull;
	int shift = 0;

	while (tps > 2 * scaled) {
		tps >>= 1;
		shift--;
	}
	while (tps <= scaled) {
		tps <<= 1;
		shift++;
	}
	c.mul = (uint32_t)((scaled << 32) / tps);
	c.shift = (int8_t)shift;
	return c;
}

static void check_ns(uint64_t hz, uint64_t system_time, uint64_t stamp, uint64_t ticks)
{
	struct pvclock c = scale_for(hz);
	unsigned __int128 exact = (unsigned __int128)ticks * 1000000000u / hz;
	uint64_t want = system_time + (uint64_t)exact, got;
	/* The multiplier is truncated to 32 bits with the scaled rate in
	 * (1, 2] GHz: a relative error below 2^-31 of the interval. */
	uint64_t slack = 2 + (uint64_t)(exact >> 31);
	char what[96];

	c.system_time = system_time;
	c.tsc_timestamp = stamp;
	got = pvclock_ns(&c, stamp + ticks);
	snprintf(what, sizeof(what), "%llu Hz, %llu ticks", (unsigned long long)hz,
	         (unsigned long long)ticks);
	if (got > want + slack || got + slack < want)
		fail(what, got, want);
	if (!pvclock_plausible(&c))
		fail("a hypervisor's scale is implausible", (unsigned long long)c.shift, 0);
}

static void check_hz(uint64_t hz)
{
	struct pvclock c = scale_for(hz);
	uint64_t got = pvclock_tsc_hz(&c);
	/* The multiplier is truncated to 32 bits: a relative error of at
	 * most 2^-31, so 1 Hz per 2 GHz, plus rounding. */
	uint64_t slack = 2 + hz / 2000000000ull;

	if (got > hz + slack || got + slack < hz)
		fail("pvclock_tsc_hz", got, hz);
}

int main(void)
{
	static const uint64_t rates[] = { 1000000000ull, 1193182ull,    2500000000ull,
		                          2095078000ull, 3999999999ull, 5000000000ull,
		                          100000000ull,  33333333ull };
	volatile struct pvclock_info info;
	struct pvclock c, zero = { 0, 0, 0, 0 };

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		check_hz(rates[i]);
		check_ns(rates[i], 0, 0, 0);
		check_ns(rates[i], 123456789, 1000, 1);
		check_ns(rates[i], 5, 77, rates[i]);                         /* one second */
		check_ns(rates[i], 1ull << 40, 1ull << 50, rates[i] * 3600); /* an hour */
		check_ns(rates[i], 0, 0, rates[i] * 86400 * 30);             /* a month */
	}

	/* A TSC read just before the stamp: no time has passed. */
	c = scale_for(2500000000ull);
	c.system_time = 1000;
	c.tsc_timestamp = 5000;
	if (pvclock_ns(&c, 4990) != 1000)
		fail("a TSC before the stamp", pvclock_ns(&c, 4990), 1000);

	/* Scales a hypervisor would not give. */
	if (pvclock_plausible(&zero))
		fail("multiplier 0 taken as plausible", 1, 0);
	c = scale_for(1000000000ull);
	c.shift = 40;
	if (pvclock_plausible(&c))
		fail("shift 40 taken as plausible", 1, 0);
	if (pvclock_tsc_hz(&zero) != 0)
		fail("pvclock_tsc_hz with multiplier 0", pvclock_tsc_hz(&zero), 0);
	/* Fields that pass the plausibility check but scale a tick to 2^-63
	 * ns, about 9e27 Hz: refused, not cut to 64 bits. */
	c = zero;
	c.mul = 1;
	c.shift = -31;
	if (!pvclock_plausible(&c) || pvclock_tsc_hz(&c) != 0)
		fail("pvclock_tsc_hz beyond 2^40 Hz", pvclock_tsc_hz(&c), 0);

	/* The version protocol: an even, steady version reads... */
	memset((void *)&info, 0, sizeof(info));
	info.version = 4;
	info.tsc_timestamp = 11;
	info.system_time = 22;
	info.tsc_to_system_mul = 33;
	info.tsc_shift = -2;
	if (!pvclock_read(&info, &c) || c.tsc_timestamp != 11 || c.system_time != 22 ||
	    c.mul != 33 || c.shift != -2)
		fail("reading a steady pvclock", 0, 1);
	/* ... an odd one (an update that never ends) gives up. */
	info.version = 5;
	if (pvclock_read(&info, &c))
		fail("reading a pvclock whose version stays odd", 1, 0);
	if (sizeof(struct pvclock_info) != 32)
		fail("sizeof(struct pvclock_info)", sizeof(struct pvclock_info), 32);

	if (failures)
		return 1;
	printf("ok: pvclock scaling at %zu TSC rates, the version protocol\n",
	       sizeof(rates) / sizeof(rates[0]));
	return 0;
}

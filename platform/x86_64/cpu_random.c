/*
 * cpu_random.c — random 64-bit values from the CPU's generator (RDRAND,
 * RDSEED), for kp_random and the stack-protector canary. Separate from
 * kp_random (random.c) so that a platform mixing the CPU's bytes with
 * another source of its own (platform/xen has none) shares only this.
 *
 * RDRAND output comes from a generator the hardware reseeds itself, and
 * Intel's guidance is that ten failed tries in a row mean a broken unit;
 * RDSEED may run dry under load and gets more tries with a pause between
 * them.
 */
#include "platform_impl.h"

#define RDRAND_TRIES 10
#define RDSEED_TRIES 100

/* No canary in these two: canary.c calls them before it exists. */
__attribute__((no_stack_protector)) bool cpu_rdrand64(uint64_t *out)
{
	for (unsigned i = 0; i < RDRAND_TRIES; i++) {
		uint64_t v;
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

__attribute__((no_stack_protector)) bool cpu_rdseed64(uint64_t *out)
{
	for (unsigned i = 0; i < RDSEED_TRIES; i++) {
		uint64_t v;
		uint8_t ok;

		__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok)::"cc");
		if (ok) {
			*out = v;
			return true;
		}
		__asm__ volatile("pause");
	}
	return false;
}

/*
 * canary.c — seeding the stack-protector canary, first thing in 64-bit
 * mode (boot.S calls canary_init before any other C).
 *
 * Every function compiled with a canary copies __stack_chk_guard into its
 * frame on entry and compares on return, so the value may only change
 * while no such function is on the stack: hence this runs before all
 * other C, and is compiled without a canary itself.
 */
#include "platform_impl.h"

void canary_init(void);

/* Without RDSEED or RDRAND: the TSC read around loads and CPUID, whose
 * timing varies from boot to boot (weak, but better than a constant). */
__attribute__((no_stack_protector)) static uint64_t tsc_jitter(void)
{
	uint64_t mix = 0x9e3779b97f4a7c15ull;
	uint32_t r[4];

	for (unsigned i = 0; i < 16; i++) {
		cpu_cpuid(0, 0, r);
		mix = (mix ^ cpu_rdtsc()) * 0xff51afd7ed558ccdull;
		mix ^= mix >> 29;
	}
	return mix;
}

/*
 * RDSEED is preferred (it is meant for seeding), RDRAND next, each with
 * the retry limits of random.c. The low byte is cleared so that a string
 * overflow running into the canary can neither read it out nor write it
 * back (a C string stops at the NUL).
 */
__attribute__((no_stack_protector)) void canary_init(void)
{
	uint32_t r[4];
	uint64_t seed = 0;
	bool have = false;

	cpu_cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpu_cpuid(7, 0, r);
		if (r[1] & (1u << 18))
			have = cpu_rdseed64(&seed);
	}
	if (!have) {
		cpu_cpuid(1, 0, r);
		if (r[2] & (1u << 30))
			have = cpu_rdrand64(&seed);
	}
	if (!have)
		seed = tsc_jitter();
	__stack_chk_guard = (uintptr_t)seed & ~(uintptr_t)0xff;
}

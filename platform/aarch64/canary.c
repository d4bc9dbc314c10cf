/*
 * canary.c — seeding the stack-protector canary before any other C
 * (boot.S calls canary_init first; it is compiled without a canary).
 * RNDR when the CPU has it, else the counter read around system
 * register reads, whose timing varies from boot to boot (weak). The low
 * byte is cleared so a string overflow cannot write the canary back.
 */
#include "platform_impl.h"

void canary_init(void);

__attribute__((no_stack_protector)) void canary_init(void)
{
	uint64_t seed = 0;

	if (!cpu_has_rndr() || !cpu_rndr64(&seed)) {
		seed = 0x9e3779b97f4a7c15ull;
		for (unsigned i = 0; i < 16; i++) {
			seed = (seed ^ sysreg_read(cntvct_el0) ^ sysreg_read(midr_el1)) *
			       0xff51afd7ed558ccdull;
			seed ^= seed >> 29;
		}
	}
	__stack_chk_guard = (uintptr_t)seed & ~(uintptr_t)0xff;
}

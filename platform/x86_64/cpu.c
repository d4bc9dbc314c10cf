/*
 * cpu.c — what the CPU offers, read once from CPUID at boot.
 */
#include "platform_impl.h"

struct cpu_features cpu_features;

void cpu_features_init(void)
{
	struct cpu_features *f = &cpu_features;
	uint32_t r[4];

	cpu_cpuid(0, 0, r);
	f->max_leaf = r[0];
	cpu_cpuid(1, 0, r);
	f->rdrand = r[2] & (1u << 30);
	f->tsc_deadline = r[2] & (1u << 24);
	f->hypervisor = r[2] & (1u << 31);
	if (f->max_leaf >= 7) {
		cpu_cpuid(7, 0, r);
		f->rdseed = r[1] & (1u << 18);
	}
	if (f->hypervisor) {
		cpu_cpuid(0x40000000, 0, r);
		f->max_hv_leaf = r[0];
	}
}

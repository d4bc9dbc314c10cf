/*
 * hypercall.c — finding Xen and calling it.
 *
 * Xen shows itself in the hypervisor CPUID leaves: at 0x40000000, or one
 * of the next leaves 0x100 apart when it also presents another
 * hypervisor's interface (Viridian) first, the signature "XenVMMXenVMM";
 * leaf + 1 holds its version, leaf + 2 the number of hypercall pages and
 * the MSR that installs them. Writing the physical address of a page to
 * that MSR makes Xen fill it with one 32-byte stub per hypercall, each
 * `mov $nr, %eax; vmcall` (Intel) or `vmmcall` (AMD) and `ret`: which
 * instruction this CPU wants is decided by Xen at run time, and the image
 * carries no vendor test of its own.
 *
 * The calling convention is x86_64 Linux's system call one: arguments in
 * %rdi, %rsi, %rdx, %r10, %r8, result in %rax. Xen may clobber the
 * argument registers (debug builds do, on purpose), so they are outputs
 * too.
 */
#include "xen_impl.h"

#define LEAF_FIRST 0x40000000u
#define LEAF_LAST 0x40010000u
#define LEAF_STEP 0x100u

uint32_t xen_version;

static bool signature_is_xen(const uint32_t r[4])
{
	/* "XenVMMXenVMM" in %ebx, %ecx, %edx. */
	return r[1] == 0x566e6558 && r[2] == 0x65584d4d && r[3] == 0x4d4d566e;
}

bool xen_hypercall_init(void)
{
	uint32_t r[4];

	cpu_cpuid(1, 0, r);
	if (!(r[2] & (1u << 31))) /* no hypervisor at all */
		return false;
	for (uint32_t leaf = LEAF_FIRST; leaf < LEAF_LAST; leaf += LEAF_STEP) {
		cpu_cpuid(leaf, 0, r);
		if (!signature_is_xen(r))
			continue;
		/* Leaves +1 and +2 must exist. */
		if (r[0] < leaf + 2)
			return false;
		cpu_cpuid(leaf + 1, 0, r);
		xen_version = r[0];
		cpu_cpuid(leaf + 2, 0, r);
		if (r[0] < 1) /* no hypercall page offered */
			return false;
		cpu_wrmsr(r[1], (uint64_t)(uintptr_t)xen_hypercall_page);
		return true;
	}
	return false;
}

long xen_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const char *entry = xen_hypercall_page + (size_t)(nr & 127) * 32;
	long ret;

	__asm__ volatile("call *%[entry]"
	                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
	                 : [entry] "r"(entry)
	                 : "memory", "rcx", "r8", "r9", "r10", "r11");
	return ret;
}

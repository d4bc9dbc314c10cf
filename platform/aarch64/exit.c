/*
 * exit.c — ending the image: kp_exit and kp_abort.
 *
 * The status is written as the console's last line, "keel-exit N", which
 * tools/qemu-run-aarch64.sh reads back from QEMU's log of the console
 * (all 256 values come through exactly; x86_64 writes the same line to
 * a port of its own). Then PSCI SYSTEM_OFF, through the conduit the
 * device tree names (hvc or smc), ends the machine; QEMU exits. Without
 * PSCI the image says so and sleeps forever with the CPU in `wfi`.
 */
#include "platform_impl.h"

#define PSCI_SYSTEM_OFF 0x84000008u

static void psci_call(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	if (dt.psci == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	else if (dt.psci == PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
}

void kp_exit(int status)
{
	char num[PLATFORM_NUM_BUF];
	const char *n = platform_num(num, (uint64_t)(status & 0xff));

	console_flush();
	print_str("keel-exit ");
	print_str(n);
	print_str("\n");
	psci_call(PSCI_SYSTEM_OFF);
	print_str("keel: no PSCI to power the machine off: halting\n");
	for (;;)
		__asm__ volatile("wfi");
}

void kp_abort(void)
{
	uint64_t fp;

	__asm__ volatile("mov %0, x29" : "=r"(fp));
	console_flush();
	print_str("keel: abort\n");
	fault_print_stack((uint64_t)(uintptr_t)kp_abort, fp);
	kp_exit(A64_EXIT_ABORT);
}

const char *kp_target(void)
{
	return "aarch64";
}

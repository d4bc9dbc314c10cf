/*
 * exit.c — ending the image: kp_exit and kp_abort.
 *
 * The status leaves the machine three ways, each for a different host:
 *
 * 1. The console's last line, "keel-exit N" (x86_64 writes the same
 *    line to a port of its own). Any board has it; a launcher that logs
 *    the console reads N back (all 256 values).
 * 2. Semihosting's SYS_EXIT, when the host offers semihosting (QEMU
 *    with -semihosting-config enable=on): `hlt #0xf000` with operation
 *    0x18 and the block { ADP_Stopped_ApplicationExit, N }; QEMU exits
 *    with status N itself. Without semihosting, `hlt` is an undefined
 *    instruction (on QEMU and on a core with no halting debugger): the
 *    exception comes back to fault.c, which sees it is this instruction
 *    and calls exit_without_semihosting() instead of reporting a fault.
 *    Semihosting is used for nothing else.
 * 3. PSCI SYSTEM_OFF, through the conduit the device tree names (hvc or
 *    smc): the machine powers off (QEMU exits with 0). Without PSCI the
 *    image says so and sleeps forever with the CPU in `wfi`.
 */
#include "platform_impl.h"

#define PSCI_SYSTEM_OFF 0x84000008u

#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/*
 * semihost_call(op, block): the semihosting trap. Its one instruction,
 * a64_semihost_hlt, is where an exception from a host without
 * semihosting points (ELR); it is in no other code. Returns what the
 * host put in x0 (SYS_EXIT does not return when it works).
 */
__asm__(".text\n"
        ".p2align 2\n"
        ".type semihost_call, %function\n"
        "semihost_call:\n"
        ".globl a64_semihost_hlt\n"
        "a64_semihost_hlt:\n"
        "	hlt #0xf000\n"
        "	ret\n"
        ".size semihost_call, . - semihost_call\n");
uint64_t semihost_call(uint64_t op, const void *block);

/* Set while the semihosting trap is tried, so that fault.c can tell the
 * trap's undefined-instruction exception from a fault of the image. */
bool a64_semihost_trying;

static void psci_call(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	if (dt.psci == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	else if (dt.psci == PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
}

void exit_without_semihosting(void)
{
	a64_semihost_trying = false;
	psci_call(PSCI_SYSTEM_OFF);
	print_str("keel: no PSCI to power the machine off: halting\n");
	for (;;)
		__asm__ volatile("wfi");
}

void kp_exit(int status)
{
	char num[PLATFORM_NUM_BUF];
	const char *n = platform_num(num, (uint64_t)(status & 0xff));
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(status & 0xff) };

	/* Frames still queued in a net device would die with the machine. */
	devices_quiesce();
	console_flush();
	print_str("keel-exit ");
	print_str(n);
	print_str("\n");
	a64_semihost_trying = true;
	semihost_call(SEMIHOST_SYS_EXIT, block);
	/* A host whose semihosting returns from SYS_EXIT: power off. */
	exit_without_semihosting();
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

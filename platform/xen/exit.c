/*
 * exit.c — ending the domain: kp_exit and kp_abort.
 *
 * The status is first written as the line "keel-exit N" on the console
 * (Xen's own console for the initial domain, else the PV console), where
 * a launcher reads it: tools/xen-run.sh on Xen under QEMU, or `keel run
 * -t xen` behind `xl create -c` on a real Xen. Then the domain asks Xen
 * to end it (SCHEDOP_shutdown) with the reason that says how it ended:
 * "crash" for the crash statuses (128 + a signal number: what faults and
 * abort end with, XEN_CRASH_STATUS_MIN..MAX), "poweroff" for any other
 * status. xl acts on the reason (on_poweroff, on_crash); as the initial
 * domain, Xen halts the machine on poweroff and reboots it after a crash.
 *
 * Should Xen return from the shutdown, the vCPU halts with interrupts
 * off, which Xen also takes as a poweroff.
 */
#include "xen_impl.h"

#define SCHEDOP_SHUTDOWN 2
#define SHUTDOWN_POWEROFF 0
#define SHUTDOWN_CRASH 3

void kp_exit(int status)
{
	char num[PLATFORM_NUM_BUF];
	uint32_t code = (uint32_t)status & 0xff;
	struct {
		uint32_t reason;
	} shutdown = { code >= XEN_CRASH_STATUS_MIN && code <= XEN_CRASH_STATUS_MAX
	                   ? SHUTDOWN_CRASH
	                   : SHUTDOWN_POWEROFF };

	console_flush();
	if (!console_at_line_start())
		print_str("\n");
	print_str("keel-exit ");
	print_str(platform_num(num, code));
	print_str("\n");
	xen_sched_op(SCHEDOP_SHUTDOWN, &shutdown);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* A crash: the return addresses say where it came from. */
void kp_abort(void)
{
	uint64_t rbp;

	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	console_flush();
	print_str("keel: abort\n");
	fault_print_stack((uint64_t)(uintptr_t)kp_abort, rbp);
	kp_exit(X86_EXIT_ABORT);
}

const char *kp_target(void)
{
	return "xen";
}

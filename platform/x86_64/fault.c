/*
 * fault.c — the report of a CPU exception, then the end of the image.
 *
 * Every exception is fatal: the image has no way to recover from a bad
 * pointer, and continuing would only hide it. The report names the
 * exception, gives the error code (decoded for page faults), the
 * registers that locate the fault, CR2 for page and double faults, and
 * the return addresses of a frame-pointer walk of the stack, which
 * `addr2line -e IMAGE.elf` turns into source lines.
 *
 * Page faults, double faults and NMIs run on their own stacks (TSS.IST,
 * cpu_tables.c), so a stack overflow into a guard page is reported like
 * any other page fault. The walk reads only memory the page tables say
 * is mapped, so a corrupt frame pointer ends the walk, not the report.
 */
#include "platform_impl.h"

#define WALK_MAX 16

static const char *const names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",
	[30] = "#SX security exception",
};

static int exit_status(unsigned vector)
{
	switch (vector) {
	case 0:
	case 16:
	case 19:
		return X86_EXIT_SIGFPE;
	case 6:
		return X86_EXIT_SIGILL;
	case 1:
	case 3:
		return X86_EXIT_SIGTRAP;
	default:
		return X86_EXIT_SIGSEGV;
	}
}

/* Page-fault error code, in words. */
static void print_pf_error(uint64_t error)
{
	const char *access = error & 0x10 ? "instruction fetch" : error & 0x2 ? "write" : "read";

	print_str(" (");
	print_str(access);
	if (error & 0x1)
		print_str(error & 0x10 ? ", page not executable" : ", page protection");
	else
		print_str(", page not present");
	if (error & 0x8)
		print_str(", reserved bit set");
	print_str(")");
}

void fault_print_stack(uint64_t rip, uint64_t rbp)
{
	print_str("keel:   stack: ");
	print_xnum(rip);
	for (unsigned depth = 0; depth < WALK_MAX; depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (rbp == 0 || (rbp & 7) || !mem_is_mapped((uintptr_t)rbp, 16))
			break;
		if (frame[1] == 0)
			break;
		print_str(" ");
		print_xnum(frame[1]);
		/* A return address outside the code: the frame was overwritten
		 * (its value is still a clue, e.g. 0x4141...). */
		if (frame[1] < (uintptr_t)__text_start || frame[1] >= (uintptr_t)__text_end) {
			print_str(" (not code: corrupt frame)");
			break;
		}
		/* Frames grow towards lower addresses: a caller's frame is
		 * always above. Anything else is a corrupt chain. */
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	print_str("\n");
}

void fault_report(struct intr_frame *f)
{
	static bool reporting;
	unsigned v = (unsigned)f->vector;
	bool has_cr2 = v == 14 || v == 8;
	uint64_t cr2 = has_cr2 ? cpu_read_cr2() : 0;

	if (reporting) {
		/* The report itself faulted: say the least, and stop. */
		console_write_now("keel: fault while reporting a fault\n", 36);
		kp_exit(X86_EXIT_SIGSEGV);
	}
	reporting = true;
	console_flush();

	print_str("keel: fatal exception ");
	print_str(v < 32 && names[v] ? names[v] : "reserved");
	print_str(" (vector ");
	print_dec(v);
	print_str("), error ");
	print_xnum(f->error);
	if (v == 14)
		print_pf_error(f->error);
	print_str("\nkeel:   rip ");
	print_hex(f->rip);
	print_str("  rsp ");
	print_hex(f->rsp);
	print_str("  rbp ");
	print_hex(f->rbp);
	if (has_cr2) {
		print_str("  cr2 ");
		print_hex(cr2);
	}
	print_str("\n");
	if (has_cr2 && mem_is_guard((uintptr_t)cr2))
		print_str("keel:   cr2 is in a guard page: stack overflow\n");
	else if (v == 14 && cr2 < PAGE_SIZE)
		print_str("keel:   cr2 is in page 0: null pointer dereference\n");
	/* After a double fault the saved rip and rbp may not be those of the
	 * first fault; the walk is still the best clue there is. */
	fault_print_stack(f->rip, f->rbp);
	print_str("keel:   (addr2line -e IMAGE.elf ADDRESS... names these)\n");
	kp_exit(exit_status(v));
}

/*
 * fault.c — the report of an exception, then the end of the image.
 *
 * Every exception is fatal (interrupts never arrive as exceptions:
 * yield.c). The report names the exception class from ESR_EL1, decodes
 * aborts (read or write, translation or permission fault, the level),
 * gives ELR (where), FAR (which address), SP and the frame pointer, says
 * when FAR is in a guard page or page 0, and walks the frame records
 * (x29 chain) reading only mapped memory; `addr2line -e IMAGE.elf` names
 * the addresses. The status is 128 + the signal Linux would send.
 *
 * Exceptions run on their own stack (SP_EL1, vectors.S), so an overflow
 * of the image's stack into its guard page is reported like any other.
 */
#include "platform_impl.h"

#define WALK_MAX 16

#define EC_UNKNOWN 0x00
#define EC_FP 0x07
#define EC_ILLEGAL 0x0e
#define EC_SVC 0x15
#define EC_IABT_LOW 0x20
#define EC_IABT 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK 0x3c

static const char *class_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "undefined instruction";
	case EC_FP:
		return "FP/SIMD access trapped";
	case EC_ILLEGAL:
		return "illegal execution state";
	case EC_SVC:
		return "svc";
	case EC_IABT_LOW:
	case EC_IABT:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment fault";
	case EC_DABT_LOW:
	case EC_DABT:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment fault";
	case EC_SERROR:
		return "SError";
	case EC_BRK:
		return "brk";
	default:
		return "unexpected exception";
	}
}

static int exit_status(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN:
	case EC_ILLEGAL:
		return A64_EXIT_SIGILL;
	case EC_BRK:
		return A64_EXIT_SIGTRAP;
	case EC_PC_ALIGN:
	case EC_SP_ALIGN:
		return A64_EXIT_SIGBUS;
	default:
		return A64_EXIT_SIGSEGV;
	}
}

/* Fault status code of an abort (ISS.DFSC/IFSC), in words. */
static void print_abort(unsigned ec, uint64_t iss)
{
	unsigned fsc = iss & 0x3f;
	bool instruction = ec == EC_IABT || ec == EC_IABT_LOW;

	print_str(" (");
	print_str(instruction ? "instruction fetch" : iss & (1u << 6) ? "write" : "read");
	switch (fsc >> 2) {
	case 1:
		print_str(", translation fault, page not mapped");
		break;
	case 2:
		print_str(", access flag fault");
		break;
	case 3:
		print_str(instruction ? ", permission fault, page not executable"
		                      : ", permission fault, page protection");
		break;
	default:
		print_str(", fault status ");
		print_xnum(fsc);
		return (void)print_str(")");
	}
	print_str(", level ");
	print_dec(fsc & 3);
	print_str(")");
}

void fault_print_stack(uint64_t pc, uint64_t fp)
{
	print_str("keel:   stack: ");
	print_xnum(pc);
	for (unsigned depth = 0; depth < WALK_MAX; depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;

		if (fp == 0 || (fp & 7) || !mem_is_mapped((uintptr_t)fp, 16))
			break;
		if (frame[1] == 0)
			break;
		print_str(" ");
		print_xnum(frame[1]);
		if (frame[1] < (uintptr_t)__text_start || frame[1] >= (uintptr_t)__text_end) {
			print_str(" (not code: corrupt frame)");
			break;
		}
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	print_str("\n");
}

void fault_report(struct exc_frame *f)
{
	static bool reporting;
	unsigned ec = (unsigned)(f->esr >> 26) & 0x3f;
	bool abort = ec == EC_DABT || ec == EC_DABT_LOW || ec == EC_IABT || ec == EC_IABT_LOW;

	/* kp_exit's semihosting trap on a host without semihosting (exit.c):
	 * not a fault; this may be the end of a fault report, too. */
	if (a64_semihost_trying && ec == EC_UNKNOWN && (f->kind & 3) == 0 &&
	    f->elr == (uint64_t)(uintptr_t)a64_semihost_hlt)
		exit_without_semihosting();
	if (reporting) {
		console_write_now("keel: fault while reporting a fault\n", 36);
		kp_exit(A64_EXIT_SIGSEGV);
	}
	reporting = true;
	console_flush();

	print_str("keel: fatal exception: ");
	if ((f->kind & 3) == 1 || (f->kind & 3) == 2) {
		print_str((f->kind & 3) == 1 ? "IRQ" : "FIQ");
		print_str(" taken with interrupts unmasked");
		ec = EC_SERROR;
	} else {
		print_str(class_name(ec));
	}
	print_str(" (EC ");
	print_xnum(ec);
	print_str("), ESR ");
	print_xnum(f->esr);
	if (abort)
		print_abort(ec, f->esr & 0x1ffffff);
	print_str("\nkeel:   elr ");
	print_hex(f->elr);
	print_str("  sp ");
	print_hex(f->sp);
	print_str("  fp ");
	print_hex(f->x[29]);
	if (abort || ec == EC_PC_ALIGN) {
		print_str("  far ");
		print_hex(f->far);
	}
	print_str("\n");
	if (f->kind >= 4)
		print_str("keel:   (taken on the exception stack itself)\n");
	if (abort && mem_is_guard((uintptr_t)f->far))
		print_str("keel:   far is in a guard page: stack overflow\n");
	else if (abort && f->far < PAGE_SIZE)
		print_str("keel:   far is in page 0: null pointer dereference\n");
	fault_print_stack(f->elr, f->x[29]);
	print_str("keel:   (addr2line -e IMAGE.elf ADDRESS... names these)\n");
	kp_exit(exit_status(ec));
}

/*
 * vectors.S — the exception vector table (VBAR_EL1).
 *
 * Every exception is fatal: interrupts stay masked in PSTATE for the
 * image's whole life (yield.c sleeps in `wfi`, which a pending interrupt
 * ends even while masked, and then asks the GIC), so only synchronous
 * exceptions (bad accesses, undefined instructions) and SErrors arrive
 * here. Each entry saves the registers in a struct exc_frame on the
 * exception stack (SP_EL1; the image itself runs on SP_EL0) and calls
 * fault_report, which never returns.
 */
#include "layout.h"

	.macro entry kind
	.p2align 7
	sub sp, sp, #FRAME_SIZE
	stp x0, x1, [sp, #0]
	mov x0, #\kind
	b exc_common
	.endm

	.text
	.p2align 11
	.globl a64_vectors
a64_vectors:
	entry 0    /* current EL, SP_EL0: synchronous (the usual case) */
	entry 1    /* IRQ */
	entry 2    /* FIQ */
	entry 3    /* SError */
	entry 4    /* current EL, SP_EL1: in the exception path itself */
	entry 5
	entry 6
	entry 7
	entry 8    /* lower EL, AArch64: never (no EL0 code) */
	entry 9
	entry 10
	entry 11
	entry 12   /* lower EL, AArch32 */
	entry 13
	entry 14
	entry 15

exc_common:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	/* The interrupted stack pointer: SP_EL0, or for an exception taken
	 * in the exception path, this stack above the frame. */
	mrs x1, sp_el0
	mrs x2, spsr_el1
	add x3, sp, #FRAME_SIZE
	tst x2, #1
	csel x1, x3, x1, ne
	stp x30, x1, [sp, #240]
	mrs x3, elr_el1
	stp x3, x2, [sp, #256]
	mrs x3, esr_el1
	mrs x4, far_el1
	stp x3, x4, [sp, #272]
	str x0, [sp, #288]
	mov x0, sp
	bl fault_report
1:	wfe
	b 1b

/*
 * intr_stubs.S — the first instructions of every interrupt and exception.
 *
 * Each stub is INTR_STUB_SIZE bytes: it pushes a zero where the CPU pushes
 * no error code (so every frame has the same shape, struct intr_frame),
 * pushes its vector, and jumps to the common code, which saves the
 * general registers and calls C. Exceptions (vectors 0..31) go to
 * fault_report(), which does not return; interrupts go to
 * intr_dispatch() and return with iretq.
 *
 * Stack alignment: the CPU aligns %rsp to 16 before pushing its 5-word
 * frame; with the error code, the vector and 15 registers (22 words in
 * all) %rsp is 16-aligned again at the call, as the ABI wants.
 *
 * Vector registers are not saved: interrupts arrive only inside
 * kp_yield()'s `sti; hlt`, whose asm statement declares them clobbered
 * (yield.c), and exceptions never return.
 */
#include "layout.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.section .text.intr, "ax", @progbits

	/* .org fails the build if the previous stub outgrew its slot. */
	.macro	stub vec
	.org	intr_stubs + \vec * INTR_STUB_SIZE, 0xcc
	.if	!HAS_ERROR(\vec)
	pushq	$0
	.endif
	pushq	$\vec
	.if	\vec < 32
	jmp	fault_entry
	.else
	jmp	irq_entry
	.endif
	.endm

	.balign	INTR_STUB_SIZE
	.globl	intr_stubs
intr_stubs:
	.altmacro
	.set	v, 0
	.rept	INTR_STUB_COUNT
	stub	%v
	.set	v, v + 1
	.endr
	.noaltmacro

	.macro	save_registers
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

fault_entry:
	save_registers
	movq	%rsp, %rdi
	cld
	call	fault_report
	ud2

irq_entry:
	save_registers
	movq	%rsp, %rdi
	cld
	call	intr_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

/* The local APIC's spurious vector needs no EOI and no handler. */
	.globl	intr_stub_spurious
intr_stub_spurious:
	iretq

	.section .note.GNU-stack, "", @progbits

/*
 * Fiber context switch for x86_64 (System V ABI).
 *
 * Only the callee-saved state needs keeping, because keel__switch() is an
 * ordinary call: the compiler has already saved everything else. That is
 * rbx, rbp, r12-r15, the stack pointer, the return address (on the stack),
 * and the control words the ABI says a callee preserves: MXCSR's control
 * bits and the x87 control word.
 *
 * Frame left on a suspended stack, from the saved stack pointer up:
 *     0  MXCSR (4 bytes), x87 control word (2 bytes), padding
 *     8  r15, r14, r13, r12, rbx, rbp
 *    56  return address
 * The saved stack pointer is 16-byte aligned (the call pushed 8 bytes, the
 * six registers and the control-word slot 56 more).
 */

	.text

/* void keel__switch(void **save_sp, void *to_sp) */
	.globl keel__switch
	.type keel__switch, @function
	.p2align 4
keel__switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)

	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size keel__switch, . - keel__switch

/*
 * void *keel__switch_init(void *top)
 *
 * Writes below `top` a frame as keel__switch() leaves it, whose return
 * address is keel__fiber_start, with the ABI's initial control words
 * (MXCSR 0x1f80: all exceptions masked, round to nearest; x87 0x037f:
 * the same, extended precision) and zero registers, so the frame-pointer
 * chain ends at the fiber's first frame.
 */
	.globl keel__switch_init
	.type keel__switch_init, @function
	.p2align 4
keel__switch_init:
	movq %rdi, %rax
	andq $-16, %rax
	subq $64, %rax
	movl $0x1f80, 0(%rax)
	movl $0x037f, 4(%rax)
	movq $0, 8(%rax)
	movq $0, 16(%rax)
	movq $0, 24(%rax)
	movq $0, 32(%rax)
	movq $0, 40(%rax)
	movq $0, 48(%rax)
	leaq keel__fiber_start(%rip), %rcx
	movq %rcx, 56(%rax)
	ret
	.size keel__switch_init, . - keel__switch_init

/*
 * The first switch to a fiber "returns" here with the stack pointer at the
 * aligned top of its stack, so the call below enters C exactly as the ABI
 * wants (rsp + 8 a multiple of 16). keel__fiber_entry() never returns: a
 * fiber ends by switching away for good.
 */
	.type keel__fiber_start, @function
	.p2align 4
keel__fiber_start:
	call keel__fiber_entry
	ud2
	.size keel__fiber_start, . - keel__fiber_start

	.section .note.GNU-stack, "", @progbits

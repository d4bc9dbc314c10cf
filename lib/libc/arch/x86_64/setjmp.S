/*
 * setjmp / longjmp for x86_64 (System V ABI). See <setjmp.h>.
 *
 * jmp_buf words: 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15, 6 the stack
 * pointer as it is after setjmp returns, 7 the return address. These are
 * all the registers a call must preserve (the x87 and MXCSR control words
 * are never changed in an image, so they are not saved).
 */
	.text

	.globl	setjmp
	.type	setjmp, @function
setjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx		/* the caller's sp once we return */
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx		/* our return address */
	movq	%rdx, 56(%rdi)
	xorl	%eax, %eax
	ret
	.size	setjmp, . - setjmp

	.globl	longjmp
	.type	longjmp, @function
longjmp:
	movl	%esi, %eax
	testl	%eax, %eax		/* setjmp must not appear to return 0 */
	jnz	1f
	incl	%eax
1:
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	jmpq	*56(%rdi)		/* "return" from setjmp a second time */
	.size	longjmp, . - longjmp

	.section .note.GNU-stack, "", @progbits

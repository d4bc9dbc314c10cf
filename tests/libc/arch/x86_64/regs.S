/*
 * int regs_roundtrip(kl_jmp_buf env, uint64_t want[], uint64_t got[])
 *
 * For setjmp_test.c: loads known values into every callee-saved register,
 * records them in want[], calls kl_setjmp(env), overwrites them all and
 * calls kl_longjmp(env, 1). When setjmp returns the second time, records
 * what the registers hold in got[] and returns how many were recorded.
 * Assembly, because C code cannot pin values in registers across setjmp.
 *
 * Recorded: rbx, r12, r13, r14, r15, rbp (the frame pointer, whose value
 * is this function's frame rather than a constant).
 */
	.text
	.globl	regs_roundtrip
	.type	regs_roundtrip, @function
regs_roundtrip:
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$24, %rsp		/* 16-byte aligned again for the calls */
	movq	%rdi, 0(%rsp)
	movq	%rdx, 8(%rsp)

	movabsq	$0x1111111111111111, %rbx
	movabsq	$0x1212121212121212, %r12
	movabsq	$0x1313131313131313, %r13
	movabsq	$0x1414141414141414, %r14
	movabsq	$0x1515151515151515, %r15
	movq	%rbx, 0(%rsi)
	movq	%r12, 8(%rsi)
	movq	%r13, 16(%rsi)
	movq	%r14, 24(%rsi)
	movq	%r15, 32(%rsi)
	movq	%rbp, 40(%rsi)

	call	kl_setjmp		/* env is still in rdi */
	testl	%eax, %eax
	jnz	1f
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	movq	0(%rsp), %rdi
	movl	$1, %esi
	call	kl_longjmp

1:	movq	8(%rsp), %rax
	movq	%rbx, 0(%rax)
	movq	%r12, 8(%rax)
	movq	%r13, 16(%rax)
	movq	%r14, 24(%rax)
	movq	%r15, 32(%rax)
	movq	%rbp, 40(%rax)
	movl	$6, %eax

	addq	$24, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	regs_roundtrip, . - regs_roundtrip

	.section .note.GNU-stack, "", @progbits

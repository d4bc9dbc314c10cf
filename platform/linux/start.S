/*
 * start.S — the process entry point.
 *
 * The kernel starts us with rsp pointing at argc, followed by argv[],
 * NULL, envp[], NULL and the auxiliary vector. The ABI already promises
 * a 16-byte aligned rsp here, but aligning costs one instruction and makes
 * the C entry safe under any loader. rbp is cleared so that a debugger's
 * frame walk stops at this frame.
 */
	.section .text._start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp
	movq	%rsp, %rdi		/* argument: the initial stack pointer */
	andq	$-16, %rsp
	call	linux_entry		/* never returns */
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits

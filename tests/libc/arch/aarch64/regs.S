/*
 * int regs_roundtrip(kl_jmp_buf env, uint64_t want[], uint64_t got[])
 *
 * The aarch64 version of tests/libc/arch/x86_64/regs.S (see there).
 * Recorded: x19-x28, x29 (the frame pointer: this function's frame),
 * d8-d15.
 */
	.text
	.globl	regs_roundtrip
	.type	regs_roundtrip, %function
	.p2align 2
regs_roundtrip:
	stp	x29, x30, [sp, #-192]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	str	x0, [sp, #160]
	str	x2, [sp, #168]

	ldr	x19, =0x1919191919191919
	ldr	x20, =0x2020202020202020
	ldr	x21, =0x2121212121212121
	ldr	x22, =0x2222222222222222
	ldr	x23, =0x2323232323232323
	ldr	x24, =0x2424242424242424
	ldr	x25, =0x2525252525252525
	ldr	x26, =0x2626262626262626
	ldr	x27, =0x2727272727272727
	ldr	x28, =0x2828282828282828
	ldr	x9, =0x0808080808080808
	fmov	d8, x9
	ldr	x9, =0x0909090909090909
	fmov	d9, x9
	ldr	x9, =0x1010101010101010
	fmov	d10, x9
	ldr	x9, =0x1111111111111111
	fmov	d11, x9
	ldr	x9, =0x1212121212121212
	fmov	d12, x9
	ldr	x9, =0x1313131313131313
	fmov	d13, x9
	ldr	x9, =0x1414141414141414
	fmov	d14, x9
	ldr	x9, =0x1515151515151515
	fmov	d15, x9
	stp	x19, x20, [x1, #0]
	stp	x21, x22, [x1, #16]
	stp	x23, x24, [x1, #32]
	stp	x25, x26, [x1, #48]
	stp	x27, x28, [x1, #64]
	str	x29, [x1, #80]
	stp	d8, d9, [x1, #88]
	stp	d10, d11, [x1, #104]
	stp	d12, d13, [x1, #120]
	stp	d14, d15, [x1, #136]

	bl	kl_setjmp		/* env is still in x0 */
	cbnz	w0, 1f
	mov	x19, xzr
	mov	x20, xzr
	mov	x21, xzr
	mov	x22, xzr
	mov	x23, xzr
	mov	x24, xzr
	mov	x25, xzr
	mov	x26, xzr
	mov	x27, xzr
	mov	x28, xzr
	fmov	d8, xzr
	fmov	d9, xzr
	fmov	d10, xzr
	fmov	d11, xzr
	fmov	d12, xzr
	fmov	d13, xzr
	fmov	d14, xzr
	fmov	d15, xzr
	ldr	x0, [sp, #160]
	mov	x29, xzr
	mov	w1, #1
	bl	kl_longjmp

1:	ldr	x2, [sp, #168]
	stp	x19, x20, [x2, #0]
	stp	x21, x22, [x2, #16]
	stp	x23, x24, [x2, #32]
	stp	x25, x26, [x2, #48]
	stp	x27, x28, [x2, #64]
	str	x29, [x2, #80]
	stp	d8, d9, [x2, #88]
	stp	d10, d11, [x2, #104]
	stp	d12, d13, [x2, #120]
	stp	d14, d15, [x2, #136]
	mov	w0, #19

	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x29, x30, [sp], #192
	ret
	.size	regs_roundtrip, . - regs_roundtrip

	.section .note.GNU-stack, "", %progbits

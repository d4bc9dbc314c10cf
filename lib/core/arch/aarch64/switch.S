/*
 * Fiber context switch for aarch64 (AAPCS64).
 *
 * Only the callee-saved state needs keeping, because keel__switch() is an
 * ordinary call: x19-x28, the frame pointer x29, the link register x30
 * (where the switch returns to), sp, and the low halves d8-d15 of v8-v15.
 *
 * Frame left on a suspended stack, from the saved stack pointer up (160
 * bytes, so sp stays 16-byte aligned as the architecture requires):
 *     0  x19 x20   16  x21 x22   32  x23 x24   48  x25 x26   64  x27 x28
 *    80  x29 x30   96  d8 d9    112  d10 d11  128  d12 d13  144  d14 d15
 */

	.text

/* void keel__switch(void **save_sp, void *to_sp) */
	.globl keel__switch
	.type keel__switch, %function
	.p2align 4
keel__switch:
	sub sp, sp, #160
	stp x19, x20, [sp, #0]
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	stp d8, d9, [sp, #96]
	stp d10, d11, [sp, #112]
	stp d12, d13, [sp, #128]
	stp d14, d15, [sp, #144]
	mov x9, sp
	str x9, [x0]

	mov sp, x1
	ldp x19, x20, [sp, #0]
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp d8, d9, [sp, #96]
	ldp d10, d11, [sp, #112]
	ldp d12, d13, [sp, #128]
	ldp d14, d15, [sp, #144]
	add sp, sp, #160
	ret
	.size keel__switch, . - keel__switch

/*
 * void *keel__switch_init(void *top)
 *
 * Writes below `top` a frame as keel__switch() leaves it: zero registers
 * (x29 = 0 ends the frame-record chain) and x30 = keel__fiber_start.
 */
	.globl keel__switch_init
	.type keel__switch_init, %function
	.p2align 4
keel__switch_init:
	and x0, x0, #~15
	sub x0, x0, #160
	stp xzr, xzr, [x0, #0]
	stp xzr, xzr, [x0, #16]
	stp xzr, xzr, [x0, #32]
	stp xzr, xzr, [x0, #48]
	stp xzr, xzr, [x0, #64]
	adr x9, keel__fiber_start
	stp xzr, x9, [x0, #80]
	stp xzr, xzr, [x0, #96]
	stp xzr, xzr, [x0, #112]
	stp xzr, xzr, [x0, #128]
	stp xzr, xzr, [x0, #144]
	ret
	.size keel__switch_init, . - keel__switch_init

/*
 * The first switch to a fiber returns here with sp at the aligned top of
 * its stack and x29 = 0, so a backtrace stops at this frame.
 * keel__fiber_entry() never returns; a fiber ends by switching away for good.
 */
	.type keel__fiber_start, %function
	.p2align 4
keel__fiber_start:
	bl keel__fiber_entry
	brk #0x3e8
	.size keel__fiber_start, . - keel__fiber_start

	.section .note.GNU-stack, "", %progbits

/*
 * boot.S — the arm64 Image header and the way from the loader to C.
 *
 * A loader following the arm64 Linux boot protocol (QEMU's -kernel)
 * enters at the first byte, at EL2 or EL1, with the MMU and data cache
 * off, interrupts masked, and the device tree's physical address in x0.
 * The path:
 *
 *   1. At EL2, drop to EL1 (AArch64, EL1 timer and counter allowed,
 *      GICv3 system registers enabled for EL1). At EL3 (a machine with
 *      no firmware) the image stops: that needs a secure monitor.
 *   2. Check the image runs where it is linked (it is not relocatable).
 *   3. FP/SIMD on (C uses it); .bss zeroed.
 *   4. The MMU on with a boot table of 1 GiB blocks: the first GiB
 *      (devices on virt) as device memory, the next three as normal
 *      cached memory, all identity-mapped, so that C runs on normal
 *      memory from its first instruction (unaligned accesses are then
 *      allowed). mem_init.c replaces this table with the final W^X one.
 *   5. Two stacks: code runs on SP_EL0 (the boot stack, later fiber
 *      stacks), exceptions on SP_EL1 (their own stack), so a stack
 *      overflow into a guard page is still reported.
 *   6. canary_init, then a64_start(dtb).
 */
#include "layout.h"

	.section .text.head, "ax"
	.globl _start
_start:
	b primary                /* code0 */
	.long 0                  /* code1 */
	.quad 0x200000           /* text_offset: 2 MiB above the RAM base */
	.quad __image_size       /* bytes the image occupies, .bss included */
	.quad 0x2                /* flags: little endian, 4 KiB pages, 2 MiB-aligned base */
	.quad 0, 0, 0            /* reserved */
	.ascii "ARM\x64"         /* magic */
	.long 0                  /* no PE header */

	.section .text.boot, "ax"
primary:
	mov x19, x0
	msr daifset, #0xf

	mrs x1, CurrentEL
	lsr x1, x1, #2
	cmp x1, #2
	b.eq from_el2
	cmp x1, #1
	b.eq at_el1
stop:	wfe                      /* EL3: not supported */
	b stop

from_el2:
	mov x1, #(1 << 31)       /* HCR_EL2.RW: EL1 is AArch64; nothing trapped */
	msr hcr_el2, x1
	mrs x1, cnthctl_el2
	orr x1, x1, #3           /* EL1PCTEN, EL1PCEN: EL1 may use the counter and timer */
	msr cnthctl_el2, x1
	msr cntvoff_el2, xzr
	mrs x1, id_aa64pfr0_el1
	ubfx x1, x1, #24, #4     /* GIC system register interface present? */
	cbz x1, 1f
	mrs x1, S3_4_C12_C9_5    /* ICC_SRE_EL2 */
	mov x2, #0x9             /* Enable (EL1 may use ICC_SRE_EL1), SRE */
	orr x1, x1, x2
	msr S3_4_C12_C9_5, x1
	isb
1:	msr vttbr_el2, xzr
	ldr x1, =SCTLR_RES1
	msr sctlr_el1, x1
	mov x1, #0x3c5           /* EL1h, D, A, I, F masked */
	msr spsr_el2, x1
	adr x1, at_el1
	msr elr_el2, x1
	eret

at_el1:
	/* Not relocatable: it must run where it is linked. */
	adr x1, _start
	ldr x2, =_start
	cmp x1, x2
	b.ne stop

	mov x1, #(3 << 20)       /* CPACR_EL1.FPEN: FP/SIMD at EL1 */
	msr cpacr_el1, x1
	isb

	ldr x1, =__bss_start
	ldr x2, =__bss_end
2:	cmp x1, x2
	b.hs 3f
	stp xzr, xzr, [x1], #16
	b 2b
3:
	/* Boot table: [0, 1 GiB) device, [1, 4 GiB) normal, identity. */
	ldr x1, =boot_l1
	mov x2, #((1 << 10) | (ATTR_DEVICE << 2) | 1)  /* AF, device, block */
	orr x2, x2, #(3 << 53)                          /* PXN, UXN */
	str x2, [x1]
	mov x3, #1
4:	lsl x2, x3, #30
	ldr x4, =((1 << 10) | (3 << 8) | (ATTR_NORMAL << 2) | 1) /* AF, inner shareable */
	orr x2, x2, x4
	str x2, [x1, x3, lsl #3]
	add x3, x3, #1
	cmp x3, #4
	b.lo 4b
	dsb ish

	ldr x2, =MAIR_VALUE
	msr mair_el1, x2
	mrs x2, id_aa64mmfr0_el1
	and x2, x2, #7           /* PARange -> TCR_EL1.IPS */
	ldr x3, =TCR_VALUE
	orr x3, x3, x2, lsl #32
	msr tcr_el1, x3
	msr ttbr0_el1, x1
	isb
	tlbi vmalle1
	dsb nsh
	isb
	ldr x2, =SCTLR_BOOT
	msr sctlr_el1, x2
	isb

	ldr x1, =__exception_stack_top
	mov sp, x1               /* SP_EL1 */
	msr spsel, #0
	ldr x1, =__boot_stack_top
	mov sp, x1               /* SP_EL0, from here on */
	ldr x1, =a64_vectors
	msr vbar_el1, x1
	isb
	mov x29, xzr
	mov x30, xzr

	bl canary_init
	mov x0, x19
	bl a64_start
	b stop

	.section .bss.page_aligned, "aw", %nobits
	.p2align 12
	.globl boot_l1
boot_l1:
	.space 4096

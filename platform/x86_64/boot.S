/*
 * boot.S — from the loader's 32-bit protected mode to C in 64-bit mode.
 *
 * Two ways in, one path after the first few instructions:
 *
 *  - Xen PVH (the PHYS32_ENTRY note below): QEMU -kernel, Firecracker,
 *    cloud-hypervisor and Xen enter `boot_pvh` with paging off, flat
 *    32-bit segments and %ebx = the physical address of hvm_start_info.
 *  - Multiboot v1 (the header below): GRUB, and QEMU -kernel too — QEMU
 *    looks for a multiboot header before it looks for the PVH note. It
 *    enters `boot_multiboot` in the same state, with %eax = 0x2badb002
 *    and %ebx = the multiboot_info. The image is ELF64, which multiboot
 *    loaders do not parse, so the header carries the "a.out kludge"
 *    addresses: load the file from __image_start up to __load_end, zero
 *    up to __bss_end, jump to boot_multiboot. This works because the
 *    linker script lays out the file exactly as memory, from the ELF
 *    header at 1 MiB on.
 *
 * Neither loader gives a stack, so none is used until %esp points at the
 * boot stack. The common path checks the CPU, builds page tables that
 * identity-map the first GiB with 2 MiB pages (all no-execute except the
 * 2 MiB that hold the image), enables PAE, SSE, long mode, NX and paging,
 * and jumps to 64-bit code, which seeds the stack-protector canary and
 * calls x86_start(kind, info). mem.c replaces these tables with the
 * final W^X ones before main.
 */
#include "layout.h"

#define MULTIBOOT_MAGIC 0x1badb002
#define MULTIBOOT_LOADER_MAGIC 0x2badb002
/* Flags: memory information required (bit 1), the a.out kludge address
 * fields are valid (bit 16). */
#define MULTIBOOT_FLAGS 0x00010002

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_ET (1 << 4)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_MCE (1 << 6)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define PTE_PRESENT 0x001
#define PTE_WRITE 0x002
#define PTE_LARGE 0x080
#define PTE_NX_HIGH 0x80000000 /* bit 63, in the high half of an entry */

#define COM1 0x3f8

/* ---- Multiboot header: must be in the first 8 KiB of the file ---------- */

	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long	MULTIBOOT_MAGIC
	.long	MULTIBOOT_FLAGS
	.long	-(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
	.long	multiboot_header	/* header_addr */
	.long	__image_start		/* load_addr: file offset 0 */
	.long	__load_end		/* load_end_addr */
	.long	__bss_end		/* bss_end_addr */
	.long	boot_multiboot		/* entry_addr */

/* ---- Xen PVH entry note ------------------------------------------------- */

/* 4-aligned like every note of the image, so that the PT_NOTE segment is
 * 4-aligned too (QEMU aligns the name by the segment's alignment). The
 * address is 8 bytes, as loaders reading it as a 64-bit value expect. */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4			/* namesz: "Xen" and its NUL */
	.long	8			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.quad	boot_pvh

/* ---- The boot GDT -------------------------------------------------------- */

/* Read-only and used only to reach 64-bit mode; cpu_tables.c installs
 * the final GDT (with a TSS) with the same selectors. The accessed bits
 * are preset so the CPU never writes to this table. */
	.section .rodata.boot_gdt, "a"
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* GDT_CODE64: 64-bit code, DPL 0 */
	.quad	0x00cf93000000ffff	/* GDT_DATA: flat data */
boot_gdt_end:
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

no_long_mode_msg:
	.ascii	"keel: this CPU cannot run x86_64 code with no-execute pages (CPUID 0x80000001: LM, NX)\r\n"
	.asciz	"keel: halting.\r\n"

/* ---- 32-bit entry -------------------------------------------------------- */

	.section .text.boot, "ax", @progbits
	.code32

	.globl	boot_pvh
	.type	boot_pvh, @function
boot_pvh:
	movl	$BOOT_KIND_PVH, %edi
	jmp	boot32
	.size	boot_pvh, . - boot_pvh

	.globl	boot_multiboot
	.type	boot_multiboot, @function
boot_multiboot:
	movl	$BOOT_KIND_MULTIBOOT, %edi
	cmpl	$MULTIBOOT_LOADER_MAGIC, %eax
	je	boot32
	xorl	%edi, %edi		/* unknown loader: x86_start refuses */
	.size	boot_multiboot, . - boot_multiboot

/* %edi = boot kind, %ebx = boot information (physical address). */
boot32:
	cli
	cld
	movl	%ebx, %esi
	movl	$__boot_stack_top, %esp

	/* Long mode and NX must exist. cpuid clobbers %ebx; %esi holds it. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	testl	$(1 << 29), %edx	/* LM */
	jz	no_long_mode
	testl	$(1 << 20), %edx	/* NX */
	jz	no_long_mode

	/*
	 * Page tables (in .bss, zeroed by the loader): PML4[0] -> PDPT[0] ->
	 * PD, whose 512 entries map the first GiB with 2 MiB pages, read-write
	 * and no-execute except those holding the image's code (linked at
	 * 1 MiB). Boot information lies in that GiB in practice
	 * (boot_info.c checks).
	 */
	movl	$boot_pdpt + (PTE_PRESENT | PTE_WRITE), boot_pml4
	movl	$boot_pd + (PTE_PRESENT | PTE_WRITE), boot_pdpt
	movl	$boot_pd, %edx
	movl	$(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
1:	movl	%eax, (%edx)
	cmpl	$__text_end, %eax
	jb	2f
	movl	$PTE_NX_HIGH, 4(%edx)
2:	addl	$(2 << 20), %eax
	addl	$8, %edx
	cmpl	$boot_pd + 4096, %edx
	jne	1b

	/* PAE, SSE (the compiler uses it freely in C), machine checks. */
	movl	$(CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	/* Paging on (this enters long mode), write protection honoured in
	 * ring 0, x87/SSE enabled (EM clear, MP set), caches on (CD, NW
	 * clear: the value is written whole). */
	movl	$(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	movl	%eax, %cr0

	lgdt	boot_gdt_ptr
	ljmp	$GDT_CODE64, $boot64

/* Prints the message on COM1 without initialising it (emulated UARTs
 * work as they come out of reset) and halts for good. */
no_long_mode:
	movl	$no_long_mode_msg, %esi
	movw	$COM1, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	cli
	hlt
	jmp	2b

/* ---- 64-bit entry -------------------------------------------------------- */

	.code64
boot64:
	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$__boot_stack_top, %rsp
	xorl	%ebp, %ebp		/* the fault reporter's stack walk ends here */
	fninit				/* x87 and MXCSR in their default state */

	/* The upper halves of the registers are undefined after the switch. */
	movl	%edi, %r12d
	movl	%esi, %r13d
	/* Before any function with a canary runs (canary.c). */
	call	canary_init
	movl	%r12d, %edi
	movl	%r13d, %esi
	call	x86_start		/* never returns */
	ud2

/* ---- Boot page tables ---------------------------------------------------- */

	.section .bss.page_aligned, "aw", @nobits
	.balign 4096
	.globl	boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip	4096
boot_pdpt:
	.skip	4096
boot_pd:
	.skip	4096

	.section .note.GNU-stack, "", @progbits

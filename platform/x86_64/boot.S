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
/* exit.c's exit devices and the refusal status (PLATFORM_EXIT_REFUSED). */
#define STATUS_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_REFUSED 2

/* What the memory check reads (boot_info.c has the structures). */
#define BOOT_IMAGE_BASE 0x100000
#define PVH_MAGIC 0x336ec578
#define E820_RAM 1
#define MB_INFO_MEMORY (1 << 0)
#define MB_INFO_MMAP (1 << 6)

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

memory_short_msg:
	.asciz	"keel: the image does not fit in this machine's memory: its code, data and bss end at "
memory_short_msg2:
	.ascii	" KiB, beyond the end of RAM (give the machine more memory: "
	.asciz	"that much, the page tables and at least 512 KiB of heap)\r\n"
exit_refused_msg:
	.asciz	"keel-exit 2\n"
	.balign	4
powers_of_ten:
	.long	1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1
powers_of_ten_end:

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

	/* The image must lie in RAM before its .bss (boot stack, page
	 * tables) is touched: a loader puts a large .bss where there is no
	 * memory without a word, and the first call would reset the CPU. */
	jmp	check_memory
memory_ok:

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

/*
 * Does a usable RAM range hold all of the image, [1 MiB, __image_end)?
 * Read from the loader's memory map (PVH version >= 1; multiboot's map,
 * else its mem_upper); without one, nothing is known and the check
 * passes (boot_info.c then reads the map, or refuses, in C). Uses no
 * stack and no memory but the loader's structures; keeps %esi, %edi.
 * A map the check cannot make sense of passes too: boot_info.c says
 * what is wrong with it.
 */
check_memory:
	cmpl	$BOOT_KIND_PVH, %edi
	je	check_pvh
	cmpl	$BOOT_KIND_MULTIBOOT, %edi
	jne	memory_ok		/* x86_start refuses the loader */
	movl	(%esi), %eax		/* multiboot_info.flags */
	testl	$MB_INFO_MMAP, %eax
	jnz	check_mb_map
	testl	$MB_INFO_MEMORY, %eax
	jz	memory_ok
	/* mem_upper: KiB of contiguous RAM from 1 MiB on. */
	movl	$__image_end - BOOT_IMAGE_BASE, %eax
	shrl	$10, %eax
	cmpl	%eax, 8(%esi)
	jae	memory_ok
	jmp	memory_short

check_mb_map:
	movl	48(%esi), %ebx		/* mmap_addr */
	movl	44(%esi), %ebp		/* mmap_length */
	addl	%ebx, %ebp		/* end of the map */
	jc	memory_ok
1:	leal	24(%ebx), %eax		/* a whole entry left? */
	cmpl	%ebp, %eax
	ja	memory_short
	cmpl	$20, (%ebx)		/* size: the bytes after itself */
	jb	memory_ok
	cmpl	$E820_RAM, 20(%ebx)	/* type */
	jne	2f
	cmpl	$0, 8(%ebx)		/* start above 4 GiB */
	jne	2f
	movl	4(%ebx), %eax
	cmpl	$BOOT_IMAGE_BASE, %eax
	ja	2f
	cmpl	$0, 16(%ebx)		/* 4 GiB or more from below 1 MiB */
	jne	memory_ok
	addl	12(%ebx), %eax
	jc	memory_ok
	cmpl	$__image_end, %eax
	jae	memory_ok
2:	movl	(%ebx), %eax		/* the next entry: past the map, or */
	addl	$4, %eax		/* wrapping, leaves the damage to C */
	jc	memory_ok
	addl	%eax, %ebx
	jc	memory_ok
	cmpl	%ebp, %ebx
	ja	memory_ok
	jmp	1b

/* hvm_start_info: version at 4, memmap_paddr at 40 (a 64-bit address),
 * memmap_entries at 48; entries of 24 bytes: addr, size, type. */
check_pvh:
	cmpl	$PVH_MAGIC, (%esi)
	jne	memory_ok
	cmpl	$1, 4(%esi)
	jb	memory_ok
	cmpl	$0, 44(%esi)
	jne	memory_ok
	movl	40(%esi), %ebx
	movl	48(%esi), %ebp
	testl	%ebp, %ebp
	jz	memory_ok
3:	cmpl	$E820_RAM, 16(%ebx)
	jne	4f
	cmpl	$0, 4(%ebx)
	jne	4f
	movl	(%ebx), %eax
	cmpl	$BOOT_IMAGE_BASE, %eax
	ja	4f
	cmpl	$0, 12(%ebx)
	jne	memory_ok
	addl	8(%ebx), %eax
	jc	memory_ok
	cmpl	$__image_end, %eax
	jae	memory_ok
4:	addl	$24, %ebx
	decl	%ebp
	jnz	3b
	/* fall through */

/* The image does not fit: one line on COM1 saying how far it reaches,
 * status 2 (refused) to the exit devices as exit.c writes it, halt. The
 * small stack is in .data, which the loader did place in memory. */
memory_short:
	movl	$boot_fail_stack_top, %esp
	movl	$memory_short_msg, %esi
	movw	$COM1, %dx
	call	puts32
	movl	$__image_end, %eax
	shrl	$10, %eax
	call	putdec32
	movl	$memory_short_msg2, %esi
	movw	$COM1, %dx
	call	puts32
	movl	$exit_refused_msg, %esi
	movw	$STATUS_PORT, %dx
	call	puts32
	movb	$EXIT_REFUSED, %al
	outb	%al, $DEBUG_EXIT_PORT
5:	cli
	hlt
	jmp	5b

/* puts32: writes the string at %esi to port %dx. */
puts32:
	lodsb
	testb	%al, %al
	jz	6f
	outb	%al, %dx
	jmp	puts32
6:	ret

/* putdec32: writes %eax in decimal to COM1, without leading zeros. */
putdec32:
	movl	%eax, %ecx
	movl	$powers_of_ten, %ebx
	xorl	%ebp, %ebp		/* a digit was written */
7:	movl	%ecx, %eax
	xorl	%edx, %edx
	divl	(%ebx)
	movl	%edx, %ecx
	orl	%eax, %ebp
	jnz	8f
	cmpl	$1, (%ebx)		/* 0 is written as "0" */
	jne	9f
8:	addb	$'0', %al
	movw	$COM1, %dx
	outb	%al, %dx
9:	addl	$4, %ebx
	cmpl	$powers_of_ten_end, %ebx
	jne	7b
	ret

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

/* ---- The stack of memory_short ------------------------------------------ */

	.data
	.balign	16
boot_fail_stack:
	.skip	64
boot_fail_stack_top:

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

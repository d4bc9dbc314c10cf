/*
 * cpu_tables.c — the final GDT, the TSS with its interrupt stacks, and
 * loading the IDT that intr.c fills.
 *
 * All three live in one page-aligned area of .bss (__tables_start ..
 * __tables_end) that mem.c maps read-only once they are loaded: nothing
 * writes them after boot, and a stray write should fault rather than
 * silently redirect an exception. The CPU itself writes only the TSS
 * descriptor's busy bit, during `ltr`, before the area becomes read-only.
 */
#include "platform_impl.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct cpu_tables {
	uint64_t idt[256 * 2]; /* 16-byte gates; intr.c fills them */
	uint64_t gdt[5];       /* null, code, data, TSS (two slots) */
	struct tss tss;
};

static struct cpu_tables tables __attribute__((section(".bss.cpu_tables"), aligned(4096)));

void cpu_idt_set(unsigned vector, uintptr_t handler, unsigned ist)
{
	uint64_t h = handler;

	/* An interrupt gate (type 0xe: interrupts stay disabled in the
	 * handler), present, ring 0, offset split over the two halves. */
	tables.idt[vector * 2] = (h & 0xffff) | (uint64_t)GDT_CODE64 << 16 |
	                         (uint64_t)(ist & 7) << 32 | 0x8eull << 40 |
	                         ((h >> 16) & 0xffff) << 48;
	tables.idt[vector * 2 + 1] = h >> 32;
}

struct __attribute__((packed)) table_ptr {
	uint16_t limit;
	uint64_t base;
};

void cpu_tables_init(void)
{
	uint64_t tss = (uint64_t)(uintptr_t)&tables.tss;
	uint64_t limit = sizeof(tables.tss) - 1;
	struct table_ptr gdt_ptr = { sizeof(tables.gdt) - 1, (uint64_t)(uintptr_t)tables.gdt };
	struct table_ptr idt_ptr = { sizeof(tables.idt) - 1, (uint64_t)(uintptr_t)tables.idt };

	tables.tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)__ist_df_top;
	tables.tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)__ist_nmi_top;
	tables.tss.ist[IST_PAGE_FAULT - 1] = (uint64_t)(uintptr_t)__ist_pf_top;
	/* No I/O permission bitmap: the base points past the segment limit. */
	tables.tss.iomap_base = sizeof(tables.tss);

	/* Same descriptors as boot.S's GDT, accessed bits preset. */
	tables.gdt[0] = 0;
	tables.gdt[GDT_CODE64 / 8] = 0x00af9b000000ffffull;
	tables.gdt[GDT_DATA / 8] = 0x00cf93000000ffffull;
	/* 64-bit available TSS (type 9), present, base split over the
	 * descriptor as the architecture wants it. */
	tables.gdt[GDT_TSS / 8] = (limit & 0xffff) | (tss & 0xffffff) << 16 | 0x89ull << 40 |
	                          ((limit >> 16) & 0xf) << 48 | ((tss >> 24) & 0xff) << 56;
	tables.gdt[GDT_TSS / 8 + 1] = tss >> 32;

	__asm__ volatile("lgdt %0" ::"m"(gdt_ptr) : "memory");
	__asm__ volatile("ltr %w0" ::"r"(GDT_TSS) : "memory");
	__asm__ volatile("lidt %0" ::"m"(idt_ptr) : "memory");
}

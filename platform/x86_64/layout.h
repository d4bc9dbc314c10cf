/*
 * layout.h — numbers shared by the assembly and C files of platform/x86_64
 * (no C declarations: boot.S and intr_stubs.S include it too).
 */
#ifndef KEEL_X86_64_LAYOUT_H
#define KEEL_X86_64_LAYOUT_H

/* Segment selectors of the boot GDT (boot.S) and of the final one
 * (cpu_tables.c): the same code and data selectors in both, so nothing
 * has to be reloaded when the final GDT replaces the boot one. */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define GDT_TSS 0x18

/* Interrupt stack table slots (TSS.IST1..7) for the vectors that must
 * not run on the stack that was in use when they happened: a double
 * fault and a page fault are how a stack overflow shows itself. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2 /* NMI and machine check */
#define IST_PAGE_FAULT 3

/* Vectors. 0..31 are the CPU's exceptions. */
#define INTR_VECTOR_PIC_BASE 0x20     /* legacy 8259 IRQ 0..15 -> 0x20..0x2f */
#define INTR_VECTOR_TIMER 0x30        /* local APIC timer */
#define INTR_VECTOR_DEVICE_FIRST 0x31 /* for device drivers (MSI-X, IOAPIC) */
#define INTR_VECTOR_DEVICE_LAST 0x4f
#define INTR_STUB_COUNT 0x50 /* stubs exist for vectors 0..0x4f */
#define INTR_STUB_SIZE 16
#define INTR_VECTOR_SPURIOUS 0xff /* local APIC spurious vector */

/* boot.S tells x86_start how it was entered (enum boot_kind). */
#define BOOT_KIND_PVH 1
#define BOOT_KIND_MULTIBOOT 2

#endif

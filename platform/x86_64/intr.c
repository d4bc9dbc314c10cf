/*
 * intr.c — the IDT and the dispatch of interrupts to their handlers.
 *
 * Interrupts are enabled only inside kp_yield()'s `sti; hlt` (yield.c),
 * so a handler runs at a known point: it cannot interrupt the runtime or
 * the platform half-way through anything. Handlers record what happened
 * (intr_ready for devices; the timer has nothing to record: its only job
 * is to end the `hlt`) and acknowledge the interrupt.
 */
#include "platform_impl.h"

kp_handle_set intr_ready;

static struct {
	intr_handler fn;
	void *arg;
} handlers[INTR_STUB_COUNT];

/* Interrupts nobody asked for (a stray device, a spurious 8259 IRQ 7). */
static uint64_t unexpected;

static unsigned ist_for(unsigned vector)
{
	switch (vector) {
	case 2:  /* NMI */
	case 18: /* machine check */
		return IST_NMI;
	case 8:
		return IST_DOUBLE_FAULT;
	case 14:
		return IST_PAGE_FAULT;
	default:
		return 0;
	}
}

void intr_init(void)
{
	for (unsigned v = 0; v < INTR_STUB_COUNT; v++)
		cpu_idt_set(v, (uintptr_t)(intr_stubs + v * INTR_STUB_SIZE), ist_for(v));
	cpu_idt_set(INTR_VECTOR_SPURIOUS, (uintptr_t)intr_stub_spurious, 0);
}

void intr_set_handler(unsigned vector, intr_handler fn, void *arg)
{
	if (vector >= 32 && vector < INTR_STUB_COUNT) {
		handlers[vector].fn = fn;
		handlers[vector].arg = arg;
	}
}

unsigned intr_alloc_vector(void)
{
	static unsigned next = INTR_VECTOR_DEVICE_FIRST;

	if (next > INTR_VECTOR_DEVICE_LAST)
		platform_fail("too many devices: no interrupt vector is left for another", NULL);
	return next++;
}

void intr_dispatch(struct intr_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v < INTR_STUB_COUNT && handlers[v].fn) {
		handlers[v].fn(v, handlers[v].arg);
		return;
	}
	unexpected++;
	/* An 8259's spurious IRQ wants no EOI; anything else came through
	 * the local APIC, which stays blocked for that priority until EOI. */
	if (v < INTR_VECTOR_PIC_BASE || v >= INTR_VECTOR_PIC_BASE + 16)
		lapic_eoi();
}

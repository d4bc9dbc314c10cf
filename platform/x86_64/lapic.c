/*
 * lapic.c — the local APIC: its timer wakes kp_yield() from `hlt`.
 *
 * Used in xAPIC mode through its registers (mapped uncached, mem.c), or in
 * x2APIC mode through MSRs when the firmware has already switched it to
 * that mode (it cannot be switched back). Only what Keel needs: the timer
 * in one-shot or TSC-deadline mode, EOI, and LINT0 passing the 8259's
 * interrupts through while clock.c calibrates against the PIT.
 */
#include "platform_impl.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ull
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800

#define REG_ID 0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE 0x3e0

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_EXTINT (7u << 8)
#define LVT_NMI (4u << 8)
#define LVT_TSC_DEADLINE (2u << 17)
#define DIVIDE_BY_1 0xb

static volatile uint32_t *regs; /* xAPIC; NULL in x2APIC mode */

static uint32_t lapic_read(unsigned reg)
{
	if (!regs)
		return (uint32_t)cpu_rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return regs[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
	if (!regs)
		cpu_wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		regs[reg / 4] = v;
}

void lapic_init(void)
{
	uint64_t base = cpu_rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		cpu_wrmsr(MSR_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_X2APIC)) {
		if (!mem_map_mmio(base & APIC_BASE_ADDR, PAGE_SIZE))
			platform_fail("internal error: cannot map the local APIC", NULL);
		regs = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR);
	}
	lapic_write(REG_TPR, 0);
	lapic_write(REG_SVR, SVR_ENABLE | INTR_VECTOR_SPURIOUS);
	lapic_write(REG_LVT_LINT0, LVT_MASKED); /* opened only while calibrating */
	lapic_write(REG_LVT_LINT1, LVT_NMI);
	lapic_write(REG_LVT_ERROR, LVT_MASKED);
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_TIMER_DIVIDE, DIVIDE_BY_1);
}

/* LINT0 passes the 8259's interrupts (ExtINT) only while clock.c
 * measures against the PIT: opened for each measurement, closed after
 * it, so no legacy interrupt can reach the CPU otherwise. */
void lapic_open_lint0(void)
{
	lapic_write(REG_LVT_LINT0, LVT_EXTINT);
}

void lapic_close_lint0(void)
{
	lapic_write(REG_LVT_LINT0, LVT_MASKED);
}

uint32_t lapic_id(void)
{
	/* x2APIC: the whole register; xAPIC: its top byte. */
	uint32_t id = lapic_read(REG_ID);

	return regs ? id >> 24 : id;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

void lapic_timer_oneshot(uint32_t ticks)
{
	lapic_write(REG_LVT_TIMER, INTR_VECTOR_TIMER);
	lapic_write(REG_TIMER_INITIAL, ticks);
}

void lapic_timer_deadline(uint64_t tsc)
{
	/* The mode is set before the deadline: writing the MSR in another
	 * mode does nothing. */
	lapic_write(REG_LVT_TIMER, INTR_VECTOR_TIMER | LVT_TSC_DEADLINE);
	cpu_wrmsr(MSR_TSC_DEADLINE, tsc);
}

void lapic_timer_start_free(void)
{
	lapic_write(REG_LVT_TIMER, INTR_VECTOR_TIMER);
	lapic_write(REG_TIMER_INITIAL, UINT32_MAX);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(REG_TIMER_CURRENT);
}

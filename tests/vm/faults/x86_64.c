/*
 * x86_64.c — the fault image's x86_64 faults:
 *
 *   idt     write to the interrupt table        read-only once loaded
 *   ud2     an invalid instruction              #UD
 *   double  #UD with a non-canonical stack      #DF, on its own stack
 */
#include "faults.h"

const uint8_t arch_ret[] = { 0xc3 }; /* ret */
const size_t arch_ret_size = sizeof(arch_ret);

static void do_idt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	*(volatile uint64_t *)(uintptr_t)idtr.base = 0;
}

static void do_ud2(void)
{
	__asm__ volatile("ud2");
}

/* Delivering the #UD faults on the stack (#SS), and so does delivering
 * that: a double fault, which only its own stack (IST) can report. */
static void do_double(void)
{
	__asm__ volatile("movabs $0x800000001000, %%rax; mov %%rax, %%rsp; ud2" ::
	                     : "rax", "memory");
}

const struct fault arch_faults[] = {
	{ "idt", do_idt },
	{ "ud2", do_ud2 },
	{ "double", do_double },
};
const size_t arch_nfaults = sizeof(arch_faults) / sizeof(arch_faults[0]);

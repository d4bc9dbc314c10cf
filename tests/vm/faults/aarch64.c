/*
 * aarch64.c — the fault image's aarch64 faults:
 *
 *   udf     a permanently undefined instruction undefined instruction
 *   brk     a breakpoint instruction            brk
 *   badsp   a fault with an unmapped stack      reported from its own stack
 */
#include "faults.h"

/* ret (0xd65f03c0), little-endian. */
const uint8_t arch_ret[] __attribute__((aligned(4))) = { 0xc0, 0x03, 0x5f, 0xd6 };
const size_t arch_ret_size = sizeof(arch_ret);

static void do_udf(void)
{
	__asm__ volatile("udf #0");
}

static void do_brk(void)
{
	__asm__ volatile("brk #1");
}

/* The stack pointer in unmapped memory, then a store through it: the
 * report cannot use this stack, only its own. */
static void do_badsp(void)
{
	__asm__ volatile("mov x9, #0x1000\n\tmov sp, x9\n\tstr xzr, [sp, #-16]!" ::
	                     : "x9", "memory");
}

const struct fault arch_faults[] = {
	{ "udf", do_udf },
	{ "brk", do_brk },
	{ "badsp", do_badsp },
};
const size_t arch_nfaults = sizeof(arch_faults) / sizeof(arch_faults[0]);

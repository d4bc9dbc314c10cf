/*
 * faults — does one forbidden thing on aarch64, named by argv[1], so that
 * the tests can check the platform's protection and its fault report:
 *
 *   null    write through a null pointer        page 0 is unmapped
 *   text    write over the code of a function   .text is read-only
 *   rodata  write to a string constant          .rodata is read-only
 *   nx      call code copied to the heap        the heap is never executable
 *   stack   unbounded recursion in a fiber      guard page under its stack
 *   udf     a permanently undefined instruction undefined instruction
 *   brk     a breakpoint instruction            brk
 *   badsp   a fault with an unmapped stack      reported from its own stack
 *   smash   overflow a local array              the stack-protector canary
 *   abort   abort()                             kp_abort
 *
 * Each prints "faults: <name>" first; nothing after that should print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

static volatile int sink;
static volatile uintptr_t null_address;

static void do_null(void)
{
	*(volatile int *)null_address = 1;
}

static void do_text(void)
{
	volatile uint32_t *code = (volatile uint32_t *)(uintptr_t)do_null;

	code[0] = 0xd65f03c0; /* ret */
}

static void do_rodata(void)
{
	static const char message[] = "constant";
	volatile char *p = (volatile char *)(uintptr_t)message;

	p[0] = 'C';
}

static void do_nx(void)
{
	static const uint32_t ret[] = { 0xd65f03c0 }; /* ret */
	unsigned char *heap = malloc(64);
	void (*fn)(void);

	if (!heap)
		return;
	memcpy(heap, ret, sizeof(ret));
	fn = (void (*)(void))(uintptr_t)heap;
	fn();
}

static int recurse(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == 1 << 30)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflow_fiber(void *arg)
{
	sink = recurse(0);
}

static void do_stack(void)
{
	if (!keel_fiber_spawn(overflow_fiber, NULL, 0))
		return;
	keel_sleep(KEEL_SEC);
}

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

static void __attribute__((noinline)) smash(const char *src, size_t len)
{
	char buf[16];

	memcpy(buf, src, len); /* len > sizeof(buf) on purpose */
	sink = buf[0];
}

static void do_smash(void)
{
	static char big[64];

	memset(big, 'A', sizeof(big));
	smash(big, sizeof(big) - (size_t)sink);
}

static void do_abort(void)
{
	abort();
}

static const struct {
	const char *name;
	void (*fn)(void);
} faults[] = {
	{ "null", do_null },   { "text", do_text },   { "rodata", do_rodata },
	{ "nx", do_nx },       { "stack", do_stack }, { "udf", do_udf },
	{ "brk", do_brk },     { "badsp", do_badsp }, { "smash", do_smash },
	{ "abort", do_abort },
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		printf("usage: faults null|text|rodata|nx|stack|udf|brk|badsp|smash|abort\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(argv[1], faults[i].name) == 0) {
			printf("faults: %s\n", faults[i].name);
			faults[i].fn();
			printf("faults: %s did not fault\n", faults[i].name);
			return 1;
		}
	}
	printf("faults: unknown fault '%s'\n", argv[1]);
	return 2;
}

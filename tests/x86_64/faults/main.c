/*
 * faults — does one forbidden thing, named by argv[1], so that the tests
 * can check the platform's protection and its fault report:
 *
 *   null    write through a null pointer        page 0 is unmapped
 *   text    write over the code of a function   .text is read-only
 *   rodata  write to a string constant          .rodata is read-only
 *   idt     write to the interrupt table        read-only once loaded
 *   nx      call code copied to the heap        the heap is no-execute
 *   stack   unbounded recursion in a fiber      guard page under its stack
 *   ud2     an invalid instruction              #UD
 *   double  #UD with a non-canonical stack      #DF, on its own stack
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
static volatile uintptr_t null_address; /* 0, hidden from the compiler */

static void do_null(void)
{
	*(volatile int *)null_address = 1;
}

static void do_text(void)
{
	volatile unsigned char *code = (volatile unsigned char *)(uintptr_t)do_null;

	code[0] = 0xc3;
}

static void do_rodata(void)
{
	static const char message[] = "constant";
	volatile char *p = (volatile char *)(uintptr_t)message;

	p[0] = 'C';
}

static void do_idt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	*(volatile uint64_t *)(uintptr_t)idtr.base = 0;
}

static void do_nx(void)
{
	static const unsigned char ret[] = { 0xc3 }; /* ret */
	unsigned char *heap = malloc(64);
	void (*fn)(void);

	if (!heap)
		return;
	memcpy(heap, ret, sizeof(ret));
	fn = (void (*)(void))(uintptr_t)heap;
	fn();
}

/* Stops only at a depth no stack reaches (the compiler rejects a
 * recursion it can see is endless). */
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
	{ "null", do_null },   { "text", do_text },     { "rodata", do_rodata },
	{ "idt", do_idt },     { "nx", do_nx },         { "stack", do_stack },
	{ "ud2", do_ud2 },     { "double", do_double }, { "smash", do_smash },
	{ "abort", do_abort },
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		printf("usage: faults null|text|rodata|idt|nx|stack|ud2|double|smash|abort\n");
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

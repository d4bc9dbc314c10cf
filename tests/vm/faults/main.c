/*
 * faults — does one forbidden thing, named by argv[1], so that the tests
 * (tests/vm/faults.sh) can check the platform's protection and its fault
 * report. On every hypervisor target:
 *
 *   null    write through a null pointer        page 0 is unmapped
 *   text    write over the code of a function   .text is read-only
 *   rodata  write to a string constant          .rodata is read-only
 *   nx      call code copied to the heap        the heap is never executable
 *   stack   unbounded recursion in a fiber      guard page under its stack
 *   smash   overflow a local array              the stack-protector canary
 *   abort   abort()                             kp_abort
 *
 * and those of its architecture (x86_64.c, aarch64.c). Each prints
 * "faults: <name>" first; nothing after that should print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

#include "faults.h"

static volatile int sink;
static volatile uintptr_t null_address; /* 0, hidden from the compiler */

static void do_null(void)
{
	*(volatile int *)null_address = 1;
}

static void do_text(void)
{
	volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)do_null;

	for (size_t i = 0; i < arch_ret_size; i++)
		code[i] = arch_ret[i];
}

static void do_rodata(void)
{
	static const char message[] = "constant";
	volatile char *p = (volatile char *)(uintptr_t)message;

	p[0] = 'C';
}

static void do_nx(void)
{
	unsigned char *heap = malloc(64);
	void (*fn)(void);

	if (!heap)
		return;
	memcpy(heap, arch_ret, arch_ret_size);
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

static const struct fault faults[] = {
	{ "null", do_null },   { "text", do_text },   { "rodata", do_rodata }, { "nx", do_nx },
	{ "stack", do_stack }, { "smash", do_smash }, { "abort", do_abort },
};

/* The fault named `name`, of all or of this architecture; NULL if none. */
static const struct fault *find(const char *name)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(name, faults[i].name) == 0)
			return &faults[i];
	}
	for (size_t i = 0; i < arch_nfaults; i++) {
		if (strcmp(name, arch_faults[i].name) == 0)
			return &arch_faults[i];
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const struct fault *f = argc == 2 ? find(argv[1]) : NULL;

	if (!f) {
		printf("usage: faults NAME, one of:");
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
			printf(" %s", faults[i].name);
		for (size_t i = 0; i < arch_nfaults; i++)
			printf(" %s", arch_faults[i].name);
		printf("\n");
		return 2;
	}
	printf("faults: %s\n", f->name);
	f->fn(); /* called from main itself: the stack walk shows main next */
	printf("faults: %s did not fault\n", f->name);
	return 1;
}

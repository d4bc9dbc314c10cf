/*
 * hardening — tries one attack on the image's own memory, chosen by
 * argv[1], and says whether it got through. Each must be stopped by the
 * hardware (the page tables the linux target's layout and the platform
 * set up) before it does anything: the image dies of SIGSEGV and never
 * prints "after MODE".
 *
 *   hardening ok           nothing forbidden; prints "hardening: ok"
 *   hardening code_write   writes over the first byte of a function (code
 *                          is mapped read+execute, never writable)
 *   hardening rodata_write writes into a string constant (read-only)
 *   hardening heap_exec    copies a `ret` into the heap and calls it (the
 *                          heap is never executable)
 *   hardening stack_exec   the same with a buffer on the stack
 *                          (PT_GNU_STACK without execute)
 *   hardening data_exec    the same with a static array (data and bss are
 *                          never executable)
 *   hardening guard        a fiber with a small stack recurses without
 *                          end: it must hit the guard page below its
 *                          stack, not run into the memory beneath it
 *
 * x86_64 only (the `ret` byte).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

typedef void (*fn_t)(void);

static const char constant[] = "read-only";
static uint8_t data_code[64];

/* A function whose first byte the code_write mode overwrites. */
int hardening_victim(int x);
__attribute__((noinline)) int hardening_victim(int x)
{
	return x * 3 + 1;
}

/* Calls p as code, after filling it with a `ret` instruction. */
static void run_bytes(uint8_t *p)
{
	fn_t f;

	p[0] = 0xc3; /* ret */
	memcpy(&f, &p, sizeof(f));
	f();
}

/* Bounded only by a limit no stack reaches, so the compiler sees an end. */
static volatile unsigned limit = 0xffffffffu;

__attribute__((noinline)) static unsigned recurse(unsigned n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n >= limit)
		return n;
	return recurse(n + 1) + (unsigned)pad[0];
}

static void deep(void *arg)
{
	(void)arg;
	printf("recursed %u\n", recurse(0));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ok";

	if (strcmp(mode, "ok") == 0) {
		printf("hardening: ok %d\n", hardening_victim(1));
		return 0;
	}
	printf("before %s\n", mode);
	fflush(stdout);
	if (strcmp(mode, "code_write") == 0) {
		volatile uint8_t *p;
		int (*v)(int) = hardening_victim;

		memcpy(&p, &v, sizeof(p));
		*p = 0xc3;
	} else if (strcmp(mode, "rodata_write") == 0) {
		volatile char *p = (volatile char *)(uintptr_t)constant;

		p[0] = 'X';
	} else if (strcmp(mode, "heap_exec") == 0) {
		uint8_t *p = malloc(64);

		if (!p)
			return 4;
		run_bytes(p);
	} else if (strcmp(mode, "stack_exec") == 0) {
		uint8_t buf[64];

		run_bytes(buf);
	} else if (strcmp(mode, "data_exec") == 0) {
		run_bytes(data_code);
	} else if (strcmp(mode, "guard") == 0) {
		if (!keel_fiber_spawn(deep, NULL, 16 * 1024))
			return 4;
		keel_sleep(100 * KEEL_MSEC);
	} else {
		printf("unknown mode %s\n", mode);
		return 2;
	}
	printf("after %s\n", mode);
	return 3;
}

/*
 * bench/core/peer.c — the baseline for switch_ns of bench/core: the same
 * two-party ping-pong (1e6 hand-offs, median of 11 runs) with POSIX
 * ucontext's swapcontext, on the host with glibc. Built and run by
 * bench/core.sh; prints "switch_ns VALUE" like the image does.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#define SWITCHES 1000000
#define RUNS 11
#define STACK_SIZE (64 * 1024)

static ucontext_t ctx[2];

static void partner(void)
{
	/* Hands control back for every hand-off main makes. */
	for (;;)
		swapcontext(&ctx[1], &ctx[0]);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	static char stack[STACK_SIZE] __attribute__((aligned(16)));
	uint64_t tenths[RUNS];

	getcontext(&ctx[1]);
	ctx[1].uc_stack.ss_sp = stack;
	ctx[1].uc_stack.ss_size = sizeof(stack);
	ctx[1].uc_link = NULL;
	makecontext(&ctx[1], partner, 0);

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		/* Each round trip is two hand-offs. */
		for (int i = 0; i < SWITCHES / 2; i++)
			swapcontext(&ctx[0], &ctx[1]);
		tenths[r] = ((now_ns() - t0) * 10 + SWITCHES / 2) / SWITCHES;
	}
	qsort(tenths, RUNS, sizeof(tenths[0]), cmp_u64);
	printf("switch_ns %llu.%llu\n", (unsigned long long)(tenths[RUNS / 2] / 10),
	       (unsigned long long)(tenths[RUNS / 2] % 10));
	return 0;
}

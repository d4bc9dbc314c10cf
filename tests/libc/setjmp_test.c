/*
 * tests/libc/setjmp_test.c — setjmp/longjmp (assembled with their names
 * prefixed kl_): return values (0 becomes 1), jumps out of deep recursion
 * and between nested buffers, repeated jumps to one buffer, and every
 * callee-saved register restored even when the code that jumps has
 * overwritten them all (tests/libc/arch/<arch>/regs.S). Built for the
 * x86_64 host with the sanitizers, and, when a cross compiler and
 * qemu-aarch64 are installed, for aarch64 too (run under qemu).
 */
#include "kl.h"

#include <string.h>

static kl_jmp_buf outer, inner;
static volatile int depth_reached;

static void dive(int depth, int value);
/* Called through a pointer: gcc would otherwise call the recursion
 * infinite, since the only way out of it is longjmp. */
static void (*volatile dive_again)(int, int) = dive;

static __attribute__((noinline)) void dive(int depth, int value)
{
	char pad[64]; /* a real frame at each level */

	memset(pad, depth, sizeof(pad));
	depth_reached = depth + pad[depth % 64] - depth;
	if (depth <= 0)
		kl_longjmp(outer, value);
	dive_again(depth - 1, value);
}

static __attribute__((noinline)) void jump_with(int value)
{
	volatile int entered = 0;
	int r = kl_setjmp(outer);

	if (r == 0) {
		entered++;
		dive(50, value);
	}
	test_check(r == value && entered == 1 && depth_reached == 0,
	           "longjmp(%d) gave %d (entered %d)", value, r, entered);
}

static void return_values(void)
{
	static const int values[] = { 1, 2, 42, -1, 0x7fffffff, (int)0x80000000 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		jump_with(values[i]);

	int r = kl_setjmp(outer);
	if (r == 0)
		dive(3, 0);
	test_check(r == 1, "longjmp(env, 0) made setjmp return %d, not 1", r);
}

static __attribute__((noinline)) void jump_inner_then_outer(void)
{
	volatile int stage = 0;

	if (kl_setjmp(inner) == 0) {
		stage = 1;
		kl_longjmp(inner, 7);
	}
	test_check(stage == 1, "inner jump: stage %d", stage);
	kl_longjmp(outer, 9);
}

static void nested(void)
{
	int r = kl_setjmp(outer);

	if (r == 0)
		jump_inner_then_outer();
	test_check(r == 9, "nested jumps: outer got %d", r);

	/* One buffer, jumped to many times. */
	volatile int count = 0;
	r = kl_setjmp(outer);
	count++;
	if (count < 100)
		dive(count % 7, count);
	test_check(count == 100 && r == 99, "repeated jumps: count %d, last value %d", count, r);
}

/* tests/libc/arch/<arch>/regs.S: see there. */
int regs_roundtrip(kl_jmp_buf env, uint64_t want[], uint64_t got[]);

static void callee_saved(void)
{
	static kl_jmp_buf env;
	uint64_t want[32], got[32];
	int n = regs_roundtrip(env, want, got);

	for (int i = 0; i < n; i++)
		test_check(got[i] == want[i],
		           "callee-saved register %d after longjmp: %#llx, want %#llx", i,
		           (unsigned long long)got[i], (unsigned long long)want[i]);
}

int main(void)
{
	return_values();
	nested();
	callee_saved();
	return test_summary("setjmp");
}

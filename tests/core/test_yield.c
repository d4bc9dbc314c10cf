/*
 * Fibers and the loop: keel_fiber_yield round-robin fairness (with and
 * without timers and watched devices forcing the loop between rounds),
 * callee-saved state across switches, stack sizes and alignment, spawning
 * from fibers and callbacks, spawn failure, platforms without guard pages,
 * device watchers, and input taken in before timers that fell due.
 */
#include <stdint.h>
#include <string.h>

#include <keel/core.h>

#include "check.h"
#include "core_impl.h"
#include "mock_platform.h"

const char test_name[] = "core/yield";

/* aligned_alloc is wrapped at link time so spawning can be made to fail. */
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
static int refuse_allocs; /* how many of the next calls fail */
static int alloc_calls;

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	alloc_calls++;
	if (refuse_allocs > 0) {
		refuse_allocs--;
		return NULL;
	}
	return __real_aligned_alloc(align, size);
}

/* ---- Round-robin fairness --------------------------------------------------- */

#define SPINNERS 7
#define SPINS 1000

static int spin_log[SPINNERS * SPINS];
static int spin_n;

static void spinner(void *arg)
{
	for (int k = 0; k < SPINS; k++) {
		spin_log[spin_n++] = (int)(intptr_t)arg;
		keel_fiber_yield();
	}
}

static void background_sleeper(void *arg)
{
	keel_sleep(KEEL_SEC);
}

static void noop_io(kp_handle h, void *arg)
{
}

/* Every fiber runs once per round, in the same order every round. */
static void fairness(const char *how)
{
	struct keel_core_stats before, after;

	spin_n = 0;
	keel_core_stats(&before);
	for (int i = 0; i < SPINNERS; i++)
		CHECK(keel_fiber_spawn(spinner, (void *)(intptr_t)i, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	keel_core_stats(&after);
	CHECK(spin_n == SPINNERS * SPINS);
	for (int j = 0; j < spin_n; j++)
		CHECK(spin_log[j] == j % SPINNERS);
	printf("%s: %d fibers x %d yields round-robin (%s), %llu switches\n", test_name, SPINNERS,
	       SPINS, how, (unsigned long long)(after.switches - before.switches));
}

static void fairness_all_ways(void)
{
	fairness("nothing else armed");

	/* An armed timer makes every round end check the clock. */
	CHECK(keel_fiber_spawn(background_sleeper, NULL, 0));
	fairness("with a timer armed");

	/* A watched device sends every round end through the loop's poll. */
	unsigned long yields = mock_yields;

	CHECK(keel_io_watch(3, noop_io, NULL) == KEEL_OK);
	fairness("with a device watched");
	/* The loop polled every few rounds, not after every one. */
	CHECK(mock_yields - yields >= SPINS * SPINNERS / (KEEL__LOOP_EVERY + SPINNERS));
	CHECK(mock_yields - yields < SPINS);
	keel_io_unwatch(3);
}

/* A lone fiber that yields keeps running without a switch. */
static void lone_yielder(void *arg)
{
	struct keel_core_stats a, b;

	keel_core_stats(&a);
	for (int k = 0; k < 100; k++)
		keel_fiber_yield();
	keel_core_stats(&b);
	CHECK(b.switches == a.switches);
}

/* Timers and devices are not starved by fibers that never block. */
static bool flag;
static int busy_runs;

static void set_flag_timer(struct keel_timer *t, void *arg)
{
	flag = true;
}

static void set_flag_io(kp_handle h, void *arg)
{
	flag = true;
}

static void busy_until_flag(void *arg)
{
	while (!flag) {
		mock_now += KEEL_USEC; /* as real work would move the clock */
		busy_runs++;
		keel_fiber_yield();
	}
}

static void not_starved(void)
{
	struct keel_timer t;

	flag = false;
	busy_runs = 0;
	keel_timer_init(&t, set_flag_timer, NULL);
	CHECK(keel_timer_arm(&t, keel_now() + 100 * KEEL_USEC) == KEEL_OK);
	CHECK(keel_fiber_spawn(busy_until_flag, NULL, 0));
	CHECK(keel_fiber_spawn(busy_until_flag, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	/* Fired within KEEL__LOOP_EVERY runs of its deadline. */
	CHECK(busy_runs >= 100 && busy_runs <= 100 + KEEL__LOOP_EVERY + 2);

	flag = false;
	busy_runs = 0;
	CHECK(keel_io_watch(4, set_flag_io, NULL) == KEEL_OK);
	mock_ready = 1u << 4;
	CHECK(keel_fiber_spawn(busy_until_flag, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(busy_runs <= KEEL__LOOP_EVERY + 2);
	keel_io_unwatch(4);
}

/* ---- Callee-saved state survives switches --------------------------------- */

static int state_checks;

static void register_pressure(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull;
	uint64_t a = s + 1, b = s * 3, c = s ^ 0x55, d = s + 77, e = s * 5, f = s - 9;
	double x = (double)(s >> 11), y = x * 0.5, z = x + 3.25, w = x * 1.5;

	for (int k = 0; k < 50; k++) {
		keel_fiber_yield();
		CHECK(a == s + 1 && b == s * 3 && c == (s ^ 0x55) && d == s + 77);
		CHECK(e == s * 5 && f == s - 9);
		CHECK(x == (double)(s >> 11) && y == x * 0.5 && z == x + 3.25 && w == x * 1.5);
	}
	state_checks++;
}

#if defined(__x86_64__)
static uint32_t get_mxcsr(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void set_mxcsr(uint32_t v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint16_t get_fpucw(void)
{
	uint16_t v;

	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static void set_fpucw(uint16_t v)
{
	__asm__ volatile("fldcw %0" : : "m"(v));
}

/* Each fiber keeps its own rounding modes; a new fiber starts with the
 * ABI's defaults whatever its creator had. */
static void control_words(void *arg)
{
	uint32_t mx = 0x1f80 | ((uint32_t)(uintptr_t)arg << 13); /* rounding control */
	uint16_t cw = (uint16_t)(0x037f | ((uintptr_t)arg << 10));

	CHECK(get_mxcsr() == 0x1f80);
	CHECK(get_fpucw() == 0x037f);
	set_mxcsr(mx);
	set_fpucw(cw);
	for (int k = 0; k < 10; k++) {
		keel_fiber_yield();
		CHECK(get_mxcsr() == mx);
		CHECK(get_fpucw() == cw);
	}
	set_mxcsr(0x1f80);
	set_fpucw(0x037f);
	state_checks++;
}
#endif

static void callee_saved_state(void)
{
	state_checks = 0;
	for (int i = 0; i < 5; i++)
		CHECK(keel_fiber_spawn(register_pressure, (void *)(intptr_t)(i + 1), 0));
	int expect = 5;
#if defined(__x86_64__)
	for (int i = 1; i < 4; i++)
		CHECK(keel_fiber_spawn(control_words, (void *)(intptr_t)i, 0));
	expect += 3;
#endif
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(state_checks == expect);
#if defined(__x86_64__)
	CHECK(get_mxcsr() == 0x1f80 && get_fpucw() == 0x037f);
#endif
	CHECK(keel_fiber_spawn(lone_yielder, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
}

/* ---- Stacks ------------------------------------------------------------------ */

static size_t expect_at_least;

static void stack_user(void *arg)
{
	struct keel_fiber *self = keel_fiber_self();
	volatile char big[2000];
	char *lo = self->stack_lo;

	/* The ABI's alignment at function entry gives an aligned frame. */
	CHECK(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
	CHECK(self->stack_size >= expect_at_least);
	CHECK((uintptr_t)self % 16 == 0); /* the top of the stack */
	CHECK((char *)&big[0] > lo && (char *)&big[1999] < (char *)self);
	memset((char *)big, 1, sizeof(big));
	CHECK(self->guarded == mock_guard_pages);
	/* Without a guard the page under the stack is stack. */
	CHECK((char *)self->mem == (self->guarded ? lo - KEEL__PAGE_SIZE : lo));
	/* The lowest usable bytes can be written. */
	lo[0] = 1;
}

static void stacks(void)
{
	const size_t desc = 256; /* the descriptor takes at most this much */

	expect_at_least = KEEL_FIBER_STACK_DEFAULT - desc;
	CHECK(keel_fiber_spawn(stack_user, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	expect_at_least = KEEL_FIBER_STACK_MIN - desc;
	CHECK(keel_fiber_spawn(stack_user, NULL, 1));
	CHECK(keel_loop_run() == KEEL_OK);
	expect_at_least = 3 * KEEL__PAGE_SIZE - desc; /* rounded up to pages */
	CHECK(keel_fiber_spawn(stack_user, NULL, 2 * KEEL__PAGE_SIZE + 1));
	CHECK(keel_loop_run() == KEEL_OK);

	/* Ended fibers' stacks are reused, guard pages still set: no
	 * allocation, no guard call. */
	long guards = mock_guards_live;
	int calls = alloc_calls;

	CHECK(guards > 0);
	expect_at_least = KEEL_FIBER_STACK_DEFAULT - desc;
	for (int i = 0; i < 3; i++)
		CHECK(keel_fiber_spawn(stack_user, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(alloc_calls == calls && mock_guards_live == guards);

	/* An allocation that fails empties the cache and tries again. */
	refuse_allocs = 1;
	expect_at_least = 5 * KEEL__PAGE_SIZE - desc; /* a size not in the cache */
	CHECK(keel_fiber_spawn(stack_user, NULL, 5 * KEEL__PAGE_SIZE));
	CHECK(alloc_calls == calls + 2);
	CHECK(mock_guards_live == 1);
	CHECK(keel_loop_run() == KEEL_OK);
	keel__stack_cache_drain();
	CHECK(mock_guards_live == 0);

	/* A platform without paging: no guard, the extra page is stack. */
	mock_guard_pages = false;
	expect_at_least = KEEL_FIBER_STACK_DEFAULT - desc + KEEL__PAGE_SIZE;
	CHECK(keel_fiber_spawn(stack_user, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	keel__stack_cache_drain();
	mock_guard_pages = true;

	/* Out of memory: NULL, and nothing changed. */
	refuse_allocs = 2;
	CHECK(keel_fiber_spawn(stack_user, NULL, 0) == NULL);
	CHECK(keel_fiber_count() == 0);
	refuse_allocs = 0;
	/* Absurd sizes are refused rather than wrapped around. */
	CHECK(keel_fiber_spawn(stack_user, NULL, SIZE_MAX - 100) == NULL);
	CHECK(keel_fiber_count() == 0);
}

/* ---- Spawning from fibers and callbacks --------------------------------- */

static int order[16];
static int order_n;

static void child(void *arg)
{
	CHECK(keel_fiber_self() != NULL);
	order[order_n++] = (int)(intptr_t)arg;
}

static void parent(void *arg)
{
	order[order_n++] = 1;
	CHECK(keel_fiber_spawn(child, (void *)3, 0));
	/* The child starts when the parent yields, not before. */
	order[order_n++] = 2;
	keel_fiber_yield();
	order[order_n++] = 4;
}

static void spawn_from_timer(struct keel_timer *t, void *arg)
{
	CHECK(keel_fiber_self() == NULL);
	CHECK(keel_fiber_spawn(child, (void *)6, 0));
}

static struct keel_timer spawner;

static void waits_for_spawner(void *arg)
{
	keel_timer_init(&spawner, spawn_from_timer, NULL);
	CHECK(keel_timer_arm(&spawner, keel_now() + 10) == KEEL_OK);
	order[order_n++] = 5;
	keel_sleep(20);
	order[order_n++] = 7;
}

static void spawning(void)
{
	static const int expect[] = { 1, 2, 3, 4, 5, 6, 7 };

	order_n = 0;
	CHECK(keel_fiber_spawn(parent, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(keel_fiber_spawn(waits_for_spawner, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(order_n == 7 && memcmp(order, expect, sizeof(expect)) == 0);
}

/* ---- Device watchers ------------------------------------------------------- */

static struct keel_waitq io_q = KEEL_WAITQ_INIT(io_q);
static int io_calls[KP_HANDLE_MAX];

static void on_input(kp_handle h, void *arg)
{
	CHECK(keel_fiber_self() == NULL);
	CHECK(arg == &io_calls[h]);
	io_calls[h]++;
	/* Handle 5's callback stops the watch of 6, which is ready too. */
	if (h == 5)
		keel_io_unwatch(6);
	keel_wake_all(&io_q);
}

static void io_waiter(void *arg)
{
	/* Input on 5, 6 and 9 (not watched). */
	mock_ready = (1u << 5) | (1u << 6) | (1u << 9);
	CHECK(keel_wait(&io_q, KEEL_FOREVER) == KEEL_OK);
	keel_io_unwatch(5);
}

static void devices(void)
{
	CHECK(keel_io_watch(KP_HANDLE_MAX, on_input, NULL) == KEEL_EINVAL);
	CHECK(keel_io_watch(1, NULL, NULL) == KEEL_EINVAL);
	keel_io_unwatch(KP_HANDLE_MAX + 5); /* harmless */
	CHECK(keel_io_watch(5, on_input, NULL) == KEEL_OK);
	/* Watching again replaces the watcher. */
	CHECK(keel_io_watch(5, on_input, &io_calls[5]) == KEEL_OK);
	CHECK(keel_io_watch(6, on_input, &io_calls[6]) == KEEL_OK);
	CHECK(keel_fiber_spawn(io_waiter, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(io_calls[5] == 1 && io_calls[6] == 0 && io_calls[9] == 0);
	CHECK(keel__core.watched == 0);
	/* The loop slept with no deadline, as nothing else could happen. */
	CHECK(mock_last_deadline == KP_TIME_MAX);
}

/*
 * Input that arrived while a fiber ran is taken in before a timer that
 * fell due meanwhile: the timer stands for silence (a retransmission, a
 * timeout), and the answer is already there.
 */
static char due_seen[4];
static int due_n;

static void due_input(kp_handle h, void *arg)
{
	due_seen[due_n++] = 'i';
	keel_io_unwatch(h);
}

static struct keel_waitq due_q = KEEL_WAITQ_INIT(due_q);

static void due_timer(struct keel_timer *t, void *arg)
{
	due_seen[due_n++] = 't';
	keel_wake_all(&due_q);
}

static void busy_worker(void *arg)
{
	struct keel_timer *t = arg;

	CHECK(keel_timer_arm(t, keel_now() + KEEL_MSEC) == KEEL_OK);
	/* Busy past the deadline, and input comes meanwhile. */
	mock_now += 5 * KEEL_MSEC;
	mock_ready = 1u << 3;
	CHECK(keel_wait(&due_q, KEEL_FOREVER) == KEEL_OK);
}

static void input_before_timers(void)
{
	struct keel_timer t;

	keel_timer_init(&t, due_timer, NULL);
	due_n = 0;
	CHECK(keel_io_watch(3, due_input, NULL) == KEEL_OK);
	CHECK(keel_fiber_spawn(busy_worker, &t, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(due_n == 2 && due_seen[0] == 'i' && due_seen[1] == 't');
	CHECK(keel__core.watched == 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	fairness_all_ways();
	not_starved();
	callee_saved_state();
	stacks();
	spawning();
	devices();
	input_before_timers();
	keel__stack_cache_drain();
	CHECK(keel_fiber_count() == 0 && mock_guards_live == 0);
	printf("PASS %s\n", test_name);
	return 0;
}

/*
 * bench/core — what the runtime's basic operations cost on a real image.
 *
 *   switch_ns            one keel_fiber_yield hand-off between two fibers
 *                        ping-ponging (1e6 hand-offs; median of 11 runs)
 *   wake_switch_ns       keel_wake_one + keel_wait hand-off between two
 *                        fibers (1e6; median of 11)
 *   timer_arm_cancel_ns  keel_timer_arm + keel_timer_cancel of 100,000
 *                        timers at random deadlines (per timer; median of 7)
 *   timer_arm_fire_ns    arming 100,000 due timers and the loop firing them
 *                        in order (per timer; median of 7)
 *   spawn_exit_ns        keel_fiber_spawn of a fiber that returns at once,
 *                        run to its end before the next (10,000; median of 7)
 *   spawn_burst_ns       the same with 1,000 fibers alive at once, so most
 *                        need a fresh stack and guard page (median of 7)
 *
 * One "NAME VALUE" line per figure (VALUE in ns, one decimal), so scripts
 * can grep them. The arguments "switch" etc. run only the named figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

/* ---- Helpers ----------------------------------------------------------------- */

static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return rand_state * 0x2545f4914f6cdd1dull;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of `runs` results in tenths of a ns; printf has no %f here. */
static void report(const char *name, uint64_t *tenths, int runs)
{
	qsort(tenths, (size_t)runs, sizeof(tenths[0]), cmp_u64);
	uint64_t m = tenths[runs / 2];

	printf("%s %llu.%llu\n", name, (unsigned long long)(m / 10), (unsigned long long)(m % 10));
}

static uint64_t per_op_tenths(keel_time elapsed, uint64_t ops)
{
	return (elapsed * 10 + ops / 2) / ops;
}

static struct keel_waitq main_q = KEEL_WAITQ_INIT(main_q);
static bool done;

/* main waits here while the fibers under test run alone. */
static void wait_done(void)
{
	while (!done)
		keel_wait(&main_q, KEEL_FOREVER);
	done = false;
}

static void finish(void)
{
	done = true;
	keel_wake_one(&main_q);
}

/* ---- Yield ping-pong --------------------------------------------------------- */

#define SWITCHES 1000000
#define RUNS 11

static keel_time t_start, t_end;
static int pingpong_live;

static void yielder(void *arg)
{
	if (!t_start)
		t_start = keel_now();
	for (int i = 0; i < SWITCHES / 2; i++)
		keel_fiber_yield();
	if (--pingpong_live == 0) {
		t_end = keel_now();
		finish();
	}
}

static keel_time run_pair(void (*fn)(void *))
{
	t_start = 0;
	pingpong_live = 2;
	if (!keel_fiber_spawn(fn, (void *)0, 0) || !keel_fiber_spawn(fn, (void *)1, 0)) {
		printf("bench: out of memory\n");
		exit(1);
	}
	wait_done();
	return t_end - t_start;
}

static void bench_switch(void)
{
	uint64_t r[RUNS];

	for (int i = 0; i < RUNS; i++)
		r[i] = per_op_tenths(run_pair(yielder), SWITCHES);
	report("switch_ns", r, RUNS);
}

/* ---- Wake + wait ping-pong --------------------------------------------------- */

static struct keel_waitq ping_q[2] = { KEEL_WAITQ_INIT(ping_q[0]), KEEL_WAITQ_INIT(ping_q[1]) };

static void waker(void *arg)
{
	int me = (int)(intptr_t)arg;

	if (!t_start)
		t_start = keel_now();
	/* Fiber 0 runs first and waits; fiber 1 starts the ball. Each hand-off
	 * wakes the other and waits. */
	for (int i = 0; i < SWITCHES / 2; i++) {
		if (me == 0 || i > 0)
			keel_wait(&ping_q[me], KEEL_FOREVER);
		keel_wake_one(&ping_q[1 - me]);
	}
	if (--pingpong_live == 0) {
		t_end = keel_now();
		finish();
	}
}

static void bench_wake(void)
{
	uint64_t r[RUNS];

	for (int i = 0; i < RUNS; i++)
		r[i] = per_op_tenths(run_pair(waker), SWITCHES);
	report("wake_switch_ns", r, RUNS);
}

/* ---- Timers ------------------------------------------------------------------ */

#define TIMERS 100000
#define TIMER_RUNS 7

static struct keel_timer timers[TIMERS];
static keel_time deadlines[TIMERS];
static int timers_fired;

static void on_fire(struct keel_timer *t, void *arg)
{
	if (++timers_fired == TIMERS)
		finish();
}

static void bench_timers(void)
{
	uint64_t cancel_r[TIMER_RUNS], fire_r[TIMER_RUNS];

	for (int i = 0; i < TIMERS; i++)
		keel_timer_init(&timers[i], on_fire, NULL);

	for (int run = 0; run < TIMER_RUNS; run++) {
		keel_time now = keel_now(), t0;

		/* Far in the future, spread over a second: a realistic heap. */
		for (int i = 0; i < TIMERS; i++)
			deadlines[i] = now + KEEL_SEC + next_rand() % KEEL_SEC;
		t0 = keel_now();
		for (int i = 0; i < TIMERS; i++)
			keel_timer_arm(&timers[i], deadlines[i]);
		for (int i = 0; i < TIMERS; i++)
			keel_timer_cancel(&timers[i]);
		cancel_r[run] = per_op_tenths(keel_now() - t0, TIMERS);

		/* All already due, in random order: the loop fires them all. */
		now = keel_now();
		for (int i = 0; i < TIMERS; i++)
			deadlines[i] = next_rand() % (now + 1);
		timers_fired = 0;
		t0 = keel_now();
		for (int i = 0; i < TIMERS; i++)
			keel_timer_arm(&timers[i], deadlines[i]);
		wait_done();
		fire_r[run] = per_op_tenths(keel_now() - t0, TIMERS);
	}
	report("timer_arm_cancel_ns", cancel_r, TIMER_RUNS);
	report("timer_arm_fire_ns", fire_r, TIMER_RUNS);
}

/* ---- Spawn and exit ---------------------------------------------------------- */

#define SPAWNS 10000
#define BURST 1000

static int spawned_left;

static void returns_at_once(void *arg)
{
	if (--spawned_left == 0)
		finish();
}

/* Spawns n fibers that end at once, `batch` at a time, each batch run to
 * its end before the next; returns ns per fiber in tenths. */
static uint64_t spawn_run(int n, int batch)
{
	keel_time t0 = keel_now();

	for (int done_n = 0; done_n < n; done_n += batch) {
		spawned_left = batch;
		for (int i = 0; i < batch; i++) {
			if (!keel_fiber_spawn(returns_at_once, NULL, 0)) {
				printf("bench: out of memory\n");
				exit(1);
			}
		}
		wait_done();
	}
	return per_op_tenths(keel_now() - t0, (uint64_t)n);
}

static void bench_spawn(void)
{
	uint64_t steady[TIMER_RUNS], burst[TIMER_RUNS];

	for (int run = 0; run < TIMER_RUNS; run++) {
		/* One at a time: the stack of the last one is reused. */
		steady[run] = spawn_run(SPAWNS, 1);
		/* Many alive at once: most need a new stack and guard page. */
		burst[run] = spawn_run(BURST, BURST);
	}
	report("spawn_exit_ns", steady, TIMER_RUNS);
	report("spawn_burst_ns", burst, TIMER_RUNS);
}

static bool wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	if (wanted(argc, argv, "switch"))
		bench_switch();
	if (wanted(argc, argv, "wake"))
		bench_wake();
	if (wanted(argc, argv, "timer"))
		bench_timers();
	if (wanted(argc, argv, "spawn"))
		bench_spawn();
	return 0;
}

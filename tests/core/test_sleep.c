/*
 * 10,000 fibers sleep random durations (many equal); each records when it
 * woke. Every fiber must run, wake exactly at its deadline (the mock clock
 * jumps to deadlines), and wake in deadline order with ties in the order
 * the fibers went to sleep. Then fibers sleeping repeatedly, and the
 * counters the runtime keeps.
 */
#include <stdint.h>
#include <string.h>

#include <keel/core.h>

#include "check.h"
#include "core_impl.h"
#include "mock_platform.h"

const char test_name[] = "core/sleep";

#define FIBERS 10000

static keel_time duration[FIBERS];
static int wake_order[FIBERS];
static int woken;
static int started[FIBERS];
static int start_order;

static void sleeper(void *arg)
{
	int i = (int)(intptr_t)arg;
	keel_time deadline = keel_now() + duration[i];

	started[i] = start_order++;
	keel_sleep(duration[i]);
	CHECK(keel_now() == deadline);
	wake_order[woken++] = i;
}

/* Expected: by deadline; for equal deadlines, by the order they slept. All
 * start at the same fake time, so deadline order is duration order. */
static int by_deadline(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;

	if (duration[i] != duration[j])
		return duration[i] < duration[j] ? -1 : 1;
	return started[i] - started[j];
}

static void many_sleepers(void)
{
	static int expect[FIBERS];
	struct keel_core_stats st;
	keel_time t0 = keel_now();
	unsigned long yields0 = mock_yields;

	for (int i = 0; i < FIBERS; i++) {
		/* 0..499 us: about 20 fibers share each deadline. */
		duration[i] = (keel_time)(test_rand() % 500) * KEEL_USEC;
		CHECK(keel_fiber_spawn(sleeper, (void *)(intptr_t)i, KEEL_FIBER_STACK_MIN));
	}
	CHECK(keel_fiber_count() == FIBERS);
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(woken == FIBERS);
	CHECK(start_order == FIBERS);
	CHECK(keel_fiber_count() == 0);
	/* Stacks of ended fibers are cached with their guard pages on. */
	CHECK(mock_guards_live > 0 && mock_guards_live <= 16);
	keel__stack_cache_drain();
	CHECK(mock_guards_live == 0);

	/* Started in spawn order. */
	for (int i = 0; i < FIBERS; i++)
		CHECK(started[i] == i);
	for (int i = 0; i < FIBERS; i++)
		expect[i] = i;
	qsort(expect, FIBERS, sizeof(expect[0]), by_deadline);
	CHECK(memcmp(expect, wake_order, sizeof(expect)) == 0);

	/* The clock ended at the last deadline, having slept once per distinct
	 * deadline at most (a zero duration never sleeps). */
	CHECK(keel_now() == t0 + duration[wake_order[FIBERS - 1]]);
	CHECK(mock_yields - yields0 <= 500);

	/* Each fiber is switched to twice (start, wake) and leaves twice; direct
	 * fiber-to-fiber switches count once for both. */
	keel_core_stats(&st);
	CHECK(st.fibers_spawned == FIBERS);
	CHECK(st.fibers_live == 0);
	CHECK(st.fibers_high_water == FIBERS);
	CHECK(st.timers_fired == FIBERS);
	CHECK(st.switches >= 2 * FIBERS && st.switches <= 4 * FIBERS);
	printf("%s: %d sleepers woke in deadline order, %llu switches, %llu yields\n", test_name,
	       FIBERS, (unsigned long long)st.switches, (unsigned long long)st.yields);
}

/* Fibers that sleep several times each; every wake lands on its deadline. */
#define REPEATERS 500
#define ROUNDS 8

static int repeats_done;

static void repeater(void *arg)
{
	for (int r = 0; r < ROUNDS; r++) {
		keel_time d = (keel_time)(test_rand() % 1000) * KEEL_USEC;
		keel_time deadline = keel_now() + d;

		if (r % 3 == 0)
			keel_sleep_until(deadline);
		else
			keel_sleep(d);
		CHECK(keel_now() == deadline);
	}
	repeats_done++;
}

static void repeated_sleeps(void)
{
	for (int i = 0; i < REPEATERS; i++)
		CHECK(keel_fiber_spawn(repeater, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(repeats_done == REPEATERS);
}

/* A deadline already past still passes through the timer heap: the fiber
 * wakes after the others that were runnable. */
static int past_order[3];
static int past_n;

static void past_sleeper(void *arg)
{
	keel_sleep_until(keel_now() - 1);
	past_order[past_n++] = 0;
}

static void runner(void *arg)
{
	past_order[past_n++] = (int)(intptr_t)arg;
}

static void sleep_in_the_past(void)
{
	CHECK(keel_fiber_spawn(past_sleeper, NULL, 0));
	CHECK(keel_fiber_spawn(runner, (void *)1, 0));
	CHECK(keel_fiber_spawn(runner, (void *)2, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(past_n == 3 && past_order[0] == 1 && past_order[1] == 2 && past_order[2] == 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	many_sleepers();
	repeated_sleeps();
	sleep_in_the_past();
	printf("PASS %s\n", test_name);
	return 0;
}

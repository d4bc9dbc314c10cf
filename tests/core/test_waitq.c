/*
 * Wait queues: FIFO wakes, wake_all, deadlines, and a wake racing the
 * deadline (exactly one outcome, the fiber resumed exactly once).
 */
#include <stdint.h>
#include <string.h>

#include <keel/core.h>

#include "check.h"
#include "core_impl.h"
#include "mock_platform.h"

const char test_name[] = "core/waitq";

static struct keel_waitq q = KEEL_WAITQ_INIT(q);
static int log_ids[1000];
static int log_results[1000];
static keel_time log_times[1000];
static int log_n;

static void record(int id, int result)
{
	log_ids[log_n] = id;
	log_results[log_n] = result;
	log_times[log_n] = keel_now();
	log_n++;
}

static void reset(void)
{
	log_n = 0;
	keel_waitq_init(&q);
}

/* The runtime is back to rest: no fiber, no timer, no reserved wait timer. */
static void check_at_rest(void)
{
	CHECK(keel_fiber_count() == 0);
	CHECK(keel__core.timers.len == 0);
	CHECK(keel__core.timers.fiber_armed == 0);
	CHECK(keel_waitq_empty(&q));
}

/* ---- FIFO wake_one ---------------------------------------------------------- */

#define WAITERS 100

static void waiter_forever(void *arg)
{
	record((int)(intptr_t)arg, keel_wait(&q, KEEL_FOREVER));
}

static void one_by_one_waker(void *arg)
{
	int woken = 0;

	CHECK(!keel_waitq_empty(&q));
	while (woken < WAITERS) {
		/* Wake a few at a time; they run when this fiber yields. */
		int burst = 1 + (int)(test_rand() % 7);

		for (int k = 0; k < burst && woken < WAITERS; k++, woken++)
			CHECK(keel_wake_one(&q) == 1);
		keel_fiber_yield();
	}
	CHECK(keel_waitq_empty(&q));
	CHECK(keel_wake_one(&q) == 0);
	CHECK(keel_wake_all(&q) == 0);
}

static void fifo_wake_one(void)
{
	reset();
	CHECK(keel_waitq_empty(&q));
	CHECK(keel_wake_one(&q) == 0);
	for (int i = 0; i < WAITERS; i++)
		CHECK(keel_fiber_spawn(waiter_forever, (void *)(intptr_t)i, 0));
	CHECK(keel_fiber_spawn(one_by_one_waker, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(log_n == WAITERS);
	for (int i = 0; i < WAITERS; i++)
		CHECK(log_ids[i] == i && log_results[i] == KEEL_OK);
	check_at_rest();
}

/* ---- wake_all --------------------------------------------------------------- */

static void all_waker(void *arg)
{
	CHECK(keel_wake_all(&q) == WAITERS);
	CHECK(keel_wake_all(&q) == 0);
}

static void waiter_with_far_deadline(void *arg)
{
	record((int)(intptr_t)arg, keel_wait(&q, keel_now() + KEEL_SEC));
}

static void fifo_wake_all(void)
{
	keel_time t0 = keel_now();

	reset();
	/* Half of them with a deadline: a wake disarms it. */
	for (int i = 0; i < WAITERS; i++)
		CHECK(keel_fiber_spawn(i % 2 ? waiter_with_far_deadline : waiter_forever,
		                       (void *)(intptr_t)i, 0));
	CHECK(keel_fiber_spawn(all_waker, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(log_n == WAITERS);
	for (int i = 0; i < WAITERS; i++)
		CHECK(log_ids[i] == i && log_results[i] == KEEL_OK);
	/* Nobody slept until the deadlines. */
	CHECK(keel_now() == t0);
	check_at_rest();
}

/* ---- Deadlines -------------------------------------------------------------- */

static keel_time deadline_of[WAITERS];

static void waiter_deadline(void *arg)
{
	int i = (int)(intptr_t)arg;

	record(i, keel_wait(&q, deadline_of[i]));
}

/* Wakes what is left once every deadline-bound waiter has timed out. */
static void late_waker(void *arg)
{
	keel_sleep(KEEL_SEC);
	CHECK(keel_wake_all(&q) == WAITERS / 4);
}

static void deadlines(void)
{
	keel_time t0 = keel_now();

	reset();
	/* Three quarters wait with deadlines (some equal, one already past);
	 * the rest until woken. */
	for (int i = 0; i < WAITERS; i++) {
		deadline_of[i] =
		    i % 4 == 3 ? KEEL_FOREVER : t0 + (keel_time)(test_rand() % 20) * KEEL_MSEC;
		CHECK(keel_fiber_spawn(waiter_deadline, (void *)(intptr_t)i, 0));
	}
	deadline_of[0] = t0 - 1;
	CHECK(keel_fiber_spawn(late_waker, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(log_n == WAITERS);
	for (int k = 0; k < WAITERS; k++) {
		int i = log_ids[k];

		if (deadline_of[i] == KEEL_FOREVER) {
			CHECK(log_results[k] == KEEL_OK);
			CHECK(log_times[k] == t0 + KEEL_SEC);
		} else {
			CHECK(log_results[k] == KEEL_ETIMEDOUT);
			CHECK(log_times[k] == (deadline_of[i] < t0 ? t0 : deadline_of[i]));
		}
		/* Timed out in deadline order, ties in waiting order. */
		if (k > 0 && deadline_of[i] != KEEL_FOREVER) {
			int j = log_ids[k - 1];

			CHECK(deadline_of[j] < deadline_of[i] ||
			      (deadline_of[j] == deadline_of[i] && j < i));
		}
	}
	check_at_rest();
}

/* ---- A wake racing the deadline --------------------------------------------- */

static struct keel_timer racer;
static int racer_woke;
static int resumed;

static void racer_fn(struct keel_timer *t, void *arg)
{
	racer_woke = keel_wake_one(&q);
}

static void race_waiter(void *arg)
{
	int r = keel_wait(&q, (keel_time)(uintptr_t)arg);

	resumed++;
	record(0, r);
	/* Nothing left behind: the other outcome was cancelled. */
	CHECK(!keel_timer_armed(&keel_fiber_self()->wait_timer));
	/* And the fiber can wait again. */
	CHECK(keel_wait(&q, keel_now() + 10) == KEEL_ETIMEDOUT);
}

/* The waker's timer was armed first, so at the shared deadline it runs
 * first: the wake wins. */
static void race_wake_first(void)
{
	keel_time t = keel_now() + 100;

	reset();
	resumed = 0;
	keel_timer_init(&racer, racer_fn, NULL);
	CHECK(keel_timer_arm(&racer, t) == KEEL_OK);
	CHECK(keel_fiber_spawn(race_waiter, (void *)(uintptr_t)t, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(resumed == 1 && racer_woke == 1);
	CHECK(log_n == 1 && log_results[0] == KEEL_OK && log_times[0] == t);
	check_at_rest();
}

/* The wait's timer was armed first: the timeout wins and the wake finds
 * nobody to wake. */
static void arm_racer_later(void *arg)
{
	CHECK(keel_timer_arm(&racer, (keel_time)(uintptr_t)arg) == KEEL_OK);
}

static void race_timeout_first(void)
{
	keel_time t = keel_now() + 100;

	reset();
	resumed = 0;
	racer_woke = -1;
	keel_timer_init(&racer, racer_fn, NULL);
	CHECK(keel_fiber_spawn(race_waiter, (void *)(uintptr_t)t, 0));
	CHECK(keel_fiber_spawn(arm_racer_later, (void *)(uintptr_t)t, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(resumed == 1 && racer_woke == 0);
	CHECK(log_n == 1 && log_results[0] == KEEL_ETIMEDOUT && log_times[0] == t);
	check_at_rest();
}

/* The clock has passed the deadline but the loop has not fired the timer
 * yet when a fiber wakes the waiter: the wake wins, once. */
static void clock_jumper(void *arg)
{
	mock_now += 1000;
	CHECK(keel_wake_one(&q) == 1);
	CHECK(keel_wake_one(&q) == 0);
}

static void race_wake_after_deadline(void)
{
	keel_time t = keel_now() + 100;

	reset();
	resumed = 0;
	CHECK(keel_fiber_spawn(race_waiter, (void *)(uintptr_t)t, 0));
	CHECK(keel_fiber_spawn(clock_jumper, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(resumed == 1);
	CHECK(log_n == 1 && log_results[0] == KEEL_OK);
	check_at_rest();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	fifo_wake_one();
	fifo_wake_all();
	deadlines();
	race_wake_first();
	race_timeout_first();
	race_wake_after_deadline();
	printf("PASS %s\n", test_name);
	return 0;
}

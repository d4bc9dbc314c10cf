/*
 * hello — the smallest useful Keel application: prints a greeting, runs
 * three fibers that sleep on timers at the same time, prints the wall
 * clock and a few random bytes, and exits 0.
 */
#include <stdio.h>

#include <keel/core.h>
#include <keel/platform.h>

static struct keel_waitq done = KEEL_WAITQ_INIT(done);
static int finished;
static keel_time start;

/* Each sleeps until its time after the common start, so they wake in
 * the order of their delays even when one first runs late. */
static void sleeper(void *arg)
{
	keel_time ms = (keel_time)(uintptr_t)arg;

	keel_sleep_until(start + ms * KEEL_MSEC);
	printf("fiber slept %llu ms\n", (unsigned long long)ms);
	finished++;
	keel_wake_all(&done);
}

int main(int argc, char **argv)
{
	static const unsigned delays_ms[] = {30, 10, 20};
	unsigned char rnd[8];

	start = keel_now();

	printf("Hello from Keel\n");

	for (unsigned i = 0; i < 3; i++) {
		if (!keel_fiber_spawn(sleeper, (void *)(uintptr_t)delays_ms[i], 0)) {
			printf("hello: out of memory\n");
			return 1;
		}
	}
	while (finished < 3)
		keel_wait(&done, KEEL_FOREVER);
	/* The three sleeps overlapped: the whole wait is about the longest. */
	printf("3 fibers done in %llu ms\n",
	       (unsigned long long)((keel_now() - start) / KEEL_MSEC));

	uint64_t wall = kp_clock_wall();
	printf("wall clock: %llu.%06llu s since the epoch\n",
	       (unsigned long long)(wall / 1000000000u),
	       (unsigned long long)(wall % 1000000000u / 1000u));

	if (kp_random(rnd, sizeof(rnd)) != KEEL_OK) {
		printf("hello: no entropy\n");
		return 1;
	}
	printf("random:");
	for (unsigned i = 0; i < sizeof(rnd); i++)
		printf(" %02x", rnd[i]);
	printf("\n");
	return 0;
}

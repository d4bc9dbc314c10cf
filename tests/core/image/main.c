/*
 * The scheduler checks of the host unit tests, as an image on a real
 * platform (real clock, real guard pages, the image's own libc):
 *   - 10,000 fibers sleep until random deadlines (many equal) and wake in
 *     (deadline, sleep order) order, none early;
 *   - 10,000 timers, some re-armed and some cancelled, fire in (deadline,
 *     arming order) order, each once;
 *   - wait queues wake FIFO, wake_all wakes everyone, deadlines time out;
 *   - keel_fiber_yield is round-robin.
 * Prints "core image test: ok" and exits 0, or says what failed and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>

static int failures;

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("core image test: %s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static uint64_t rand_state = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return rand_state * 0x2545f4914f6cdd1dull;
}

/* ---- 10,000 sleepers -------------------------------------------------------- */

#define SLEEPERS 10000

struct sleeper {
	keel_time deadline;
	int slept_as; /* order in which it went to sleep */
	keel_time woke_at;
};

static struct sleeper sl[SLEEPERS];
static int wake_order[SLEEPERS], expect_order[SLEEPERS];
static int slept, woke;
static struct keel_waitq all_done = KEEL_WAITQ_INIT(all_done);

static void sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	s->slept_as = slept++;
	keel_sleep_until(s->deadline);
	s->woke_at = keel_now();
	wake_order[woke++] = (int)(s - sl);
	if (woke == SLEEPERS)
		keel_wake_all(&all_done);
}

static int by_deadline(const void *a, const void *b)
{
	const struct sleeper *x = &sl[*(const int *)a], *y = &sl[*(const int *)b];

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->slept_as - y->slept_as;
}

static void sleepers(void)
{
	struct keel_core_stats before, after;
	keel_time t0 = keel_now(), base;

	keel_core_stats(&before);
	for (int i = 0; i < SLEEPERS; i++) {
		if (!keel_fiber_spawn(sleeper_fn, &sl[i], KEEL_FIBER_STACK_MIN)) {
			printf("core image test: cannot spawn fiber %d (heap too small?)\n", i);
			failures++;
			return;
		}
	}
	/* The fibers start once main waits; their deadlines are 10..209 ms
	 * from now, about 50 fibers on each. */
	base = keel_now() + 10 * KEEL_MSEC;
	for (int i = 0; i < SLEEPERS; i++)
		sl[i].deadline = base + (keel_time)(next_rand() % 200) * KEEL_MSEC;
	printf("sleepers: %d spawned in %llu us\n", SLEEPERS,
	       (unsigned long long)((keel_now() - t0) / KEEL_USEC));
	while (woke < SLEEPERS)
		keel_wait(&all_done, KEEL_FOREVER);
	keel_core_stats(&after);

	for (int i = 0; i < SLEEPERS; i++) {
		expect_order[i] = i;
		EXPECT(sl[i].woke_at >= sl[i].deadline);
	}
	qsort(expect_order, SLEEPERS, sizeof(int), by_deadline);
	EXPECT(memcmp(expect_order, wake_order, sizeof(wake_order)) == 0);
	EXPECT(after.fibers_spawned - before.fibers_spawned == SLEEPERS);
	EXPECT(after.fibers_high_water >= SLEEPERS);
	EXPECT(after.timers_fired - before.timers_fired >= SLEEPERS);
	EXPECT(after.switches - before.switches >= 2 * SLEEPERS);
	EXPECT(after.switches - before.switches <= 4 * SLEEPERS + 100);
	printf("sleepers: %d woke in deadline order, %llu switches, %llu kp_yield calls\n",
	       SLEEPERS, (unsigned long long)(after.switches - before.switches),
	       (unsigned long long)(after.yields - before.yields));
}

/* ---- 10,000 timers ---------------------------------------------------------- */

#define TIMERS 10000

struct tracked {
	struct keel_timer timer;
	keel_time deadline;
	uint64_t arm_no;
	bool armed;
	int fired;
};

static struct tracked tr[TIMERS];
static int fire_log[TIMERS], fire_expect[TIMERS];
static int fired;
static uint64_t arms;

static void on_fire(struct keel_timer *t, void *arg)
{
	struct tracked *x = arg;

	x->fired++;
	EXPECT(keel_now() >= x->deadline);
	if (fired < TIMERS)
		fire_log[fired++] = (int)(x - tr);
}

static void arm(int i, keel_time deadline)
{
	EXPECT(keel_timer_arm(&tr[i].timer, deadline) == KEEL_OK);
	tr[i].deadline = deadline;
	tr[i].arm_no = arms++;
	tr[i].armed = true;
}

static int by_arming(const void *a, const void *b)
{
	const struct tracked *x = &tr[*(const int *)a], *y = &tr[*(const int *)b];

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->arm_no < y->arm_no ? -1 : 1;
}

static void timers(void)
{
	keel_time base = keel_now() + 10 * KEEL_MSEC;
	int n = 0;

	for (int i = 0; i < TIMERS; i++) {
		keel_timer_init(&tr[i].timer, on_fire, &tr[i]);
		arm(i, base + (keel_time)(next_rand() % 100) * KEEL_MSEC);
	}
	for (int i = 0; i < TIMERS; i += 3)
		arm(i, base + (keel_time)(next_rand() % 100) * KEEL_MSEC);
	for (int i = 1; i < TIMERS; i += 5) {
		keel_timer_cancel(&tr[i].timer);
		EXPECT(!keel_timer_armed(&tr[i].timer));
		tr[i].armed = false;
	}
	for (int i = 0; i < TIMERS; i++)
		if (tr[i].armed)
			fire_expect[n++] = i;
	qsort(fire_expect, (size_t)n, sizeof(int), by_arming);
	keel_sleep_until(base + 100 * KEEL_MSEC);

	EXPECT(fired == n);
	EXPECT(memcmp(fire_expect, fire_log, (size_t)n * sizeof(int)) == 0);
	for (int i = 0; i < TIMERS; i++) {
		EXPECT(tr[i].fired == (tr[i].armed ? 1 : 0));
		EXPECT(!keel_timer_armed(&tr[i].timer));
		keel_timer_cancel(&tr[i].timer); /* already fired: harmless */
	}
	printf("timers: %d fired in (deadline, arming) order, %d cancelled\n", n, TIMERS - n);
}

/* ---- Wait queues ------------------------------------------------------------- */

#define WAITERS 100

static struct keel_waitq q = KEEL_WAITQ_INIT(q);
static int woken_ids[WAITERS], woken_n, results[WAITERS];

static void waiter(void *arg)
{
	int id = (int)(intptr_t)arg;
	/* Odd waiters give up after 5 ms; even ones wait to be woken. */
	keel_time deadline = id % 2 ? keel_now() + 5 * KEEL_MSEC : KEEL_FOREVER;

	results[id] = keel_wait(&q, deadline);
	woken_ids[woken_n++] = id;
}

static void waitqs(void)
{
	for (int i = 0; i < WAITERS; i++)
		EXPECT(keel_fiber_spawn(waiter, (void *)(intptr_t)i, 0) != NULL);
	keel_fiber_yield(); /* they all wait now */
	EXPECT(!keel_waitq_empty(&q));
	keel_sleep(20 * KEEL_MSEC); /* the odd ones time out */
	EXPECT(woken_n == WAITERS / 2);
	for (int k = 0; k < WAITERS / 2; k++)
		EXPECT(woken_ids[k] % 2 == 1 && results[woken_ids[k]] == KEEL_ETIMEDOUT);
	/* Wake two by one, then the rest at once: FIFO. */
	EXPECT(keel_wake_one(&q) == 1);
	EXPECT(keel_wake_one(&q) == 1);
	EXPECT(keel_wake_all(&q) == WAITERS / 2 - 2);
	EXPECT(keel_wake_one(&q) == 0);
	EXPECT(keel_waitq_empty(&q));
	keel_fiber_yield();
	EXPECT(woken_n == WAITERS);
	for (int k = WAITERS / 2; k < WAITERS; k++)
		EXPECT(woken_ids[k] == 2 * (k - WAITERS / 2) && results[woken_ids[k]] == KEEL_OK);
	printf("wait queues: FIFO wakes and timeouts of %d waiters\n", WAITERS);
}

/* ---- Round-robin yields ------------------------------------------------------ */

#define SPINNERS 5
#define SPINS 2000

static int spin_log[SPINNERS * SPINS], spin_n, spinners_done;

static void spinner(void *arg)
{
	for (int k = 0; k < SPINS; k++) {
		spin_log[spin_n++] = (int)(intptr_t)arg;
		keel_fiber_yield();
	}
	spinners_done++;
}

static void yields(void)
{
	for (int i = 0; i < SPINNERS; i++)
		EXPECT(keel_fiber_spawn(spinner, (void *)(intptr_t)i, 0) != NULL);
	while (spinners_done < SPINNERS)
		keel_sleep(KEEL_MSEC);
	EXPECT(spin_n == SPINNERS * SPINS);
	for (int j = 0; j < spin_n; j++)
		EXPECT(spin_log[j] == j % SPINNERS);
	printf("yield: %d fibers x %d yields round-robin\n", SPINNERS, SPINS);
}

int main(int argc, char **argv)
{
	sleepers();
	timers();
	waitqs();
	yields();
	/* Everything spawned here has ended; main is the one fiber left. */
	EXPECT(keel_fiber_count() == 1);
	if (failures) {
		printf("core image test: %d check%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("core image test: ok\n");
	return 0;
}

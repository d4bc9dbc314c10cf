/*
 * Timers: firing order by (deadline, arming order), re-arm, cancel of armed,
 * idle and already-fired timers, callbacks that arm and cancel, the heap
 * property over 100,000 timers, and arming when the heap cannot grow.
 */
#include <stdint.h>
#include <string.h>

#include <keel/core.h>

#include "check.h"
#include "core_impl.h"
#include "mock_platform.h"

const char test_name[] = "core/timer";

/* realloc is wrapped at link time so the heap's growth can be refused. */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
static bool refuse_realloc;

void *__wrap_realloc(void *p, size_t n)
{
	return refuse_realloc ? NULL : __real_realloc(p, n);
}

/* Every timer in the heap sits below its parent's key and knows its slot. */
static void check_heap(void)
{
	const struct keel__timer_heap *h = &keel__core.timers;

	CHECK(h->len <= h->cap);
	for (uint32_t i = 0; i < h->len; i++) {
		const struct keel__timer_slot *s = &h->slot[i], *p;

		CHECK(s->timer->heap_index == i);
		CHECK(s->timer->deadline == s->deadline && s->timer->seq == s->seq);
		if (i == 0)
			continue;
		p = &h->slot[(i - 1) / 2];
		CHECK(p->deadline < s->deadline || (p->deadline == s->deadline && p->seq < s->seq));
	}
}

/* ---- A model of what should fire, and in which order ---------------------- */

#define MAX_TIMERS 100000

struct tracked {
	struct keel_timer timer;
	keel_time deadline; /* what the model expects */
	uint64_t arm_no;    /* the model's arming order */
	bool armed;
	int fired;
	keel_time fired_at;
};

static struct tracked tr[MAX_TIMERS];
static int fire_log[MAX_TIMERS];
static int fire_n;
static uint64_t arm_counter;

static void on_fire(struct keel_timer *t, void *arg)
{
	struct tracked *x = arg;

	CHECK(keel_fiber_self() == NULL); /* callbacks run on the loop */
	CHECK(!keel_timer_armed(t));
	x->fired++;
	x->fired_at = keel_now();
	fire_log[fire_n++] = (int)(x - tr);
}

static void arm(int i, keel_time deadline)
{
	CHECK(keel_timer_arm(&tr[i].timer, deadline) == KEEL_OK);
	CHECK(keel_timer_armed(&tr[i].timer));
	tr[i].deadline = deadline;
	tr[i].arm_no = arm_counter++;
	tr[i].armed = true;
}

static void cancel(int i)
{
	keel_timer_cancel(&tr[i].timer);
	CHECK(!keel_timer_armed(&tr[i].timer));
	tr[i].armed = false;
}

static int by_model(const void *a, const void *b)
{
	const struct tracked *x = &tr[*(const int *)a], *y = &tr[*(const int *)b];

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->arm_no < y->arm_no ? -1 : 1;
}

/* Runs the loop until every armed timer has fired; checks the order. */
static keel_time horizon;

static void holder(void *arg)
{
	keel_sleep_until(horizon);
}

static void fire_all_and_check(int count)
{
	static int expect[MAX_TIMERS];
	int n = 0;

	for (int i = 0; i < count; i++) {
		if (tr[i].armed)
			expect[n++] = i;
		if (tr[i].armed && tr[i].deadline >= horizon)
			horizon = tr[i].deadline + 1;
	}
	qsort(expect, (size_t)n, sizeof(expect[0]), by_model);
	fire_n = 0;
	CHECK(keel_fiber_spawn(holder, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(fire_n == n);
	CHECK(memcmp(expect, fire_log, (size_t)n * sizeof(expect[0])) == 0);
	for (int i = 0; i < count; i++) {
		if (tr[i].armed) {
			CHECK(tr[i].fired == 1);
			/* The mock clock jumps to each deadline exactly. */
			CHECK(tr[i].fired_at == tr[i].deadline);
		} else {
			CHECK(tr[i].fired == 0);
		}
		CHECK(!keel_timer_armed(&tr[i].timer));
		tr[i].armed = false;
		tr[i].fired = 0;
	}
	CHECK(keel__core.timers.len == 0);
}

static void init_all(int count)
{
	for (int i = 0; i < count; i++) {
		tr[i] = (struct tracked){ 0 };
		keel_timer_init(&tr[i].timer, on_fire, &tr[i]);
	}
}

static void ordering_rearm_cancel(void)
{
	const int n = 5000;
	keel_time base = keel_now();

	init_all(n);
	/* 0..199 us from now: about 25 timers per deadline. */
	for (int i = 0; i < n; i++)
		arm(i, base + (keel_time)(test_rand() % 200) * KEEL_USEC);
	check_heap();
	/* Re-arm a third, to earlier, later and equal deadlines. */
	for (int i = 0; i < n; i += 3)
		arm(i, base + (keel_time)(test_rand() % 200) * KEEL_USEC);
	check_heap();
	/* Cancel a fifth, some twice. */
	for (int i = 1; i < n; i += 5) {
		cancel(i);
		if (i % 2)
			cancel(i);
	}
	check_heap();
	fire_all_and_check(n);

	/* Cancelling a timer that already fired, or that was never armed. */
	struct keel_timer never;

	keel_timer_init(&never, on_fire, NULL);
	keel_timer_cancel(&never);
	CHECK(!keel_timer_armed(&never));
	cancel(0);
	cancel(2);
	CHECK(keel__core.timers.len == 0);
	printf("%s: %d timers fired in (deadline, arming) order after re-arm and cancel\n",
	       test_name, n);
}

static void heap_property_100k(void)
{
	const int n = MAX_TIMERS;
	keel_time base = keel_now();

	init_all(n);
	for (int i = 0; i < n; i++)
		arm(i, base + (keel_time)(test_rand() % 5000) * KEEL_USEC);
	CHECK(keel__core.timers.len == (uint32_t)n);
	check_heap();
	for (int k = 0; k < n / 2; k++)
		cancel((int)(test_rand() % (unsigned)n));
	check_heap();
	for (int k = 0; k < n / 4; k++)
		arm((int)(test_rand() % (unsigned)n),
		    base + (keel_time)(test_rand() % 5000) * KEEL_USEC);
	check_heap();
	fire_all_and_check(n);
	printf("%s: heap property held over %d timers through cancel and re-arm\n", test_name, n);
}

/* ---- Callbacks that arm and cancel ---------------------------------------- */

static struct keel_timer self_rearm, victim, spawned_timer, killer;
static int self_rearm_count, victim_count, spawned_count;

static void on_self_rearm(struct keel_timer *t, void *arg)
{
	/* Re-arming for "now" fires on the next pass, not in this one. */
	if (++self_rearm_count < 5)
		CHECK(keel_timer_arm(t, keel_now()) == KEEL_OK);
}

static void on_victim(struct keel_timer *t, void *arg)
{
	victim_count++;
}

static void on_spawned(struct keel_timer *t, void *arg)
{
	spawned_count++;
}

static void on_killer(struct keel_timer *t, void *arg)
{
	/* The victim is due at this very time; cancelled, it must not fire. */
	CHECK(keel_timer_armed(&victim));
	keel_timer_cancel(&victim);
	CHECK(keel_timer_arm(&spawned_timer, keel_now() + 5) == KEEL_OK);
}

static void callback_driver(void *arg)
{
	keel_time now = keel_now();

	keel_timer_init(&self_rearm, on_self_rearm, NULL);
	keel_timer_init(&victim, on_victim, NULL);
	keel_timer_init(&spawned_timer, on_spawned, NULL);
	keel_timer_init(&killer, on_killer, NULL);
	CHECK(keel_timer_arm(&killer, now + 10) == KEEL_OK);
	CHECK(keel_timer_arm(&victim, now + 10) == KEEL_OK);
	CHECK(keel_timer_arm(&self_rearm, now + 20) == KEEL_OK);
	keel_sleep(100);
	CHECK(victim_count == 0);
	CHECK(spawned_count == 1);
	CHECK(self_rearm_count == 5);
}

static void callbacks(void)
{
	CHECK(keel_fiber_spawn(callback_driver, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(keel__core.timers.len == 0);
}

/* ---- A heap that cannot grow ------------------------------------------------ */

static struct keel_waitq never_woken = KEEL_WAITQ_INIT(never_woken);
static int timed_out;

static void waits_with_deadline(void *arg)
{
	CHECK(keel_wait(&never_woken, keel_now() + 50) == KEEL_ETIMEDOUT);
	timed_out++;
}

static void heap_full(void)
{
	const struct keel__timer_heap *h = &keel__core.timers;
	int armed = 0, refused = -1;

	init_all(MAX_TIMERS);
	refuse_realloc = true;
	/* Fill what capacity there is; the next arm must fail cleanly. */
	for (int i = 0; i < MAX_TIMERS; i++) {
		int err = keel_timer_arm(&tr[i].timer, keel_now() + 1000 + (keel_time)i);

		if (err != KEEL_OK) {
			CHECK(err == KEEL_ENOMEM);
			CHECK(!keel_timer_armed(&tr[i].timer));
			refused = i;
			break;
		}
		armed++;
	}
	CHECK(refused > 0 && (uint32_t)armed == h->cap);
	/* Re-arming an armed timer needs no new slot. */
	CHECK(keel_timer_arm(&tr[0].timer, keel_now() + 5) == KEEL_OK);
	/* A fiber needs a slot for its wait timer: none left, so no fiber. */
	CHECK(keel_fiber_spawn(waits_with_deadline, NULL, 0) == NULL);
	/* Free two slots: one fiber fits, and no new user timer beyond it. */
	keel_timer_cancel(&tr[1].timer);
	keel_timer_cancel(&tr[2].timer);
	CHECK(keel_fiber_spawn(waits_with_deadline, NULL, 0) != NULL);
	CHECK(keel_timer_arm(&tr[1].timer, keel_now() + 7) == KEEL_OK);
	CHECK(keel_timer_arm(&tr[2].timer, keel_now() + 7) == KEEL_ENOMEM);
	/* The fiber's wait with a deadline still works: its slot was kept. */
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(timed_out == 1);
	refuse_realloc = false;
	for (int i = 0; i < MAX_TIMERS; i++)
		keel_timer_cancel(&tr[i].timer);
	CHECK(h->len == 0);
	check_heap();
	printf("%s: a full heap refuses new timers and fibers with KEEL_ENOMEM, keeps the rest\n",
	       test_name);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ordering_rearm_cancel();
	callbacks();
	heap_full(); /* before the heap grows to 100k: it fills it to capacity */
	heap_property_100k();
	printf("PASS %s\n", test_name);
	return 0;
}

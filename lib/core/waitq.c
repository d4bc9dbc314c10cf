/*
 * Wait queues: fibers park on a list in arrival order; a wake moves the
 * oldest to the run queue. A deadline is the fiber's own embedded timer,
 * whose heap slot was reserved at spawn, so waiting never allocates.
 *
 * Exactly one outcome per wait: a wake takes the fiber off the queue and
 * disarms its timer; the timer firing takes it off the queue. Whichever
 * runs first leaves nothing for the other to find.
 */
#include "core_impl.h"

void keel__wait_timer_arm(struct keel_fiber *f, keel_time deadline)
{
	keel__core.timers.fiber_armed++;
	keel__timer_set(&f->wait_timer, deadline);
}

/* The deadline of a keel_wait() or keel_sleep() passed (runs in the loop). */
void keel__wait_timeout(struct keel_timer *t, void *arg)
{
	struct keel_fiber *f = arg;

	keel__core.timers.fiber_armed--;
	if (f->wait_q) {
		list_del(&f->link);
		f->wait_q = NULL;
	}
	f->wait_result = KEEL_ETIMEDOUT;
	keel__sched_ready(f);
}

void keel_waitq_init(struct keel_waitq *q)
{
	list_init(&q->waiters);
}

bool keel_waitq_empty(const struct keel_waitq *q)
{
	return list_empty(&q->waiters);
}

int keel_wait(struct keel_waitq *q, keel_time deadline)
{
	struct keel_fiber *self = keel__core.current;

	if (!self)
		KEEL_PANIC("keel_wait called outside a fiber");
	self->state = KEEL__FIBER_WAITING;
	self->wait_q = q;
	list_add_tail(&q->waiters, &self->link);
	if (deadline != KEEL_FOREVER)
		keel__wait_timer_arm(self, deadline);
	keel__sched_block();
	return self->wait_result;
}

static void wake(struct keel_fiber *f)
{
	list_del(&f->link);
	f->wait_q = NULL;
	if (keel_timer_armed(&f->wait_timer)) {
		keel__timer_remove(&f->wait_timer);
		keel__core.timers.fiber_armed--;
	}
	f->wait_result = KEEL_OK;
	keel__sched_ready(f);
}

int keel_wake_one(struct keel_waitq *q)
{
	if (list_empty(&q->waiters))
		return 0;
	wake(list_entry(q->waiters.next, struct keel_fiber, link));
	return 1;
}

int keel_wake_all(struct keel_waitq *q)
{
	int n = 0;

	while (!list_empty(&q->waiters)) {
		wake(list_entry(q->waiters.next, struct keel_fiber, link));
		n++;
	}
	return n;
}

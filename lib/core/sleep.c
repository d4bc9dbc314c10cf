/*
 * Sleeping: a wait with a deadline and no queue, so only the fiber's own
 * timer can end it.
 */
#include "core_impl.h"

void keel_sleep_until(keel_time deadline)
{
	struct keel_fiber *self = keel__core.current;

	if (!self)
		KEEL_PANIC("keel_sleep called outside a fiber");
	self->state = KEEL__FIBER_WAITING;
	self->wait_q = NULL;
	/* A fiber asleep forever is a blocked fiber, not a timer that would
	 * hide a deadlock. */
	if (deadline != KEEL_FOREVER)
		keel__wait_timer_arm(self, deadline);
	keel__sched_block();
}

void keel_sleep(keel_time duration)
{
	keel_time now = keel_now();

	keel_sleep_until(duration > KEEL_FOREVER - now ? KEEL_FOREVER : now + duration);
}

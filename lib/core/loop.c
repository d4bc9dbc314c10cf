/*
 * The event loop: runs rounds of runnable fibers; between rounds fires due
 * timers and looks at devices; when nothing is runnable sleeps in kp_yield()
 * until the earliest timer or device input.
 */
#include "core_impl.h"

int keel_io_watch(kp_handle h, keel_io_fn fn, void *arg)
{
	struct keel__core *c = &keel__core;

	if (h >= KP_HANDLE_MAX || !fn)
		return KEEL_EINVAL;
	c->watch[h] = (struct keel__io_watch){ .fn = fn, .arg = arg };
	c->watched |= (kp_handle_set)1 << h;
	return KEEL_OK;
}

void keel_io_unwatch(kp_handle h)
{
	struct keel__core *c = &keel__core;

	if (h >= KP_HANDLE_MAX)
		return;
	c->watched &= ~((kp_handle_set)1 << h);
	c->watch[h] = (struct keel__io_watch){ 0 };
}

/*
 * Whether the loop must take its turn before the next round: nothing is
 * runnable, or there are timers or devices to look at and enough fibers
 * have run since its last turn (KEEL__LOOP_EVERY). Asked by a fiber at the
 * end of a round.
 */
bool keel__loop_wanted(void)
{
	const struct keel__core *c = &keel__core;

	if (c->runq_len == 0)
		return true;
	return (c->timers.len > 0 || c->watched) && c->runs_since_loop >= KEEL__LOOP_EVERY;
}

static void dispatch(kp_handle_set ready)
{
	struct keel__core *c = &keel__core;

	/* A callback may unwatch a handle that is still in `ready`. */
	while ((ready &= c->watched) != 0) {
		kp_handle h = (kp_handle)__builtin_ctzll(ready);
		struct keel__io_watch w = c->watch[h];

		ready &= ready - 1;
		w.fn(h, w.arg);
	}
}

static void poll_devices(kp_time deadline)
{
	struct keel__core *c = &keel__core;
	kp_handle_set ready = 0;

	c->stats.yields++;
	kp_yield(deadline, &ready);
	dispatch(ready);
}

/* Nothing is runnable: sleep until the next timer or device input. */
static void idle(void)
{
	const struct keel__core *c = &keel__core;
	kp_time deadline = c->timers.len > 0 ? c->timers.slot[0].deadline : KP_TIME_MAX;

	if (deadline == KP_TIME_MAX && c->watched == 0)
		KEEL_PANIC("deadlock: %zu fiber%s blocked and nothing can wake them "
		           "(no runnable fiber, no armed timer, no watched device)",
		           c->fibers_live, c->fibers_live == 1 ? "" : "s");
	poll_devices(deadline);
}

int keel_loop_run(void)
{
	struct keel__core *c = &keel__core;
	bool polled;

	if (c->current)
		KEEL_PANIC("keel_loop_run called from a fiber");
	for (;;) {
		if (c->round_left > 0) {
			keel__sched_run_next();
			if (c->zombie) {
				keel__fiber_free(c->zombie);
				c->zombie = NULL;
			}
			continue;
		}

		/* Between rounds. */
		if (c->fibers_live == 0)
			return KEEL_OK;
		c->runs_since_loop = 0;
		/*
		 * Input that arrived while the fibers ran is taken in before
		 * the timers that fell due meanwhile fire: a timer that stands
		 * for silence (a retransmission, a timeout) must not fire for
		 * an answer that is already here, unread.
		 */
		polled = c->watched && keel__timers_due();
		if (polled)
			poll_devices(0);
		keel__timers_fire();
		if (c->runq_len == 0)
			idle();
		else if (c->watched && !polled)
			poll_devices(0); /* a deadline in the past: poll, do not sleep */
		c->round_left = c->runq_len;
	}
}

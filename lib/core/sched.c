/*
 * The run queue and switching between fibers.
 *
 * A fiber that blocks or yields hands the CPU straight to the next fiber of
 * the current round when there is one; only between rounds, and only when
 * the loop wants its turn (nothing runnable, or timers and devices to look
 * at: see keel__loop_wanted), does control go back to the loop's own stack.
 * So a yield costs one switch, not two, in the common case.
 */
#include "core_impl.h"

/* All zero, so it takes no room in the image's file (.bss); the run
 * queue's head is made on the first fiber made ready. */
struct keel__core keel__core;

/*
 * AddressSanitizer must be told when the stack changes under it, or it
 * takes the other stack's frames for overflows. Host unit tests build with
 * KEEL_TEST_ASAN_FIBERS; images never do.
 */
#ifdef KEEL_TEST_ASAN_FIBERS
#include <sanitizer/common_interface_defs.h>

static void *loop_fake_stack;
static const void *loop_stack_lo;
static size_t loop_stack_size;
static bool switching_from_loop;

static void asan_switch_begin(struct keel_fiber *from, struct keel_fiber *to)
{
	void **fake = from ? &from->asan_fake_stack : &loop_fake_stack;

	/* A dead fiber never comes back: NULL lets ASan drop its fake stack. */
	if (from && from->state == KEEL__FIBER_DEAD)
		fake = NULL;
	switching_from_loop = from == NULL;
	if (to)
		__sanitizer_start_switch_fiber(fake, to->stack_lo, to->stack_size);
	else
		__sanitizer_start_switch_fiber(fake, loop_stack_lo, loop_stack_size);
}

static void asan_switch_end(struct keel_fiber *self)
{
	const void *from_lo;
	size_t from_size;

	__sanitizer_finish_switch_fiber(self ? self->asan_fake_stack : loop_fake_stack, &from_lo,
	                                &from_size);
	/* The loop runs on a stack we did not allocate: learn its bounds the
	 * first time we leave it. */
	if (switching_from_loop) {
		loop_stack_lo = from_lo;
		loop_stack_size = from_size;
	}
}
#else
static inline void asan_switch_begin(struct keel_fiber *from, struct keel_fiber *to)
{
}

static inline void asan_switch_end(struct keel_fiber *self)
{
}
#endif

/* Switches from `from` to `to`; NULL stands for the loop on either side. */
static void switch_to(struct keel_fiber *from, struct keel_fiber *to)
{
	struct keel__core *c = &keel__core;
	void **save = from ? &from->sp : &c->loop_sp;

	c->current = to;
	c->stats.switches++;
	if (to)
		to->state = KEEL__FIBER_RUNNING;
	asan_switch_begin(from, to);
	keel__switch(save, to ? to->sp : c->loop_sp);
	asan_switch_end(from);
}

static struct keel_fiber *runq_pop(void)
{
	struct keel__core *c = &keel__core;
	struct keel_list *node = c->runq.next;

	list_del(node);
	c->runq_len--;
	return list_entry(node, struct keel_fiber, link);
}

void keel__sched_ready(struct keel_fiber *f)
{
	struct keel__core *c = &keel__core;

	f->state = KEEL__FIBER_RUNNABLE;
	if (!c->runq.next)
		list_init(&c->runq);
	list_add_tail(&c->runq, &f->link);
	c->runq_len++;
}

/*
 * The next fiber to run after the current one blocks, or NULL when control
 * must go to the loop. At the end of a round the next one starts right here
 * unless the loop has work: that keeps two fibers ping-ponging off the
 * loop's stack.
 */
static struct keel_fiber *next_fiber(void)
{
	struct keel__core *c = &keel__core;

	if (c->round_left == 0) {
		if (keel__loop_wanted())
			return NULL;
		c->round_left = c->runq_len;
	}
	c->round_left--;
	c->runs_since_loop++;
	return runq_pop();
}

/* Called by the running fiber once it has queued itself somewhere (run
 * queue, wait queue) or armed its wait timer; returns when it runs again. */
void keel__sched_block(void)
{
	struct keel_fiber *self = keel__core.current;
	struct keel_fiber *next = next_fiber();

	if (next == self) {
		self->state = KEEL__FIBER_RUNNING;
		return;
	}
	switch_to(self, next);
}

/* The loop runs the next fiber of the round; returns when a fiber hands
 * control back to the loop. */
void keel__sched_run_next(void)
{
	keel__core.round_left--;
	keel__core.runs_since_loop++;
	switch_to(NULL, runq_pop());
}

void keel_fiber_yield(void)
{
	struct keel_fiber *self = keel__core.current;

	if (!self)
		KEEL_PANIC("keel_fiber_yield called outside a fiber");
	keel__sched_ready(self);
	keel__sched_block();
}

/* Entered (from keel__fiber_start) on the first switch to a fiber. */
void keel__fiber_entry(void)
{
	struct keel__core *c = &keel__core;
	struct keel_fiber *self = c->current;

	asan_switch_end(self);
	self->fn(self->arg);

	/* Its memory is freed by the loop, once we are off this stack. */
	self->state = KEEL__FIBER_DEAD;
	c->zombie = self;
	c->fibers_live--;
	switch_to(self, NULL);
	__builtin_unreachable();
}

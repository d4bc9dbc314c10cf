/*
 * Timers: a binary min-heap of caller-owned timers, ordered by (deadline,
 * seq). Each timer stores its own heap index, so cancel and re-arm are
 * O(log n) without searching. The heap array only grows (by doubling), so
 * arming costs no allocation once the high-water mark is reached.
 */
#include <stdlib.h>

#include "core_impl.h"

#define TIMER_IDLE UINT32_MAX
#define HEAP_MIN_CAP 64

keel_time keel_now(void)
{
	return kp_clock_monotonic();
}

static inline bool slot_before(const struct keel__timer_slot *a, const struct keel__timer_slot *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static inline void slot_put(struct keel__timer_heap *h, uint32_t i, struct keel__timer_slot s)
{
	h->slot[i] = s;
	s.timer->heap_index = i;
}

/* Moves s up from slot i (a hole) until its parent is not after it. */
static void sift_up(struct keel__timer_heap *h, uint32_t i, struct keel__timer_slot s)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!slot_before(&s, &h->slot[parent]))
			break;
		slot_put(h, i, h->slot[parent]);
		i = parent;
	}
	slot_put(h, i, s);
}

/* Moves s down from slot i (a hole) until no child is before it. */
static void sift_down(struct keel__timer_heap *h, uint32_t i, struct keel__timer_slot s)
{
	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= h->len)
			break;
		if (child + 1 < h->len && slot_before(&h->slot[child + 1], &h->slot[child]))
			child++;
		if (!slot_before(&h->slot[child], &s))
			break;
		slot_put(h, i, h->slot[child]);
		i = child;
	}
	slot_put(h, i, s);
}

/* Puts s into hole i, wherever its key belongs relative to i's neighbours. */
static void reposition(struct keel__timer_heap *h, uint32_t i, struct keel__timer_slot s)
{
	if (i > 0 && slot_before(&s, &h->slot[(i - 1) / 2]))
		sift_up(h, i, s);
	else
		sift_down(h, i, s);
}

/* Grows the heap array to at least `slots` entries. */
int keel__timer_reserve(size_t slots)
{
	struct keel__timer_heap *h = &keel__core.timers;
	struct keel__timer_slot *slot;
	size_t cap;

	if (slots <= h->cap)
		return KEEL_OK;
	if (slots >= TIMER_IDLE)
		return KEEL_ENOMEM;
	cap = h->cap ? h->cap : HEAP_MIN_CAP;
	while (cap < slots)
		cap *= 2;
	if (cap >= TIMER_IDLE)
		cap = TIMER_IDLE - 1;
	slot = realloc(h->slot, cap * sizeof(*slot));
	if (!slot)
		return KEEL_ENOMEM;
	h->slot = slot;
	h->cap = (uint32_t)cap;
	return KEEL_OK;
}

/* Arms or re-arms t; the caller has made sure a slot is free. */
void keel__timer_set(struct keel_timer *t, keel_time deadline)
{
	struct keel__timer_heap *h = &keel__core.timers;
	struct keel__timer_slot s = { .deadline = deadline, .seq = h->next_seq++, .timer = t };

	t->deadline = s.deadline;
	t->seq = s.seq;
	if (t->heap_index == TIMER_IDLE)
		sift_up(h, h->len++, s);
	else
		reposition(h, t->heap_index, s);
}

void keel__timer_remove(struct keel_timer *t)
{
	struct keel__timer_heap *h = &keel__core.timers;
	uint32_t i = t->heap_index;
	struct keel__timer_slot last = h->slot[--h->len];

	t->heap_index = TIMER_IDLE;
	if (last.timer != t)
		reposition(h, i, last);
}

void keel_timer_init(struct keel_timer *t, keel_timer_fn fn, void *arg)
{
	*t = (struct keel_timer){ .heap_index = TIMER_IDLE, .fn = fn, .arg = arg };
}

int keel_timer_arm(struct keel_timer *t, keel_time deadline)
{
	/* Re-arming keeps its slot; a new timer must not take a fiber's. */
	if (t->heap_index == TIMER_IDLE && keel__timer_reserve(keel__timer_slots_needed(1, 0)) < 0)
		return KEEL_ENOMEM;
	keel__timer_set(t, deadline);
	return KEEL_OK;
}

void keel_timer_cancel(struct keel_timer *t)
{
	if (t->heap_index != TIMER_IDLE)
		keel__timer_remove(t);
}

bool keel_timer_armed(const struct keel_timer *t)
{
	return t->heap_index != TIMER_IDLE;
}

/* The heap's first slot is its earliest deadline. */
bool keel__timers_due(void)
{
	const struct keel__timer_heap *h = &keel__core.timers;

	return h->len > 0 && h->slot[0].deadline <= keel_now();
}

/*
 * Fires, in (deadline, seq) order, the timers due now. Timers armed by the
 * callbacks themselves wait for the next pass even if already due, so a
 * callback that re-arms itself for "now" cannot keep the loop here forever.
 */
void keel__timers_fire(void)
{
	struct keel__core *c = &keel__core;
	struct keel__timer_heap *h = &c->timers;
	uint64_t seq_limit = h->next_seq;
	keel_time now;

	if (h->len == 0)
		return;
	now = keel_now();
	while (h->len > 0) {
		struct keel_timer *t = h->slot[0].timer;

		if (h->slot[0].deadline > now || h->slot[0].seq >= seq_limit)
			break;
		keel__timer_remove(t);
		c->stats.timers_fired++;
		t->fn(t, t->arg);
	}
}

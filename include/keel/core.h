/*
 * keel/core.h — the runtime: fibers, timers, wait queues and the event loop
 * (implementation: lib/core).
 *
 * One core, cooperative, no locks. Fibers run until they block (keel_wait,
 * keel_sleep, keel_fiber_yield, or any call documented "may block"); the
 * event loop then runs the next runnable fiber. Between rounds it hands
 * device input to the watchers and fires due timers, input first: a timer
 * that fell due while fibers ran (a retransmission, a timeout) comes after
 * the answer that arrived meanwhile. When nothing is runnable it sleeps in
 * kp_yield() until the earliest timer deadline or device input, and goes
 * round again.
 *
 * Timer and device callbacks run on the loop's own stack, not in a fiber:
 * they MUST NOT block; they wake fibers instead.
 */
#ifndef KEEL_CORE_H
#define KEEL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/err.h>
#include <keel/platform.h>

/* Monotonic time in ns (same clock as kp_clock_monotonic). */
typedef uint64_t keel_time;
#define KEEL_FOREVER UINT64_MAX
#define KEEL_USEC ((keel_time)1000)
#define KEEL_MSEC ((keel_time)1000 * 1000)
#define KEEL_SEC ((keel_time)1000 * 1000 * 1000)

keel_time keel_now(void);

/* ---- Intrusive doubly linked list (used by wait queues and others) ------ */

struct keel_list {
	struct keel_list *next, *prev;
};

/* ---- Fibers -------------------------------------------------------------- */

struct keel_fiber;

#define KEEL_FIBER_STACK_DEFAULT (32 * 1024)
#define KEEL_FIBER_STACK_MIN (8 * 1024)

/*
 * Creates a fiber that will run fn(arg) and makes it runnable; it starts
 * the next time the current fiber blocks or yields. `stack_size` 0 means
 * KEEL_FIBER_STACK_DEFAULT; it is rounded up to whole pages and to at
 * least KEEL_FIBER_STACK_MIN. Where the platform has paging, a guard page
 * sits under the stack. The fiber ends when fn returns; its stack and
 * descriptor are freed then (fibers are detached).
 * Returns NULL when the heap is exhausted. Does not block.
 */
struct keel_fiber *keel_fiber_spawn(void (*fn)(void *), void *arg, size_t stack_size);

/* The running fiber; NULL when called from the loop (a callback). */
struct keel_fiber *keel_fiber_self(void);

/* Lets every other runnable fiber run once, then continues. May block. */
void keel_fiber_yield(void);

/* Number of live fibers (runnable, running or blocked). */
size_t keel_fiber_count(void);

/* ---- Wait queues --------------------------------------------------------- */

struct keel_waitq {
	struct keel_list waiters;
};

#define KEEL_WAITQ_INIT(q) {{&(q).waiters, &(q).waiters}}

void keel_waitq_init(struct keel_waitq *q);

/*
 * Parks the calling fiber on `q` until woken or until monotonic time
 * reaches `deadline` (KEEL_FOREVER: no deadline). Returns KEEL_OK when
 * woken, KEEL_ETIMEDOUT when the deadline passed first. Waiters are woken
 * in the order they started waiting. MUST be called from a fiber (panics
 * otherwise). May block.
 */
int keel_wait(struct keel_waitq *q, keel_time deadline);

/* Wake the oldest waiter / all waiters of `q`; return how many were woken.
 * Callable from fibers and callbacks. Do not block. */
int keel_wake_one(struct keel_waitq *q);
int keel_wake_all(struct keel_waitq *q);

/* True when no fiber waits on `q`. */
bool keel_waitq_empty(const struct keel_waitq *q);

/* Parks the calling fiber for `duration` ns / until `deadline`. May block. */
void keel_sleep(keel_time duration);
void keel_sleep_until(keel_time deadline);

/* ---- Timers -------------------------------------------------------------- */

struct keel_timer;
typedef void (*keel_timer_fn)(struct keel_timer *t, void *arg);

/* Caller-owned; the runtime only links it into its heap while armed. */
struct keel_timer {
	keel_time deadline;
	uint64_t seq;        /* arming order: equal deadlines fire FIFO */
	uint32_t heap_index; /* position in the timer heap; UINT32_MAX when idle */
	keel_timer_fn fn;
	void *arg;
};

void keel_timer_init(struct keel_timer *t, keel_timer_fn fn, void *arg);

/*
 * Arms (or re-arms) `t` to call fn(t, arg) from the loop once monotonic
 * time reaches `deadline`. O(log n). Returns KEEL_ENOMEM when the timer
 * heap cannot grow (t is then not armed).
 */
int keel_timer_arm(struct keel_timer *t, keel_time deadline);

/* Disarms `t` if armed. O(log n). Safe on an idle timer. */
void keel_timer_cancel(struct keel_timer *t);

bool keel_timer_armed(const struct keel_timer *t);

/* ---- Devices and the loop ------------------------------------------------ */

typedef void (*keel_io_fn)(kp_handle h, void *arg);

/*
 * Calls fn(h, arg) from the loop whenever kp_yield() reports input on
 * device `h`. One watcher per handle; watching again replaces it.
 * KEEL_EINVAL: h >= KP_HANDLE_MAX.
 */
int keel_io_watch(kp_handle h, keel_io_fn fn, void *arg);
void keel_io_unwatch(kp_handle h);

/*
 * Runs the loop until no fiber is left. Returns KEEL_OK then. If fibers
 * remain but none can ever be woken (no runnable fiber, no armed timer, no
 * watched device) the runtime panics with "deadlock". keel_start() calls
 * this around main(); tests may call it directly.
 */
int keel_loop_run(void);

/* Counters kept by the runtime, for /metrics and tests. */
struct keel_core_stats {
	uint64_t switches;      /* fiber context switches */
	uint64_t timers_fired;
	uint64_t yields;        /* calls to kp_yield() */
	uint64_t fibers_spawned;
	size_t fibers_live;
	size_t fibers_high_water;
};
void keel_core_stats(struct keel_core_stats *out);

#endif

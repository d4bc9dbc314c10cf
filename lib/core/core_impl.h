/*
 * lib/core/core_impl.h — private to lib/core: the runtime's one state
 * structure, the fiber descriptor, and the helpers its files share.
 *
 * Symbols shared between files of lib/core (but not part of keel/core.h)
 * carry the prefix keel__ so they cannot clash with an application's own.
 */
#ifndef KEEL_CORE_IMPL_H
#define KEEL_CORE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/core.h>
#include <keel/err.h>
#include <keel/log.h>
#include <keel/platform.h>

#define KEEL__PAGE_SIZE 4096

/*
 * While fibers stay runnable, the loop takes its turn (fire due timers,
 * poll devices) at the end of the first round in which at least this many
 * fibers have run since its last turn. Reading the clock and polling are
 * system calls on some platforms: doing them after every round of two
 * ping-ponging fibers would cost more than the switches themselves, while
 * a timer is late by at most this many fiber runs (or one round, if longer).
 */
#define KEEL__LOOP_EVERY 16

/* ---- Intrusive lists: a head is a node linked to itself when empty ------ */

static inline void list_init(struct keel_list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct keel_list *head)
{
	return head->next == head;
}

static inline void list_add_tail(struct keel_list *head, struct keel_list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void list_del(struct keel_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node;
	node->prev = node;
}

/* The structure of type `type` whose `member` is `node`. */
static inline void *list_container(struct keel_list *node, size_t offset)
{
	return (char *)node - offset;
}

#define list_entry(node, type, member) ((type *)list_container((node), offsetof(type, member)))

/* ---- Fibers -------------------------------------------------------------- */

enum keel__fiber_state {
	KEEL__FIBER_RUNNABLE, /* on the run queue */
	KEEL__FIBER_RUNNING,  /* keel__core.current */
	KEEL__FIBER_WAITING,  /* on a wait queue, or sleeping on its wait timer */
	KEEL__FIBER_DEAD,     /* fn returned; its memory goes once we are off its stack */
};

/*
 * The descriptor lives at the top of the fiber's own stack allocation, so a
 * spawn costs one allocation. Layout of that allocation, low to high:
 *     [guard page][stack, growing down ...][struct keel_fiber]
 */
struct keel_fiber {
	void *sp; /* saved stack pointer while not running */
	/* On the run queue when runnable, on a wait queue's list when waiting:
	 * never both, so one link serves. */
	struct keel_list link;
	enum keel__fiber_state state;
	int wait_result;              /* what keel_wait() returns */
	struct keel_waitq *wait_q;    /* the queue waited on, NULL otherwise */
	struct keel_timer wait_timer; /* deadline of keel_wait() / keel_sleep() */
	void (*fn)(void *);
	void *arg;
	void *mem;         /* the allocation: guard page first */
	size_t mem_size;   /* its size, guard page included */
	void *stack_lo;    /* lowest usable stack byte (above the guard, if any) */
	size_t stack_size; /* usable bytes from stack_lo up to this descriptor */
	bool guarded;      /* the first page of mem is a guard page */
#ifdef KEEL_TEST_ASAN_FIBERS
	void *asan_fake_stack;
#endif
};

/* ---- Timers -------------------------------------------------------------- */

/*
 * A binary min-heap ordered by (deadline, seq). Fibers' wait timers live in
 * it too; every live fiber has a slot reserved so that keel_wait() and
 * keel_sleep() never fail for lack of memory: the capacity is always at
 * least (armed user timers) + (live fibers).
 */
struct keel__timer_slot {
	/* The key is kept here, beside the pointer, so that sifting compares
	 * neighbouring array entries instead of chasing pointers to timers
	 * scattered over memory. */
	keel_time deadline;
	uint64_t seq;
	struct keel_timer *timer;
};

struct keel__timer_heap {
	struct keel__timer_slot *slot;
	uint32_t len, cap;
	uint32_t fiber_armed; /* wait timers of fibers among the len armed */
	uint64_t next_seq;
};

/* ---- The runtime's state (one core, so one instance) --------------------- */

struct keel__io_watch {
	keel_io_fn fn;
	void *arg;
};

struct keel__core {
	struct keel_fiber *current; /* NULL while the loop itself runs */
	void *loop_sp;              /* the loop's stack pointer while a fiber runs */
	struct keel_list runq;
	size_t runq_len;
	/*
	 * Fibers still to run in the current round. A round runs the fibers
	 * that were runnable when it began; fibers made runnable during it
	 * (woken, spawned or yielding) wait for the next one, so the loop gets
	 * its turn between rounds to fire timers and poll devices.
	 */
	size_t round_left;
	/* Fibers run since the loop last fired timers and polled devices. */
	unsigned runs_since_loop;
	struct keel_fiber *zombie; /* ended fiber whose memory the loop frees */
	size_t fibers_live;
	struct keel__timer_heap timers;
	kp_handle_set watched;
	struct keel__io_watch watch[KP_HANDLE_MAX];
	struct keel_core_stats stats;
};

extern struct keel__core keel__core;

/* ---- Context switch (lib/core/arch/<arch>/switch.S) --------------------- */

/* Saves the callee-saved state on the current stack, stores the stack
 * pointer in *save_sp, and resumes the context whose stack pointer is to_sp. */
void keel__switch(void **save_sp, void *to_sp);

/* Builds, below `top` (aligned down as the ABI wants), the frame that the
 * first keel__switch() to it pops: it enters keel__fiber_entry(). Returns
 * the stack pointer to hand to keel__switch(). */
void *keel__switch_init(void *top);

/*
 * Host unit tests run under AddressSanitizer, which must hear about stacks
 * it did not allocate itself (sched.c announces the switches). Images never
 * define KEEL_TEST_ASAN_FIBERS.
 */
#ifdef KEEL_TEST_ASAN_FIBERS
#include <sanitizer/asan_interface.h>

static inline void keel__asan_unpoison(void *addr, size_t size)
{
	__asan_unpoison_memory_region(addr, size);
}
#else
static inline void keel__asan_unpoison(void *addr, size_t size)
{
}
#endif

/* ---- Between files ------------------------------------------------------- */

/* sched.c */
void keel__fiber_entry(void) __attribute__((noreturn));
void keel__sched_ready(struct keel_fiber *f);
void keel__sched_block(void);
void keel__sched_run_next(void);

/* fiber.c */
void keel__fiber_free(struct keel_fiber *f);
void keel__stack_cache_drain(void);

/* loop.c */
bool keel__loop_wanted(void);

/* timer.c */
int keel__timer_reserve(size_t slots);
void keel__timer_set(struct keel_timer *t, keel_time deadline);
void keel__timer_remove(struct keel_timer *t);
void keel__timers_fire(void);
/* True when the earliest timer's deadline has passed. */
bool keel__timers_due(void);

/* waitq.c */
void keel__wait_timer_arm(struct keel_fiber *f, keel_time deadline);
void keel__wait_timeout(struct keel_timer *t, void *arg);

/* log.c */
void keel__log_start(void);
size_t keel__line_vformat(char *line, size_t size, int prefix_len, const char *fmt, va_list ap);

/* Slots the timer heap must hold: armed user timers plus one per fiber. */
static inline size_t keel__timer_slots_needed(size_t extra_timers, size_t extra_fibers)
{
	const struct keel__timer_heap *h = &keel__core.timers;

	return (size_t)(h->len - h->fiber_armed) + extra_timers + keel__core.fibers_live +
	       extra_fibers;
}

#endif

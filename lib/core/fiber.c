/*
 * Creating fibers and freeing them once they have ended.
 *
 * Stacks of ended fibers are kept, guard page and all, in a small cache
 * for the next spawns of the same size: setting and clearing a guard page
 * is a system call each on hosted platforms and costs far more than the
 * rest of a spawn. The cache gives its memory back when an allocation for
 * a stack fails.
 */
#include <stdlib.h>

#include "core_impl.h"

/* Descriptor size rounded so the stack top below it stays 16-byte aligned. */
#define FIBER_DESC_SIZE ((sizeof(struct keel_fiber) + 63) & ~(size_t)63)

#define STACK_CACHE_MAX 16

struct cached_stack {
	char *mem;
	size_t mem_size;
	bool guarded;
};

static struct cached_stack stack_cache[STACK_CACHE_MAX];
static unsigned stack_cache_len;

static void stack_free(char *mem, bool guarded)
{
	if (guarded && kp_page_guard(mem, KEEL__PAGE_SIZE, false) != KEEL_OK)
		return; /* leaking it beats handing out a page that faults */
	free(mem);
}

void keel__stack_cache_drain(void)
{
	while (stack_cache_len > 0) {
		const struct cached_stack *s = &stack_cache[--stack_cache_len];

		stack_free(s->mem, s->guarded);
	}
}

/* A stack allocation of mem_size bytes whose first page is the guard page
 * (*guarded = false where the platform cannot guard). */
static char *stack_get(size_t mem_size, bool *guarded)
{
	char *mem;

	for (unsigned i = stack_cache_len; i-- > 0;) {
		if (stack_cache[i].mem_size == mem_size) {
			mem = stack_cache[i].mem;
			*guarded = stack_cache[i].guarded;
			stack_cache[i] = stack_cache[--stack_cache_len];
			/* Frames of the fiber that ended on it stay poisoned. */
			keel__asan_unpoison(mem, mem_size);
			return mem;
		}
	}
	mem = aligned_alloc(KEEL__PAGE_SIZE, mem_size);
	if (!mem && stack_cache_len > 0) {
		keel__stack_cache_drain();
		mem = aligned_alloc(KEEL__PAGE_SIZE, mem_size);
	}
	if (!mem)
		return NULL;
	/* Without paging the page under the stack is just more stack. */
	*guarded = kp_page_guard(mem, KEEL__PAGE_SIZE, true) == KEEL_OK;
	return mem;
}

struct keel_fiber *keel_fiber_spawn(void (*fn)(void *), void *arg, size_t stack_size)
{
	struct keel__core *c = &keel__core;
	struct keel_fiber *f;
	size_t size = stack_size ? stack_size : KEEL_FIBER_STACK_DEFAULT;
	char *mem;
	bool guarded;

	if (size < KEEL_FIBER_STACK_MIN)
		size = KEEL_FIBER_STACK_MIN;
	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + KEEL__PAGE_SIZE - 1) & ~(size_t)(KEEL__PAGE_SIZE - 1);

	/* The new fiber's wait timer gets its heap slot now, so that waiting
	 * and sleeping can never fail later for lack of memory. */
	if (keel__timer_reserve(keel__timer_slots_needed(0, 1)) < 0)
		return NULL;

	/* One page more than asked for, for the guard page. */
	mem = stack_get(size + KEEL__PAGE_SIZE, &guarded);
	if (!mem)
		return NULL;

	f = (struct keel_fiber *)(void *)(mem + KEEL__PAGE_SIZE + size - FIBER_DESC_SIZE);
	*f = (struct keel_fiber){
		.fn = fn,
		.arg = arg,
		.mem = mem,
		.mem_size = size + KEEL__PAGE_SIZE,
		.stack_lo = guarded ? mem + KEEL__PAGE_SIZE : mem,
		.guarded = guarded,
	};
	f->stack_size = (size_t)((char *)f - (char *)f->stack_lo);
	list_init(&f->link);
	keel_timer_init(&f->wait_timer, keel__wait_timeout, f);
	f->sp = keel__switch_init(f);

	c->fibers_live++;
	if (c->fibers_live > c->stats.fibers_high_water)
		c->stats.fibers_high_water = c->fibers_live;
	c->stats.fibers_spawned++;
	keel__sched_ready(f);
	return f;
}

/* Called by the loop, never on f's own stack. */
void keel__fiber_free(struct keel_fiber *f)
{
	if (stack_cache_len < STACK_CACHE_MAX) {
		stack_cache[stack_cache_len++] = (struct cached_stack){
			.mem = f->mem,
			.mem_size = f->mem_size,
			.guarded = f->guarded,
		};
		return;
	}
	stack_free(f->mem, f->guarded);
}

struct keel_fiber *keel_fiber_self(void)
{
	return keel__core.current;
}

size_t keel_fiber_count(void)
{
	return keel__core.fibers_live;
}

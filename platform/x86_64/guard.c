/*
 * guard.c — kp_page_guard: turning heap pages into guard pages and back.
 *
 * lib/core puts one under each fiber stack. The page's entry becomes "not
 * present" with PTE_GUARD set, so a stack overflow faults at the first
 * write below the stack and the fault report can say it was a guard page.
 * A 2 MiB heap page is split into small pages the first time one of its
 * pages is guarded; the pool always has a table for that (mem_init.c).
 * Only heap pages may change: anything else is refused.
 */
#include "platform_impl.h"

int kp_page_guard(void *addr, size_t len, bool guard)
{
	uintptr_t start = (uintptr_t)addr;
	uintptr_t end = start + len;

	if ((start | len) & (PAGE_SIZE - 1) || end < start || start < mem_heap_start ||
	    end > mem_heap_end)
		return KEEL_EINVAL;
	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = mem_pte(va, false);

		if (!pte)
			return KEEL_ENOMEM;
		*pte = guard ? va | PTE_GUARD : va | MAP_RW;
		cpu_invlpg(va);
	}
	return KEEL_OK;
}

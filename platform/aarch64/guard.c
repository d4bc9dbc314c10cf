/*
 * guard.c — kp_page_guard: heap pages made guard pages and back.
 *
 * lib/core puts one under each fiber stack. The page's entry becomes
 * invalid with PTE_GUARD set, so an overflow faults at the first access
 * below the stack and the report says it was a guard page. Only heap
 * pages may change; the pool has a table for splitting each 2 MiB heap
 * block (mem_init.c).
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
		*pte = guard ? va | PTE_GUARD : va | MAP_RW | PTE_VALID | PTE_TABLE;
		mem_flush_page(va);
	}
	return KEEL_OK;
}

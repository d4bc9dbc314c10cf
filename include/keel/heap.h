/*
 * keel/heap.h — the one general allocator of an image (implementation:
 * lib/libc/malloc). malloc/free/calloc/realloc/aligned_alloc of <stdlib.h>
 * allocate from the region given here.
 */
#ifndef KEEL_HEAP_H
#define KEEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hands the allocator the region [base, base + size). Called once by the
 * runtime (keel_start) before main, and by host unit tests. Before it is
 * called every allocation fails. `base` need not be aligned; the allocator
 * aligns it. Out of memory is a NULL return, never a crash.
 */
void keel_heap_init(void *base, size_t size);

struct keel_heap_stats {
	size_t size;            /* bytes managed */
	size_t in_use;          /* bytes handed out, headers included */
	size_t high_water;      /* largest in_use seen */
	size_t free_bytes;      /* size - in_use */
	size_t largest_free;    /* largest single free block */
	uint64_t allocs, frees; /* calls that succeeded */
	uint64_t failures;      /* allocations refused for lack of memory */
};

void keel_heap_stats(struct keel_heap_stats *out);

/*
 * Walks the whole heap checking every block's header and the free lists.
 * Returns 0 when consistent, a negative value otherwise (tests use it).
 */
int keel_heap_check(void);

#endif

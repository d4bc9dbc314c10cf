/* keel_heap_init — see keel/heap.h. */
#include "heap_impl.h"

/* Chunk sizes must fit the header's size field. */
#define REGION_MAX ((size_t)1 << (TAG_SHIFT - 1))

void keel_heap_init(void *base, size_t size)
{
	struct heap *h = &keel__heap;
	uintptr_t lo = (uintptr_t)base, hi;

	memset(h, 0, sizeof(*h));
	if (!base || __builtin_add_overflow(lo, size, &hi))
		return;
	lo = (lo + CHUNK_ALIGN - 1) & ~(CHUNK_ALIGN - 1);
	hi &= ~(CHUNK_ALIGN - 1);
	if (hi <= lo || hi - lo < CHUNK_MIN + CHUNK_OVERHEAD)
		return; /* too small to hold anything: every allocation fails */
	if (hi - lo > REGION_MAX)
		hi = lo + REGION_MAX;

	/* One free chunk spanning everything, then the fence. */
	struct chunk *first = chunk_at((void *)lo);
	size_t first_size = hi - lo - CHUNK_OVERHEAD;

	h->start = (char *)first;
	h->fence = chunk_at((char *)first + first_size);
	h->fence->prev_size = first_size;
	chunk_set_head(h->fence, 0, CINUSE);
	chunk_set_head(first, first_size, PINUSE);
	keel__heap_link(first);
	h->stats.size = first_size;
}

/* keel_heap_stats — see keel/heap.h. Walks only the largest non-empty
 * size class to find the largest free chunk. */
#include "heap_impl.h"

void keel_heap_stats(struct keel_heap_stats *out)
{
	const struct heap *h = &keel__heap;
	size_t largest = 0;

	*out = h->stats;
	out->free_bytes = h->stats.size - h->stats.in_use;
	if (h->fl_bitmap) {
		unsigned fl = log2_floor(h->fl_bitmap);
		unsigned sl = 31u - (unsigned)__builtin_clz(h->sl_bitmap[fl]);

		for (const struct chunk *c = h->lists[fl][sl]; c; c = c->next_free) {
			if (chunk_size(c) > largest)
				largest = chunk_size(c);
		}
	}
	out->largest_free = largest;
}

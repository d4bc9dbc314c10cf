/* malloc — see <stdlib.h> and heap_impl.h. */
#include "heap_impl.h"

void *malloc(size_t n)
{
	if (n > REQUEST_MAX) {
		keel__heap.stats.failures++;
		errno = ENOMEM;
		return NULL;
	}
	struct chunk *c = keel__heap_alloc(request_size(n));

	if (!c)
		return NULL;
	heap_count(0, chunk_size(c));
	keel__heap.stats.allocs++;
	return chunk_payload(c);
}

/* free — see <stdlib.h>: aborts the image on a pointer that is not a live
 * block, rather than let the heap be corrupted. */
#include "heap_impl.h"

void free(void *p)
{
	if (!p)
		return;
	struct chunk *c = keel__heap_chunk_of(p, "heap: free of an invalid pointer");

	heap_count(chunk_size(c), 0);
	keel__heap.stats.frees++;
	keel__heap_release(c);
}

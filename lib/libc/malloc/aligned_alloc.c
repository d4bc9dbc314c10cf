/*
 * aligned_alloc — over-allocates by the alignment, then frees the
 * misaligned front (as a chunk of its own, hence at least CHUNK_MIN bytes)
 * and the unneeded tail. Any power-of-two alignment works; fibers use it
 * for page-aligned stacks.
 */
#include "heap_impl.h"

void *aligned_alloc(size_t alignment, size_t n)
{
	if (alignment == 0 || (alignment & (alignment - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (alignment <= CHUNK_ALIGN)
		return malloc(n);
	if (n > REQUEST_MAX || alignment > REQUEST_MAX - n) {
		keel__heap.stats.failures++;
		errno = ENOMEM;
		return NULL;
	}

	size_t want = request_size(n);
	struct chunk *c = keel__heap_alloc(want + alignment + CHUNK_MIN);
	if (!c)
		return NULL;

	uintptr_t payload = (uintptr_t)chunk_payload(c);
	if (payload & (alignment - 1)) {
		/* The first aligned payload at least CHUNK_MIN past c's own. */
		uintptr_t aligned =
		    (payload + CHUNK_MIN + alignment - 1) & ~(uintptr_t)(alignment - 1);
		struct chunk *ac = chunk_at((char *)aligned - CHUNK_OVERHEAD);
		size_t front = (size_t)((char *)ac - (char *)c);

		chunk_set_head(ac, chunk_size(c) - front, CINUSE | PINUSE);
		chunk_set_head(c, front, c->head & FLAG_BITS);
		keel__heap_release(c); /* clears ac's PINUSE */
		c = ac;
	}
	keel__heap_trim(c, want);
	heap_count(0, chunk_size(c));
	keel__heap.stats.allocs++;
	return chunk_payload(c);
}

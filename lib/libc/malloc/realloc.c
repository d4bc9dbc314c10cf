/*
 * realloc — in place whenever the neighbours allow: shrinking gives the
 * tail back; growing takes the free chunk after (and, failing that, the
 * free chunk before, moving the data down). Only then does it allocate,
 * copy and free. realloc(p, 0) keeps a minimal block (see <stdlib.h>).
 */
#include "heap_impl.h"

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n > REQUEST_MAX) {
		keel__heap.stats.failures++;
		errno = ENOMEM;
		return NULL;
	}
	struct chunk *c = keel__heap_chunk_of(p, "heap: realloc of an invalid pointer");
	size_t want = request_size(n), have = chunk_size(c);

	if (want <= have) {
		keel__heap_trim(c, want);
		heap_count(have, chunk_size(c));
		return p;
	}

	struct chunk *next = chunk_next(c);
	size_t next_free = chunk_in_use(next) ? 0 : chunk_size(next);
	if (have + next_free >= want) {
		keel__heap_unlink(next);
		chunk_set_head(c, have + next_free, c->head & FLAG_BITS);
		next = chunk_next(c);
		chunk_set_head(next, chunk_size(next), (next->head & FLAG_BITS) | PINUSE);
		keel__heap_trim(c, want);
		heap_count(have, chunk_size(c));
		return p;
	}

	struct chunk *prev = chunk_prev_in_use(c) ? NULL : keel__heap_free_prev(c);
	size_t prev_free = prev ? chunk_size(prev) : 0;
	if (prev && prev_free + have + next_free >= want) {
		size_t usable = chunk_usable(c);

		/* c's header ends up inside the block: tag it free, so that a
		 * stale free(p) is reported rather than believed. */
		chunk_set_head(c, have, c->head & PINUSE);
		keel__heap_unlink(prev);
		if (next_free)
			keel__heap_unlink(next);
		chunk_set_head(prev, prev_free + have + next_free, CINUSE | PINUSE);
		next = chunk_next(prev);
		chunk_set_head(next, chunk_size(next), (next->head & FLAG_BITS) | PINUSE);
		memmove(chunk_payload(prev), p, usable);
		keel__heap_trim(prev, want);
		heap_count(have, chunk_size(prev));
		return chunk_payload(prev);
	}

	void *q = malloc(n);
	if (!q)
		return NULL; /* p is left as it was */
	memcpy(q, p, chunk_usable(c));
	free(p);
	return q;
}

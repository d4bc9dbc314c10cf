/*
 * keel_heap_check — verifies every invariant the allocator relies on, by
 * walking all chunks in address order and then every free list. Returns
 * 0, or the negative number of the first broken rule (listed below).
 * O(number of chunks): for tests and debugging, not for hot paths.
 */
#include "heap_impl.h"

enum {
	BAD_TAG = -1,         /* a header's tag does not match its state */
	BAD_SIZE = -2,        /* a size is too small or runs past the fence */
	BAD_PINUSE = -3,      /* PINUSE disagrees with the previous chunk */
	BAD_FOOTER = -4,      /* a free chunk's size is not repeated after it */
	ADJACENT_FREE = -5,   /* two free chunks touch (a merge was missed) */
	BAD_FENCE = -6,       /* the walk does not end exactly at the fence */
	BAD_LIST = -7,        /* a listed chunk is not free, or in the wrong list */
	BAD_LINKS = -8,       /* next/prev links disagree */
	BAD_BITMAP = -9,      /* a bitmap bit disagrees with its list */
	COUNT_MISMATCH = -10, /* free chunks walked != free chunks listed */
	BAD_STATS = -11,      /* in_use disagrees with the chunks in use */
};

int keel_heap_check(void)
{
	const struct heap *h = &keel__heap;
	size_t free_chunks = 0, in_use = 0;
	bool prev_in_use = true;

	if (!h->start)
		return 0;

	struct chunk *c = chunk_at(h->start);
	while (c != h->fence) {
		size_t size = chunk_size(c);

		if (!chunk_tag_ok(c))
			return BAD_TAG;
		if (size < CHUNK_MIN || size % CHUNK_ALIGN ||
		    size > (size_t)((char *)h->fence - (char *)c))
			return BAD_SIZE;
		if (chunk_prev_in_use(c) != prev_in_use)
			return BAD_PINUSE;
		if (chunk_in_use(c)) {
			in_use += size;
		} else {
			if (!prev_in_use)
				return ADJACENT_FREE;
			if (chunk_next(c)->prev_size != size)
				return BAD_FOOTER;
			free_chunks++;
		}
		prev_in_use = chunk_in_use(c);
		c = chunk_next(c);
	}
	if (!chunk_tag_ok(c) || !chunk_in_use(c) || chunk_size(c) != 0 ||
	    chunk_prev_in_use(c) != prev_in_use)
		return BAD_FENCE;

	size_t listed = 0;
	for (unsigned fl = 0; fl < FL_COUNT; fl++) {
		for (unsigned sl = 0; sl < SL_COUNT; sl++) {
			const struct chunk *f = h->lists[fl][sl];
			bool bit = (h->sl_bitmap[fl] >> sl) & 1;

			if (bit != (f != NULL))
				return BAD_BITMAP;
			if (f && f->prev_free)
				return BAD_LINKS;
			for (; f; f = f->next_free) {
				unsigned cfl, csl;

				/* More than were walked: a cycle, or a stray. */
				if (++listed > free_chunks)
					return COUNT_MISMATCH;
				if ((char *)f < h->start || (char *)f >= (char *)h->fence ||
				    !chunk_tag_ok(f) || chunk_in_use(f))
					return BAD_LIST;
				size_class(chunk_size(f), &cfl, &csl);
				if (cfl != fl || csl != sl)
					return BAD_LIST;
				if (f->next_free && f->next_free->prev_free != f)
					return BAD_LINKS;
			}
		}
		if (((h->fl_bitmap >> fl) & 1) != (h->sl_bitmap[fl] != 0))
			return BAD_BITMAP;
	}
	if (listed != free_chunks)
		return COUNT_MISMATCH;
	if (in_use != h->stats.in_use)
		return BAD_STATS;
	return 0;
}

/*
 * The allocator's core: the free lists, taking and splitting chunks,
 * freeing and merging them, and validating pointers handed back. See
 * heap_impl.h for the design.
 */
#include "heap_impl.h"

struct heap keel__heap;

/* How many chunks of the exact class allocation examines for a fit before
 * it settles for a larger class. Small: it only sharpens the fit. */
#define EXACT_CLASS_PROBES 8

void keel__heap_link(struct chunk *c)
{
	struct heap *h = &keel__heap;
	unsigned fl, sl;

	size_class(chunk_size(c), &fl, &sl);
	c->prev_free = NULL;
	c->next_free = h->lists[fl][sl];
	if (c->next_free)
		c->next_free->prev_free = c;
	h->lists[fl][sl] = c;
	h->fl_bitmap |= (uint64_t)1 << fl;
	h->sl_bitmap[fl] |= 1u << sl;
}

void keel__heap_unlink(struct chunk *c)
{
	struct heap *h = &keel__heap;
	unsigned fl, sl;

	size_class(chunk_size(c), &fl, &sl);
	if (c->next_free)
		c->next_free->prev_free = c->prev_free;
	if (c->prev_free) {
		c->prev_free->next_free = c->next_free;
	} else {
		h->lists[fl][sl] = c->next_free;
		if (!h->lists[fl][sl]) {
			h->sl_bitmap[fl] &= ~(1u << sl);
			if (!h->sl_bitmap[fl])
				h->fl_bitmap &= ~((uint64_t)1 << fl);
		}
	}
}

/*
 * The first class all of whose chunks are at least `size` bytes: size's own
 * class when size is its lower bound (always so below SMALL_LIMIT, where a
 * class holds one size), the next one otherwise.
 */
static void fitting_class(size_t size, unsigned *fl, unsigned *sl)
{
	if (size >= SMALL_LIMIT) {
		size_t step = (size_t)1 << (log2_floor(size) - SL_LOG2);

		size = (size + step - 1) & ~(step - 1);
	}
	size_class(size, fl, sl);
}

/* A listed free chunk of at least `size` bytes, or NULL. */
static struct chunk *find_free(size_t size)
{
	struct heap *h = &keel__heap;
	unsigned fl, sl;

	/* A good fit from size's own class, if one comes quickly. */
	size_class(size, &fl, &sl);
	struct chunk *c = h->lists[fl][sl];
	for (int probes = 0; c && probes < EXACT_CLASS_PROBES; probes++, c = c->next_free) {
		if (chunk_size(c) >= size)
			return c;
	}

	/* Otherwise the smallest non-empty class that surely fits. */
	fitting_class(size, &fl, &sl);
	if (fl >= FL_COUNT)
		return NULL;
	uint32_t sl_map = h->sl_bitmap[fl] & (~0u << sl);
	if (!sl_map) {
		uint64_t fl_map = h->fl_bitmap & (~(uint64_t)0 << (fl + 1));

		if (!fl_map)
			return NULL;
		fl = (unsigned)__builtin_ctzll(fl_map);
		sl_map = h->sl_bitmap[fl];
	}
	sl = (unsigned)__builtin_ctz(sl_map);
	return h->lists[fl][sl];
}

struct chunk *keel__heap_alloc(size_t size)
{
	struct heap *h = &keel__heap;
	struct chunk *c = h->start ? find_free(size) : NULL;

	if (!c) {
		h->stats.failures++;
		errno = ENOMEM;
		return NULL;
	}
	keel__heap_unlink(c);

	size_t have = chunk_size(c);
	struct chunk *next = chunk_next(c);
	if (have - size >= CHUNK_MIN) {
		/* Split: the tail becomes a free chunk of its own. Its next
		 * neighbour already has PINUSE clear and is in use (no two free
		 * chunks touch), so only the tail's own header and footer change. */
		struct chunk *rest = chunk_at((char *)c + size);

		chunk_set_head(rest, have - size, PINUSE);
		next->prev_size = have - size;
		keel__heap_link(rest);
		have = size;
	} else {
		chunk_set_head(next, chunk_size(next), (next->head & FLAG_BITS) | PINUSE);
	}
	chunk_set_head(c, have, CINUSE | PINUSE); /* a free chunk's neighbours are in use */
	return c;
}

struct chunk *keel__heap_free_prev(struct chunk *c)
{
	size_t before = (size_t)((char *)c - keel__heap.start);

	if (c->prev_size > before || c->prev_size % CHUNK_ALIGN)
		keel__libc_fatal("heap: corrupted free block before", chunk_payload(c));
	struct chunk *prev = chunk_at((char *)c - c->prev_size);
	if (chunk_in_use(prev) || !chunk_tag_ok(prev) || chunk_size(prev) != c->prev_size)
		keel__libc_fatal("heap: corrupted free block before", chunk_payload(c));
	return prev;
}

void keel__heap_release(struct chunk *c)
{
	size_t size = chunk_size(c);
	struct chunk *next = chunk_next(c);

	/* Mark c free first: if it is merged into the chunk before, its old
	 * header stays behind with a free tag, so freeing it again is still
	 * recognised as a double free. */
	chunk_set_head(c, size, c->head & PINUSE);
	if (!chunk_prev_in_use(c)) {
		struct chunk *prev = keel__heap_free_prev(c);

		keel__heap_unlink(prev);
		size += chunk_size(prev);
		c = prev;
	}
	if (!chunk_in_use(next)) {
		if (!chunk_tag_ok(next))
			keel__libc_fatal("heap: corrupted free block after", chunk_payload(c));
		keel__heap_unlink(next);
		size += chunk_size(next);
		next = chunk_next(next);
	}
	chunk_set_head(c, size, PINUSE);
	next->prev_size = size;
	chunk_set_head(next, chunk_size(next), (next->head & FLAG_BITS) & ~PINUSE);
	keel__heap_link(c);
}

void keel__heap_trim(struct chunk *c, size_t size)
{
	size_t have = chunk_size(c);

	if (have - size < CHUNK_MIN)
		return;
	struct chunk *rest = chunk_at((char *)c + size);

	chunk_set_head(c, size, (c->head & FLAG_BITS));
	chunk_set_head(rest, have - size, CINUSE | PINUSE);
	keel__heap_release(rest);
}

struct chunk *keel__heap_chunk_of(void *p, const char *op)
{
	struct heap *h = &keel__heap;
	uintptr_t addr = (uintptr_t)p;

	if (!h->start || addr % CHUNK_ALIGN != 0 || addr < (uintptr_t)h->start + CHUNK_OVERHEAD ||
	    addr >= (uintptr_t)h->fence)
		keel__libc_fatal(op, p);

	struct chunk *c = chunk_at((char *)p - CHUNK_OVERHEAD);
	if (!chunk_tag_ok(c))
		keel__libc_fatal(op, p);
	if (!chunk_in_use(c)) {
		/* A valid free header right there: this block was freed. */
		keel__libc_fatal("heap: double free", p);
	}
	size_t size = chunk_size(c);
	if (size < CHUNK_MIN || size > (uintptr_t)h->fence - (uintptr_t)c)
		keel__libc_fatal("heap: corrupted block header", p);
	struct chunk *next = chunk_next(c);
	if (!chunk_tag_ok(next) || !chunk_prev_in_use(next))
		keel__libc_fatal("heap: block overrun (next header damaged)", p);
	return c;
}

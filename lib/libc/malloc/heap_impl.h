/*
 * lib/libc/malloc/heap_impl.h — private to the allocator: the block
 * layout, the free-list index and the helpers its files share.
 *
 * Design (for a long-running server on one core):
 *
 *  - Boundary tags. The region is cut into contiguous chunks, each with a
 *    one-word header holding its size and two flags: whether it is in use
 *    and whether the chunk just before it is. A free chunk also repeats its
 *    size in its last word (the next chunk's prev_size), so freeing can
 *    find and merge both neighbours in O(1): no two free chunks are ever
 *    adjacent.
 *
 *  - Segregated fits, TLSF-style (Masmano et al., 2004). Free chunks sit
 *    in doubly linked lists, one per size class: 16-byte steps below 256
 *    bytes, then each power of two split into 16 classes (so a class spans
 *    at most 1/16 of its sizes). Two levels of bitmaps say which lists are
 *    non-empty, so finding a chunk that fits is a couple of bit scans.
 *    Allocation first tries a few chunks of the exact class (best fit in
 *    practice), then takes any chunk of the next non-empty class above,
 *    all of which fit. Every operation is O(1); only keel_heap_stats()
 *    and keel_heap_check() walk.
 *
 *  - Defensive headers. The top 16 bits of each header are a tag computed
 *    from the chunk's address and its state (in use or free). free() and
 *    realloc() verify it, which catches double frees, pointers that were
 *    never allocated, and most overruns into the next header; the heap then
 *    aborts with a message naming the address rather than corrupting
 *    itself further.
 *
 * Chunk layout (addresses and sizes are multiples of 16):
 *
 *     chunk -> | prev_size | size of the previous chunk, only while it is free
 *              | head      | tag:16 | size:44 | 0 0 PINUSE CINUSE
 *   payload -> | ...       | chunk + 16, what malloc returns (16-aligned)
 *     next  -> | prev_size | while this chunk is in use, its payload's last
 *              | head      | 8 bytes: the overhead per block is one word
 *
 * A free chunk keeps its list links at the start of its payload, so the
 * smallest chunk is 32 bytes. The region ends with a "fence": a header of
 * size 0 marked in use, which stops forward merging; the first chunk has
 * PINUSE set, which stops backward merging.
 *
 * This layout assumes 64-bit size_t (Keel's targets are LP64); a 32-bit
 * port would shrink the words and the tag.
 */
#ifndef KEEL_LIBC_HEAP_IMPL_H
#define KEEL_LIBC_HEAP_IMPL_H

#include <keel/heap.h>

#include "../internal.h"

_Static_assert(sizeof(size_t) == 8 && sizeof(void *) == 8, "the heap layout assumes LP64");

struct chunk {
	size_t prev_size;
	size_t head;
	struct chunk *next_free; /* free chunks only */
	struct chunk *prev_free;
};

#define CHUNK_ALIGN ((size_t)16)
#define CHUNK_OVERHEAD (2 * sizeof(size_t)) /* from chunk to payload */
#define CHUNK_MIN ((size_t)32)

#define CINUSE ((size_t)1) /* this chunk is in use */
#define PINUSE ((size_t)2) /* the previous chunk is in use */
#define FLAG_BITS ((size_t)15)
#define TAG_SHIFT 48
#define SIZE_BITS ((((size_t)1 << TAG_SHIFT) - 1) & ~FLAG_BITS)

/* Largest request: its chunk size must fit the size field. */
#define REQUEST_MAX (((size_t)1 << (TAG_SHIFT - 1)) - 64)

/* Size classes: see above. */
#define SL_LOG2 4
#define SL_COUNT (1u << SL_LOG2)
#define SMALL_LIMIT ((size_t)1 << (SL_LOG2 + 4)) /* 256: linear classes below */
#define FL_SHIFT (SL_LOG2 + 4 - 1)               /* log2(size) - FL_SHIFT = class row */
#define FL_COUNT (TAG_SHIFT - FL_SHIFT)          /* rows for sizes below 2^48 */

/* The one heap of the image. */
struct heap {
	char *start;         /* the first chunk; NULL before keel_heap_init() */
	struct chunk *fence; /* the end marker */
	uint64_t fl_bitmap;  /* bit f: some list of row f is non-empty */
	uint32_t sl_bitmap[FL_COUNT];
	struct chunk *lists[FL_COUNT][SL_COUNT];
	struct keel_heap_stats stats; /* free_bytes and largest_free are computed */
};

extern struct heap keel__heap;

/* ---- Headers ------------------------------------------------------------- */

/* The tag for a chunk at `c` in the given state: a multiplicative hash of
 * the address, inverted for free chunks so that the states differ. */
static inline size_t chunk_tag(const struct chunk *c, bool in_use)
{
	size_t tag = (size_t)(((uint64_t)(uintptr_t)c * 0x9e3779b97f4a7c15u) >> TAG_SHIFT);

	return (in_use ? tag : tag ^ 0xffff) << TAG_SHIFT;
}

static inline size_t chunk_size(const struct chunk *c)
{
	return c->head & SIZE_BITS;
}

static inline bool chunk_in_use(const struct chunk *c)
{
	return c->head & CINUSE;
}

static inline bool chunk_prev_in_use(const struct chunk *c)
{
	return c->head & PINUSE;
}

/* Does the header's tag match its own state? */
static inline bool chunk_tag_ok(const struct chunk *c)
{
	return (c->head & ~(SIZE_BITS | FLAG_BITS)) == chunk_tag(c, chunk_in_use(c));
}

static inline void chunk_set_head(struct chunk *c, size_t size, size_t flags)
{
	c->head = chunk_tag(c, flags & CINUSE) | size | flags;
}

static inline struct chunk *chunk_at(void *p)
{
	return (struct chunk *)p;
}

static inline struct chunk *chunk_next(struct chunk *c)
{
	return chunk_at((char *)c + chunk_size(c));
}

static inline void *chunk_payload(struct chunk *c)
{
	return (char *)c + CHUNK_OVERHEAD;
}

/* The chunk size that holds a request of n bytes (n <= REQUEST_MAX): the
 * payload may use the next chunk's prev_size word, hence - 8 + 16. */
static inline size_t request_size(size_t n)
{
	size_t size = (n + sizeof(size_t) + CHUNK_ALIGN - 1) & ~(CHUNK_ALIGN - 1);

	return size < CHUNK_MIN ? CHUNK_MIN : size;
}

/* Bytes the caller may use in an in-use chunk. */
static inline size_t chunk_usable(const struct chunk *c)
{
	return chunk_size(c) - sizeof(size_t);
}

/* ---- Size classes -------------------------------------------------------- */

static inline unsigned log2_floor(size_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

/* The class (row fl, column sl) that a free chunk of `size` is listed in. */
static inline void size_class(size_t size, unsigned *fl, unsigned *sl)
{
	if (size < SMALL_LIMIT) {
		*fl = 0;
		*sl = (unsigned)(size >> 4);
	} else {
		unsigned f = log2_floor(size);

		*sl = (unsigned)(size >> (f - SL_LOG2)) & (SL_COUNT - 1);
		*fl = f - FL_SHIFT;
	}
}

/* ---- Between files ------------------------------------------------------- */

/* Lists a free chunk (its header and footer already written). */
void keel__heap_link(struct chunk *c);
/* Takes a free chunk off its list. */
void keel__heap_unlink(struct chunk *c);

/*
 * The core operations below leave the statistics (but failures) to their
 * callers, which count each call's net effect once it is complete: a
 * transient over-allocation (aligned_alloc) or merge (realloc) must not
 * show in high_water.
 */

/* Allocates a chunk of at least `size` bytes (a multiple of 16 >= CHUNK_MIN)
 * and marks it in use. NULL (errno ENOMEM, failures counted) when nothing
 * fits. */
struct chunk *keel__heap_alloc(size_t size);

/* Frees an in-use chunk, merging it with free neighbours. */
void keel__heap_release(struct chunk *c);

/* Shrinks the in-use chunk c to `size` bytes when the rest can stand as a
 * chunk of its own, freeing the rest. */
void keel__heap_trim(struct chunk *c, size_t size);

/* The free chunk before c (whose PINUSE is clear), after checking that its
 * footer and header agree; aborts the image when they do not. */
struct chunk *keel__heap_free_prev(struct chunk *c);

/* The in-use chunk of a pointer malloc returned; aborts the image (naming
 * `op` and the pointer) when p is not one. */
struct chunk *keel__heap_chunk_of(void *p, const char *op);

/* Accounting: `before` bytes in use became `after` (either may be 0). */
static inline void heap_count(size_t before, size_t after)
{
	struct keel_heap_stats *st = &keel__heap.stats;

	st->in_use = st->in_use - before + after;
	if (st->in_use > st->high_water)
		st->high_water = st->in_use;
}

#endif

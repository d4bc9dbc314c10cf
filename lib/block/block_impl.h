/* Private to lib/block: the read cache's layout. */
#ifndef KEEL_LIB_BLOCK_IMPL_H
#define KEEL_LIB_BLOCK_IMPL_H

#include <keel/block.h>

/*
 * A direct-mapped cache: line number n lives in slot n % lines. Each slot
 * holds a copy of the device bytes of that line, always equal to them
 * (writes go through and patch a cached copy), so a slot is either valid
 * or empty, never dirty.
 */
struct keel_block_cache {
	uint32_t line_size;
	uint32_t lines;   /* 0: no cache, only the scratch sector */
	uint64_t *tags;   /* line number + 1 in each slot; 0: empty */
	uint8_t *data;    /* lines * line_size bytes */
	uint8_t *scratch; /* one sector, for partial writes */
	bool owned;       /* keel_block_open allocated the struct keel_block */
};

#endif

/*
 * keel/block.h — byte-addressed reads and writes over a block device, with
 * a bounded read cache (implementation: lib/block).
 *
 * The platform (keel/platform.h) reads and writes whole sectors. A
 * `struct keel_block` lets its user read and write any byte range: partial
 * sectors are read, patched and written back. Underneath is a table of
 * three sector operations, so a device can be the platform's (opened by
 * name) or anything else that honours the same contract — tests use an
 * in-memory device that simulates crashes.
 *
 * Ordering and durability (the contract every user relies on):
 *
 *   - When keel_block_write() returns KEEL_OK, later keel_block_read()s
 *     see the new bytes. They are NOT durable: a crash MAY lose any of the
 *     writes made since the last successful flush, in any combination,
 *     and a sector being written when the crash hits MAY hold a mix of its
 *     old and new bytes (a torn sector).
 *   - When keel_block_flush() returns KEEL_OK, every write that returned
 *     before it was called is durable. A flush is also the only barrier:
 *     no write issued after it can reach the medium before those issued
 *     before it.
 *
 * The cache is write-through and holds only bytes that are on the device
 * (or in its own write-back cache): it never delays a write.
 *
 * None of these calls blocks the fiber: platform block I/O is synchronous.
 */
#ifndef KEEL_BLOCK_H
#define KEEL_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/err.h>
#include <keel/platform.h>

struct keel_block;

/*
 * The sector operations of a device. Offsets and lengths passed to read
 * and write are multiples of the sector size, len > 0, within capacity.
 * Each returns KEEL_OK or a negative keel_err (KEEL_EIO for a device
 * error). They follow kp_block_read/write/flush's contract.
 */
struct keel_block_ops {
	int (*read)(struct keel_block *b, uint64_t offset, void *buf, size_t len);
	int (*write)(struct keel_block *b, uint64_t offset, const void *buf, size_t len);
	int (*flush)(struct keel_block *b);
	/* Releases what the device holds; may be NULL. */
	void (*close)(struct keel_block *b);
};

/* Counters, for tests and /metrics. */
struct keel_block_stats {
	uint64_t reads, writes, flushes; /* device operations issued */
	uint64_t bytes_read, bytes_written;
	uint64_t cache_hits, cache_misses; /* in cache lines */
	uint64_t rmw;                      /* sectors read to patch a partial write */
};

struct keel_block_cache; /* private to lib/block */

/* A device. Its fields are read-only to users; the ops implementation may
 * keep its own state after it (embed this struct as the first field). */
struct keel_block {
	const struct keel_block_ops *ops;
	uint64_t capacity;    /* bytes, a multiple of sector_size */
	uint32_t sector_size; /* bytes, a power of two >= 512 */
	kp_handle handle;     /* the platform handle (platform devices only) */
	struct keel_block_cache *cache;
	struct keel_block_stats stats;
};

/* Bounds of the read cache (0: the default). */
struct keel_block_config {
	/* Bytes per cache line: a power of two, a multiple of the sector
	 * size; default 4096 (or the sector size when larger). */
	uint32_t line_size;
	/* Lines held; default 64 (256 KiB with 4 KiB lines). 0 lines is
	 * asked for with no_cache. */
	uint32_t lines;
	bool no_cache;
};

/*
 * Opens the platform block device `name` (declared with
 * KEEL_BLOCK_DEVICE). `cfg` may be NULL (defaults). On success *out is a
 * device the caller releases with keel_block_close(). Errors: KEEL_ENODEV
 * (not declared or not attached), KEEL_ENOMEM, KEEL_EINVAL (bad cfg).
 */
int keel_block_open(const char *name, const struct keel_block_config *cfg, struct keel_block **out);

/*
 * Sets up a caller-allocated device `b` over `ops` (capacity and sector
 * size as the device has them) and gives it a cache per `cfg` (may be
 * NULL). Used for devices that are not the platform's. KEEL_EINVAL: bad
 * geometry or cfg; KEEL_ENOMEM. Release with keel_block_close(), which
 * calls ops->close but does not free `b`.
 */
int keel_block_init(struct keel_block *b, const struct keel_block_ops *ops, uint64_t capacity,
                    uint32_t sector_size, const struct keel_block_config *cfg);

/*
 * Copies the `len` bytes at byte `offset` of the device into `buf`; any
 * offset and length with offset + len <= capacity (len 0 is a no-op).
 * KEEL_EINVAL: out of range; KEEL_EIO.
 */
int keel_block_read(struct keel_block *b, uint64_t offset, void *buf, size_t len);

/*
 * Writes the `len` bytes at `buf` at byte `offset`; any range within
 * capacity. A partial first or last sector is read and patched first
 * (bytes of it outside the range are rewritten with what they held, so a
 * torn write of that sector cannot change them). Visible to reads on
 * return, durable after the next flush (see the top of this file).
 * KEEL_EINVAL: out of range; KEEL_EIO (the range then holds unspecified
 * bytes, the rest of the device is unchanged).
 */
int keel_block_write(struct keel_block *b, uint64_t offset, const void *buf, size_t len);

/* Makes every write that returned before it durable; a barrier (see
 * above). KEEL_EIO. */
int keel_block_flush(struct keel_block *b);

/* Drops the cache's copy of every line (after someone else wrote the
 * device). */
void keel_block_invalidate(struct keel_block *b);

/* Releases the device (and frees it when keel_block_open made it).
 * Does not flush. NULL is a no-op. */
void keel_block_close(struct keel_block *b);

#endif

/*
 * tests/store/simdev.h — an in-memory block device that records every
 * sector write and flush, so that a test can rebuild what a crash at any
 * moment could have left on the medium.
 *
 * The model is keel/block.h's contract: writes since the last completed
 * flush may reach the medium in any subset and order; the sector being
 * written when power fails may be torn (a prefix of its bytes new, the
 * rest old); everything before a completed flush is there.
 */
#ifndef KEEL_TESTS_STORE_SIMDEV_H
#define KEEL_TESTS_STORE_SIMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/block.h>

#define SIMDEV_SECTOR 512

struct simdev_event {
	uint64_t sector; /* sector written; UINT64_MAX for a flush */
	uint8_t *bytes;  /* its new content (SIMDEV_SECTOR bytes) */
};

struct simdev {
	struct keel_block blk; /* first: the ops get this pointer */
	uint8_t *data;         /* what reads see */
	uint64_t capacity;
	bool recording;
	uint8_t *initial; /* the medium when recording started */
	struct simdev_event *ev;
	size_t n_ev, cap_ev;
	long fail_writes_after; /* >= 0: sector writes after this many fail (EIO) */
};

/* A zeroed device of `capacity` bytes (or one holding `image` when not
 * NULL). 0 on success. */
int simdev_init(struct simdev *d, uint64_t capacity, const uint8_t *image,
                const struct keel_block_config *cfg);
void simdev_free(struct simdev *d);

/* Starts recording: snapshots the medium, clears the event list. */
void simdev_record(struct simdev *d);

/* Events recorded so far (sector writes and flushes). */
size_t simdev_events(const struct simdev *d);

/*
 * What the medium could hold after a crash just before event `cut`
 * (0..simdev_events()): the initial snapshot, every write before the last
 * flush that precedes `cut`, then of the writes between that flush and
 * `cut`: all of them in order (`random_subset` false) or a random subset
 * of them (each kept with probability 1/2, from `seed`); and when event
 * `cut` is a write, its first `torn` bytes over the old sector. Writes
 * `capacity` bytes to `out`.
 */
void simdev_crash_image(const struct simdev *d, size_t cut, bool random_subset, uint64_t seed,
                        size_t torn, uint8_t *out);

#endif

/*
 * The recording crash-simulation device (simdev.h).
 */
#include <stdlib.h>
#include <string.h>

#include "simdev.h"

static int sim_read(struct keel_block *b, uint64_t offset, void *buf, size_t len)
{
	struct simdev *d = (struct simdev *)b;

	memcpy(buf, d->data + offset, len);
	return KEEL_OK;
}

static void push(struct simdev *d, uint64_t sector, const uint8_t *bytes)
{
	if (d->n_ev == d->cap_ev) {
		d->cap_ev = d->cap_ev ? d->cap_ev * 2 : 1024;
		d->ev = realloc(d->ev, d->cap_ev * sizeof(*d->ev));
		if (!d->ev)
			abort();
	}
	d->ev[d->n_ev].sector = sector;
	d->ev[d->n_ev].bytes = NULL;
	if (bytes) {
		d->ev[d->n_ev].bytes = malloc(SIMDEV_SECTOR);
		if (!d->ev[d->n_ev].bytes)
			abort();
		memcpy(d->ev[d->n_ev].bytes, bytes, SIMDEV_SECTOR);
	}
	d->n_ev++;
}

static int sim_write(struct keel_block *b, uint64_t offset, const void *buf, size_t len)
{
	struct simdev *d = (struct simdev *)b;
	const uint8_t *p = buf;

	for (size_t o = 0; o < len; o += SIMDEV_SECTOR) {
		if (d->fail_writes_after == 0)
			return KEEL_EIO;
		if (d->fail_writes_after > 0)
			d->fail_writes_after--;
		memcpy(d->data + offset + o, p + o, SIMDEV_SECTOR);
		if (d->recording)
			push(d, (offset + o) / SIMDEV_SECTOR, p + o);
	}
	return KEEL_OK;
}

static int sim_flush(struct keel_block *b)
{
	struct simdev *d = (struct simdev *)b;

	if (d->recording)
		push(d, UINT64_MAX, NULL);
	return KEEL_OK;
}

static const struct keel_block_ops sim_ops = { sim_read, sim_write, sim_flush, NULL };

int simdev_init(struct simdev *d, uint64_t capacity, const uint8_t *image,
                const struct keel_block_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->capacity = capacity;
	d->fail_writes_after = -1;
	d->data = calloc(1, capacity);
	if (!d->data)
		return -1;
	if (image)
		memcpy(d->data, image, capacity);
	if (keel_block_init(&d->blk, &sim_ops, capacity, SIMDEV_SECTOR, cfg) != KEEL_OK) {
		free(d->data);
		return -1;
	}
	return 0;
}

static void clear_events(struct simdev *d)
{
	for (size_t i = 0; i < d->n_ev; i++)
		free(d->ev[i].bytes);
	d->n_ev = 0;
}

void simdev_free(struct simdev *d)
{
	keel_block_close(&d->blk);
	clear_events(d);
	free(d->ev);
	free(d->initial);
	free(d->data);
}

void simdev_record(struct simdev *d)
{
	clear_events(d);
	free(d->initial);
	d->initial = malloc(d->capacity);
	if (!d->initial)
		abort();
	memcpy(d->initial, d->data, d->capacity);
	d->recording = true;
}

size_t simdev_events(const struct simdev *d)
{
	return d->n_ev;
}

void simdev_crash_image(const struct simdev *d, size_t cut, bool random_subset, uint64_t seed,
                        size_t torn, uint8_t *out)
{
	size_t last_flush = 0; /* events before this index are durable */
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;

	memcpy(out, d->initial, d->capacity);
	for (size_t i = 0; i < cut && i < d->n_ev; i++) {
		if (d->ev[i].sector == UINT64_MAX)
			last_flush = i + 1;
	}
	for (size_t i = 0; i < cut && i < d->n_ev; i++) {
		const struct simdev_event *e = &d->ev[i];

		if (e->sector == UINT64_MAX)
			continue;
		if (i >= last_flush && random_subset) {
			s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
			if ((s * 0x2545f4914f6cdd1dull) >> 63)
				continue;
		}
		memcpy(out + e->sector * SIMDEV_SECTOR, e->bytes, SIMDEV_SECTOR);
	}
	if (cut < d->n_ev && d->ev[cut].sector != UINT64_MAX && torn > 0)
		memcpy(out + d->ev[cut].sector * SIMDEV_SECTOR, d->ev[cut].bytes,
		       torn < SIMDEV_SECTOR ? torn : SIMDEV_SECTOR);
}

/*
 * platform.c — keel_block_open(): a struct keel_block over the platform's
 * kp_block_* calls.
 */
#include <stdlib.h>

#include "block_impl.h"

static int plat_read(struct keel_block *b, uint64_t offset, void *buf, size_t len)
{
	return kp_block_read(b->handle, offset, buf, len);
}

static int plat_write(struct keel_block *b, uint64_t offset, const void *buf, size_t len)
{
	return kp_block_write(b->handle, offset, buf, len);
}

static int plat_flush(struct keel_block *b)
{
	return kp_block_flush(b->handle);
}

static const struct keel_block_ops plat_ops = { plat_read, plat_write, plat_flush, NULL };

int keel_block_open(const char *name, const struct keel_block_config *cfg, struct keel_block **out)
{
	struct kp_block_info info;
	struct keel_block *b;
	kp_handle h;
	int err = kp_block_acquire(name, &h, &info);

	if (err != KEEL_OK)
		return err;
	b = malloc(sizeof(*b));
	if (!b)
		return KEEL_ENOMEM;
	err = keel_block_init(b, &plat_ops, info.capacity, info.block_size, cfg);
	if (err != KEEL_OK) {
		free(b);
		return err;
	}
	b->handle = h;
	b->cache->owned = true;
	*out = b;
	return KEEL_OK;
}

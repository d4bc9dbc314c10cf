/*
 * block.c — byte ranges over sector operations, and the write-through
 * read cache (keel/block.h).
 */
#include <stdlib.h>
#include <string.h>

#include "block_impl.h"

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int keel_block_init(struct keel_block *b, const struct keel_block_ops *ops, uint64_t capacity,
                    uint32_t sector_size, const struct keel_block_config *cfg)
{
	struct keel_block_config c = { 0 };
	struct keel_block_cache *k;

	if (cfg)
		c = *cfg;
	if (!ops || !ops->read || !ops->write || !ops->flush || !pow2(sector_size) ||
	    sector_size < 512 || capacity == 0 || capacity % sector_size)
		return KEEL_EINVAL;
	if (c.line_size == 0)
		c.line_size = sector_size > 4096 ? sector_size : 4096;
	if (c.lines == 0 && !c.no_cache)
		c.lines = 64;
	if (c.no_cache)
		c.lines = 0;
	if (!pow2(c.line_size) || c.line_size < sector_size || c.line_size > (1u << 20) ||
	    c.lines > (1u << 20))
		return KEEL_EINVAL;

	memset(b, 0, sizeof(*b));
	b->ops = ops;
	b->capacity = capacity;
	b->sector_size = sector_size;
	k = calloc(1, sizeof(*k));
	if (!k)
		return KEEL_ENOMEM;
	k->line_size = c.line_size;
	k->lines = c.lines;
	k->scratch = malloc(sector_size);
	if (c.lines) {
		k->tags = calloc(c.lines, sizeof(*k->tags));
		k->data = malloc((size_t)c.lines * c.line_size);
	}
	if (!k->scratch || (c.lines && (!k->tags || !k->data))) {
		free(k->scratch);
		free(k->tags);
		free(k->data);
		free(k);
		return KEEL_ENOMEM;
	}
	b->cache = k;
	return KEEL_OK;
}

static bool in_range(const struct keel_block *b, uint64_t offset, size_t len)
{
	return offset <= b->capacity && len <= b->capacity - offset;
}

static int dev_read(struct keel_block *b, uint64_t offset, void *buf, size_t len)
{
	b->stats.reads++;
	b->stats.bytes_read += len;
	return b->ops->read(b, offset, buf, len);
}

static int dev_write(struct keel_block *b, uint64_t offset, const void *buf, size_t len)
{
	b->stats.writes++;
	b->stats.bytes_written += len;
	return b->ops->write(b, offset, buf, len);
}

/* Bytes of line `n` that lie on the device (the last line may be short). */
static size_t line_bytes(const struct keel_block *b, uint64_t n)
{
	uint64_t start = n * b->cache->line_size;
	uint64_t left = b->capacity - start;

	return left < b->cache->line_size ? (size_t)left : b->cache->line_size;
}

/* The cached copy of line `n`, reading it in when absent; NULL on error. */
static uint8_t *line_get(struct keel_block *b, uint64_t n, int *err)
{
	struct keel_block_cache *k = b->cache;
	uint32_t slot = (uint32_t)(n % k->lines);
	uint8_t *p = k->data + (size_t)slot * k->line_size;

	if (k->tags[slot] == n + 1) {
		b->stats.cache_hits++;
		return p;
	}
	b->stats.cache_misses++;
	k->tags[slot] = 0;
	*err = dev_read(b, n * k->line_size, p, line_bytes(b, n));
	if (*err != KEEL_OK)
		return NULL;
	k->tags[slot] = n + 1;
	return p;
}

/* The cached copy of line `n` if there is one, else NULL. */
static uint8_t *line_peek(struct keel_block *b, uint64_t n)
{
	struct keel_block_cache *k = b->cache;
	uint32_t slot;

	if (!k->lines)
		return NULL;
	slot = (uint32_t)(n % k->lines);
	return k->tags[slot] == n + 1 ? k->data + (size_t)slot * k->line_size : NULL;
}

int keel_block_read(struct keel_block *b, uint64_t offset, void *buf, size_t len)
{
	struct keel_block_cache *k = b->cache;
	uint8_t *out = buf;
	int err = KEEL_OK;

	if (!in_range(b, offset, len))
		return KEEL_EINVAL;
	if (!k->lines) {
		/* No cache: whole sectors straight in, partial ones through the
		 * scratch sector. */
		while (len > 0) {
			uint64_t s = offset & ~(uint64_t)(b->sector_size - 1);
			size_t in = (size_t)(offset - s);

			if (in == 0 && len >= b->sector_size) {
				size_t n = len & ~(size_t)(b->sector_size - 1);

				err = dev_read(b, offset, out, n);
				if (err != KEEL_OK)
					return err;
				out += n, offset += n, len -= n;
				continue;
			}
			size_t n = b->sector_size - in < len ? b->sector_size - in : len;

			err = dev_read(b, s, k->scratch, b->sector_size);
			if (err != KEEL_OK)
				return err;
			memcpy(out, k->scratch + in, n);
			out += n, offset += n, len -= n;
		}
		return KEEL_OK;
	}
	while (len > 0) {
		uint64_t n = offset / k->line_size;
		size_t in = (size_t)(offset % k->line_size);
		size_t avail = line_bytes(b, n) - in;
		size_t take = avail < len ? avail : len;
		uint8_t *line = line_peek(b, n);

		if (line) {
			b->stats.cache_hits++;
		} else if (in == 0 && take == line_bytes(b, n)) {
			/* A whole line the caller wants: read it straight into
			 * the caller's buffer and keep the cache for small
			 * reads. */
			err = dev_read(b, offset, out, take);
			if (err != KEEL_OK)
				return err;
			out += take, offset += take, len -= take;
			continue;
		} else if (!(line = line_get(b, n, &err))) {
			return err;
		}
		memcpy(out, line + in, take);
		out += take, offset += take, len -= take;
	}
	return KEEL_OK;
}

/* Patches cached copies of the lines that [offset, offset+len) touches. */
static void cache_update(struct keel_block *b, uint64_t offset, const uint8_t *src, size_t len)
{
	struct keel_block_cache *k = b->cache;

	while (len > 0) {
		uint64_t n = offset / k->line_size;
		size_t in = (size_t)(offset % k->line_size);
		size_t take = k->line_size - in < len ? k->line_size - in : len;
		uint8_t *line = line_peek(b, n);

		if (line)
			memcpy(line + in, src, take);
		src += take, offset += take, len -= take;
	}
}

/* Writes part of one sector: the rest of it is read and written back
 * unchanged. */
static int write_partial(struct keel_block *b, uint64_t offset, const uint8_t *src, size_t len)
{
	struct keel_block_cache *k = b->cache;
	uint64_t s = offset & ~(uint64_t)(b->sector_size - 1);
	int err;

	b->stats.rmw++;
	err = keel_block_read(b, s, k->scratch, b->sector_size);
	if (err != KEEL_OK)
		return err;
	memcpy(k->scratch + (offset - s), src, len);
	err = dev_write(b, s, k->scratch, b->sector_size);
	if (err != KEEL_OK) {
		keel_block_invalidate(b);
		return err;
	}
	cache_update(b, s, k->scratch, b->sector_size);
	return KEEL_OK;
}

int keel_block_write(struct keel_block *b, uint64_t offset, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	uint32_t ss;
	int err;

	if (!in_range(b, offset, len))
		return KEEL_EINVAL;
	ss = b->sector_size;
	if (len > 0 && offset % ss) {
		size_t n = ss - offset % ss < len ? ss - offset % ss : len;

		err = write_partial(b, offset, src, n);
		if (err != KEEL_OK)
			return err;
		src += n, offset += n, len -= n;
	}
	if (len >= ss) {
		size_t n = len & ~(size_t)(ss - 1);

		err = dev_write(b, offset, src, n);
		if (err != KEEL_OK) {
			keel_block_invalidate(b);
			return err;
		}
		cache_update(b, offset, src, n);
		src += n, offset += n, len -= n;
	}
	if (len > 0)
		return write_partial(b, offset, src, len);
	return KEEL_OK;
}

int keel_block_flush(struct keel_block *b)
{
	b->stats.flushes++;
	return b->ops->flush(b);
}

void keel_block_invalidate(struct keel_block *b)
{
	if (b->cache && b->cache->lines)
		memset(b->cache->tags, 0, (size_t)b->cache->lines * sizeof(*b->cache->tags));
}

void keel_block_close(struct keel_block *b)
{
	struct keel_block_cache *k;
	bool owned;

	if (!b)
		return;
	k = b->cache;
	owned = k && k->owned;
	if (b->ops && b->ops->close)
		b->ops->close(b);
	if (k) {
		free(k->tags);
		free(k->data);
		free(k->scratch);
		free(k);
	}
	b->cache = NULL;
	if (owned)
		free(b);
}

/*
 * compact.c — copying what the refs reach into a fresh store.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* Depth-first from `start`: children before their parent object is put,
 * not required for correctness (a branch moves only at the end) but it
 * keeps the new log in an order where every object's references precede
 * it. */
static long copy_from(struct keel_store *src, struct keel_store *dst, uint8_t *seen,
                      const struct keel_store_id *start)
{
	struct keel_store_id *stack;
	size_t n = 0, cap = 64;
	long copied = 0;
	int err = KEEL_OK;

	stack = malloc(cap * sizeof(*stack));
	if (!stack)
		return KEEL_ENOMEM;
	stack[n++] = *start;
	while (n > 0 && err == KEEL_OK) {
		struct keel_store_id id = stack[--n], got;
		struct idx_entry *e = store_idx_find(src, &id);
		enum keel_store_type t;
		uint8_t *data;
		size_t len;

		if (!e) {
			err = KEEL_EINVAL;
			break;
		}
		if (seen[e - src->idx])
			continue;
		seen[e - src->idx] = 1;
		err = keel_store_get_object(src, &id, &t, &data, &len);
		if (err != KEEL_OK)
			break;
		if (t == KEEL_STORE_COMMIT || t == KEEL_STORE_TREE || t == KEEL_STORE_TAG) {
			struct keel_store_id next[KEEL_STORE_PARENTS_MAX + 1];
			size_t nn = 0, pos = 0;
			struct keel_store_commit c;
			struct keel_store_entry te;
			struct keel_store_tag tg;

			if (t == KEEL_STORE_TAG) {
				if (keel_store_tag_parse(data, len, &tg) != KEEL_OK)
					err = KEEL_EINVAL;
				next[nn++] = tg.object;
			} else if (t == KEEL_STORE_COMMIT) {
				if (keel_store_commit_parse(data, len, &c) != KEEL_OK)
					err = KEEL_EINVAL;
				next[nn++] = c.tree;
				for (unsigned i = 0; i < c.n_parents && err == KEEL_OK; i++)
					next[nn++] = c.parents[i];
			}
			for (;;) {
				if (t == KEEL_STORE_TREE) {
					int r = keel_store_tree_next(data, len, &pos, &te);

					if (r == KEEL_ENOENT)
						break;
					if (r != KEEL_OK) {
						err = KEEL_EINVAL;
						break;
					}
					if (te.mode == KEEL_STORE_MODE_GITLINK)
						continue;
					next[0] = te.id;
					nn = 1;
				}
				if (n + nn > cap) {
					struct keel_store_id *s =
					    realloc(stack, 2 * (cap + nn) * sizeof(*s));
					if (!s) {
						err = KEEL_ENOMEM;
						break;
					}
					stack = s, cap = 2 * (cap + nn);
				}
				memcpy(stack + n, next, nn * sizeof(*next));
				n += nn;
				if (t != KEEL_STORE_TREE)
					break;
			}
		}
		if (err == KEEL_OK)
			err = keel_store_put(dst, t, data, len, &got);
		free(data);
		copied++;
		/* Keep transactions of a bounded size. */
		if (err == KEEL_OK && copied % 4096 == 0)
			err = keel_store_sync(dst);
	}
	free(stack);
	return err != KEEL_OK ? err : copied;
}

long keel_store_compact(struct keel_store *src, struct keel_store *dst)
{
	uint8_t *seen = calloc(src->idx_cap ? src->idx_cap : 1, 1);
	long total = 0;

	if (!seen)
		return KEEL_ENOMEM;
	for (size_t i = 0; i < src->n_refs; i++) {
		struct keel_store_id cur;
		long r = copy_from(src, dst, seen, &src->refs[i].id);

		if (r >= 0) {
			total += r;
			(void)keel_store_ref_get(dst, src->refs[i].name, &cur);
			r = keel_store_ref_cas(dst, src->refs[i].name, &cur, &src->refs[i].id);
		}
		if (r < 0) {
			free(seen);
			return r;
		}
	}
	free(seen);
	return total;
}

/* ---- In place ---------------------------------------------------------------
 *
 * The copies are made by keel_store_compact into a store on a "window":
 * a device whose superblock area (offsets below LOG_START) is memory and
 * whose log (offset x >= LOG_START) is offset base + x of st's device.
 * The window's superblocks are never needed: st's own superblock is
 * pointed at the copy's log. Writes go through st's keel_block, so its
 * cache stays right.
 */
struct window {
	struct keel_block blk; /* first: the ops get this pointer */
	struct keel_block *dev;
	uint64_t base;
	uint8_t head[LOG_START];
};

static int win_io(struct keel_block *b, uint64_t off, void *buf, size_t len, bool write)
{
	struct window *w = (struct window *)b;
	uint8_t *p = buf;

	if (off < LOG_START) {
		size_t n = LOG_START - off < len ? (size_t)(LOG_START - off) : len;

		if (write)
			memcpy(w->head + off, p, n);
		else
			memcpy(p, w->head + off, n);
		p += n, off += n, len -= n;
	}
	if (len == 0)
		return KEEL_OK;
	if (write)
		return keel_block_write(w->dev, w->base + off, p, len);
	return keel_block_read(w->dev, w->base + off, p, len);
}

static int win_read(struct keel_block *b, uint64_t off, void *buf, size_t len)
{
	return win_io(b, off, buf, len, false);
}

static int win_write(struct keel_block *b, uint64_t off, const void *buf, size_t len)
{
	return win_io(b, off, (void *)buf, len, true);
}

static int win_flush(struct keel_block *b)
{
	return keel_block_flush(((struct window *)b)->dev);
}

static const struct keel_block_ops win_ops = { win_read, win_write, win_flush, NULL };

/*
 * Copies what st's refs reach into a fresh store whose log is the part
 * [start, limit) of st's device, then points st's superblock at that log
 * (one superblock write, flushed) and reloads st from there. Until that
 * superblock write lands, st's own log is untouched (the part lies
 * outside it) and is what an open finds; after it, the copy is. Returns
 * the number of objects copied, or a keel_err with st as it was
 * (KEEL_ENOMEM: the part is too small).
 */
static long move_to(struct keel_store *st, uint64_t start, uint64_t limit)
{
	static const struct keel_block_config no_cache = { .no_cache = true };
	struct keel_store_config cfg = st->cfg;
	struct window *w;
	struct keel_store *copy;
	struct superblock sb;
	long n;
	int err;

	if (start < LOG_START || limit <= start || limit - start < 1024)
		return KEEL_ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w)
		return KEEL_ENOMEM;
	w->dev = st->dev;
	w->base = start - LOG_START;
	err = keel_block_init(&w->blk, &win_ops, limit - w->base, st->dev->sector_size, &no_cache);
	if (err != KEEL_OK) {
		free(w);
		return err;
	}
	/* No checkpoints in the copy: st's superblock will name its end. */
	cfg.checkpoint_every = UINT32_MAX;
	/*
	 * The copy's nonce (the seed of its crc chain) comes from what the
	 * superblock area held and the clock: here st's superblocks (whose
	 * generation grows with every switch), the place and the attempt, so
	 * that it differs from the logs that wrote the part before. A fresh
	 * store must open empty; should the part's old records chain from
	 * the nonce even so, format again with another.
	 */
	err = keel_block_read(st->dev, 0, w->head, 2 * SB_SIZE);
	for (uint64_t attempt = 0; err == KEEL_OK; attempt++) {
		uint64_t mix = start ^ (attempt << 48);

		for (int i = 0; i < 8; i++)
			w->head[2 * SB_SIZE - 8 + i] ^= (uint8_t)(mix >> (8 * i));
		err = store_format(&w->blk, 0);
		if (err == KEEL_OK)
			err = keel_store_open(&w->blk, &cfg, &copy);
		if (err != KEEL_OK || (copy->idx_count == 0 && copy->n_refs == 0 &&
		                       copy->end == LOG_START && copy->tail == LOG_START))
			break;
		store_free(copy);
		if (attempt == 8)
			err = KEEL_EIO;
		else
			err = keel_block_read(st->dev, 0, w->head, 2 * SB_SIZE);
	}
	if (err != KEEL_OK) {
		keel_block_close(&w->blk);
		free(w);
		return err;
	}
	n = keel_store_compact(st, copy);
	if (n >= 0 && (copy->txn_open || copy->broken))
		n = KEEL_EIO;
	if (n >= 0) {
		/* Every commit of the copy was flushed by its own call. */
		sb = st->sb;
		sb.gen++;
		sb.log_start = start;
		sb.log_end = w->base + copy->end;
		sb.chain = copy->chain_end;
		sb.nonce = copy->sb.nonce;
		sb.txns = copy->txns;
		/* The copy has no index segment (the next checkpoint writes
		 * one); those of the log it replaces are left behind. */
		sb.idx_head = sb.idx_end = sb.idx_txns = 0;
		sb.idx_chain = 0;
	}
	store_free(copy);
	keel_block_close(&w->blk);
	free(w);
	if (n < 0)
		return n;
	err = store_sb_write(st, &sb);
	if (err == KEEL_OK)
		err = keel_block_flush(st->dev);
	if (err != KEEL_OK) {
		/* Which superblock the medium holds is unknown now: both name a
		 * valid store with the same refs, but memory cannot tell which. */
		st->broken = true;
		return err;
	}
	st->stats.checkpoints++;
	err = store_reload(st);
	return err != KEEL_OK ? err : n;
}

long keel_store_compact_in_place(struct keel_store *st)
{
	uint32_t ss = st->dev->sector_size;
	uint64_t start;
	long n;
	int err;

	if (st->broken)
		return KEEL_EIO;
	err = keel_store_sync(st);
	if (err != KEEL_OK)
		return err;
	/* Out: past the log's end (from the next sector). */
	start = (st->end + ss - 1) & ~(uint64_t)(ss - 1);
	n = move_to(st, start, st->sb.capacity);
	if (n < 0)
		return n;
	/* Back: to the front of the device, in front of the copy. */
	return move_to(st, LOG_START, st->sb.log_start);
}

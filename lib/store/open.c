/*
 * open.c — formatting a device, and opening a store: the scan that
 * rebuilds the index and the branches from the log.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#define MIN_CAPACITY (64 * 1024)

int keel_store_format(struct keel_block *dev)
{
	return store_format(dev, MIN_CAPACITY);
}

int store_format(struct keel_block *dev, uint64_t min_capacity)
{
	struct keel_store tmp;
	struct superblock sb = { 0 };
	uint8_t old[2 * SB_SIZE];
	uint64_t now = kp_clock_wall();
	int err;

	if (dev->capacity < min_capacity || dev->capacity <= LOG_START ||
	    dev->sector_size > LOG_START)
		return KEEL_EINVAL;
	err = keel_block_read(dev, 0, old, sizeof(old));
	if (err != KEEL_OK)
		return err;
	/* A seed unlike the last store's, so none of its records chain. */
	sb.nonce = store_crc32c(store_crc32c(0, old, sizeof(old)), &now, sizeof(now));
	sb.capacity = dev->capacity;
	sb.log_start = LOG_START;
	sb.log_end = LOG_START;
	sb.chain = sb.nonce;
	memset(old, 0, sizeof(old));
	/* Invalidate copy 1 first: it may hold a newer generation of an
	 * older store. */
	err = keel_block_write(dev, SB_SIZE, old, SB_SIZE);
	if (err == KEEL_OK) {
		tmp.dev = dev;
		err = store_sb_write(&tmp, &sb);
	}
	if (err == KEEL_OK)
		err = keel_block_flush(dev);
	return err;
}

static void defaults(struct keel_store_config *c)
{
	if (!c->max_object)
		c->max_object = 16u << 20;
	if (!c->max_objects)
		c->max_objects = 1u << 20;
	if (!c->max_refs)
		c->max_refs = 256;
	if (!c->checkpoint_every)
		c->checkpoint_every = 64;
	if (!c->index_every)
		c->index_every = 1024;
}

/*
 * The scan reads the log front to back through one large window rather
 * than sector by sector: opening a store of 100k objects is then a few
 * hundred big reads.
 */
#define WINDOW (256 * 1024)

struct window {
	uint8_t *buf;
	uint64_t base; /* device offset of buf[0] */
	size_t len;    /* valid bytes */
};

static int scan_read(struct keel_store *st, struct window *w, uint64_t off, void *out, size_t len)
{
	uint8_t *o = out;

	while (len > 0) {
		if (off < w->base || off >= w->base + w->len) {
			uint32_t ss = st->dev->sector_size;
			uint64_t base = off & ~(uint64_t)(ss - 1);
			uint64_t left = st->dev->capacity - base;
			size_t n = left < WINDOW ? (size_t)left : WINDOW;
			int err;

			w->len = 0;
			err = keel_block_read(st->dev, base, w->buf, n);
			if (err != KEEL_OK)
				return err;
			w->base = base;
			w->len = n;
		}
		size_t in = (size_t)(off - w->base);
		size_t take = w->len - in < len ? w->len - in : len;

		memcpy(o, w->buf + in, take);
		o += take, off += take, len -= take;
	}
	return KEEL_OK;
}

static int crc_range(struct keel_store *st, struct window *w, uint64_t off, uint64_t len,
                     uint32_t *crc)
{
	uint8_t buf[4096];

	while (len > 0) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int err = scan_read(st, w, off, buf, n);

		if (err != KEEL_OK)
			return err;
		*crc = store_crc32c(*crc, buf, n);
		off += n;
		len -= n;
	}
	return KEEL_OK;
}

/* Stages a ref update of a transaction (applied at its end). */
int store_pending_add(struct keel_store *st, const char *name, size_t len,
                      const struct keel_store_id *id)
{
	struct pending_ref *p;
	char *copy;

	for (size_t i = 0; i < st->n_pending; i++) {
		if (strlen(st->pending[i].name) == len && !memcmp(st->pending[i].name, name, len)) {
			st->pending[i].id = *id;
			return KEEL_OK;
		}
	}
	if (st->n_pending >= st->cfg.max_refs)
		return KEEL_ENOMEM;
	p = realloc(st->pending, (st->n_pending + 1) * sizeof(*p));
	if (!p)
		return KEEL_ENOMEM;
	st->pending = p;
	copy = malloc(len + 1);
	if (!copy)
		return KEEL_ENOMEM;
	memcpy(copy, name, len);
	copy[len] = 0;
	p[st->n_pending].name = copy;
	p[st->n_pending].id = *id;
	st->n_pending++;
	return KEEL_OK;
}

/*
 * Reads records from the log's start. Before the checkpoint (sb.log_end) the
 * records were durable when it was written: only their chain and shape
 * are checked, and a bad one is corruption. From the checkpoint on each
 * record's crc is computed too, and the first that fails ends the log.
 */
static int scan_window(struct keel_store *st, struct window *w, uint64_t off, uint32_t chain,
                       uint64_t txns)
{
	uint8_t h[REC_HEADER + REC_OBJECT_HEAD + KEEL_STORE_REF_MAX];
	int err;

	st->end = off;
	st->chain_end = chain;
	st->txns = txns;
	for (;;) {
		bool checked = off < st->sb.log_end;
		uint32_t crc, prev, len, max;
		uint8_t type;

		if (off == st->sb.log_end && chain != st->sb.chain)
			return KEEL_EINVAL;
		if (off + REC_HEADER > st->sb.capacity)
			break;
		err = scan_read(st, w, off, h, REC_HEADER);
		if (err != KEEL_OK)
			return err;
		crc = store_le32(h);
		prev = store_le32(h + 4);
		len = store_le32(h + 8);
		type = h[12];
		max = type == REC_OBJECT       ? REC_OBJECT_HEAD + st->cfg.max_object
		      : type == REC_REF        ? KEEL_STORE_ID_LEN + KEEL_STORE_REF_MAX
		      : type == REC_END        ? 8
		      : type == REC_INDEX      ? IDX_CHUNK * IDX_ENTRY
		      : type == REC_INDEX_HEAD ? IDX_HEAD_MAX
		                               : 0;
		bool ok = prev == chain && h[13] == 0 && h[14] == 0 && h[15] == 0 && len <= max &&
		          len >= (type == REC_OBJECT  ? REC_OBJECT_HEAD
		                  : type == REC_REF   ? 21
		                  : type == REC_INDEX ? IDX_ENTRY
		                                      : 8) &&
		          off + REC_HEADER + len <= st->sb.capacity &&
		          (!checked || off + REC_HEADER + len <= st->sb.log_end);
		if (ok && !checked) {
			uint32_t c = store_crc32c(0, h + 4, REC_HEADER - 4);

			err = crc_range(st, w, off + REC_HEADER, len, &c);
			if (err != KEEL_OK)
				return err;
			ok = c == crc;
		}
		if (!ok) {
			if (checked)
				return KEEL_EINVAL;
			break;
		}
		st->stats.scanned++;
		/* Index records are read by store_index_load, not here. */
		size_t want = type == REC_OBJECT                            ? REC_OBJECT_HEAD
		              : type == REC_INDEX || type == REC_INDEX_HEAD ? 0
		                                                            : len;
		err = scan_read(st, w, off + REC_HEADER, h + REC_HEADER, want);
		if (err != KEEL_OK)
			return err;
		const uint8_t *p = h + REC_HEADER;
		if (type == REC_OBJECT) {
			struct idx_entry e;

			if (!keel_store_type_name((enum keel_store_type)p[0])) {
				if (checked)
					return KEEL_EINVAL;
				break;
			}
			e.type = p[0];
			memcpy(e.id.b, p + 1, KEEL_STORE_ID_LEN);
			e.off = off;
			e.len = len - REC_OBJECT_HEAD;
			if (!store_idx_find(st, &e.id)) {
				err = store_idx_add(st, &e);
				if (err != KEEL_OK)
					return err;
			}
		} else if (type == REC_REF) {
			struct keel_store_id id;
			const char *name = (const char *)p + KEEL_STORE_ID_LEN;

			memcpy(id.b, p, KEEL_STORE_ID_LEN);
			if (!keel_store_ref_name_valid(name, len - KEEL_STORE_ID_LEN)) {
				if (checked)
					return KEEL_EINVAL;
				break;
			}
			err = store_pending_add(st, name, len - KEEL_STORE_ID_LEN, &id);
			if (err != KEEL_OK)
				return err;
		} else if (type == REC_END) {
			if (store_le64(p) != st->txns + 1) {
				if (checked)
					return KEEL_EINVAL;
				break;
			}
			for (size_t i = 0; i < st->n_pending; i++) {
				err = store_ref_apply(st, st->pending[i].name,
				                      strlen(st->pending[i].name),
				                      &st->pending[i].id);
				if (err != KEEL_OK)
					return err;
			}
			for (size_t i = 0; i < st->n_pending; i++)
				free(st->pending[i].name);
			st->n_pending = 0;
			st->txns++;
			st->end = off + REC_HEADER + len;
			st->chain_end = crc;
		}
		off += REC_HEADER + len;
		chain = crc;
	}
	if (off < st->sb.log_end)
		return KEEL_EINVAL;
	/* A transaction the crash cut: forget it. */
	if (off != st->end) {
		st->stats.dropped_txn++;
		for (size_t i = 0; i < st->n_pending; i++)
			free(st->pending[i].name);
		st->n_pending = 0;
		err = store_idx_truncate(st, st->end);
		if (err != KEEL_OK)
			return err;
	}
	return KEEL_OK;
}

/* The index and refs as they were before a failed store_index_load. */
static void forget_index(struct keel_store *st)
{
	for (size_t i = 0; i < st->n_refs; i++)
		free(st->refs[i].name);
	free(st->refs);
	free(st->idx);
	st->refs = NULL;
	st->n_refs = 0;
	st->idx = NULL;
	st->idx_cap = st->idx_count = 0;
	st->stats.indexed = st->stats.segments = 0;
}

/* From the newest index segment when it checks out, else from the log's
 * start. */
static int scan(struct keel_store *st)
{
	struct window w = { NULL, 0, 0 };
	uint64_t off = st->sb.log_start, txns = 0;
	uint32_t chain = st->sb.nonce;
	int err;

	if (st->sb.idx_head && !st->cfg.full_scan) {
		if (store_index_load(st)) {
			off = st->sb.idx_end;
			chain = st->sb.idx_chain;
			txns = st->sb.idx_txns;
			st->idx_prev = st->sb.idx_head;
		} else {
			forget_index(st);
		}
	}
	st->idx_from = off;
	w.buf = malloc(WINDOW);
	if (!w.buf)
		return KEEL_ENOMEM;
	err = scan_window(st, &w, off, chain, txns);
	free(w.buf);
	return err;
}

/* Reads the superblock, scans the log, and readies the tail for appends. */
static int load(struct keel_store *st)
{
	uint32_t ss = st->dev->sector_size;
	int err = store_sb_read(st->dev, &st->sb);

	if (err == KEEL_OK && st->sb.log_start % ss != 0)
		err = KEEL_EINVAL;
	if (err == KEEL_OK)
		err = scan(st);
	if (err != KEEL_OK)
		return err;
	st->tail = st->end;
	st->chain_tail = st->chain_end;
	st->wbuf_base = st->end & ~(uint64_t)(ss - 1);
	st->wbuf_len = 0;
	st->wbuf_cap = 65536;
	st->wbuf = malloc(st->wbuf_cap);
	if (!st->wbuf)
		return KEEL_ENOMEM;
	if (st->end > st->wbuf_base) {
		st->wbuf_len = (size_t)(st->end - st->wbuf_base);
		return keel_block_read(st->dev, st->wbuf_base, st->wbuf, st->wbuf_len);
	}
	return KEEL_OK;
}

int keel_store_open(struct keel_block *dev, const struct keel_store_config *cfg,
                    struct keel_store **out)
{
	struct keel_store *st;
	int err;

	st = calloc(1, sizeof(*st));
	if (!st)
		return KEEL_ENOMEM;
	st->dev = dev;
	if (cfg)
		st->cfg = *cfg;
	defaults(&st->cfg);
	if (st->cfg.max_object > (1u << 30) || dev->sector_size > LOG_START) {
		free(st);
		return KEEL_EINVAL;
	}
	err = load(st);
	if (err != KEEL_OK) {
		store_free(st);
		return err;
	}
	*out = st;
	return KEEL_OK;
}

static void free_contents(struct keel_store *st)
{
	for (size_t i = 0; i < st->n_refs; i++)
		free(st->refs[i].name);
	for (size_t i = 0; i < st->n_pending; i++)
		free(st->pending[i].name);
	free(st->pending);
	free(st->refs);
	free(st->idx);
	free(st->wbuf);
}

int store_reload(struct keel_store *st)
{
	struct keel_block *dev = st->dev;
	struct keel_store_config cfg = st->cfg;
	struct keel_store_stats stats = st->stats;
	int err;

	free_contents(st);
	memset(st, 0, sizeof(*st));
	st->dev = dev;
	st->cfg = cfg;
	st->stats = stats;
	err = load(st);
	if (err != KEEL_OK)
		st->broken = true;
	return err;
}

void store_free(struct keel_store *st)
{
	free_contents(st);
	free(st);
}

void keel_store_close(struct keel_store *st)
{
	if (!st)
		return;
	if (!st->broken) {
		if (st->txn_open)
			store_txn_rollback(st);
		uint64_t gen = st->sb.gen;

		/* Flush only when a checkpoint was written: a reader's close
		 * costs no device flush. */
		if (store_checkpoint(st) == KEEL_OK && st->sb.gen != gen)
			(void)keel_block_flush(st->dev);
	}
	store_free(st);
}

void keel_store_stats(struct keel_store *st, struct keel_store_stats *out)
{
	*out = st->stats;
	out->objects = st->idx_count;
	out->refs = st->n_refs;
	out->log_bytes = st->end - st->sb.log_start;
	out->capacity = st->sb.capacity - st->sb.log_start;
}

/*
 * log.c — appending records, and transactions.
 *
 * Records are packed back to back from LOG_START. Appends collect in
 * wbuf, which starts at the sector the tail is in; store_log_write_out()
 * hands the whole sectors to the device (the last one padded with zeros,
 * written again by the next write-out with the same leading bytes, so a
 * torn write of it cannot damage the committed records it holds).
 *
 * A transaction is the records appended since the last commit, ended by
 * a REC_END record and made durable by one flush. Nothing after the last
 * REC_END is trusted at open: each record's header names the crc of the
 * record before it, so records left over from an older, longer log (or a
 * transaction that never completed) do not chain and end the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static int wbuf_reserve(struct keel_store *st, size_t more)
{
	size_t need = st->wbuf_len + more;

	if (need <= st->wbuf_cap)
		return KEEL_OK;
	size_t cap = st->wbuf_cap ? st->wbuf_cap : 65536;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(st->wbuf, cap);
	if (!p)
		return KEEL_ENOMEM;
	st->wbuf = p;
	st->wbuf_cap = cap;
	return KEEL_OK;
}

int store_log_write_out(struct keel_store *st)
{
	uint32_t ss = st->dev->sector_size;
	size_t whole = (st->wbuf_len + ss - 1) & ~(size_t)(ss - 1);
	size_t keep;
	int err;

	if (st->wbuf_len == 0)
		return KEEL_OK;
	if (wbuf_reserve(st, whole - st->wbuf_len) != KEEL_OK)
		return KEEL_ENOMEM;
	memset(st->wbuf + st->wbuf_len, 0, whole - st->wbuf_len);
	err = keel_block_write(st->dev, st->wbuf_base, st->wbuf, whole);
	if (err != KEEL_OK)
		return err;
	/* Keep the partial last sector: the next records continue it. */
	keep = st->wbuf_len % ss;
	if (keep)
		memmove(st->wbuf, st->wbuf + st->wbuf_len - keep, keep);
	st->wbuf_base += st->wbuf_len - keep;
	st->wbuf_len = keep;
	return KEEL_OK;
}

int store_log_append(struct keel_store *st, enum rec_type type, const void *head, size_t head_len,
                     const void *body, size_t body_len, uint64_t *off)
{
	size_t plen = head_len + body_len;
	uint8_t *r;
	uint32_t crc;
	int err;

	/* Room for this record and a REC_END after it. */
	if (plen > UINT32_MAX - REC_HEADER ||
	    st->tail + REC_HEADER + plen + REC_HEADER + 8 > st->sb.capacity)
		return KEEL_ENOMEM;
	err = wbuf_reserve(st, REC_HEADER + plen);
	if (err != KEEL_OK)
		return err;
	r = st->wbuf + st->wbuf_len;
	store_put_le32(r + 4, st->chain_tail);
	store_put_le32(r + 8, (uint32_t)plen);
	r[12] = (uint8_t)type;
	r[13] = r[14] = r[15] = 0;
	if (head_len)
		memcpy(r + REC_HEADER, head, head_len);
	if (body_len)
		memcpy(r + REC_HEADER + head_len, body, body_len);
	crc = store_crc32c(0, r + 4, REC_HEADER - 4 + plen);
	store_put_le32(r, crc);
	if (off)
		*off = st->tail;
	st->wbuf_len += REC_HEADER + plen;
	st->tail += REC_HEADER + plen;
	st->chain_tail = crc;
	st->txn_open = true;
	/* Big transactions go out as they grow; only the commit flushes. */
	if (st->wbuf_len >= 1024 * 1024)
		return store_log_write_out(st);
	return KEEL_OK;
}

int store_log_read(struct keel_store *st, uint64_t off, void *buf, size_t len)
{
	if (off + len > st->wbuf_base) {
		int err = store_log_write_out(st);

		if (err != KEEL_OK)
			return err;
		/* The tail sector is still in wbuf, but also on the device. */
	}
	return keel_block_read(st->dev, off, buf, len);
}

static void free_pending(struct keel_store *st)
{
	for (size_t i = 0; i < st->n_pending; i++)
		free(st->pending[i].name);
	free(st->pending);
	st->pending = NULL;
	st->n_pending = 0;
}

void store_txn_rollback(struct keel_store *st)
{
	uint32_t ss = st->dev->sector_size;
	uint64_t base = st->end & ~(uint64_t)(ss - 1);

	free_pending(st);
	st->txn_open = false;
	if (st->tail == st->end)
		return;
	/* Refill wbuf with the committed bytes of the tail sector. */
	st->wbuf_len = 0;
	st->wbuf_base = base;
	st->tail = st->end;
	st->chain_tail = st->chain_end;
	if (st->end > base) {
		if (wbuf_reserve(st, ss) != KEEL_OK ||
		    keel_block_read(st->dev, base, st->wbuf, (size_t)(st->end - base)) != KEEL_OK) {
			st->broken = true;
			return;
		}
		st->wbuf_len = (size_t)(st->end - base);
	}
	if (store_idx_truncate(st, st->end) != KEEL_OK)
		st->broken = true;
}

/* Ends the open transaction with a REC_END record and makes it durable;
 * rolls it back on failure. Pending refs are the caller's. */
static int log_commit(struct keel_store *st)
{
	uint8_t n[8];
	int err;

	store_put_le64(n, st->txns + 1);
	err = store_log_append(st, REC_END, n, sizeof(n), NULL, 0, NULL);
	if (err == KEEL_OK)
		err = store_log_write_out(st);
	if (err == KEEL_OK)
		err = keel_block_flush(st->dev);
	if (err != KEEL_OK) {
		store_txn_rollback(st);
		return err;
	}
	st->end = st->tail;
	st->chain_end = st->chain_tail;
	st->txns++;
	st->txn_open = false;
	return KEEL_OK;
}

int store_txn_commit(struct keel_store *st)
{
	int err;

	if (st->broken)
		return KEEL_EIO;
	if (!st->txn_open)
		return KEEL_OK;
	err = log_commit(st);
	if (err != KEEL_OK)
		return err;
	st->stats.commits++;
	for (size_t i = 0; i < st->n_pending; i++) {
		const struct pending_ref *p = &st->pending[i];

		/* The bound was checked when the update was staged; only the
		 * heap can fail here, and then memory no longer matches the
		 * durable log: refuse everything until the store is reopened. */
		if (store_ref_apply(st, p->name, strlen(p->name), &p->id) != KEEL_OK)
			st->broken = true;
	}
	free_pending(st);
	if (++st->since_checkpoint >= st->cfg.checkpoint_every)
		return store_checkpoint(st);
	return KEEL_OK;
}

int store_log_commit(struct keel_store *st)
{
	return st->broken ? KEEL_EIO : log_commit(st);
}

int store_checkpoint(struct keel_store *st)
{
	struct superblock sb = st->sb;
	int err;

	if (sb.log_end == st->end)
		return KEEL_OK;
	/* A device too full for an index segment still takes the
	 * checkpoint. */
	err = store_index_write(st, &sb);
	if (err != KEEL_OK && err != KEEL_ENOMEM)
		return err;
	/* Everything up to st->end is durable (the commit flushed it), so
	 * the superblock may reach the medium whenever it does. */
	sb.gen++;
	sb.log_end = st->end;
	sb.chain = st->chain_end;
	sb.txns = st->txns;
	err = store_sb_write(st, &sb);
	if (err != KEEL_OK)
		return err;
	st->sb = sb;
	st->since_checkpoint = 0;
	st->stats.checkpoints++;
	return KEEL_OK;
}

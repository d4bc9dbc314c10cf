/*
 * index.c — the in-memory object index: id to record offset. Open
 * addressing with linear probing; ids are SHA-1 output, so their first
 * bytes are already a good hash.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static size_t slot_of(const struct keel_store_id *id, size_t cap)
{
	uint64_t h;

	memcpy(&h, id->b, sizeof(h));
	return (size_t)(h & (cap - 1));
}

struct idx_entry *store_idx_find(struct keel_store *st, const struct keel_store_id *id)
{
	size_t i;

	if (!st->idx_cap)
		return NULL;
	for (i = slot_of(id, st->idx_cap);; i = (i + 1) & (st->idx_cap - 1)) {
		struct idx_entry *e = &st->idx[i];

		if (e->off == UINT64_MAX)
			return NULL;
		if (keel_store_id_eq(&e->id, id))
			return e;
	}
}

static void insert(struct idx_entry *tab, size_t cap, const struct idx_entry *e)
{
	size_t i = slot_of(&e->id, cap);

	while (tab[i].off != UINT64_MAX)
		i = (i + 1) & (cap - 1);
	tab[i] = *e;
}

/* Rebuilds the table at `cap` slots, keeping entries before `limit`. */
static int rebuild(struct keel_store *st, size_t cap, uint64_t limit)
{
	struct idx_entry *tab = malloc(cap * sizeof(*tab));
	size_t count = 0;

	if (!tab)
		return KEEL_ENOMEM;
	for (size_t i = 0; i < cap; i++)
		tab[i].off = UINT64_MAX;
	for (size_t i = 0; i < st->idx_cap; i++) {
		if (st->idx[i].off != UINT64_MAX && st->idx[i].off < limit) {
			insert(tab, cap, &st->idx[i]);
			count++;
		}
	}
	free(st->idx);
	st->idx = tab;
	st->idx_cap = cap;
	st->idx_count = count;
	return KEEL_OK;
}

int store_idx_add(struct keel_store *st, const struct idx_entry *e)
{
	if (st->idx_count >= st->cfg.max_objects)
		return KEEL_ENOMEM;
	/* Keep the load under 3/4. */
	if ((st->idx_count + 1) * 4 > st->idx_cap * 3) {
		int err = rebuild(st, st->idx_cap ? st->idx_cap * 2 : 1024, UINT64_MAX);

		if (err != KEEL_OK)
			return err;
	}
	insert(st->idx, st->idx_cap, e);
	st->idx_count++;
	return KEEL_OK;
}

/* Grows the table for `more` entries besides those it holds, at once
 * rather than by doubling as they come. */
static int reserve(struct keel_store *st, size_t more)
{
	size_t want = st->idx_count + more, cap = st->idx_cap ? st->idx_cap : 1024;

	if (want > st->cfg.max_objects)
		return KEEL_ENOMEM;
	while (want * 4 > cap * 3)
		cap *= 2;
	return cap == st->idx_cap ? KEEL_OK : rebuild(st, cap, UINT64_MAX);
}

int store_idx_truncate(struct keel_store *st, uint64_t off)
{
	return st->idx_cap ? rebuild(st, st->idx_cap, off) : KEEL_OK;
}

/* ---- Index segments ----------------------------------------------------------
 *
 * A segment is one transaction of the log: REC_INDEX records listing
 * (id, offset, length, type) of every object whose record lies in
 * [from, to), then a REC_INDEX_HEAD record:
 *
 *   prev (8)   the previous segment's head record (0: none)
 *   from (8)   where this segment's objects start (the previous one's end)
 *   to (8)     where they end: the first REC_INDEX record of the segment
 *   count (4)  entries listed
 *   refs (4)   then per ref: id (20), name length (1), name
 *
 * The superblock names the newest segment's head and the end of its
 * transaction; open reads the segments newest first, following prev,
 * then scans the log from that end on.
 */
#define HEAD_FIXED 32

int store_index_write(struct keel_store *st, struct superblock *sb)
{
	uint8_t *chunk, *head;
	size_t n = 0, k = 0, hl = HEAD_FIXED;
	uint64_t to = st->tail, head_off;
	int err = KEEL_OK;

	if (st->txn_open || st->tail != st->end)
		return KEEL_OK;
	for (size_t i = 0; i < st->idx_cap; i++)
		if (st->idx[i].off != UINT64_MAX && st->idx[i].off >= st->idx_from)
			n++;
	if (n < st->cfg.index_every || n > UINT32_MAX)
		return KEEL_OK;
	for (size_t i = 0; i < st->n_refs; i++)
		hl += KEEL_STORE_ID_LEN + 1 + strlen(st->refs[i].name);
	if (hl > IDX_HEAD_MAX)
		return KEEL_OK; /* too many refs for one head: no segment */
	chunk = malloc(IDX_CHUNK * IDX_ENTRY);
	head = malloc(hl);
	if (!chunk || !head) {
		free(chunk);
		free(head);
		return KEEL_ENOMEM;
	}
	for (size_t i = 0; i < st->idx_cap && err == KEEL_OK; i++) {
		const struct idx_entry *e = &st->idx[i];
		uint8_t *p = chunk + k * IDX_ENTRY;

		if (e->off == UINT64_MAX || e->off < st->idx_from)
			continue;
		memcpy(p, e->id.b, KEEL_STORE_ID_LEN);
		store_put_le64(p + 20, e->off);
		store_put_le32(p + 28, e->len);
		p[32] = e->type;
		if (++k == IDX_CHUNK) {
			err = store_log_append(st, REC_INDEX, chunk, k * IDX_ENTRY, NULL, 0, NULL);
			k = 0;
		}
	}
	if (err == KEEL_OK && k)
		err = store_log_append(st, REC_INDEX, chunk, k * IDX_ENTRY, NULL, 0, NULL);
	store_put_le64(head, st->idx_prev);
	store_put_le64(head + 8, st->idx_from);
	store_put_le64(head + 16, to);
	store_put_le32(head + 24, (uint32_t)n);
	store_put_le32(head + 28, (uint32_t)st->n_refs);
	hl = HEAD_FIXED;
	for (size_t i = 0; i < st->n_refs; i++) {
		size_t nl = strlen(st->refs[i].name);

		memcpy(head + hl, st->refs[i].id.b, KEEL_STORE_ID_LEN);
		head[hl + KEEL_STORE_ID_LEN] = (uint8_t)nl;
		memcpy(head + hl + KEEL_STORE_ID_LEN + 1, st->refs[i].name, nl);
		hl += KEEL_STORE_ID_LEN + 1 + nl;
	}
	if (err == KEEL_OK)
		err = store_log_append(st, REC_INDEX_HEAD, head, hl, NULL, 0, &head_off);
	free(chunk);
	free(head);
	if (err == KEEL_OK)
		err = store_log_commit(st);
	else
		store_txn_rollback(st);
	if (err != KEEL_OK)
		return err;
	sb->idx_head = head_off;
	sb->idx_end = st->end;
	sb->idx_chain = st->chain_end;
	sb->idx_txns = st->txns;
	st->idx_prev = head_off;
	st->idx_from = st->end;
	st->stats.segments++;
	return KEEL_OK;
}

/* Reads the record at `off` whose type must be `type` and whose payload
 * (min..max bytes) must end by `limit`, checking its crc, into a malloc'd
 * buffer (*len bytes of payload). */
static uint8_t *read_record(struct keel_store *st, uint64_t off, uint64_t limit, uint8_t type,
                            uint32_t min, uint32_t max, uint32_t *len)
{
	uint8_t h[REC_HEADER], *p;
	uint32_t n;

	if (off + REC_HEADER > limit || keel_block_read(st->dev, off, h, REC_HEADER) != KEEL_OK)
		return NULL;
	n = store_le32(h + 8);
	if (h[12] != type || h[13] || h[14] || h[15] || n < min || n > max ||
	    off + REC_HEADER + n > limit)
		return NULL;
	p = malloc(n ? n : 1);
	if (!p)
		return NULL;
	if (keel_block_read(st->dev, off + REC_HEADER, p, n) != KEEL_OK ||
	    store_crc32c(store_crc32c(0, h + 4, REC_HEADER - 4), p, n) != store_le32(h)) {
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

/* The refs of the newest head. */
static bool load_refs(struct keel_store *st, const uint8_t *p, uint32_t len, uint32_t n)
{
	size_t at = HEAD_FIXED;

	for (uint32_t i = 0; i < n; i++) {
		struct keel_store_id id;
		size_t nl;

		if (at + KEEL_STORE_ID_LEN + 1 > len)
			return false;
		memcpy(id.b, p + at, KEEL_STORE_ID_LEN);
		nl = p[at + KEEL_STORE_ID_LEN];
		at += KEEL_STORE_ID_LEN + 1;
		if (at + nl > len || keel_store_id_is_zero(&id) ||
		    !keel_store_ref_name_valid((const char *)p + at, nl) ||
		    store_ref_apply(st, (const char *)p + at, nl, &id) != KEEL_OK)
			return false;
		at += nl;
	}
	return at == len;
}

/* The entries of one segment: REC_INDEX records from `to` up to `head`. */
static bool load_entries(struct keel_store *st, uint64_t from, uint64_t to, uint64_t head,
                         uint32_t count)
{
	uint64_t off = to;
	uint32_t seen = 0;

	while (off < head) {
		uint32_t len;
		uint8_t *p =
		    read_record(st, off, head, REC_INDEX, IDX_ENTRY, IDX_CHUNK * IDX_ENTRY, &len);
		bool ok = p && len % IDX_ENTRY == 0;

		for (uint32_t k = 0; ok && k < len / IDX_ENTRY; k++) {
			const uint8_t *q = p + k * IDX_ENTRY;
			struct idx_entry e;

			memcpy(e.id.b, q, KEEL_STORE_ID_LEN);
			e.off = store_le64(q + 20);
			e.len = store_le32(q + 28);
			e.type = q[32];
			ok = e.off >= from && e.len <= st->cfg.max_object &&
			     e.off + REC_HEADER + REC_OBJECT_HEAD + e.len <= to &&
			     keel_store_type_name((enum keel_store_type)e.type) &&
			     (store_idx_find(st, &e.id) || store_idx_add(st, &e) == KEEL_OK);
			seen++;
		}
		free(p);
		if (!ok)
			return false;
		off += REC_HEADER + len;
	}
	return off == head && seen == count;
}

bool store_index_load(struct keel_store *st)
{
	uint64_t head = st->sb.idx_head, limit = st->sb.idx_end;
	bool newest = true;

	while (head) {
		uint32_t len;
		uint8_t *p =
		    read_record(st, head, limit, REC_INDEX_HEAD, HEAD_FIXED, IDX_HEAD_MAX, &len);
		uint64_t prev, from, to;
		uint32_t count;
		bool ok;

		if (!p)
			return false;
		prev = store_le64(p);
		from = store_le64(p + 8);
		to = store_le64(p + 16);
		count = store_le32(p + 24);
		/* Segments lie in order, each after the objects it lists and
		 * after the segment before it. */
		ok = from >= st->sb.log_start && from <= to && to <= head &&
		     (prev == 0 || (prev >= st->sb.log_start && prev < from)) &&
		     (!newest || load_refs(st, p, len, store_le32(p + 28)));
		free(p);
		if (!ok || reserve(st, count) != KEEL_OK ||
		    !load_entries(st, from, to, head, count))
			return false;
		st->stats.segments++;
		newest = false;
		limit = from;
		head = prev;
	}
	st->stats.indexed = st->idx_count;
	return true;
}

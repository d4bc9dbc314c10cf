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

int store_idx_truncate(struct keel_store *st, uint64_t off)
{
	return st->idx_cap ? rebuild(st, st->idx_cap, off) : KEEL_OK;
}

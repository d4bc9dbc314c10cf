/*
 * object.c — objects in the log: put, get, verify.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

int keel_store_put(struct keel_store *st, enum keel_store_type type, const void *data, size_t len,
                   struct keel_store_id *id)
{
	struct idx_entry e;
	uint8_t head[REC_OBJECT_HEAD];
	int err;

	if (st->broken)
		return KEEL_EIO;
	if (!keel_store_type_name(type) || len > st->cfg.max_object)
		return len > st->cfg.max_object ? KEEL_ENOMEM : KEEL_EINVAL;
	keel_store_hash(type, data, len, &e.id);
	*id = e.id;
	if (store_idx_find(st, &e.id))
		return KEEL_OK;
	if (st->idx_count >= st->cfg.max_objects)
		return KEEL_ENOMEM;
	head[0] = (uint8_t)type;
	memcpy(head + 1, e.id.b, KEEL_STORE_ID_LEN);
	err = store_log_append(st, REC_OBJECT, head, sizeof(head), data, len, &e.off);
	if (err != KEEL_OK)
		return err;
	e.len = (uint32_t)len;
	e.type = (uint8_t)type;
	return store_idx_add(st, &e);
}

bool keel_store_has(struct keel_store *st, const struct keel_store_id *id)
{
	return store_idx_find(st, id) != NULL;
}

int keel_store_get_object(struct keel_store *st, const struct keel_store_id *id,
                          enum keel_store_type *type, uint8_t **data, size_t *len)
{
	struct idx_entry *e = store_idx_find(st, id);
	uint8_t *buf;
	int err;

	if (!e)
		return KEEL_ENOENT;
	buf = malloc((size_t)e->len + 1);
	if (!buf)
		return KEEL_ENOMEM;
	err = store_log_read(st, e->off + REC_HEADER + REC_OBJECT_HEAD, buf, e->len);
	if (err != KEEL_OK) {
		free(buf);
		return err;
	}
	buf[e->len] = 0;
	if (type)
		*type = (enum keel_store_type)e->type;
	*data = buf;
	*len = e->len;
	return KEEL_OK;
}

int keel_store_sync(struct keel_store *st)
{
	return store_txn_commit(st);
}

/* Checks one record: its crc, and its object's SHA-1 and syntax. */
static int verify_object(struct keel_store *st, const struct idx_entry *e)
{
	uint8_t *rec;
	size_t n = REC_HEADER + REC_OBJECT_HEAD + e->len;
	struct keel_store_id id;
	int err;

	rec = malloc(n);
	if (!rec)
		return KEEL_ENOMEM;
	err = store_log_read(st, e->off, rec, n);
	if (err == KEEL_OK && (store_le32(rec) != store_crc32c(0, rec + 4, n - 4) ||
	                       store_le32(rec + 8) != REC_OBJECT_HEAD + e->len))
		err = KEEL_EINVAL;
	if (err == KEEL_OK) {
		const uint8_t *c = rec + REC_HEADER + REC_OBJECT_HEAD;
		struct keel_store_commit cm;
		struct keel_store_tag tg;

		keel_store_hash((enum keel_store_type)e->type, c, e->len, &id);
		if (!keel_store_id_eq(&id, &e->id))
			err = KEEL_EINVAL;
		else if (e->type == KEEL_STORE_TREE && keel_store_tree_check(c, e->len) < 0)
			err = KEEL_EINVAL;
		else if (e->type == KEEL_STORE_COMMIT &&
		         keel_store_commit_parse(c, e->len, &cm) != KEEL_OK)
			err = KEEL_EINVAL;
		else if (e->type == KEEL_STORE_TAG &&
		         keel_store_tag_parse(c, e->len, &tg) != KEEL_OK)
			err = KEEL_EINVAL;
	}
	free(rec);
	return err;
}

/* Everything a ref reaches (through tags, commits, trees) is present (walked without recursion
 * limits: an explicit stack of ids). */
static int verify_reach(struct keel_store *st, const struct keel_store_id *start)
{
	struct keel_store_id *stack;
	size_t n = 0, cap = 64;
	uint8_t *seen;
	int err = KEEL_OK;

	seen = calloc(st->idx_cap ? st->idx_cap : 1, 1);
	stack = malloc(cap * sizeof(*stack));
	if (!seen || !stack) {
		free(seen);
		free(stack);
		return KEEL_ENOMEM;
	}
	stack[n++] = *start;
	while (n > 0 && err == KEEL_OK) {
		struct keel_store_id id = stack[--n];
		struct idx_entry *e = store_idx_find(st, &id);
		enum keel_store_type t;
		uint8_t *data;
		size_t len;

		if (!e) {
			err = KEEL_EINVAL;
			break;
		}
		if (seen[e - st->idx])
			continue;
		seen[e - st->idx] = 1;
		if (e->type == KEEL_STORE_BLOB)
			continue;
		err = keel_store_get_object(st, &id, &t, &data, &len);
		if (err != KEEL_OK)
			break;
		struct keel_store_id next[KEEL_STORE_PARENTS_MAX + 1];
		size_t nn = 0;
		if (t == KEEL_STORE_COMMIT || t == KEEL_STORE_TAG) {
			struct keel_store_commit c;
			struct keel_store_tag tg;

			if (t == KEEL_STORE_TAG) {
				if (keel_store_tag_parse(data, len, &tg) != KEEL_OK)
					err = KEEL_EINVAL;
				else
					next[nn++] = tg.object;
			} else if (keel_store_commit_parse(data, len, &c) != KEEL_OK) {
				err = KEEL_EINVAL;
			} else {
				next[nn++] = c.tree;
				for (unsigned i = 0; i < c.n_parents; i++)
					next[nn++] = c.parents[i];
			}
			for (size_t i = 0; i < nn && err == KEEL_OK; i++) {
				if (n == cap) {
					struct keel_store_id *s =
					    realloc(stack, 2 * cap * sizeof(*s));
					if (!s) {
						err = KEEL_ENOMEM;
						break;
					}
					stack = s, cap *= 2;
				}
				stack[n++] = next[i];
			}
		} else if (t == KEEL_STORE_TREE) {
			struct keel_store_entry te;
			size_t pos = 0;

			while (err == KEEL_OK &&
			       (err = keel_store_tree_next(data, len, &pos, &te)) == KEEL_OK) {
				if (te.mode == KEEL_STORE_MODE_GITLINK)
					continue;
				if (n == cap) {
					struct keel_store_id *s =
					    realloc(stack, 2 * cap * sizeof(*s));
					if (!s) {
						err = KEEL_ENOMEM;
						break;
					}
					stack = s, cap *= 2;
				}
				stack[n++] = te.id;
			}
			if (err == KEEL_ENOENT)
				err = KEEL_OK;
		}
		free(data);
	}
	free(seen);
	free(stack);
	return err;
}

long keel_store_verify(struct keel_store *st)
{
	long n = 0;
	int err;

	for (size_t i = 0; i < st->idx_cap; i++) {
		if (st->idx[i].off == UINT64_MAX)
			continue;
		err = verify_object(st, &st->idx[i]);
		if (err != KEEL_OK)
			return err;
		n++;
	}
	for (size_t i = 0; i < st->n_refs; i++) {
		err = verify_reach(st, &st->refs[i].id);
		if (err != KEEL_OK)
			return err;
	}
	return n;
}

int keel_store_object_each(struct keel_store *st,
                           int (*fn)(void *arg, const struct keel_store_id *id,
                                     enum keel_store_type type, size_t len),
                           void *arg)
{
	for (size_t i = 0; i < st->idx_cap; i++) {
		const struct idx_entry *e = &st->idx[i];

		if (e->off == UINT64_MAX)
			continue;
		int r = fn(arg, &e->id, (enum keel_store_type)e->type, e->len);
		if (r != KEEL_OK)
			return r;
	}
	return KEEL_OK;
}

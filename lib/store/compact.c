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

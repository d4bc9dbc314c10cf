/*
 * history.c — walking a branch's commits newest first, optionally only
 * those that changed one path.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

struct queued {
	struct keel_store_id id;
	int64_t time;
};

/* Reads and parses commit `id`; *data holds the bytes c points into. */
static int load_commit(struct keel_store *st, const struct keel_store_id *id, uint8_t **data,
                       struct keel_store_commit *c)
{
	enum keel_store_type t;
	size_t len;
	int err = keel_store_get_object(st, id, &t, data, &len);

	if (err != KEEL_OK)
		return err == KEEL_ENOENT ? KEEL_EINVAL : err;
	if (t != KEEL_STORE_COMMIT || keel_store_commit_parse(*data, len, c) != KEEL_OK) {
		free(*data);
		return KEEL_EINVAL;
	}
	return KEEL_OK;
}

/* What `path` names in commit `id` (zero when absent). */
static int path_id(struct keel_store *st, const struct keel_store_id *tree, const char *path,
                   struct keel_store_id *out)
{
	uint32_t mode;
	int err = store_tree_walk(st, tree, path, strlen(path), out, &mode);

	if (err == KEEL_ENOENT) {
		memset(out, 0, sizeof(*out));
		return KEEL_OK;
	}
	return err;
}

int keel_store_log(struct keel_store *st, const char *branch, const char *path, size_t max,
                   int (*fn)(void *arg, const struct keel_store_id *id,
                             const struct keel_store_commit *c),
                   void *arg)
{
	struct queued *q;
	size_t nq = 0, capq = 16, reported = 0;
	uint8_t *seen;
	struct keel_store_id head;
	int err;

	if (path && !*path)
		path = NULL;
	if (path && !keel_store_path_valid(path, strlen(path)))
		return KEEL_EINVAL;
	err = store_branch_get(st, branch, &head);
	if (err != KEEL_OK)
		return err;
	q = malloc(capq * sizeof(*q));
	seen = calloc(st->idx_cap, 1);
	if (!q || !seen) {
		free(q);
		free(seen);
		return KEEL_ENOMEM;
	}
	q[nq++] = (struct queued){ head, 0 };
	while (nq > 0 && (max == 0 || reported < max)) {
		struct keel_store_commit c;
		uint8_t *data;
		size_t best = 0;

		/* The newest queued commit (a linear pick: histories merge
		 * rarely, so the queue stays short). */
		for (size_t i = 1; i < nq; i++) {
			if (q[i].time > q[best].time)
				best = i;
		}
		struct keel_store_id id = q[best].id;
		q[best] = q[--nq];
		struct idx_entry *e = store_idx_find(st, &id);
		if (!e) {
			err = KEEL_EINVAL;
			break;
		}
		if (seen[e - st->idx])
			continue;
		seen[e - st->idx] = 1;
		err = load_commit(st, &id, &data, &c);
		if (err != KEEL_OK)
			break;
		bool show = true;
		if (path) {
			struct keel_store_id mine, theirs;

			err = path_id(st, &c.tree, path, &mine);
			show = err == KEEL_OK && (c.n_parents > 0 || !keel_store_id_is_zero(&mine));
			for (unsigned p = 0; p < c.n_parents && err == KEEL_OK && show; p++) {
				struct keel_store_id pt;

				err = store_commit_tree(st, &c.parents[p], &pt);
				if (err == KEEL_OK)
					err = path_id(st, &pt, path, &theirs);
				if (err == KEEL_OK && keel_store_id_eq(&mine, &theirs))
					show = false;
			}
		}
		if (err == KEEL_OK && show) {
			err = fn(arg, &id, &c);
			reported++;
		}
		for (unsigned p = 0; p < c.n_parents && err == KEEL_OK; p++) {
			struct keel_store_commit pc;
			uint8_t *pd;

			if (nq == capq) {
				struct queued *nqp = realloc(q, 2 * capq * sizeof(*q));
				if (!nqp) {
					err = KEEL_ENOMEM;
					break;
				}
				q = nqp, capq *= 2;
			}
			err = load_commit(st, &c.parents[p], &pd, &pc);
			if (err != KEEL_OK)
				break;
			q[nq++] = (struct queued){ c.parents[p], pc.committer.time };
			free(pd);
		}
		free(data);
		if (err != KEEL_OK)
			break;
	}
	free(q);
	free(seen);
	return err;
}

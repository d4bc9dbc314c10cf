/*
 * txn.c — batches of changes to a branch, turned into new trees and one
 * commit, and the single-change keel_store_set/remove.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

struct change {
	char *path;
	size_t len;
	bool remove;
	struct keel_store_id blob;
};

struct keel_store_txn {
	struct keel_store *st;
	char branch[KEEL_STORE_REF_MAX + 1];
	struct keel_store_id base;      /* zero: the branch did not exist */
	struct keel_store_id base_tree; /* zero: empty */
	struct change *ch;
	size_t n, cap;
};

int keel_store_txn_begin(struct keel_store *st, const char *branch, struct keel_store_txn **out)
{
	struct keel_store_txn *t;
	size_t bl = strlen(branch);
	int err;

	if (!keel_store_ref_name_valid(branch, bl) || keel_store_ref_is_tag(branch, bl))
		return KEEL_EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return KEEL_ENOMEM;
	t->st = st;
	memcpy(t->branch, branch, bl + 1);
	if (keel_store_ref_get(st, branch, &t->base) == KEEL_OK) {
		err = store_commit_tree(st, &t->base, &t->base_tree);
		if (err != KEEL_OK) {
			free(t);
			return err;
		}
	}
	*out = t;
	return KEEL_OK;
}

static int add_change(struct keel_store_txn *t, const char *path, bool remove,
                      const struct keel_store_id *blob)
{
	size_t len = strlen(path);
	struct change *c = NULL;

	if (!keel_store_path_valid(path, len))
		return KEEL_EINVAL;
	for (size_t i = 0; i < t->n; i++) {
		if (t->ch[i].len == len && memcmp(t->ch[i].path, path, len) == 0) {
			c = &t->ch[i];
			break;
		}
	}
	if (!c) {
		if (t->n >= KEEL_STORE_TXN_MAX)
			return KEEL_ENOMEM;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct change *p = realloc(t->ch, cap * sizeof(*p));
			if (!p)
				return KEEL_ENOMEM;
			t->ch = p;
			t->cap = cap;
		}
		c = &t->ch[t->n];
		c->path = malloc(len + 1);
		if (!c->path)
			return KEEL_ENOMEM;
		memcpy(c->path, path, len + 1);
		c->len = len;
		t->n++;
	}
	c->remove = remove;
	if (blob)
		c->blob = *blob;
	return KEEL_OK;
}

int keel_store_txn_set(struct keel_store_txn *t, const char *path, const void *data, size_t len)
{
	struct keel_store_id id;
	int err;

	if (!keel_store_path_valid(path, strlen(path)))
		return KEEL_EINVAL;
	err = keel_store_put(t->st, KEEL_STORE_BLOB, data, len, &id);
	if (err != KEEL_OK)
		return err;
	return add_change(t, path, false, &id);
}

int keel_store_txn_remove(struct keel_store_txn *t, const char *path)
{
	return add_change(t, path, true, NULL);
}

void keel_store_txn_abort(struct keel_store_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->ch[i].path);
	free(t->ch);
	free(t);
}

/* Order of paths component by component: '/' sorts below every byte, so
 * all changes under one first component sit together. */
static int path_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;

	for (size_t i = 0; i < n; i++) {
		unsigned cx = x->path[i] == '/' ? 0 : (unsigned char)x->path[i] + 1u;
		unsigned cy = y->path[i] == '/' ? 0 : (unsigned char)y->path[i] + 1u;

		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * The tree `tree` (zero: empty) with changes ch[0..n) applied, whose
 * paths are relative to it from byte `skip` on. *out zero: the result is
 * empty. Recursion depth is bounded by KEEL_STORE_PATH_MAX / 2.
 */
static int apply(struct keel_store *st, const struct keel_store_id *tree, struct change *ch,
                 size_t n, size_t skip, struct keel_store_id *out, bool *changed)
{
	struct keel_store_entry *e = NULL;
	size_t ne = 0, cap = 0, i = 0;
	uint8_t *data = NULL, *enc;
	size_t dlen = 0, elen;
	int err = KEEL_OK;

	if (!keel_store_id_is_zero(tree)) {
		enum keel_store_type t;
		long count;
		size_t pos = 0;

		err = keel_store_get_object(st, tree, &t, &data, &dlen);
		if (err != KEEL_OK)
			return err == KEEL_ENOENT ? KEEL_EINVAL : err;
		count = t == KEEL_STORE_TREE ? keel_store_tree_check(data, dlen) : KEEL_EINVAL;
		if (count < 0) {
			free(data);
			return KEEL_EINVAL;
		}
		cap = (size_t)count;
		e = malloc((cap + n + 1) * sizeof(*e));
		if (!e) {
			free(data);
			return KEEL_ENOMEM;
		}
		while (keel_store_tree_next(data, dlen, &pos, &e[ne]) == KEEL_OK)
			ne++;
	} else {
		e = malloc((n + 1) * sizeof(*e));
		if (!e)
			return KEEL_ENOMEM;
	}
	while (i < n && err == KEEL_OK) {
		const char *name = ch[i].path + skip;
		size_t nl = 0, j = i, k;
		bool leaf = false, deep = false;

		while (skip + nl < ch[i].len && name[nl] != '/')
			nl++;
		/* The group: every change whose next component is `name`. */
		while (j < n && ch[j].len >= skip + nl &&
		       memcmp(ch[j].path + skip, name, nl) == 0 &&
		       (ch[j].len == skip + nl || ch[j].path[skip + nl] == '/')) {
			if (ch[j].len == skip + nl)
				leaf = true;
			else
				deep = true;
			j++;
		}
		for (k = 0; k < ne; k++) {
			if (e[k].name_len == nl && memcmp(e[k].name, name, nl) == 0)
				break;
		}
		struct keel_store_entry ne_entry = { 0, name, nl, { { 0 } } };
		bool present = false;
		if (deep) {
			/* A change of `name` itself comes first in the group (it
			 * sorts first): it empties what is there, then the deeper
			 * changes build on that. */
			struct keel_store_id sub = { { 0 } }, res;
			size_t first = leaf ? i + 1 : i;

			if (k < ne && e[k].mode == KEEL_STORE_MODE_DIR && !leaf)
				sub = e[k].id;
			err = apply(st, &sub, ch + first, j - first, skip + nl + 1, &res, changed);
			if (err == KEEL_OK && !keel_store_id_is_zero(&res)) {
				ne_entry.mode = KEEL_STORE_MODE_DIR;
				ne_entry.id = res;
				present = true;
			}
		} else if (!ch[i].remove) {
			ne_entry.mode = KEEL_STORE_MODE_FILE;
			ne_entry.id = ch[i].blob;
			present = true;
		}
		if (err != KEEL_OK)
			break;
		if (k < ne) {
			if (!present) {
				e[k] = e[--ne];
				*changed = true;
			} else if (e[k].mode != ne_entry.mode ||
			           !keel_store_id_eq(&e[k].id, &ne_entry.id)) {
				e[k] = ne_entry;
				*changed = true;
			}
		} else if (present) {
			e[ne++] = ne_entry;
			*changed = true;
		}
		i = j;
	}
	if (err == KEEL_OK) {
		if (ne == 0) {
			memset(out, 0, sizeof(*out));
		} else {
			err = keel_store_tree_encode(e, ne, &enc, &elen);
			if (err == KEEL_OK) {
				err = keel_store_put(st, KEEL_STORE_TREE, enc, elen, out);
				free(enc);
			}
		}
	}
	free(e);
	free(data);
	return err;
}

int store_make_commit(struct keel_store *st, const struct keel_store_id *tree,
                      const struct keel_store_id *parents, unsigned n_parents,
                      const struct keel_store_info *info, struct keel_store_id *out)
{
	struct keel_store_commit c = { 0 };
	static const struct keel_store_info none;
	uint8_t *enc;
	size_t len;
	int err;

	if (!info)
		info = &none;
	c.tree = *tree;
	memcpy(c.parents, parents, n_parents * sizeof(*parents));
	c.n_parents = n_parents;
	c.author.name = info->name ? info->name : "keel";
	c.author.name_len = strlen(c.author.name);
	c.author.email = info->email ? info->email : "keel@localhost";
	c.author.email_len = strlen(c.author.email);
	c.author.time = info->time ? info->time : (int64_t)(kp_clock_wall() / 1000000000u);
	c.author.tz_minutes = info->tz_minutes;
	c.committer = c.author;
	c.message = info->message ? info->message : "update\n";
	c.message_len = strlen(c.message);
	err = keel_store_commit_encode(&c, &enc, &len);
	if (err != KEEL_OK)
		return err;
	err = keel_store_put(st, KEEL_STORE_COMMIT, enc, len, out);
	free(enc);
	return err;
}

int keel_store_txn_commit(struct keel_store_txn *t, const struct keel_store_info *info,
                          struct keel_store_id *commit)
{
	struct keel_store *st = t->st;
	struct keel_store_id root, id;
	bool changed = false;
	int err;

	qsort(t->ch, t->n, sizeof(*t->ch), path_cmp);
	err = apply(st, &t->base_tree, t->ch, t->n, 0, &root, &changed);
	if (err == KEEL_OK && keel_store_id_is_zero(&root))
		err = keel_store_put(st, KEEL_STORE_TREE, "", 0, &root);
	if (err == KEEL_OK && !changed && !keel_store_id_is_zero(&t->base)) {
		/* Nothing to commit; still, the branch must not have moved. */
		struct keel_store_id cur;

		(void)keel_store_ref_get(st, t->branch, &cur);
		err = keel_store_id_eq(&cur, &t->base) ? KEEL_OK : KEEL_EAGAIN;
		if (err == KEEL_OK && commit)
			*commit = t->base;
		keel_store_txn_abort(t);
		return err;
	}
	if (err == KEEL_OK)
		err = store_make_commit(st, &root, &t->base,
		                        keel_store_id_is_zero(&t->base) ? 0 : 1, info, &id);
	if (err == KEEL_OK)
		err = keel_store_ref_cas(st, t->branch, &t->base, &id);
	if (err == KEEL_OK && commit)
		*commit = id;
	keel_store_txn_abort(t);
	return err;
}

int keel_store_set(struct keel_store *st, const char *branch, const char *path, const void *data,
                   size_t len, const struct keel_store_info *info, struct keel_store_id *commit)
{
	struct keel_store_txn *t;
	int err = keel_store_txn_begin(st, branch, &t);

	if (err != KEEL_OK)
		return err;
	err = keel_store_txn_set(t, path, data, len);
	if (err != KEEL_OK) {
		keel_store_txn_abort(t);
		return err;
	}
	return keel_store_txn_commit(t, info, commit);
}

int keel_store_remove(struct keel_store *st, const char *branch, const char *path,
                      const struct keel_store_info *info, struct keel_store_id *commit)
{
	struct keel_store_txn *t;
	struct keel_store_id id;
	uint32_t mode;
	int err = keel_store_txn_begin(st, branch, &t);

	if (err != KEEL_OK)
		return err;
	err = keel_store_id_is_zero(&t->base)
	          ? KEEL_ENOENT
	          : store_tree_walk(st, &t->base_tree, path, strlen(path), &id, &mode);
	if (err == KEEL_OK)
		err = keel_store_txn_remove(t, path);
	if (err != KEEL_OK) {
		keel_store_txn_abort(t);
		return err;
	}
	return keel_store_txn_commit(t, info, commit);
}

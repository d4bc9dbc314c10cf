/*
 * path.c — paths, and reading a path in a commit's tree.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

bool keel_store_path_valid(const char *path, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > KEEL_STORE_PATH_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			if (!keel_store_name_valid(path + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

int store_commit_tree(struct keel_store *st, const struct keel_store_id *commit,
                      struct keel_store_id *tree)
{
	struct keel_store_commit c;
	enum keel_store_type t;
	uint8_t *data;
	size_t len;
	int err = keel_store_get_object(st, commit, &t, &data, &len);

	if (err != KEEL_OK)
		return err;
	if (t != KEEL_STORE_COMMIT || keel_store_commit_parse(data, len, &c) != KEEL_OK)
		err = KEEL_EINVAL;
	else
		*tree = c.tree;
	free(data);
	return err;
}

/* Follows `path` (`len` bytes, may be 0) down from tree `tree`. */
int store_tree_walk(struct keel_store *st, const struct keel_store_id *tree, const char *path,
                    size_t len, struct keel_store_id *id, uint32_t *mode)
{
	struct keel_store_id cur = *tree;
	uint32_t cur_mode = KEEL_STORE_MODE_DIR;
	size_t start = 0;

	if (len && !keel_store_path_valid(path, len))
		return KEEL_EINVAL;
	while (start < len) {
		size_t end = start;
		struct keel_store_entry e;
		enum keel_store_type t;
		uint8_t *data;
		size_t dlen;
		int err;

		while (end < len && path[end] != '/')
			end++;
		if (cur_mode != KEEL_STORE_MODE_DIR)
			return KEEL_ENOENT;
		err = keel_store_get_object(st, &cur, &t, &data, &dlen);
		if (err != KEEL_OK)
			return err == KEEL_ENOENT ? KEEL_EINVAL : err;
		if (t != KEEL_STORE_TREE)
			err = KEEL_EINVAL;
		else
			err = keel_store_tree_find(data, dlen, path + start, end - start, &e);
		free(data);
		if (err != KEEL_OK)
			return err;
		cur = e.id;
		cur_mode = e.mode;
		start = end + 1;
	}
	*id = cur;
	*mode = cur_mode;
	return KEEL_OK;
}

int keel_store_lookup(struct keel_store *st, const struct keel_store_id *commit, const char *path,
                      struct keel_store_id *id, uint32_t *mode)
{
	struct keel_store_id tree;
	int err = store_commit_tree(st, commit, &tree);

	if (err != KEEL_OK)
		return err;
	return store_tree_walk(st, &tree, path, strlen(path), id, mode);
}

int keel_store_get(struct keel_store *st, const char *branch, const char *path, uint8_t **data,
                   size_t *len)
{
	struct keel_store_id head, id;
	enum keel_store_type t;
	uint32_t mode;
	int err;

	if (!keel_store_path_valid(path, strlen(path)))
		return KEEL_EINVAL;
	err = store_branch_get(st, branch, &head);
	if (err != KEEL_OK)
		return err;
	err = keel_store_lookup(st, &head, path, &id, &mode);
	if (err != KEEL_OK)
		return err;
	if (mode == KEEL_STORE_MODE_DIR || mode == KEEL_STORE_MODE_GITLINK)
		return KEEL_ENOENT;
	err = keel_store_get_object(st, &id, &t, data, len);
	if (err == KEEL_OK && t != KEEL_STORE_BLOB) {
		free(*data);
		err = KEEL_EINVAL;
	}
	return err;
}

int keel_store_list(struct keel_store *st, const char *branch, const char *path,
                    int (*fn)(void *arg, const char *name, size_t name_len, uint32_t mode,
                              const struct keel_store_id *id),
                    void *arg)
{
	struct keel_store_id head, id;
	struct keel_store_entry e;
	enum keel_store_type t;
	uint32_t mode;
	uint8_t *data;
	size_t len, pos = 0;
	int err;

	err = store_branch_get(st, branch, &head);
	if (err == KEEL_OK)
		err = keel_store_lookup(st, &head, path, &id, &mode);
	if (err != KEEL_OK)
		return err;
	if (mode != KEEL_STORE_MODE_DIR)
		return KEEL_ENOENT;
	err = keel_store_get_object(st, &id, &t, &data, &len);
	if (err != KEEL_OK)
		return err;
	if (t != KEEL_STORE_TREE) {
		free(data);
		return KEEL_EINVAL;
	}
	while ((err = keel_store_tree_next(data, len, &pos, &e)) == KEEL_OK) {
		err = fn(arg, e.name, e.name_len, e.mode, &e.id);
		if (err != KEEL_OK)
			break;
	}
	free(data);
	return err == KEEL_ENOENT ? KEEL_OK : err;
}

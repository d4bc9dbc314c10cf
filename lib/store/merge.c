/*
 * merge.c — lowest common ancestors and the three-way merge of trees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* ---- Ancestry ----------------------------------------------------------- */

#define SEEN_A 1
#define SEEN_B 2
#define STALE 4

/* The parents of commit `id` (at most KEEL_STORE_PARENTS_MAX), and its
 * committer time. */
static int parents_of(struct keel_store *st, const struct keel_store_id *id,
                      struct keel_store_id *p, unsigned *n, int64_t *time)
{
	struct keel_store_commit c;
	enum keel_store_type t;
	uint8_t *data;
	size_t len;
	int err = keel_store_get_object(st, id, &t, &data, &len);

	if (err != KEEL_OK)
		return err == KEEL_ENOENT ? KEEL_EINVAL : err;
	if (t != KEEL_STORE_COMMIT || keel_store_commit_parse(data, len, &c) != KEEL_OK) {
		free(data);
		return KEEL_EINVAL;
	}
	memcpy(p, c.parents, c.n_parents * sizeof(*p));
	*n = c.n_parents;
	if (time)
		*time = c.committer.time;
	free(data);
	return KEEL_OK;
}

/* Sets `bit` on every commit reachable from `start` (itself included when
 * `self`), stopping where it is already set. */
static int mark(struct keel_store *st, uint8_t *flags, const struct keel_store_id *start, bool self,
                uint8_t bit)
{
	struct keel_store_id *stack;
	size_t n = 0, cap = 64;
	int err = KEEL_OK;

	stack = malloc(cap * sizeof(*stack));
	if (!stack)
		return KEEL_ENOMEM;
	if (self) {
		stack[n++] = *start;
	} else {
		unsigned np;

		err = parents_of(st, start, stack, &np, NULL);
		n = np;
	}
	while (n > 0 && err == KEEL_OK) {
		struct keel_store_id id = stack[--n];
		struct idx_entry *e = store_idx_find(st, &id);
		unsigned np;

		if (!e) {
			err = KEEL_EINVAL;
			break;
		}
		if (flags[e - st->idx] & bit)
			continue;
		flags[e - st->idx] |= bit;
		if (n + KEEL_STORE_PARENTS_MAX > cap) {
			struct keel_store_id *s = realloc(stack, 2 * cap * sizeof(*s));

			if (!s) {
				err = KEEL_ENOMEM;
				break;
			}
			stack = s, cap *= 2;
		}
		err = parents_of(st, &id, stack + n, &np, NULL);
		n += np;
	}
	free(stack);
	return err;
}

long keel_store_lca(struct keel_store *st, const struct keel_store_id *a,
                    const struct keel_store_id *b, struct keel_store_id *out, size_t max)
{
	uint8_t *flags = calloc(st->idx_cap ? st->idx_cap : 1, 1);
	long found = 0;
	int err;

	if (!flags)
		return KEEL_ENOMEM;
	err = mark(st, flags, a, true, SEEN_A);
	if (err == KEEL_OK)
		err = mark(st, flags, b, true, SEEN_B);
	/* A common ancestor's own ancestors are not lowest. */
	for (size_t i = 0; i < st->idx_cap && err == KEEL_OK; i++) {
		if ((flags[i] & (SEEN_A | SEEN_B)) == (SEEN_A | SEEN_B) && !(flags[i] & STALE))
			err = mark(st, flags, &st->idx[i].id, false, STALE);
	}
	for (size_t i = 0; i < st->idx_cap && err == KEEL_OK; i++) {
		if ((flags[i] & (SEEN_A | SEEN_B)) == (SEEN_A | SEEN_B) && !(flags[i] & STALE)) {
			if ((size_t)found < max)
				out[found] = st->idx[i].id;
			found++;
		}
	}
	free(flags);
	return err != KEEL_OK ? err : found;
}

/* ---- Trees ---------------------------------------------------------------- */

struct merge_ctx {
	struct keel_store *st;
	const struct keel_store_merge_opts *opts;
	bool virtual_base; /* merging ancestors: conflicts drop the path */
	int64_t time_ours, time_theirs;
	long conflicts;
	char path[KEEL_STORE_PATH_MAX + KEEL_STORE_NAME_MAX + 2];
};

struct tagged {
	struct keel_store_entry e;
	int side; /* 0 base, 1 ours, 2 theirs */
};

static int load_entries(struct keel_store *st, const struct keel_store_id *tree, int side,
                        struct tagged **list, size_t *n, size_t *cap, uint8_t **data)
{
	enum keel_store_type t;
	size_t len, pos = 0;
	struct keel_store_entry e;
	int err;

	*data = NULL;
	if (keel_store_id_is_zero(tree))
		return KEEL_OK;
	err = keel_store_get_object(st, tree, &t, data, &len);
	if (err != KEEL_OK)
		return err == KEEL_ENOENT ? KEEL_EINVAL : err;
	if (t != KEEL_STORE_TREE || keel_store_tree_check(*data, len) < 0)
		return KEEL_EINVAL;
	while (keel_store_tree_next(*data, len, &pos, &e) == KEEL_OK) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 32;
			struct tagged *p = realloc(*list, c * sizeof(*p));

			if (!p)
				return KEEL_ENOMEM;
			*list = p, *cap = c;
		}
		(*list)[*n].e = e;
		(*list)[(*n)++].side = side;
	}
	return KEEL_OK;
}

static int by_name(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	size_t n = x->e.name_len < y->e.name_len ? x->e.name_len : y->e.name_len;
	int c = memcmp(x->e.name, y->e.name, n);

	if (c)
		return c;
	if (x->e.name_len != y->e.name_len)
		return x->e.name_len < y->e.name_len ? -1 : 1;
	return x->side - y->side;
}

static bool same(const struct keel_store_entry *a, const struct keel_store_entry *b)
{
	if (!a || !b)
		return a == b;
	return a->mode == b->mode && keel_store_id_eq(&a->id, &b->id);
}

static bool is_dir(const struct keel_store_entry *e)
{
	return e && e->mode == KEEL_STORE_MODE_DIR;
}

static void conflict(struct merge_ctx *m, enum keel_store_conflict why)
{
	if (m->virtual_base)
		return;
	m->conflicts++;
	if (m->opts && m->opts->conflict)
		m->opts->conflict(m->opts->conflict_arg, m->path, why);
}

static const struct keel_store_merge_rule *rule_for(struct merge_ctx *m)
{
	const struct keel_store_merge_rule *best = NULL;

	for (size_t i = 0; m->opts && i < m->opts->n_rules; i++) {
		const struct keel_store_merge_rule *r = &m->opts->rules[i];
		size_t pl = strlen(r->prefix);

		if (strncmp(m->path, r->prefix, pl) == 0 && (!best || pl > strlen(best->prefix)))
			best = r;
	}
	return best;
}

static int side_of(struct keel_store *st, const struct keel_store_entry *e, int64_t time,
                   struct keel_store_side *s, uint8_t **buf)
{
	enum keel_store_type t;
	size_t len;
	int err;

	*buf = NULL;
	s->data = NULL;
	s->len = 0;
	s->time = time;
	if (!e || e->mode == KEEL_STORE_MODE_DIR)
		return KEEL_OK;
	err = keel_store_get_object(st, &e->id, &t, buf, &len);
	if (err != KEEL_OK)
		return err == KEEL_ENOENT ? KEEL_EINVAL : err;
	s->data = *buf;
	s->len = len;
	return KEEL_OK;
}

/* Merges two changed files through the path's merge function. *res gets
 * the merged entry; *present false when it conflicted. */
static int merge_files(struct merge_ctx *m, const struct keel_store_entry *b,
                       const struct keel_store_entry *o, const struct keel_store_entry *t,
                       struct keel_store_entry *res, bool *present)
{
	const struct keel_store_merge_rule *r = rule_for(m);
	struct keel_store_side sb, so, stt;
	uint8_t *bb, *ob, *tb, *out = NULL;
	size_t out_len = 0;
	int err;

	*present = false;
	if (o->mode != t->mode || o->mode == KEEL_STORE_MODE_GITLINK || !r) {
		conflict(m, KEEL_STORE_CONFLICT_CONTENT);
		return KEEL_OK;
	}
	err = side_of(m->st, is_dir(b) ? NULL : b, 0, &sb, &bb);
	if (err == KEEL_OK)
		err = side_of(m->st, o, m->time_ours, &so, &ob);
	else
		ob = NULL;
	if (err == KEEL_OK)
		err = side_of(m->st, t, m->time_theirs, &stt, &tb);
	else
		tb = NULL;
	if (err == KEEL_OK)
		err = r->fn(r->arg, m->path, &sb, &so, &stt, &out, &out_len);
	if (err == KEEL_OK) {
		*res = *o;
		err = keel_store_put(m->st, KEEL_STORE_BLOB, out, out_len, &res->id);
		*present = err == KEEL_OK;
		free(out);
	} else if (err == KEEL_EAGAIN) {
		conflict(m, KEEL_STORE_CONFLICT_CONTENT);
		err = KEEL_OK;
	}
	free(bb), free(ob), free(tb);
	return err;
}

/* Three-way merge of trees (zero ids: empty). *out zero: empty result.
 * m->path holds the directory's path (plen bytes). */
static int merge_tree(struct merge_ctx *m, const struct keel_store_id *base,
                      const struct keel_store_id *ours, const struct keel_store_id *theirs,
                      size_t plen, struct keel_store_id *out, int depth)
{
	struct tagged *list = NULL;
	size_t n = 0, cap = 0, nr = 0;
	uint8_t *d[3] = { NULL, NULL, NULL };
	struct keel_store_entry *res = NULL;
	const struct keel_store_id *ids[3] = { base, ours, theirs };
	int err = KEEL_OK;

	if (depth > KEEL_STORE_PATH_MAX / 2)
		return KEEL_EINVAL;
	for (int s = 0; s < 3 && err == KEEL_OK; s++)
		err = load_entries(m->st, ids[s], s, &list, &n, &cap, &d[s]);
	if (err == KEEL_OK && n) {
		res = malloc(n * sizeof(*res));
		if (!res)
			err = KEEL_ENOMEM;
		qsort(list, n, sizeof(*list), by_name);
	}
	for (size_t i = 0; i < n && err == KEEL_OK;) {
		const struct keel_store_entry *e[3] = { NULL, NULL, NULL };
		size_t j = i;

		while (j < n && list[j].e.name_len == list[i].e.name_len &&
		       memcmp(list[j].e.name, list[i].e.name, list[i].e.name_len) == 0) {
			e[list[j].side] = &list[j].e;
			j++;
		}
		const struct keel_store_entry *b = e[0], *o = e[1], *t = e[2];
		size_t nl = list[i].e.name_len;
		bool present = false;
		struct keel_store_entry r;

		if (plen + 1 + nl > KEEL_STORE_PATH_MAX) {
			err = KEEL_EINVAL;
			break;
		}
		size_t sub = plen;
		if (plen)
			m->path[sub++] = '/';
		memcpy(m->path + sub, list[i].e.name, nl);
		m->path[sub + nl] = 0;

		if (same(o, t)) {
			if (o)
				r = *o, present = true;
		} else if (same(b, o)) {
			if (t)
				r = *t, present = true;
		} else if (same(b, t)) {
			if (o)
				r = *o, present = true;
		} else if (is_dir(o) && is_dir(t)) {
			struct keel_store_id zero = { { 0 } }, sub_id;

			err = merge_tree(m, is_dir(b) ? &b->id : &zero, &o->id, &t->id, sub + nl,
			                 &sub_id, depth + 1);
			if (err == KEEL_OK && !keel_store_id_is_zero(&sub_id)) {
				r = *o;
				r.id = sub_id;
				present = true;
			}
		} else if (!o || !t) {
			conflict(m, KEEL_STORE_CONFLICT_DELETE);
		} else if (is_dir(o) || is_dir(t)) {
			conflict(m, KEEL_STORE_CONFLICT_KIND);
		} else {
			err = merge_files(m, b, o, t, &r, &present);
		}
		if (present)
			res[nr++] = r;
		m->path[plen] = 0;
		i = j;
	}
	if (err == KEEL_OK) {
		if (nr == 0) {
			memset(out, 0, sizeof(*out));
		} else {
			uint8_t *enc;
			size_t elen;

			err = keel_store_tree_encode(res, nr, &enc, &elen);
			if (err == KEEL_OK) {
				err = keel_store_put(m->st, KEEL_STORE_TREE, enc, elen, out);
				free(enc);
			}
		}
	}
	free(res);
	free(list);
	for (int s = 0; s < 3; s++)
		free(d[s]);
	return err;
}

#define LCA_MAX 16

/*
 * The tree to merge against for commits a and b: the tree of their one
 * lowest common ancestor, or, with several, the merge of those (each
 * pair against its own ancestors, recursively), where a path they
 * conflict on is left out. Zero: no common ancestor.
 */
static int base_tree(struct keel_store *st, const struct keel_store_id *a,
                     const struct keel_store_id *b, struct keel_store_id *tree, int depth)
{
	struct keel_store_id lca[LCA_MAX];
	long n = keel_store_lca(st, a, b, lca, LCA_MAX);
	int err;

	if (n < 0)
		return (int)n;
	memset(tree, 0, sizeof(*tree));
	if (n == 0)
		return KEEL_OK;
	if (n > LCA_MAX || depth > 8)
		return KEEL_ENOMEM;
	err = store_commit_tree(st, &lca[0], tree);
	for (long i = 1; i < n && err == KEEL_OK; i++) {
		struct merge_ctx vm = { st, NULL, true, 0, 0, 0, { 0 } };
		struct keel_store_id vb, ti;

		err = base_tree(st, &lca[0], &lca[i], &vb, depth + 1);
		if (err == KEEL_OK)
			err = store_commit_tree(st, &lca[i], &ti);
		if (err == KEEL_OK) {
			struct keel_store_id merged;

			err = merge_tree(&vm, &vb, tree, &ti, 0, &merged, 0);
			*tree = merged;
		}
	}
	return err;
}

static int64_t commit_time(struct keel_store *st, const struct keel_store_id *id)
{
	struct keel_store_id p[KEEL_STORE_PARENTS_MAX];
	unsigned n;
	int64_t t = 0;

	(void)parents_of(st, id, p, &n, &t);
	return t;
}

long keel_store_merge(struct keel_store *st, const char *from, const char *into,
                      const struct keel_store_merge_opts *opts, const struct keel_store_info *info,
                      struct keel_store_id *commit)
{
	struct keel_store_id a, b, lca[LCA_MAX], base, ta, tb, merged, parents[2], id;
	struct merge_ctx m = { st, opts, false, 0, 0, 0, { 0 } };
	long n;
	int err;

	if (keel_store_ref_is_tag(into, strlen(into)) || keel_store_ref_is_tag(from, strlen(from)))
		return KEEL_EINVAL;
	if (keel_store_ref_get(st, into, &a) != KEEL_OK ||
	    keel_store_ref_get(st, from, &b) != KEEL_OK)
		return KEEL_ENOENT;
	n = keel_store_lca(st, &a, &b, lca, LCA_MAX);
	if (n < 0)
		return n;
	for (long i = 0; i < n && i < LCA_MAX; i++) {
		if (keel_store_id_eq(&lca[i], &b)) { /* into already has from */
			if (commit)
				*commit = a;
			return 0;
		}
		if (keel_store_id_eq(&lca[i], &a)) { /* fast-forward */
			err = keel_store_ref_cas(st, into, &a, &b);
			if (err == KEEL_OK && commit)
				*commit = b;
			return err;
		}
	}
	err = base_tree(st, &a, &b, &base, 0);
	if (err == KEEL_OK)
		err = store_commit_tree(st, &a, &ta);
	if (err == KEEL_OK)
		err = store_commit_tree(st, &b, &tb);
	if (err != KEEL_OK)
		return err;
	m.time_ours = commit_time(st, &a);
	m.time_theirs = commit_time(st, &b);
	err = merge_tree(&m, &base, &ta, &tb, 0, &merged, 0);
	if (err != KEEL_OK)
		return err;
	if (m.conflicts)
		return m.conflicts;
	if (keel_store_id_is_zero(&merged)) {
		err = keel_store_put(st, KEEL_STORE_TREE, "", 0, &merged);
		if (err != KEEL_OK)
			return err;
	}
	parents[0] = a;
	parents[1] = b;
	struct keel_store_info mi = { 0 };
	char msg[2 * KEEL_STORE_REF_MAX + 32];
	if (info)
		mi = *info;
	if (!mi.message) {
		snprintf(msg, sizeof(msg), "Merge branch '%s' into %s\n", from, into);
		mi.message = msg;
	}
	err = store_make_commit(st, &merged, parents, 2, &mi, &id);
	if (err == KEEL_OK)
		err = keel_store_ref_cas(st, into, &a, &id);
	if (err == KEEL_OK && commit)
		*commit = id;
	return err;
}

/*
 * ref.c — refs (branches and tags): names, the sorted table,
 * compare-and-set.
 */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

bool keel_store_ref_name_valid(const char *name, size_t len)
{
	size_t comp = 0; /* bytes of the current component */

	if (len == 0 || len > KEEL_STORE_REF_MAX || name[0] == '/' || name[len - 1] == '/' ||
	    name[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '/') {
			if (comp == 0)
				return false;
			if (comp >= 5 && memcmp(name + i - 5, ".lock", 5) == 0)
				return false;
			comp = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
		if (c == '.' && (comp == 0 || name[i - 1] == '.'))
			return false;
		comp++;
	}
	return !(comp >= 5 && memcmp(name + len - 5, ".lock", 5) == 0);
}

bool keel_store_ref_is_tag(const char *name, size_t len)
{
	size_t p = sizeof(KEEL_STORE_TAG_PREFIX) - 1;

	return len > p && memcmp(name, KEEL_STORE_TAG_PREFIX, p) == 0;
}

static int name_cmp(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a);
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Index of the first ref >= name. */
static size_t lower_bound(struct keel_store *st, const char *name, size_t len)
{
	size_t lo = 0, hi = st->n_refs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (name_cmp(st->refs[mid].name, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ref_entry *store_ref_find(struct keel_store *st, const char *name, size_t len)
{
	size_t i = lower_bound(st, name, len);

	if (i < st->n_refs && name_cmp(st->refs[i].name, name, len) == 0)
		return &st->refs[i];
	return NULL;
}

int store_ref_apply(struct keel_store *st, const char *name, size_t len,
                    const struct keel_store_id *id)
{
	size_t i = lower_bound(st, name, len);
	bool found = i < st->n_refs && name_cmp(st->refs[i].name, name, len) == 0;

	if (keel_store_id_is_zero(id)) {
		if (found) {
			free(st->refs[i].name);
			memmove(&st->refs[i], &st->refs[i + 1],
			        (st->n_refs - i - 1) * sizeof(st->refs[0]));
			st->n_refs--;
		}
		return KEEL_OK;
	}
	if (found) {
		st->refs[i].id = *id;
		return KEEL_OK;
	}
	if (st->n_refs >= st->cfg.max_refs)
		return KEEL_ENOMEM;
	struct ref_entry *r = realloc(st->refs, (st->n_refs + 1) * sizeof(*r));
	if (!r)
		return KEEL_ENOMEM;
	st->refs = r;
	char *copy = malloc(len + 1);
	if (!copy)
		return KEEL_ENOMEM;
	memcpy(copy, name, len);
	copy[len] = 0;
	memmove(&r[i + 1], &r[i], (st->n_refs - i) * sizeof(r[0]));
	r[i].name = copy;
	r[i].id = *id;
	st->n_refs++;
	return KEEL_OK;
}

int keel_store_ref_get(struct keel_store *st, const char *name, struct keel_store_id *id)
{
	struct ref_entry *r = store_ref_find(st, name, strlen(name));

	if (!r) {
		memset(id, 0, sizeof(*id));
		return KEEL_ENOENT;
	}
	*id = r->id;
	return KEEL_OK;
}

int store_branch_get(struct keel_store *st, const char *name, struct keel_store_id *id)
{
	if (keel_store_ref_is_tag(name, strlen(name))) {
		memset(id, 0, sizeof(*id));
		return KEEL_EINVAL;
	}
	return keel_store_ref_get(st, name, id);
}

int store_ref_stage(struct keel_store *st, const char *name, const struct keel_store_id *new_id)
{
	size_t len = strlen(name);
	int err;

	if (!keel_store_ref_name_valid(name, len))
		return KEEL_EINVAL;
	if (!keel_store_id_is_zero(new_id)) {
		struct idx_entry *e = store_idx_find(st, new_id);

		if (!e || (e->type != KEEL_STORE_COMMIT && !keel_store_ref_is_tag(name, len)))
			return KEEL_EINVAL;
		if (!store_ref_find(st, name, len) &&
		    st->n_refs + st->n_pending >= st->cfg.max_refs)
			return KEEL_ENOMEM;
	}
	err = store_log_append(st, REC_REF, new_id->b, KEEL_STORE_ID_LEN, name, len, NULL);
	if (err == KEEL_OK)
		err = store_pending_add(st, name, len, new_id);
	return err;
}

int keel_store_ref_cas(struct keel_store *st, const char *name, const struct keel_store_id *old,
                       const struct keel_store_id *new_id)
{
	struct keel_store_id cur;
	int err;

	if (st->broken)
		return KEEL_EIO;
	if (!keel_store_ref_name_valid(name, strlen(name)))
		return KEEL_EINVAL;
	(void)keel_store_ref_get(st, name, &cur);
	if (!keel_store_id_eq(&cur, old))
		return KEEL_EAGAIN;
	err = store_ref_stage(st, name, new_id);
	if (err == KEEL_OK)
		err = store_txn_commit(st);
	else if (err != KEEL_EINVAL)
		store_txn_rollback(st); /* the log may hold a half-staged update */
	if (err == KEEL_OK && st->broken)
		err = KEEL_EIO;
	return err;
}

int keel_store_ref_each(struct keel_store *st,
                        int (*fn)(void *arg, const char *name, const struct keel_store_id *id),
                        void *arg)
{
	for (size_t i = 0; i < st->n_refs; i++) {
		int r = fn(arg, st->refs[i].name, &st->refs[i].id);

		if (r != KEEL_OK)
			return r;
	}
	return KEEL_OK;
}

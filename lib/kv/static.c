/*
 * The compiled-in store: a table keel-mkkv wrote, sorted by key, in the
 * image's read-only data. Lookups are a binary search; values point
 * straight at the table's bytes.
 */
#include <string.h>

#include <keel/kv.h>

static const struct keel_kv_static *table_of(struct keel_kv *kv)
{
	return (const struct keel_kv_static *)(const void *)kv;
}

/* memcmp order on (bytes, length). */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	if (d)
		return d;
	return alen < blen ? -1 : alen > blen;
}

static void fill(const struct keel_kv_static_entry *e, struct keel_kv_value *out)
{
	out->data = e->data;
	out->len = e->len;
	out->gzip_data = e->gzip_data;
	out->gzip_len = e->gzip_data ? e->gzip_len : 0;
	out->content_type = e->content_type;
	out->etag = e->etag;
	out->mtime = e->mtime;
	out->ref = (uintptr_t)e;
	out->data_static = true;
}

/* The first entry whose key is not below `key`. */
static size_t lower_bound(const struct keel_kv_static *t, const char *key, size_t len)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct keel_kv_static_entry *e = &t->entries[mid];

		if (key_cmp(e->key, e->key_len, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int static_get(struct keel_kv *kv, const char *key, size_t len, struct keel_kv_value *out)
{
	const struct keel_kv_static *t = table_of(kv);
	size_t i = lower_bound(t, key, len);

	if (i == t->count || key_cmp(t->entries[i].key, t->entries[i].key_len, key, len) != 0)
		return KEEL_ENOENT;
	fill(&t->entries[i], out);
	return KEEL_OK;
}

static int static_next(struct keel_kv *kv, const char *prefix, size_t plen, size_t *cursor,
                       const char **key, struct keel_kv_value *out)
{
	const struct keel_kv_static *t = table_of(kv);
	size_t i = *cursor;
	const struct keel_kv_static_entry *e;

	/* The cursor is the index of the next entry, plus one (so that 0
	 * means "start"). */
	i = i == 0 ? lower_bound(t, prefix, plen) : i - 1;
	if (i >= t->count)
		return KEEL_ENOENT;
	e = &t->entries[i];
	if (e->key_len < plen || memcmp(e->key, prefix, plen) != 0)
		return KEEL_ENOENT;
	fill(e, out);
	*key = e->key;
	*cursor = i + 2;
	return KEEL_OK;
}

static long static_read(struct keel_kv *kv, const struct keel_kv_value *v, bool gzip,
                        uint64_t offset, void *buf, size_t len)
{
	const unsigned char *data = gzip ? v->gzip_data : v->data;
	uint64_t size = gzip ? v->gzip_len : v->len;

	if (!data || offset >= size)
		return 0;
	if (len > size - offset)
		len = (size_t)(size - offset);
	memcpy(buf, data + offset, len);
	return (long)len;
}

const struct keel_kv_ops keel_kv_static_ops = {
	.get = static_get,
	.next = static_next,
	.read = static_read,
	.close = NULL,
};

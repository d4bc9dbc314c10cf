/*
 * A ustar archive (POSIX.1-1988 "ustar" interchange format) on a block
 * device, as a read-only store.
 *
 * The archive is a run of 512-byte header blocks, each followed by its
 * file's bytes padded to 512, ended by zero blocks. keel_kv_tar_open reads
 * every header once and builds a sorted index (names in one arena,
 * entries in one array: both bounded by the configuration); a get is then
 * a binary search, and file bytes are read from the device only when
 * asked for.
 *
 * Every header is hostile until checked: its checksum must match, its
 * octal fields must be octal and in range, the file must lie inside the
 * device, and its name must make a valid key (keel_kv_key_valid: no
 * absolute path, no "..", no empty or "." component, no control byte).
 * A header that fails the first checks makes the whole archive invalid
 * (its framing cannot be trusted past that point); an entry with a bad
 * name or of another type (directory, link, device) is only skipped.
 * pax ('x') and GNU long-name ('L', 'K') records are not understood; as
 * they would change the meaning of the entry that follows, that entry is
 * skipped too.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/kv.h>

#define TAR_BLOCK 512
#define ETAG_LEN 18 /* '"' 16 hex digits '"' */

/* Offsets of the ustar header fields. */
enum {
	H_NAME = 0,     /* 100 bytes */
	H_MODE = 100,   /* 8 */
	H_SIZE = 124,   /* 12, octal */
	H_MTIME = 136,  /* 12, octal */
	H_CHKSUM = 148, /* 8, octal */
	H_TYPE = 156,   /* 1 */
	H_MAGIC = 257,  /* "ustar" */
	H_PREFIX = 345, /* 155 */
};

struct tar_entry {
	const char *key;
	uint32_t key_len;
	uint32_t seq;    /* order in the archive: the later copy of a name wins */
	uint64_t offset; /* of the file's bytes on the device */
	uint64_t size;
	uint64_t mtime;
	int32_t gzip; /* index of the "NAME.gz" entry, or -1 */
	char etag[ETAG_LEN + 1];
};

struct tar_kv {
	struct keel_kv kv;
	kp_handle dev;
	uint32_t block_size;
	uint64_t capacity;
	struct tar_entry *entries;
	size_t count;
	char *names;
	unsigned char *block; /* one device block */
	uint64_t block_at;    /* its offset; UINT64_MAX when it holds none */
};

static struct tar_kv *tar_of(struct keel_kv *kv)
{
	return (struct tar_kv *)(void *)kv;
}

/* Reads the device block holding byte `off` into the block buffer. */
static int load_block(struct tar_kv *t, uint64_t off)
{
	uint64_t at = off & ~(uint64_t)(t->block_size - 1);
	int err;

	if (at == t->block_at)
		return KEEL_OK;
	t->block_at = UINT64_MAX;
	err = kp_block_read(t->dev, at, t->block, t->block_size);
	if (err)
		return err;
	t->block_at = at;
	return KEEL_OK;
}

/* Copies len bytes at device offset `off` (inside the device) into buf. */
static int device_read(struct tar_kv *t, uint64_t off, void *buf, size_t len)
{
	unsigned char *out = buf;

	while (len > 0) {
		size_t in_block = off & (t->block_size - 1), n;
		int err;

		if (in_block == 0 && len >= t->block_size) {
			/* Whole blocks go straight to the caller. */
			n = len - len % t->block_size;
			err = kp_block_read(t->dev, off, out, n);
			if (err)
				return err;
		} else {
			err = load_block(t, off);
			if (err)
				return err;
			n = t->block_size - in_block;
			if (n > len)
				n = len;
			memcpy(out, t->block + in_block, n);
		}
		out += n;
		off += n;
		len -= n;
	}
	return KEEL_OK;
}

/* An octal field: optional leading spaces, octal digits, then NUL or
 * spaces to its end. Base-256 (GNU, first byte 0x80) is refused. */
static bool octal(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool any = false;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
		any = true;
	}
	for (; i < len; i++)
		if (f[i] != 0 && f[i] != ' ')
			return false;
	*out = v;
	return any;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t stored;
	uint32_t sum = 0;
	int32_t ssum = 0;

	if (!octal(h + H_CHKSUM, 8, &stored))
		return false;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : h[i];

		sum += c;
		ssum += (signed char)c;
	}
	/* Some old writers summed signed bytes. */
	return stored == sum || (int64_t)stored == ssum;
}

static bool all_zero(const unsigned char *h)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/* Length of a NUL-padded field (it may fill the field without a NUL). */
static size_t field_len(const unsigned char *f, size_t max)
{
	size_t n = 0;

	while (n < max && f[n])
		n++;
	return n;
}

static void etag_from(uint64_t h, char *out)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '"';
	for (int i = 0; i < 16; i++)
		out[1 + i] = hex[(h >> (60 - 4 * i)) & 15];
	out[17] = '"';
	out[18] = 0;
}

/* What the scan builds before the index is final. */
struct builder {
	struct tar_entry *entries;
	size_t count, cap, max;
	char *names;
	size_t names_len, names_cap, names_max;
};

/* Appends an entry named name[0..len); the key pointer is an offset into
 * the arena until the arena stops moving. */
static int add_entry(struct builder *b, const char *name, size_t len, struct tar_entry *e)
{
	if (b->count == b->max || len + 1 > b->names_max - b->names_len)
		return KEEL_ENOMEM;
	if (b->count == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct tar_entry *n;

		if (cap > b->max)
			cap = b->max;
		n = realloc(b->entries, cap * sizeof(*n));
		if (!n)
			return KEEL_ENOMEM;
		b->entries = n;
		b->cap = cap;
	}
	if (len + 1 > b->names_cap - b->names_len) {
		size_t cap = b->names_cap ? b->names_cap : 4096;
		char *n;

		while (len + 1 > cap - b->names_len)
			cap *= 2;
		if (cap > b->names_max)
			cap = b->names_max;
		n = realloc(b->names, cap);
		if (!n)
			return KEEL_ENOMEM;
		b->names = n;
		b->names_cap = cap;
	}
	memcpy(b->names + b->names_len, name, len);
	b->names[b->names_len + len] = 0;
	e->key = (const char *)(uintptr_t)b->names_len;
	e->key_len = (uint32_t)len;
	e->seq = (uint32_t)b->count;
	b->entries[b->count++] = *e;
	b->names_len += len + 1;
	return KEEL_OK;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int d = memcmp(a, b, alen < blen ? alen : blen);

	if (d)
		return d;
	return alen < blen ? -1 : alen > blen;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct tar_entry *a = pa, *b = pb;
	int d = key_cmp(a->key, a->key_len, b->key, b->key_len);

	if (d)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static long find(const struct tar_kv *t, const char *key, size_t len)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = key_cmp(t->entries[mid].key, t->entries[mid].key_len, key, len);

		if (d == 0)
			return (long)mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Reads the headers; fills the builder. */
static int scan(struct tar_kv *t, struct builder *b, struct keel_kv_tar_stats *st)
{
	unsigned char h[TAR_BLOCK];
	char name[155 + 1 + 100 + 1];
	uint64_t pos = 0;
	bool skip_next = false;
	int err;

	while (pos + TAR_BLOCK <= t->capacity) {
		uint64_t size, mtime, span;
		size_t nlen, plen, len;
		const char *key;
		struct tar_entry e;
		char type;

		err = device_read(t, pos, h, TAR_BLOCK);
		if (err)
			return err;
		if (all_zero(h))
			break; /* the end marker */
		if (!checksum_ok(h) || memcmp(h + H_MAGIC, "ustar", 5) != 0 ||
		    !octal(h + H_SIZE, 12, &size) || !octal(h + H_MTIME, 12, &mtime))
			return KEEL_EINVAL;
		span = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		if (size > t->capacity || span > t->capacity - pos - TAR_BLOCK)
			return KEEL_EINVAL; /* the file runs past the device */
		type = (char)h[H_TYPE];

		if (type == 'x' || type == 'L' || type == 'K') {
			skip_next = true;
			st->skipped_type++;
		} else if (type != '0' && type != 0 && type != '7') {
			st->skipped_type++;
			skip_next = false;
		} else if (skip_next) {
			st->skipped_type++;
			skip_next = false;
		} else {
			plen = field_len(h + H_PREFIX, 155);
			nlen = field_len(h + H_NAME, 100);
			len = 0;
			if (plen) {
				memcpy(name, h + H_PREFIX, plen);
				name[plen] = '/';
				len = plen + 1;
			}
			memcpy(name + len, h + H_NAME, nlen);
			len += nlen;
			key = name;
			while (len >= 2 && key[0] == '.' && key[1] == '/') {
				key += 2;
				len -= 2;
			}
			if (!keel_kv_key_valid(key, len)) {
				st->skipped_name++;
			} else {
				e.offset = pos + TAR_BLOCK;
				e.size = size;
				e.mtime = mtime;
				e.gzip = -1;
				/* Without hashing the bytes: the header itself and
				 * where the bytes are. */
				etag_from(
				    keel_kv_fnv1a(keel_kv_fnv1a(KEEL_KV_FNV_INIT, h, TAR_BLOCK),
				                  &e.offset, sizeof(e.offset)),
				    e.etag);
				err = add_entry(b, key, len, &e);
				if (err)
					return err;
			}
		}
		pos += TAR_BLOCK + span;
	}
	st->archive_bytes = pos;
	return KEEL_OK;
}

/* ETag from the file's bytes. */
static int hash_contents(struct tar_kv *t, struct tar_entry *e)
{
	unsigned char piece[TAR_BLOCK];
	uint64_t h = KEEL_KV_FNV_INIT, off = 0;

	while (off < e->size) {
		size_t n = e->size - off < sizeof(piece) ? (size_t)(e->size - off) : sizeof(piece);
		int err = device_read(t, e->offset + off, piece, n);

		if (err)
			return err;
		h = keel_kv_fnv1a(h, piece, n);
		off += n;
	}
	etag_from(h, e->etag);
	return KEEL_OK;
}

/* Sorts, keeps the last copy of each name, links gzip siblings. */
static int finish(struct tar_kv *t, struct builder *b, const struct keel_kv_tar_config *cfg,
                  struct keel_kv_tar_stats *st)
{
	size_t out = 0;

	for (size_t i = 0; i < b->count; i++)
		b->entries[i].key = b->names + (uintptr_t)b->entries[i].key;
	if (b->count)
		qsort(b->entries, b->count, sizeof(b->entries[0]), entry_cmp);
	for (size_t i = 0; i < b->count; i++) {
		if (i + 1 < b->count && b->entries[i].key_len == b->entries[i + 1].key_len &&
		    memcmp(b->entries[i].key, b->entries[i + 1].key, b->entries[i].key_len) == 0) {
			st->replaced++;
			continue;
		}
		b->entries[out++] = b->entries[i];
	}
	t->entries = b->entries;
	t->count = out;
	t->names = b->names;
	st->entries = (uint32_t)out;
	for (size_t i = 0; i < out; i++) {
		struct tar_entry *e = &t->entries[i];

		if (cfg->hash_contents) {
			int err = hash_contents(t, e);

			if (err)
				return err;
		}
		if (cfg->gzip_siblings && e->key_len > 3 &&
		    memcmp(e->key + e->key_len - 3, ".gz", 3) == 0) {
			long base = find(t, e->key, e->key_len - 3);

			if (base >= 0)
				t->entries[base].gzip = (int32_t)i;
		}
	}
	return KEEL_OK;
}

static void fill(struct tar_kv *t, const struct tar_entry *e, struct keel_kv_value *out)
{
	out->data = NULL;
	out->len = e->size;
	out->gzip_data = NULL;
	out->gzip_len = e->gzip >= 0 ? t->entries[e->gzip].size : 0;
	out->content_type = keel_kv_content_type(e->key, e->key_len);
	out->etag = e->etag;
	out->mtime = e->mtime;
	out->ref = (uintptr_t)e;
	out->data_static = false;
}

static int tar_get(struct keel_kv *kv, const char *key, size_t len, struct keel_kv_value *out)
{
	struct tar_kv *t = tar_of(kv);
	long i = find(t, key, len);

	if (i < 0)
		return KEEL_ENOENT;
	fill(t, &t->entries[i], out);
	return KEEL_OK;
}

static int tar_next(struct keel_kv *kv, const char *prefix, size_t plen, size_t *cursor,
                    const char **key, struct keel_kv_value *out)
{
	struct tar_kv *t = tar_of(kv);
	size_t i = *cursor;
	const struct tar_entry *e;

	if (i == 0) {
		size_t lo = 0, hi = t->count;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (key_cmp(t->entries[mid].key, t->entries[mid].key_len, prefix, plen) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		i = lo;
	} else {
		i--;
	}
	if (i >= t->count)
		return KEEL_ENOENT;
	e = &t->entries[i];
	if (e->key_len < plen || memcmp(e->key, prefix, plen) != 0)
		return KEEL_ENOENT;
	fill(t, e, out);
	*key = e->key;
	*cursor = i + 2;
	return KEEL_OK;
}

static long tar_read(struct keel_kv *kv, const struct keel_kv_value *v, bool gzip, uint64_t offset,
                     void *buf, size_t len)
{
	struct tar_kv *t = tar_of(kv);
	const struct tar_entry *e = (const struct tar_entry *)v->ref;

	if (gzip) {
		if (e->gzip < 0)
			return 0;
		e = &t->entries[e->gzip];
	}
	if (offset >= e->size)
		return 0;
	if (len > e->size - offset)
		len = (size_t)(e->size - offset);
	if (len > (size_t)1 << 30)
		len = (size_t)1 << 30;
	if (device_read(t, e->offset + offset, buf, len) != KEEL_OK)
		return KEEL_EIO;
	return (long)len;
}

static void tar_close(struct keel_kv *kv)
{
	struct tar_kv *t = tar_of(kv);

	free(t->entries);
	free(t->names);
	free(t->block);
	free(t);
}

static const struct keel_kv_ops tar_ops = {
	.get = tar_get,
	.next = tar_next,
	.read = tar_read,
	.close = tar_close,
};

int keel_kv_tar_open_handle(kp_handle handle, const struct kp_block_info *info,
                            const struct keel_kv_tar_config *cfg, struct keel_kv **out,
                            struct keel_kv_tar_stats *stats)
{
	struct keel_kv_tar_config def = { 0 };
	struct keel_kv_tar_stats st = { 0 };
	struct builder b = { 0 };
	struct tar_kv *t;
	int err;

	if (!cfg)
		cfg = &def;
	if (info->block_size < TAR_BLOCK || (info->block_size & (info->block_size - 1)) ||
	    info->capacity % info->block_size) {
		err = KEEL_EINVAL;
		goto done;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->block = malloc(info->block_size))) {
		free(t);
		err = KEEL_ENOMEM;
		goto done;
	}
	t->kv.ops = &tar_ops;
	t->dev = handle;
	t->block_size = info->block_size;
	t->capacity = info->capacity;
	t->block_at = UINT64_MAX;
	b.max = cfg->max_entries ? cfg->max_entries : 4096;
	b.names_max = cfg->max_name_bytes ? cfg->max_name_bytes : 256 * 1024;

	err = scan(t, &b, &st);
	if (!err)
		err = finish(t, &b, cfg, &st);
	if (err) {
		t->entries = NULL;
		t->names = NULL;
		free(b.entries);
		free(b.names);
		free(t->block);
		free(t);
	} else {
		*out = &t->kv;
	}
done:
	if (stats)
		*stats = st;
	return err;
}

int keel_kv_tar_open(const char *device, const struct keel_kv_tar_config *cfg, struct keel_kv **out,
                     struct keel_kv_tar_stats *stats)
{
	struct kp_block_info info;
	kp_handle h;
	int err = kp_block_acquire(device, &h, &info);

	if (err) {
		if (stats)
			memset(stats, 0, sizeof(*stats));
		return err;
	}
	return keel_kv_tar_open_handle(h, &info, cfg, out, stats);
}

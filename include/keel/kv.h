/*
 * keel/kv.h — a read-only key-value store of named byte strings: the
 * static content a server hands out (implementation: lib/kv).
 *
 * A store is a table of operations as its first field, like a flow; two
 * implementations exist:
 *
 *   compiled in   `keel-mkkv DIR` (tools/mkkv.c) turns a folder into a C
 *                 source file holding every file's bytes, content type,
 *                 ETag, modification time and, when smaller, a gzip
 *                 variant. The bytes live in the image's read-only data:
 *                 a get returns pointers to them, nothing is copied.
 *   tar           a ustar archive on a block device (keel_kv_tar_open):
 *                 an index is built at open; bytes are read from the
 *                 device on demand with keel_kv_read().
 *
 * Keys are relative paths: bytes other than NUL, components separated by
 * one '/', no leading or trailing '/', no "." or ".." component
 * ("index.html", "css/site.css"). Keys sort by their bytes (memcmp).
 *
 * None of these calls blocks the fiber: the tar store reads the block
 * device, which the platform does synchronously.
 */
#ifndef KEEL_KV_H
#define KEEL_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/err.h>
#include <keel/platform.h>

struct keel_kv;

/* Longest key any implementation stores, in bytes (NUL not included). */
#define KEEL_KV_KEY_MAX 255
/* Longest ETag text, quotes included (NUL not included). */
#define KEEL_KV_ETAG_MAX 40

/*
 * What a get returns. Every pointer stays valid as long as the store is
 * open (for the compiled-in store: forever).
 */
struct keel_kv_value {
	/* The bytes, or NULL when they are not in memory: then read them
	 * with keel_kv_read(). */
	const void *data;
	uint64_t len;
	/* The gzip-encoded variant (RFC 1952) of the same bytes: gzip_len 0
	 * when there is none; gzip_data NULL when it is not in memory. */
	const void *gzip_data;
	uint64_t gzip_len;
	/* A media type ("text/html; charset=utf-8"); never NULL. */
	const char *content_type;
	/* A strong entity tag with its double quotes ("\"9f3a...\""),
	 * NUL-terminated, at most KEEL_KV_ETAG_MAX bytes; it changes whenever
	 * the bytes do. The gzip variant's tag is this one with "-gz" added
	 * inside the quotes (the HTTP server derives it). */
	const char *etag;
	/* Last modification, seconds since 1970-01-01T00:00:00Z; 0: unknown. */
	uint64_t mtime;
	/* The implementation's own reference, for read(). */
	uintptr_t ref;
	/* True when the bytes at data and gzip_data are the image's own
	 * read-only data (the compiled-in store): valid and unchanged for the
	 * image's whole run, so a server may send them by reference
	 * (keel_flow_write_static). Every implementation sets it. */
	bool data_static;
};

struct keel_kv_ops {
	/* See keel_kv_get(). */
	int (*get)(struct keel_kv *kv, const char *key, size_t key_len, struct keel_kv_value *out);
	/* See keel_kv_next(). */
	int (*next)(struct keel_kv *kv, const char *prefix, size_t prefix_len, size_t *cursor,
	            const char **key, struct keel_kv_value *out);
	/* See keel_kv_read(). */
	long (*read)(struct keel_kv *kv, const struct keel_kv_value *v, bool gzip, uint64_t offset,
	             void *buf, size_t len);
	/* See keel_kv_close(). May be NULL: nothing to release. */
	void (*close)(struct keel_kv *kv);
};

struct keel_kv {
	const struct keel_kv_ops *ops;
};

/*
 * Looks up the `key_len` bytes at `key` (need not be NUL-terminated).
 * Returns KEEL_OK and fills *out, or KEEL_ENOENT.
 */
static inline int keel_kv_get(struct keel_kv *kv, const char *key, size_t key_len,
                              struct keel_kv_value *out)
{
	return kv->ops->get(kv, key, key_len, out);
}

/*
 * Iterates over the keys that begin with the `prefix_len` bytes at
 * `prefix` (0: every key), in key order. Start with *cursor = 0; each call
 * returns KEEL_OK with the next key (NUL-terminated, owned by the store)
 * and its value, and advances *cursor; KEEL_ENOENT when there is none
 * left.
 */
static inline int keel_kv_next(struct keel_kv *kv, const char *prefix, size_t prefix_len,
                               size_t *cursor, const char **key, struct keel_kv_value *out)
{
	return kv->ops->next(kv, prefix, prefix_len, cursor, key, out);
}

/*
 * Copies up to `len` bytes of a value (of its gzip variant when `gzip`)
 * starting at byte `offset` into buf, whether or not they are in memory.
 * Returns the number copied (0 at or past the end), or KEEL_EIO when the
 * device failed.
 */
static inline long keel_kv_read(struct keel_kv *kv, const struct keel_kv_value *v, bool gzip,
                                uint64_t offset, void *buf, size_t len)
{
	return kv->ops->read(kv, v, gzip, offset, buf, len);
}

/* Releases the store (values got from it become invalid). */
static inline void keel_kv_close(struct keel_kv *kv)
{
	if (kv->ops->close)
		kv->ops->close(kv);
}

/* ---- The compiled-in store ----------------------------------------------- */

/* One entry of a table written by keel-mkkv; sorted by key (memcmp). */
struct keel_kv_static_entry {
	const char *key;
	uint32_t key_len;
	const unsigned char *data;
	uint64_t len;
	const unsigned char *gzip_data; /* NULL: none */
	uint64_t gzip_len;
	const char *content_type;
	const char *etag;
	uint64_t mtime;
};

/* A compiled-in store: keel-mkkv defines one of these, named by its -n
 * option (default keel_site). Use `&keel_site.kv`:
 *
 *     extern struct keel_kv_static keel_site;
 *     struct keel_kv *kv = &keel_site.kv;
 */
struct keel_kv_static {
	struct keel_kv kv;
	const struct keel_kv_static_entry *entries;
	size_t count;
};

/* The operations of every compiled-in store (lib/kv/static.c). */
extern const struct keel_kv_ops keel_kv_static_ops;

#define KEEL_KV_STATIC_INIT(entries, count)                                                        \
	{                                                                                          \
		{ &keel_kv_static_ops }, (entries), (count)                                        \
	}

/* ---- The tar store ------------------------------------------------------- */

/* Bounds of what an archive can make the store hold (0: the default). */
struct keel_kv_tar_config {
	uint32_t max_entries;    /* files indexed; default 4096 */
	uint32_t max_name_bytes; /* all names together; default 256 KiB */
	/* true: ETags from a hash of every file's bytes (reads the whole
	 * archive at open); false: from the file's header and place in the
	 * archive, which changes when the archive is rebuilt with another
	 * size, time or order of that file. */
	bool hash_contents;
	/* true: a file "NAME.gz" becomes the gzip variant of "NAME" when
	 * both exist (it stays a key of its own as well). */
	bool gzip_siblings;
};

struct keel_kv_tar_stats {
	uint32_t entries;       /* files indexed */
	uint32_t skipped_type;  /* directories, links, devices, pax/GNU records */
	uint32_t skipped_name;  /* unsafe or over-long names */
	uint32_t replaced;      /* later copies of a name that won */
	uint64_t archive_bytes; /* up to the end marker */
};

/*
 * Opens the ustar archive on the platform block device `device` (declared
 * with KEEL_BLOCK_DEVICE) as a store. Every header is validated (checksum,
 * octal fields, sizes within the device); an invalid one fails the open
 * with KEEL_EINVAL. Entries that are not regular files, or whose names
 * are unsafe (absolute, "..", empty components, control bytes, longer
 * than KEEL_KV_KEY_MAX), are skipped and counted. A leading "./" is
 * dropped. When a name occurs twice the later entry wins, as with tar.
 * `cfg` may be NULL (defaults). Errors: KEEL_ENODEV (no such device),
 * KEEL_EINVAL (not a valid archive), KEEL_ENOMEM (a bound or the heap),
 * KEEL_EIO. Stats, when `stats` is not NULL, are filled even on failure.
 */
int keel_kv_tar_open(const char *device, const struct keel_kv_tar_config *cfg, struct keel_kv **out,
                     struct keel_kv_tar_stats *stats);

/* As keel_kv_tar_open() on a device already acquired. */
int keel_kv_tar_open_handle(kp_handle handle, const struct kp_block_info *info,
                            const struct keel_kv_tar_config *cfg, struct keel_kv **out,
                            struct keel_kv_tar_stats *stats);

/* ---- Shared helpers ------------------------------------------------------ */

/*
 * The media type for a file name, from its extension (case-insensitive):
 * "text/html; charset=utf-8" for "a.HTML", "application/octet-stream"
 * when unknown. Never NULL; the string is static.
 */
const char *keel_kv_content_type(const char *name, size_t len);

/* FNV-1a, 64 bits, continued from `h` (start with KEEL_KV_FNV_INIT). Not
 * a cryptographic hash: it only detects changes. */
#define KEEL_KV_FNV_INIT 0xcbf29ce484222325ull
uint64_t keel_kv_fnv1a(uint64_t h, const void *data, size_t len);

/* True when the `len` bytes at `key` form a valid key (see above). */
bool keel_kv_key_valid(const char *key, size_t len);

#endif

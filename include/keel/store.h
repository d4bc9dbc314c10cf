/*
 * keel/store.h — a branchable, Git-compatible store on a block device
 * (implementation: lib/store).
 *
 * Contents are Git blobs, directories Git trees, history Git commits; the
 * ids are the SHA-1 names `git hash-object`, `git mktree` and `git
 * commit-tree` give the same bytes. Named branches point at commits and
 * move by atomic compare-and-set. The objects and ref updates live in an
 * append-only log of checksummed records on a keel_block device (format in
 * lib/store/README.md); a commit is durable when its call returns, and a
 * crash at any write loses at most the commit in flight.
 *
 * Three layers, each usable alone:
 *
 *   objects   SHA-1, object ids, and encoders/parsers of trees and
 *             commits. Pure functions over caller memory; every parser
 *             validates and is bounded by its input length (hostile
 *             input is refused with KEEL_EINVAL, never read past).
 *   store     the log on a device: put/get objects, refs with
 *             compare-and-set, transactions.
 *   kv        get/set/remove/list by (branch, path), each set a commit;
 *             history; three-way merge.
 *
 * Nothing here blocks the fiber (block I/O is synchronous), and nothing
 * is safe to call from two fibers that interleave inside one call — calls
 * do not yield, so on one core they never do.
 */
#ifndef KEEL_STORE_H
#define KEEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/block.h>
#include <keel/err.h>

/* ---- SHA-1 and ids ------------------------------------------------------ */

#define KEEL_STORE_ID_LEN 20
#define KEEL_STORE_HEX_LEN 40

struct keel_store_id {
	uint8_t b[KEEL_STORE_ID_LEN];
};

/* An incremental SHA-1 (FIPS 180-4). Not constant-time. */
struct keel_sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
};
void keel_sha1_init(struct keel_sha1 *s);
void keel_sha1_update(struct keel_sha1 *s, const void *data, size_t len);
void keel_sha1_final(struct keel_sha1 *s, uint8_t out[KEEL_STORE_ID_LEN]);
void keel_sha1(const void *data, size_t len, uint8_t out[KEEL_STORE_ID_LEN]);

/* Lower-case hex, NUL-terminated. */
void keel_store_id_hex(const struct keel_store_id *id, char out[KEEL_STORE_HEX_LEN + 1]);
/* Exactly 40 hex digits (either case) to an id; KEEL_EINVAL otherwise. */
int keel_store_id_parse(const char *hex, size_t len, struct keel_store_id *out);
bool keel_store_id_eq(const struct keel_store_id *a, const struct keel_store_id *b);
/* The all-zero id means "none" (no such ref, no parent). */
bool keel_store_id_is_zero(const struct keel_store_id *id);

/* ---- Objects ------------------------------------------------------------ */

/* Object types, numbered as in Git's pack format. */
enum keel_store_type {
	KEEL_STORE_COMMIT = 1,
	KEEL_STORE_TREE = 2,
	KEEL_STORE_BLOB = 3,
	KEEL_STORE_TAG = 4,
};

/* "commit", "tree", "blob", "tag"; NULL for anything else. */
const char *keel_store_type_name(enum keel_store_type type);
/* The type of a name of `len` bytes, or KEEL_EINVAL. */
int keel_store_type_from_name(const char *name, size_t len);

/* Longest "TYPE SIZE\0" header. */
#define KEEL_STORE_HEADER_MAX 32
/* Writes Git's object header "TYPE SIZE\0" and returns its length (NUL
 * included). */
size_t keel_store_object_header(enum keel_store_type type, uint64_t len,
                                char out[KEEL_STORE_HEADER_MAX]);

/* The Git id of an object: SHA-1 of header and content. */
void keel_store_hash(enum keel_store_type type, const void *data, size_t len,
                     struct keel_store_id *out);

/* Tree entry modes Git writes (octal). */
#define KEEL_STORE_MODE_FILE 0100644u
#define KEEL_STORE_MODE_EXEC 0100755u
#define KEEL_STORE_MODE_LINK 0120000u
#define KEEL_STORE_MODE_DIR 040000u
#define KEEL_STORE_MODE_GITLINK 0160000u

/* Longest entry name (one path component) and longest path. */
#define KEEL_STORE_NAME_MAX 255
#define KEEL_STORE_PATH_MAX 4096

/* One entry of a tree. `name` need not be NUL-terminated; when parsed it
 * points into the tree's bytes. */
struct keel_store_entry {
	uint32_t mode;
	const char *name;
	size_t name_len;
	struct keel_store_id id;
};

/*
 * True when the `len` bytes at `name` are a valid entry name: 1 to
 * KEEL_STORE_NAME_MAX bytes, no '/' or NUL, not "." or "..".
 */
bool keel_store_name_valid(const char *name, size_t len);

/*
 * Git's order of tree entries: by name bytes, where a directory's name
 * compares as if it ended with '/' ("a.c" < "a/" < "a0"). memcmp-like
 * result.
 */
int keel_store_entry_cmp(const struct keel_store_entry *a, const struct keel_store_entry *b);

/* Sorts `n` entries into Git's order (in place). */
void keel_store_entries_sort(struct keel_store_entry *e, size_t n);

/*
 * Encodes `n` entries as a tree object's content. Entries are sorted
 * first (the array is reordered). KEEL_EINVAL: a name is invalid, a mode
 * is not one of the five above, or two entries share a name. On success
 * *out is a malloc'd buffer of *len bytes the caller frees (an empty tree
 * is a valid, 0-byte object: *out is then still a non-NULL buffer).
 * KEEL_ENOMEM.
 */
int keel_store_tree_encode(struct keel_store_entry *e, size_t n, uint8_t **out, size_t *len);

/*
 * Reads the entry at *pos of the tree content `data` (`len` bytes) into
 * *out (its name points into data) and advances *pos. Start with *pos =
 * 0. Returns KEEL_OK, KEEL_ENOENT at the end, KEEL_EINVAL on malformed
 * bytes (bad mode, empty or invalid name, truncated id).
 */
int keel_store_tree_next(const uint8_t *data, size_t len, size_t *pos,
                         struct keel_store_entry *out);

/*
 * Checks a whole tree: every entry well formed (as tree_next), modes
 * canonical (as Git writes them), names strictly in Git's order. Returns
 * the number of entries, or KEEL_EINVAL.
 */
long keel_store_tree_check(const uint8_t *data, size_t len);

/* Finds `name` in a tree's content; KEEL_OK and *out, KEEL_ENOENT, or
 * KEEL_EINVAL (malformed tree). */
int keel_store_tree_find(const uint8_t *data, size_t len, const char *name, size_t name_len,
                         struct keel_store_entry *out);

/* Who and when, as in a commit's author and committer lines. */
struct keel_store_person {
	const char *name; /* no '<', '>', '\n'; not NUL-terminated when parsed */
	size_t name_len;
	const char *email; /* no '<', '>', '\n' */
	size_t email_len;
	int64_t time;   /* seconds since 1970-01-01T00:00:00Z */
	int tz_minutes; /* offset east of UTC, -5999..5999 (+0130 is 90) */
};

#define KEEL_STORE_PARENTS_MAX 16

struct keel_store_commit {
	struct keel_store_id tree;
	struct keel_store_id parents[KEEL_STORE_PARENTS_MAX];
	unsigned n_parents;
	struct keel_store_person author, committer;
	const char *message; /* everything after the blank line, as is */
	size_t message_len;
};

/*
 * Encodes a commit's content exactly as `git commit-tree` does (no
 * encoding or gpgsig headers). KEEL_EINVAL: a name or email holds '<',
 * '>' or '\n', a time zone is out of range, too many parents. *out is
 * malloc'd, the caller frees it. KEEL_ENOMEM.
 */
int keel_store_commit_encode(const struct keel_store_commit *c, uint8_t **out, size_t *len);

/*
 * Parses a commit's content into *out (strings point into data). Header
 * lines Keel does not use (encoding, gpgsig, mergetag, ...) are skipped,
 * continuation lines included. KEEL_EINVAL: no tree line, a bad id, more
 * than KEEL_STORE_PARENTS_MAX parents, a malformed person line, no blank
 * line before the message.
 */
int keel_store_commit_parse(const uint8_t *data, size_t len, struct keel_store_commit *out);

/* An annotated tag object's content. */
struct keel_store_tag {
	struct keel_store_id object; /* what it tags */
	enum keel_store_type type;   /* that object's type */
	const char *name;            /* the tag's name; not NUL-terminated */
	size_t name_len;
	bool has_tagger; /* very old tags have no tagger line */
	struct keel_store_person tagger;
	const char *message; /* everything after the blank line (signature
	                      * included), as is; empty when there is none */
	size_t message_len;
};

/*
 * Parses a tag object's content into *out (strings point into data):
 * "object ID", "type TYPE", "tag NAME", an optional "tagger" line, header
 * lines Keel does not use (skipped), then a blank line and the message,
 * or nothing. KEEL_EINVAL: those lines missing or out of order, a bad id
 * or type, an empty name or one holding NUL, a malformed tagger line.
 */
int keel_store_tag_parse(const uint8_t *data, size_t len, struct keel_store_tag *out);

/* Adler-32 (RFC 1950) of `len` bytes, continued from `a` (start with 1). */
uint32_t keel_store_adler32(uint32_t a, const void *data, size_t len);

/* Bytes keel_store_zlib_stored() writes for `len` input bytes. */
size_t keel_store_zlib_stored_size(size_t len);

/*
 * Wraps `len` bytes in a zlib stream (RFC 1950) of uncompressed ("stored",
 * RFC 1951) blocks: what a Git loose object is, without needing a
 * compressor in the image. `out` holds keel_store_zlib_stored_size(len)
 * bytes; returns that count.
 */
size_t keel_store_zlib_stored(const void *data, size_t len, uint8_t *out);

/* ---- The store on a device ----------------------------------------------- */

struct keel_store;

/* Bounds (0: the default). */
struct keel_store_config {
	uint32_t max_object;  /* bytes of one object; default 16 MiB */
	uint32_t max_objects; /* objects indexed; default 1,048,576 */
	uint32_t max_refs;    /* refs (branches and tags); default 256 */
	/* Commits between two superblock writes (checkpoints); default 64.
	 * Open verifies the log from the last checkpoint on. */
	uint32_t checkpoint_every;
	/* A checkpoint first writes an index segment (the locations of the
	 * objects logged since the last segment, and the refs) when at
	 * least this many objects were added since; open then reads the
	 * segments and scans only the log after the newest. Default 1024. */
	uint32_t index_every;
	/* Open ignores the index segments and scans the whole log. */
	bool full_scan;
};

/* Longest ref name. Names are 1..KEEL_STORE_REF_MAX bytes of
 * [A-Za-z0-9._-/], no "//", no leading or trailing '/' or '.', no "..",
 * no component ending in ".lock" (a subset of Git's rule). */
#define KEEL_STORE_REF_MAX 200
bool keel_store_ref_name_valid(const char *name, size_t len);

/*
 * Refs are branches and tags. A ref named "tags/NAME" is a tag — Git's
 * refs/tags/NAME — and may point at any object of the store (an
 * annotated tag object, or a commit for a lightweight tag); every other
 * ref is a branch — Git's refs/heads/NAME — and points at a commit. The
 * key-value, history and merge calls below take branches only and refuse
 * a tag's name with KEEL_EINVAL; tags move only by keel_store_ref_cas.
 */
#define KEEL_STORE_TAG_PREFIX "tags/"
/* True when the `len` bytes at `name` name a tag (start with "tags/"). */
bool keel_store_ref_is_tag(const char *name, size_t len);

/*
 * Writes an empty store on `dev` (two superblocks; the log starts empty)
 * and flushes. Everything the device held is lost. KEEL_EINVAL: the
 * device is too small (under 64 KiB); KEEL_EIO.
 */
int keel_store_format(struct keel_block *dev);

/*
 * Opens the store on `dev` (which must outlive the store): reads the
 * newer valid superblock and the index segments it names (when one
 * does not check out, all are ignored and the whole log is scanned),
 * indexes every object and ref of the log after them, and verifies each
 * record from the last checkpoint on; the first record that does not
 * verify ends the log, and a transaction it cuts is dropped.
 * `cfg` may be NULL. A device error during a commit rolls that commit
 * back; should even that fail (or the heap fail mid-commit), every call
 * that writes returns KEEL_EIO until the store is closed and opened
 * again. Errors: KEEL_ENOENT (no store on the device),
 * KEEL_EINVAL (a record before the checkpoint is corrupt, or a bad cfg),
 * KEEL_ENOMEM (a bound or the heap), KEEL_EIO.
 */
int keel_store_open(struct keel_block *dev, const struct keel_store_config *cfg,
                    struct keel_store **out);

/* Writes a checkpoint (when the log grew since the last) and frees the
 * store. Does not close the device. NULL is a no-op. */
void keel_store_close(struct keel_store *st);

/*
 * Adds an object to the open transaction of the store (one is started
 * when none is). It is readable at once, durable when a commit
 * (keel_store_txn_commit, keel_store_sync) returns. An object already
 * present is not written again. KEEL_ENOMEM (too large, too many, or the
 * device is full), KEEL_EIO.
 */
int keel_store_put(struct keel_store *st, enum keel_store_type type, const void *data, size_t len,
                   struct keel_store_id *id);

/*
 * Reads object `id`: *data is a malloc'd copy (plus a NUL after the last
 * byte) the caller frees. `type` may be NULL. KEEL_ENOENT, KEEL_EIO,
 * KEEL_EINVAL (the record fails its checksum), KEEL_ENOMEM.
 */
int keel_store_get_object(struct keel_store *st, const struct keel_store_id *id,
                          enum keel_store_type *type, uint8_t **data, size_t *len);

/*
 * Calls fn for every object in the store (in no particular order) with
 * its id, type and size; stops early and returns what fn returned when
 * that is not KEEL_OK. fn must not add objects.
 */
int keel_store_object_each(struct keel_store *st,
                           int (*fn)(void *arg, const struct keel_store_id *id,
                                     enum keel_store_type type, size_t len),
                           void *arg);

/* True when object `id` is in the store. */
bool keel_store_has(struct keel_store *st, const struct keel_store_id *id);

/*
 * The object ref `name` points at: a branch's commit, a tag's object
 * (*id zero: no such ref: KEEL_ENOENT).
 */
int keel_store_ref_get(struct keel_store *st, const char *name, struct keel_store_id *id);

/*
 * Moves ref `name` from `old` to `new` when it is at `old` now (zero
 * `old`: the ref must not exist; zero `new`: delete it), as one durable
 * commit. KEEL_EAGAIN: the ref is elsewhere (nothing changed).
 * KEEL_EINVAL: bad name, or `new` is not in the store (or, for a branch,
 * not a commit). KEEL_ENOMEM: too many refs or the device is full.
 */
int keel_store_ref_cas(struct keel_store *st, const char *name, const struct keel_store_id *old,
                       const struct keel_store_id *new_id);

/*
 * Calls fn for each ref (branches and tags) in name order; stops early and returns what
 * fn returned when that is not KEEL_OK.
 */
int keel_store_ref_each(struct keel_store *st,
                        int (*fn)(void *arg, const char *name, const struct keel_store_id *id),
                        void *arg);

/*
 * Makes every object put since the last commit durable (one flush) even
 * though no ref moved. KEEL_EIO, KEEL_ENOMEM (device full).
 */
int keel_store_sync(struct keel_store *st);

/*
 * Reads every record of the log again and checks its checksum, every
 * object's SHA-1, that every tree, commit and tag parses, and that
 * everything a ref reaches (through tags, commits and trees) is present. Returns the number of
 * objects checked, or KEEL_EINVAL / KEEL_EIO.
 */
long keel_store_verify(struct keel_store *st);

/* ---- Key-value by branch and path --------------------------------------- */

/*
 * Paths are 1..KEEL_STORE_PATH_MAX bytes of valid entry names joined by
 * single '/' ("a", "docs/intro.md"); "" is the root (for list and log).
 * A file is a blob of mode 100644 in the tree of the branch's commit.
 */
bool keel_store_path_valid(const char *path, size_t len);

/* Who makes a commit and why. NULL or 0 fields take defaults: author
 * "keel <keel@localhost>", time from kp_clock_wall(), zone +0000, message
 * "update\n". The committer is the author. */
struct keel_store_info {
	const char *name;
	const char *email;
	const char *message;
	int64_t time;
	int tz_minutes;
};

/*
 * Reads file `path` of branch `branch`: *data is malloc'd (plus a NUL
 * after the last byte), the caller frees it. KEEL_ENOENT: no such branch
 * or file (or it is a directory); KEEL_EINVAL: bad names or a malformed
 * object; KEEL_ENOMEM, KEEL_EIO.
 */
int keel_store_get(struct keel_store *st, const char *branch, const char *path, uint8_t **data,
                   size_t *len);

/*
 * Sets file `path` of `branch` to the `len` bytes at `data` as one commit
 * (the branch is created when it does not exist; a file or directory in
 * the way is replaced). Durable on return. *commit (may be NULL) gets the
 * new commit's id — or the current one when nothing changed (no commit is
 * made then). Errors as keel_store_txn_commit().
 */
int keel_store_set(struct keel_store *st, const char *branch, const char *path, const void *data,
                   size_t len, const struct keel_store_info *info, struct keel_store_id *commit);

/* Removes file or directory `path` of `branch` as one commit; KEEL_ENOENT
 * when there is nothing there. Otherwise as keel_store_set(). */
int keel_store_remove(struct keel_store *st, const char *branch, const char *path,
                      const struct keel_store_info *info, struct keel_store_id *commit);

/*
 * Calls fn for each entry of directory `path` ("" the root) of `branch`,
 * in Git's order; name is not NUL-terminated. Stops early and returns
 * what fn returned when that is not KEEL_OK. KEEL_ENOENT: no such branch
 * or directory.
 */
int keel_store_list(struct keel_store *st, const char *branch, const char *path,
                    int (*fn)(void *arg, const char *name, size_t name_len, uint32_t mode,
                              const struct keel_store_id *id),
                    void *arg);

/*
 * The id of what `path` names in the tree of commit `commit` ("" the
 * tree itself): KEEL_OK with *id and *mode, KEEL_ENOENT.
 */
int keel_store_lookup(struct keel_store *st, const struct keel_store_id *commit, const char *path,
                      struct keel_store_id *id, uint32_t *mode);

/* A batch of changes to one branch, made one commit. */
struct keel_store_txn;

/* Most changes one transaction holds. */
#define KEEL_STORE_TXN_MAX 65536

/*
 * Starts a batch on `branch` (it need not exist yet) from its current
 * commit. KEEL_EINVAL (bad name), KEEL_ENOMEM.
 */
int keel_store_txn_begin(struct keel_store *st, const char *branch, struct keel_store_txn **out);

/* Sets / removes `path` in the batch (the last change of a path wins).
 * The bytes are written to the log at once (not yet durable).
 * KEEL_EINVAL (bad path), KEEL_ENOMEM (bounds, device full), KEEL_EIO. */
int keel_store_txn_set(struct keel_store_txn *txn, const char *path, const void *data, size_t len);
int keel_store_txn_remove(struct keel_store_txn *txn, const char *path);

/*
 * Makes the batch one commit whose parent is the commit the batch started
 * from, and moves the branch there by compare-and-set. Always frees txn.
 * KEEL_EAGAIN: the branch moved since txn_begin (nothing changed; merge
 * or retry). KEEL_ENOMEM (bounds, device full), KEEL_EIO, KEEL_EINVAL (a
 * malformed object on the way).
 */
int keel_store_txn_commit(struct keel_store_txn *txn, const struct keel_store_info *info,
                          struct keel_store_id *commit);

/* Drops the batch (objects already written stay, unreferenced). */
void keel_store_txn_abort(struct keel_store_txn *txn);

/* ---- History ------------------------------------------------------------- */

/*
 * Walks the history of `branch` newest first (by committer time, each
 * commit once), calling fn with each commit's id and parsed content
 * (valid during the call), at most `max` (0: no limit). With `path` not
 * NULL and not "", only the commits that changed what `path` names
 * relative to every parent (a root commit: that hold it) are reported.
 * fn returning other than KEEL_OK stops the walk with that value.
 * KEEL_ENOENT: no such branch.
 */
int keel_store_log(struct keel_store *st, const char *branch, const char *path, size_t max,
                   int (*fn)(void *arg, const struct keel_store_id *id,
                             const struct keel_store_commit *c),
                   void *arg);

/* ---- Merge --------------------------------------------------------------- */

/*
 * The lowest common ancestors of commits a and b: the common ancestors
 * that are not ancestors of another common ancestor. Writes up to `max`
 * into out and returns how many there are (0: unrelated histories), or a
 * negative keel_err.
 */
long keel_store_lca(struct keel_store *st, const struct keel_store_id *a,
                    const struct keel_store_id *b, struct keel_store_id *out, size_t max);

/* One side of a file being merged: its bytes, and the committer time of
 * the commit it comes from. data NULL: the file is absent on that side. */
struct keel_store_side {
	const uint8_t *data;
	size_t len;
	int64_t time;
};

/*
 * A merge function: given the file in the common ancestor (`base`,
 * data NULL when it did not exist), in the branch merged into (`ours`)
 * and in the one merged from (`theirs`) — both present and different,
 * and neither equal to base — writes a malloc'd result to *out / *out_len
 * and returns KEEL_OK, or returns KEEL_EAGAIN for a conflict (other
 * negative values abort the merge).
 */
typedef int (*keel_store_merge_fn)(void *arg, const char *path, const struct keel_store_side *base,
                                   const struct keel_store_side *ours,
                                   const struct keel_store_side *theirs, uint8_t **out,
                                   size_t *out_len);

/* Always a conflict: the default. */
int keel_store_merge_conflict(void *arg, const char *path, const struct keel_store_side *base,
                              const struct keel_store_side *ours,
                              const struct keel_store_side *theirs, uint8_t **out, size_t *out_len);
/* Decimal counters ("-12"): ours + theirs - base (absent base: 0). A
 * side that is not a counter is a conflict. */
int keel_store_merge_counter(void *arg, const char *path, const struct keel_store_side *base,
                             const struct keel_store_side *ours,
                             const struct keel_store_side *theirs, uint8_t **out, size_t *out_len);
/* Last writer wins: the side whose commit is newer; theirs on a tie. */
int keel_store_merge_lww(void *arg, const char *path, const struct keel_store_side *base,
                         const struct keel_store_side *ours, const struct keel_store_side *theirs,
                         uint8_t **out, size_t *out_len);
/* Line-based text merge (diff3 over a longest-common-subsequence match
 * of each side against the base): changes of the two sides to different
 * regions of the base combine; overlapping different changes conflict.
 * Files of more than 2000 lines are a conflict. */
int keel_store_merge_lines(void *arg, const char *path, const struct keel_store_side *base,
                           const struct keel_store_side *ours, const struct keel_store_side *theirs,
                           uint8_t **out, size_t *out_len);

/* Which merge function a path gets: the rule with the longest `prefix`
 * the path starts with (a prefix "" matches every path). */
struct keel_store_merge_rule {
	const char *prefix;
	keel_store_merge_fn fn;
	void *arg;
};

/* Why a path could not be merged. */
enum keel_store_conflict {
	KEEL_STORE_CONFLICT_CONTENT = 1, /* both changed a file; its function said conflict */
	KEEL_STORE_CONFLICT_DELETE = 2,  /* one side changed what the other removed */
	KEEL_STORE_CONFLICT_KIND = 3,    /* a file on one side, a directory on the other */
};

struct keel_store_merge_opts {
	const struct keel_store_merge_rule *rules; /* NULL: every path conflicts */
	size_t n_rules;
	/* Called for each conflicting path (may be NULL). */
	void (*conflict)(void *arg, const char *path, enum keel_store_conflict why);
	void *conflict_arg;
};

/*
 * Merges branch `from` into branch `into`: nothing when `into` already
 * contains `from`; a fast-forward when `into` is an ancestor of `from`;
 * else a three-way merge of the trees against the lowest common
 * ancestor — with several (criss-cross histories), against a virtual
 * ancestor made by merging them first, recursively, where a path those
 * conflict on counts as absent — and a commit with parents (into, from).
 * `into` moves by compare-and-set. Returns 0 when merged (*commit, may
 * be NULL, is the new head), the number of conflicting paths (> 0, no
 * commit made, each reported to opts->conflict), or a negative keel_err:
 * KEEL_ENOENT (a branch does not exist), KEEL_EAGAIN (`into` moved
 * meanwhile), KEEL_ENOMEM, KEEL_EIO, KEEL_EINVAL.
 */
long keel_store_merge(struct keel_store *st, const char *from, const char *into,
                      const struct keel_store_merge_opts *opts, const struct keel_store_info *info,
                      struct keel_store_id *commit);

/* ---- Compaction ----------------------------------------------------------- */

/*
 * Copies every object reachable from a ref (branch or tag) of `src`, and
 * the refs, into the empty store `dst` (another device, just formatted):
 * the garbage a long-lived log accumulates (old versions of files,
 * objects of dropped batches, refs deleted) stays behind. Ids are
 * unchanged. Each ref moves in `dst` only once everything it reaches is
 * there, so
 * a crash during the copy leaves `dst` a valid, partial store and `src`
 * untouched. Returns the number of objects copied, or KEEL_ENOMEM (dst is
 * full or a bound), KEEL_EINVAL (src is missing an object), KEEL_EIO.
 */
long keel_store_compact(struct keel_store *src, struct keel_store *dst);

/*
 * Compacts st on its own device: what its refs reach is copied (as by
 * keel_store_compact) into the free space past the log's end, the
 * superblock is pointed there, and then it is all copied back to the
 * front of the device and the superblock pointed there again. A crash at
 * any moment leaves either the log as it was or one of the copies, each
 * with every ref at the commit it had: nothing acknowledged is lost.
 * Objects put and not yet committed are committed first. Needs free
 * space past the log's end for what the refs reach (and as much in front
 * of that copy for the way back). Returns the number of objects kept, or
 * KEEL_ENOMEM (no room: the store is unchanged, or — when only the way
 * back did not fit — valid where the first copy put it), KEEL_EIO (the
 * store then refuses writes until reopened), KEEL_EINVAL (an object a
 * ref reaches is missing).
 */
long keel_store_compact_in_place(struct keel_store *st);

/* Counters. */
struct keel_store_stats {
	uint64_t objects; /* in the index */
	uint64_t refs;
	uint64_t log_bytes;   /* from the log's start to its end */
	uint64_t capacity;    /* bytes the log may use */
	uint64_t commits;     /* transactions made durable since open */
	uint64_t dropped_txn; /* partial transactions dropped at open */
	uint64_t checkpoints; /* superblock writes since open */
	uint64_t scanned;     /* records read at open by the scan */
	uint64_t indexed;     /* objects found at open in index segments */
	uint64_t segments;    /* index segments read at open and written since */
};
void keel_store_stats(struct keel_store *st, struct keel_store_stats *out);

#endif

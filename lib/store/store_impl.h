/*
 * Private to lib/store: the in-memory state of an open store and the
 * on-disk layout (described in README.md).
 */
#ifndef KEEL_LIB_STORE_IMPL_H
#define KEEL_LIB_STORE_IMPL_H

#include <keel/store.h>

/* ---- On-disk layout (little-endian) -------------------------------------- */

#define SB_MAGIC "KEELSTOR"
#define SB_VERSION 2   /* 1: no index segments (still read) */
#define SB_SIZE 512    /* each copy fills one 512-byte unit; copy i at i*512 */
#define LOG_START 4096 /* first record of a freshly formatted store */

/* Record header: crc, prev, len, type, 3 zero bytes; crc covers everything
 * after itself up to the end of the payload. */
#define REC_HEADER 16
enum rec_type {
	REC_OBJECT = 1,     /* payload: object type (1 byte), id (20), content */
	REC_REF = 2,        /* payload: new id (20; zero deletes), branch name */
	REC_END = 3,        /* payload: transaction number (8): ends a transaction */
	REC_INDEX = 4,      /* payload: index entries (IDX_ENTRY bytes each) */
	REC_INDEX_HEAD = 5, /* payload: an index segment's head (index.c) */
};
/* An index entry: id (20), record offset (8), content length (4), type (1). */
#define IDX_ENTRY (KEEL_STORE_ID_LEN + 8 + 4 + 1)
#define IDX_CHUNK 2000 /* entries per REC_INDEX record */
#define IDX_HEAD_MAX (1u << 20)
#define REC_OBJECT_HEAD (1 + KEEL_STORE_ID_LEN)

struct superblock {
	uint64_t gen;       /* higher wins; copy gen % 2 holds it */
	uint64_t log_start; /* the first record: LOG_START, or further on
	                     * after a compaction in place (compact.c) */
	uint64_t log_end;   /* every record before it is committed */
	uint32_t chain;     /* crc field of the record that ends there */
	uint32_t nonce;     /* the crc-chain seed of this store's first record */
	uint64_t txns;      /* transactions committed before log_end */
	uint64_t capacity;
	/* The newest index segment: its head record (0: none), and the end
	 * of the transaction it closes, with the chain value and
	 * transaction count there (where open's scan starts). */
	uint64_t idx_head, idx_end, idx_txns;
	uint32_t idx_chain;
};

/* ---- In memory ----------------------------------------------------------- */

struct idx_entry {
	struct keel_store_id id;
	uint64_t off; /* the record's offset; UINT64_MAX: empty slot */
	uint32_t len; /* content bytes */
	uint8_t type;
};

struct ref_entry {
	char *name;
	struct keel_store_id id;
};

struct pending_ref {
	char *name;
	struct keel_store_id id;
};

struct keel_store {
	struct keel_block *dev;
	struct keel_store_config cfg;
	struct superblock sb; /* the last written or read */

	/* Object index: open addressing, linear probing, power-of-two. */
	struct idx_entry *idx;
	size_t idx_cap, idx_count;

	struct ref_entry *refs; /* sorted by name */
	size_t n_refs;

	/* The log. end: committed (durable) end; tail: where the next record
	 * goes. chain_end/chain_tail: crc of the record ending there. */
	uint64_t end, tail;
	uint32_t chain_end, chain_tail;
	uint64_t txns;

	/* Bytes of the log from wbuf_base (sector-aligned) to tail not yet
	 * handed to the device, plus the start of the sector tail is in. */
	uint8_t *wbuf;
	size_t wbuf_len, wbuf_cap;
	uint64_t wbuf_base;

	/* The open transaction: ref updates applied at commit. */
	bool txn_open;
	struct pending_ref *pending;
	size_t n_pending;

	uint32_t since_checkpoint;
	/* Objects whose records lie at or past idx_from are in no index
	 * segment yet; idx_prev is the newest segment's head (0: none). */
	uint64_t idx_from, idx_prev;
	bool broken; /* an error left memory and medium apart: refuse all */
	struct keel_store_stats stats;
};

uint32_t store_crc32c(uint32_t crc, const void *data, size_t len);
uint32_t store_le32(const uint8_t *p);
uint64_t store_le64(const uint8_t *p);
void store_put_le32(uint8_t *p, uint32_t v);
void store_put_le64(uint8_t *p, uint64_t v);

/* Superblocks (super.c). */
int store_sb_write(struct keel_store *st, const struct superblock *sb);
int store_sb_read(struct keel_block *dev, struct superblock *out);

/* Index (index.c). */
struct idx_entry *store_idx_find(struct keel_store *st, const struct keel_store_id *id);
int store_idx_add(struct keel_store *st, const struct idx_entry *e);
/* Drops every entry whose record lies at or after `off`. */
int store_idx_truncate(struct keel_store *st, uint64_t off);
/* Writes an index segment when enough objects await one (a transaction
 * of its own, flushed); the caller then writes the superblock, which
 * names it. Nothing may be pending. */
int store_index_write(struct keel_store *st, struct superblock *sb);
/* Reads the segments sb names into the index and the refs; false when
 * one does not check out (the caller then scans the whole log). */
bool store_index_load(struct keel_store *st);

/* The log (log.c). */
int store_log_append(struct keel_store *st, enum rec_type type, const void *head, size_t head_len,
                     const void *body, size_t body_len, uint64_t *off);
int store_log_write_out(struct keel_store *st);
int store_txn_commit(struct keel_store *st);
/* Commits the open transaction's records (no refs, no checkpoint). */
int store_log_commit(struct keel_store *st);
void store_txn_rollback(struct keel_store *st);
int store_checkpoint(struct keel_store *st);
/* Reads `len` bytes of the log at `off`, wherever they are. */
int store_log_read(struct keel_store *st, uint64_t off, void *buf, size_t len);

/* Refs (ref.c). */
struct ref_entry *store_ref_find(struct keel_store *st, const char *name, size_t len);
int store_ref_apply(struct keel_store *st, const char *name, size_t len,
                    const struct keel_store_id *id);

int store_pending_add(struct keel_store *st, const char *name, size_t len,
                      const struct keel_store_id *id);
void store_free(struct keel_store *st);
/* Frees what the store holds in memory and reads it again from the
 * device (superblock and scan), keeping st itself (open.c). On failure
 * the store is left broken. */
int store_reload(struct keel_store *st);
/* keel_store_format on a device of at least min_capacity bytes (the
 * windows of a compaction in place may be smaller than a store's). */
int store_format(struct keel_block *dev, uint64_t min_capacity);
/* keel_store_ref_get for the key-value calls: a tag's name is KEEL_EINVAL
 * (ref.c). */
int store_branch_get(struct keel_store *st, const char *name, struct keel_store_id *id);
/* Appends a ref update to the open transaction (ref.c). */
int store_ref_stage(struct keel_store *st, const char *name, const struct keel_store_id *new_id);

/* Trees of commits, paths in trees (path.c). */
int store_commit_tree(struct keel_store *st, const struct keel_store_id *commit,
                      struct keel_store_id *tree);
int store_tree_walk(struct keel_store *st, const struct keel_store_id *tree, const char *path,
                    size_t len, struct keel_store_id *id, uint32_t *mode);

/* Builds and puts a commit of `tree` on `parents` (txn.c). */
int store_make_commit(struct keel_store *st, const struct keel_store_id *tree,
                      const struct keel_store_id *parents, unsigned n_parents,
                      const struct keel_store_info *info, struct keel_store_id *out);

#endif

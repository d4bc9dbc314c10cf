/*
 * The store on a device: objects and branches survive a reopen; ref
 * compare-and-set; bounds (device full, too many branches, object size);
 * a corrupted record before the checkpoint is refused, after it ends the
 * log; a device error rolls the transaction back; index segments.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "check.h"
#include "simdev.h"
#include "store_impl.h"

const char test_name[] = "store";

#define CAP (256 * 1024)

static int commit_of(struct keel_store *st, const char *msg, const struct keel_store_id *parent,
                     struct keel_store_id *out)
{
	struct keel_store_commit c = { 0 };
	uint8_t *enc;
	size_t len;
	int err;

	err = keel_store_put(st, KEEL_STORE_TREE, "", 0, &c.tree);
	if (err != KEEL_OK)
		return err;
	if (parent)
		c.parents[c.n_parents++] = *parent;
	c.author = (struct keel_store_person){ "A", 1, "a@b", 3, 1, 0 };
	c.committer = c.author;
	c.message = msg;
	c.message_len = strlen(msg);
	CHECK_OK(keel_store_commit_encode(&c, &enc, &len));
	err = keel_store_put(st, KEEL_STORE_COMMIT, enc, len, out);
	free(enc);
	return err;
}

static int count_refs(void *arg, const char *name, const struct keel_store_id *id)
{
	(*(int *)arg)++;
	return KEEL_OK;
}

static void basics(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_id a, b, c1, c2, got, zero = { { 0 } };
	enum keel_store_type t;
	uint8_t *data;
	size_t len;
	int n = 0;

	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK(keel_store_open(&d.blk, NULL, &st) == KEEL_ENOENT);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(keel_store_put(st, KEEL_STORE_BLOB, "hello\n", 6, &a));
	CHECK_OK(keel_store_put(st, KEEL_STORE_BLOB, "hello\n", 6, &b));
	CHECK(keel_store_id_eq(&a, &b));
	{
		char hex[41];
		keel_store_id_hex(&a, hex);
		CHECK(strcmp(hex, "ce013625030ba8dba906f756967f9e9ca394464a") == 0);
	}
	CHECK_OK(keel_store_get_object(st, &a, &t, &data, &len));
	CHECK(t == KEEL_STORE_BLOB && len == 6 && memcmp(data, "hello\n", 7) == 0);
	free(data);
	CHECK_OK(commit_of(st, "one\n", NULL, &c1));
	/* A ref may only name a commit. */
	CHECK(keel_store_ref_cas(st, "main", &zero, &a) == KEEL_EINVAL);
	CHECK(keel_store_ref_cas(st, "bad..name", &zero, &c1) == KEEL_EINVAL);
	CHECK_OK(keel_store_ref_cas(st, "main", &zero, &c1));
	CHECK(keel_store_ref_cas(st, "main", &zero, &c1) == KEEL_EAGAIN);
	CHECK_OK(commit_of(st, "two\n", &c1, &c2));
	CHECK(keel_store_ref_cas(st, "main", &c2, &c2) == KEEL_EAGAIN);
	CHECK_OK(keel_store_ref_cas(st, "main", &c1, &c2));
	CHECK_OK(keel_store_ref_cas(st, "feature/x", &zero, &c1));
	CHECK_OK(keel_store_ref_cas(st, "gone", &zero, &c1));
	CHECK_OK(keel_store_ref_cas(st, "gone", &c1, &zero));
	CHECK(keel_store_ref_get(st, "gone", &got) == KEEL_ENOENT);
	keel_store_close(st);

	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &c2));
	CHECK_OK(keel_store_ref_get(st, "feature/x", &got));
	CHECK(keel_store_id_eq(&got, &c1));
	CHECK(keel_store_ref_get(st, "gone", &got) == KEEL_ENOENT);
	CHECK_OK(keel_store_ref_each(st, count_refs, &n));
	CHECK(n == 2);
	CHECK(keel_store_verify(st) == 4);
	/* Objects put but never committed are gone after a reopen. */
	CHECK_OK(keel_store_put(st, KEEL_STORE_BLOB, "lost", 4, &b));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK(!keel_store_has(st, &b));
	CHECK(keel_store_has(st, &a));
	/* ... unless synced. */
	CHECK_OK(keel_store_put(st, KEEL_STORE_BLOB, "kept", 4, &b));
	CHECK_OK(keel_store_sync(st));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK(keel_store_has(st, &b));
	keel_store_close(st);
	simdev_free(&d);
}

static void bounds(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_config cfg = { .max_object = 1000, .max_refs = 2 };
	struct keel_store_id id, c1, zero = { { 0 } };
	static uint8_t big[20000];
	int full = 0;

	CHECK(simdev_init(&d, 64 * 1024, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK(keel_store_put(st, KEEL_STORE_BLOB, big, 1001, &id) == KEEL_ENOMEM);
	CHECK_OK(commit_of(st, "c\n", NULL, &c1));
	CHECK_OK(keel_store_ref_cas(st, "a", &zero, &c1));
	CHECK_OK(keel_store_ref_cas(st, "b", &zero, &c1));
	CHECK(keel_store_ref_cas(st, "c", &zero, &c1) == KEEL_ENOMEM);
	/* Fill the device: puts fail cleanly, committed state stays. */
	for (int i = 0; i < 200; i++) {
		memset(big, i, 1000);
		int err = keel_store_put(st, KEEL_STORE_BLOB, big, 1000, &id);
		if (err == KEEL_ENOMEM) {
			full = 1;
			break;
		}
		CHECK_OK(err);
		if (i % 10 == 9) {
			err = keel_store_sync(st);
			if (err == KEEL_ENOMEM) {
				full = 1;
				break;
			}
		}
	}
	CHECK(full);
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK_OK(keel_store_ref_get(st, "a", &id));
	CHECK(keel_store_id_eq(&id, &c1));
	CHECK_OK(keel_store_verify(st));
	keel_store_close(st);
	simdev_free(&d);
}

static void corruption(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_config cfg = { .checkpoint_every = 1 };
	struct keel_store_id c1, c2, got, zero = { { 0 } };

	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK_OK(commit_of(st, "c1\n", NULL, &c1));
	CHECK_OK(keel_store_ref_cas(st, "main", &zero, &c1));
	keel_store_close(st);
	/* A checkpointed record's header damaged: the store refuses. */
	d.data[4096 + 5] ^= 1;
	keel_block_invalidate(&d.blk);
	CHECK(keel_store_open(&d.blk, &cfg, &st) == KEEL_EINVAL);
	d.data[4096 + 5] ^= 1;
	keel_block_invalidate(&d.blk);

	/* Records after the checkpoint: a damaged one ends the log there. */
	cfg.checkpoint_every = 100;
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK_OK(commit_of(st, "c2\n", &c1, &c2));
	CHECK_OK(keel_store_ref_cas(st, "main", &c1, &c2));
	struct keel_store_stats s;
	keel_store_stats(st, &s);
	uint64_t end = 4096 + s.log_bytes;
	store_free(st);          /* a crash: no checkpoint at close */
	d.data[end - 3] ^= 0x40; /* inside the last record (REC_END) */
	keel_block_invalidate(&d.blk);
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &c1));
	keel_store_stats(st, &s);
	CHECK(s.dropped_txn == 1);
	CHECK_OK(keel_store_verify(st));
	keel_store_close(st);
	simdev_free(&d);
}

static void io_error(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_id c1, c2, got, zero = { { 0 } };

	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(commit_of(st, "c1\n", NULL, &c1));
	CHECK_OK(keel_store_ref_cas(st, "main", &zero, &c1));
	CHECK_OK(commit_of(st, "c2\n", &c1, &c2));
	d.fail_writes_after = 0;
	CHECK(keel_store_ref_cas(st, "main", &c1, &c2) == KEEL_EIO);
	d.fail_writes_after = -1;
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &c1));
	CHECK(!keel_store_has(st, &c2));
	/* And it goes on. */
	CHECK_OK(commit_of(st, "c2\n", &c1, &c2));
	CHECK_OK(keel_store_ref_cas(st, "main", &c1, &c2));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &c2));
	CHECK(keel_store_verify(st) == 3);
	keel_store_close(st);
	simdev_free(&d);
}

/* Index segments: an open from them finds what a full scan finds; a
 * damaged segment is passed over (full scan), and so is one a
 * compaction in place left behind. */
static void segments(void)
{
	struct keel_store_config cfg = { .checkpoint_every = 3, .index_every = 10 };
	struct keel_store_config scan = { .full_scan = true };
	struct keel_store_info info = { "S", "s@x", "m\n", 7, 0 };
	struct keel_store_stats a, b;
	struct keel_store_id head, got;
	struct simdev d;
	struct keel_store *st;
	char path[32], v[64];
	int refs_a = 0, refs_b = 0;

	CHECK(simdev_init(&d, 1024 * 1024, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	for (int i = 0; i < 60; i++) {
		snprintf(path, sizeof(path), "d%d/f%d", i % 4, i);
		snprintf(v, sizeof(v), "value %d", i);
		CHECK_OK(
		    keel_store_set(st, i % 3 ? "main" : "side", path, v, strlen(v), &info, &head));
	}
	keel_store_stats(st, &a);
	CHECK(a.segments >= 3);
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	keel_store_stats(st, &a);
	keel_store_ref_each(st, count_refs, &refs_a);
	CHECK(a.segments >= 3 && a.indexed > 0 && a.scanned < 20);
	CHECK(keel_store_verify(st) == (long)a.objects);
	CHECK_OK(keel_store_ref_get(st, "side", &got));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, &scan, &st));
	keel_store_stats(st, &b);
	keel_store_ref_each(st, count_refs, &refs_b);
	CHECK(b.objects == a.objects && b.segments == 0 && refs_a == refs_b && refs_a == 2);
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &head));
	keel_store_close(st);

	/* A flipped byte in the newest segment: its crc fails, the open
	 * scans the whole log and finds the same. */
	{
		struct superblock sb;

		CHECK_OK(store_sb_read(&d.blk, &sb));
		CHECK(sb.idx_head != 0);
		d.data[sb.idx_head + REC_HEADER + 40] ^= 1;
		keel_block_invalidate(&d.blk);
		CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
		keel_store_stats(st, &b);
		CHECK(b.objects == a.objects && b.segments == 0 && b.indexed == 0);
		CHECK(keel_store_verify(st) == (long)a.objects);
		keel_store_close(st);
		d.data[sb.idx_head + REC_HEADER + 40] ^= 1;
		keel_block_invalidate(&d.blk);
	}
	/* Compaction in place leaves the segments behind; the next
	 * checkpoints write new ones. */
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	CHECK(keel_store_compact_in_place(st) == (long)a.objects);
	for (int i = 0; i < 12; i++) {
		snprintf(v, sizeof(v), "again %d", i);
		CHECK_OK(keel_store_set(st, "main", "again", v, strlen(v), &info, &head));
	}
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, &cfg, &st));
	keel_store_stats(st, &b);
	CHECK(b.segments >= 1 && b.objects == a.objects + 12 * 3);
	CHECK(keel_store_verify(st) == (long)b.objects);
	CHECK_OK(keel_store_ref_get(st, "main", &got));
	CHECK(keel_store_id_eq(&got, &head));
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, &scan, &st));
	keel_store_stats(st, &a);
	CHECK(a.objects == b.objects);
	keel_store_close(st);
	simdev_free(&d);
}

/* CRC-32C known answers (RFC 3720's check value; all-zero and all-one
 * 32-byte blocks from its appendix B.4), and any split of the input
 * giving the same crc as the whole. */
static void crc(void)
{
	uint8_t zero[32] = { 0 }, ones[32], buf[100];
	uint32_t whole;

	memset(ones, 0xff, sizeof(ones));
	CHECK(store_crc32c(0, "123456789", 9) == 0xe3069283u);
	CHECK(store_crc32c(0, zero, 32) == 0x8a9136aau);
	CHECK(store_crc32c(0, ones, 32) == 0x62a8ab43u);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	whole = store_crc32c(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut++)
		CHECK(store_crc32c(store_crc32c(0, buf, cut), buf + cut, sizeof(buf) - cut) ==
		      whole);
}

int main(void)
{
	crc();
	basics();
	bounds();
	corruption();
	io_error();
	segments();
	printf("PASS %s\n", test_name);
	return 0;
}

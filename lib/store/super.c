/*
 * super.c — the two superblock copies. Copy (gen % 2) is overwritten, so
 * the other always holds the previous generation: a torn or lost write of
 * one copy leaves the older checkpoint readable.
 *
 *   0 magic "KEELSTOR"   8 version (4)   12 zero (4)   16 gen (8)
 *   24 log_start (8)     32 log_end (8)  40 chain (4)  44 nonce (4)
 *   48 capacity (8)      56 txns (8)     64 idx_head (8)  72 idx_end (8)
 *   80 idx_txns (8)      88 idx_chain (4)  ... zero ...  508 crc32c of 0..507
 *
 * Version 1 had no index fields (zero there): read as "no segment".
 */
#include <string.h>

#include "store_impl.h"

int store_sb_write(struct keel_store *st, const struct superblock *sb)
{
	uint8_t b[SB_SIZE];

	memset(b, 0, sizeof(b));
	memcpy(b, SB_MAGIC, 8);
	store_put_le32(b + 8, SB_VERSION);
	store_put_le64(b + 16, sb->gen);
	store_put_le64(b + 24, sb->log_start);
	store_put_le64(b + 32, sb->log_end);
	store_put_le32(b + 40, sb->chain);
	store_put_le32(b + 44, sb->nonce);
	store_put_le64(b + 48, sb->capacity);
	store_put_le64(b + 56, sb->txns);
	store_put_le64(b + 64, sb->idx_head);
	store_put_le64(b + 72, sb->idx_end);
	store_put_le64(b + 80, sb->idx_txns);
	store_put_le32(b + 88, sb->idx_chain);
	store_put_le32(b + 508, store_crc32c(0, b, 508));
	return keel_block_write(st->dev, (sb->gen % 2) * SB_SIZE, b, sizeof(b));
}

static bool decode(const uint8_t *b, uint64_t capacity, struct superblock *sb)
{
	uint32_t version = store_le32(b + 8);

	if (memcmp(b, SB_MAGIC, 8) != 0 || (version != 1 && version != SB_VERSION) ||
	    store_le32(b + 508) != store_crc32c(0, b, 508))
		return false;
	sb->idx_head = version == 1 ? 0 : store_le64(b + 64);
	sb->idx_end = version == 1 ? 0 : store_le64(b + 72);
	sb->idx_txns = version == 1 ? 0 : store_le64(b + 80);
	sb->idx_chain = version == 1 ? 0 : store_le32(b + 88);
	sb->gen = store_le64(b + 16);
	sb->log_start = store_le64(b + 24);
	sb->log_end = store_le64(b + 32);
	sb->chain = store_le32(b + 40);
	sb->nonce = store_le32(b + 44);
	sb->capacity = store_le64(b + 48);
	sb->txns = store_le64(b + 56);
	return sb->capacity <= capacity && sb->log_start >= LOG_START && sb->log_start % 512 == 0 &&
	       sb->log_end >= sb->log_start && sb->log_end <= sb->capacity &&
	       (sb->idx_head == 0 || (sb->idx_head >= sb->log_start && sb->idx_head < sb->idx_end &&
	                              sb->idx_end <= sb->log_end));
}

int store_sb_read(struct keel_block *dev, struct superblock *out)
{
	uint8_t b[2 * SB_SIZE];
	struct superblock s[2];
	bool ok[2];
	int err = keel_block_read(dev, 0, b, sizeof(b));

	if (err != KEEL_OK)
		return err;
	for (int i = 0; i < 2; i++)
		ok[i] =
		    decode(b + i * SB_SIZE, dev->capacity, &s[i]) && s[i].gen % 2 == (unsigned)i;
	if (!ok[0] && !ok[1])
		return KEEL_ENOENT;
	if (ok[0] && ok[1])
		*out = s[0].gen > s[1].gen ? s[0] : s[1];
	else
		*out = ok[0] ? s[0] : s[1];
	return KEEL_OK;
}

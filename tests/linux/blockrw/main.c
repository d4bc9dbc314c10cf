/*
 * blockrw — exercises block device "storage" through the platform calls.
 *
 *   blockrw CAPACITY
 *
 * Checks the capacity the platform reports against CAPACITY (the test made
 * the file a little larger, so the partial last block must be left out),
 * checks the argument validation, then writes a pattern over sectors 3..10
 * in one call and over the last sector, flushes, and reads it all back,
 * including the untouched sectors on each side. The test script checks the
 * file's bytes afterwards: byte at offset o of a written sector holds
 * (o * 31 + 7) % 251.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "image_util.h"

KEEL_BLOCK_DEVICE(storage);

#define SECTOR 512
#define FIRST 3
#define COUNT 8

int main(int argc, char **argv);

static unsigned char buf[(COUNT + 2) * SECTOR];

static int fail(const char *why)
{
	say("blockrw: FAIL: ");
	say(why);
	say("\n");
	return 1;
}

static unsigned char pattern(uint64_t offset)
{
	return (unsigned char)((offset * 31 + 7) % 251);
}

static void fill(unsigned char *p, uint64_t offset, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(offset + i);
}

static int matches(const unsigned char *p, uint64_t offset, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != pattern(offset + i))
			return 0;
	}
	return 1;
}

static int zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i])
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct kp_block_info info;
	kp_handle h;
	uint64_t last;

	if (kp_block_acquire("storage", &h, &info) != KEEL_OK)
		return fail("kp_block_acquire(storage)");
	if (kp_block_acquire("nothing", &h, &info) != KEEL_ENODEV)
		return fail("kp_block_acquire found an undeclared device");
	if (kp_net_acquire("storage", &h, &(struct kp_net_info){ { 0 }, 0, 0 }) != KEEL_ENODEV)
		return fail("kp_net_acquire took a block device");
	if (kp_block_acquire("storage", &h, &info) != KEEL_OK || h != 0)
		return fail("storage is not handle 0");
	say("blockrw: capacity ");
	say_num(info.capacity);
	say(" block size ");
	say_num(info.block_size);
	say("\n");
	if (argc > 1 && info.capacity != parse_num(argv[1]))
		return fail("capacity differs from the file's whole blocks");
	if (info.block_size != SECTOR || info.capacity < 16 * SECTOR)
		return fail("unexpected geometry");
	last = info.capacity - SECTOR;

	/* Everything platform.h calls invalid. */
	if (kp_block_read(h, 1, buf, SECTOR) != KEEL_EINVAL ||
	    kp_block_read(h, 0, buf, 100) != KEEL_EINVAL ||
	    kp_block_read(h, 0, buf, 0) != KEEL_EINVAL ||
	    kp_block_read(h, last, buf, 2 * SECTOR) != KEEL_EINVAL ||
	    kp_block_read(h, info.capacity, buf, SECTOR) != KEEL_EINVAL ||
	    kp_block_read(h, UINT64_MAX - (SECTOR - 1), buf, SECTOR) != KEEL_EINVAL ||
	    kp_block_write(h, last + SECTOR, buf, SECTOR) != KEEL_EINVAL ||
	    kp_block_read(h + 1, 0, buf, SECTOR) != KEEL_EINVAL ||
	    kp_block_flush(h + 7) != KEEL_EINVAL || kp_net_write(h, buf, 60) != KEEL_EINVAL)
		return fail("an invalid request was not refused with KEEL_EINVAL");

	fill(buf, FIRST * SECTOR, COUNT * SECTOR);
	if (kp_block_write(h, FIRST * SECTOR, buf, COUNT * SECTOR) != KEEL_OK)
		return fail("multi-sector write");
	fill(buf, last, SECTOR);
	if (kp_block_write(h, last, buf, SECTOR) != KEEL_OK)
		return fail("last-sector write");
	if (kp_block_flush(h) != KEEL_OK)
		return fail("flush");

	/* One read spanning the written run and a clean sector each side. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 0xee;
	if (kp_block_read(h, (FIRST - 1) * SECTOR, buf, (COUNT + 2) * SECTOR) != KEEL_OK)
		return fail("multi-sector read");
	if (!zero(buf, SECTOR) || !zero(buf + (COUNT + 1) * SECTOR, SECTOR))
		return fail("a sector next to the written run changed");
	if (!matches(buf + SECTOR, FIRST * SECTOR, COUNT * SECTOR))
		return fail("read-back differs from what was written");
	if (kp_block_read(h, last, buf, SECTOR) != KEEL_OK || !matches(buf, last, SECTOR))
		return fail("last sector read-back differs");

	say("blockrw: ok, wrote ");
	say_num(COUNT + 1);
	say(" sectors and read them back\n");
	return 0;
}

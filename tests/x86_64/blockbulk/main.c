/*
 * blockbulk — large transfers on block device "storage".
 *
 *   blockbulk KIB CALL_KIB
 *
 * Writes KIB KiB from offset 0 in calls of CALL_KIB KiB (the driver
 * splits each into several requests), flushes, then reads it all back in
 * calls of a different size (CALL_KIB - 1 KiB plus one sector, so that
 * call and request boundaries fall elsewhere than on the way in) and
 * checks every word. Every 32-bit word of sector s holds s ^ 0x5a5a0000,
 * which the test script checks in the file too. Prints the time spent
 * in the block calls of each phase (not in filling and checking the
 * buffer), for bench/block.sh.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/manifest.h>
#include <keel/platform.h>

#include "image_util.h"

KEEL_BLOCK_DEVICE(storage);

#define SECTOR 512
#define CALL_MAX (4u << 20)

int main(int argc, char **argv);

static uint32_t buf[CALL_MAX / 4];

static int fail(const char *why, uint64_t at)
{
	say("blockbulk: FAIL: ");
	say(why);
	say(" at byte ");
	say_num(at);
	say("\n");
	return 1;
}

static uint32_t word(uint64_t offset)
{
	return (uint32_t)(offset / SECTOR) ^ 0x5a5a0000u;
}

static void phase(const char *what, uint64_t kib, kp_time ns)
{
	say("blockbulk: ");
	say(what);
	say(" ");
	say_num(kib);
	say(" KiB in ");
	say_num(ns / 1000);
	say(" us\n");
}

int main(int argc, char **argv)
{
	struct kp_block_info info;
	kp_handle h;
	uint64_t total, call, off;
	kp_time t0, spent;

	if (argc != 3)
		return fail("usage: blockbulk KIB CALL_KIB", 0);
	total = parse_num(argv[1]) << 10;
	call = parse_num(argv[2]) << 10;
	if (call < 2048 || call > CALL_MAX || total == 0)
		return fail("CALL_KIB must be 2..4096 and KIB above 0", 0);
	if (kp_block_acquire("storage", &h, &info) != KEEL_OK)
		return fail("kp_block_acquire(storage)", 0);
	if (info.block_size != SECTOR || total > info.capacity)
		return fail("the disk is too small or not of 512-byte blocks", info.capacity);

	spent = 0;
	for (off = 0; off < total; off += call) {
		uint64_t n = total - off < call ? total - off : call;

		for (uint64_t i = 0; i < n / 4; i++)
			buf[i] = word(off + 4 * i);
		t0 = kp_clock_monotonic();
		if (kp_block_write(h, off, buf, n) != KEEL_OK)
			return fail("kp_block_write", off);
		spent += kp_clock_monotonic() - t0;
	}
	phase("wrote", total >> 10, spent);
	t0 = kp_clock_monotonic();
	if (kp_block_flush(h) != KEEL_OK)
		return fail("kp_block_flush", 0);
	phase("flushed", total >> 10, kp_clock_monotonic() - t0);

	call = call - 1024 + SECTOR;
	spent = 0;
	for (off = 0; off < total; off += call) {
		uint64_t n = total - off < call ? total - off : call;

		for (uint64_t i = 0; i < n / 4; i++)
			buf[i] = 0;
		t0 = kp_clock_monotonic();
		if (kp_block_read(h, off, buf, n) != KEEL_OK)
			return fail("kp_block_read", off);
		spent += kp_clock_monotonic() - t0;
		for (uint64_t i = 0; i < n / 4; i++) {
			if (buf[i] != word(off + 4 * i))
				return fail("wrong data read back", off + 4 * i);
		}
	}
	phase("read", total >> 10, spent);
	say("blockbulk: ok\n");
	return 0;
}

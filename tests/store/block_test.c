/*
 * lib/block: random byte-range reads and writes against a model, with
 * several cache shapes and none; partial-sector writes keep their
 * neighbours; out-of-range requests are refused; an I/O error leaves the
 * cache coherent.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/block.h>

#include "check.h"
#include "simdev.h"

const char test_name[] = "block";

#define CAP (256 * 1024)

static void random_ops(const struct keel_block_config *cfg)
{
	struct simdev d;
	static uint8_t model[CAP], buf[CAP];

	CHECK(simdev_init(&d, CAP, NULL, cfg) == 0);
	memset(model, 0, sizeof(model));
	for (int i = 0; i < 20000; i++) {
		uint64_t off = test_rand() % CAP;
		size_t len = (size_t)(test_rand() % (i % 10 == 0 ? 20000 : 700));

		if (len > CAP - off)
			len = (size_t)(CAP - off);
		if (test_rand() % 2) {
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)test_rand();
			CHECK_OK(keel_block_write(&d.blk, off, buf, len));
			memcpy(model + off, buf, len);
		} else {
			CHECK_OK(keel_block_read(&d.blk, off, buf, len));
			CHECK(memcmp(buf, model + off, len) == 0);
		}
		if (i % 1000 == 0)
			CHECK_OK(keel_block_flush(&d.blk));
	}
	/* The device itself holds the model (write-through). */
	CHECK(memcmp(d.data, model, CAP) == 0);
	CHECK(d.blk.stats.flushes == 20);
	CHECK(keel_block_read(&d.blk, CAP - 10, buf, 11) == KEEL_EINVAL);
	CHECK(keel_block_write(&d.blk, CAP + 1, buf, 0) == KEEL_EINVAL);
	CHECK(keel_block_read(&d.blk, UINT64_MAX, buf, 2) == KEEL_EINVAL);
	CHECK_OK(keel_block_read(&d.blk, CAP, buf, 0));

	/* An I/O error mid-write: the cache must not keep bytes the device
	 * does not have. */
	memset(buf, 0xab, 4096);
	d.fail_writes_after = 3;
	CHECK(keel_block_write(&d.blk, 1000, buf, 4096) == KEEL_EIO);
	d.fail_writes_after = -1;
	CHECK_OK(keel_block_read(&d.blk, 0, buf, CAP));
	CHECK(memcmp(buf, d.data, CAP) == 0);
	simdev_free(&d);
}

static void cache_hits(void)
{
	struct simdev d;
	uint8_t b[100];

	CHECK(simdev_init(&d, CAP, NULL, NULL) == 0);
	for (int i = 0; i < 100; i++)
		CHECK_OK(keel_block_read(&d.blk, 4096 + (uint64_t)i * 10, b, sizeof(b)));
	CHECK(d.blk.stats.reads == 1);
	CHECK(d.blk.stats.cache_misses == 1 && d.blk.stats.cache_hits == 99);
	/* A partial write reads its sector from the cache, writes one sector. */
	CHECK_OK(keel_block_write(&d.blk, 4100, "xyz", 3));
	CHECK(d.blk.stats.reads == 1 && d.blk.stats.writes == 1 && d.blk.stats.rmw == 1);
	CHECK_OK(keel_block_read(&d.blk, 4100, b, 3));
	CHECK(memcmp(b, "xyz", 3) == 0 && d.blk.stats.reads == 1);
	simdev_free(&d);
}

static void bad_config(void)
{
	struct simdev d;
	struct keel_block_config c = { .line_size = 300 };

	CHECK(simdev_init(&d, CAP, NULL, &c) != 0);
	c.line_size = 256;
	CHECK(simdev_init(&d, CAP, NULL, &c) != 0);
	CHECK(keel_block_open("storage", NULL, &(struct keel_block *){ NULL }) == KEEL_ENODEV);
}

int main(void)
{
	struct keel_block_config c;

	test_seed(7);
	random_ops(NULL);
	c = (struct keel_block_config){ .no_cache = true };
	random_ops(&c);
	c = (struct keel_block_config){ .line_size = 512, .lines = 3 };
	random_ops(&c);
	c = (struct keel_block_config){ .line_size = 65536, .lines = 2 };
	random_ops(&c);
	cache_hits();
	bad_config();
	printf("PASS %s\n", test_name);
	return 0;
}

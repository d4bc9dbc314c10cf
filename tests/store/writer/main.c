/*
 * writer — commits to a store on block device "storage" as fast as it
 * can, for tests/store/kill.t and tests/store/x86_64.t.
 *
 *   writer format         writes an empty store
 *   writer run SEED [N]   each commit sets "counter" to the next number
 *                         and rewrites a few files of 0.5-4 KiB under
 *                         data/; prints "acked N" once commit N is
 *                         durable; stops after N commits (default: never)
 *   writer check SEED     opens the store (after a kill), verifies every
 *                         record and object, prints "counter N" and
 *                         checks the files written with commit N
 *   writer peek SEED      as check, without verifying every object (open
 *                         still verifies the log from its checkpoint on)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/block.h>
#include <keel/manifest.h>
#include <keel/store.h>

KEEL_BLOCK_DEVICE(storage);

static uint8_t buf[4096];

/* Content of data/K at commit N: a pattern both sides can rebuild. */
static size_t content(unsigned long n, unsigned k, uint8_t *out)
{
	size_t len = 512 + (size_t)((n * 131 + k * 977) % 3584);

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(n * 7 + k * 13 + i);
	return len;
}

static int run(struct keel_store *st, unsigned long seed, unsigned long limit)
{
	unsigned long n = 0;
	uint8_t *d;
	size_t len;

	if (keel_store_get(st, "main", "counter", &d, &len) == KEEL_OK) {
		n = strtoul((char *)d, NULL, 10);
		free(d);
	}
	for (unsigned long step = 0; limit == 0 || step < limit; step++) {
		struct keel_store_txn *t;
		char num[24], path[32], msg[48];
		struct keel_store_info info = { "writer", "writer@keel", msg, 0, 0 };
		int err;

		n++;
		snprintf(num, sizeof(num), "%lu", n);
		snprintf(msg, sizeof(msg), "commit %lu\n", n);
		if (keel_store_txn_begin(st, "main", &t) != KEEL_OK)
			return 1;
		keel_store_txn_set(t, "counter", num, strlen(num));
		for (unsigned k = 0; k < 3; k++) {
			unsigned file = (unsigned)((n * 3 + k + seed) % 16);

			snprintf(path, sizeof(path), "data/%u", file);
			len = content(n, file, buf);
			if (keel_store_txn_set(t, path, buf, len) != KEEL_OK) {
				keel_store_txn_abort(t);
				return 1;
			}
		}
		err = keel_store_txn_commit(t, &info, NULL);
		if (err == KEEL_ENOMEM) {
			printf("full at %lu\n", n);
			return 0;
		}
		if (err != KEEL_OK) {
			printf("commit %lu failed: %d\n", n, err);
			return 1;
		}
		printf("acked %lu\n", n);
	}
	return 0;
}

static int check(struct keel_store *st, unsigned long seed, bool full)
{
	unsigned long n = 0;
	uint8_t *d;
	size_t len;
	long objects = full ? keel_store_verify(st) : 0;

	if (objects < 0) {
		printf("verify failed: %ld\n", objects);
		return 1;
	}
	if (keel_store_get(st, "main", "counter", &d, &len) == KEEL_OK) {
		n = strtoul((char *)d, NULL, 10);
		free(d);
	}
	/* The files commit n wrote hold commit n's content. */
	for (unsigned k = 0; k < 3 && n > 0; k++) {
		char path[32];
		unsigned file = (unsigned)((n * 3 + k + seed) % 16);
		size_t want = content(n, file, buf);

		snprintf(path, sizeof(path), "data/%u", file);
		if (keel_store_get(st, "main", path, &d, &len) != KEEL_OK || len != want ||
		    memcmp(d, buf, len) != 0) {
			printf("%s does not hold commit %lu's content\n", path, n);
			return 1;
		}
		free(d);
	}
	printf("verify ok, %ld objects\n", objects);
	printf("counter %lu\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	struct keel_block *dev;
	struct keel_store *st;
	int err, rc;

	if (argc < 2)
		return 2;
	err = keel_block_open("storage", NULL, &dev);
	if (err != KEEL_OK) {
		printf("block open: %d\n", err);
		return 1;
	}
	if (strcmp(argv[1], "format") == 0) {
		err = keel_store_format(dev);
		printf("format: %d\n", err);
		return err == KEEL_OK ? 0 : 1;
	}
	err = keel_store_open(dev, NULL, &st);
	if (err != KEEL_OK) {
		printf("open: %d\n", err);
		return 1;
	}
	if (strcmp(argv[1], "run") == 0)
		rc = run(st, argc > 2 ? strtoul(argv[2], NULL, 10) : 0,
		         argc > 3 ? strtoul(argv[3], NULL, 10) : 0);
	else
		rc = check(st, argc > 2 ? strtoul(argv[2], NULL, 10) : 0,
		           strcmp(argv[1], "check") == 0);
	keel_store_close(st);
	keel_block_close(dev);
	return rc;
}

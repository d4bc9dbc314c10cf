/*
 * libFuzzer target of everything in lib/store that reads bytes it did not
 * write itself: tree and commit parsers (imported objects), the open scan
 * of a device (a damaged or hostile disk), and the line merge. The first
 * input byte picks the part; the rest is its input.
 *
 *   0  tree: check, walk, find
 *   1  commit: parse; a parsed commit encodes and parses again alike
 *   2  a valid small store image with the input written over it at an
 *      offset the next two bytes choose: open, and when it opens, verify,
 *      read, log and one more commit
 *   3  three-way line merge of three texts split at NUL bytes
 *   4  tag: parse; what it points into lies within the input
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "simdev.h"

#define CAP (128 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *base_image;

static void make_base(void)
{
	struct simdev d;
	struct keel_store *st;
	struct keel_store_info info = { "F", "f@x", "m\n", 5, 0 };
	struct keel_store_config cfg = { .checkpoint_every = 2, .index_every = 2 };

	if (simdev_init(&d, CAP, NULL, NULL) != 0 || keel_store_format(&d.blk) != KEEL_OK ||
	    keel_store_open(&d.blk, &cfg, &st) != KEEL_OK)
		abort();
	keel_store_set(st, "main", "a/b", "one\ntwo\n", 8, &info, NULL);
	keel_store_set(st, "main", "c", "x", 1, &info, NULL);
	keel_store_set(st, "dev", "c", "y", 1, &info, NULL);
	keel_store_set(st, "main", "a/d", "z", 1, &info, NULL);
	keel_store_close(st);
	base_image = malloc(CAP);
	if (!base_image)
		abort();
	memcpy(base_image, d.data, CAP);
	simdev_free(&d);
}

static int count(void *arg, const struct keel_store_id *id, const struct keel_store_commit *c)
{
	return KEEL_OK;
}

static void fuzz_store(const uint8_t *data, size_t size)
{
	struct simdev d;
	struct keel_store *st;
	size_t off;

	if (size < 2)
		return;
	if (!base_image)
		make_base();
	off = ((size_t)data[0] << 8 | data[1]) * 8 % CAP;
	data += 2, size -= 2;
	if (simdev_init(&d, CAP, base_image, NULL) != 0)
		abort();
	if (size > CAP - off)
		size = CAP - off;
	memcpy(d.data + off, data, size);
	if (keel_store_open(&d.blk, NULL, &st) == KEEL_OK) {
		uint8_t *v;
		size_t len;

		(void)keel_store_verify(st);
		if (keel_store_get(st, "main", "a/b", &v, &len) == KEEL_OK)
			free(v);
		(void)keel_store_log(st, "main", NULL, 0, count, NULL);
		(void)keel_store_log(st, "main", "a", 0, count, NULL);
		(void)keel_store_set(st, "main", "new", "n", 1, NULL, NULL);
		(void)keel_store_merge(st, "dev", "main", NULL, NULL, NULL);
		keel_store_close(st);
	}
	simdev_free(&d);
}

static void fuzz_commit(const uint8_t *data, size_t size)
{
	struct keel_store_commit c, c2;
	uint8_t *enc;
	size_t len;

	if (keel_store_commit_parse(data, size, &c) != KEEL_OK)
		return;
	if (c.author.time < 0 || c.committer.time < 0)
		abort();
	if (keel_store_commit_encode(&c, &enc, &len) != KEEL_OK)
		return; /* e.g. a name with a NUL byte: parsed, not written */
	if (keel_store_commit_parse(enc, len, &c2) != KEEL_OK || c2.n_parents != c.n_parents ||
	    !keel_store_id_eq(&c2.tree, &c.tree) || c2.message_len != c.message_len ||
	    c2.author.time != c.author.time || c2.author.tz_minutes != c.author.tz_minutes)
		abort();
	free(enc);
}

static void fuzz_tree(const uint8_t *data, size_t size)
{
	struct keel_store_entry e;
	size_t pos = 0;
	long n = keel_store_tree_check(data, size);

	while (keel_store_tree_next(data, size, &pos, &e) == KEEL_OK) {
		if (pos > size || !keel_store_name_valid(e.name, e.name_len))
			abort();
	}
	(void)keel_store_tree_find(data, size, "a", 1, &e);
	(void)n;
}

static void fuzz_tag(const uint8_t *data, size_t size)
{
	struct keel_store_tag t;
	const char *in = (const char *)data, *end = in + size;

	if (keel_store_tag_parse(data, size, &t) != KEEL_OK)
		return;
	if (!keel_store_type_name(t.type) || t.name_len == 0 || t.name < in ||
	    t.name + t.name_len > end || t.message < in || t.message + t.message_len != end ||
	    (t.has_tagger && t.tagger.time < 0))
		abort();
}

static void fuzz_lines(const uint8_t *data, size_t size)
{
	struct keel_store_side s[3] = { { 0 } };
	const uint8_t *p = data, *end = data + size;
	uint8_t *out;
	size_t len;

	for (int i = 0; i < 3; i++) {
		const uint8_t *z = memchr(p, 0, (size_t)(end - p));

		s[i].data = p;
		s[i].len = (size_t)((z ? z : end) - p);
		p = z ? z + 1 : end;
	}
	if (keel_store_merge_lines(NULL, "p", &s[0], &s[1], &s[2], &out, &len) == KEEL_OK) {
		if (len > s[0].len + s[1].len + s[2].len)
			abort();
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_tree(data + 1, size - 1);
		break;
	case 1:
		fuzz_commit(data + 1, size - 1);
		break;
	case 2:
		fuzz_store(data + 1, size - 1);
		break;
	case 3:
		fuzz_lines(data + 1, size - 1);
		break;
	default:
		fuzz_tag(data + 1, size - 1);
		break;
	}
	return 0;
}

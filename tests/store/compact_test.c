/*
 * Compaction: after many overwrites, the copy holds only what refs
 * reach (annotated tags included), the same ids and contents, and far
 * fewer bytes. Tags: the key-value calls refuse them, a branch cannot
 * point at a tag object, verify follows them.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "check.h"
#include "simdev.h"

const char test_name[] = "store compact";

int main(void)
{
	struct simdev a, b;
	struct keel_store *src, *dst;
	struct keel_store_stats sa, sb;
	struct keel_store_id ha, hb, zero = { { 0 } };
	struct keel_store_info info = { "C", "c@x", "c\n", 100, 0 };
	uint8_t *d;
	size_t len;
	char v[600];
	long n;

	CHECK(simdev_init(&a, 8 << 20, NULL, NULL) == 0);
	CHECK(simdev_init(&b, 8 << 20, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&a.blk));
	CHECK_OK(keel_store_format(&b.blk));
	CHECK_OK(keel_store_open(&a.blk, NULL, &src));
	for (int i = 0; i < 300; i++) {
		memset(v, 'a' + i % 26, sizeof(v));
		snprintf(v, 16, "%d", i);
		CHECK_OK(
		    keel_store_set(src, "main", i % 2 ? "x/big" : "y", v, sizeof(v), &info, NULL));
	}
	CHECK_OK(keel_store_set(src, "gone", "z", "z", 1, &info, &ha));
	CHECK_OK(keel_store_ref_cas(src, "gone", &ha, &zero));
	CHECK_OK(keel_store_ref_get(src, "main", &ha));
	CHECK_OK(keel_store_ref_cas(src, "copy", &zero, &ha));
	{
		char text[256], hex[KEEL_STORE_HEX_LEN + 1];
		struct keel_store_id tag;
		uint8_t *got;
		size_t got_len;
		int n_text;

		keel_store_id_hex(&ha, hex);
		n_text = snprintf(
		    text, sizeof(text),
		    "object %s\ntype commit\ntag v1\ntagger C <c@x> 100 +0000\n\nv1\n", hex);
		CHECK_OK(keel_store_put(src, KEEL_STORE_TAG, text, (size_t)n_text, &tag));
		CHECK(keel_store_ref_cas(src, "notatag", &zero, &tag) == KEEL_EINVAL);
		CHECK_OK(keel_store_ref_cas(src, "tags/v1", &zero, &tag));
		CHECK_OK(keel_store_ref_cas(src, "tags/light", &zero, &ha));
		CHECK(keel_store_set(src, "tags/v1", "f", "x", 1, &info, NULL) == KEEL_EINVAL);
		CHECK(keel_store_get(src, "tags/light", "y", &got, &got_len) == KEEL_EINVAL);
		CHECK(keel_store_merge(src, "tags/light", "main", NULL, &info, NULL) ==
		      KEEL_EINVAL);
		CHECK(keel_store_verify(src) > 0);
	}
	CHECK_OK(keel_store_open(&b.blk, NULL, &dst));
	n = keel_store_compact(src, dst);
	CHECK(n > 0);
	keel_store_stats(src, &sa);
	keel_store_close(dst);
	CHECK_OK(keel_store_open(&b.blk, NULL, &dst));
	keel_store_stats(dst, &sb);
	CHECK(sb.refs == 4 && sb.objects == (uint64_t)n);
	CHECK_OK(keel_store_ref_get(dst, "main", &hb));
	CHECK(keel_store_id_eq(&ha, &hb));
	CHECK(keel_store_get(dst, "main", "x/big", &d, &len) == KEEL_OK && len == sizeof(v));
	free(d);
	CHECK(keel_store_verify(dst) == n);
	/* History is reachable, so it stays: 300 commits + their trees and
	 * blobs; but the dropped branch's objects went. */
	CHECK(!keel_store_has(dst, &(struct keel_store_id){ { 0 } }));
	CHECK(sb.objects < sa.objects);
	printf("compacted %llu objects (%llu bytes) to %llu (%llu bytes)\n",
	       (unsigned long long)sa.objects, (unsigned long long)sa.log_bytes,
	       (unsigned long long)sb.objects, (unsigned long long)sb.log_bytes);
	CHECK_OK(keel_store_ref_get(dst, "tags/v1", &hb));
	CHECK(keel_store_has(dst, &hb));
	/* A tag of an object the store lacks: verify says so. */
	{
		const char t[] =
		    "object 0123456789012345678901234567890123456789\ntype blob\ntag x\n";

		CHECK_OK(keel_store_put(src, KEEL_STORE_TAG, t, sizeof(t) - 1, &hb));
		CHECK_OK(keel_store_ref_cas(src, "tags/broken", &zero, &hb));
		CHECK(keel_store_verify(src) == KEEL_EINVAL);
	}
	keel_store_close(src);
	keel_store_close(dst);

	/* In place, on a device of its own: the same objects as the copy to
	 * another device, fewer bytes; twice; it goes on and reopens. */
	{
		struct keel_store_stats before, after;
		struct keel_store *st;
		long m;

		CHECK_OK(keel_store_open(&a.blk, NULL, &st));
		CHECK_OK(keel_store_ref_cas(st, "tags/broken", &hb, &zero));
		keel_store_stats(st, &before);
		m = keel_store_compact_in_place(st);
		CHECK(m == n);
		keel_store_stats(st, &after);
		CHECK(after.objects == (uint64_t)n && after.refs == 4);
		CHECK(after.log_bytes < before.log_bytes);
		CHECK(keel_store_verify(st) == n);
		CHECK_OK(keel_store_ref_get(st, "main", &hb));
		CHECK(keel_store_id_eq(&ha, &hb));
		CHECK_OK(keel_store_set(st, "main", "after", "a", 1, &info, &ha));
		CHECK(keel_store_compact_in_place(st) == n + 3);
		keel_store_close(st);
		CHECK_OK(keel_store_open(&a.blk, NULL, &st));
		CHECK(keel_store_verify(st) == n + 3);
		CHECK(keel_store_get(st, "main", "after", &d, &len) == KEEL_OK && len == 1);
		free(d);
		CHECK(keel_store_get(st, "main", "x/big", &d, &len) == KEEL_OK && len == sizeof(v));
		free(d);
		printf("in place: %llu log bytes to %llu\n", (unsigned long long)before.log_bytes,
		       (unsigned long long)after.log_bytes);
		/* No room past the end for a copy: refused, nothing changed. */
		{
			struct simdev small;
			struct keel_store *s2;
			struct keel_store_stats s2a, s2b;
			int i;

			CHECK(simdev_init(&small, 128 * 1024, NULL, NULL) == 0);
			CHECK_OK(keel_store_format(&small.blk));
			CHECK_OK(keel_store_open(&small.blk, NULL, &s2));
			for (i = 0; i < 100; i++) {
				snprintf(v, sizeof(v), "%d", i);
				memset(v + 8, 'q', 600 - 8);
				if (keel_store_set(s2, "main", "f", v, 600, &info, NULL) != KEEL_OK)
					break;
			}
			keel_store_stats(s2, &s2a);
			CHECK(keel_store_compact_in_place(s2) == KEEL_ENOMEM);
			keel_store_stats(s2, &s2b);
			CHECK(s2a.log_bytes == s2b.log_bytes && s2a.objects == s2b.objects);
			CHECK(keel_store_verify(s2) > 0);
			keel_store_close(s2);
			CHECK_OK(keel_store_open(&small.blk, NULL, &s2));
			CHECK(keel_store_verify(s2) > 0);
			keel_store_close(s2);
			simdev_free(&small);
		}
		keel_store_close(st);
	}
	simdev_free(&a);
	simdev_free(&b);
	printf("PASS %s\n", test_name);
	return 0;
}

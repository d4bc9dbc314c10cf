/*
 * Merges: disjoint changes combine; conflicts are reported and no commit
 * is made; counters, last-writer-wins and line merges; fast-forward and
 * already-merged; a criss-cross history with two lowest common
 * ancestors.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

#include "check.h"
#include "simdev.h"

const char test_name[] = "store merge";

static struct keel_store *st;
static int64_t clock_s = 1000;
static char conflicts[1024];

static void set(const char *branch, const char *path, const char *v)
{
	struct keel_store_info i = { "T", "t@x", "set\n", ++clock_s, 0 };

	CHECK_OK(keel_store_set(st, branch, path, v, strlen(v), &i, NULL));
}

static void expect(const char *branch, const char *path, const char *v)
{
	uint8_t *d;
	size_t len;
	int err = keel_store_get(st, branch, path, &d, &len);

	if (!v) {
		CHECK(err == KEEL_ENOENT);
		return;
	}
	CHECK_OK(err);
	if (len != strlen(v) || memcmp(d, v, len) != 0)
		printf("%s:%s holds '%.*s', want '%s'\n", branch, path, (int)len, d, v);
	CHECK(len == strlen(v) && memcmp(d, v, len) == 0);
	free(d);
}

static void branch_from(const char *name, const char *from)
{
	struct keel_store_id h, zero = { { 0 } };

	CHECK_OK(keel_store_ref_get(st, from, &h));
	CHECK_OK(keel_store_ref_cas(st, name, &zero, &h));
}

static void on_conflict(void *arg, const char *path, enum keel_store_conflict why)
{
	char *out = arg;
	size_t o = strlen(out);

	snprintf(out + o, 1024 - o, "%s:%d,", path, (int)why);
}

static const struct keel_store_merge_rule rules[] = {
	{ "", keel_store_merge_conflict, NULL },
	{ "counters/", keel_store_merge_counter, NULL },
	{ "lww", keel_store_merge_lww, NULL },
	{ "text/", keel_store_merge_lines, NULL },
};
static const struct keel_store_merge_opts opts = { rules, 4, on_conflict, conflicts };

static long merge(const char *from, const char *into)
{
	struct keel_store_info i = { "M", "m@x", NULL, ++clock_s, 0 };

	conflicts[0] = 0;
	return keel_store_merge(st, from, into, &opts, &i, NULL);
}

static unsigned n_parents(const char *branch)
{
	struct keel_store_id h;
	enum keel_store_type t;
	struct keel_store_commit c;
	uint8_t *d;
	size_t len;

	CHECK_OK(keel_store_ref_get(st, branch, &h));
	CHECK_OK(keel_store_get_object(st, &h, &t, &d, &len));
	CHECK_OK(keel_store_commit_parse(d, len, &c));
	free(d);
	return c.n_parents;
}

int main(void)
{
	struct simdev d;
	struct keel_store_id h1, h2;

	CHECK(simdev_init(&d, 4 * 1024 * 1024, NULL, NULL) == 0);
	CHECK_OK(keel_store_format(&d.blk));
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));

	set("main", "a", "a0");
	set("main", "b", "b0");
	set("main", "dir/x", "x0");
	set("main", "counters/hits", "10\n");
	set("main", "lww", "old");
	set("main", "text/poem", "one\ntwo\nthree\nfour\nfive\n");
	branch_from("dev", "main");

	/* Already merged, and fast-forward. */
	CHECK(merge("dev", "main") == 0);
	set("dev", "ff", "f");
	CHECK_OK(keel_store_ref_get(st, "dev", &h1));
	CHECK(merge("dev", "main") == 0);
	CHECK_OK(keel_store_ref_get(st, "main", &h2));
	CHECK(keel_store_id_eq(&h1, &h2));

	/* Disjoint changes, with merge functions. */
	set("dev", "a", "a1");
	set("dev", "dir/y", "y1");
	set("dev", "counters/hits", "15\n");
	set("dev", "lww", "dev");
	set("dev", "text/poem", "one\nTWO\nthree\nfour\nfive\n");
	set("main", "b", "b1");
	set("main", "dir/z", "z1");
	set("main", "counters/hits", "12\n");
	set("main", "lww", "main"); /* newer than dev's */
	set("main", "text/poem", "one\ntwo\nthree\nFOUR\nfive\n");
	CHECK(merge("dev", "main") == 0);
	CHECK(n_parents("main") == 2);
	expect("main", "a", "a1");
	expect("main", "b", "b1");
	expect("main", "dir/x", "x0");
	expect("main", "dir/y", "y1");
	expect("main", "dir/z", "z1");
	expect("main", "counters/hits", "17\n");
	expect("main", "lww", "main");
	expect("main", "text/poem", "one\nTWO\nthree\nFOUR\nfive\n");
	expect("dev", "b", "b0"); /* from is untouched */

	/* Conflicts: no commit, every path reported. */
	CHECK_OK(keel_store_ref_get(st, "main", &h1));
	set("dev", "a", "dev-a");
	set("main", "a", "main-a");
	set("dev", "text/poem", "one\nTWO\nthree\nfour\nfive!\n");
	set("main", "text/poem", "one\nTWO\nthree\nFOUR\nfive?\n");
	CHECK_OK(keel_store_remove(st, "dev", "b", NULL, NULL));
	set("main", "b", "b2");
	set("dev", "dir/z", "zz");
	CHECK_OK(keel_store_remove(st, "main", "dir/z", NULL, NULL));
	set("main", "kind", "file");
	set("dev", "kind/inner", "dir");
	CHECK_OK(keel_store_ref_get(st, "main", &h1));
	long c = merge("dev", "main");
	if (c != 4)
		printf("conflicts %ld: %s\n", c, conflicts);
	CHECK(c == 4); /* dir/z: added by dev, gone from main: no conflict */
	CHECK(strcmp(conflicts, "a:1,b:2,kind:3,text/poem:1,") == 0);
	CHECK_OK(keel_store_ref_get(st, "main", &h2));
	CHECK(keel_store_id_eq(&h1, &h2));

	/* Criss-cross: X; A and B each change; each merges the other's
	 * pre-merge commit; two lowest common ancestors. */
	set("x", "base", "0");
	set("x", "p", "p0");
	set("x", "q", "q0");
	branch_from("A", "x");
	branch_from("B", "x");
	set("A", "p", "pA");
	set("B", "q", "qB");
	branch_from("A1", "A");
	branch_from("B1", "B");
	CHECK(merge("B1", "A") == 0);
	CHECK(merge("A1", "B") == 0);
	set("A", "base", "A-later");
	set("B", "extra", "B-later");
	{
		struct keel_store_id a, b, l[4];
		CHECK_OK(keel_store_ref_get(st, "A", &a));
		CHECK_OK(keel_store_ref_get(st, "B", &b));
		CHECK(keel_store_lca(st, &a, &b, l, 4) == 2);
	}
	CHECK(merge("B", "A") == 0);
	expect("A", "base", "A-later");
	expect("A", "extra", "B-later");
	expect("A", "p", "pA");
	expect("A", "q", "qB");
	CHECK_OK(keel_store_verify(st));

	/* Unrelated histories: no ancestor, an empty base. */
	set("u1", "same", "1");
	set("u2", "other", "2");
	CHECK(merge("u2", "u1") == 0);
	expect("u1", "same", "1");
	expect("u1", "other", "2");
	CHECK(merge("nope", "u1") == KEEL_ENOENT);

	/* Lines: overlapping edits conflict; a side equal to the other. */
	{
		struct keel_store_side b = { (const uint8_t *)"a\nb\nc\n", 6, 0 };
		struct keel_store_side o = { (const uint8_t *)"a\nB\nc\n", 6, 0 };
		struct keel_store_side t = { (const uint8_t *)"a\nb2\nc\n", 7, 0 };
		struct keel_store_side t2 = { (const uint8_t *)"a\nb\nc\nd\n", 8, 0 };
		struct keel_store_side nob = { NULL, 0, 0 };
		uint8_t *out;
		size_t len;

		CHECK(keel_store_merge_lines(NULL, "p", &b, &o, &t, &out, &len) == KEEL_EAGAIN);
		CHECK_OK(keel_store_merge_lines(NULL, "p", &b, &o, &t2, &out, &len));
		CHECK(len == 8 && memcmp(out, "a\nB\nc\nd\n", 8) == 0);
		free(out);
		CHECK(keel_store_merge_lines(NULL, "p", &nob, &o, &t, &out, &len) == KEEL_EAGAIN);
		struct keel_store_side x = { (const uint8_t *)"x", 1, 0 };
		CHECK(keel_store_merge_counter(NULL, "c", &nob, &x, &o, &out, &len) == KEEL_EAGAIN);
		struct keel_store_side m1 = { (const uint8_t *)"-5", 2, 0 },
		                       p3 = { (const uint8_t *)"3", 1, 0 };
		CHECK_OK(keel_store_merge_counter(NULL, "c", &nob, &m1, &p3, &out, &len));
		CHECK(len == 2 && memcmp(out, "-2", 2) == 0);
		free(out);
	}
	keel_store_close(st);
	CHECK_OK(keel_store_open(&d.blk, NULL, &st));
	CHECK_OK(keel_store_verify(st));
	keel_store_close(st);
	simdev_free(&d);
	printf("PASS %s\n", test_name);
	return 0;
}

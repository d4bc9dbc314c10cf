/*
 * SHA-1 known answers (FIPS 180 examples) and Git objects: blob, tree and
 * commit ids checked against the real git CLI on generated content, and
 * the parsers fed truncated and mutated bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <keel/store.h>

#include "check.h"

const char test_name[] = "store objects";

static char repo[256];

static void hex_of(const uint8_t *b, char *out)
{
	struct keel_store_id id;

	memcpy(id.b, b, 20);
	keel_store_id_hex(&id, out);
}

static void sha1_vectors(void)
{
	static const struct {
		const char *msg;
		const char *hex;
	} v[] = {
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		  "klmnopqrlmnopqrsmnopqrstnopqrstu",
		  "a49b2446a02c645bf419f995b67091253a04a259" },
	};
	uint8_t out[20];
	char hex[41];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		keel_sha1(v[i].msg, strlen(v[i].msg), out);
		hex_of(out, hex);
		CHECK(strcmp(hex, v[i].hex) == 0);
		/* The same fed one byte at a time. */
		struct keel_sha1 s;
		keel_sha1_init(&s);
		for (size_t k = 0; v[i].msg[k]; k++)
			keel_sha1_update(&s, v[i].msg + k, 1);
		keel_sha1_final(&s, out);
		hex_of(out, hex);
		CHECK(strcmp(hex, v[i].hex) == 0);
	}
	/* One million 'a', in uneven pieces. */
	{
		struct keel_sha1 s;
		static char a[1000000];
		size_t done = 0, step = 1;

		memset(a, 'a', sizeof(a));
		keel_sha1_init(&s);
		while (done < sizeof(a)) {
			size_t n = step < sizeof(a) - done ? step : sizeof(a) - done;
			keel_sha1_update(&s, a + done, n);
			done += n;
			step = step * 3 + 1;
			if (step > 70000)
				step = 7;
		}
		keel_sha1_final(&s, out);
		hex_of(out, hex);
		CHECK(strcmp(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f") == 0);
	}
}

/* Runs a shell command in the scratch repository; returns its first line
 * of output. */
static void run(const char *cmd, char *out, size_t size)
{
	char full[8192];
	FILE *p;

	snprintf(full, sizeof(full), "cd '%s' && %s", repo, cmd);
	p = popen(full, "r");
	CHECK(p);
	out[0] = 0;
	if (!fgets(out, (int)size, p))
		out[0] = 0;
	out[strcspn(out, "\n")] = 0;
	CHECK(pclose(p) == 0);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", repo, name);
	f = fopen(path, "wb");
	CHECK(f);
	CHECK(fwrite(data, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

/* A blob's id as ours and as git hash-object -w (which stores it). */
static void blob(const void *data, size_t len, struct keel_store_id *id)
{
	char ours[41], theirs[128];

	keel_store_hash(KEEL_STORE_BLOB, data, len, id);
	keel_store_id_hex(id, ours);
	write_file("in.bin", data, len);
	run("git hash-object -w in.bin", theirs, sizeof(theirs));
	CHECK(strcmp(ours, theirs) == 0);
}

static const char *const name_pool[] = {
	"a",   "a.c", "a-b", "a0",      "ab",   "b",     "README",   "z", "a.b.c", "_",
	"x y", "é",   "dir", "dir.txt", "dir0", "dir-x", "Makefile", "~", "a~",    "0",
};
#define POOL (sizeof(name_pool) / sizeof(name_pool[0]))

/* A random tree of blobs and subtrees, `depth` levels; its id is checked
 * against git mktree fed the entries in random order. */
static void tree(int depth, struct keel_store_id *id)
{
	struct keel_store_entry e[POOL];
	bool used[POOL] = { false };
	size_t n = (size_t)(test_rand() % 8) + (depth ? 1 : 0);
	uint8_t *enc;
	size_t len;
	char ours[41], theirs[128], hex[41];
	char list[16384];
	size_t lo = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		do
			k = (size_t)(test_rand() % POOL);
		while (used[k]);
		used[k] = true;
		e[i].name = name_pool[k];
		e[i].name_len = strlen(name_pool[k]);
		if (depth > 0 && test_rand() % 3 == 0) {
			e[i].mode = KEEL_STORE_MODE_DIR;
			tree(depth - 1, &e[i].id);
		} else {
			char content[64];
			int cl = snprintf(content, sizeof(content), "file %s %llu\n", e[i].name,
			                  test_rand() % 1000);
			e[i].mode =
			    test_rand() % 5 == 0 ? KEEL_STORE_MODE_EXEC : KEEL_STORE_MODE_FILE;
			blob(content, (size_t)cl, &e[i].id);
		}
	}
	/* mktree input lines, in generation order (not sorted). */
	for (size_t i = 0; i < n; i++) {
		keel_store_id_hex(&e[i].id, hex);
		lo += (size_t)snprintf(list + lo, sizeof(list) - lo, "%o %s %s\t%s\n", e[i].mode,
		                       e[i].mode == KEEL_STORE_MODE_DIR ? "tree" : "blob", hex,
		                       e[i].name);
	}
	write_file("mktree.txt", list, lo);
	CHECK_OK(keel_store_tree_encode(e, n, &enc, &len));
	CHECK(keel_store_tree_check(enc, len) == (long)n);
	keel_store_hash(KEEL_STORE_TREE, enc, len, id);
	keel_store_id_hex(id, ours);
	run("git mktree < mktree.txt", theirs, sizeof(theirs));
	CHECK(strcmp(ours, theirs) == 0);

	/* Every truncation of a valid tree is refused or shorter. */
	for (size_t cut = 0; cut < len; cut++) {
		long r = keel_store_tree_check(enc, cut);
		CHECK(r == KEEL_EINVAL || r < (long)n);
	}
	free(enc);
}

static void person(struct keel_store_person *p, const char *name, const char *email, int64_t t,
                   int tz)
{
	p->name = name;
	p->name_len = strlen(name);
	p->email = email;
	p->email_len = strlen(email);
	p->time = t;
	p->tz_minutes = tz;
}

static void commits(void)
{
	struct keel_store_id trees[4], hist[12];

	for (int i = 0; i < 4; i++)
		tree(2, &trees[i]);
	for (int i = 0; i < 12; i++) {
		struct keel_store_commit c = { 0 }, back;
		static const int zones[] = { 0, 60, -300, 330, -570, 765, -60, 1439 };
		char msg[128], cmd[4096], ours[41], theirs[128], hex[41];
		uint8_t *enc;
		size_t len;
		int tz = zones[i % 8];
		size_t co = 0;

		c.tree = trees[i % 4];
		/* A root, then one parent, and every third commit a merge. */
		c.n_parents = i == 0 ? 0 : i % 3 == 0 ? 2 : 1;
		if (i > 0)
			c.parents[0] = hist[i - 1];
		if (c.n_parents == 2)
			c.parents[1] = hist[i - 3];
		person(&c.author, i % 2 ? "Ada Lovelace" : "Bob", "ada@example.org",
		       1600000000 + i * 1000, tz);
		person(&c.committer, "Keel Test", "keel@example.org", 1600000500 + i * 1000, -tz);
		snprintf(msg, sizeof(msg), "commit %d\n\nbody line %d\n", i, i * 7);
		c.message = msg;
		c.message_len = strlen(msg);
		CHECK_OK(keel_store_commit_encode(&c, &enc, &len));
		keel_store_hash(KEEL_STORE_COMMIT, enc, len, &hist[i]);
		keel_store_id_hex(&hist[i], ours);

		write_file("msg.txt", msg, strlen(msg));
		keel_store_id_hex(&c.tree, hex);
		co = (size_t)snprintf(cmd, sizeof(cmd),
		                      "GIT_AUTHOR_NAME='%s' GIT_AUTHOR_EMAIL=ada@example.org "
		                      "GIT_AUTHOR_DATE='%lld %c%02d%02d' "
		                      "GIT_COMMITTER_NAME='Keel Test' "
		                      "GIT_COMMITTER_EMAIL=keel@example.org "
		                      "GIT_COMMITTER_DATE='%lld %c%02d%02d' git commit-tree %s",
		                      i % 2 ? "Ada Lovelace" : "Bob", (long long)c.author.time,
		                      tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60,
		                      (long long)c.committer.time, -tz < 0 ? '-' : '+',
		                      abs(tz) / 60, abs(tz) % 60, hex);
		for (unsigned p = 0; p < c.n_parents; p++) {
			keel_store_id_hex(&c.parents[p], hex);
			co += (size_t)snprintf(cmd + co, sizeof(cmd) - co, " -p %s", hex);
		}
		snprintf(cmd + co, sizeof(cmd) - co, " -F msg.txt");
		run(cmd, theirs, sizeof(theirs));
		CHECK(strcmp(ours, theirs) == 0);

		/* Parse back. */
		CHECK_OK(keel_store_commit_parse(enc, len, &back));
		CHECK(keel_store_id_eq(&back.tree, &c.tree));
		CHECK(back.n_parents == c.n_parents);
		for (unsigned p = 0; p < c.n_parents; p++)
			CHECK(keel_store_id_eq(&back.parents[p], &c.parents[p]));
		CHECK(back.author.time == c.author.time && back.author.tz_minutes == tz);
		CHECK(back.committer.tz_minutes == -tz);
		CHECK(back.author.name_len == c.author.name_len &&
		      memcmp(back.author.name, c.author.name, c.author.name_len) == 0);
		CHECK(back.message_len == c.message_len &&
		      memcmp(back.message, msg, c.message_len) == 0);
		/* Truncations and single-byte mutations never crash. */
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *t = malloc(cut ? cut : 1);
			memcpy(t, enc, cut);
			(void)keel_store_commit_parse(t, cut, &back);
			free(t);
		}
		for (int m = 0; m < 200; m++) {
			uint8_t *t = malloc(len);
			memcpy(t, enc, len);
			t[test_rand() % len] = (uint8_t)test_rand();
			(void)keel_store_commit_parse(t, len, &back);
			free(t);
		}
		free(enc);
	}
}

static void hostile_trees(void)
{
	struct keel_store_entry e;
	size_t pos;
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "100644 \0aaaaaaaaaaaaaaaaaaaa", 28 },      /* empty name */
		{ "100644 a", 8 },                            /* no NUL */
		{ "100644 a\0short", 15 },                    /* short id */
		{ "100648 a\0aaaaaaaaaaaaaaaaaaaa", 29 },     /* not octal */
		{ "1006440000 a\0aaaaaaaaaaaaaaaaaaaa", 33 }, /* mode too long */
		{ " a\0aaaaaaaaaaaaaaaaaaaa", 23 },           /* no mode */
		{ "40000 ..\0aaaaaaaaaaaaaaaaaaaa", 29 },     /* ".." */
		{ "40000 a/b\0aaaaaaaaaaaaaaaaaaaa", 30 },    /* slash */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pos = 0;
		CHECK(keel_store_tree_next((const uint8_t *)bad[i].bytes, bad[i].len, &pos, &e) ==
		      KEEL_EINVAL);
		CHECK(keel_store_tree_check((const uint8_t *)bad[i].bytes, bad[i].len) ==
		      KEEL_EINVAL);
	}
	/* Order and duplicates. */
	{
		const char two[] = "100644 b\0aaaaaaaaaaaaaaaaaaaa100644 a\0aaaaaaaaaaaaaaaaaaaa";
		const char dup[] = "100644 a\0aaaaaaaaaaaaaaaaaaaa100644 a\0aaaaaaaaaaaaaaaaaaaa";
		const char pad[] = "040000 a\0aaaaaaaaaaaaaaaaaaaa";
		const char ok[] = "100644 a.c\0aaaaaaaaaaaaaaaaaaaa40000 a\0aaaaaaaaaaaaaaaaaaaa"
		                  "100644 a0\0aaaaaaaaaaaaaaaaaaaa";

		CHECK(keel_store_tree_check((const uint8_t *)two, sizeof(two) - 1) == KEEL_EINVAL);
		CHECK(keel_store_tree_check((const uint8_t *)dup, sizeof(dup) - 1) == KEEL_EINVAL);
		CHECK(keel_store_tree_check((const uint8_t *)pad, sizeof(pad) - 1) == KEEL_EINVAL);
		CHECK(keel_store_tree_check((const uint8_t *)ok, sizeof(ok) - 1) == 3);
	}
	/* A file and a directory of one name cannot be encoded. */
	{
		struct keel_store_entry d[3] = {
			{ KEEL_STORE_MODE_FILE, "a", 1, { { 0 } } },
			{ KEEL_STORE_MODE_FILE, "a.b", 3, { { 0 } } },
			{ KEEL_STORE_MODE_DIR, "a", 1, { { 0 } } },
		};
		uint8_t *enc;
		size_t len;

		CHECK(keel_store_tree_encode(d, 3, &enc, &len) == KEEL_EINVAL);
		d[0].mode = 0100600;
		CHECK(keel_store_tree_encode(d, 1, &enc, &len) == KEEL_EINVAL);
	}
	/* Random bytes. */
	for (int i = 0; i < 20000; i++) {
		uint8_t buf[64];
		size_t len = (size_t)(test_rand() % sizeof(buf));
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)("01234567 a\0"[test_rand() % 11]);
		(void)keel_store_tree_check(buf, len);
	}
}

static void hostile_commits(void)
{
	static const char *const bad[] = {
		"",
		"tree 123\n\nmsg",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> 1 +0000\n\n",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> 1 +0000\ncommitter A "
		"<a> 1 +0060\n\n",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> x +0000\ncommitter A "
		"<a> 1 +0000\n\n",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A<a> 1 +0000\ncommitter A "
		"<a> 1 +0000\n\n",
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nbogus x\nauthor A <a> 1 +0000\n"
		"committer A <a> 1 +0000\n\n",
	};
	const char good[] = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a> 1 +0000\n"
	                    "committer A <a> 1 -0130\nencoding UTF-8\ngpgsig x\n y\n\nmsg";
	struct keel_store_commit c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(keel_store_commit_parse((const uint8_t *)bad[i], strlen(bad[i]), &c) ==
		      KEEL_EINVAL);
	CHECK_OK(keel_store_commit_parse((const uint8_t *)good, strlen(good), &c));
	CHECK(c.committer.tz_minutes == -90 && c.message_len == 3);
}

/* Tag objects: ours hash as git mktag names them (git checks them and
 * the objects they point at), and parse back; then hostile ones. */
static void tags(void)
{
	char hello[41], text[1024], ours[41], theirs[128];
	struct keel_store_id blob_id, id;
	struct keel_store_tag t;

	blob("hello\n", 6, &blob_id);
	keel_store_id_hex(&blob_id, hello);
	for (int i = 0; i < 2; i++) {
		const char *target = i == 0 ? hello : ours;
		const char *type = i == 0 ? "blob" : "tag";
		char target_copy[41];
		int n;

		snprintf(target_copy, sizeof(target_copy), "%s", target);
		n = snprintf(text, sizeof(text),
		             "object %s\ntype %s\ntag v%d.0\ntagger Keel Test <keel@example.org> "
		             "1600000000 +0130\n\nrelease %d\n\nwith a body\n",
		             target_copy, type, i + 1, i + 1);
		keel_store_hash(KEEL_STORE_TAG, text, (size_t)n, &id);
		keel_store_id_hex(&id, ours);
		write_file("tag.txt", text, (size_t)n);
		run("git mktag < tag.txt", theirs, sizeof(theirs));
		CHECK(strcmp(ours, theirs) == 0);
		CHECK_OK(keel_store_tag_parse((const uint8_t *)text, (size_t)n, &t));
		CHECK(t.type == (i == 0 ? KEEL_STORE_BLOB : KEEL_STORE_TAG));
		CHECK(t.name_len == 4 && memcmp(t.name, i == 0 ? "v1.0" : "v2.0", 4) == 0);
		CHECK(t.has_tagger && t.tagger.time == 1600000000 && t.tagger.tz_minutes == 90);
		CHECK(t.message_len == 23 && memcmp(t.message, "release ", 8) == 0);
		if (i == 0)
			CHECK(keel_store_id_eq(&t.object, &blob_id));
		for (size_t cut = 0; cut < (size_t)n; cut++)
			(void)keel_store_tag_parse((const uint8_t *)text, cut, &t);
	}
	static const char *const bad[] = {
		"",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee490\ntype tree\ntag x\n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype trie\ntag x\n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag \n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntagger A <a> 1 "
		"+0000\n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag x\ntagger A <a> "
		"1\n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag x\ntag y\n\n",
		"type tree\nobject 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntag x\n\n",
		"object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag x\nno newline",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(keel_store_tag_parse((const uint8_t *)bad[i], strlen(bad[i]), &t) ==
		      KEEL_EINVAL);
	/* No tagger and no message at all: old tags, still valid. */
	{
		const char old[] =
		    "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype tree\ntag x\n";

		CHECK_OK(keel_store_tag_parse((const uint8_t *)old, sizeof(old) - 1, &t));
		CHECK(!t.has_tagger && t.message_len == 0 && t.type == KEEL_STORE_TREE);
	}
}

int main(void)
{
	char tmpl[] = "/tmp/keel-store-git-XXXXXX", out[256];
	char *dir = mkdtemp(tmpl);

	sha1_vectors();
	CHECK(dir);
	snprintf(repo, sizeof(repo), "%s", dir);
	run("git init -q --bare . && echo ok", out, sizeof(out));
	{
		struct keel_store_id id;
		blob("", 0, &id);
		blob("hello\n", 6, &id);
		char big[70000];
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)(i * 7);
		blob(big, sizeof(big), &id);
	}
	test_seed(42);
	for (int i = 0; i < 10; i++) {
		struct keel_store_id id;
		tree(3, &id);
	}
	commits();
	hostile_trees();
	hostile_commits();
	tags();
	run("git fsck --strict 2>&1 | grep -v -e '^dangling' -e '^notice' | head -n 1; true", out,
	    sizeof(out));
	if (out[0])
		printf("git fsck: %s\n", out);
	CHECK(out[0] == 0);
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", repo);
		CHECK(system(cmd) == 0);
	}
	printf("PASS %s\n", test_name);
	return 0;
}

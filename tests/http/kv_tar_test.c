/*
 * The tar store (lib/kv/tar.c) on a block device held in memory: the
 * platform's kp_block_acquire and kp_block_read are wrapped at link time
 * (-Wl,--wrap), and every read is checked against the platform's rules
 * (block-aligned offset and length, inside the device).
 *
 * An archive written by the system's tar (--format=ustar) must give back
 * every file byte for byte, through keel_kv_read and through the HTTP
 * server, with 512- and 4096-byte blocks. Hand-made hostile headers must
 * be refused (bad checksum, octal, magic, sizes past the device,
 * base-256) or skipped (traversal, absolute and odd names, links,
 * devices, pax records and what they describe), and the configured
 * bounds must hold. Random corruption of a valid archive must never do
 * worse than a refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/kv.h>

#include "check.h"
#include "mock_flow.h"
#include "resp.h"

const char test_name[] = "http/kv_tar";

/* ---- The device ------------------------------------------------------------------ */

static unsigned char *dev;
static size_t dev_cap;
static uint32_t dev_bs = 512;
static bool dev_fail;
static unsigned dev_reads, dev_bad_calls;

int __wrap_kp_block_acquire(const char *name, kp_handle *h, struct kp_block_info *info);
int __wrap_kp_block_read(kp_handle h, uint64_t off, void *buf, size_t len);

int __wrap_kp_block_acquire(const char *name, kp_handle *h, struct kp_block_info *info)
{
	if (strcmp(name, "storage") != 0)
		return KEEL_ENODEV;
	*h = 3;
	info->capacity = dev_cap;
	info->block_size = dev_bs;
	return KEEL_OK;
}

int __wrap_kp_block_read(kp_handle h, uint64_t off, void *buf, size_t len)
{
	dev_reads++;
	if (h != 3 || off % dev_bs || len % dev_bs || len == 0 || off > dev_cap ||
	    len > dev_cap - off) {
		dev_bad_calls++;
		return KEEL_EINVAL;
	}
	if (dev_fail)
		return KEEL_EIO;
	memcpy(buf, dev + off, len);
	return KEEL_OK;
}

/* Makes `bytes` the device, padded with zeros to whole blocks. */
static void set_device(const unsigned char *bytes, size_t len)
{
	free(dev);
	dev_cap = (len + dev_bs - 1) / dev_bs * dev_bs;
	dev = calloc(1, dev_cap ? dev_cap : 1);
	CHECK(dev);
	if (len)
		memcpy(dev, bytes, len);
}

/* ---- Archives made by hand --------------------------------------------------------- */

struct archive {
	unsigned char *b;
	size_t len, cap;
};

static void fix_checksum(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* A ustar header; fields may be changed before fix_checksum. */
static void header(unsigned char *h, const char *prefix, const char *name, char type, uint64_t size,
                   uint64_t mtime)
{
	memset(h, 0, 512);
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)mtime);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (prefix)
		memcpy(h + 345, prefix, strlen(prefix) < 155 ? strlen(prefix) : 155);
	fix_checksum(h);
}

static void put(struct archive *a, const void *p, size_t n)
{
	size_t padded = (n + 511) / 512 * 512;

	if (a->len + padded + 1024 > a->cap) {
		a->cap = (a->len + padded + 1024) * 2;
		a->b = realloc(a->b, a->cap);
		CHECK(a->b);
	}
	memcpy(a->b + a->len, p, n);
	memset(a->b + a->len + n, 0, padded - n);
	a->len += padded;
}

static void add(struct archive *a, const char *prefix, const char *name, char type,
                const char *data)
{
	unsigned char h[512];
	size_t n = data ? strlen(data) : 0;

	header(h, prefix, name, type, n, 1700000000);
	put(a, h, 512);
	if (n)
		put(a, data, n);
}

static void finish(struct archive *a)
{
	static const unsigned char zero[1024];

	put(a, zero, 1024);
}

static int open_archive(const struct archive *a, const struct keel_kv_tar_config *cfg,
                        struct keel_kv **kv, struct keel_kv_tar_stats *st)
{
	set_device(a->b, a->len);
	return keel_kv_tar_open("storage", cfg, kv, st);
}

/* The bytes of `key`, read in pieces of `piece`. */
static bool read_all(struct keel_kv *kv, const char *key, char *out, size_t size, size_t *len,
                     size_t piece)
{
	struct keel_kv_value v;
	size_t n = 0;
	long r;

	if (keel_kv_get(kv, key, strlen(key), &v) != KEEL_OK)
		return false;
	/* Its buffers are reused: never sent by reference. */
	CHECK(v.data == NULL && v.len < size && !v.data_static);
	while ((r = keel_kv_read(kv, &v, false, n, out + n, piece)) > 0)
		n += (size_t)r;
	CHECK(r == 0 && n == v.len);
	out[n] = 0;
	*len = n;
	return true;
}

/* ---- An archive of the system's tar ------------------------------------------------- */

static char tmpdir[] = "/tmp/keel-kv-tar-XXXXXX";
static char long_dir[80], long_name[80];

static void write_file(const char *rel, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tree/%s", tmpdir, rel);
	f = fopen(path, "wb");
	CHECK(f);
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static unsigned char big[100000];

static void system_tar(struct archive *a)
{
	char cmd[1024], path[512];
	FILE *f;
	long n;

	CHECK(mkdtemp(tmpdir));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/tree/sub/deeper %s/tree/empty-dir", tmpdir, tmpdir);
	CHECK(system(cmd) == 0);
	memset(long_dir, 'd', 70);
	memset(long_name, 'n', 60);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/tree/%s", tmpdir, long_dir);
	CHECK(system(cmd) == 0);

	write_file("index.html", "<p>home</p>\n", 12);
	write_file("page.html", "0123456789", 10);
	write_file("page.html.gz", "GZ-PAGE", 7);
	write_file("empty", "", 0);
	write_file("sub/a.css", "a{}", 3);
	write_file("sub/deeper/b.js", "var b;", 6);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	write_file("sub/big.bin", big, sizeof(big));
	snprintf(path, sizeof(path), "%s/%s", long_dir, long_name);
	write_file(path, "long", 4);
	snprintf(cmd, sizeof(cmd),
	         "cd %s/tree && ln -s index.html link.html && ln -s /etc/passwd escape && "
	         "tar --format=ustar --mtime=@1700000000 --sort=name -cf ../a.tar . 2>&1",
	         tmpdir);
	CHECK(system(cmd) == 0);

	snprintf(path, sizeof(path), "%s/a.tar", tmpdir);
	f = fopen(path, "rb");
	CHECK(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	a->b = malloc((size_t)n);
	CHECK(a->b && fread(a->b, 1, (size_t)n, f) == (size_t)n);
	a->len = a->cap = (size_t)n;
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	CHECK(system(cmd) == 0);
}

static struct keel_http_server *srv;
static struct mock_flow mf;

static void conn_fiber(void *arg)
{
	keel_http_serve_flow(srv, &mf.flow);
}

static void over_http(struct keel_kv *kv)
{
	static struct keel_http_static mount;
	static const char in[] =
	    "GET /sub/big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /page.html HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"
	    "GET /sub/big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=1000-1999\r\n\r\n"
	    "GET /link.html HTTP/1.1\r\nHost: a\r\n\r\n";
	struct resp r;
	size_t pos = 0;

	mount.kv = kv;
	mount.index = "index.html";
	srv = keel_http_server_new(NULL);
	CHECK(srv && keel_http_route(srv, "GET", "/*", keel_http_static, &mount) == KEEL_OK);
	mock_flow_init(&mf, in, sizeof(in) - 1);
	CHECK(keel_fiber_spawn(conn_fiber, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(resp_next(mf.out, mf.out_len, &pos, false, &r) && r.status == 200);
	CHECK(r.body_len == sizeof(big) && memcmp(r.body, big, sizeof(big)) == 0);
	CHECK(strcmp(resp_header(&r, "Content-Type"), "application/octet-stream") == 0);
	CHECK(strcmp(resp_header(&r, "Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT") == 0);
	resp_free(&r);
	CHECK(resp_next(mf.out, mf.out_len, &pos, false, &r) && r.status == 200);
	CHECK(r.body_len == 7 && memcmp(r.body, "GZ-PAGE", 7) == 0);
	CHECK(strcmp(resp_header(&r, "Content-Encoding"), "gzip") == 0);
	resp_free(&r);
	CHECK(resp_next(mf.out, mf.out_len, &pos, false, &r) && r.status == 206);
	CHECK(r.body_len == 1000 && memcmp(r.body, big + 1000, 1000) == 0);
	resp_free(&r);
	CHECK(resp_next(mf.out, mf.out_len, &pos, false, &r) && r.status == 404);
	resp_free(&r);
	CHECK(pos == mf.out_len);
	mock_flow_free(&mf);
	keel_http_server_free(srv);
}

static void real_archive(void)
{
	static char out[200000];
	struct archive a = { 0 };
	struct keel_kv *kv;
	struct keel_kv_tar_stats st;
	struct keel_kv_tar_config cfg = { .gzip_siblings = true };
	struct keel_kv_value v;
	const char *key, *prev = NULL;
	char long_key[200];
	size_t len, cursor = 0, count = 0;

	system_tar(&a);
	snprintf(long_key, sizeof(long_key), "%s/%s", long_dir, long_name);
	for (int pass = 0; pass < 2; pass++) {
		dev_bs = pass ? 4096 : 512;
		dev_reads = 0;
		CHECK(open_archive(&a, &cfg, &kv, &st) == KEEL_OK);
		printf(
		    "tar (blocks of %u): %u entries, %u skipped by type, %u by name, %llu bytes\n",
		    dev_bs, st.entries, st.skipped_type, st.skipped_name,
		    (unsigned long long)st.archive_bytes);
		CHECK(st.entries == 8 && st.skipped_name == 0);
		CHECK(st.skipped_type >= 7); /* ".", 5 folders, 2 links */

		CHECK(read_all(kv, "index.html", out, sizeof(out), &len, 5) && len == 12 &&
		      memcmp(out, "<p>home</p>\n", 12) == 0);
		CHECK(read_all(kv, "empty", out, sizeof(out), &len, 5) && len == 0);
		CHECK(read_all(kv, "sub/deeper/b.js", out, sizeof(out), &len, 1) && len == 6);
		CHECK(read_all(kv, long_key, out, sizeof(out), &len, 100) && len == 4);
		for (size_t piece = 1; piece < 70000; piece = piece * 3 + 1) {
			CHECK(read_all(kv, "sub/big.bin", out, sizeof(out), &len, piece));
			CHECK(len == sizeof(big) && memcmp(out, big, sizeof(big)) == 0);
		}
		CHECK(keel_kv_get(kv, "link.html", 9, &v) == KEEL_ENOENT);
		CHECK(keel_kv_get(kv, "escape", 6, &v) == KEEL_ENOENT);
		CHECK(keel_kv_get(kv, "sub", 3, &v) == KEEL_ENOENT);
		CHECK(keel_kv_get(kv, "./index.html", 12, &v) == KEEL_ENOENT);

		CHECK(keel_kv_get(kv, "page.html", 9, &v) == KEEL_OK);
		CHECK(v.len == 10 && v.gzip_len == 7 && v.mtime == 1700000000);
		CHECK(strcmp(v.content_type, "text/html; charset=utf-8") == 0);
		CHECK(strlen(v.etag) == 18 && v.etag[0] == '"' && v.etag[17] == '"');
		CHECK(keel_kv_read(kv, &v, true, 0, out, 100) == 7 &&
		      memcmp(out, "GZ-PAGE", 7) == 0);
		CHECK(keel_kv_read(kv, &v, true, 3, out, 100) == 4);
		CHECK(keel_kv_read(kv, &v, true, 7, out, 100) == 0);
		CHECK(keel_kv_read(kv, &v, false, 99, out, 100) == 0);

		cursor = 0;
		count = 0;
		prev = NULL;
		while (keel_kv_next(kv, "", 0, &cursor, &key, &v) == KEEL_OK) {
			CHECK(!prev || strcmp(prev, key) < 0);
			prev = key;
			count++;
		}
		CHECK(count == 8);
		cursor = count = 0;
		while (keel_kv_next(kv, "sub/", 4, &cursor, &key, &v) == KEEL_OK)
			count++;
		CHECK(count == 3);

		CHECK(dev_bad_calls == 0);
		if (pass == 0)
			over_http(kv);
		keel_kv_close(kv);
	}

	/* ETags from the bytes: equal bytes, equal tags, whatever the
	 * header; from the header: the archive decides. */
	{
		struct archive b = { 0 }, c = { 0 };
		struct keel_kv *kb, *kc;
		struct keel_kv_value vb, vc;
		struct keel_kv_tar_config hash = { .hash_contents = true };

		add(&b, NULL, "x.txt", '0', "same bytes");
		finish(&b);
		add(&c, NULL, "pad.txt", '0', "moves x further");
		add(&c, NULL, "x.txt", '0', "same bytes");
		finish(&c);
		dev_bs = 512;
		CHECK(open_archive(&b, &hash, &kb, NULL) == KEEL_OK);
		CHECK(keel_kv_get(kb, "x.txt", 5, &vb) == KEEL_OK);
		CHECK(open_archive(&c, &hash, &kc, NULL) == KEEL_OK);
		CHECK(keel_kv_get(kc, "x.txt", 5, &vc) == KEEL_OK);
		CHECK(strcmp(vb.etag, vc.etag) == 0);
		{
			char want[32];

			snprintf(
			    want, sizeof(want), "\"%016llx\"",
			    (unsigned long long)keel_kv_fnv1a(KEEL_KV_FNV_INIT, "same bytes", 10));
			CHECK(strcmp(vb.etag, want) == 0);
		}
		keel_kv_close(kb);
		keel_kv_close(kc);
		CHECK(open_archive(&b, NULL, &kb, NULL) == KEEL_OK);
		CHECK(keel_kv_get(kb, "x.txt", 5, &vb) == KEEL_OK);
		CHECK(open_archive(&c, NULL, &kc, NULL) == KEEL_OK);
		CHECK(keel_kv_get(kc, "x.txt", 5, &vc) == KEEL_OK);
		CHECK(strcmp(vb.etag, vc.etag) != 0);
		/* No sibling linking unless asked for. */
		keel_kv_close(kb);
		keel_kv_close(kc);
		free(b.b);
		free(c.b);
	}

	/* Corrupted copies: refused or opened, never worse (ASan watches). */
	dev_bs = 512;
	{
		unsigned char *copy = malloc(a.len);
		unsigned opened = 0, refused = 0;

		CHECK(copy);
		for (int round = 0; round < 3000; round++) {
			int flips = 1 + (int)(test_rand() % 8);
			struct archive m = { copy, a.len, a.len };

			memcpy(copy, a.b, a.len);
			for (int f = 0; f < flips; f++) {
				/* Mostly in headers, where it matters. */
				size_t at = test_rand() % 4 ? (test_rand() % (a.len / 512)) * 512 +
				                                  test_rand() % 512
				                            : test_rand() % a.len;

				copy[at] = round % 2 ? (unsigned char)test_rand() : copy[at] ^ 0x10;
				if (round % 3 == 0 && at / 512 * 512 + 512 <= a.len)
					fix_checksum(copy + at / 512 * 512);
			}
			if (open_archive(&m, &cfg, &kv, &st) == KEEL_OK) {
				opened++;
				cursor = 0;
				while (keel_kv_next(kv, "", 0, &cursor, &key, &v) == KEEL_OK) {
					CHECK(keel_kv_key_valid(key, strlen(key)));
					if (v.len < sizeof(out))
						CHECK(keel_kv_read(kv, &v, false, 0, out,
						                   sizeof(out)) == (long)v.len);
				}
				keel_kv_close(kv);
			} else {
				refused++;
			}
		}
		printf("corrupted archives: %u opened, %u refused\n", opened, refused);
		CHECK(opened > 0 && refused > 0 && dev_bad_calls == 0);
		free(copy);
	}
	free(a.b);
}

/* ---- Hostile headers ------------------------------------------------------------------ */

static void hostile(void)
{
	struct keel_kv *kv;
	struct keel_kv_tar_stats st;
	struct keel_kv_value v;
	unsigned char h[512];
	struct archive a;

	dev_bs = 512;

	/* Refused: the framing cannot be trusted. */
#define REFUSE(build)                                                                              \
	do {                                                                                       \
		memset(&a, 0, sizeof(a));                                                          \
		add(&a, NULL, "ok.txt", '0', "fine");                                              \
		build;                                                                             \
		finish(&a);                                                                        \
		CHECK(open_archive(&a, NULL, &kv, &st) == KEEL_EINVAL);                            \
		free(a.b);                                                                         \
	} while (0)
	REFUSE((header(h, NULL, "x", '0', 4, 0), h[0] ^= 1, put(&a, h, 512))); /* checksum */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memcpy(h + 124, "0000000008", 11), fix_checksum(h),
	        put(&a, h, 512))); /* not octal */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memcpy(h + 124, "-0000000004", 12),
	        fix_checksum(h), put(&a, h, 512))); /* signed */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memset(h + 124, 0, 12), h[124] = 0x80, h[135] = 4,
	        fix_checksum(h), put(&a, h, 512))); /* base-256 */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memset(h + 124, 0, 12), fix_checksum(h),
	        put(&a, h, 512))); /* no digits */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memcpy(h + 257, "ustaR", 5), fix_checksum(h),
	        put(&a, h, 512)));                                                /* magic */
	REFUSE((header(h, NULL, "x", '0', 077777777777ull, 0), put(&a, h, 512))); /* past device */
	REFUSE((header(h, NULL, "x", '0', 3000, 0), put(&a, h, 512)));            /* runs past */
	REFUSE((header(h, NULL, "x", '0', 4, 0), memcpy(h + 148, "abc", 3), put(&a, h, 512)));
	REFUSE((header(h, NULL, "x", '0', 4, 0), memcpy(h + 136, "9", 1), fix_checksum(h),
	        put(&a, h, 512))); /* mtime */

	/* Skipped: names that are not keys, and what is not a file. */
	memset(&a, 0, sizeof(a));
	add(&a, NULL, "../etc/passwd", '0', "x");
	add(&a, NULL, "/etc/passwd", '0', "x");
	add(&a, NULL, "a//b", '0', "x");
	add(&a, NULL, "a/./b", '0', "x");
	add(&a, NULL, "a/b/", '0', "x");
	add(&a, NULL, "a/..", '0', "x");
	add(&a, NULL, "ctl\x01name", '0', "x");
	add(&a, NULL, "new\nline", '0', "x");
	add(&a, NULL, "", '0', "x");
	add(&a, "a/..", "b", '0', "x");
	add(&a, "/abs", "b", '0', "x");
	add(&a, NULL, "./././ok", '0', "ok");
	add(&a, "dir", "in-prefix", '0', "p");
	add(&a, NULL, "link", '2', NULL);
	add(&a, NULL, "hard", '1', NULL);
	add(&a, NULL, "dev", '3', NULL);
	add(&a, NULL, "fifo", '6', NULL);
	add(&a, NULL, "dir/", '5', NULL);
	add(&a, NULL, "PaxHeaders/x", 'x', "30 path=../../../etc/passwd\n");
	add(&a, NULL, "described-by-pax", '0', "x");
	add(&a, NULL, "././@LongLink", 'L', "a-very-long-name");
	add(&a, NULL, "described-by-L", '0', "x");
	add(&a, NULL, "global", 'g', "12 a=b\n");
	add(&a, NULL, "after-global", '0', "g");
	add(&a, NULL, "contig", '7', "c");
	add(&a, NULL, "dup", '0', "first");
	add(&a, NULL, "dup", '0', "second");
	add(&a, NULL, "oldstyle", 0, "o");
	{
		/* A name filling all 100 bytes, no NUL. */
		char n100[101];

		memset(n100, 'm', 100);
		n100[100] = 0;
		add(&a, NULL, n100, '0', "m");
	}
	finish(&a);
	CHECK(open_archive(&a, NULL, &kv, &st) == KEEL_OK);
	printf("hostile names: %u entries, %u skipped by name, %u by type, %u replaced\n",
	       st.entries, st.skipped_name, st.skipped_type, st.replaced);
	CHECK(st.skipped_name == 11);
	CHECK(st.skipped_type == 10); /* 2, 1, 3, 6, 5, x and its file, L and its file, g */
	CHECK(st.replaced == 1);
	CHECK(st.entries == 7);
	{
		static char out[64];
		size_t len;

		CHECK(read_all(kv, "ok", out, sizeof(out), &len, 64) && strcmp(out, "ok") == 0);
		CHECK(read_all(kv, "dir/in-prefix", out, sizeof(out), &len, 64) &&
		      strcmp(out, "p") == 0);
		CHECK(read_all(kv, "dup", out, sizeof(out), &len, 64) &&
		      strcmp(out, "second") == 0);
		CHECK(read_all(kv, "contig", out, sizeof(out), &len, 64));
		CHECK(read_all(kv, "oldstyle", out, sizeof(out), &len, 64));
		CHECK(read_all(kv, "after-global", out, sizeof(out), &len, 64));
	}
	CHECK(keel_kv_get(kv, "described-by-pax", 16, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(kv, "described-by-L", 14, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(kv, "etc/passwd", 10, &v) == KEEL_ENOENT);
	keel_kv_close(kv);

	/* Bounds. */
	{
		struct keel_kv_tar_config small = { .max_entries = 6 };

		CHECK(open_archive(&a, &small, &kv, &st) == KEEL_ENOMEM);
		small.max_entries = 8; /* "dup" counts twice before duplicates go */
		CHECK(open_archive(&a, &small, &kv, &st) == KEEL_OK);
		keel_kv_close(kv);
		small.max_entries = 0;
		small.max_name_bytes = 64;
		CHECK(open_archive(&a, &small, &kv, &st) == KEEL_ENOMEM);
	}
	free(a.b);

	/* No end marker: the device's end ends the archive. */
	memset(&a, 0, sizeof(a));
	add(&a, NULL, "only", '0', "1");
	CHECK(open_archive(&a, NULL, &kv, &st) == KEEL_OK && st.entries == 1);
	keel_kv_close(kv);
	free(a.b);
	/* An empty device. */
	set_device(NULL, 0);
	CHECK(keel_kv_tar_open("storage", NULL, &kv, &st) == KEEL_OK && st.entries == 0);
	CHECK(keel_kv_get(kv, "x", 1, &v) == KEEL_ENOENT);
	keel_kv_close(kv);
	/* Not ours. */
	CHECK(keel_kv_tar_open("other", NULL, &kv, &st) == KEEL_ENODEV);
	{
		struct kp_block_info info = { 4096, 256 };

		CHECK(keel_kv_tar_open_handle(3, &info, NULL, &kv, NULL) == KEEL_EINVAL);
		info.block_size = 1536;
		CHECK(keel_kv_tar_open_handle(3, &info, NULL, &kv, NULL) == KEEL_EINVAL);
		info.block_size = 1024;
		info.capacity = 1000;
		CHECK(keel_kv_tar_open_handle(3, &info, NULL, &kv, NULL) == KEEL_EINVAL);
	}
	/* A failing device. */
	memset(&a, 0, sizeof(a));
	add(&a, NULL, "x", '0', "1");
	finish(&a);
	set_device(a.b, a.len);
	dev_fail = true;
	CHECK(keel_kv_tar_open("storage", NULL, &kv, &st) == KEEL_EIO);
	dev_fail = false;
	CHECK(keel_kv_tar_open("storage", NULL, &kv, &st) == KEEL_OK);
	CHECK(keel_kv_get(kv, "x", 1, &v) == KEEL_OK);
	dev_fail = true;
	{
		char out[8];

		CHECK(keel_kv_read(kv, &v, false, 0, out, sizeof(out)) == KEEL_EIO);
	}
	dev_fail = false;
	keel_kv_close(kv);
	free(a.b);
	CHECK(dev_bad_calls == 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	real_archive();
	hostile();
	free(dev);
	printf("PASS %s\n", test_name);
	return 0;
}

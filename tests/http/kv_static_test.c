/*
 * The compiled-in store: tests/http/site compiled by keel-mkkv (the build
 * runs it, as an image's build would) and linked here as `test_site`.
 *
 * Every regular file of the folder that is not hidden must be an entry,
 * keyed by its relative path, with identical bytes, the content type of
 * its extension, an ETag that is the FNV-1a hash of its bytes, its mtime,
 * and, where one was made, a gzip variant that is smaller and inflates
 * (zlib) back to the same bytes. Hidden files are not there. Lookups of
 * absent keys, of prefixes and of slices fail cleanly; iteration is in
 * key order and honours prefixes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <keel/kv.h>

#include "check.h"

const char test_name[] = "http/kv_static";

extern struct keel_kv_static test_site;

#define SITE "tests/http/site"

static size_t files_seen, gzip_seen;

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 20);
	size_t n;

	CHECK(f && b);
	n = fread(b, 1, 1 << 20, f);
	CHECK(n < (1 << 20));
	fclose(f);
	*len = n;
	return b;
}

static void check_gzip(const struct keel_kv_value *v, const unsigned char *want, size_t len)
{
	unsigned char *out = malloc(len + 1);
	z_stream z;

	CHECK(out);
	memset(&z, 0, sizeof(z));
	CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
	z.next_in = (Bytef *)(uintptr_t)v->gzip_data;
	z.avail_in = (uInt)v->gzip_len;
	z.next_out = out;
	z.avail_out = (uInt)len + 1;
	CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
	CHECK(z.total_out == len && memcmp(out, want, len) == 0);
	inflateEnd(&z);
	free(out);
}

static void check_file(const char *key, const char *path)
{
	struct keel_kv_value v;
	struct stat st;
	unsigned char *bytes;
	size_t len;
	char etag[32];
	unsigned char piece[7];

	bytes = slurp(path, &len);
	CHECK(stat(path, &st) == 0);
	if (keel_kv_get(&test_site.kv, key, strlen(key), &v) != KEEL_OK)
		printf("missing: %s\n", key);
	CHECK(keel_kv_get(&test_site.kv, key, strlen(key), &v) == KEEL_OK);
	CHECK(v.len == len);
	CHECK(v.data && memcmp(v.data, bytes, len) == 0);
	/* Compiled in: valid and unchanged for the image's life. */
	CHECK(v.data_static);
	CHECK(strcmp(v.content_type, keel_kv_content_type(key, strlen(key))) == 0);
	snprintf(etag, sizeof(etag), "\"%016llx\"",
	         (unsigned long long)keel_kv_fnv1a(KEEL_KV_FNV_INIT, bytes, len));
	CHECK(strcmp(v.etag, etag) == 0);
	CHECK(v.mtime == (uint64_t)st.st_mtime);
	if (v.gzip_len) {
		CHECK(v.gzip_data && v.gzip_len < len);
		check_gzip(&v, bytes, len);
		gzip_seen++;
	} else {
		CHECK(v.gzip_data == NULL);
	}
	/* keel_kv_read on bytes in memory. */
	if (len > 3) {
		CHECK(keel_kv_read(&test_site.kv, &v, false, 2, piece, sizeof(piece)) ==
		      (long)(len - 2 < 7 ? len - 2 : 7));
		CHECK(memcmp(piece, bytes + 2, len - 2 < 7 ? len - 2 : 7) == 0);
	}
	CHECK(keel_kv_read(&test_site.kv, &v, false, len, piece, sizeof(piece)) == 0);
	files_seen++;
	free(bytes);
}

static void walk(const char *rel)
{
	char dir[512];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s%s%s", SITE, *rel ? "/" : "", rel);
	d = opendir(dir);
	CHECK(d);
	while ((de = readdir(d)) != NULL) {
		char key[512], path[1024];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(key, sizeof(key), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", SITE, key);
		CHECK(lstat(path, &st) == 0);
		if (S_ISDIR(st.st_mode))
			walk(key);
		else if (S_ISREG(st.st_mode))
			check_file(key, path);
	}
	closedir(d);
}

static void lookups(void)
{
	struct keel_kv_value v;
	const char *key, *prev = NULL;
	size_t cursor = 0, n = 0;

	CHECK(keel_kv_get(&test_site.kv, ".hidden", 7, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(&test_site.kv, ".private/key.txt", 16, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(&test_site.kv, "css", 3, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(&test_site.kv, "css/", 4, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(&test_site.kv, "", 0, &v) == KEEL_ENOENT);
	CHECK(keel_kv_get(&test_site.kv, "index.htmlx", 11, &v) == KEEL_ENOENT);
	/* A slice of a longer string is a key of its own length. */
	CHECK(keel_kv_get(&test_site.kv, "index.html.bak", 10, &v) == KEEL_OK && v.len > 0);
	CHECK(keel_kv_get(&test_site.kv, "hello world.txt", 15, &v) == KEEL_OK);
	CHECK(keel_kv_get(&test_site.kv, "docs/caf\xc3\xa9.txt", 14, &v) == KEEL_OK);
	CHECK(strcmp(v.content_type, "text/plain; charset=utf-8") == 0);
	CHECK(keel_kv_get(&test_site.kv, "empty.txt", 9, &v) == KEEL_OK && v.len == 0 &&
	      v.gzip_len == 0);
	CHECK(keel_kv_get(&test_site.kv, "img/pixel.png", 13, &v) == KEEL_OK);
	CHECK(strcmp(v.content_type, "image/png") == 0 && v.gzip_len == 0);
	CHECK(keel_kv_get(&test_site.kv, "data/blob.bin", 13, &v) == KEEL_OK && v.gzip_len == 0);
	CHECK(keel_kv_get(&test_site.kv, "index.html", 10, &v) == KEEL_OK && v.gzip_len > 0);

	/* Every key, in order. */
	while (keel_kv_next(&test_site.kv, "", 0, &cursor, &key, &v) == KEEL_OK) {
		CHECK(!prev || strcmp(prev, key) < 0);
		CHECK(keel_kv_key_valid(key, strlen(key)));
		prev = key;
		n++;
	}
	CHECK(n == files_seen && n == test_site.count);
	/* A prefix: the entries under it and nothing else. */
	cursor = 0;
	n = 0;
	while (keel_kv_next(&test_site.kv, "docs/", 5, &cursor, &key, &v) == KEEL_OK) {
		CHECK(strncmp(key, "docs/", 5) == 0);
		n++;
	}
	CHECK(n == 2);
	cursor = 0;
	CHECK(keel_kv_next(&test_site.kv, "zzz", 3, &cursor, &key, &v) == KEEL_ENOENT);
	cursor = 0;
	CHECK(keel_kv_next(&test_site.kv, "index.html", 10, &cursor, &key, &v) == KEEL_OK);
	CHECK(strcmp(key, "index.html") == 0);
	CHECK(keel_kv_next(&test_site.kv, "index.html", 10, &cursor, &key, &v) == KEEL_ENOENT);
	keel_kv_close(&test_site.kv); /* nothing to release; allowed */
}

static void helpers(void)
{
	CHECK(strcmp(keel_kv_content_type("a.HTML", 6), "text/html; charset=utf-8") == 0);
	CHECK(strcmp(keel_kv_content_type("x/y.tar.gz", 10), "application/gzip") == 0);
	CHECK(strcmp(keel_kv_content_type("noext", 5), "application/octet-stream") == 0);
	CHECK(strcmp(keel_kv_content_type(".css", 4), "application/octet-stream") == 0);
	CHECK(strcmp(keel_kv_content_type("d/.css", 6), "application/octet-stream") == 0);
	CHECK(strcmp(keel_kv_content_type("d.css/x", 7), "application/octet-stream") == 0);
	CHECK(strcmp(keel_kv_content_type("a.", 2), "application/octet-stream") == 0);
	CHECK(strcmp(keel_kv_content_type("a.woff2", 7), "font/woff2") == 0);
	CHECK(strcmp(keel_kv_content_type("a.woff", 6), "font/woff") == 0);
	CHECK(strcmp(keel_kv_content_type("a.wof", 5), "application/octet-stream") == 0);
	CHECK(keel_kv_fnv1a(KEEL_KV_FNV_INIT, "", 0) == 0xcbf29ce484222325ull);
	CHECK(keel_kv_fnv1a(KEEL_KV_FNV_INIT, "a", 1) == 0xaf63dc4c8601ec8cull);
	CHECK(keel_kv_fnv1a(KEEL_KV_FNV_INIT, "foobar", 6) == 0x85944171f73967e8ull);
	CHECK(keel_kv_key_valid("a", 1));
	CHECK(keel_kv_key_valid("a/b.c", 5));
	CHECK(keel_kv_key_valid("..a/b..", 7));
	CHECK(!keel_kv_key_valid("", 0));
	CHECK(!keel_kv_key_valid("/a", 2));
	CHECK(!keel_kv_key_valid("a/", 2));
	CHECK(!keel_kv_key_valid("a//b", 4));
	CHECK(!keel_kv_key_valid("..", 2));
	CHECK(!keel_kv_key_valid("a/../b", 6));
	CHECK(!keel_kv_key_valid("./a", 3));
	CHECK(!keel_kv_key_valid("a/.", 3));
	CHECK(!keel_kv_key_valid("a\nb", 3));
	CHECK(!keel_kv_key_valid("a\0b", 3));
	CHECK(!keel_kv_key_valid("a\x7f", 2));
	{
		char k[KEEL_KV_KEY_MAX + 1];

		memset(k, 'k', sizeof(k));
		CHECK(keel_kv_key_valid(k, KEEL_KV_KEY_MAX));
		CHECK(!keel_kv_key_valid(k, KEEL_KV_KEY_MAX + 1));
	}
}

int main(void)
{
	walk("");
	printf("%zu files, %zu with a gzip variant\n", files_seen, gzip_seen);
	CHECK(files_seen >= 9 && gzip_seen >= 3);
	lookups();
	helpers();
	printf("PASS %s\n", test_name);
	return 0;
}

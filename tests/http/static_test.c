/*
 * Static content (lib/http/static.c) over a hand-made compiled-in store
 * and over a store whose bytes are not in memory: validators, the
 * conditional requests of RFC 9110 section 13 (304, 412), single ranges
 * (206, 416, several ranges, If-Range), HEAD, the gzip variant with its
 * own ETag and Vary, and the mapping of paths to keys (index, redirect of
 * a folder, refusal of "..", ".", empty components and NUL), and the
 * page a mount sends with every 404. Bodies from the compiled-in store go
 * by reference (keel_flow_write_static, pointing into the table's bytes);
 * those of the other store, never.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/core.h>
#include <keel/http.h>
#include <keel/kv.h>

#include "check.h"
#include "mock_flow.h"
#include "mock_platform.h"
#include "resp.h"

const char test_name[] = "http/static";

static const unsigned char index_html[] = "<h1>home</h1>\n";
static const unsigned char page_html[] = "0123456789abcdefghij";
static const unsigned char page_gz[] = "GZIPPED-BYTES";
static const unsigned char sub_index[] = "sub index";
static const unsigned char note_txt[] = "note";

/* mtime 784111777 is Sun, 06 Nov 1994 08:49:37 GMT. */
static const struct keel_kv_static_entry entries[] = {
	{ "dir/index.html", 14, sub_index, 9, NULL, 0, "text/html; charset=utf-8", "\"dir1\"", 0 },
	{ "dir/note.txt", 12, note_txt, 4, NULL, 0, "text/plain; charset=utf-8", "\"note1\"",
	  784111777 },
	{ "empty", 5, (const unsigned char *)"", 0, NULL, 0, "application/octet-stream", "\"e\"",
	  1 },
	{ "index.html", 10, index_html, 14, NULL, 0, "text/html; charset=utf-8", "\"idx1\"",
	  784111777 },
	{ "page.html", 9, page_html, 20, page_gz, 13, "text/html; charset=utf-8", "\"pg1\"",
	  784111777 },
};
static struct keel_kv_static site = KEEL_KV_STATIC_INIT(entries, 5);

/* A store with the same entries whose bytes must be read(). */
static int far_get(struct keel_kv *kv, const char *key, size_t len, struct keel_kv_value *out)
{
	int err = keel_kv_get(&site.kv, key, len, out);

	if (err == KEEL_OK) {
		out->data = NULL;
		out->gzip_data = NULL;
	}
	return err;
}

static unsigned far_reads;

static long far_read(struct keel_kv *kv, const struct keel_kv_value *v, bool gzip, uint64_t offset,
                     void *buf, size_t len)
{
	const struct keel_kv_static_entry *e = (const void *)v->ref;
	const unsigned char *data = gzip ? e->gzip_data : e->data;
	uint64_t size = gzip ? e->gzip_len : e->len;

	far_reads++;
	if (offset >= size)
		return 0;
	if (len > 3)
		len = 3; /* small pieces: the server must loop */
	if (len > size - offset)
		len = (size_t)(size - offset);
	memcpy(buf, data + offset, len);
	return (long)len;
}

static const struct keel_kv_ops far_ops = { .get = far_get, .read = far_read };
static struct keel_kv far = { &far_ops };

static struct keel_http_static mount = { &site.kv, "index.html", NULL };
static struct keel_http_static far_mount = { &far, "index.html", NULL };
static struct keel_http_static no_index = { &site.kv, NULL, NULL };
static struct keel_http_static with_page = { &site.kv, "index.html", "dir/note.txt" };
static struct keel_http_static far_page = { &far, "index.html", "dir/note.txt" };
static struct keel_http_static bad_page = { &site.kv, "index.html", "no/such/page" };

static int h_note(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return keel_http_respond_kv(req, resp, &site.kv, "dir/note.txt");
}

static struct keel_http_server *srv;
static struct mock_flow mf;
static size_t out_pos;

static void conn_fiber(void *arg)
{
	keel_http_serve_flow(srv, &mf.flow);
}

static void run(const char *in)
{
	mock_flow_free(&mf);
	mock_flow_init(&mf, in, strlen(in));
	CHECK(keel_fiber_spawn(conn_fiber, NULL, 0));
	CHECK(keel_loop_run() == KEEL_OK);
	CHECK(mf.closed);
	out_pos = 0;
}

/* Requests `path` with extra header lines; checks the status. */
static void get(const char *method, const char *path, const char *fields, int status,
                struct resp *r)
{
	char in[2048];
	bool ok;

	snprintf(in, sizeof(in), "%s %s HTTP/1.1\r\nHost: a\r\n%s\r\n", method, path, fields);
	run(in);
	ok = resp_next(mf.out, mf.out_len, &out_pos, strcmp(method, "HEAD") == 0, r);
	if (!ok || r->status != status)
		printf("%s %s [%s]: got %d, want %d\n%s\n", method, path, fields, r->status, status,
		       mf.out);
	CHECK(ok && r->status == status);
	CHECK(out_pos == mf.out_len);
}

static void body_is(struct resp *r, const void *body, size_t len)
{
	if (r->body_len != len || memcmp(r->body, body, len) != 0)
		printf("body '%s' (%zu), want %zu bytes\n", r->body, r->body_len, len);
	CHECK(r->body_len == len && memcmp(r->body, body, len) == 0);
}

static void header_is(struct resp *r, const char *name, const char *value)
{
	const char *v = resp_header(r, name);

	if (!value) {
		CHECK(v == NULL);
		return;
	}
	if (!v || strcmp(v, value) != 0)
		printf("%s: '%s', want '%s'\n", name, v ? v : "(none)", value);
	CHECK(v && strcmp(v, value) == 0);
}

static void plain(void)
{
	struct resp r;

	get("GET", "/", "", 200, &r);
	body_is(&r, index_html, 14);
	header_is(&r, "Content-Type", "text/html; charset=utf-8");
	header_is(&r, "ETag", "\"idx1\"");
	header_is(&r, "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
	header_is(&r, "Accept-Ranges", "bytes");
	header_is(&r, "Vary", NULL);
	header_is(&r, "Content-Encoding", NULL);
	resp_free(&r);
	/* One write: head and body from the table, not copied. */
	CHECK(mf.writevs == 1);
	CHECK(mf.static_writes == 1 && mf.static_data == index_html && mf.static_len == 14);

	get("GET", "/index.html?x=1", "", 200, &r);
	body_is(&r, index_html, 14);
	resp_free(&r);
	get("HEAD", "/page.html", "", 200, &r);
	header_is(&r, "Content-Length", "20");
	CHECK(r.body_len == 0);
	CHECK(mf.static_writes == 0);
	resp_free(&r);
	get("GET", "/empty", "", 200, &r);
	header_is(&r, "Content-Length", "0");
	header_is(&r, "Last-Modified", "Thu, 01 Jan 1970 00:00:01 GMT");
	resp_free(&r);
	get("GET", "/dir/", "", 200, &r);
	body_is(&r, sub_index, 9);
	header_is(&r, "Last-Modified", NULL); /* mtime 0: unknown */
	resp_free(&r);
	get("GET", "/dir/note%2etxt", "", 200, &r);
	body_is(&r, note_txt, 4);
	resp_free(&r);
	get("GET", "/direct", "", 200, &r);
	body_is(&r, note_txt, 4);
	resp_free(&r);

	/* A folder without its slash: sent to it, query kept. */
	get("GET", "/dir", "", 301, &r);
	header_is(&r, "Location", "/dir/");
	resp_free(&r);
	get("GET", "/dir?a=b", "", 301, &r);
	header_is(&r, "Location", "/dir/?a=b");
	resp_free(&r);
	get("GET", "/bare/dir", "", 404, &r);
	resp_free(&r);
	get("GET", "/bare/", "", 404, &r);
	resp_free(&r);
	get("GET", "/bare/index.html", "", 200, &r);
	resp_free(&r);

	/* Paths that do not make keys. */
	get("GET", "/nothing", "", 404, &r);
	resp_free(&r);
	get("GET", "/../index.html", "", 404, &r);
	resp_free(&r);
	get("GET", "/dir/../index.html", "", 404, &r);
	resp_free(&r);
	get("GET", "/%2e%2e/index.html", "", 404, &r);
	resp_free(&r);
	get("GET", "/dir/%2E/note.txt", "", 404, &r);
	resp_free(&r);
	get("GET", "/dir//note.txt", "", 404, &r);
	resp_free(&r);
	get("GET", "//index.html", "", 404, &r);
	resp_free(&r);
	get("GET", "/index.html%00", "", 404, &r);
	resp_free(&r);
	get("GET", "/index.html%", "", 400, &r); /* the parser already refuses it */
	resp_free(&r);
	get("GET", "/dir%2fnote.txt", "", 200, &r); /* an encoded slash is a slash */
	resp_free(&r);

	/* Only GET and HEAD. */
	get("DELETE", "/index.html", "", 405, &r);
	header_is(&r, "Allow", "GET, HEAD");
	resp_free(&r);
}

static void conditional(void)
{
	struct resp r;

	get("GET", "/", "If-None-Match: \"idx1\"\r\n", 304, &r);
	header_is(&r, "ETag", "\"idx1\"");
	header_is(&r, "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
	header_is(&r, "Content-Length", NULL);
	CHECK(r.body_len == 0);
	resp_free(&r);
	get("HEAD", "/", "If-None-Match: \"idx1\"\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-None-Match: W/\"idx1\"\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-None-Match: \"other\", \"idx1\"\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-None-Match: *\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-None-Match: \"other\"\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/", "If-None-Match: idx1\r\n", 200, &r);
	resp_free(&r);

	/* Dates: not modified since a time at or after mtime. */
	get("GET", "/", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-Modified-Since: Sunday, 06-Nov-94 09:00:00 GMT\r\n", 304, &r);
	resp_free(&r);
	get("GET", "/", "If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/", "If-Modified-Since: yesterday\r\n", 200, &r);
	resp_free(&r);
	/* If-None-Match wins over If-Modified-Since. */
	get("GET", "/",
	    "If-None-Match: \"other\"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 200,
	    &r);
	resp_free(&r);
	/* Unknown mtime: never "not modified" by date. */
	get("GET", "/dir/", "If-Modified-Since: Sun, 06 Nov 2094 08:49:37 GMT\r\n", 200, &r);
	resp_free(&r);

	/* Preconditions that fail: 412. */
	get("GET", "/", "If-Match: \"other\"\r\n", 412, &r);
	resp_free(&r);
	get("GET", "/", "If-Match: W/\"idx1\"\r\n", 412, &r); /* strong comparison */
	resp_free(&r);
	get("GET", "/", "If-Match: \"idx1\"\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/", "If-Match: *\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/", "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n", 412, &r);
	resp_free(&r);
	get("GET", "/", "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n", 200, &r);
	resp_free(&r);
	/* If-Match present: If-Unmodified-Since is not looked at. */
	get("GET", "/",
	    "If-Match: \"idx1\"\r\nIf-Unmodified-Since: Sun, 06 Nov 1990 08:49:36 GMT\r\n", 200,
	    &r);
	resp_free(&r);
}

static void ranges(void)
{
	struct resp r;

	get("GET", "/page.html", "Range: bytes=0-4\r\n", 206, &r);
	body_is(&r, "01234", 5);
	header_is(&r, "Content-Range", "bytes 0-4/20");
	header_is(&r, "Content-Length", "5");
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=-3\r\n", 206, &r);
	body_is(&r, "hij", 3);
	header_is(&r, "Content-Range", "bytes 17-19/20");
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=15-\r\n", 206, &r);
	body_is(&r, "fghij", 5);
	resp_free(&r);
	CHECK(mf.static_writes == 1 && mf.static_data == page_html + 15 && mf.static_len == 5);
	get("GET", "/page.html", "Range: bytes=19-100\r\n", 206, &r);
	body_is(&r, "j", 1);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=20-\r\n", 416, &r);
	header_is(&r, "Content-Range", "bytes */20");
	resp_free(&r);
	get("GET", "/empty", "Range: bytes=0-\r\n", 416, &r);
	header_is(&r, "Content-Range", "bytes */0");
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=0-1,5-6\r\n", 200, &r);
	body_is(&r, page_html, 20);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=5-1\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/page.html", "Range: pages=1\r\n", 200, &r);
	resp_free(&r);
	/* HEAD ignores Range. */
	get("HEAD", "/page.html", "Range: bytes=0-4\r\n", 200, &r);
	header_is(&r, "Content-Length", "20");
	resp_free(&r);

	/* If-Range: the range only while the representation is the same. */
	get("GET", "/page.html", "Range: bytes=0-1\r\nIf-Range: \"pg1\"\r\n", 206, &r);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n", 200, &r);
	body_is(&r, page_html, 20);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=0-1\r\nIf-Range: W/\"pg1\"\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=0-1\r\nIf-Range: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
	    206, &r);
	resp_free(&r);
	get("GET", "/page.html", "Range: bytes=0-1\r\nIf-Range: Sun, 06 Nov 1994 08:49:38 GMT\r\n",
	    200, &r);
	resp_free(&r);
}

static void gzip_variant(void)
{
	struct resp r;

	get("GET", "/page.html", "Accept-Encoding: gzip, br\r\n", 200, &r);
	body_is(&r, page_gz, 13);
	header_is(&r, "Content-Encoding", "gzip");
	header_is(&r, "ETag", "\"pg1-gz\"");
	header_is(&r, "Vary", "Accept-Encoding");
	header_is(&r, "Content-Type", "text/html; charset=utf-8");
	resp_free(&r);
	CHECK(mf.static_writes == 1 && mf.static_data == page_gz && mf.static_len == 13);
	get("GET", "/page.html", "Accept-Encoding: br\r\n", 200, &r);
	body_is(&r, page_html, 20);
	header_is(&r, "Content-Encoding", NULL);
	header_is(&r, "ETag", "\"pg1\"");
	header_is(&r, "Vary", "Accept-Encoding");
	resp_free(&r);
	get("GET", "/page.html", "Accept-Encoding: gzip;q=0\r\n", 200, &r);
	body_is(&r, page_html, 20);
	resp_free(&r);
	/* Each representation has its own validator. */
	get("GET", "/page.html", "Accept-Encoding: gzip\r\nIf-None-Match: \"pg1-gz\"\r\n", 304, &r);
	header_is(&r, "Vary", "Accept-Encoding");
	resp_free(&r);
	get("GET", "/page.html", "If-None-Match: \"pg1-gz\"\r\n", 200, &r);
	resp_free(&r);
	get("GET", "/page.html", "Accept-Encoding: gzip\r\nIf-None-Match: \"pg1\"\r\n", 200, &r);
	resp_free(&r);
	/* Ranges are of the representation sent. */
	get("GET", "/page.html", "Accept-Encoding: gzip\r\nRange: bytes=0-3\r\n", 206, &r);
	body_is(&r, "GZIP", 4);
	header_is(&r, "Content-Range", "bytes 0-3/13");
	resp_free(&r);
	/* Without a variant: no Vary. */
	get("GET", "/", "Accept-Encoding: gzip\r\n", 200, &r);
	header_is(&r, "Vary", NULL);
	header_is(&r, "Content-Encoding", NULL);
	resp_free(&r);
}

static void not_in_memory(void)
{
	struct resp r;

	far_reads = 0;
	get("GET", "/far/page.html", "", 200, &r);
	body_is(&r, page_html, 20);
	header_is(&r, "Content-Length", "20");
	resp_free(&r);
	CHECK(far_reads >= 7);
	CHECK(mf.static_writes == 0);
	get("GET", "/far/page.html", "Range: bytes=3-9\r\n", 206, &r);
	body_is(&r, "3456789", 7);
	resp_free(&r);
	get("GET", "/far/page.html", "Accept-Encoding: gzip\r\n", 200, &r);
	body_is(&r, page_gz, 13);
	resp_free(&r);
	far_reads = 0;
	get("HEAD", "/far/page.html", "", 200, &r);
	header_is(&r, "Content-Length", "20");
	resp_free(&r);
	CHECK(far_reads == 0);
	get("GET", "/far/", "", 200, &r);
	body_is(&r, index_html, 14);
	resp_free(&r);
	get("GET", "/far/empty", "", 200, &r);
	header_is(&r, "Content-Length", "0");
	resp_free(&r);
}

/* A mount's not_found page answers every 404, when it is in memory. */
static void not_found_page(void)
{
	static const char *const missing[] = { "/page/nothing", "/page/dir/nothing/", "/page/../index.html",
		                               "/page/dir//note.txt", "/page/index.html%00" };
	struct resp r;

	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		get("GET", missing[i], "", 404, &r);
		body_is(&r, note_txt, 4);
		header_is(&r, "Content-Type", "text/plain; charset=utf-8");
		resp_free(&r);
	}
	get("HEAD", "/page/nothing", "", 404, &r);
	header_is(&r, "Content-Length", "4");
	CHECK(r.body_len == 0);
	resp_free(&r);
	/* What is there is served as without the page. */
	get("GET", "/page/", "", 200, &r);
	body_is(&r, index_html, 14);
	resp_free(&r);
	get("GET", "/page/dir", "", 301, &r);
	resp_free(&r);
	get("GET", "/page/dir/note.txt", "", 200, &r);
	body_is(&r, note_txt, 4);
	resp_free(&r);
	/* A page whose bytes are not in memory, or that is not there: the
	 * short text. */
	get("GET", "/farpage/nothing", "", 404, &r);
	CHECK(r.body_len != 4 || memcmp(r.body, note_txt, 4) != 0);
	resp_free(&r);
	get("GET", "/badpage/nothing", "", 404, &r);
	CHECK(r.body_len > 0);
	resp_free(&r);
	/* Without a page, as before: the short text too. */
	get("GET", "/nothing", "", 404, &r);
	CHECK(r.body_len != 4 || memcmp(r.body, note_txt, 4) != 0);
	resp_free(&r);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	srv = keel_http_server_new(NULL);
	CHECK(srv);
	CHECK(keel_http_route(srv, "GET", "/direct", h_note, NULL) == KEEL_OK);
	CHECK(keel_http_route(srv, "GET", "/far/*", keel_http_static, &far_mount) == KEEL_OK);
	CHECK(keel_http_route(srv, "GET", "/bare/*", keel_http_static, &no_index) == KEEL_OK);
	CHECK(keel_http_route(srv, "*", "/page/*", keel_http_static, &with_page) == KEEL_OK);
	CHECK(keel_http_route(srv, "GET", "/farpage/*", keel_http_static, &far_page) == KEEL_OK);
	CHECK(keel_http_route(srv, "GET", "/badpage/*", keel_http_static, &bad_page) == KEEL_OK);
	CHECK(keel_http_route(srv, "*", "/*", keel_http_static, &mount) == KEEL_OK);
	plain();
	conditional();
	ranges();
	gzip_variant();
	not_in_memory();
	not_found_page();
	mock_flow_free(&mf);
	keel_http_server_free(srv);
	printf("PASS %s\n", test_name);
	return 0;
}

/*
 * store — a branchable, Git-compatible key-value store served over HTTP,
 * kept on block device "storage" (formatted on first use).
 *
 *     store [--port=N] [--bind=ADDR] [--verify] [--exit-after=SECONDS]
 *           [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--dns=ADDR]
 *
 *   GET    /kv/BRANCH/PATH     the file's bytes (404 when absent)
 *   PUT    /kv/BRANCH/PATH     sets it (body: the bytes), one commit;
 *                              answers the commit id
 *   DELETE /kv/BRANCH/PATH     removes it, one commit
 *   POST   /merge/FROM/INTO    merges branch FROM into INTO (line-based
 *                              text merge); 409 and the paths on conflict
 *   GET    /log/BRANCH         "ID SUBJECT" per commit, newest first
 *
 * and Git's dumb HTTP protocol, so that `git clone http://HOST:PORT/store.git`
 * works: /store.git/info/refs, /store.git/HEAD, /store.git/objects/XX/Y...
 * (each object a zlib stream of stored blocks, made on the fly) and an
 * empty /store.git/objects/info/packs.
 *
 *   --port=N        the TCP port (default: 80 on the direct stack, 8080 on
 *                   the socket stack, which runs unprivileged)
 *   --bind=ADDR     listen on ADDR only (default: every address of the
 *                   direct stack; 127.0.0.1 on the socket stack)
 *   --verify        check every record and object of the store before
 *                   serving (keel_store_verify) and say how many
 *   --exit-after=S  close the store and stop after S seconds (tests)
 *   --ipv4...       the address of the direct stack; without --ipv4 it
 *                   asks DHCP (QEMU's user networking answers 10.0.2.15)
 *
 * The same file is built twice, like examples/www: examples/store links
 * direct.c (its own TCP/IP stack on the net device "service": virtio-net
 * under QEMU, a TAP on linux) and examples/store-socket links socket.c
 * (the host's sockets, linux only). When it is ready it prints one line,
 * "store: serving on http://ADDR:PORT/".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/block.h>
#include <keel/core.h>
#include <keel/http.h>
#include <keel/manifest.h>
#include <keel/net.h>
#include <keel/store.h>

#include "stack.h"

KEEL_BLOCK_DEVICE(storage);

#define BODY_MAX (1024 * 1024)
#define NET_OPEN_TIMEOUT (30 * KEEL_SEC) /* DHCP included */
#define LISTEN_BACKLOG 64

static struct keel_store *st;

/* Splits "BRANCH/REST" at its first '/' into buf; *rest points after it. */
static bool split(const char *w, char *buf, size_t size, const char **rest)
{
	const char *slash = strchr(w, '/');
	size_t n = slash ? (size_t)(slash - w) : strlen(w);

	if (!slash || n == 0 || n >= size)
		return false;
	memcpy(buf, w, n);
	buf[n] = 0;
	*rest = slash + 1;
	return true;
}

static int status_of(int err)
{
	switch (err) {
	case KEEL_ENOENT:
		return 404;
	case KEEL_EINVAL:
		return 400;
	case KEEL_EAGAIN:
		return 409;
	case KEEL_ENOMEM:
		return 507;
	default:
		return 500;
	}
}

static int kv_get(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	char branch[KEEL_STORE_REF_MAX + 1];
	const char *path;
	uint8_t *data;
	size_t len;
	int err;

	if (!split(keel_http_wildcard(req), branch, sizeof(branch), &path))
		return keel_http_respond_status(resp, 404);
	err = keel_store_get(st, branch, path, &data, &len);
	if (err != KEEL_OK)
		return keel_http_respond_status(resp, status_of(err));
	err = keel_http_respond(resp, 200, "application/octet-stream", data, len);
	free(data);
	return err;
}

static int respond_commit(struct keel_http_response *resp, int err, const struct keel_store_id *id)
{
	char hex[KEEL_STORE_HEX_LEN + 2];

	if (err != KEEL_OK)
		return keel_http_respond_status(resp, status_of(err));
	keel_store_id_hex(id, hex);
	hex[KEEL_STORE_HEX_LEN] = '\n';
	return keel_http_respond(resp, 200, "text/plain", hex, KEEL_STORE_HEX_LEN + 1);
}

static int kv_put(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	char branch[KEEL_STORE_REF_MAX + 1], msg[64];
	struct keel_store_info info = { "http", "http@keel", msg, 0, 0 };
	struct keel_store_id id;
	const char *path;
	uint8_t *body;
	size_t len = 0;
	long n;
	int err;

	if (!split(keel_http_wildcard(req), branch, sizeof(branch), &path))
		return keel_http_respond_status(resp, 404);
	body = malloc(BODY_MAX);
	if (!body)
		return keel_http_respond_status(resp, 503);
	while ((n = keel_http_body_read(req, body + len, BODY_MAX - len)) > 0) {
		len += (size_t)n;
		if (len == BODY_MAX)
			break;
	}
	if (n < 0) {
		free(body);
		return (int)n;
	}
	snprintf(msg, sizeof(msg), "set %.50s\n", path);
	err = keel_store_set(st, branch, path, body, len, &info, &id);
	free(body);
	return respond_commit(resp, err, &id);
}

static int kv_delete(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	char branch[KEEL_STORE_REF_MAX + 1], msg[64];
	struct keel_store_info info = { "http", "http@keel", msg, 0, 0 };
	struct keel_store_id id;
	const char *path;

	if (!split(keel_http_wildcard(req), branch, sizeof(branch), &path))
		return keel_http_respond_status(resp, 404);
	snprintf(msg, sizeof(msg), "remove %.50s\n", path);
	return respond_commit(resp, keel_store_remove(st, branch, path, &info, &id), &id);
}

/* A growing text buffer for answers built line by line. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap < t->len + n)
			cap *= 2;
		char *p = realloc(t->buf, cap);
		if (!p) {
			t->failed = true;
			return;
		}
		t->buf = p, t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void on_conflict(void *arg, const char *path, enum keel_store_conflict why)
{
	add(arg, path, strlen(path));
	add(arg, "\n", 1);
}

static int merge(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	static const struct keel_store_merge_rule rules[] = { { "", keel_store_merge_lines,
		                                                NULL } };
	char from[KEEL_STORE_REF_MAX + 1];
	const char *into;
	struct text t = { 0 };
	struct keel_store_merge_opts o = { rules, 1, on_conflict, &t };
	struct keel_store_info info = { "http", "http@keel", NULL, 0, 0 };
	struct keel_store_id id;
	long r;
	int err;

	if (!split(keel_http_wildcard(req), from, sizeof(from), &into))
		return keel_http_respond_status(resp, 404);
	r = keel_store_merge(st, from, into, &o, &info, &id);
	if (r > 0)
		err = keel_http_respond(resp, 409, "text/plain", t.buf, t.len);
	else
		err = respond_commit(resp, (int)r, &id);
	free(t.buf);
	return err;
}

static int log_line(void *arg, const struct keel_store_id *id, const struct keel_store_commit *c)
{
	char hex[KEEL_STORE_HEX_LEN + 2];
	const char *nl = memchr(c->message, '\n', c->message_len);

	keel_store_id_hex(id, hex);
	hex[KEEL_STORE_HEX_LEN] = ' ';
	add(arg, hex, KEEL_STORE_HEX_LEN + 1);
	add(arg, c->message, nl ? (size_t)(nl - c->message) : c->message_len);
	add(arg, "\n", 1);
	return KEEL_OK;
}

static int log_get(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	struct text t = { 0 };
	int err = keel_store_log(st, keel_http_wildcard(req), NULL, 1000, log_line, &t);

	if (err == KEEL_OK && t.failed)
		err = KEEL_ENOMEM;
	if (err == KEEL_OK)
		err = keel_http_respond(resp, 200, "text/plain", t.buf, t.len);
	else
		err = keel_http_respond_status(resp, status_of(err));
	free(t.buf);
	return err;
}

/* ---- Git's dumb HTTP protocol ---------------------------------------------- */

static int ref_line(void *arg, const char *name, const struct keel_store_id *id)
{
	char hex[KEEL_STORE_HEX_LEN + 1];

	keel_store_id_hex(id, hex);
	add(arg, hex, KEEL_STORE_HEX_LEN);
	/* Tags are "tags/NAME" in the store, refs/tags/NAME to Git. */
	if (keel_store_ref_is_tag(name, strlen(name)))
		add(arg, "\trefs/", 6);
	else
		add(arg, "\trefs/heads/", 12);
	add(arg, name, strlen(name));
	add(arg, "\n", 1);
	return KEEL_OK;
}

static int git_refs(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	struct text t = { 0 };
	int err;

	keel_store_ref_each(st, ref_line, &t);
	err = t.failed ? keel_http_respond_status(resp, 503)
	               : keel_http_respond(resp, 200, "text/plain", t.buf, t.len);
	free(t.buf);
	return err;
}

static int git_head(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	static const char head[] = "ref: refs/heads/main\n";

	return keel_http_respond(resp, 200, "text/plain", head, sizeof(head) - 1);
}

static int git_packs(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	return keel_http_respond(resp, 200, "text/plain", "", 0);
}

static int git_object(struct keel_http_request *req, struct keel_http_response *resp, void *arg)
{
	const char *w = keel_http_wildcard(req);
	char hex[KEEL_STORE_HEX_LEN], head[KEEL_STORE_HEADER_MAX];
	struct keel_store_id id;
	enum keel_store_type t;
	uint8_t *data, *raw, *z;
	size_t len, hl, zl;
	int err;

	if (strlen(w) != KEEL_STORE_HEX_LEN + 1 || w[2] != '/')
		return keel_http_respond_status(resp, 404);
	memcpy(hex, w, 2);
	memcpy(hex + 2, w + 3, KEEL_STORE_HEX_LEN - 2);
	if (keel_store_id_parse(hex, KEEL_STORE_HEX_LEN, &id) != KEEL_OK)
		return keel_http_respond_status(resp, 404);
	err = keel_store_get_object(st, &id, &t, &data, &len);
	if (err != KEEL_OK)
		return keel_http_respond_status(resp, status_of(err));
	hl = keel_store_object_header(t, len, head);
	raw = malloc(hl + len);
	z = malloc(keel_store_zlib_stored_size(hl + len));
	if (!raw || !z) {
		free(raw), free(z), free(data);
		return keel_http_respond_status(resp, 503);
	}
	memcpy(raw, head, hl);
	memcpy(raw + hl, data, len);
	zl = keel_store_zlib_stored(raw, hl + len, z);
	err = keel_http_respond(resp, 200, "application/x-git-loose-object", z, zl);
	free(raw), free(z), free(data);
	return err;
}

/* ---- Start-up ------------------------------------------------------------------ */

struct served {
	struct keel_http_server *server;
	struct keel_listener *l;
};

static void serve_fiber(void *arg)
{
	struct served *s = arg;

	keel_http_serve(s->server, s->l);
}

static void usage(const char *why)
{
	printf("store: %s\n"
	       "usage: store [--port=N] [--bind=ADDR] [--verify] [--exit-after=SECONDS]\n"
	       "             [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--dns=ADDR]\n",
	       why);
}

/* A decimal number min..max with nothing after it. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Opens the store on "storage", formatting an empty device first. */
static int open_store(struct keel_block **dev)
{
	int err = keel_block_open("storage", NULL, dev);

	if (err != KEEL_OK)
		return err;
	err = keel_store_open(*dev, NULL, &st);
	if (err == KEEL_ENOENT) {
		printf("store: formatting the empty device\n");
		err = keel_store_format(*dev);
		if (err == KEEL_OK)
			err = keel_store_open(*dev, NULL, &st);
	}
	if (err != KEEL_OK) {
		keel_block_close(*dev);
		*dev = NULL;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct keel_block *dev;
	struct keel_net *net;
	struct keel_net_config cfg;
	struct keel_store_stats ss;
	struct keel_sockaddr at;
	struct keel_addr shown, any = keel_addr_any4();
	struct served s;
	char why[96], addr[KEEL_ADDR_STRLEN];
	long port = store_stack.port, exit_after = -1, v;
	bool verify = false;
	int err;

	keel_net_config_default(&cfg);
	if (keel_net_config_args(&cfg, &argc, argv, why, sizeof(why)) != KEEL_OK) {
		usage(why);
		return 2;
	}
	at.addr = keel_addr_any4();
	if (store_stack.bind && keel_addr_parse(store_stack.bind, &at.addr) != KEEL_OK) {
		usage("bad built-in address");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--port=", 7) == 0 && parse_number(a + 7, 1, 65535, &v)) {
			port = v;
		} else if (strncmp(a, "--bind=", 7) == 0 &&
		           keel_addr_parse(a + 7, &at.addr) == KEEL_OK) {
		} else if (strcmp(a, "--verify") == 0) {
			verify = true;
		} else if (strncmp(a, "--exit-after=", 13) == 0 &&
		           parse_number(a + 13, 0, 1000000, &v)) {
			exit_after = v;
		} else {
			snprintf(why, sizeof(why), "bad or unknown argument '%.60s'", a);
			usage(why);
			return 2;
		}
	}

	err = open_store(&dev);
	if (err != KEEL_OK) {
		printf("store: cannot open the store: %s\n", keel_strerror(err));
		return 1;
	}
	keel_store_stats(st, &ss);
	printf("store: %llu objects, %llu branches, %llu of %llu log bytes\n",
	       (unsigned long long)ss.objects, (unsigned long long)ss.refs,
	       (unsigned long long)ss.log_bytes, (unsigned long long)ss.capacity);
	if (verify) {
		long n = keel_store_verify(st);

		if (n < 0) {
			printf("store: verify failed: %s\n", keel_strerror((int)n));
			return 1;
		}
		printf("store: verified %ld objects\n", n);
	}

	err = keel_net_open(store_stack.device, &cfg, keel_now() + NET_OPEN_TIMEOUT, &net);
	if (err != KEEL_OK) {
		printf("store: cannot start the network: %s%s\n", keel_strerror(err),
		       err == KEEL_ETIMEDOUT ? " (no DHCP answer; give --ipv4=ADDR/PREFIX)" : "");
		return 1;
	}
	s.server = keel_http_server_new(NULL);
	if (!s.server || keel_http_route(s.server, "GET", "/kv/*", kv_get, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "PUT", "/kv/*", kv_put, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "DELETE", "/kv/*", kv_delete, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "POST", "/merge/*", merge, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "GET", "/log/*", log_get, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "GET", "/store.git/info/refs", git_refs, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "GET", "/store.git/HEAD", git_head, NULL) != KEEL_OK ||
	    keel_http_route(s.server, "GET", "/store.git/objects/info/packs", git_packs, NULL) !=
	        KEEL_OK ||
	    keel_http_route(s.server, "GET", "/store.git/objects/*", git_object, NULL) != KEEL_OK) {
		printf("store: out of memory\n");
		return 1;
	}
	at.port = (uint16_t)port;
	err = keel_tcp_listen(net, &at, LISTEN_BACKLOG, &s.l);
	if (err != KEEL_OK) {
		keel_sockaddr_format(&at, addr, sizeof(addr));
		printf("store: cannot listen on %s: %s\n", addr, keel_strerror(err));
		return 1;
	}
	/* The address to show: the one listened on, else the stack's own;
	 * the socket stack listening on every address shows the loopback. */
	shown = at.addr;
	if (keel_addr_equal(&shown, &any))
		shown = keel_net_addr(net);
	if (shown.family == KEEL_AF_UNSPEC || keel_addr_equal(&shown, &any))
		shown = keel_addr_ipv4(127, 0, 0, 1);
	keel_addr_format(&shown, addr, sizeof(addr));
	printf("store: serving on http://%s:%ld/\n", addr, port);
	if (exit_after < 0) {
		serve_fiber(&s);
		return 0;
	}
	if (!keel_fiber_spawn(serve_fiber, &s, 0))
		return 1;
	keel_sleep((keel_time)exit_after * KEEL_SEC);
	keel_tcp_listener_close(s.l);
	keel_store_close(st);
	keel_block_close(dev);
	printf("store: stopping after %ld s\n", exit_after);
	return 0;
}

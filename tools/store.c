/*
 * keel-store — a store on a disk image, from the host.
 *
 *   keel-store format DISK                 writes an empty store
 *   keel-store export DISK DIR             writes a bare Git repository
 *   keel-store import DIR DISK             adds a Git repository's objects
 *                                          and branches (formats DISK when
 *                                          it holds no store)
 *   keel-store set DISK BRANCH PATH VALUE  one commit (VALUE "-": stdin)
 *   keel-store get DISK BRANCH PATH        the file's bytes to stdout
 *   keel-store rm DISK BRANCH PATH
 *   keel-store branch DISK NAME FROM       a new branch at FROM's commit
 *   keel-store merge DISK FROM INTO        exit 3 and the paths on conflict
 *   keel-store log DISK BRANCH [PATH]      "ID SUBJECT" per commit
 *   keel-store verify DISK
 *   keel-store compact DISK NEWDISK        what the refs reach, into a
 *                                          freshly formatted NEWDISK
 *   keel-store compact DISK                the same in place, on DISK itself
 *   keel-store bench DISK COMMITS GETS | bench-open DISK N | bench-file FILE N
 *                                          figures for bench/store.sh
 *
 * Export writes loose objects (zlib), the branches under refs/heads, the
 * tags ("tags/NAME" in the store) under refs/tags, HEAD (main when it
 * exists) and a minimal config. Import reads loose objects and packs
 * (.pack with its .idx not needed: the pack is read front to back, deltas
 * resolved), the branches and tags under refs/heads, refs/tags and in
 * packed-refs; every id is kept.
 * The disk is a plain file, used through the same library as the image.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <keel/block.h>
#include <keel/store.h>

/* ---- The disk file as a keel_block --------------------------------------- */

struct file_dev {
	struct keel_block blk;
	int fd;
};

static int f_read(struct keel_block *b, uint64_t off, void *buf, size_t len)
{
	struct file_dev *d = (struct file_dev *)b;
	char *p = buf;

	while (len) {
		ssize_t n = pread(d->fd, p, len, (off_t)off);
		if (n <= 0)
			return KEEL_EIO;
		p += n, off += (uint64_t)n, len -= (size_t)n;
	}
	return KEEL_OK;
}

static int f_write(struct keel_block *b, uint64_t off, const void *buf, size_t len)
{
	struct file_dev *d = (struct file_dev *)b;
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(d->fd, p, len, (off_t)off);
		if (n <= 0)
			return KEEL_EIO;
		p += n, off += (uint64_t)n, len -= (size_t)n;
	}
	return KEEL_OK;
}

static int f_flush(struct keel_block *b)
{
	return fdatasync(((struct file_dev *)b)->fd) == 0 ? KEEL_OK : KEEL_EIO;
}

static const struct keel_block_ops file_ops = { f_read, f_write, f_flush, NULL };

/* lib/store asks the platform for the wall clock. */
uint64_t kp_clock_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("keel-store: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct file_dev dev, dev2;

static void open_disk_on(struct file_dev *fd_dev, const char *path)
{
	struct stat s;
	struct file_dev *d = fd_dev;

	d->fd = open(path, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &s) != 0)
		die("%s: %s", path, strerror(errno));
	if (keel_block_init(&d->blk, &file_ops, (uint64_t)s.st_size & ~511ull, 512, NULL) !=
	    KEEL_OK)
		die("%s: too small or unusable as a disk", path);
}

static void open_disk(const char *path)
{
	open_disk_on(&dev, path);
}

static struct keel_store *open_store(const char *path, bool format_if_empty)
{
	struct keel_store *st;
	int err;

	open_disk(path);
	err = keel_store_open(&dev.blk, NULL, &st);
	if (err == KEEL_ENOENT && format_if_empty) {
		err = keel_store_format(&dev.blk);
		if (err == KEEL_OK)
			err = keel_store_open(&dev.blk, NULL, &st);
	}
	if (err != KEEL_OK)
		die("%s: cannot open the store: %s", path, keel_strerror(err));
	return st;
}

const char *keel_strerror(int err)
{
	switch (err) {
	case KEEL_OK:
		return "ok";
	case KEEL_EAGAIN:
		return "try again (the branch moved)";
	case KEEL_EINVAL:
		return "invalid argument or data";
	case KEEL_ENOMEM:
		return "out of memory or space";
	case KEEL_EIO:
		return "I/O error";
	case KEEL_ENOENT:
		return "no such object";
	default:
		return "error";
	}
}

/* ---- Export ---------------------------------------------------------------- */

struct export_ctx {
	struct keel_store *st;
	const char *dir;
	size_t count;
};

static void mkdir_p(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %s", tmp, strerror(errno));
}

static void write_whole(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static int export_object(void *arg, const struct keel_store_id *id, enum keel_store_type type,
                         size_t len)
{
	struct export_ctx *x = arg;
	char hex[KEEL_STORE_HEX_LEN + 1], path[4096], head[KEEL_STORE_HEADER_MAX];
	enum keel_store_type t;
	uint8_t *data, *raw, *z;
	size_t dlen, hl;
	uLongf zlen;
	int err = keel_store_get_object(x->st, id, &t, &data, &dlen);

	if (err != KEEL_OK)
		die("reading an object: %s", keel_strerror(err));
	keel_store_id_hex(id, hex);
	hl = keel_store_object_header(t, dlen, head);
	raw = malloc(hl + dlen);
	zlen = compressBound(hl + dlen);
	z = malloc(zlen);
	if (!raw || !z)
		die("out of memory");
	memcpy(raw, head, hl);
	memcpy(raw + hl, data, dlen);
	if (compress2(z, &zlen, raw, hl + dlen, Z_BEST_SPEED) != Z_OK)
		die("zlib failed");
	snprintf(path, sizeof(path), "%s/objects/%.2s", x->dir, hex);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/objects/%.2s/%s", x->dir, hex, hex + 2);
	write_whole(path, z, zlen);
	free(raw), free(z), free(data);
	x->count++;
	return KEEL_OK;
}

/* The Git ref of a store ref: refs/tags/NAME for "tags/NAME", refs/heads/
 * NAME for a branch. */
static void git_ref_path(char *out, size_t size, const char *dir, const char *name)
{
	if (keel_store_ref_is_tag(name, strlen(name)))
		snprintf(out, size, "%s/refs/%s", dir, name);
	else
		snprintf(out, size, "%s/refs/heads/%s", dir, name);
}

static int export_ref(void *arg, const char *name, const struct keel_store_id *id)
{
	struct export_ctx *x = arg;
	char path[4096], hex[KEEL_STORE_HEX_LEN + 2];

	git_ref_path(path, sizeof(path), x->dir, name);
	*strrchr(path, '/') = 0;
	mkdir_p(path);
	git_ref_path(path, sizeof(path), x->dir, name);
	keel_store_id_hex(id, hex);
	hex[KEEL_STORE_HEX_LEN] = '\n';
	write_whole(path, hex, KEEL_STORE_HEX_LEN + 1);
	return KEEL_OK;
}

static int first_branch(void *arg, const char *name, const struct keel_store_id *id)
{
	if (keel_store_ref_is_tag(name, strlen(name)))
		return KEEL_OK;
	snprintf(arg, KEEL_STORE_REF_MAX + 1, "%s", name);
	return 1;
}

static void export(const char *disk, const char *dir)
{
	struct keel_store *st = open_store(disk, false);
	struct export_ctx x = { st, dir, 0 };
	char path[4096], head[KEEL_STORE_REF_MAX + 32], first[KEEL_STORE_REF_MAX + 1] = "main";
	struct keel_store_id id;
	static const char config[] = "[core]\n\trepositoryformatversion = 0\n"
	                             "\tfilemode = true\n\tbare = true\n";

	mkdir_p(dir);
	snprintf(path, sizeof(path), "%s/objects/info", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/objects/pack", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/refs/heads", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/refs/tags", dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/config", dir);
	write_whole(path, config, sizeof(config) - 1);
	keel_store_object_each(st, export_object, &x);
	keel_store_ref_each(st, export_ref, &x);
	if (keel_store_ref_get(st, "main", &id) != KEEL_OK)
		keel_store_ref_each(st, first_branch, first);
	snprintf(head, sizeof(head), "ref: refs/heads/%s\n", first);
	snprintf(path, sizeof(path), "%s/HEAD", dir);
	write_whole(path, head, strlen(head));
	printf("exported %zu objects\n", x.count);
	keel_store_close(st);
}

/* ---- Import ---------------------------------------------------------------- */

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory");
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Inflates a zlib stream at `in`; *used gets the compressed bytes eaten.
 * `want` (when not 0) is the exact size expected. */
static uint8_t *inflate_all(const uint8_t *in, size_t in_len, size_t want, size_t *out_len,
                            size_t *used)
{
	z_stream z = { 0 };
	size_t cap = want ? want + 1 : 4096;
	uint8_t *out = malloc(cap);
	int r;

	if (!out || inflateInit(&z) != Z_OK)
		die("zlib init failed");
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)in_len;
	do {
		if (z.total_out == cap) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				die("out of memory");
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		r = inflate(&z, Z_NO_FLUSH);
	} while (r == Z_OK);
	if (r != Z_STREAM_END)
		die("corrupt zlib stream");
	*out_len = z.total_out;
	if (used)
		*used = z.total_in;
	inflateEnd(&z);
	return out;
}

static struct keel_store *ist;
static size_t imported;

static void put_checked(enum keel_store_type t, const uint8_t *data, size_t len,
                        struct keel_store_id *id)
{
	int err = keel_store_put(ist, t, data, len, id);

	if (err != KEEL_OK)
		die("storing an object: %s", keel_strerror(err));
	imported++;
	if (imported % 4096 == 0 && keel_store_sync(ist) != KEEL_OK)
		die("sync failed");
}

static void import_loose(const char *dir)
{
	char path[4096];

	for (int i = 0; i < 256; i++) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s/objects/%02x", dir, i);
		d = opendir(path);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char file[8192], hex[KEEL_STORE_HEX_LEN + 1];
			struct keel_store_id want, got;
			uint8_t *z, *raw, *sp, *nul;
			size_t zl, rl;
			int type;

			if (strlen(e->d_name) != 38)
				continue;
			snprintf(hex, sizeof(hex), "%02x%s", i, e->d_name);
			if (keel_store_id_parse(hex, 40, &want) != KEEL_OK)
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			z = read_whole(file, &zl);
			if (!z)
				die("%s: %s", file, strerror(errno));
			raw = inflate_all(z, zl, 0, &rl, NULL);
			sp = memchr(raw, ' ', rl);
			nul = memchr(raw, 0, rl);
			if (!sp || !nul || sp > nul)
				die("%s: not a Git object", file);
			type = keel_store_type_from_name((char *)raw, (size_t)(sp - raw));
			if (type < 0 ||
			    strtoull((char *)sp + 1, NULL, 10) != rl - (size_t)(nul + 1 - raw))
				die("%s: bad object header", file);
			put_checked((enum keel_store_type)type, nul + 1,
			            rl - (size_t)(nul + 1 - raw), &got);
			if (!keel_store_id_eq(&want, &got))
				die("%s: content does not match its name", file);
			free(z), free(raw);
		}
		closedir(d);
	}
}

/* A pack's objects by offset, to resolve OFS_DELTA bases. */
struct pack_obj {
	uint64_t off;
	struct keel_store_id id;
};

static size_t delta_size(const uint8_t **p, const uint8_t *end)
{
	size_t v = 0;
	int shift = 0;

	while (*p < end) {
		uint8_t c = *(*p)++;
		v |= (size_t)(c & 0x7f) << shift;
		shift += 7;
		if (!(c & 0x80) || shift > 56)
			break;
	}
	return v;
}

/* Applies a Git delta to `base`. */
static uint8_t *apply_delta(const uint8_t *base, size_t blen, const uint8_t *d, size_t dlen,
                            size_t *out_len)
{
	const uint8_t *p = d, *end = d + dlen;
	size_t src = delta_size(&p, end), dst = delta_size(&p, end), o = 0;
	uint8_t *out;

	if (src != blen)
		die("pack delta: base size mismatch");
	out = malloc(dst ? dst : 1);
	if (!out)
		die("out of memory");
	while (p < end) {
		uint8_t c = *p++;

		if (c & 0x80) {
			size_t off = 0, n = 0;

			for (int i = 0; i < 4; i++)
				if (c & (1 << i)) {
					if (p >= end)
						die("pack delta: truncated");
					off |= (size_t)*p++ << (8 * i);
				}
			for (int i = 0; i < 3; i++)
				if (c & (0x10 << i)) {
					if (p >= end)
						die("pack delta: truncated");
					n |= (size_t)*p++ << (8 * i);
				}
			if (n == 0)
				n = 0x10000;
			if (off > blen || n > blen - off || n > dst - o)
				die("pack delta: copy out of range");
			memcpy(out + o, base + off, n);
			o += n;
		} else if (c) {
			if ((size_t)(end - p) < c || c > dst - o)
				die("pack delta: insert out of range");
			memcpy(out + o, p, c);
			o += c;
			p += c;
		} else {
			die("pack delta: reserved opcode");
		}
	}
	if (o != dst)
		die("pack delta: wrong result size");
	*out_len = dst;
	return out;
}

static void import_pack(const char *file)
{
	size_t len, pos = 12;
	uint8_t *pk = read_whole(file, &len);
	uint32_t count;
	struct pack_obj *objs;

	if (!pk || len < 32 || memcmp(pk, "PACK", 4) != 0)
		die("%s: not a pack", file);
	count = (uint32_t)pk[8] << 24 | (uint32_t)pk[9] << 16 | (uint32_t)pk[10] << 8 | pk[11];
	objs = calloc(count ? count : 1, sizeof(*objs));
	if (!objs)
		die("out of memory");
	for (uint32_t i = 0; i < count; i++) {
		uint64_t start = pos;
		uint8_t c;
		int type;
		size_t size, shift = 4, used, dl;
		uint8_t *data;
		struct keel_store_id base_id;
		bool delta = false;

		if (pos >= len - 20)
			die("%s: truncated", file);
		c = pk[pos++];
		type = (c >> 4) & 7;
		size = c & 15;
		while (c & 0x80) {
			if (pos >= len - 20 || shift > 56)
				die("%s: bad object header", file);
			c = pk[pos++];
			size |= (size_t)(c & 0x7f) << shift;
			shift += 7;
		}
		if (type == 6) { /* OFS_DELTA */
			uint64_t back;

			c = pk[pos++];
			back = c & 0x7f;
			while (c & 0x80) {
				c = pk[pos++];
				back = ((back + 1) << 7) | (c & 0x7f);
			}
			if (back > start)
				die("%s: delta base before the pack", file);
			uint32_t k;
			for (k = 0; k < i && objs[k].off != start - back; k++)
				;
			if (k == i)
				die("%s: delta base not found", file);
			base_id = objs[k].id;
			delta = true;
		} else if (type == 7) { /* REF_DELTA */
			memcpy(base_id.b, pk + pos, 20);
			pos += 20;
			delta = true;
		} else if (type < 1 || type > 4) {
			die("%s: unknown object type %d", file, type);
		}
		data = inflate_all(pk + pos, len - 20 - pos, size, &dl, &used);
		if (dl != size)
			die("%s: object size mismatch", file);
		pos += used;
		if (delta) {
			enum keel_store_type bt;
			uint8_t *base, *res;
			size_t bl, rl;

			if (keel_store_get_object(ist, &base_id, &bt, &base, &bl) != KEEL_OK)
				die("%s: delta base missing (thin packs are not supported)", file);
			res = apply_delta(base, bl, data, dl, &rl);
			free(base);
			free(data);
			data = res;
			dl = rl;
			type = (int)bt;
		}
		objs[i].off = start;
		put_checked((enum keel_store_type)type, data, dl, &objs[i].id);
		free(data);
	}
	free(objs);
	free(pk);
}

static void import_ref(const char *name, const char *hex)
{
	struct keel_store_id id, old;
	int err;

	if (keel_store_id_parse(hex, 40, &id) != KEEL_OK)
		die("ref %s: bad id", name);
	(void)keel_store_ref_get(ist, name, &old);
	err = keel_store_ref_cas(ist, name, &old, &id);
	if (err != KEEL_OK)
		die("ref %s: %s", name, keel_strerror(err));
}

/* The refs under DIR/refs/KIND/PREFIX ("heads": branches, "tags": tags,
 * named "tags/..." in the store). */
static void import_refs_dir(const char *dir, const char *kind, const char *prefix)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/refs/%s/%s", dir, kind, prefix);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char sub[8192], file[8192];
		struct stat s;
		uint8_t *t;
		size_t tl;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s", prefix, e->d_name);
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		if (stat(file, &s) != 0)
			continue;
		if (S_ISDIR(s.st_mode)) {
			strcat(sub, "/");
			import_refs_dir(dir, kind, sub);
			continue;
		}
		t = read_whole(file, &tl);
		if (!t || tl < 40)
			die("%s: not a ref", file);
		if (strcmp(kind, "tags") == 0) {
			char name[KEEL_STORE_REF_MAX + 1];

			if ((size_t)snprintf(name, sizeof(name), "%s%s", KEEL_STORE_TAG_PREFIX,
			                     sub) >= sizeof(name))
				die("%s: the tag's name is too long", file);
			import_ref(name, (char *)t);
		} else {
			import_ref(sub, (char *)t);
		}
		free(t);
	}
	closedir(d);
}

static void import(const char *dir, const char *disk)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	uint8_t *pr;
	size_t prl;

	ist = open_store(disk, true);
	import_loose(dir);
	snprintf(path, sizeof(path), "%s/objects/pack", dir);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char file[8192];

		if (n > 5 && strcmp(e->d_name + n - 5, ".pack") == 0) {
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			import_pack(file);
		}
	}
	if (d)
		closedir(d);
	if (keel_store_sync(ist) != KEEL_OK)
		die("sync failed");
	/* packed-refs first: loose refs override them. */
	snprintf(path, sizeof(path), "%s/packed-refs", dir);
	pr = read_whole(path, &prl);
	if (pr) {
		char *save, *line;

		pr = realloc(pr, prl + 1);
		pr[prl] = 0;
		for (line = strtok_r((char *)pr, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			/* "ID refs/heads/NAME", "ID refs/tags/NAME"; "^ID" lines
			 * (what a tag peels to) are skipped. */
			if (strlen(line) > 52 && strncmp(line + 41, "refs/heads/", 11) == 0)
				import_ref(line + 52, line);
			else if (strlen(line) > 51 && strncmp(line + 41, "refs/tags/", 10) == 0)
				import_ref(line + 46, line);
		}
		free(pr);
	}
	import_refs_dir(dir, "heads", "");
	import_refs_dir(dir, "tags", "");
	printf("imported %zu objects\n", imported);
	keel_store_close(ist);
}

/* ---- Benchmark helpers (bench/store.sh) ---------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_bytes(void *arg, const struct keel_store_id *id, enum keel_store_type type,
                       size_t len)
{
	*(uint64_t *)arg += len;
	return KEEL_OK;
}

/*
 * bench DISK COMMITS GETS: COMMITS commits of one 100-byte file each
 * (a path among 100, two directory levels), each durable; then GETS reads
 * of random paths; then the open time. Prints one line of figures.
 */
static void bench(const char *disk, long commits, long gets)
{
	struct keel_store *st;
	struct keel_store_stats ss;
	char path[64], value[101];
	uint64_t raw = 0;
	double t0, t1, t2, t3;
	int err;

	open_disk(disk);
	if (keel_store_format(&dev.blk) != KEEL_OK ||
	    keel_store_open(&dev.blk, NULL, &st) != KEEL_OK)
		die("bench: cannot make a store");
	t0 = now_s();
	for (long i = 0; i < commits; i++) {
		struct keel_store_info info = { "bench", "bench@keel", "bench\n", 1700000000 + i,
			                        0 };

		snprintf(path, sizeof(path), "d%ld/e%ld/f%ld", i % 10, (i / 10) % 10, i % 100);
		snprintf(value, sizeof(value), "%0100ld", i);
		err = keel_store_set(st, "main", path, value, 100, &info, NULL);
		if (err != KEEL_OK)
			die("bench: commit %ld: %s", i, keel_strerror(err));
	}
	t1 = now_s();
	for (long i = 0; i < gets; i++) {
		uint8_t *d;
		size_t len;
		long k = (i * 7919) % 100;

		snprintf(path, sizeof(path), "d%ld/e%ld/f%ld", k % 10, (k / 10) % 10, k);
		if (keel_store_get(st, "main", path, &d, &len) == KEEL_OK)
			free(d);
	}
	t2 = now_s();
	keel_store_stats(st, &ss);
	keel_store_object_each(st, count_bytes, &raw);
	keel_store_close(st);
	t3 = now_s();
	if (keel_store_open(&dev.blk, NULL, &st) != KEEL_OK)
		die("bench: reopen");
	double t4 = now_s();
	keel_store_close(st);
	printf("commits_per_s %.0f gets_per_s %.0f objects %llu log_bytes %llu object_bytes %llu "
	       "open_ms %.1f\n",
	       commits / (t1 - t0), gets / (t2 - t1), (unsigned long long)ss.objects,
	       (unsigned long long)ss.log_bytes, (unsigned long long)raw, (t4 - t3) * 1000);
}

/* bench-open DISK N: N objects (100-byte blobs, synced every 1000), then
 * the time to open the store. */
/* Opens the store on the disk with the page cache dropped first (where
 * the kernel lets us); returns the time taken in ms. */
static double timed_open(const struct keel_store_config *cfg, struct keel_store_stats *stats)
{
	struct keel_store *st;
	double t0, t1;

	posix_fadvise(dev.fd, 0, 0, POSIX_FADV_DONTNEED);
	keel_block_invalidate(&dev.blk);
	t0 = now_s();
	if (keel_store_open(&dev.blk, cfg, &st) != KEEL_OK)
		die("bench-open: open");
	t1 = now_s();
	keel_store_stats(st, stats);
	keel_store_close(st); /* writes nothing: the checkpoint is at the end */
	return (t1 - t0) * 1000;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* bench-open DISK N: a store of N 100-byte blobs (a commit every 1000),
 * then opened ROUNDS times each way, alternating: from the index
 * segments, and with full_scan (the whole log scanned, as before
 * segments existed). Medians. */
static void bench_open(const char *disk, long n)
{
	struct keel_store_config scan = { .full_scan = true };
	struct keel_store_stats a, b;
	struct keel_store *st;
	char value[101];
	double ti[7], ts[7];
	int rounds = 7;

	open_disk(disk);
	if (keel_store_format(&dev.blk) != KEEL_OK ||
	    keel_store_open(&dev.blk, NULL, &st) != KEEL_OK)
		die("bench-open: cannot make a store");
	for (long i = 0; i < n; i++) {
		struct keel_store_id id;

		snprintf(value, sizeof(value), "%0100ld", i);
		if (keel_store_put(st, KEEL_STORE_BLOB, value, 100, &id) != KEEL_OK)
			die("bench-open: put %ld", i);
		if (i % 1000 == 999 && keel_store_sync(st) != KEEL_OK)
			die("bench-open: sync");
	}
	keel_store_close(st);
	for (int r = 0; r < rounds; r++) {
		ti[r] = timed_open(NULL, &a);
		ts[r] = timed_open(&scan, &b);
		if (a.objects != (uint64_t)n || b.objects != (uint64_t)n)
			die("bench-open: %llu and %llu objects, want %ld",
			    (unsigned long long)a.objects, (unsigned long long)b.objects, n);
	}
	qsort(ti, (size_t)rounds, sizeof(ti[0]), cmp_double);
	qsort(ts, (size_t)rounds, sizeof(ts[0]), cmp_double);
	printf("objects %ld open_ms %.1f scan_ms %.1f segments %llu indexed %llu scanned %llu "
	       "full_scan_records %llu\n",
	       n, ti[rounds / 2], ts[rounds / 2], (unsigned long long)a.segments,
	       (unsigned long long)a.indexed, (unsigned long long)a.scanned,
	       (unsigned long long)b.scanned);
}

/* bench-file FILE COMMITS: the floor: append a 100-byte record and
 * fdatasync, COMMITS times, in a file written with zeros beforehand (as
 * the disk image is), so no flush has to update the file's size. */
static void bench_file(const char *file, long commits)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	char value[101];
	double t0, t1;

	static const char zero[4096];

	if (fd < 0)
		die("%s: %s", file, strerror(errno));
	/* Zeros written first, as dd makes the disk images. */
	for (off_t o = 0; o < (off_t)commits * 100 + 4096; o += sizeof(zero))
		if (pwrite(fd, zero, sizeof(zero), o) != (ssize_t)sizeof(zero))
			die("bench-file: preparing");
	fdatasync(fd);
	t0 = now_s();
	for (long i = 0; i < commits; i++) {
		snprintf(value, sizeof(value), "%0100ld", i);
		if (pwrite(fd, value, 100, (off_t)i * 100) != 100 || fdatasync(fd) != 0)
			die("bench-file: write");
	}
	t1 = now_s();
	close(fd);
	printf("commits_per_s %.0f\n", commits / (t1 - t0));
}

/* ---- Small commands ------------------------------------------------------- */

static int log_line(void *arg, const struct keel_store_id *id, const struct keel_store_commit *c)
{
	char hex[KEEL_STORE_HEX_LEN + 1];
	const char *nl = memchr(c->message, '\n', c->message_len);

	keel_store_id_hex(id, hex);
	printf("%s %.*s\n", hex, (int)(nl ? (size_t)(nl - c->message) : c->message_len),
	       c->message);
	return KEEL_OK;
}

static void on_conflict(void *arg, const char *path, enum keel_store_conflict why)
{
	printf("conflict %s %d\n", path, (int)why);
}

static void usage(void)
{
	fputs("usage: keel-store format DISK | export DISK DIR | import DIR DISK |\n"
	      "       set DISK BRANCH PATH VALUE | get DISK BRANCH PATH | rm DISK BRANCH PATH |\n"
	      "       branch DISK NAME FROM | merge DISK FROM INTO | log DISK BRANCH [PATH] |\n"
	      "       verify DISK | compact DISK [NEWDISK]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct keel_store *st;
	int err = KEEL_OK;

	if (argc < 3)
		usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "format")) {
		open_disk(argv[2]);
		err = keel_store_format(&dev.blk);
	} else if (!strcmp(cmd, "export") && argc == 4) {
		export(argv[2], argv[3]);
	} else if (!strcmp(cmd, "import") && argc == 4) {
		import(argv[2], argv[3]);
	} else if (!strcmp(cmd, "set") && argc == 6) {
		struct keel_store_info info = { getenv("KEEL_STORE_NAME"),
			                        getenv("KEEL_STORE_EMAIL"),
			                        getenv("KEEL_STORE_MESSAGE"), 0, 0 };
		const char *t = getenv("KEEL_STORE_TIME");
		uint8_t *v = (uint8_t *)argv[5];
		size_t vl = strlen(argv[5]);

		if (t)
			info.time = strtoll(t, NULL, 10);
		if (!strcmp(argv[5], "-"))
			v = read_whole("/dev/stdin", &vl);
		st = open_store(argv[2], false);
		err = keel_store_set(st, argv[3], argv[4], v, vl, &info, NULL);
		keel_store_close(st);
	} else if (!strcmp(cmd, "get") && argc == 5) {
		uint8_t *d;
		size_t len;

		st = open_store(argv[2], false);
		err = keel_store_get(st, argv[3], argv[4], &d, &len);
		if (err == KEEL_OK) {
			fwrite(d, 1, len, stdout);
			free(d);
		}
		keel_store_close(st);
	} else if (!strcmp(cmd, "rm") && argc == 5) {
		st = open_store(argv[2], false);
		err = keel_store_remove(st, argv[3], argv[4], NULL, NULL);
		keel_store_close(st);
	} else if (!strcmp(cmd, "branch") && argc == 5) {
		struct keel_store_id h, zero = { { 0 } };

		st = open_store(argv[2], false);
		err = keel_store_ref_get(st, argv[4], &h);
		if (err == KEEL_OK)
			err = keel_store_ref_cas(st, argv[3], &zero, &h);
		keel_store_close(st);
	} else if (!strcmp(cmd, "merge") && argc == 5) {
		static const struct keel_store_merge_rule rules[] = {
			{ "", keel_store_merge_lines, NULL },
		};
		struct keel_store_merge_opts o = { rules, 1, on_conflict, NULL };
		struct keel_store_info info = { getenv("KEEL_STORE_NAME"),
			                        getenv("KEEL_STORE_EMAIL"), NULL, 0, 0 };
		const char *t = getenv("KEEL_STORE_TIME");
		long r;

		if (t)
			info.time = strtoll(t, NULL, 10);
		st = open_store(argv[2], false);
		r = keel_store_merge(st, argv[3], argv[4], &o, &info, NULL);
		keel_store_close(st);
		if (r > 0)
			return 3;
		err = (int)r;
	} else if (!strcmp(cmd, "log") && (argc == 4 || argc == 5)) {
		st = open_store(argv[2], false);
		err = keel_store_log(st, argv[3], argc == 5 ? argv[4] : NULL, 0, log_line, NULL);
		keel_store_close(st);
	} else if (!strcmp(cmd, "compact") && argc == 4) {
		struct keel_store *dst;
		long n;

		st = open_store(argv[2], false);
		open_disk_on(&dev2, argv[3]);
		if (keel_store_format(&dev2.blk) != KEEL_OK ||
		    keel_store_open(&dev2.blk, NULL, &dst) != KEEL_OK)
			die("%s: cannot make a store", argv[3]);
		n = keel_store_compact(st, dst);
		keel_store_close(dst);
		keel_store_close(st);
		if (n < 0)
			err = (int)n;
		else
			printf("copied %ld objects\n", n);
	} else if (!strcmp(cmd, "compact") && argc == 3) {
		struct keel_store_stats a, b;
		long n;

		st = open_store(argv[2], false);
		keel_store_stats(st, &a);
		n = keel_store_compact_in_place(st);
		keel_store_stats(st, &b);
		keel_store_close(st);
		if (n < 0)
			err = (int)n;
		else
			printf("kept %ld objects; log %llu bytes, was %llu\n", n,
			       (unsigned long long)b.log_bytes, (unsigned long long)a.log_bytes);
	} else if (!strcmp(cmd, "bench") && argc == 5) {
		bench(argv[2], atol(argv[3]), atol(argv[4]));
	} else if (!strcmp(cmd, "bench-open") && argc == 4) {
		bench_open(argv[2], atol(argv[3]));
	} else if (!strcmp(cmd, "bench-file") && argc == 4) {
		bench_file(argv[2], atol(argv[3]));
	} else if (!strcmp(cmd, "verify")) {
		long n;

		st = open_store(argv[2], false);
		n = keel_store_verify(st);
		keel_store_close(st);
		if (n < 0)
			err = (int)n;
		else
			printf("%ld objects verified\n", n);
	} else {
		usage();
	}
	if (err != KEEL_OK)
		die("%s: %s", cmd, keel_strerror(err));
	return 0;
}

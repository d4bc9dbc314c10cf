/*
 * keel-mkkv — turns a folder into a C source file holding a compiled-in
 * key-value store (keel/kv.h, struct keel_kv_static):
 *
 *   keel-mkkv [-n NAME] [-o OUT.c] [--no-gzip] DIR
 *
 * Every regular file under DIR becomes an entry keyed by its path
 * relative to DIR ("css/site.css"), with its bytes, a content type from
 * its extension, a strong ETag from an FNV-1a hash of its bytes, its
 * modification time, and, when it saves at least a sixteenth of the
 * bytes, a gzip variant (zlib, level 9). Entries are sorted by key, so
 * the image looks them up by binary search.
 *
 * Files and folders whose names begin with '.' are left out, and so are
 * symbolic links and special files (each named on standard error). A name
 * that cannot be a key (control bytes, longer than KEEL_KV_KEY_MAX) stops
 * the tool with status 1.
 *
 * The output depends only on the files' names and bytes and on their
 * times: with SOURCE_DATE_EPOCH set (reproducible builds), every entry
 * gets that time instead of its mtime, and building twice gives the same
 * bytes. The output is written to OUT.c.tmp and renamed, so an
 * interrupted run never leaves a half-written source behind.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <keel/kv.h>

struct file {
	char *key;  /* relative path */
	char *path; /* path to open */
	uint64_t mtime;
};

static struct file *files;
static size_t nfiles, cap_files;
static const char *prog = "keel-mkkv";
static char *tmp; /* the output being written, removed on failure */

static void die(const char *fmt, const char *arg)
{
	if (tmp)
		remove(tmp);
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("%s", "out of memory");
	return p;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = xmalloc(la + lb + 2);

	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Collects the regular files under dir/rel (rel "" for the top). */
static void walk(const char *dir, const char *rel, int depth)
{
	char *here = *rel ? join(dir, rel) : strdup(dir);
	DIR *d = opendir(here);
	struct dirent *de;

	if (!d)
		die("cannot open folder %s", here);
	if (depth > 64)
		die("folders nested too deep at %s", here);
	while ((de = readdir(d)) != NULL) {
		char *key, *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue; /* ".", "..", and hidden files */
		key = *rel ? join(rel, de->d_name) : strdup(de->d_name);
		path = join(dir, key);
		if (!key || lstat(path, &st) != 0)
			die("cannot stat %s", path);
		if (S_ISDIR(st.st_mode)) {
			walk(dir, key, depth + 1);
			free(key);
			free(path);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "%s: skipping %s (not a regular file)\n", prog, path);
			free(key);
			free(path);
			continue;
		}
		if (!keel_kv_key_valid(key, strlen(key)))
			die("%s cannot be a key (control bytes, or too long)", key);
		if (nfiles == cap_files) {
			cap_files = cap_files ? cap_files * 2 : 64;
			files = realloc(files, cap_files * sizeof(*files));
			if (!files)
				die("%s", "out of memory");
		}
		files[nfiles].key = key;
		files[nfiles].path = path;
		files[nfiles].mtime = st.st_mtime > 0 ? (uint64_t)st.st_mtime : 0;
		nfiles++;
	}
	closedir(d);
	free(here);
}

static int by_key(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: the same order as memcmp, which
	 * the lookup uses (keys hold no NUL). */
	return strcmp(((const struct file *)a)->key, ((const struct file *)b)->key);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		die("cannot open %s", path);
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				die("%s", "out of memory");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die("cannot read %s", path);
	fclose(f);
	*len = n;
	return buf;
}

/* gzip (RFC 1952) of data with zlib at level 9. zlib writes a header
 * with no name and time 0, so the output depends on the bytes alone. */
static unsigned char *gzip(const unsigned char *data, size_t len, size_t *out_len)
{
	z_stream z;
	size_t cap;
	unsigned char *out;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("%s", "zlib: deflateInit2 failed");
	cap = deflateBound(&z, (uLong)len) + 32;
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (len > UINT32_MAX / 2 || deflate(&z, Z_FINISH) != Z_STREAM_END)
		die("%s", "zlib: deflate failed");
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void emit_bytes(FILE *o, const char *name, const char *what, size_t index,
                       const unsigned char *b, size_t len)
{
	fprintf(o, "static const unsigned char %s_%s%zu[] = {", name, what, index);
	for (size_t i = 0; i < len; i++)
		fprintf(o, "%s%u,", i % 20 ? "" : "\n\t", b[i]);
	fprintf(o, "\n};\n");
}

/* A C string literal of s: quotes and backslashes escaped, '?' and
 * everything outside printable ASCII in octal (no trigraph, no
 * character set assumptions). */
static void emit_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f && c != '?')
			fputc(c, o);
		else
			fprintf(o, "\\%03o", c);
	}
	fputc('"', o);
}

static bool identifier(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [-n NAME] [-o OUT.c] [--no-gzip] DIR\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *name = "keel_site", *out_path = NULL, *dir = NULL, *sde;
	bool use_gzip = true, have_sde = false;
	uint64_t sde_time = 0;
	FILE *o = stdout;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (strcmp(argv[i], "--no-gzip") == 0)
			use_gzip = false;
		else if (argv[i][0] == '-' || dir)
			usage();
		else
			dir = argv[i];
	}
	if (!dir)
		usage();
	if (!identifier(name))
		die("-n %s: not a C identifier", name);
	sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;

		errno = 0;
		sde_time = strtoull(sde, &end, 10);
		if (errno || *end || !isdigit((unsigned char)sde[0]))
			die("SOURCE_DATE_EPOCH=%s: not a number of seconds", sde);
		have_sde = true;
	}

	walk(dir, "", 0);
	if (nfiles)
		qsort(files, nfiles, sizeof(files[0]), by_key);

	if (out_path) {
		tmp = xmalloc(strlen(out_path) + 5);
		sprintf(tmp, "%s.tmp", out_path);
		o = fopen(tmp, "w");
		if (!o)
			die("cannot write %s", tmp);
	}
	fprintf(o, "/* Generated by keel-mkkv: do not edit. */\n#include <keel/kv.h>\n\n");

	/* The bytes first, then the table that points at them. */
	size_t *gz_len = calloc(nfiles ? nfiles : 1, sizeof(size_t));
	size_t *data_len = calloc(nfiles ? nfiles : 1, sizeof(size_t));
	char(*etag)[KEEL_KV_ETAG_MAX + 1] = calloc(nfiles ? nfiles : 1, sizeof(*etag));

	if (!gz_len || !data_len || !etag)
		die("%s", "out of memory");
	for (size_t i = 0; i < nfiles; i++) {
		size_t len, zlen = 0;
		unsigned char *data = slurp(files[i].path, &len);
		unsigned char *z = NULL;

		snprintf(etag[i], sizeof(etag[i]), "\"%016llx\"",
		         (unsigned long long)keel_kv_fnv1a(KEEL_KV_FNV_INIT, data, len));
		data_len[i] = len;
		if (len)
			emit_bytes(o, name, "data", i, data, len);
		if (use_gzip && len >= 64) {
			z = gzip(data, len, &zlen);
			if (zlen < len - len / 16) {
				emit_bytes(o, name, "gzip", i, z, zlen);
				gz_len[i] = zlen;
			}
			free(z);
		}
		free(data);
	}

	if (nfiles) {
		fprintf(o, "\nstatic const struct keel_kv_static_entry %s_entries[] = {\n", name);
		for (size_t i = 0; i < nfiles; i++) {
			const char *key = files[i].key;

			fprintf(o, "\t{");
			emit_string(o, key);
			fprintf(o, ", %zu, ", strlen(key));
			if (data_len[i])
				fprintf(o, "%s_data%zu, %zu, ", name, i, data_len[i]);
			else
				fprintf(o, "(const unsigned char *)\"\", 0, ");
			if (gz_len[i])
				fprintf(o, "%s_gzip%zu, %zu, ", name, i, gz_len[i]);
			else
				fprintf(o, "NULL, 0, ");
			emit_string(o, keel_kv_content_type(key, strlen(key)));
			fprintf(o, ", ");
			emit_string(o, etag[i]);
			fprintf(o, ", %llu},\n",
			        (unsigned long long)(have_sde ? sde_time : files[i].mtime));
		}
		fprintf(o,
		        "};\n\nstruct keel_kv_static %s = KEEL_KV_STATIC_INIT(%s_entries, %zu);\n",
		        name, name, nfiles);
	} else {
		fprintf(o, "struct keel_kv_static %s = KEEL_KV_STATIC_INIT(NULL, 0);\n", name);
	}

	if (out_path) {
		if (fclose(o) != 0 || rename(tmp, out_path) != 0)
			die("cannot write %s", out_path);
		free(tmp);
		tmp = NULL;
	} else if (fflush(o) != 0) {
		die("%s", "cannot write standard output");
	}
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].key);
		free(files[i].path);
	}
	free(files);
	free(gz_len);
	free(data_len);
	free(etag);
	return 0;
}

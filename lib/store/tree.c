/*
 * tree.c — Git tree objects: "MODE NAME\0" and a 20-byte id per entry,
 * entries sorted with directories compared as if their name ended in '/'.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/store.h>

bool keel_store_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > KEEL_STORE_NAME_MAX)
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	return !memchr(name, '/', len) && !memchr(name, 0, len);
}

static bool is_dir(uint32_t mode)
{
	return mode == KEEL_STORE_MODE_DIR;
}

int keel_store_entry_cmp(const struct keel_store_entry *a, const struct keel_store_entry *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = n < a->name_len ? (unsigned char)a->name[n] : is_dir(a->mode) ? '/' : 0;
	cb = n < b->name_len ? (unsigned char)b->name[n] : is_dir(b->mode) ? '/' : 0;
	return ca < cb ? -1 : ca > cb;
}

static int cmp_qsort(const void *a, const void *b)
{
	return keel_store_entry_cmp(a, b);
}

void keel_store_entries_sort(struct keel_store_entry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), cmp_qsort);
}

static bool mode_known(uint32_t mode)
{
	return mode == KEEL_STORE_MODE_FILE || mode == KEEL_STORE_MODE_EXEC ||
	       mode == KEEL_STORE_MODE_LINK || mode == KEEL_STORE_MODE_DIR ||
	       mode == KEEL_STORE_MODE_GITLINK;
}

/* Octal digits of `mode` without leading zeros, as Git writes them. */
static size_t mode_text(uint32_t mode, char out[8])
{
	char tmp[8];
	size_t n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + (mode & 7));
		mode >>= 3;
	} while (mode);
	while (n)
		out[o++] = tmp[--n];
	return o;
}

int keel_store_tree_encode(struct keel_store_entry *e, size_t n, uint8_t **out, size_t *len)
{
	size_t total = 0, o = 0;
	uint8_t *buf;

	for (size_t i = 0; i < n; i++) {
		if (!keel_store_name_valid(e[i].name, e[i].name_len) || !mode_known(e[i].mode))
			return KEEL_EINVAL;
		total += 8 + e[i].name_len + KEEL_STORE_ID_LEN;
	}
	keel_store_entries_sort(e, n);
	for (size_t i = 1; i < n; i++) {
		/* Equal names sort next to each other only when their kinds
		 * agree ("a" file and "a" dir sort apart): compare names. */
		if (e[i].name_len == e[i - 1].name_len &&
		    memcmp(e[i].name, e[i - 1].name, e[i].name_len) == 0)
			return KEEL_EINVAL;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		/* A file "a" and a directory "a" do not sit side by side when
		 * "a.b" lies between them: look ahead for a same name. */
		for (size_t j = i + 1; j < n && e[j].name_len >= e[i].name_len &&
		                       memcmp(e[j].name, e[i].name, e[i].name_len) == 0;
		     j++) {
			if (e[j].name_len == e[i].name_len)
				return KEEL_EINVAL;
		}
	}
	buf = malloc(total ? total : 1);
	if (!buf)
		return KEEL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		o += mode_text(e[i].mode, (char *)buf + o);
		buf[o++] = ' ';
		memcpy(buf + o, e[i].name, e[i].name_len);
		o += e[i].name_len;
		buf[o++] = 0;
		memcpy(buf + o, e[i].id.b, KEEL_STORE_ID_LEN);
		o += KEEL_STORE_ID_LEN;
	}
	*out = buf;
	*len = o;
	return KEEL_OK;
}

int keel_store_tree_next(const uint8_t *data, size_t len, size_t *pos, struct keel_store_entry *out)
{
	size_t p = *pos, digits = 0;
	uint32_t mode = 0;
	const uint8_t *nul;

	if (p >= len)
		return KEEL_ENOENT;
	while (p < len && data[p] != ' ') {
		if (data[p] < '0' || data[p] > '7' || ++digits > 7)
			return KEEL_EINVAL;
		mode = mode << 3 | (uint32_t)(data[p] - '0');
		p++;
	}
	if (p >= len || digits == 0)
		return KEEL_EINVAL;
	p++;
	nul = memchr(data + p, 0, len - p);
	if (!nul)
		return KEEL_EINVAL;
	out->mode = mode;
	out->name = (const char *)data + p;
	out->name_len = (size_t)(nul - (data + p));
	if (!keel_store_name_valid(out->name, out->name_len))
		return KEEL_EINVAL;
	p += out->name_len + 1;
	if (len - p < KEEL_STORE_ID_LEN)
		return KEEL_EINVAL;
	memcpy(out->id.b, data + p, KEEL_STORE_ID_LEN);
	*pos = p + KEEL_STORE_ID_LEN;
	return KEEL_OK;
}

long keel_store_tree_check(const uint8_t *data, size_t len)
{
	struct keel_store_entry prev, cur;
	size_t pos = 0, start;
	long n = 0;
	int err;

	for (;;) {
		start = pos;
		err = keel_store_tree_next(data, len, &pos, &cur);
		if (err == KEEL_ENOENT)
			return n;
		if (err != KEEL_OK || !mode_known(cur.mode))
			return KEEL_EINVAL;
		/* Canonical mode text: no leading zero. */
		if (data[start] == '0')
			return KEEL_EINVAL;
		if (n > 0 && keel_store_entry_cmp(&prev, &cur) >= 0)
			return KEEL_EINVAL;
		if (n > 0 && prev.name_len == cur.name_len &&
		    memcmp(prev.name, cur.name, cur.name_len) == 0)
			return KEEL_EINVAL;
		prev = cur;
		n++;
	}
}

int keel_store_tree_find(const uint8_t *data, size_t len, const char *name, size_t name_len,
                         struct keel_store_entry *out)
{
	size_t pos = 0;
	int err;

	while ((err = keel_store_tree_next(data, len, &pos, out)) == KEEL_OK) {
		if (out->name_len == name_len && memcmp(out->name, name, name_len) == 0)
			return KEEL_OK;
	}
	return err;
}

/*
 * id.c — object ids: hex text both ways, and the Git name of an object
 * ("TYPE SIZE\0" followed by the content, hashed with SHA-1).
 */
#include <string.h>

#include <keel/store.h>

static const char hexdigits[] = "0123456789abcdef";

void keel_store_id_hex(const struct keel_store_id *id, char out[KEEL_STORE_HEX_LEN + 1])
{
	for (int i = 0; i < KEEL_STORE_ID_LEN; i++) {
		out[2 * i] = hexdigits[id->b[i] >> 4];
		out[2 * i + 1] = hexdigits[id->b[i] & 15];
	}
	out[KEEL_STORE_HEX_LEN] = 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int keel_store_id_parse(const char *hex, size_t len, struct keel_store_id *out)
{
	if (len != KEEL_STORE_HEX_LEN)
		return KEEL_EINVAL;
	for (int i = 0; i < KEEL_STORE_ID_LEN; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return KEEL_EINVAL;
		out->b[i] = (uint8_t)(hi << 4 | lo);
	}
	return KEEL_OK;
}

bool keel_store_id_eq(const struct keel_store_id *a, const struct keel_store_id *b)
{
	return memcmp(a->b, b->b, KEEL_STORE_ID_LEN) == 0;
}

bool keel_store_id_is_zero(const struct keel_store_id *id)
{
	for (int i = 0; i < KEEL_STORE_ID_LEN; i++) {
		if (id->b[i])
			return false;
	}
	return true;
}

const char *keel_store_type_name(enum keel_store_type type)
{
	switch (type) {
	case KEEL_STORE_COMMIT:
		return "commit";
	case KEEL_STORE_TREE:
		return "tree";
	case KEEL_STORE_BLOB:
		return "blob";
	case KEEL_STORE_TAG:
		return "tag";
	}
	return NULL;
}

int keel_store_type_from_name(const char *name, size_t len)
{
	for (int t = KEEL_STORE_COMMIT; t <= KEEL_STORE_TAG; t++) {
		const char *n = keel_store_type_name((enum keel_store_type)t);

		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return t;
	}
	return KEEL_EINVAL;
}

size_t keel_store_object_header(enum keel_store_type type, uint64_t len,
                                char out[KEEL_STORE_HEADER_MAX])
{
	const char *n = keel_store_type_name(type);
	char digits[24];
	size_t nl = strlen(n), d = 0, o = 0;

	do {
		digits[d++] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	memcpy(out, n, nl);
	o = nl;
	out[o++] = ' ';
	while (d)
		out[o++] = digits[--d];
	out[o++] = 0;
	return o;
}

void keel_store_hash(enum keel_store_type type, const void *data, size_t len,
                     struct keel_store_id *out)
{
	char head[KEEL_STORE_HEADER_MAX];
	size_t hl = keel_store_object_header(type, len, head);
	struct keel_sha1 s;

	keel_sha1_init(&s);
	keel_sha1_update(&s, head, hl);
	keel_sha1_update(&s, data, len);
	keel_sha1_final(&s, out->b);
}

/*
 * What a key may be (see keel/kv.h): 1..KEEL_KV_KEY_MAX bytes, no NUL,
 * no control byte, components separated by single '/', none of them
 * empty, "." or "..". Nothing built from a key can then climb out of the
 * store or confuse a log line.
 */
#include <keel/kv.h>

bool keel_kv_key_valid(const char *key, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > KEEL_KV_KEY_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len) {
			unsigned char c = (unsigned char)key[i];

			if (c < 0x20 || c == 0x7f)
				return false;
			if (c != '/')
				continue;
		}
		if (i == start || (i - start == 1 && key[start] == '.') ||
		    (i - start == 2 && key[start] == '.' && key[start + 1] == '.'))
			return false;
		start = i + 1;
	}
	return true;
}

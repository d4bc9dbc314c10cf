/*
 * FNV-1a, 64 bits (Fowler, Noll, Vo): a byte at a time, xor then
 * multiply by the FNV prime 2^40 + 2^8 + 0xb3. Used for ETags, where it
 * only has to notice that bytes changed; it is no defence against anyone
 * choosing the bytes.
 */
#include <keel/kv.h>

uint64_t keel_kv_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

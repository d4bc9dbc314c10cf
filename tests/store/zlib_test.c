/*
 * The stored-block zlib encoder: host zlib inflates what it writes, for
 * sizes around the 65535-byte block bound; Adler-32 against zlib's.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <keel/store.h>

#include "check.h"

const char test_name[] = "store zlib";

int main(void)
{
	static const size_t sizes[] = { 0, 1, 100, 65534, 65535, 65536, 131070, 131071, 200000 };
	static uint8_t in[200000], back[200001];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(test_rand() >> 7);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], cap = keel_store_zlib_stored_size(n);
		uint8_t *z = malloc(cap);
		uLongf out_len = sizeof(back);

		CHECK(z);
		CHECK(keel_store_zlib_stored(in, n, z) == cap);
		CHECK(uncompress(back, &out_len, z, cap) == Z_OK);
		CHECK(out_len == n && memcmp(back, in, n) == 0);
		CHECK(keel_store_adler32(1, in, n) == adler32(1, in, (uInt)n));
		free(z);
	}
	printf("PASS %s\n", test_name);
	return 0;
}

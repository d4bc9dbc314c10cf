/*
 * zlib.c — a zlib stream of stored (uncompressed) deflate blocks, and
 * Adler-32: enough to serve Git loose objects, which are always zlib
 * streams, from an image that has no compressor.
 *
 * Stream: 0x78 0x01 (deflate, 32 KiB window, no dictionary, fastest; the
 * header's check bits make 0x7801 a multiple of 31), then blocks of at
 * most 65535 bytes each: one byte BFINAL|BTYPE=00, LEN and ~LEN little-
 * endian, the bytes; then the Adler-32 of the data, big-endian.
 */
#include <string.h>

#include <keel/store.h>

#define BLOCK_MAX 65535u

uint32_t keel_store_adler32(uint32_t a, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t s1 = a & 0xffff, s2 = a >> 16;

	while (len > 0) {
		/* 5552 bytes is the most that cannot overflow 32 bits. */
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			s1 += *p++;
			s2 += s1;
		}
		s1 %= 65521;
		s2 %= 65521;
	}
	return s2 << 16 | s1;
}

size_t keel_store_zlib_stored_size(size_t len)
{
	size_t blocks = len ? (len + BLOCK_MAX - 1) / BLOCK_MAX : 1;

	return 2 + blocks * 5 + len + 4;
}

size_t keel_store_zlib_stored(const void *data, size_t len, uint8_t *out)
{
	const uint8_t *p = data;
	uint32_t adler = keel_store_adler32(1, data, len);
	size_t o = 0;

	out[o++] = 0x78;
	out[o++] = 0x01;
	do {
		size_t n = len < BLOCK_MAX ? len : BLOCK_MAX;

		out[o++] = n == len ? 1 : 0; /* BFINAL on the last block */
		out[o++] = (uint8_t)n;
		out[o++] = (uint8_t)(n >> 8);
		out[o++] = (uint8_t)~n;
		out[o++] = (uint8_t)(~n >> 8);
		if (n)
			memcpy(out + o, p, n);
		o += n, p += n, len -= n;
	} while (len > 0);
	out[o++] = (uint8_t)(adler >> 24);
	out[o++] = (uint8_t)(adler >> 16);
	out[o++] = (uint8_t)(adler >> 8);
	out[o++] = (uint8_t)adler;
	return o;
}

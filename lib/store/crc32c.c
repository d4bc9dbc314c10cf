/*
 * crc32c.c — CRC-32C (Castagnoli), the log's record checksum, and the
 * little-endian helpers of the on-disk format.
 */
#include "store_impl.h"

/* Slicing by 8: table[k][b] is the crc of byte b followed by k zero
 * bytes, so eight bytes are folded in with eight lookups. */
static uint32_t table[8][256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
}

uint32_t store_crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!table[0][1])
		make_table();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		                     (uint32_t)p[3] << 24);

		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^ table[3][p[4]] ^
		      table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t store_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t store_le64(const uint8_t *p)
{
	return (uint64_t)store_le32(p) | (uint64_t)store_le32(p + 4) << 32;
}

void store_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void store_put_le64(uint8_t *p, uint64_t v)
{
	store_put_le32(p, (uint32_t)v);
	store_put_le32(p + 4, (uint32_t)(v >> 32));
}

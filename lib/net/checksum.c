/*
 * checksum.c — byte order and the Internet checksum (RFC 1071).
 *
 * The sum is taken over 16-bit words exactly as they sit in memory. The
 * one's-complement sum is independent of byte order (swapping the bytes of
 * every word swaps the bytes of the result), so the folded value can be
 * stored back into a header with memcpy on any host.
 */
#include "net_impl.h"

uint16_t net_htons(uint16_t v)
{
	uint8_t b[2];
	uint16_t out;

	net_put16(b, v);
	memcpy(&out, b, 2);
	return out;
}

uint32_t net_htonl(uint32_t v)
{
	uint8_t b[4];
	uint32_t out;

	net_put32(b, v);
	memcpy(&out, b, 4);
	return out;
}

uint32_t inet_sum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	/* 32 bits at a time into a 64-bit accumulator: the carries pile up
	 * in the top half and are folded in once at the end. */
	while (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the first of a word whose second is zero. */
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	/* Down to at most 17 bits so callers can keep adding. */
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t inet_pseudo_sum(uint32_t src_be, uint32_t dst_be, uint8_t proto, uint16_t l4_len)
{
	uint8_t ph[12];

	memcpy(ph, &src_be, 4);
	memcpy(ph + 4, &dst_be, 4);
	ph[8] = 0;
	ph[9] = proto;
	net_put16(ph + 10, l4_len);
	return inet_sum(ph, sizeof(ph), 0);
}

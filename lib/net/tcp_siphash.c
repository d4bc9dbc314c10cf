/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): the keyed hash behind initial sequence numbers (RFC 6528), SYN
 * cookies and the connection table, so that none of them can be predicted
 * or steered by a peer that does not know the stack's random keys.
 *
 * The state is four 64-bit words initialised from the key and four
 * constants; each 8-byte little-endian message word is absorbed with two
 * SipRounds; the last word carries the message length in its top byte;
 * four more rounds finalise. Not constant-time with respect to `len`
 * (which is never secret here); constant-time in the key and data.
 */
#include "tcp_impl.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline void sip_absorb(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint64_t tcp_siphash(const uint64_t k[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	struct sip s = {
		.v0 = k[0] ^ 0x736f6d6570736575ull, /* "somepseudorandomlygeneratedbytes" */
		.v1 = k[1] ^ 0x646f72616e646f6dull,
		.v2 = k[0] ^ 0x6c7967656e657261ull,
		.v3 = k[1] ^ 0x7465646279746573ull,
	};
	size_t whole = len & ~(size_t)7;
	uint64_t last = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; i < whole; i += 8)
		sip_absorb(&s, load_le64(p + i));
	for (size_t i = whole; i < len; i++)
		last |= (uint64_t)p[i] << (8 * (i - whole));
	sip_absorb(&s, last);
	s.v2 ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

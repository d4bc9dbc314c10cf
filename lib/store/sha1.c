/*
 * sha1.c — SHA-1 (FIPS 180-4), the object name of Git. Used here as Git
 * uses it: to name content, not as a defence against a chosen collision.
 * Not constant-time (nothing it hashes is secret).
 */
#include <string.h>

#include <keel/store.h>

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One 64-byte block into the state (FIPS 180-4, 6.1.2). */
static void compress(uint32_t h[5], const uint8_t *block)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++)
		w[t] = be32(block + 4 * t);
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;

		if (t < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (t < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (t < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		uint32_t tmp = rol(a, 5) + f + e + k + w[t];
		e = d, d = c, c = rol(b, 30), b = a, a = tmp;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

void keel_sha1_init(struct keel_sha1 *s)
{
	s->h[0] = 0x67452301;
	s->h[1] = 0xefcdab89;
	s->h[2] = 0x98badcfe;
	s->h[3] = 0x10325476;
	s->h[4] = 0xc3d2e1f0;
	s->len = 0;
}

void keel_sha1_update(struct keel_sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = (size_t)(s->len % 64);

	s->len += len;
	if (used) {
		size_t take = 64 - used < len ? 64 - used : len;

		memcpy(s->buf + used, p, take);
		p += take, len -= take;
		if (used + take < 64)
			return;
		compress(s->h, s->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(s->h, p);
	if (len)
		memcpy(s->buf, p, len);
}

void keel_sha1_final(struct keel_sha1 *s, uint8_t out[KEEL_STORE_ID_LEN])
{
	uint64_t bits = s->len * 8;
	size_t used = (size_t)(s->len % 64);

	s->buf[used++] = 0x80;
	if (used > 56) {
		memset(s->buf + used, 0, 64 - used);
		compress(s->h, s->buf);
		used = 0;
	}
	memset(s->buf + used, 0, 56 - used);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(s->h, s->buf);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void keel_sha1(const void *data, size_t len, uint8_t out[KEEL_STORE_ID_LEN])
{
	struct keel_sha1 s;

	keel_sha1_init(&s);
	keel_sha1_update(&s, data, len);
	keel_sha1_final(&s, out);
}

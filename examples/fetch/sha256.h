/*
 * sha256.h — SHA-256 (FIPS 180-4) for examples/fetch: incremental hashing
 * of a body as it streams in. Not constant-time with respect to the
 * length, which is public here; no secrets pass through it.
 */
#ifndef FETCH_SHA256_H
#define FETCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t total;    /* bytes hashed so far */
	uint8_t block[64]; /* the partial block */
	size_t fill;       /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Finishes the hash into out; *s must be initialised again to be reused. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);

#endif

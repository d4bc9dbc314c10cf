/*
 * lib/libc/string/byteset.h — a set of byte values, for strspn, strcspn,
 * strpbrk and strtok_r.
 */
#ifndef KEEL_LIBC_BYTESET_H
#define KEEL_LIBC_BYTESET_H

#include "../internal.h"

struct byteset {
	uint64_t bits[4];
};

/* The set of the bytes of the NUL-terminated `chars`, plus NUL itself
 * (so a scan that stops at set members also stops at the end). */
static inline void byteset_fill(struct byteset *set, const char *chars)
{
	const unsigned char *p = (const unsigned char *)chars;

	set->bits[0] = 1; /* NUL */
	set->bits[1] = set->bits[2] = set->bits[3] = 0;
	for (; *p; p++)
		set->bits[*p >> 6] |= (uint64_t)1 << (*p & 63);
}

static inline bool byteset_has(const struct byteset *set, unsigned char c)
{
	return (set->bits[c >> 6] >> (c & 63)) & 1;
}

#endif

/*
 * memcpy — generic version; an architecture may replace it
 * (lib/libc/arch/<arch>/memcpy.c).
 *
 * The compiler emits calls to memcpy itself, so this file is built with
 * loop-to-call pattern matching off (see lib/libc/build.mk): otherwise
 * gcc may turn the byte loop below into a call to memcpy, i.e. itself.
 */
#include "word.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Words only when both pointers can be aligned at the same time. */
	if (n >= 4 * WORD_SIZE && (((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (!word_aligned(d)) {
			*d++ = *s++;
			n--;
		}
		keel__word *dw = (keel__word *)(void *)d;
		const keel__word *sw = (const keel__word *)(const void *)s;
		for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE, dw += 4, sw += 4) {
			dw[0] = sw[0];
			dw[1] = sw[1];
			dw[2] = sw[2];
			dw[3] = sw[3];
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE)
			*dw++ = *sw++;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

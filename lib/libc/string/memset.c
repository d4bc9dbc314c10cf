/*
 * memset — generic version; an architecture may replace it
 * (lib/libc/arch/<arch>/memset.c). Built without loop-to-call pattern
 * matching (build.mk), since the compiler itself emits calls to memset.
 */
#include "word.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (n >= 4 * WORD_SIZE) {
		uintptr_t pattern = word_splat(c);

		while (!word_aligned(d)) {
			*d++ = (unsigned char)c;
			n--;
		}
		keel__word *dw = (keel__word *)(void *)d;
		for (; n >= 4 * WORD_SIZE; n -= 4 * WORD_SIZE, dw += 4) {
			dw[0] = pattern;
			dw[1] = pattern;
			dw[2] = pattern;
			dw[3] = pattern;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE)
			*dw++ = pattern;
		d = (unsigned char *)dw;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

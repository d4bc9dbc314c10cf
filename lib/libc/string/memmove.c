/*
 * memmove — copies forwards when the destination is below the source and
 * backwards otherwise, so overlapping bytes are read before they are
 * overwritten. Built without loop-to-call pattern matching (build.mk).
 */
#include "word.h"

static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 2 * WORD_SIZE && (((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (!word_aligned(d)) {
			*d++ = *s++;
			n--;
		}
		keel__word *dw = (keel__word *)(void *)d;
		const keel__word *sw = (const keel__word *)(const void *)s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE)
			*dw++ = *sw++;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*d++ = *s++;
}

/* d and s point one past the ends of the two ranges. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 2 * WORD_SIZE && (((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		while (!word_aligned(d)) {
			*--d = *--s;
			n--;
		}
		keel__word *dw = (keel__word *)(void *)d;
		const keel__word *sw = (const keel__word *)(const void *)s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE)
			*--dw = *--sw;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*--d = *--s;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Compare as integers: the ranges may belong to different objects. */
	if ((uintptr_t)d < (uintptr_t)s)
		copy_forward(d, s, n);
	else
		copy_backward(d + n, s + n, n);
	return dst;
}

/*
 * memcmp — skips equal aligned words, then finds the first differing
 * byte. Built without loop-to-call pattern matching (build.mk).
 */
#include "word.h"

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	if (n >= 2 * WORD_SIZE && (((uintptr_t)p ^ (uintptr_t)q) & WORD_MASK) == 0) {
		while (!word_aligned(p)) {
			if (*p != *q)
				return *p - *q;
			p++;
			q++;
			n--;
		}
		const keel__word *pw = (const keel__word *)(const void *)p;
		const keel__word *qw = (const keel__word *)(const void *)q;
		for (; n >= WORD_SIZE && *pw == *qw; n -= WORD_SIZE) {
			pw++;
			qw++;
		}
		p = (const unsigned char *)pw;
		q = (const unsigned char *)qw;
	}
	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

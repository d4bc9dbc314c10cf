/* memrchr — the last byte equal to (unsigned char)c among n bytes. */
#include "../internal.h"

void *memrchr(const void *s, int c, size_t n)
{
	const unsigned char *p = (const unsigned char *)s + n;
	unsigned char ch = (unsigned char)c;

	while (n--) {
		if (*--p == ch)
			return (void *)p;
	}
	return NULL;
}

/* strncpy — copies at most n bytes and pads the rest of dst with NULs;
 * dst is not NUL-terminated when src has n or more bytes. */
#include "../internal.h"

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	memset(dst + i, 0, n - i);
	return dst;
}

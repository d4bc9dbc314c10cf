/*
 * memset for x86_64: `rep stosb` (see memcpy.c beside this file); it
 * replaces lib/libc/string/memset.c in x86_64 builds.
 */
#include "../../internal.h"

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

/*
 * memcpy for x86_64: `rep movsb`, which CPUs with ERMS (Intel since Ivy
 * Bridge, AMD since Zen) run as an optimised block copy; it replaces
 * lib/libc/string/memcpy.c in x86_64 builds.
 */
#include "../../internal.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

/*
 * explicit_bzero — zeroes n bytes in a way the optimiser must keep: the
 * empty asm claims to read the memory, so the stores are not dead.
 */
#include "../internal.h"

void explicit_bzero(void *s, size_t n)
{
	memset(s, 0, n);
	__asm__ __volatile__("" : : "r"(s) : "memory");
}

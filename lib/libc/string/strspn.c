/*
 * strspn, strcspn and strpbrk share a 256-bit set of the bytes listed in
 * the second argument, so each runs in O(len(s) + len(set)).
 */
#include "byteset.h"

size_t strspn(const char *s, const char *accept)
{
	struct byteset set;
	const unsigned char *p = (const unsigned char *)s;

	byteset_fill(&set, accept);
	while (*p && byteset_has(&set, *p))
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

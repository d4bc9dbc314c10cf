/* strcspn — see strspn.c. */
#include "byteset.h"

size_t strcspn(const char *s, const char *reject)
{
	struct byteset set;
	const unsigned char *p = (const unsigned char *)s;

	byteset_fill(&set, reject); /* NUL is a member: the scan stops at the end */
	while (!byteset_has(&set, *p))
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

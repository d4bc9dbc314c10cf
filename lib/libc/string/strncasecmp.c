/* strncasecmp */
#include <ctype.h>
#include <strings.h>

#include "../internal.h"

int strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		int d = tolower(*p) - tolower(*q);

		if (d || !*p)
			return d;
	}
	return 0;
}

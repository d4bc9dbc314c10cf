/* strcmp — compares as unsigned char, as C11 7.24.4 requires. */
#include "../internal.h"

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

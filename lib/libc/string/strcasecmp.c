/* strcasecmp — compares tolower() of each byte, as unsigned char. */
#include <ctype.h>
#include <strings.h>

#include "../internal.h"

int strcasecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && tolower(*p) == tolower(*q)) {
		p++;
		q++;
	}
	return tolower(*p) - tolower(*q);
}

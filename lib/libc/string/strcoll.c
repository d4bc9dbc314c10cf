/* strcoll — the C locale collates in byte order. */
#include "../internal.h"

int strcoll(const char *a, const char *b)
{
	return strcmp(a, b);
}

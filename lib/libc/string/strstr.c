/* strstr — see memmem.c for the algorithm. */
#include "../internal.h"

char *strstr(const char *haystack, const char *needle)
{
	if (!needle[0])
		return (char *)haystack;
	haystack = strchr(haystack, needle[0]);
	if (!haystack)
		return NULL;
	return memmem(haystack, strlen(haystack), needle, strlen(needle));
}

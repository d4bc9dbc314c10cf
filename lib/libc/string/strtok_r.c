/*
 * strtok_r — the next token of s (or of *saveptr when s is NULL):
 * leading delimiters are skipped, the delimiter ending the token is
 * overwritten with NUL, and *saveptr remembers where to go on.
 */
#include "../internal.h"

char *strtok_r(char *restrict s, const char *restrict delim, char **restrict saveptr)
{
	if (!s)
		s = *saveptr;
	s += strspn(s, delim);
	if (!*s) {
		*saveptr = s;
		return NULL;
	}
	char *end = s + strcspn(s, delim);
	if (*end)
		*end++ = '\0';
	*saveptr = end;
	return s;
}

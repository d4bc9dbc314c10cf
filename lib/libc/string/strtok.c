/* strtok — strtok_r with one hidden position (no threads to race on it). */
#include "../internal.h"

char *strtok(char *restrict s, const char *restrict delim)
{
	static char empty[1];
	static char *position = empty; /* a first call with s NULL finds nothing */

	return strtok_r(s, delim, &position);
}

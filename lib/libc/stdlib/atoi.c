/* atoi — strtol in base 10; the result is undefined when out of range. */
#include "../internal.h"

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

/* atol */
#include "../internal.h"

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

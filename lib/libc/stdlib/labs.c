/* labs — undefined for the most negative value, as in C11. */
#include "../internal.h"

long labs(long j)
{
	return j < 0 ? -j : j;
}

/* llabs — undefined for the most negative value, as in C11. */
#include "../internal.h"

long long llabs(long long j)
{
	return j < 0 ? -j : j;
}

/* abs — undefined for the most negative value, as in C11. */
#include "../internal.h"

int abs(int j)
{
	return j < 0 ? -j : j;
}

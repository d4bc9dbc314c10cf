/* lldiv — quotient truncated toward zero, as C11's / and %. */
#include "../internal.h"

lldiv_t lldiv(long long numer, long long denom)
{
	lldiv_t r = { .quot = numer / denom, .rem = numer % denom };

	return r;
}

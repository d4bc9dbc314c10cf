/* ldiv — quotient truncated toward zero, as C11's / and %. */
#include "../internal.h"

ldiv_t ldiv(long numer, long denom)
{
	ldiv_t r = { .quot = numer / denom, .rem = numer % denom };

	return r;
}

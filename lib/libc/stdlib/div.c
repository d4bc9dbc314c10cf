/* div — quotient truncated toward zero, as C11's / and %. */
#include "../internal.h"

div_t div(int numer, int denom)
{
	div_t r = { .quot = numer / denom, .rem = numer % denom };

	return r;
}

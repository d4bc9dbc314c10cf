/*
 * strtoull — see <stdlib.h> and strtox.c. A '-' negates the value in the
 * unsigned type ("-1" is ULLONG_MAX), as C11 says; only a magnitude above
 * ULLONG_MAX is out of range.
 */
#include "../internal.h"

unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long magnitude =
	    keel__strtox(s, endptr, base, ULLONG_MAX, &negative, &overflow);

	if (overflow) {
		errno = ERANGE;
		return ULLONG_MAX;
	}
	return negative ? -(unsigned long long)magnitude : (unsigned long long)magnitude;
}

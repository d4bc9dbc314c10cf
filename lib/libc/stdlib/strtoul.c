/*
 * strtoul — see <stdlib.h> and strtox.c. A '-' negates the value in the
 * unsigned type ("-1" is ULONG_MAX), as C11 says; only a magnitude above
 * ULONG_MAX is out of range.
 */
#include "../internal.h"

unsigned long strtoul(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long magnitude =
	    keel__strtox(s, endptr, base, ULONG_MAX, &negative, &overflow);

	if (overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return negative ? -(unsigned long)magnitude : (unsigned long)magnitude;
}

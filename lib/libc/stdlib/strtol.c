/* strtol — see <stdlib.h> and strtox.c. */
#include "../internal.h"

long strtol(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long magnitude =
	    keel__strtox(s, endptr, base, (unsigned long long)LONG_MAX + 1, &negative, &overflow);

	if (negative) {
		if (overflow) {
			errno = ERANGE;
			return LONG_MIN;
		}
		/* -(LONG_MAX + 1) cannot be negated from a long. */
		return magnitude > LONG_MAX ? LONG_MIN : -(long)magnitude;
	}
	if (overflow || magnitude > LONG_MAX) {
		errno = ERANGE;
		return LONG_MAX;
	}
	return (long)magnitude;
}

/* strtoll — see <stdlib.h> and strtox.c. */
#include "../internal.h"

long long strtoll(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long magnitude =
	    keel__strtox(s, endptr, base, (unsigned long long)LLONG_MAX + 1, &negative, &overflow);

	if (negative) {
		if (overflow) {
			errno = ERANGE;
			return LLONG_MIN;
		}
		/* -(LLONG_MAX + 1) cannot be negated from a long long. */
		return magnitude > LLONG_MAX ? LLONG_MIN : -(long long)magnitude;
	}
	if (overflow || magnitude > LLONG_MAX) {
		errno = ERANGE;
		return LLONG_MAX;
	}
	return (long long)magnitude;
}

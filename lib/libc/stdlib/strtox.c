/*
 * The parser shared by strtol, strtoll, strtoul and strtoull (see
 * internal.h): they differ only in their limits and in what a '-' means.
 */
#include <ctype.h>

#include "../internal.h"

/* The value of c as a digit of any base up to 36; 36 when it is none. */
static unsigned digit_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32; /* lower case */
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10u;
	return 36;
}

unsigned long long keel__strtox(const char *s, char **endptr, int base, unsigned long long limit,
                                bool *negative, bool *overflow)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long long value = 0;

	*negative = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (endptr)
			*endptr = (char *)s;
		return 0;
	}

	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	/* "0x" is a prefix only when a hex digit follows; otherwise the "0"
	 * is the number and parsing stops at the 'x'. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}

	const unsigned char *digits = p;
	unsigned b = (unsigned)base;
	for (unsigned d; (d = digit_value(*p)) < b; p++) {
		/* value * b + d <= limit, without overflowing. Past the limit
		 * the digits are still consumed, as endptr must skip them. */
		if (value > (limit - d) / b)
			*overflow = true;
		else
			value = value * b + d;
	}

	if (p == digits) {
		/* No number: nothing is consumed, not even space or sign. */
		*negative = false;
		p = (const unsigned char *)s;
	}
	if (endptr)
		*endptr = (char *)p;
	return *overflow ? limit : value;
}

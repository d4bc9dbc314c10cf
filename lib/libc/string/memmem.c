/*
 * memmem — the Two-Way algorithm of Crochemore and Perrin (1991): linear
 * time in the haystack's length and constant space whatever the input,
 * so a peer cannot make a search quadratic. strstr() uses it too.
 *
 * The needle x (length m) is split at a "critical position" ell into
 * x[0..ell] and x[ell+1..m-1]. Each attempt matches the right part left
 * to right, then the left part right to left; a mismatch lets the window
 * shift by an amount the factorisation proves safe. Positions are signed
 * because the critical position may be -1 (the empty left part).
 */
#include "../internal.h"

/*
 * The maximal suffix of x under the byte order (or the reversed order when
 * `reversed`): returns the position just before it (-1 for the whole of
 * x) and stores the suffix's period in *period.
 */
static ptrdiff_t maximal_suffix(const unsigned char *x, ptrdiff_t m, bool reversed,
                                ptrdiff_t *period)
{
	ptrdiff_t ms = -1; /* position before the best suffix so far */
	ptrdiff_t j = 0;   /* start of the candidate suffix is j + 1 */
	ptrdiff_t k = 1;   /* offset within the current period */
	ptrdiff_t p = 1;   /* period of the best suffix so far */

	while (j + k < m) {
		unsigned char a = x[j + k], b = x[ms + k];

		if (reversed ? a > b : a < b) {
			/* The candidate is smaller: the suffix grows. */
			j += k;
			k = 1;
			p = j - ms;
		} else if (a == b) {
			if (k != p) {
				k++;
			} else {
				j += p;
				k = 1;
			}
		} else {
			/* A larger suffix starts here. */
			ms = j;
			j = ms + 1;
			k = p = 1;
		}
	}
	*period = p;
	return ms;
}

static const unsigned char *two_way(const unsigned char *y, ptrdiff_t n, const unsigned char *x,
                                    ptrdiff_t m)
{
	ptrdiff_t p1, p2, ell, per;
	ptrdiff_t s1 = maximal_suffix(x, m, false, &p1);
	ptrdiff_t s2 = maximal_suffix(x, m, true, &p2);

	if (s1 > s2) {
		ell = s1;
		per = p1;
	} else {
		ell = s2;
		per = p2;
	}

	if (memcmp(x, x + per, (size_t)(ell + 1)) == 0) {
		/* x is periodic with period `per`: after a full match of the
		 * right part, the `memory` bytes already known need no recheck. */
		ptrdiff_t memory = -1;

		for (ptrdiff_t j = 0; j <= n - m;) {
			ptrdiff_t i = (ell > memory ? ell : memory) + 1;

			while (i < m && x[i] == y[i + j])
				i++;
			if (i >= m) {
				i = ell;
				while (i > memory && x[i] == y[i + j])
					i--;
				if (i <= memory)
					return y + j;
				j += per;
				memory = m - per - 1;
			} else {
				j += i - ell;
				memory = -1;
			}
		}
	} else {
		/* No large period: the shift after a full right-part match is
		 * at least the longer part's length plus one. */
		per = (ell + 1 > m - ell - 1 ? ell + 1 : m - ell - 1) + 1;
		for (ptrdiff_t j = 0; j <= n - m;) {
			ptrdiff_t i = ell + 1;

			while (i < m && x[i] == y[i + j])
				i++;
			if (i >= m) {
				i = ell;
				while (i >= 0 && x[i] == y[i + j])
					i--;
				if (i < 0)
					return y + j;
				j += per;
			} else {
				j += i - ell;
			}
		}
	}
	return NULL;
}

void *memmem(const void *haystack, size_t hlen, const void *needle, size_t nlen)
{
	const unsigned char *h = haystack, *x = needle;

	if (nlen == 0)
		return (void *)h;
	if (nlen > hlen)
		return NULL;
	/* Skip to the first possible start; also the whole job for one byte. */
	const unsigned char *first = memchr(h, x[0], hlen - nlen + 1);
	if (!first || nlen == 1)
		return (void *)first;
	hlen -= (size_t)(first - h);
	return (void *)two_way(first, (ptrdiff_t)hlen, x, (ptrdiff_t)nlen);
}

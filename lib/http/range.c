/*
 * The Range field (RFC 9110 section 14.2), for one representation of a
 * known size. Only the "bytes" unit and a single range are served:
 *
 *   bytes=first-last   bytes=first-   bytes=-suffix
 *
 * Several ranges are answered with the whole representation (a server
 * may ignore Range), and so is a syntactically invalid value. A range is
 * unsatisfiable (416) when it starts at or past the end, or is an empty
 * suffix. Numbers too large for 64 bits saturate: a huge last position
 * means "to the end", a huge first one is past it.
 */
#include "http_impl.h"

/* Digits at v[*i..len) as a number, saturating; false when none. */
static bool number(const char *v, size_t len, size_t *i, uint64_t *out)
{
	uint64_t n = 0;
	size_t start = *i;

	for (; *i < len && http_is_digit((unsigned char)v[*i]); (*i)++) {
		unsigned d = (unsigned)(v[*i] - '0');

		n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
	}
	*out = n;
	return *i > start;
}

int http_range_parse(const char *v, size_t len, uint64_t size, uint64_t *first, uint64_t *last)
{
	size_t i = 0, pos, n;
	const char *elem;
	uint64_t a, b;

	/* range-unit "=" range-set; the unit is case-insensitive. */
	if (len < 6 || !http_token_eq(v, 5, "bytes") || v[5] != '=')
		return HTTP_RANGE_NONE;
	v += 6;
	len -= 6;
	pos = 0;
	n = http_list_next(v, len, &pos, &elem);
	if (n == 0)
		return HTTP_RANGE_NONE;
	{
		size_t more = pos;
		const char *other;

		if (http_list_next(v, len, &more, &other) > 0)
			return HTTP_RANGE_NONE; /* several ranges: send it whole */
	}
	if (elem[0] == '-') {
		i = 1;
		if (!number(elem, n, &i, &b) || i != n)
			return HTTP_RANGE_NONE;
		if (b == 0)
			return HTTP_RANGE_UNSATISFIABLE;
		if (size == 0)
			return HTTP_RANGE_NONE; /* nothing to take a suffix of */
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return HTTP_RANGE_OK;
	}
	if (!number(elem, n, &i, &a) || i >= n || elem[i] != '-')
		return HTTP_RANGE_NONE;
	i++;
	if (i == n) {
		b = UINT64_MAX;
	} else if (!number(elem, n, &i, &b) || i != n || b < a) {
		return HTTP_RANGE_NONE;
	}
	if (a >= size)
		return HTTP_RANGE_UNSATISFIABLE;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return HTTP_RANGE_OK;
}

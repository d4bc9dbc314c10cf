/*
 * Percent-decoding of a path (RFC 3986 section 2.1). '+' is left alone:
 * it means a space only in form-encoded queries, not in paths.
 */
#include "http_impl.h"

long keel_http_percent_decode(const char *in, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return KEEL_EINVAL;
			hi = http_hex_value((unsigned char)in[i + 1]);
			lo = http_hex_value((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return KEEL_EINVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == 0) {
			return KEEL_EINVAL;
		}
		if (o + 1 >= size)
			return KEEL_ERANGE;
		out[o++] = (char)c;
	}
	if (size == 0)
		return KEEL_ERANGE;
	out[o] = 0;
	return (long)o;
}

/*
 * Accept-Encoding (RFC 9110 section 12.5.3): may the response be gzip?
 *
 * Each element is a coding with an optional weight ";q=0.5". gzip is
 * acceptable when "gzip" (or its old alias "x-gzip") is listed with a
 * weight above zero, or, when neither is listed, "*" is. Malformed
 * weights count as zero: when in doubt, send the identity.
 */
#include "http_impl.h"

/* The weight of one element "coding *( OWS ';' OWS param )"; 1000 is
 * q=1. Returns -1 when malformed. */
static int weight(const char *e, size_t n, size_t *coding_len)
{
	size_t i = 0;
	int q = 1000;

	while (i < n && http_is_tchar((unsigned char)e[i]))
		i++;
	*coding_len = i;
	while (i < n) {
		while (i < n && (e[i] == ' ' || e[i] == '\t'))
			i++;
		if (i == n)
			break;
		if (e[i] != ';')
			return -1;
		i++;
		while (i < n && (e[i] == ' ' || e[i] == '\t'))
			i++;
		if (n - i >= 2 && (e[i] == 'q' || e[i] == 'Q') && e[i + 1] == '=') {
			/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
			int scale = 100;

			i += 2;
			if (i >= n || (e[i] != '0' && e[i] != '1'))
				return -1;
			q = (e[i] - '0') * 1000;
			i++;
			if (i < n && e[i] == '.') {
				i++;
				while (i < n && http_is_digit((unsigned char)e[i]) && scale > 0) {
					q += (e[i] - '0') * scale;
					scale /= 10;
					i++;
				}
			}
			if (q > 1000)
				return -1;
		} else {
			/* Another parameter: skip it. */
			while (i < n && e[i] != ';')
				i++;
		}
	}
	return q;
}

bool http_accepts_gzip(const char *v, size_t len)
{
	size_t pos = 0, n, clen;
	const char *e;
	int gzip = -1, star = -1;

	while ((n = http_list_next(v, len, &pos, &e)) > 0) {
		int q = weight(e, n, &clen);

		if (q < 0)
			q = 0;
		if (http_token_eq(e, clen, "gzip") || http_token_eq(e, clen, "x-gzip"))
			gzip = q > gzip ? q : gzip;
		else if (clen == 1 && e[0] == '*')
			star = q;
	}
	if (gzip >= 0)
		return gzip > 0;
	return star > 0;
}

/*
 * HTTP-date (RFC 9110 section 5.6.7): always sent as IMF-fixdate,
 *
 *     Sun, 06 Nov 1994 08:49:37 GMT
 *
 * and accepted in that form and the two obsolete ones:
 *
 *     Sunday, 06-Nov-94 08:49:37 GMT     (RFC 850)
 *     Sun Nov  6 08:49:37 1994           (asctime)
 *
 * Calendar arithmetic is done here, without <time.h>: proleptic
 * Gregorian, UTC, no leap seconds (a ":60" second is read as ":59").
 * Only dates from 1970 to 9999 are accepted or produced.
 */
#include <string.h>

#include "http_impl.h"

static const char day_names[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const day_long[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
	                                 "Thursday", "Friday", "Saturday" };
static const char month_names[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 1 && leap(y) ? 29 : days[m];
}

/* Leap years in [1, y). */
static uint64_t leaps_before(uint64_t y)
{
	y--;
	return y / 4 - y / 100 + y / 400;
}

int keel_http_date_format(uint64_t secs, char *buf, size_t len)
{
	uint64_t days = secs / 86400, rest = secs % 86400;
	unsigned year = 1970, month = 0,
	         wday = (unsigned)((days + 4) % 7); /* 1970-01-01: Thursday */
	char *p = buf;

	if (len < HTTP_DATE_LEN + 1)
		return KEEL_EINVAL;
	/* Any 400 consecutive Gregorian years hold 146097 days. */
	if (days / 146097 > 25)
		return KEEL_EINVAL;
	year += (unsigned)(days / 146097) * 400;
	days %= 146097;
	while (days >= (leap(year) ? 366u : 365u)) {
		days -= leap(year) ? 366 : 365;
		year++;
	}
	if (year > 9999)
		return KEEL_EINVAL;
	while (days >= month_days(year, month)) {
		days -= month_days(year, month);
		month++;
	}
	memcpy(p, day_names[wday], 3);
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	*p++ = (char)('0' + (days + 1) / 10);
	*p++ = (char)('0' + (days + 1) % 10);
	*p++ = ' ';
	memcpy(p, month_names[month], 3);
	p += 3;
	*p++ = ' ';
	*p++ = (char)('0' + year / 1000);
	*p++ = (char)('0' + year / 100 % 10);
	*p++ = (char)('0' + year / 10 % 10);
	*p++ = (char)('0' + year % 10);
	*p++ = ' ';
	*p++ = (char)('0' + rest / 36000);
	*p++ = (char)('0' + rest / 3600 % 10);
	*p++ = ':';
	*p++ = (char)('0' + rest % 3600 / 600);
	*p++ = (char)('0' + rest % 3600 / 60 % 10);
	*p++ = ':';
	*p++ = (char)('0' + rest % 60 / 10);
	*p++ = (char)('0' + rest % 10);
	memcpy(p, " GMT", 5);
	return HTTP_DATE_LEN;
}

/* A cursor over the text being parsed. */
struct scan {
	const char *s;
	size_t len, i;
};

static bool lit(struct scan *sc, const char *text)
{
	size_t n = strlen(text);

	if (sc->len - sc->i < n || memcmp(sc->s + sc->i, text, n) != 0)
		return false;
	sc->i += n;
	return true;
}

/* Exactly `n` digits (with `pad_space`, a leading space may stand for a 0). */
static bool digits(struct scan *sc, unsigned n, bool pad_space, unsigned *out)
{
	unsigned v = 0;

	if (sc->len - sc->i < n)
		return false;
	for (unsigned k = 0; k < n; k++) {
		unsigned char c = (unsigned char)sc->s[sc->i + k];

		if (k == 0 && pad_space && c == ' ')
			continue;
		if (!http_is_digit(c))
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	sc->i += n;
	*out = v;
	return true;
}

static bool month(struct scan *sc, unsigned *m)
{
	if (sc->len - sc->i < 3)
		return false;
	for (unsigned k = 0; k < 12; k++) {
		if (memcmp(sc->s + sc->i, month_names[k], 3) == 0) {
			sc->i += 3;
			*m = k;
			return true;
		}
	}
	return false;
}

/* "HH:MM:SS" */
static bool clock_time(struct scan *sc, unsigned *h, unsigned *mi, unsigned *s)
{
	return digits(sc, 2, false, h) && lit(sc, ":") && digits(sc, 2, false, mi) &&
	       lit(sc, ":") && digits(sc, 2, false, s);
}

static bool day_name(struct scan *sc, bool long_form)
{
	for (unsigned k = 0; k < 7; k++) {
		size_t save = sc->i;

		if (lit(sc, long_form ? day_long[k] : day_names[k]))
			return true;
		sc->i = save;
	}
	return false;
}

int keel_http_date_parse(const char *text, size_t len, uint64_t *secs)
{
	struct scan sc = { text, len, 0 };
	unsigned d, m, y, h, mi, s;
	uint64_t days;

	if (day_name(&sc, false) && lit(&sc, ", ")) {
		/* IMF-fixdate */
		if (!(digits(&sc, 2, false, &d) && lit(&sc, " ") && month(&sc, &m) &&
		      lit(&sc, " ") && digits(&sc, 4, false, &y) && lit(&sc, " ") &&
		      clock_time(&sc, &h, &mi, &s) && lit(&sc, " GMT")))
			return KEEL_EINVAL;
	} else if (sc.i = 0, day_name(&sc, false) && lit(&sc, " ")) {
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		if (!(month(&sc, &m) && lit(&sc, " ") && digits(&sc, 2, true, &d) &&
		      lit(&sc, " ") && clock_time(&sc, &h, &mi, &s) && lit(&sc, " ") &&
		      digits(&sc, 4, false, &y)))
			return KEEL_EINVAL;
	} else if (sc.i = 0, day_name(&sc, true) && lit(&sc, ", ")) {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year
		 * below 70 is taken as 20yy. */
		if (!(digits(&sc, 2, false, &d) && lit(&sc, "-") && month(&sc, &m) &&
		      lit(&sc, "-") && digits(&sc, 2, false, &y) && lit(&sc, " ") &&
		      clock_time(&sc, &h, &mi, &s) && lit(&sc, " GMT")))
			return KEEL_EINVAL;
		y += y < 70 ? 2000 : 1900;
	} else {
		return KEEL_EINVAL;
	}
	if (sc.i != len || y < 1970 || d < 1 || d > month_days(y, m) || h > 23 || mi > 59 || s > 60)
		return KEEL_EINVAL;
	if (s == 60)
		s = 59;
	days = (uint64_t)(y - 1970) * 365 + leaps_before(y) - leaps_before(1970);
	for (unsigned k = 0; k < m; k++)
		days += month_days(y, k);
	days += d - 1;
	*secs = days * 86400 + h * 3600u + mi * 60u + s;
	return KEEL_OK;
}
